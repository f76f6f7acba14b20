"""The slide decks (tools/slides.py): the rules that give each cell its reveal.js slide type, on
small synthetic notebooks and on the committed lessons (read only), and the offline check of
a built deck."""
from __future__ import annotations

import base64
import importlib.util
import json
import pathlib
import re
import struct
import zlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("slides", ROOT / "tools" / "slides.py")
slides = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(slides)

LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
#: a 50-minute lecture: about 20 to 40 screens, give or take 10% (lesson 00 is a 15-minute
#: orientation)
SCREENS = (18, 44)
ORIENTATION_SCREENS = (5, 20)


# ---------------------------------------------------------------------------------------------
# Synthetic notebooks

def md(text, **meta):
    return {"cell_type": "markdown", "metadata": meta, "source": text}


def code(src="x = 1", outputs=(), tags=()):
    meta = {"tags": list(tags)} if tags else {}
    return {"cell_type": "code", "metadata": meta, "source": src, "execution_count": 1,
            "outputs": list(outputs)}


def stream(text):
    return {"output_type": "stream", "name": "stdout", "text": text}


def shown(mime, value):
    return {"output_type": "display_data", "metadata": {}, "data": {mime: value, "text/plain": "x"}}


def png(width=640, height=300):
    """A valid PNG header of the given size (enough for the height estimate)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    raw = (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk
           + struct.pack(">I", zlib.crc32(chunk)))
    return shown("image/png", base64.b64encode(raw).decode())


PROOF = shown("text/markdown", "**Proof** step 1: $a = a$ ✓")
PROGRESS = {"output_type": "display_data", "metadata": {},
            "data": {slides.WIDGET_VIEW: {"model_id": "ab"}, "text/html": "<progress>",
                     "text/plain": "bar"}}

LESSON = [
    md("# 99 · A lesson\n\nCore path: about 50 minutes."),                       # 0 slide
    md("## Setup"),                                                                # 1 skip
    code("import numpy as np", [stream("versions\n")]),                           # 2 skip
    code('notation_box("eta")', [shown("text/markdown", "| eta | step |")]),       # 3 subslide
    md("## First idea [XX-1]\n\nSome text."),                                      # 4 slide
    code("SEED = 0", tags=["settings"]),                                           # 5 skip
    code("def f(): pass"),                                                         # 6 skip: no output
    code("fig", [png()]),                                                          # 7 same slide
    md("### A derivation"),                                                        # 8 subslide
    code("Proof(...)", [PROOF]),                                                   # 9 fragment
    md("The step above, in words."),                                               # 10 fragment
    code("print(2)", [stream("2\n")]),                                             # 11 same
    md("### Study question [XX-1]: how much?\n\n<details><summary>Hint</summary>h</details>"
       "\n<details><summary>Worked answer</summary>42.5</details>"),               # 12 subslide
    md("Check your answer by running:"),                                           # 13 fragment
    code("print(42.5)", [stream("42.5\n")]),                                       # 14 fragment
    code("table()", [stream("row\n" * 40)]),                                       # 15 skip: long
    code("train()", [PROGRESS]),                                                   # 16 skip: a bar
    code("POLLS['POLL-1'].show()", [shown("text/markdown", "- [ ] a")],
         tags=["slide:notes"]),                                                    # 17 notes (tag)
    md("## Summary\n\n- one\n\n## Deep dive: more [XX-1]\n\nbeyond\n\n## Sources\n\n- a book"),
    md("## Deep dive: the long story [XX-1]"),                                     # 19 skip
    code("print(3)", [stream("3\n")]),                                             # 20 skip
    md("## Sources\n\n- the lecture notes"),                                       # 21 skip
]
EXPECTED = ["slide", "skip", "skip", "subslide", "slide", "skip", "skip", "-", "subslide",
            "fragment", "fragment", "-", "subslide", "fragment", "fragment", "skip", "skip",
            "notes", "slide", "skip", "skip", "skip"]


def test_each_rule_on_a_small_lesson():
    types = slides.slide_types(LESSON)
    got = {i: (t, e) for i, (t, e) in enumerate(zip(types, EXPECTED)) if t != e}
    assert not got, "cell: (got, expected) " + repr(got)


def test_a_full_screen_continues_on_a_subslide_and_an_introduction_goes_with_its_figure():
    cells = [md("# T"), md("## Section\n\n" + "A line of text.\n" * 12),
             md("The next figure shows it."), code("fig", [png(640, 480)])]
    assert slides.slide_types(cells) == ["slide", "slide", "subslide", "-"]
    cells = [md("# T"), md("## Section")] + [code("print()", [stream("x\n" * 10)])] * 4
    assert slides.slide_types(cells) == ["slide", "slide", "-", "-", "subslide", "-"]  # 2 + 10 + 10


def test_one_cell_taller_than_a_screen_gets_a_screen_of_its_own():
    cells = [md("# T"), md("## S\n\nshort"), md("long\n" * 80), md("after")]
    assert slides.slide_types(cells) == ["slide", "slide", "subslide", "subslide"]


def test_the_mixed_summary_cell_is_a_slide_and_the_deck_cuts_its_skipped_sections():
    text = slides.source(LESSON[18])
    kept = slides.kept_markdown(text)
    assert kept.startswith("## Summary") and "one" in kept
    assert "Deep dive" not in kept and "Sources" not in kept
    assert slides.kept_markdown("## Sources\n\nx") == "## Sources\n\nx"   # a cell of its own: whole


def test_skipped_sections_ignore_ids_and_case():
    for title in ["Setup", "Deep dive: AdaMax [AM-4] [AM-5]", "deep dive", "Sources"]:
        assert slides.is_skipped_section(title), title
    for title in ["Summary", "Deep learning", "Sourcing data [XX-1]", "Setting up the problem"]:
        assert not slides.is_skipped_section(title), title


def test_slide_metadata_sets_every_cell_in_place_and_touches_nothing_else():
    nb = {"cells": json.loads(json.dumps(LESSON)), "metadata": {"kernelspec": {}}, "nbformat": 4,
          "nbformat_minor": 5}
    before = json.loads(json.dumps(nb))
    assert slides.slide_metadata(nb) is nb
    assert slides.committed_types(nb) == EXPECTED
    for cell, old in zip(nb["cells"], before["cells"]):
        meta = dict(cell["metadata"])
        meta.pop("slideshow")
        assert meta == old["metadata"] and cell["source"] == old["source"]
    assert nb["metadata"] == before["metadata"]


def test_apply_writes_the_metadata_once(tmp_path, capsys):
    nb = {"cells": json.loads(json.dumps(LESSON)), "metadata": {}, "nbformat": 4,
          "nbformat_minor": 5}
    path = tmp_path / "99_lesson.ipynb"
    path.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    slides.main(["apply", str(path)])
    first = path.read_text()
    assert slides.committed_types(json.loads(first)) == EXPECTED
    slides.main(["apply", str(path)])
    assert path.read_text() == first
    out = capsys.readouterr().out
    assert "wrote" in out and "same" in out


def test_a_committed_deck_keeps_a_lecturers_edits():
    nb = slides.slide_metadata({"cells": json.loads(json.dumps(LESSON))})
    nb["cells"][7]["metadata"]["slideshow"]["slide_type"] = "subslide"
    assert slides.deck_types(nb)[7] == "subslide"
    assert slides.deck_types(nb, recompute=True)[7] == "-"
    del nb["cells"][3]["metadata"]["slideshow"]            # a cell added after `apply`
    assert slides.deck_types(nb)[3] == "subslide" and slides.deck_types(nb)[7] == "subslide"


def test_the_network_check_finds_scripts_styles_and_images_from_elsewhere():
    page = ('<script src="assets/reveal.js/dist/reveal.js"></script>'
            '<link rel="stylesheet" href="https://unpkg.com/reveal.js@4.0.2/dist/reveal.css">'
            '<script src="//cdn.example/x.js"></script><img src="http://x/y.png">'
            '<a href="https://example.org">a link is fine</a>')
    bad = slides.remote_references(page)
    assert len(bad) == 3 and not any("example.org" in b for b in bad)


# ---------------------------------------------------------------------------------------------
# The committed lessons (read, never written)

def lesson_types(path):
    return slides.deck_types(json.loads(path.read_text()))


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_a_lesson_deck_has_a_lectures_worth_of_screens(path):
    low, high = ORIENTATION_SCREENS if path.name.startswith("00_") else SCREENS
    n = slides.screens(lesson_types(path))
    assert low <= n <= high, (f"{path.name}: {n} screens, expected {low}-{high}; see "
                              f"`python tools/slides.py count -v {path.relative_to(ROOT)}`")


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_a_deck_opens_on_the_title_and_skips_setup_deep_dives_and_sources(path):
    nb = json.loads(path.read_text())
    types = slides.deck_types(nb)
    assert types[0] == "slide"
    section = None
    for cell, t in zip(nb["cells"], types):
        head = slides.first_heading(cell)
        if head and head[0] == 2:
            section = head[1]
        if section and slides.is_skipped_section(section) and "notation_box(" not in slides.source(cell):
            assert t == "skip", f"{path.name}: a cell of '## {section}' is shown: {slides.source(cell)[:60]!r}"
    for cell, t in zip(nb["cells"], types):
        if "settings" in slides.tags(cell):
            assert t == "skip", f"{path.name}: a settings cell is shown"


def test_no_study_question_shows_its_check_on_the_same_screen_at_once():
    """After a study question, its check comes one click later (or on a later screen)."""
    for path in LESSONS:
        nb = json.loads(path.read_text())
        types = slides.deck_types(nb)
        for i, cell in enumerate(nb["cells"][:-1]):
            head = slides.first_heading(cell)
            if head and slides.STUDY.search(head[1]):
                nxt = next((j for j in range(i + 1, len(types)) if types[j] not in ("skip", "notes")),
                           None)
                if nxt is not None and not slides.first_heading(nb["cells"][nxt]):
                    assert types[nxt] in ("fragment", "subslide"), f"{path.name} cell {nxt}"


# ---------------------------------------------------------------------------------------------
# A built deck works without a network

def test_a_built_deck_loads_nothing_from_the_network(tmp_path):
    pytest.importorskip("nbconvert")
    if not (slides.find_reveal([slides.DOCS_VENV]) and slides.find_mathjax([slides.DOCS_VENV])):
        pytest.skip("reveal.js and MathJax are not installed in .venv-docs yet (make slides "
                    "installs them, once, with the network)")
    lesson = ROOT / "notebooks" / "04_running_averages.ipynb"
    before = lesson.read_bytes()
    slides.copy_assets(slides.find_reveal([slides.DOCS_VENV]),
                       slides.find_mathjax([slides.DOCS_VENV]), tmp_path)
    target, n = slides.build_deck(lesson, tmp_path)
    assert lesson.read_bytes() == before, "the build wrote to the committed notebook"
    page = target.read_text()
    assert slides.remote_references(page) == []
    assert slides.remote_css_imports(tmp_path / "assets") == []
    local = re.findall(r'<(?:script|link)\b[^>]*(?:src|href)="([^"]+)"', page)
    assert local and all((tmp_path / p).is_file() for p in local), local
    assert "MathJax" in page and "Reveal.initialize" in page
    # one <section> per screen, plus one per horizontal slide that holds vertical ones
    leaves = len(re.findall(r"<section\b", page)) - page.count("<section>\n<section")
    assert leaves >= n - 2
    assert "## Sources" not in page and "Sources</h2>" not in page
    assert "jupyter-widgets" not in page and "require.js" not in page
