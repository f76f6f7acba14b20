"""Lesson 00: its environment check comes first and needs only the standard library, its
saved outputs hold no machine paths, and it links the notation reference page, which shows
the library's table."""
import ast
import json
import pathlib
import re
import sys

import pytest

from course_lib import envcheck
from course_lib.notation import notation_markdown

ROOT = pathlib.Path(__file__).resolve().parents[1]
NB = json.loads((ROOT / "notebooks" / "00_start_here.ipynb").read_text())
CODE = [c for c in NB["cells"] if c["cell_type"] == "code"]


def imported_modules(source):
    mods = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            mods |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            mods.add(node.module.split(".")[0])
    return mods


def test_the_environment_check_is_the_first_code_cell_and_stdlib_only():
    first = "".join(CODE[0]["source"])
    assert "environment_report" in first and "spec_from_file_location" in first
    assert imported_modules(first) <= set(sys.stdlib_module_names)
    checker = (ROOT / "course_lib" / "envcheck.py").read_text()
    assert imported_modules(checker) <= set(sys.stdlib_module_names), "envcheck: stdlib only"
    assert "course_lib" not in imported_modules(first)


def test_saved_outputs_hold_no_machine_paths():
    for cell in CODE:
        for out in cell["outputs"]:
            text = "".join(out.get("text", "")) + json.dumps(out.get("data", {}))
            for marker in [str(ROOT), "/home/", "/root/", "/usr/", "site-packages", ".venv"]:
                assert marker not in text, f"a saved output shows {marker!r}"


def test_the_saved_environment_check_reports_every_package():
    text = "".join(CODE[0]["outputs"][0]["text"])
    mins, _ = envcheck.minimums((ROOT / "pyproject.toml").read_text())
    for name, low in mins.items():
        assert name in text and f">= {low}" in text
    assert "course_lib" in text and text.rstrip().endswith("new enough.")


def test_minimums_follow_pyproject():
    mins, py = envcheck.minimums((ROOT / "pyproject.toml").read_text())
    assert set(mins) == {"numpy", "sympy", "matplotlib", "ipywidgets"} and py.startswith(">=3.10")


@pytest.mark.parametrize("python, ok", [((3, 10, 0), True), ((3, 12, 9), True), ((3, 9, 18), False),
                                        ((3, 13, 0), False)])
def test_python_range(python, ok):
    assert envcheck.python_ok(python, ">=3.10,<3.13") is ok


def test_a_missing_or_old_package_is_named_plainly():
    deps = 'dependencies = [\n "numpy>=1.24",\n "matplotlib>=3.7",\n]\nrequires-python = ">=3.10"'
    versions = {"numpy": "1.24.0", "matplotlib": "3.6.9", "course_lib": "0.1.0"}
    r = envcheck.environment_report(deps, installed=versions.get, python=(3, 11, 0))
    assert r.missing == [] and r.too_old == ["matplotlib"] and not r.ok
    assert "TOO OLD  matplotlib  3.6.9" in r.text and "make lab" in r.text
    r = envcheck.environment_report(deps, installed={"numpy": "2.0"}.get, python=(3, 11, 0))
    assert r.missing == ["matplotlib", "course_lib"] and "MISSING" in r.text
    r = envcheck.environment_report(deps, installed=lambda n: "9.9", python=(3, 11, 0))
    assert r.ok and r.text.endswith("present and new enough.")


def test_the_reference_page_shows_the_library_table_and_lesson_00_links_it():
    ref = json.loads((ROOT / "notebooks" / "notation_reference.ipynb").read_text())
    code = [c for c in ref["cells"] if c["cell_type"] == "code"]
    assert len(code) == 1 and "notation_markdown()" in "".join(code[0]["source"])
    out = "".join(code[0]["outputs"][0]["data"]["text/markdown"])
    assert out == notation_markdown(), "re-execute notation_reference.ipynb after changing notation.py"
    text = "".join("".join(c["source"]) for c in NB["cells"])
    assert "](notation_reference.ipynb)" in text and "notation_markdown" not in text


def test_lesson_00_states_its_core_path_and_tells_the_truth_about_widget_text():
    first = "".join(NB["cells"][0]["source"])
    assert "Core path: about" in first
    text = "".join("".join(c["source"]) for c in NB["cells"])
    assert "Trust" in text and "the notes" not in text and "the slides" not in text


def test_every_link_in_lesson_00_names_a_file_that_exists_and_every_companion_is_on_the_map():
    text = "".join("".join(c["source"]) for c in NB["cells"] if c["cell_type"] == "markdown")
    links = re.findall(r"\]\(([^)\s#]+)(?:#[^)]*)?\)", text)
    assert links, "lesson 00 links the lessons"
    missing = [link for link in links if "://" not in link
               and not (ROOT / "notebooks" / link).exists()]
    assert not missing, f"lesson 00 links files that do not exist: {missing}"
    companions = {p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]b_*_deep_dive.ipynb")}
    assert companions <= set(links), f"deep-dive companions missing from the map: {companions - set(links)}"


def test_lesson_00_explains_pacing_study_questions_and_what_to_do_first():
    text = "".join("".join(c["source"]) for c in NB["cells"] if c["cell_type"] == "markdown")
    for phrase in ("What to do first", "Core path", "Deep dive", "Hint", "Worked answer",
                   "Self-check quiz", "settings"):
        assert phrase.lower() in text.lower(), f"lesson 00 does not explain {phrase!r}"
    assert text.index("Hint") < text.index("Worked answer"), "the hint fold comes first"


def test_the_widget_message_covers_what_a_saved_notebook_shows():
    """Untrusted: saved controls show as text; trusted but from a stopped kernel: model not
    found. JupyterLab 4 has "Trust Notebook" in the command palette, not in the File menu."""
    cell = next("".join(c["source"]) for c in NB["cells"]
                if c["cell_type"] == "markdown" and "".join(c["source"]).startswith("## Do widgets work"))
    for phrase in ("VBox(children=", "not trusted", "Trust Notebook", "Command Palette",
                   "model not found", "after running the cell"):
        assert phrase in cell, phrase
