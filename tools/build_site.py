#!/usr/bin/env python3
"""Build the course website from the committed, executed notebooks (nothing is re-executed).

    .venv/bin/python tools/build_site.py            # -> build/site/index.html
    .venv/bin/python tools/build_site.py --check    # the same, then check the HTML works offline

What it does, in order (standard library only; it runs with any Python >= 3.11):

1. **Tools.** Jupyter Book 1 (sphinx-book-theme, myst-nb) and MathJax 3 live in their own venv,
   ``.venv-docs`` (git-ignored), installed from ``site/requirements.txt`` where every version is
   pinned, so that their pins never touch ``.venv``, which runs the tests. It is created on the
   first build (with uv when it can be had: seconds; otherwise pip) and reused while the
   requirements file is unchanged. Only this step uses the network.
2. **Staging** (``build/site-src/``, git-ignored). The book is assembled there and never in the
   repository: the pages in ``site/``, the notebooks of ``notebooks/`` (read, never written),
   the "Who it is for" section of ``README.md``, ``exercises/README.md`` and the students'
   version of each exercise, released by ``exercises/grade.py release`` into a temporary
   folder (cached by the sources' hash in ``build/site-cache/``). The exercises' sources (the
   solutions), their hidden checks and the gradebook are never staged. On the way the notebooks
   are made fit for a page without a kernel:

   * each widget becomes static: a progress bar keeps its saved HTML; a slider or an explorer
     becomes a box saying "run this lesson in JupyterLab to use the slider", holding the
     picture the widget showed when the notebook was saved. (myst-nb would otherwise load the
     widget scripts from a CDN, and its html-manager is built for ipywidgets 7: the course's
     ipywidgets 8 widgets would show as empty boxes.) The lesson-09 animations are animated
     PNG images and play as they are;
   * each syllabus id named in a heading (``[RA-2]``) gets an anchor ``id="ra-2"`` before the
     first heading of the page that names it; the course map page links every id to it.

   A file is rewritten only when its content changed, so Sphinx rebuilds only changed pages.
3. **Build**: ``jupyter-book build`` with execution off, into ``build/site-src/_build/html``,
   then copied to ``build/site/`` (without the theme's source maps, which only a browser's
   developer tools read, or images left over from earlier builds). MathJax comes from ``_static/mathjax`` (copied from the
   django-static-mathjax package), search from Sphinx's own offline index.
4. **Offline check**: no page may load a script or a stylesheet from the network; the build
   fails, naming the page, if one does. It prints where the site is and how long it took.
"""
from __future__ import annotations

import argparse
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))   # tools/, for the shared nbtext
from nbtext import HEADING, bracket_ids, first_heading, source  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
DOCS_VENV = ROOT / ".venv-docs"
STAGE = ROOT / "build" / "site-src"
OUT = ROOT / "build" / "site"
CACHE = ROOT / "build" / "site-cache"
REQUIREMENTS = SITE / "requirements.txt"
STAMP = ".site-requirements"          # in .venv-docs: the requirements text it was built from
MIN_PYTHON = (3, 11)                  # the pins of site/requirements.txt are for 3.11 and newer

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
MODEL_REF = re.compile(r"IPY_MODEL_([0-9a-f]+)")
SLIDERS = {"FloatSliderModel", "IntSliderModel", "FloatLogSliderModel", "IntRangeSliderModel",
           "FloatRangeSliderModel", "SelectionSliderModel", "SelectionRangeSliderModel"}
#: widget models that are controls a reader would want to use (layout, styles and displays are not)
CONTROLS = SLIDERS | {"DropdownModel", "ButtonModel", "CheckboxModel", "ToggleButtonModel",
                      "ToggleButtonsModel", "RadioButtonsModel", "SelectModel",
                      "SelectMultipleModel", "TextModel", "TextareaModel", "FloatTextModel",
                      "IntTextModel", "BoundedFloatTextModel", "BoundedIntTextModel",
                      "PlayModel", "ComboboxModel", "ColorPickerModel", "DatePickerModel"}
#: MathJax 3's files the site needs: the combined TeX-to-SVG component and what it may load
#: later (TeX extensions on first use, the menu's accessibility tools and their speech rules);
#: copied into the staged _assets/mathjax/, which Sphinx copies to the site's _static/mathjax/
MATHJAX_PARTS = ["tex-svg.js", "input/tex", "ui", "a11y", "sre"]


class SiteError(Exception):
    """A problem the user can fix: printed as one sentence, without a traceback."""


# ---------------------------------------------------------------------------------------------
# Which pages, in which order

def page_kind(name: str) -> str:
    """What a notebook of notebooks/ is on the site, from its file name."""
    if re.fullmatch(r"\d\d_.+\.ipynb", name):
        return "lesson"
    if re.fullmatch(r"\d\db_.+\.ipynb", name):
        return "companion"
    if name in ("notation_reference.ipynb", "reference_card.ipynb"):
        return "reference"
    if name == "instructor_guide.ipynb":
        return "instructor"
    return "other"


def site_notebooks(root: Path = ROOT) -> list[Path]:
    """Every notebook of notebooks/ (lessons 00..NN as they exist, companions, reference pages,
    the instructor guide when present, and any other), in file-name order."""
    return sorted(p for p in (root / "notebooks").glob("*.ipynb")
                  if not p.name.startswith("."))


def toc_tree(notebooks: list[str], exercises: list[str]) -> dict:
    """The book's table of contents (the sidebar and the previous/next path) as a dict in
    sphinx-external-toc's jb-book format. `notebooks` are file names in notebooks/;
    `exercises` the released notebooks' names in exercises/. Lessons follow their number, each
    lesson's companion (NNb) nested right under it."""
    def doc(folder, name):
        return {"file": folder + "/" + name[:-len(".ipynb")]}

    lessons, by_kind = [], {}
    for name in sorted(notebooks):
        kind = page_kind(name)
        if kind == "lesson":
            lessons.append(doc("notebooks", name))
        elif kind == "companion":
            parent = [e for e in lessons if Path(e["file"]).name[:2] == name[:2]]
            if parent:
                parent[-1].setdefault("sections", []).append(doc("notebooks", name))
            else:                                   # a companion without its lesson: still shown
                lessons.append(doc("notebooks", name))
        else:
            by_kind.setdefault(kind, []).append(doc("notebooks", name))
    parts = [{"caption": "Start", "chapters": [{"file": "who_it_is_for"}, {"file": "course_map"}]},
             {"caption": "Lessons", "chapters": lessons}]
    if by_kind.get("reference"):
        parts.append({"caption": "Reference", "chapters": by_kind["reference"]})
    if exercises:
        readme = {"file": "exercises/README",
                  "sections": [doc("exercises", n) for n in sorted(exercises)]}
        parts.append({"caption": "Graded exercises", "chapters": [readme]})
    if by_kind.get("instructor"):
        parts.append({"caption": "For lecturers", "chapters": by_kind["instructor"]})
    if by_kind.get("other"):
        parts.append({"caption": "More", "chapters": by_kind["other"]})
    return {"format": "jb-book", "root": "intro", "parts": parts}


def toc_files(toc: dict) -> list[str]:
    """The documents of a toc in reading order (what previous/next walks through)."""
    found = [toc["root"]]

    def walk(entries):
        for e in entries:
            found.append(e["file"])
            walk(e.get("sections", []))
    for part in toc["parts"]:
        walk(part["chapters"])
    return found


def toc_yaml(toc: dict) -> str:
    """The toc as YAML text (its values are plain names: no quoting needed beyond captions)."""
    lines = ["# Generated by tools/build_site.py from the notebooks present: do not edit.",
             "format: " + toc["format"], "root: " + toc["root"], "parts:"]

    def entries(items, indent):
        for e in items:
            lines.append(" " * indent + "- file: " + e["file"])
            if e.get("sections"):
                lines.append(" " * indent + "  sections:")
                entries(e["sections"], indent + 4)
    for part in toc["parts"]:
        lines.append("  - caption: " + json.dumps(part["caption"]))
        lines.append("    chapters:")
        entries(part["chapters"], 6)
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Notebooks made fit for a page without a kernel

def anchor_id(course_id: str) -> str:
    """The HTML id of a syllabus id: RA-2 -> ra-2."""
    return course_id.lower()


def heading_ids(line: str) -> list[str]:
    """The syllabus ids a markdown heading line names in square brackets, in order."""
    m = HEADING.match(line)
    return bracket_ids(m.group(2)) if m else []


def add_id_anchors(text: str, done: set) -> str:
    """Markdown with an empty anchor ``<a id="ra-2">`` before the first heading naming each id
    not in `done` (updated). Lines inside code fences are left alone."""
    out, fence = [], None
    for line in text.split("\n"):
        m = re.match(r"^\s*(```+|~~~+)", line)
        if m:
            fence = None if fence and m.group(1).startswith(fence) else fence or m.group(1)
        new = [] if fence else [i for i in heading_ids(line) if i not in done]
        if new:
            if out and out[-1].strip():
                out.append("")
            out.append("".join('<a class="course-id-anchor" id="%s"></a>' % anchor_id(i)
                               for i in new))
            out.append("")
            done.update(new)
        out.append(line)
    return "\n".join(out)


#: a math span as JupyterLab finds it: $$...$$ or $...$ (an escaped \$ is a dollar sign)
MATH_SPAN = re.compile(r"\$\$.+?\$\$|(?<![\\$])\$(?!\$).+?(?<![\\$])\$", re.S)
CODE_SPAN = re.compile(r"(`+)[^`\n]*?\1")


def one_line_math(text: str) -> str:
    """Markdown whose math spans each sit on one line. JupyterLab takes the math out before it
    reads the markdown; MyST reads the markdown first, so a line of a formula that starts with
    "- " or "+ " would open a list and leave the math as raw dollars. TeX does not mind the
    line breaks. Left alone: code (fenced or inline), spans across a blank line and spans
    holding a % comment."""
    def join(m):
        span = m.group(0)
        if "\n" not in span or re.search(r"\n\s*\n", span) or re.search(r"(?<!\\)%", span):
            return span
        return re.sub(r"[ \t]*\n\s*", " ", span)

    def prose(block):
        codes = []

        def hide(m):
            codes.append(m.group(0))
            return "\x00%d\x00" % (len(codes) - 1)
        block = MATH_SPAN.sub(join, CODE_SPAN.sub(hide, block))
        return re.sub("\x00(\\d+)\x00", lambda m: codes[int(m.group(1))], block)

    out, fence = [], None
    for block in re.split(r"(^\s*(?:```+|~~~+).*$)", text, flags=re.M):
        m = re.match(r"^\s*(```+|~~~+)", block)
        if m:
            fence = None if fence and m.group(1).startswith(fence) else fence or m.group(1)
            out.append(block)
        else:
            out.append(block if fence else prose(block))
    return "".join(out)


def reachable(state: dict, root_id: str) -> list[dict]:
    """The widget model `root_id` and every model it refers to (children, layout, style...)."""
    seen, todo, models = set(), [root_id], []
    while todo:
        model = todo.pop()
        if model in seen or model not in state:
            continue
        seen.add(model)
        models.append(state[model])
        todo += MODEL_REF.findall(json.dumps(state[model].get("state", {})))
    return models


def widget_pictures(models: list[dict]) -> list[str]:
    """The base64 PNG pictures a saved widget showed: an Output widget's images, an Image
    widget's value (saved as a binary buffer)."""
    pics = []
    for m in models:
        name, st = m.get("model_name"), m.get("state", {})
        if name == "OutputModel":
            for out in st.get("outputs", []):
                png = out.get("data", {}).get("image/png")
                if png:
                    pics.append("".join(png) if isinstance(png, list) else png)
        elif name == "ImageModel" and st.get("format", "png") == "png":
            for buf in m.get("buffers", []):
                if buf.get("path") == ["value"] and buf.get("encoding", "base64") == "base64":
                    pics.append(buf["data"])
    return [p.replace("\n", "") for p in pics]


def control_words(models: list[dict]) -> str:
    """How the note names what the reader cannot use here: "the slider", "the sliders" or
    "its controls"."""
    names = [m.get("model_name") for m in models if m.get("model_name") in CONTROLS]
    sliders = [n for n in names if n in SLIDERS]
    if names and len(sliders) == len(names):
        return "the slider" if len(sliders) == 1 else "the sliders"
    return "its controls"


def static_widget_html(models: list[dict], pictures: list[str], elsewhere: bool = False) -> str:
    """The box that stands for a widget on the site: a note, then its saved pictures (or,
    with `elsewhere`, a pointer to the cell's own static output)."""
    what = control_words(models) if models else "this widget"
    note = ("Interactive widget: run this lesson in JupyterLab to use %s." % what)
    if pictures:
        note += " Below, the picture it showed when the notebook was saved."
    elif elsewhere:
        note += " The cell's other output shows it as it was saved."
    parts = ['<div class="course-widget-static">',
             '<p class="course-widget-note">%s</p>' % html.escape(note)]
    parts += ['<img src="data:image/png;base64,%s" alt="the widget as saved">' % p
              for p in pictures]
    parts.append("</div>")
    return "\n".join(parts)


def static_widgets(nb: dict) -> dict:
    """The notebook with every widget view replaced by its static form (see the module
    docstring) and the saved widget state removed (nothing on the site can read it)."""
    state = (nb.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE) or {}).get("state", {})
    for cell in nb.get("cells", []):
        outputs = cell.get("outputs", [])
        for k, out in enumerate(outputs):
            data = out.get("data", {})
            if WIDGET_VIEW not in data:
                continue
            view = data.pop(WIDGET_VIEW)
            if "text/html" in data:            # a progress bar: its saved HTML is its final state
                continue
            models = reachable(state, view.get("model_id", ""))
            shown_elsewhere = any(set(o.get("data", {})) & {"text/html", "image/png"}
                                  for j, o in enumerate(outputs) if j != k)
            pictures = [] if shown_elsewhere else widget_pictures(models)
            data["text/html"] = static_widget_html(models, pictures, shown_elsewhere)
    nb.get("metadata", {}).pop("widgets", None)
    return nb


def site_notebook(nb: dict, anchors: bool = True) -> dict:
    """A notebook as the site shows it: widgets static, each formula on one line, syllabus
    ids anchored (lessons only: an exercise names ids too, but the course map points to the
    lessons)."""
    nb = static_widgets(json.loads(json.dumps(nb)))
    done = set()
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            text = source(cell)
            new = one_line_math(text)
            new = add_id_anchors(new, done) if anchors else new
            if new != text:
                cell["source"] = new
    return nb


def id_order(course_id: str):
    """Sort key of syllabus ids: by topic and number, the polls last (RA-2 before RA-10)."""
    topic, number = course_id.rsplit("-", 1)
    return topic == "POLL", topic, int(number)


def page_ids(nb: dict) -> list[str]:
    """The syllabus ids a notebook's headings name, sorted (see id_order)."""
    found = set()
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            for line in source(cell).split("\n"):
                found.update(heading_ids(line))
    return sorted(found, key=id_order)


def page_title(nb: dict, fallback: str) -> str:
    """The text of a notebook's first heading."""
    return first_heading(nb, fallback)


# ---------------------------------------------------------------------------------------------
# Pages made from other files

def readme_section(readme: str, title: str = "Who it is for") -> str:
    """One '## ' section of README.md, as a page of its own ('# ' heading)."""
    m = re.search(r"^## %s\s*$(.*?)(?=^## |\Z)" % re.escape(title), readme, re.M | re.S)
    if not m:
        raise SiteError("README.md has no '## %s' section: the site's page for it cannot be "
                        "made; restore the heading or change tools/build_site.py." % title)
    return "# %s\n%s" % (title, m.group(1).rstrip() + "\n")


def keep_local_links(text: str, exists) -> str:
    """Markdown whose relative links point at staged pages; a link to anything else keeps its
    text only (external links and #anchors stay as they are)."""
    def fix(m):
        label, target = m.group(1), m.group(2)
        if re.match(r"^[a-z]+:|^#", target) or exists(target.split("#")[0]):
            return m.group(0)
        return label
    return re.sub(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)", fix, text)


def course_map_table(rows: list[tuple[str, str, list[str]]]) -> str:
    """The course map as an HTML table: rows of (page path without suffix, title, ids)."""
    out = ['<table class="course-map">', "<thead><tr><th>page</th><th>syllabus ids</th></tr>"
           "</thead>", "<tbody>"]
    for doc, title, ids in rows:
        href = doc + ".html"
        links = ", ".join('<a class="course-id" href="%s#%s">%s</a>' % (href, anchor_id(i), i)
                          for i in ids) or "&mdash;"
        out.append('<tr><td><a href="%s">%s</a></td><td>%s</td></tr>'
                   % (href, html.escape(title), links))
    out += ["</tbody>", "</table>"]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# The exercises' students' version

def exercise_sources(root: Path) -> list[Path]:
    ex = root / "exercises"
    return sorted(ex.glob("source/*/*.ipynb")) + [ex / "nbgrader_config.py"]


def released_exercises(root: Path = ROOT, cache: Path = CACHE, python: str = sys.executable
                       ) -> list[Path]:
    """The students' notebooks (exercises/grade.py release, run on a temporary copy of the
    sources, so the repository's exercises/ is not touched), cached by the sources' hash."""
    digest = hashlib.sha256()
    for p in exercise_sources(root):
        digest.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes())
    done = cache / ("exercises-" + digest.hexdigest()[:16])
    if not done.is_dir():
        with tempfile.TemporaryDirectory(prefix="course-site-release-") as tmp:
            shutil.copy2(root / "exercises" / "nbgrader_config.py", tmp)
            shutil.copytree(root / "exercises" / "source", Path(tmp) / "source")
            cmd = [python, str(root / "exercises" / "grade.py"), "release", "--root", tmp]
            res = subprocess.run(cmd, cwd=str(root), capture_output=True, text=True)
            if res.returncode != 0:
                sys.stderr.write(res.stdout[-3000:] + res.stderr[-3000:])
                raise SiteError("Releasing the exercises failed (the message is above); "
                                "`python course.py release` shows the same problem.")
            shutil.rmtree(cache, ignore_errors=True)        # older releases are of no use
            done.parent.mkdir(parents=True, exist_ok=True)
            tmp_done = Path(tempfile.mkdtemp(prefix="exercises-", dir=str(done.parent)))
            for nb in sorted(Path(tmp, "release").glob("*/*.ipynb")):
                shutil.copy2(nb, tmp_done / nb.name)
            tmp_done.rename(done)
    return sorted(done.glob("*.ipynb"))


# ---------------------------------------------------------------------------------------------
# Staging

def write_if_changed(path: Path, data: bytes) -> bool:
    """Write only when the content differs (Sphinx then rebuilds only what changed)."""
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def dump_notebook(nb: dict) -> bytes:
    return (json.dumps(nb, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def find_mathjax(venv: Path) -> Path | None:
    """MathJax 3's es5 folder in a venv (django-static-mathjax), or None."""
    for site in list(venv.glob("lib/python*/site-packages")) + [venv / "Lib" / "site-packages"]:
        es5 = site / "mathjax" / "static" / "mathjax" / "es5"
        if (es5 / "tex-svg.js").is_file():
            return es5
    return None


def stage(stage_dir: Path = STAGE, root: Path = ROOT, exercises: list[Path] | None = None,
          mathjax: Path | None = None) -> list[str]:
    """Assemble the book in stage_dir (see the module docstring); returns the toc's documents
    in reading order. Files of an earlier staging that are no longer wanted are removed
    (stage_dir/_build, Sphinx's output and cache, is kept)."""
    exercises = exercises or []
    wanted: dict[Path, bytes] = {}
    notebooks = site_notebooks(root)
    rows = []
    for path in notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        wanted[Path("notebooks") / path.name] = dump_notebook(site_notebook(nb))
        if page_kind(path.name) in ("lesson", "companion"):
            rows.append(("notebooks/" + path.stem, page_title(nb, path.stem), page_ids(nb)))
    for path in exercises:
        nb = json.loads(path.read_text(encoding="utf-8"))
        wanted[Path("exercises") / path.name] = dump_notebook(site_notebook(nb, anchors=False))
    if exercises:
        wanted[Path("exercises") / "README.md"] = (root / "exercises" / "README.md").read_bytes()
    toc = toc_tree([p.name for p in notebooks], [p.name for p in exercises])
    wanted[Path("_toc.yml")] = toc_yaml(toc).encode()
    for path in sorted((root / "site").rglob("*")):
        rel = path.relative_to(root / "site")
        if path.is_file() and rel.name != "requirements.txt" and "__pycache__" not in rel.parts:
            wanted[rel] = path.read_bytes()
    staged_names = {p.as_posix() for p in wanted}
    who = readme_section((root / "README.md").read_text(encoding="utf-8"))
    who = keep_local_links(who, lambda t: t in staged_names)
    wanted[Path("who_it_is_for.md")] = who.encode("utf-8")
    table = course_map_table(rows).rstrip()           # where site/course_map.md says, or at the end
    course_map, found = re.subn(r"^<!-- course-map-table\b.*$", lambda _: table,
                                wanted[Path("course_map.md")].decode("utf-8"), count=1, flags=re.M)
    wanted[Path("course_map.md")] = (course_map if found else course_map + "\n" + table + "\n"
                                     ).encode("utf-8")
    if mathjax is not None:
        for part in MATHJAX_PARTS:
            src = mathjax / part
            files = [src] if src.is_file() else sorted(f for f in src.rglob("*") if f.is_file())
            for f in files:
                wanted[Path("_assets", "mathjax") / f.relative_to(mathjax)] = f.read_bytes()
    stage_dir.mkdir(parents=True, exist_ok=True)
    for rel, data in wanted.items():
        write_if_changed(stage_dir / rel, data)
    for path in sorted(stage_dir.rglob("*"), reverse=True):     # files before their folders
        rel = path.relative_to(stage_dir)
        if rel.parts[0] == "_build":
            continue
        if path.is_file() and rel not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return toc_files(toc)


# ---------------------------------------------------------------------------------------------
# The tools' venv

def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def find_uv() -> str | None:
    here = ROOT / ".venv" / ("Scripts/uv.exe" if os.name == "nt" else "bin/uv")
    return str(here) if here.exists() else shutil.which("uv")


def ensure_docs_venv(venv: Path = DOCS_VENV) -> Path:
    """.venv-docs with site/requirements.txt installed; reused while that file is unchanged."""
    wanted = REQUIREMENTS.read_text(encoding="utf-8")
    stamp = venv / STAMP
    py = venv_python(venv)
    if py.exists() and stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted:
        return py
    t0 = time.perf_counter()
    uv = find_uv()
    if not py.exists():
        cmd = ([uv, "venv", "-q", "--python", sys.executable, str(venv)] if uv
               else [sys.executable, "-m", "venv", str(venv)])
        run_quiet(cmd, "Creating %s failed" % venv.name)
    cmd = ([uv, "pip", "install", "-q", "--python", str(py), "-r", str(REQUIREMENTS)] if uv
           else [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                 "-r", str(REQUIREMENTS)])
    print("site: installing Jupyter Book 1 and MathJax into %s (once; %s)"
          % (venv.name, "uv" if uv else "pip"))
    sys.stdout.flush()
    run_quiet(cmd, "Installing site/requirements.txt into %s failed" % venv.name)
    stamp.write_text(wanted, encoding="utf-8")
    print("site: %s ready in %.1f s" % (venv.name, time.perf_counter() - t0))
    return py


def run_quiet(cmd: list, what: str) -> str:
    res = subprocess.run(cmd, cwd=str(ROOT), capture_output=True, text=True)
    if res.returncode != 0:
        out = res.stdout + res.stderr
        sys.stderr.write(out[-4000:])
        low = out.lower()
        if any(s in low for s in ("failed to fetch", "dns error", "connection", "timed out",
                                  "network is unreachable", "name resolution")):
            raise SiteError(what + ": the package index could not be reached; the first build "
                            "needs the network once to install the site's tools.")
        raise SiteError(what + " (the message is above).")
    return res.stdout


# ---------------------------------------------------------------------------------------------
# Build and check

def forget_stale_output(stage_dir: Path) -> None:
    """Sphinx never deletes what it wrote before: when the staged files (not their content)
    or the configuration changed, start the HTML output afresh (its parsed pages are kept)."""
    listing = sorted(p.relative_to(stage_dir).as_posix() for p in stage_dir.rglob("*")
                     if p.is_file() and p.relative_to(stage_dir).parts[0] != "_build")
    manifest = json.dumps({"files": listing,
                           "config": (stage_dir / "_config.yml").read_text(encoding="utf-8")})
    known = stage_dir / "_build" / ".course-staged-files"
    if not known.is_file() or known.read_text(encoding="utf-8") != manifest:
        shutil.rmtree(stage_dir / "_build" / "html", ignore_errors=True)
        known.parent.mkdir(parents=True, exist_ok=True)
        known.write_text(manifest, encoding="utf-8")


def jupyter_book(py: Path, stage_dir: Path) -> list[str]:
    """Run jupyter-book build (execution is off in _config.yml); returns its warnings."""
    forget_stale_output(stage_dir)
    cmd = [str(py), "-c", "from jupyter_book.cli.main import main; main()", "build", str(stage_dir), "--builder", "html",
           "--path-output", str(stage_dir)]
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    res = subprocess.run(cmd, cwd=str(stage_dir), capture_output=True, text=True, env=env)
    out = res.stdout + res.stderr
    if res.returncode != 0 or "build succeeded" not in out and "Finished generating" not in out:
        sys.stderr.write(out[-6000:])
        raise SiteError("jupyter-book build failed (its message is above).")
    out = re.sub(r"\x1b\[[0-9;]*m", "", out)                   # Sphinx's colours
    return [line for line in out.splitlines() if "WARNING" in line or "ERROR" in line]


def remote_assets(html_dir: Path) -> list[tuple[str, str]]:
    """(page, URL) of every script or stylesheet a page would load from the network."""
    found = []
    for page in sorted(html_dir.rglob("*.html")):
        text = page.read_text(encoding="utf-8", errors="replace")
        for tag in re.findall(r"<(?:script|link)\b[^>]*>", text, re.I):
            if re.match(r"<link\b", tag, re.I) and not re.search(
                    r"rel\s*=\s*[\"'][^\"']*(stylesheet|preload|modulepreload)", tag, re.I):
                continue                                    # e.g. rel="canonical": not loaded
            m = re.search(r"\b(?:src|href)\s*=\s*[\"']((?:https?:)?//[^\"']+)", tag, re.I)
            if m:
                found.append((page.relative_to(html_dir).as_posix(), m.group(1)))
    return found


def publish(html_dir: Path, out: Path) -> None:
    """Copy the built site to `out`, leaving out the theme's source maps (only a browser's
    developer tools read them), its template fragments (_static/*macros.html, not pages) and
    images no page shows any more (left by earlier builds)."""
    shown = set()
    for page in html_dir.rglob("*.html"):
        shown.update(re.findall(r"_images/([^\"'?#)\s]+)", page.read_text(encoding="utf-8",
                                                                      errors="replace")))

    def ignore(folder, names):
        skip = {n for n in names if n.endswith(".map") or n == ".buildinfo"}
        if Path(folder) == html_dir / "_static":         # the theme's template fragments
            skip |= {n for n in names if n.endswith("macros.html")}
        if Path(folder) == html_dir / "_images":
            skip |= {n for n in names if n not in shown}
        return skip
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(html_dir, out, ignore=ignore)


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (default build/site)")
    parser.add_argument("--verbose", action="store_true", help="print Sphinx's warnings")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    try:
        if sys.version_info[:2] < MIN_PYTHON:
            raise SiteError("The website's tools need Python %d.%d or newer; this is %s."
                            % (MIN_PYTHON + (sys.version.split()[0],)))
        py = ensure_docs_venv()
        t_tools = time.perf_counter()
        exercises = released_exercises()
        mathjax = find_mathjax(DOCS_VENV)
        if mathjax is None:
            raise SiteError("MathJax is missing from .venv-docs: delete .venv-docs and build "
                            "again (the first build installs it).")
        docs = stage(STAGE, ROOT, exercises, mathjax)
        t_stage = time.perf_counter()
        warnings = jupyter_book(py, STAGE)
        t_build = time.perf_counter()
        html_dir = STAGE / "_build" / "html"
        remote = remote_assets(html_dir)
        if remote:
            for page, url in remote[:20]:
                print("  %s loads %s" % (page, url))
            raise SiteError("%d page(s) would load a script or stylesheet from the network "
                            "(listed above): the site must work offline." % len(remote))
        out = args.out.resolve()
        publish(html_dir, out)
    except SiteError as e:
        print("site: " + str(e), file=sys.stderr)
        return 1
    if warnings:
        print("site: Sphinx gave %d warning(s)%s" % (len(warnings), ":" if args.verbose else
                                                    " (--verbose lists them)"))
        for w in warnings if args.verbose else []:
            print("  " + w)
    rel = os.path.relpath(out / "index.html", os.getcwd())
    print("site: wrote %s: %d pages (%d lessons and companions), %.1f MB, offline (MathJax, "
          "search and images are local; no page loads anything from the network)"
          % (rel, len(docs), sum(d.startswith("notebooks/") and page_kind(Path(d).name + ".ipynb")
                                 in ("lesson", "companion") for d in docs),
             folder_size(out) / 1e6))
    cpu = os.times()
    print("site: took %.1f s (tools %.1f s, exercises and staging %.1f s, jupyter-book %.1f s; "
          "%.0f s of CPU, so on a busy machine the wall time is longer)"
          % (time.perf_counter() - t0, t_tools - t0, t_stage - t_tools, t_build - t_stage,
             cpu.user + cpu.system + cpu.children_user + cpu.children_system))
    return 0


if __name__ == "__main__":
    sys.exit(main())
