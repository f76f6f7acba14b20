"""The course website (tools/build_site.py): what goes in, in which order, and in what form.

The fast tests run the staging on the committed notebooks without building anything: which
pages the book has and in which order (the sidebar and the previous/next path), that the
exercises appear only in their students' version, the syllabus-id anchors, the widgets'
static form, the pages made from README.md and the course map, and the offline check.

One slow test builds the whole site (Jupyter Book 1 in .venv-docs; about a minute) and checks
the HTML: every page there, nothing loaded from the network, MathJax local with the math as
its input, figures and the lesson-09 animations, search, previous/next, the id anchors, no
widget left that would need a kernel, and no solution in the exercises. It runs when
COURSE_SITE_TEST=1 is set (or with the marker `site`, once pyproject.toml declares it).
"""
from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IDS_FILE = Path(__file__).with_name("course_map_ids.txt")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def load_tool():
    spec = importlib.util.spec_from_file_location("build_site", ROOT / "tools" / "build_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bs = load_tool()


def course_ids():
    """[(id, lesson)] from the committed syllabus mapping."""
    rows = []
    for line in IDS_FILE.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            rows.append(tuple(line.split()))
    return rows


def read_nb(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def fake_release(tmp_path):
    """Two released exercise notebooks, as grade.py release writes them (stubs, no outputs)."""
    folder = tmp_path / "released"
    folder.mkdir()
    for part in ("part1", "part2"):
        nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "# Exercises, " + part},
                        {"cell_type": "code", "metadata": {}, "execution_count": None,
                         "outputs": [], "source": "def f(x):\n    # YOUR CODE HERE\n"
                                                  "    raise NotImplementedError()"}],
              "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        (folder / (part + ".ipynb")).write_text(json.dumps(nb))
    return sorted(folder.glob("*.ipynb"))


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    """The real notebooks staged once (with two fake released exercises, no MathJax):
    (staging folder, documents in reading order, hashes of notebooks/ before staging)."""
    tmp = tmp_path_factory.mktemp("site")
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
              for p in (ROOT / "notebooks").glob("*.ipynb")}
    docs = bs.stage(tmp / "stage", ROOT, fake_release(tmp), mathjax=None)
    return tmp / "stage", docs, before


# --- which pages, in which order ---------------------------------------------------------------

def test_every_notebook_becomes_a_page_and_the_repository_is_not_touched(staged):
    stage, docs, before = staged
    for name in before:
        assert "notebooks/" + name[:-len(".ipynb")] in docs, name
        assert (stage / "notebooks" / name).is_file(), name
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
             for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert after == before, "staging changed a committed notebook"
    for doc in docs:
        assert list(stage.glob(doc + ".*")), f"{doc} is in the toc but was not staged"


def test_reading_order_is_lesson_order_with_each_deep_dive_after_its_lesson(staged):
    _, docs, _ = staged
    assert docs[:3] == ["intro", "who_it_is_for", "course_map"]
    lessons = [Path(d).name for d in docs if d.startswith("notebooks/")
               and re.match(r"\d\d", Path(d).name)]
    numbers = [n[:2] for n in lessons]
    assert numbers == sorted(numbers) and numbers[0] == "00"
    present = sorted(p.stem[:2] for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert sorted(set(numbers)) == present          # lesson 13 and later appear when they exist
    for k, name in enumerate(lessons):
        if name[2] == "b":                          # a companion follows its lesson (or a sibling)
            assert lessons[k - 1][:2] == name[:2], (lessons[k - 1], name)
    last_lesson = max(i for i, d in enumerate(docs) if d in
                      ["notebooks/" + n for n in lessons])
    tail = docs[last_lesson + 1:]
    assert tail.index("notebooks/notation_reference") < tail.index("exercises/README")


def test_the_toc_nests_companions_and_adds_optional_pages_only_when_present():
    names = ["00_start_here.ipynb", "03_x.ipynb", "03b_x_deep_dive.ipynb", "04_y.ipynb",
             "13_new.ipynb", "notation_reference.ipynb", "instructor_guide.ipynb",
             "scratch.ipynb"]
    toc = bs.toc_tree(names, ["part1.ipynb"])
    lessons = next(p for p in toc["parts"] if p["caption"] == "Lessons")["chapters"]
    assert [e["file"] for e in lessons] == ["notebooks/00_start_here", "notebooks/03_x",
                                           "notebooks/04_y", "notebooks/13_new"]
    assert lessons[1]["sections"] == [{"file": "notebooks/03b_x_deep_dive"}]
    captions = [p["caption"] for p in toc["parts"]]
    assert captions == ["Start", "Lessons", "Reference", "Graded exercises", "For lecturers",
                        "More"]
    assert bs.toc_files(toc)[-3:] == ["exercises/part1", "notebooks/instructor_guide",
                                      "notebooks/scratch"]
    bare = bs.toc_tree(["01_a.ipynb"], [])
    assert [p["caption"] for p in bare["parts"]] == ["Start", "Lessons"]
    text = bs.toc_yaml(toc)
    assert "root: intro" in text and "      - file: notebooks/03_x\n        sections:\n" \
        "          - file: notebooks/03b_x_deep_dive\n" in text


def test_site_sources_are_not_copies_of_the_notebooks():
    assert not list((ROOT / "site").rglob("*.ipynb"))
    assert (ROOT / "site" / "_config.yml").is_file() and not (ROOT / "site" / "_toc.yml").exists()
    config = (ROOT / "site" / "_config.yml").read_text()
    assert re.search(r'execute_notebooks:\s*"off"', config)
    assert "mathjax_path: mathjax/tex-svg.js" in config
    assert "nb_ipywidgets_js: {}" in config
    pins = [l for l in (ROOT / "site" / "requirements.txt").read_text().splitlines()
            if l.strip() and not l.startswith("#")]
    assert "jupyter-book==1.0.4.post1" in pins and "django-static-mathjax==3.2.2.1" in pins
    assert all("==" in l for l in pins), "every version pinned"


# --- the exercises: students' version only ------------------------------------------------------

def test_only_the_released_exercises_are_staged(staged):
    stage, docs, _ = staged
    staged_files = [p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file()]
    exercises = sorted(f for f in staged_files if f.startswith("exercises/"))
    assert exercises == ["exercises/README.md", "exercises/part1.ipynb", "exercises/part2.ipynb"]
    assert not [f for f in staged_files if re.search(r"(^|/)(source|checks|release)/", f)
                or "gradebook" in f or "instructor_seed" in f]
    for f in exercises[1:]:                      # (the README explains the markers)
        text = (stage / f).read_text()
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text


def test_the_exercises_are_released_from_a_copy_and_cached(tmp_path, monkeypatch):
    """released_exercises runs grade.py on a temporary copy of the sources (never on
    exercises/ itself) and reuses its result while the sources are unchanged."""
    calls = []

    def fake_run(cmd, cwd=None, capture_output=None, text=None):
        calls.append(cmd)
        root = Path(cmd[cmd.index("--root") + 1])
        assert root != ROOT / "exercises" and (root / "nbgrader_config.py").is_file()
        assert sorted(p.name for p in (root / "source").iterdir()) == sorted(
            p.name for p in (ROOT / "exercises" / "source").iterdir())
        for part in (root / "source").iterdir():
            (root / "release" / part.name).mkdir(parents=True)
            (root / "release" / part.name / (part.name + ".ipynb")).write_text("{}")
        return subprocess.CompletedProcess(cmd, 0, "", "")
    monkeypatch.setattr(bs.subprocess, "run", fake_run)
    first = bs.released_exercises(ROOT, tmp_path / "cache", "python")
    again = bs.released_exercises(ROOT, tmp_path / "cache", "python")
    assert len(calls) == 1 and first == again
    assert [p.name for p in first] == sorted(p.name + ".ipynb" for p in
                                            (ROOT / "exercises" / "source").iterdir())
    assert calls[0][1:3] == [str(ROOT / "exercises" / "grade.py"), "release"]


# --- syllabus ids as anchors ---------------------------------------------------------------------

def test_each_heading_id_gets_one_anchor_before_its_first_heading():
    done = set()
    text = ("Intro line\n## Momentum [MO-1]\n\ntext [MO-2] in a paragraph\n"
            "### Study question [MO-1, MO-2]: why?\n```python\n# [MO-3] in code\n```\n")
    out = bs.add_id_anchors(text, done)
    assert out.count('id="mo-1"') == 1 and out.count('id="mo-2"') == 1 and "mo-3" not in out
    lines = out.split("\n")
    k = lines.index("## Momentum [MO-1]")
    assert lines[k - 2:k] == ['<a class="course-id-anchor" id="mo-1"></a>', ""]
    assert lines[k - 3] == ""                                   # the raw HTML is a block of its own
    assert done == {"MO-1", "MO-2"}
    assert bs.add_id_anchors("## Again [MO-1]", done) == "## Again [MO-1]"


def test_every_syllabus_id_has_an_anchor_in_its_lesson(staged):
    stage, _, _ = staged
    markdown = {p.name: "\n".join(bs.source(c) for c in read_nb(p)["cells"]
                                  if c["cell_type"] == "markdown")
                for p in (stage / "notebooks").glob("*.ipynb")}
    for ident, lesson in course_ids():
        anchor = 'id="%s"' % ident.lower()
        hits = [name for name in markdown if name.startswith(lesson) and anchor in markdown[name]]
        assert hits, f"{ident}: no anchor in lesson {lesson}'s pages"
        for name, text in markdown.items():
            assert text.count(anchor) <= 1, f"{ident} anchored twice in {name}"


def test_the_course_map_links_every_id_to_its_anchor(staged):
    stage, _, _ = staged
    page = (stage / "course_map.md").read_text()
    assert "course-map-table" not in page, "the placeholder was replaced by the table"
    for ident, lesson in course_ids():
        assert re.search(r'href="notebooks/%s[^"]*\.html#%s">%s<' % (lesson, ident.lower(), ident),
                         page), ident
    rows = bs.course_map_table([("notebooks/04_x", "04 · X <y>", ["RA-1"]), ("notebooks/00_a", "A", [])])
    assert '<a href="notebooks/04_x.html">04 · X &lt;y&gt;</a>' in rows and "&mdash;" in rows
    assert sorted(["POLL-1", "RA-10", "RA-2", "IU-3"], key=bs.id_order) == \
        ["IU-3", "RA-2", "RA-10", "POLL-1"]


def test_each_formula_is_put_on_one_line_outside_code():
    text = ("the gradient is\n$$a\n- b$$\nso $N = \\big(x\n  - H\\big)$ and `$HOME\n`\n"
            "```\n$$x\ny$$\n```\n$$p % comment\nq$$ costs \\$5\n\n"
            "$$\\begin{aligned} u &= 1 \\\\\n  v &= 2\\end{aligned}$$\n$a\n\nb$ `$x` $y$")
    assert bs.one_line_math(text) == (
        "the gradient is\n$$a - b$$\nso $N = \\big(x - H\\big)$ and `$HOME\n`\n"
        "```\n$$x\ny$$\n```\n$$p % comment\nq$$ costs \\$5\n\n"
        "$$\\begin{aligned} u &= 1 \\\\ v &= 2\\end{aligned}$$\n$a\n\nb$ `$x` $y$")


# --- widgets: static on the site ---------------------------------------------------------------

def test_no_widget_needs_a_kernel_or_a_script_on_the_site(staged):
    stage, _, _ = staged
    for path in sorted((stage / "notebooks").glob("*.ipynb")):
        nb = read_nb(path)
        assert "widgets" not in nb["metadata"], path.name
        for cell in nb["cells"]:
            for out in cell.get("outputs", []):
                assert WIDGET_VIEW not in out.get("data", {}), path.name


def test_a_slider_becomes_its_saved_picture_and_a_note():
    nb = bs.site_notebook(read_nb(ROOT / "notebooks" / "04_running_averages.ipynb"))
    boxes = [o["data"]["text/html"] for c in nb["cells"] for o in c.get("outputs", [])
             if "course-widget-static" in o.get("data", {}).get("text/html", "")]
    assert len(boxes) == 1
    assert "run this lesson in JupyterLab to use the slider" in boxes[0]
    png = re.search(r'src="data:image/png;base64,([^"]+)"', boxes[0]).group(1)
    assert base64.b64decode(png)[:8] == b"\x89PNG\r\n\x1a\n"


def test_progress_bars_keep_their_html_and_the_explorer_points_at_its_snapshot():
    nb = bs.site_notebook(read_nb(ROOT / "notebooks" / "12_training_a_network.ipynb"))
    htmls = ["".join(o["data"].get("text/html", "")) for c in nb["cells"]
             for o in c.get("outputs", []) if "data" in o]
    assert not [h for h in htmls if "course-widget-static" in h]
    assert sum("font-family:monospace" in h for h in htmls) >= 5
    explorer = bs.site_notebook(read_nb(ROOT / "notebooks" / "09_visualizing_optimizers.ipynb"))
    boxes = [o["data"]["text/html"] for c in explorer["cells"] for o in c.get("outputs", [])
             if "course-widget-static" in o.get("data", {}).get("text/html", "")]
    assert len(boxes) == 1 and "use its controls" in boxes[0] and "<img" not in boxes[0]


def test_a_widget_whose_state_was_not_saved_still_gets_a_note():
    nb = {"cells": [{"cell_type": "code", "source": "w", "outputs": [{
        "output_type": "display_data", "metadata": {},
        "data": {WIDGET_VIEW: {"model_id": "abc"}, "text/plain": "IntSlider()"}}]}],
        "metadata": {}}
    out = bs.static_widgets(nb)["cells"][0]["outputs"][0]["data"]
    assert WIDGET_VIEW not in out and "run this lesson in JupyterLab to use this widget" in out[
        "text/html"]


def test_control_words():
    def models(*names):
        return [{"model_name": n} for n in names]
    assert bs.control_words(models("FloatSliderModel", "LayoutModel", "HTMLModel")) == "the slider"
    assert bs.control_words(models("FloatSliderModel", "IntSliderModel")) == "the sliders"
    assert bs.control_words(models("FloatSliderModel", "DropdownModel")) == "its controls"


# --- pages made from other files --------------------------------------------------------------

def test_who_it_is_for_comes_from_the_readme(staged):
    stage, _, _ = staged
    page = (stage / "who_it_is_for.md").read_text()
    readme = (ROOT / "README.md").read_text()
    assert page.startswith("# Who it is for\n")
    body = page.split("\n", 1)[1].strip()
    first_words = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", body)[:60]
    assert first_words in re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", readme)
    for target in re.findall(r"\]\(([^)#]+)", page):
        assert target.startswith("http") or (stage / target).exists(), target
    assert not (ROOT / "site" / "who_it_is_for.md").exists(), "extracted at build time"


def test_readme_section_and_links():
    text = "# T\n\n## Who it is for\n\n- see [a](notebooks/a.ipynb) and [b](b.md) and " \
           "[c](https://x.org)\n\n## Next\nmore\n"
    page = bs.readme_section(text)
    assert page == "# Who it is for\n\n- see [a](notebooks/a.ipynb) and [b](b.md) and " \
                   "[c](https://x.org)\n"
    fixed = bs.keep_local_links(page, lambda t: t == "notebooks/a.ipynb")
    assert "[a](notebooks/a.ipynb)" in fixed and " b " in fixed and "[c](https://x.org)" in fixed
    with pytest.raises(bs.SiteError, match="Who it is for"):
        bs.readme_section("# nothing here\n")


# --- the offline check ------------------------------------------------------------------------

def test_remote_scripts_and_stylesheets_are_found(tmp_path):
    (tmp_path / "a.html").write_text(
        '<link rel="stylesheet" href="https://cdn.example.org/x.css">'
        '<link rel="canonical" href="https://example.org/a.html">'
        '<script src="//cdn.example.org/y.js"></script><script src="_static/z.js"></script>'
        '<a href="https://example.org">a link is fine</a>')
    assert bs.remote_assets(tmp_path) == [("a.html", "https://cdn.example.org/x.css"),
                                         ("a.html", "//cdn.example.org/y.js")]


def test_staging_again_changes_nothing_and_removes_what_is_no_longer_wanted(tmp_path):
    stage = tmp_path / "stage"
    release = fake_release(tmp_path)
    bs.stage(stage, ROOT, release)
    (stage / "notebooks" / "gone.ipynb").write_text("{}")
    (stage / "_build" / "html").mkdir(parents=True)
    (stage / "_build" / "html" / "kept.html").write_text("x")
    mtimes = {p: p.stat().st_mtime_ns for p in stage.rglob("*.ipynb") if p.name != "gone.ipynb"}
    bs.stage(stage, ROOT, release)
    assert not (stage / "notebooks" / "gone.ipynb").exists()
    assert (stage / "_build" / "html" / "kept.html").exists()
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes, "unchanged files rewritten"


# --- the built site (slow) --------------------------------------------------------------------

@pytest.mark.site
@pytest.mark.skipif(not os.environ.get("COURSE_SITE_TEST"),
                    reason="builds the whole website (about a minute): set COURSE_SITE_TEST=1")
def test_the_built_site_works_offline(tmp_path):
    out = tmp_path / "site"
    res = subprocess.run([sys.executable, str(ROOT / "tools" / "build_site.py"), "--out", str(out)],
                         cwd=str(ROOT), capture_output=True, text=True, timeout=1200)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert re.search(r"site: wrote .*index\.html.* pages", res.stdout)
    assert re.search(r"site: took \d+\.\d s", res.stdout)
    pages = {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
             for p in out.rglob("*.html")}

    # every notebook has its page; search and its index are there
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    for stem in notebooks:
        assert "notebooks/%s.html" % stem in pages, stem
    assert {"index.html", "intro.html", "search.html", "course_map.html",
            "who_it_is_for.html"} <= set(pages)
    assert (out / "searchindex.js").stat().st_size > 10_000
    assert "Who it is for" in pages["who_it_is_for.html"]

    # offline: no script or stylesheet from the network, no CDN named anywhere it would load
    assert bs.remote_assets(out) == []
    for name, html in pages.items():
        srcs = re.findall(r'<(?:script|link)\b[^>]*?(?:src|href)="([^"]*)"', html)
        assert not [s for s in srcs if "cdn." in s or re.match(r"(https?:)?//", s)], name
        assert not re.search(r'<script[^>]*type="application/vnd\.jupyter\.widget-(view|state)',
                             html), name                # a widget that would need a manager
        assert "thebe" not in " ".join(srcs), name

    # math: MathJax's input in the pages, MathJax itself local and loaded by each page with math
    assert (out / "_static" / "mathjax" / "tex-svg.js").stat().st_size > 1_000_000
    for stem in notebooks:
        html = pages["notebooks/%s.html" % stem]
        if 'class="math' in html:
            assert re.search(r'<script[^>]*src="\.\./_static/mathjax/tex-svg\.js', html), stem
    lesson04 = pages["notebooks/04_running_averages.html"]
    assert len(re.findall(r'<span class="math notranslate nohighlight">\\\(', lesson04)) > 20
    assert re.search(r'<div class="math notranslate nohighlight">\s*\\\[', lesson04)
    # the proofs' and the notation box's markdown outputs are parsed, their math included
    assert re.search(r'<div class="math notranslate nohighlight">\s*\\\[\\text\{library:\}', lesson04)
    assert "<p><strong>Symbols in this lesson</strong></p>" in lesson04

    # no formula left as raw dollars: outside code and math, no page text holds a "$"
    for name, html in pages.items():
        text = re.sub(r"<(pre|code|script|style)\b.*?</\1>", "", html, flags=re.S | re.I)
        text = re.sub(r'<(span|div) class="math[^"]*">.*?</\1>', "", text, flags=re.S)
        text = re.sub(r"<[^>]+>", "", text)
        assert "$" not in text, (name, text[max(text.index("$") - 80, 0):text.index("$") + 80])

    # figures: every <img> of a lesson resolves; lesson 09's animations are still animated PNGs
    for stem in notebooks:
        html = pages["notebooks/%s.html" % stem]
        for src in re.findall(r'<img[^>]*src="([^"]+)"', html):
            if not src.startswith("data:"):
                assert (out / "notebooks" / src).resolve().is_file(), (stem, src)
    animated = [src for src in re.findall(r'<img[^>]*src="([^"]+)"',
                                          pages["notebooks/09_visualizing_optimizers.html"])
                if b"acTL" in (out / "notebooks" / src).read_bytes()[:4096]]
    assert len(animated) >= 2
    assert lesson04.count("<img") >= 3

    # previous/next through the reading order; the sidebar lists every lesson
    docs = bs.toc_files(bs.toc_tree([p.name for p in (ROOT / "notebooks").glob("*.ipynb")],
                                    [p.stem + ".ipynb" for p in (out / "exercises").glob("part*.html")]))
    for before, after in zip(docs, docs[1:]):
        rel = os.path.relpath(out / (after + ".html"), (out / before).parent)
        found = re.search(r'<a class="right-next"\s+href="([^"]+)"', pages[before + ".html"])
        assert found and found.group(1) == rel, (before, after)
        back = re.search(r'<a class="left-prev"\s+href="([^"]+)"', pages[after + ".html"])
        assert back and back.group(1) == os.path.relpath(out / (before + ".html"),
                                                         (out / after).parent), (after, before)
    sidebar = pages["notebooks/05_momentum.html"]
    for stem in notebooks:
        if re.match(r"\d\d_", stem):
            assert 'href="%s.html"' % stem in sidebar or stem == "05_momentum", stem

    # the syllabus ids as anchors, linked from the course map
    for ident, lesson in course_ids():
        holders = [n for n in pages if n.startswith("notebooks/" + lesson)
                   and 'id="%s"' % ident.lower() in pages[n]]
        assert holders, ident
    assert pages["course_map.html"].count('class="course-id"') >= len(course_ids())

    # widgets: a static box, never an empty one
    assert "run this lesson in JupyterLab to use the slider" in lesson04

    # the exercises: the students' version, never a solution
    parts = sorted(n for n in pages if re.match(r"exercises/part\d+\.html", n))
    assert parts and "exercises/README.html" in pages
    for n in parts:
        assert "NotImplementedError" in pages[n], n
        assert "BEGIN SOLUTION" not in pages[n] and "HIDDEN TESTS" not in pages[n], n
