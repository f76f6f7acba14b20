#!/usr/bin/env python3
"""Slide decks from the lessons: reveal.js metadata derived from each lesson's structure, and
one offline reveal.js deck per lesson.

    python tools/slides.py count [paths]      slides per lesson under the rules (writes nothing)
    python tools/slides.py apply PATHS        write the metadata into the notebooks' cells
    python tools/slides.py build [paths]      build/slides/NN_name.slides.html, one per lesson

Without paths, ``count`` and ``build`` take the lessons ``notebooks/NN_*.ipynb``. ``build``
reads the committed notebooks and executes nothing; a cell that carries ``slideshow``
metadata is shown as its metadata says (a lecturer's edits win), any other cell gets its type
from the rules below, in memory.

The rules (``slide_types``): each cell gets one reveal.js ``slide_type``
(``slide``, ``subslide``, ``fragment``, ``-`` = same slide, ``skip``), in order:

1. A tag ``slide:<type>`` on a cell (e.g. ``slide:skip``) overrides everything below.
2. The first cell (the lesson's title and objectives) opens the deck: ``slide``.
3. A markdown cell whose first heading is ``##`` opens a new ``slide``, except the sections
   that do not belong in a lecture: ``## Setup``, ``## Deep dive ...`` and ``## Sources``,
   which are skipped with every cell up to the next ``##`` heading. (A cell that holds the
   Summary and then, below it, the Deep dive and Sources headings opens the Summary slide;
   the deck leaves out the text from the skipped heading on.)
4. The notation table (the ``notation_box(...)`` cell right after the setup) is a
   ``subslide`` under the title: the lesson's symbols on one screen.
5. A markdown cell whose first heading is ``###`` or deeper, or names a study question or a
   poll, opens a ``subslide`` (a vertical slide below the section's slide).
6. After a study question, the text under it ("Check your answer by running:") and the
   first code cell that shows something appear one click at a time (``fragment``), so the
   answer is never on screen with the question.
7. Derivations come in steps: a code cell whose output is a displayed proof or formula
   (markdown or LaTeX output: ``Proof``, ``check_equal``) is a ``fragment``, and so is a
   heading-less markdown cell right after such a step.
8. Skipped: settings cells (tag ``settings``), code cells without output, cells whose only
   output is a progress bar, and long tables (a text output of more than ``LONG_TABLE``
   lines).
9. Everything else continues the current slide (``-``), unless it would not fit: each cell's
   height is estimated in lines of slide text (``cell_lines``), and a cell that would push the
   current screen past ``SLIDE_LINES`` opens a ``subslide`` instead (one idea per screen),
   and a heading-less text cell that introduces such a cell goes down to the new screen with
   it when the two fit there together. A single cell taller than a screen still gets a screen
   of its own, and scrolls.

A 50-minute lesson comes out at about 20 to 40 screens (slides plus subslides); ``count``
prints them, ``count -v`` each cell's type and estimated height.

The decks (``build``) hide the code and show its outputs (``--code`` shows the code too), open
from disk without a network, and use these files, copied next to the decks into
``build/slides/assets/``:

* reveal.js 5.2.0 as shipped inside the PyPI package ``sphinx-revealjs`` 3.2.1 (its
  ``_static/revealjs`` folder: ``dist/``, the themes with their fonts, the notes plugin; Sphinx
  itself is never imported, so it is installed without dependencies);
* MathJax 3.2.2 (``tex-svg.js``, formulas drawn as SVG, no font files), from
  ``django-static-mathjax``, as ``course.py card`` uses it.

Both are pinned in ``tools/slides-requirements.txt`` and installed, on first use, into
``.venv-docs`` (the website's tool venv, shared with ``tools/build_site.py``; never ``.venv``).
Widgets cannot run in a static deck: progress bars are left out, any other widget becomes a
note to run the lesson in JupyterLab, with the picture it showed when saved
(``tools/build_site.py``'s ``static_widgets``, one implementation for the site and the decks).
"""
from __future__ import annotations

import argparse
import base64
import copy
import glob
import importlib.util
import json
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))   # tools/, for the shared nbtext
from nbtext import HEADING, source, text_of  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build" / "slides"
DOCS_VENV = ROOT / ".venv-docs"
REQUIREMENTS = ROOT / "tools" / "slides-requirements.txt"
STAMP = ".slides-requirements"        # in .venv-docs: the requirements text installed from
LESSON_GLOB = "notebooks/[0-9][0-9]_*.ipynb"

SLIDE_TYPES = ("slide", "subslide", "fragment", "-", "skip", "notes")
SCREEN_TYPES = ("slide", "subslide")
#: lines of slide text that fit one 960 x 700 screen at the deck's 20 px font
SLIDE_LINES = 22
#: characters per line of prose, and of code output, on that screen
LINE_CHARS, CODE_CHARS = 90, 80
#: a text output with more lines than this is a table for the notebook, not for a slide
LONG_TABLE = 24
#: pixels of picture per line of text, and the widest picture a slide shows unscaled
PX_PER_LINE, SLIDE_PX = 30, 900
#: reveal.js's theme (white: its fonts ship with reveal.js; some themes import web fonts)
THEME = "white"

SKIPPED_SECTION = re.compile(r"^(setup|deep dive\b.*|sources)$", re.I)
STUDY = re.compile(r"study question", re.I)
POLL = re.compile(r"\bpoll\b", re.I)
DETAILS = re.compile(r"<details>.*?</details>", re.S)
COMMENT = re.compile(r"<!--.*?-->", re.S)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PROOF_MIMES = ("text/markdown", "text/latex")


# ---------------------------------------------------------------------------------------------
# Reading cells

def headings(cell) -> list[tuple[int, str]]:
    """The (level, title) of each markdown heading of a cell, outside code fences."""
    found, fence = [], False
    for line in source(cell).split("\n"):
        if re.match(r"^\s*(```|~~~)", line):
            fence = not fence
        m = None if fence else HEADING.match(line)
        if m:
            found.append((len(m.group(1)), m.group(2).strip()))
    return found


def first_heading(cell) -> tuple[int, str] | None:
    """The cell's heading when the cell starts with one (after blank lines), else None."""
    if cell.get("cell_type") != "markdown":
        return None
    text = source(cell).lstrip()
    m = HEADING.match(text.split("\n", 1)[0]) if text else None
    return (len(m.group(1)), m.group(2).strip()) if m else None


def is_skipped_section(title: str) -> bool:
    """``## Setup``, ``## Deep dive ...`` and ``## Sources`` (ids in brackets ignored)."""
    bare = re.sub(r"\s*\[[^\]]*\]", "", title).strip().rstrip(":")
    return bool(SKIPPED_SECTION.match(bare))


def tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def tag_override(cell) -> str | None:
    for t in tags(cell):
        if t.startswith("slide:") and t[len("slide:"):] in SLIDE_TYPES:
            return t[len("slide:"):]
    return None


def output_kinds(cell) -> set[str]:
    """What a code cell's outputs show: 'proof', 'figure', 'text', 'html', 'widget',
    'progress' (a widget with saved HTML: a progress bar), 'error'."""
    kinds = set()
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "stream":
            kinds.add("text")
        elif kind == "error":
            kinds.add("error")
        else:
            data = out.get("data", {})
            if WIDGET_VIEW in data:
                kinds.add("progress" if "text/html" in data else "widget")
            elif any(m.startswith("image/") for m in data):
                kinds.add("figure")
            elif "text/html" in data:
                kinds.add("html")
            elif any(m in data for m in PROOF_MIMES):
                kinds.add("proof")
            elif data:
                kinds.add("text")
    return kinds


def text_output_lines(cell) -> int:
    """Lines of plain-text output (streams and text/plain-only results)."""
    n = 0
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            n += len(text_of(out.get("text", "")).rstrip("\n").split("\n"))
        elif set(out.get("data", {})) == {"text/plain"}:
            n += len(text_of(out["data"]["text/plain"]).split("\n"))
    return n


# ---------------------------------------------------------------------------------------------
# How tall a cell is on a slide, in lines of text

def markdown_lines(text: str) -> float:
    """Estimated lines of slide text: folds count as their one summary line, headings as a
    little more than a line, long source lines wrap at LINE_CHARS."""
    text = COMMENT.sub("", DETAILS.sub("<details></details>\n", text))
    lines = 0.0
    for line in text.strip().split("\n"):
        m = HEADING.match(line)
        if m:
            lines += {1: 3.0, 2: 2.0}.get(len(m.group(1)), 1.6)
        elif not line.strip():
            lines += 0.4
        else:
            lines += max(1, math.ceil(len(line) / LINE_CHARS))
        if "$$" in line:
            lines += 0.5                             # display formulas are taller than text
    return lines


def png_size(b64: str) -> tuple[int, int]:
    """(width, height) of a base64 PNG from its header, or a typical figure's if unreadable."""
    try:
        head = base64.b64decode(b64[:64].replace("\n", "") + "==")[:24]
        if head[:8] == b"\x89PNG\r\n\x1a\n":
            return struct.unpack(">II", head[16:24])
    except (ValueError, struct.error):
        pass
    return 640, 480


def picture_lines(width: int, height: int) -> float:
    scale = min(1.0, SLIDE_PX / max(width, 1))
    return height * scale / PX_PER_LINE


def output_lines(out) -> float:
    kind = out.get("output_type")
    if kind == "stream":
        return sum(max(1, math.ceil(len(l) / CODE_CHARS))
                   for l in text_of(out.get("text", "")).rstrip("\n").split("\n"))
    data = out.get("data", {})
    if "image/png" in data:
        meta = out.get("metadata", {}).get("image/png", {})
        w, h = png_size(text_of(data["image/png"]))
        return picture_lines(meta.get("width", w), meta.get("height", h))
    if WIDGET_VIEW in data:
        return 0.0 if "text/html" in data else 12.0     # a bar (left out); a control's picture
    if "text/html" in data:
        rows = text_of(data["text/html"]).count("<tr")
        return rows + 2.0 if rows else 8.0
    for mime in PROOF_MIMES:
        if mime in data:
            return markdown_lines(text_of(data[mime]))
    if "text/plain" in data:
        return len(text_of(data["text/plain"]).split("\n"))
    return 0.0


def cell_lines(cell) -> float:
    """The height of what a deck shows of a cell (code cells: their outputs only)."""
    if cell.get("cell_type") == "markdown":
        return markdown_lines(kept_markdown(source(cell)))
    if cell.get("cell_type") == "code":
        return sum(output_lines(o) for o in cell.get("outputs", []))
    return 0.0


def kept_markdown(text: str) -> str:
    """A markdown cell's text up to its first skipped ``##`` heading (Deep dive, Sources)."""
    out, fence = [], False
    for line in text.split("\n"):
        if re.match(r"^\s*(```|~~~)", line):
            fence = not fence
        m = None if fence else HEADING.match(line)
        if m and len(m.group(1)) == 2 and out and is_skipped_section(m.group(2)):
            break
        out.append(line)
    return "\n".join(out).rstrip() + ("\n" if text.endswith("\n") else "")


# ---------------------------------------------------------------------------------------------
# The rules

def structural_type(cell, index: int, state: dict) -> str:
    """The slide type rules 1-8 give a cell (rule 9, the fit, comes after); `state` carries
    what the cells above said: inside a skipped section, after a study question, after a
    derivation step."""
    override = tag_override(cell)
    heading = first_heading(cell)
    if heading:
        state["after_question"] = state["after_step"] = False
    if heading and heading[0] <= 2 and index > 0:
        state["skipping"] = heading[0] == 2 and is_skipped_section(heading[1])
    if override:
        return override
    if index == 0:
        return "slide"
    kind = cell.get("cell_type")
    if kind == "code" and source(cell).lstrip().startswith("notation_box("):
        return "subslide"
    if state.get("skipping") or kind not in ("markdown", "code"):
        return "skip"
    if kind == "markdown":
        if heading and heading[0] <= 2:
            state["after_question"] = bool(STUDY.search(heading[1]))
            return "slide"
        if heading:
            state["after_question"] = bool(STUDY.search(heading[1]))
            return "subslide"
        titles = " ".join(t for _, t in headings(cell))
        if STUDY.search(titles) or POLL.search(titles):
            state["after_question"] = bool(STUDY.search(titles))
            return "subslide"
        if state.get("after_question"):
            return "fragment"
        if state.get("after_step"):
            return "fragment"
        return "-"
    # a code cell
    state["after_step"] = False
    kinds = output_kinds(cell)
    if "settings" in tags(cell) or not kinds or kinds == {"progress"}:
        return "skip"
    if kinds <= {"text"} and text_output_lines(cell) > LONG_TABLE:
        return "skip"
    if state.get("after_question"):                # the check: one click, then back to normal
        state["after_question"] = False
        return "fragment"
    src = source(cell)
    if "proof" in kinds and "Quiz(" not in src and "POLLS[" not in src:
        state["after_step"] = True
        return "fragment"
    return "-"


def slide_types(cells: list) -> list[str]:
    """Each cell's slide type under the rules of the module docstring."""
    state: dict = {}
    types = [structural_type(cell, i, state) for i, cell in enumerate(cells)]
    heights = [cell_lines(c) if t not in ("skip", "notes") else 0.0 for c, t in zip(cells, types)]
    shown = [i for i, t in enumerate(types) if t not in ("skip", "notes")]
    used = 0.0
    for k, i in enumerate(shown):
        t, h = types[i], heights[i]
        if t in SCREEN_TYPES:
            used = h
            continue
        if tag_override(cells[i]):
            used += h
            continue
        nxt = shown[k + 1] if k + 1 < len(shown) else None
        # an introduction goes down to the next screen with what it introduces
        intro = (nxt is not None and cells[i]["cell_type"] == "markdown"
                 and types[nxt] in ("-", "fragment") and not tag_override(cells[nxt])
                 and used + h + heights[nxt] > SLIDE_LINES >= h + heights[nxt])
        if used > 0 and (used + h > SLIDE_LINES or intro):
            types[i], used = "subslide", h
        else:
            used += h
    return types


def slide_metadata(nb):
    """The notebook with ``metadata.slideshow.slide_type`` set on every cell by the rules
    (changed in place and returned; nothing else is touched)."""
    cells = nb["cells"]
    for cell, t in zip(cells, slide_types(cells)):
        cell.setdefault("metadata", {})["slideshow"] = {"slide_type": t}
    return nb


def has_slide_metadata(nb) -> bool:
    return all("slideshow" in c.get("metadata", {}) for c in nb["cells"])


def committed_types(nb) -> list[str]:
    return [c.get("metadata", {}).get("slideshow", {}).get("slide_type", "-") for c in nb["cells"]]


def screens(types: list[str]) -> int:
    """Screens of a deck: its slides and subslides."""
    return sum(t in SCREEN_TYPES for t in types)


def deck_types(nb, recompute: bool = False) -> list[str]:
    """The slide types a deck uses: a cell's committed ``slideshow`` metadata where it has
    some (a lecturer's edit wins), the rules' type where it has none (a cell added since
    ``apply``), the rules everywhere with `recompute`."""
    rules = slide_types(nb["cells"])
    if recompute:
        return rules
    return [c.get("metadata", {}).get("slideshow", {}).get("slide_type", t)
            for c, t in zip(nb["cells"], rules)]


# ---------------------------------------------------------------------------------------------
# Files

def read_nb(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write_nb(nb: dict, path: Path) -> None:
    """As the repository keeps notebooks: indent 1, keys in order, a trailing newline."""
    text = json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    Path(path).write_text(text, encoding="utf-8")


def lesson_paths(paths: list[str]) -> list[Path]:
    if paths:
        return [Path(p).resolve() for p in paths]
    return sorted(Path(p).resolve() for p in glob.glob(str(ROOT / LESSON_GLOB)))


def rel(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------------------------------------
# The assets: reveal.js and MathJax from installed packages

def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def site_packages(venv: Path) -> list[Path]:
    return list(venv.glob("lib/python*/site-packages")) + [venv / "Lib" / "site-packages"]


def find_reveal(venvs: list[Path]) -> Path | None:
    """reveal.js's folder (holding dist/reveal.js) inside sphinx-revealjs, or None."""
    for venv in venvs:
        for site in site_packages(venv):
            found = site / "sphinx_revealjs" / "_static" / "revealjs"
            if (found / "dist" / "reveal.js").is_file():
                return found
    return None


def find_mathjax(venvs: list[Path]) -> Path | None:
    """MathJax 3's tex-svg.js (django-static-mathjax), or None."""
    for venv in venvs:
        for site in site_packages(venv):
            found = site / "mathjax" / "static" / "mathjax" / "es5" / "tex-svg.js"
            if found.is_file():
                return found
    return None


def find_uv() -> str | None:
    here = ROOT / ".venv" / ("Scripts/uv.exe" if os.name == "nt" else "bin/uv")
    return str(here) if here.exists() else shutil.which("uv")


def ensure_assets(venv: Path = DOCS_VENV) -> tuple[Path, Path]:
    """(reveal.js folder, tex-svg.js): installed into .venv-docs from slides-requirements.txt
    when missing or when that file changed (the only step that uses the network)."""
    wanted = REQUIREMENTS.read_text(encoding="utf-8")
    stamp = venv / STAMP
    reveal, mathjax = find_reveal([venv]), find_mathjax([venv])
    if reveal and mathjax and stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted:
        return reveal, mathjax
    t0, uv, py = time.perf_counter(), find_uv(), venv_python(venv)
    if not py.exists():
        make = ([uv, "venv", "-q", "--python", sys.executable, str(venv)] if uv
                else [sys.executable, "-m", "venv", str(venv)])
        subprocess.run(make, check=True, cwd=str(ROOT))
    # --no-deps: the packages are used for their files only (sphinx-revealjs would pull Sphinx)
    cmd = ([uv, "pip", "install", "-q", "--no-deps", "--python", str(py), "-r", str(REQUIREMENTS)]
           if uv else [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                       "--no-deps", "-r", str(REQUIREMENTS)])
    print("slides: installing reveal.js and MathJax into %s (once)" % venv.name, flush=True)
    res = subprocess.run(cmd, cwd=str(ROOT), capture_output=True, text=True)
    if res.returncode != 0:
        sys.stderr.write((res.stdout + res.stderr)[-3000:])
        raise SystemExit("slides: installing %s into %s failed (it needs the network once)"
                         % (rel(REQUIREMENTS), venv.name))
    stamp.write_text(wanted, encoding="utf-8")
    print("slides: %s ready in %.1f s" % (venv.name, time.perf_counter() - t0))
    reveal, mathjax = find_reveal([venv]), find_mathjax([venv])
    if not (reveal and mathjax):
        raise SystemExit("slides: reveal.js or MathJax missing from %s after installing %s"
                         % (venv.name, rel(REQUIREMENTS)))
    return reveal, mathjax


def copy_assets(reveal: Path, mathjax: Path, out: Path) -> None:
    """What the decks load, into out/assets/: reveal.js's script, its stylesheets, the one
    theme used (its fonts are local files) and the notes plugin; MathJax's tex-svg.js."""
    dest = out / "assets"
    wanted = ["LICENSE", "dist/reveal.js", "dist/reveal.css", "dist/reset.css",
              "dist/theme/%s.css" % THEME, "plugin/notes/notes.js"]
    for name in wanted:
        target = dest / "reveal.js" / name
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(reveal / name, target)
    fonts = dest / "reveal.js" / "dist" / "theme" / "fonts"
    if not fonts.is_dir():
        shutil.copytree(reveal / "dist" / "theme" / "fonts", fonts)
    if not (dest / "mathjax" / "tex-svg.js").is_file():
        (dest / "mathjax").mkdir(parents=True, exist_ok=True)
        shutil.copy2(mathjax, dest / "mathjax" / "tex-svg.js")


# ---------------------------------------------------------------------------------------------
# The deck

#: nbconvert's reveal template with every network reference replaced: no jQuery, require.js,
#: mermaid or widget scripts from a CDN; reveal.js and MathJax 3 from assets/.
TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}
<script>
window.MathJax = {tex: {inlineMath: [['$', '$'], ['\\(', '\\)']],
                        displayMath: [['$$', '$$'], ['\\[', '\\]']], processEscapes: true},
                  svg: {fontCache: 'global'}};
</script>
<script src="assets/mathjax/tex-svg.js"></script>
<style>
.reveal .slides section:not(.stack) { height: 100%; overflow-y: auto; overflow-x: hidden; }
.reveal h1, .reveal h2, .reveal h3, .reveal h4 { text-transform: none !important; }
.reveal .jp-RenderedImage img { max-height: 620px; }
.reveal details summary { cursor: pointer; color: #2a76dd; }
.course-widget-static { border: 1px dashed #999; padding: 0.4em; }
</style>
{%- endblock html_head_js_mathjax -%}
{% block footer_js %}
<script src="{{ resources.reveal.url_prefix }}/dist/reveal.js"></script>
<script src="{{ resources.reveal.url_prefix }}/plugin/notes/notes.js"></script>
<script>
Reveal.initialize({
  controls: true, progress: true, history: true, center: false, slideNumber: "c/t",
  transition: "{{ resources.reveal.transition | default('slide', true) }}",
  width: {{ resources.reveal.width | default('960', true) }},
  height: {{ resources.reveal.height | default('700', true) }},
  plugins: [RevealNotes]
});
</script>
{% endblock footer_js %}
"""


def deck_notebook(nb: dict, types: list[str]) -> dict:
    """The notebook as the deck shows it: slide types set, the text below a skipped heading
    cut from mixed cells, widgets made static, skipped cells dropped (nbconvert would render
    them hidden, and their outputs would still weigh on the file)."""
    nb = copy.deepcopy(nb)
    for cell, t in zip(nb["cells"], types):
        cell.setdefault("metadata", {})["slideshow"] = {"slide_type": t}
        if cell["cell_type"] == "markdown":
            cell["source"] = kept_markdown(source(cell))
    nb["cells"] = [c for c, t in zip(nb["cells"], types) if t != "skip"]
    for cell in nb["cells"]:                 # progress bars: the notebook's, not the lecture's
        if "outputs" in cell:
            cell["outputs"] = [o for o in cell["outputs"]
                               if not {WIDGET_VIEW, "text/html"} <= set(o.get("data", {}))]
    return static_widgets(nb)


def static_widgets(nb: dict) -> dict:
    """tools/build_site.py's static form of the widgets (one implementation for site and
    slides)."""
    spec = importlib.util.spec_from_file_location("build_site", ROOT / "tools" / "build_site.py")
    site = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(site)
    return site.static_widgets(nb)


def exporter(code: bool = False):
    from jinja2 import DictLoader
    from nbconvert import SlidesExporter
    ex = SlidesExporter(extra_loaders=[DictLoader({"course_slides.html.j2": TEMPLATE})],
                        template_file="course_slides.html.j2")
    ex.reveal_url_prefix = "assets/reveal.js"
    ex.reveal_theme = THEME
    ex.reveal_transition = "slide"
    ex.exclude_input = not code
    ex.exclude_input_prompt = ex.exclude_output_prompt = True
    return ex


def build_deck(path: Path, out: Path, code: bool = False, recompute: bool = False,
               ex=None) -> tuple[Path, int]:
    """Write out/<stem>.slides.html; return its path and its number of screens."""
    import nbformat
    nb = read_nb(path)
    types = deck_types(nb, recompute)
    deck = nbformat.reads(json.dumps(deck_notebook(nb, types)), as_version=4)
    ex = ex or exporter(code)
    body, _ = ex.from_notebook_node(deck, resources={"metadata": {"name": path.stem}})
    target = out / (path.stem + ".slides.html")
    target.write_text(body, encoding="utf-8")
    return target, screens(types)


REMOTE = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""",
                    re.I)


def remote_references(html: str) -> list[str]:
    """Tags in a page that would load something from the network (scripts, styles, images)."""
    return [html[m.start():html.find(">", m.start()) + 1][:160] for m in REMOTE.finditer(html)]


def remote_css_imports(folder: Path) -> list[str]:
    """@import or url() in the copied stylesheets that point at the network."""
    bad = []
    for css in folder.rglob("*.css"):
        for m in re.finditer(r"(?:@import\s+(?:url\()?|url\()\s*['\"]?(https?:)?//", css.read_text(
                encoding="utf-8", errors="replace")):
            bad.append("%s: %s" % (css.name, m.group(0)))
    return bad


# ---------------------------------------------------------------------------------------------
# Commands

def cmd_count(paths: list[str], verbose: bool = False) -> int:
    total = 0
    for p in lesson_paths(paths):
        nb = read_nb(p)
        types = slide_types(nb["cells"])
        n = screens(types)
        if verbose:
            print(rel(p))
            for i, (cell, t) in enumerate(zip(nb["cells"], types)):
                first = (source(cell).strip().split("\n") or [""])[0][:70]
                print("  %3d %-9s %5.1f  %s" % (i, t, cell_lines(cell), first))
        total += n
        committed = " (committed metadata: %d)" % screens(committed_types(nb)) \
            if has_slide_metadata(nb) else ""
        tall = [i for i, (c, t) in enumerate(zip(nb["cells"], types))
                if t != "skip" and cell_lines(c) > 2 * SLIDE_LINES]
        print("%3d screens  %3d fragments  %3d skipped  %s%s%s"
              % (n, types.count("fragment"), types.count("skip"), rel(p), committed,
                 "  (cells taller than two screens, they scroll: %s)" % tall if tall else ""))
    print("%3d screens in all" % total)
    return 0


def cmd_apply(paths: list[str]) -> int:
    if not paths:
        raise SystemExit("slides apply: name the notebooks, e.g. notebooks/*.ipynb")
    for p in lesson_paths(paths):
        nb = read_nb(p)
        before = json.dumps(nb, sort_keys=True)
        slide_metadata(nb)
        changed = json.dumps(nb, sort_keys=True) != before
        if changed:
            write_nb(nb, p)
        print("%s %3d screens  %s" % ("wrote" if changed else "same ", screens(committed_types(nb)),
                                       rel(p)))
    return 0


def cmd_build(paths: list[str], out: Path = OUT, code: bool = False,
              recompute: bool = False) -> int:
    t0 = time.perf_counter()
    reveal, mathjax = ensure_assets()
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(reveal, mathjax, out)
    ex = exporter(code)
    total, decks = 0, 0
    for p in lesson_paths(paths):
        t1 = time.perf_counter()
        target, n = build_deck(p, out, code, recompute, ex)
        bad = remote_references(target.read_text(encoding="utf-8"))
        if bad:
            raise SystemExit("slides: %s loads from the network: %s" % (rel(target), bad[:3]))
        total, decks = total + n, decks + 1
        print("%5.1f s  %3d screens  %s" % (time.perf_counter() - t1, n, rel(target)), flush=True)
    bad = remote_css_imports(out / "assets")
    if bad:
        raise SystemExit("slides: a stylesheet in assets/ loads from the network: %s" % bad[:3])
    print("slides: wrote %d decks (%d screens) to %s in %.1f s; open one from disk, no network "
          "needed (reveal.js %s, MathJax 3.2.2)"
          % (decks, total, rel(out), time.perf_counter() - t0, reveal_version(reveal)))
    return 0


def reveal_version(reveal: Path) -> str:
    head = (reveal / "dist" / "reveal.js").read_text(encoding="utf-8", errors="replace")[:200]
    m = re.search(r"reveal\.js (\d+\.\d+\.\d+)", head)
    return m.group(1) if m else "?"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    c = sub.add_parser("count", help="print the screens per lesson")
    c.add_argument("paths", nargs="*")
    c.add_argument("-v", "--verbose", action="store_true", help="each cell's type and height")
    sub.add_parser("apply", help="write slide metadata into notebooks").add_argument("paths",
                                                                                   nargs="*")
    b = sub.add_parser("build", help="one offline reveal.js deck per lesson")
    b.add_argument("paths", nargs="*")
    b.add_argument("--out", default=str(OUT), help="output folder (default build/slides)")
    b.add_argument("--code", action="store_true", help="show the code cells' input too")
    b.add_argument("--recompute", action="store_true",
                   help="use the rules even where the notebook carries slide metadata")
    args = ap.parse_args(argv)
    if args.command == "count":
        return cmd_count(args.paths, args.verbose)
    if args.command == "apply":
        return cmd_apply(args.paths)
    return cmd_build(args.paths, Path(args.out), args.code, args.recompute)


if __name__ == "__main__":
    sys.exit(main())
