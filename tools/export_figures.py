#!/usr/bin/env python3
"""Every figure of the course as SVG and PNG with a caption file, for lecturers' own slides.

    python tools/export_figures.py [paths] [--jobs N] [--out build/figures] [--png-only]

For each notebook (default: every notebook in ``notebooks/``) it writes, under
``build/figures/<notebook>/``, one ``<ID>_<n>.svg``, ``.png`` and ``.txt`` per figure, where
``<ID>`` is the COURSE_MAP id of the nearest heading above the figure that names one (``fig``
when none does) and ``<n>`` counts the figures of that id: ``05_momentum/MO-3_1.svg``. The
caption (``.txt``) gives the lesson, the section, the figure's own title, panel titles and
axis labels, and the cell it came from. ``build/figures/index.html`` shows them all.

How: the committed notebooks hold PNG only, so each one is executed again, in memory, in a
fresh kernel (as nbval does: working directory ``notebooks/``, one BLAS thread), with the
inline backend set to ``png`` + ``svg`` through a temporary IPython profile
(``InlineBackend.figure_formats``), whose start-up file also records each matplotlib figure's
suptitle, titles and labels as it is displayed. The notebook files are only read, never
written. A figure that a lesson turns into a small palette PNG with
``course_lib.plotting.compact`` (lesson 09's races) gets its SVG from the figure before it is
closed (the start-up file wraps ``compact`` in the kernel; the library is not changed).
Animations (animated PNG) are exported as PNG only. Widgets draw into their own output areas, which a run without a
front end does not keep: their figures are not exported (the lesson's static figures are).

``--png-only`` skips the execution and exports the committed PNGs, with captions from the
headings alone (seconds instead of a minute or two).
"""
from __future__ import annotations

import argparse
import base64
import glob
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))   # tools/, for the shared nbtext
from nbtext import HEADING, bracket_ids, first_heading, source, text_of  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build" / "figures"
FIGURE_INFO = "text/x-course-figure"
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

#: the kernel's configuration: both formats, stable SVG ids, and a display formatter that
#: records what each figure says about itself
KERNEL_CONFIG = """
c.InlineBackend.figure_formats = {"png", "svg"}
"""
STARTUP = r'''
def _course_figure_info():
    import json
    import matplotlib
    from IPython import get_ipython
    from IPython.core.formatters import BaseFormatter
    from matplotlib.figure import Figure
    from traitlets import ObjectName, Unicode

    matplotlib.rcParams["svg.hashsalt"] = "course-figures"      # the same ids on every run

    class FigureInfo(BaseFormatter):
        format_type = Unicode("FIGURE_INFO")
        print_method = ObjectName("_repr_course_figure_")

    def info(fig):
        def texts(ax):
            leg = ax.get_legend()
            return [t.get_text() for t in leg.get_texts()] if leg else []
        axes = [{"title": " ".join(t for t in (ax.get_title("left"), ax.get_title(),
                                                ax.get_title("right")) if t),
                 "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(), "legend": texts(ax)}
                for ax in fig.axes if ax.get_visible() and ax.axison]
        legends = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
        sup = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) else ""
        return json.dumps({"suptitle": sup, "axes": axes, "legend": legends})

    # the inline backend sets itself up when imported, and then resets every formatter's
    # Figure printer: import it first, register after
    import matplotlib_inline.backend_inline  # noqa: F401

    shell = get_ipython()
    formatter = FigureInfo(parent=shell.display_formatter)
    shell.display_formatter.formatters[formatter.format_type] = formatter

    def register(*_):          # again before each cell: %matplotlib would remove it
        formatter.for_type(Figure, info)
    register()
    shell.events.register("pre_run_cell", register)

    # course_lib.plotting.compact(fig) turns a figure into a palette PNG and closes it (lesson
    # 09's races): keep the figure's SVG and what it says about itself on the returned picture
    try:
        import sys
        import course_lib.plotting.png as png
    except ImportError:
        return
    original = png.compact

    def compact(fig, *args, **kwargs):
        import io
        svg = io.StringIO()
        fig.savefig(svg, format="svg")
        about = info(fig)
        picture = original(fig, *args, **kwargs)
        picture._course_svg, picture._course_info = svg.getvalue(), about
        return picture

    for name, module in list(sys.modules.items()):
        if name.startswith("course_lib") and getattr(module, "compact", None) is original:
            module.compact = compact
    svg_formatter = shell.display_formatter.formatters["image/svg+xml"]
    svg_formatter.for_type(png.CompactFigure, lambda p: getattr(p, "_course_svg", None))
    formatter.for_type(png.CompactFigure, lambda p: getattr(p, "_course_info", None))


_course_figure_info()
del _course_figure_info
'''.replace("FIGURE_INFO", FIGURE_INFO)


# ---------------------------------------------------------------------------------------------
# Reading notebooks

class Sections:
    """The headings above the current cell, by level, as a lesson's outline."""

    def __init__(self):
        self.stack: list[tuple[int, str]] = []

    def read(self, cell) -> None:
        if cell.get("cell_type") != "markdown":
            return
        fence = False
        for line in source(cell).split("\n"):
            if re.match(r"^\s*(```|~~~)", line):
                fence = not fence
            m = None if fence else HEADING.match(line)
            if m:
                level = len(m.group(1))
                self.stack = [(l, t) for l, t in self.stack if l < level] + [(level, m.group(2).strip())]

    def section(self) -> str:
        """The innermost heading (below the lesson's title), or ""."""
        inner = [t for l, t in self.stack if l > 1]
        return inner[-1] if inner else ""

    def path(self) -> list[str]:
        return [t for l, t in self.stack if l > 1]

    def ids(self) -> list[str]:
        """The ids of the innermost heading that names any."""
        for _, title in reversed(self.stack):
            found = bracket_ids(title)
            if found:
                return found
        return []


def figures(nb: dict) -> list[dict]:
    """Each picture a notebook shows, in order: its cell, section, ids, PNG (base64), SVG
    (text, if the run made one) and what the figure said about itself."""
    found, sections = [], Sections()
    for index, cell in enumerate(nb["cells"]):
        sections.read(cell)
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "image/png" not in data:
                continue
            info = json.loads(text_of(data[FIGURE_INFO])) if FIGURE_INFO in data else None
            found.append({"cell": index, "section": sections.section(), "path": sections.path(),
                          "ids": sections.ids(), "png": text_of(data["image/png"]),
                          "svg": text_of(data["image/svg+xml"]) if "image/svg+xml" in data else None,
                          "info": info})
    return found


def names(found: list[dict]) -> list[str]:
    """<ID>_<n> for each figure: the first id its section names, counted per id."""
    counts, out = {}, []
    for fig in found:
        key = fig["ids"][0] if fig["ids"] else "fig"
        counts[key] = counts.get(key, 0) + 1
        out.append("%s_%d" % (key, counts[key]))
    return out


def caption(fig: dict, name: str, lesson: str, nb_rel: str, executed: bool) -> str:
    """The caption file's text."""
    lines = ["%s: figure %s" % (lesson, name)]
    if fig["path"]:
        lines.append("Section: " + " > ".join(fig["path"]))
    if fig["ids"]:
        lines.append("COURSE_MAP ids: " + ", ".join(fig["ids"]))
    info = fig["info"]
    if info:
        if info["suptitle"]:
            lines.append("Title: " + info["suptitle"])
        panels = [a for a in info["axes"] if a["title"] or a["xlabel"] or a["ylabel"]]
        for k, ax in enumerate(panels, 1):
            what = ax["title"] or "(untitled)"
            axes = ", ".join(p for p in ("x: " + ax["xlabel"] if ax["xlabel"] else "",
                                         "y: " + ax["ylabel"] if ax["ylabel"] else "") if p)
            prefix = "Panel %d: " % k if len(panels) > 1 else "Plot: "
            lines.append(prefix + what + (" (%s)" % axes if axes else ""))
        legend = info["legend"] + [t for a in info["axes"] for t in a["legend"]]
        if legend:
            lines.append("Legend: " + "; ".join(dict.fromkeys(t for t in legend if t)))
    elif fig["svg"] is None and executed:
        lines.append("An animated picture (not a matplotlib figure): PNG only.")
    lines.append("Source: %s, cell %d (%s)" % (nb_rel, fig["cell"],
                                               "re-executed by tools/export_figures.py"
                                               if executed else "its committed output"))
    return "\n".join(lines) + "\n"


def clean_svg(svg: str) -> str:
    """The SVG without its creation date, so that an unchanged figure gives the same file."""
    return re.sub(r"\s*<dc:date>.*?</dc:date>", "", svg, flags=re.S)


# ---------------------------------------------------------------------------------------------
# Executing a copy

def kernel_profile(folder: Path) -> Path:
    """A temporary IPYTHONDIR whose default profile sets the formats and the recorder."""
    profile = folder / "profile_default"
    (profile / "startup").mkdir(parents=True, exist_ok=True)
    (profile / "ipython_kernel_config.py").write_text(KERNEL_CONFIG, encoding="utf-8")
    (profile / "startup" / "00-course-figures.py").write_text(STARTUP, encoding="utf-8")
    return folder


def execute(path: Path, timeout: int = 600) -> tuple[dict, float]:
    """The notebook run again in memory (the file is not written), and the seconds it took."""
    import nbformat
    from nbclient import NotebookClient
    nb = nbformat.read(str(path), as_version=4)
    with tempfile.TemporaryDirectory(prefix="course-figures-") as tmp:
        env = dict(os.environ, IPYTHONDIR=str(kernel_profile(Path(tmp))),
                   MPLBACKEND="module://matplotlib_inline.backend_inline", **ONE_THREAD)
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(env)
        try:
            t0 = time.perf_counter()
            NotebookClient(nb, timeout=timeout, kernel_name="python3",
                           resources={"metadata": {"path": str(path.parent)}}).execute(
                stderr=subprocess.DEVNULL)        # the kernel's start-up warnings; errors still raise
            return json.loads(nbformat.writes(nb)), time.perf_counter() - t0
        finally:
            os.environ.clear()
            os.environ.update(saved)


def export(path: Path, out: Path, png_only: bool = False) -> tuple[list[dict], float]:
    """Write one notebook's figures; return [{name, svg, png, txt, caption}] and the run time."""
    path = Path(path).resolve()
    if png_only:
        nb, seconds = json.loads(path.read_text(encoding="utf-8")), 0.0
    else:
        nb, seconds = execute(path)
    found = figures(nb)
    folder = out / path.stem
    if folder.exists():
        shutil.rmtree(folder)
    written = []
    lesson = first_heading(nb, path.stem)
    for fig, name in zip(found, names(found)):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / (name + ".png")).write_bytes(base64.b64decode(fig["png"]))
        files = {"png": folder / (name + ".png")}
        if fig["svg"]:
            (folder / (name + ".svg")).write_text(clean_svg(fig["svg"]), encoding="utf-8")
            files["svg"] = folder / (name + ".svg")
        text = caption(fig, name, lesson, rel(path), not png_only)
        (folder / (name + ".txt")).write_text(text, encoding="utf-8")
        written.append({"name": name, "caption": text, **{k: str(v) for k, v in files.items()}})
    return written, seconds


def rel(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def index_html(done: dict[str, list[dict]], out: Path) -> Path:
    """A page showing every exported figure with its caption and links to its files."""
    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>Course figures</title>",
             "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}figure{display:"
             "inline-block;width:330px;vertical-align:top;margin:8px}img{width:100%}"
             "figcaption{font-size:12px;white-space:pre-wrap}</style></head><body>",
             "<h1>Figures of the course</h1>"]
    for stem, figs in done.items():
        if not figs:
            continue
        parts.append("<h2>%s</h2>" % html.escape(stem))
        for f in figs:
            base = "%s/%s" % (stem, f["name"])
            links = " ".join('<a href="%s.%s">%s</a>' % (base, k, k.upper())
                             for k in ("svg", "png", "txt") if k in f or k == "txt")
            parts.append('<figure><img src="%s.png" alt="%s"><figcaption>%s\n%s</figcaption>'
                         "</figure>" % (base, html.escape(f["name"]), html.escape(f["caption"]),
                                        links))
    parts.append("</body></html>")
    page = out / "index.html"
    page.write_text("\n".join(parts), encoding="utf-8")
    return page


def default_paths() -> list[Path]:
    return sorted(Path(p).resolve() for p in glob.glob(str(ROOT / "notebooks" / "*.ipynb")))


def _one(args):
    path, out, png_only = args
    return export(Path(path), Path(out), png_only)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", help="notebooks (default: every notebook in notebooks/)")
    ap.add_argument("--out", default=str(OUT), help="output folder (default build/figures)")
    ap.add_argument("--jobs", "-j", type=int, default=1, help="notebooks run at once (default 1)")
    ap.add_argument("--png-only", action="store_true",
                    help="no execution: the committed PNGs, captions from the headings")
    args = ap.parse_args(argv)
    paths = [Path(p).resolve() for p in args.paths] or default_paths()
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    done: dict[str, list[dict]] = {}
    jobs = [(str(p), str(out), args.png_only) for p in paths]
    if args.jobs > 1:
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            results = list(pool.map(_one, jobs))
    else:
        results = []
        for job in jobs:
            results.append(_one(job))
            figs, seconds = results[-1]
            print("%5.1f s  %3d figures  %s" % (seconds, len(figs), rel(Path(job[0]))), flush=True)
    for p, (figs, _) in zip(paths, results):
        done[p.stem] = figs
    page = index_html(done, out)
    n = sum(len(f) for f in done.values())
    n_svg = sum("svg" in f for figs in done.values() for f in figs)
    print("figures: wrote %d figures (%d as SVG and PNG, %d PNG only) from %d notebooks to %s "
          "in %.1f s; see %s"
          % (n, n_svg, n - n_svg, len(paths), rel(out), time.perf_counter() - t0, rel(page)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
