"""Every notebook is saved in the form tools/run_notebooks.py writes: the metadata JupyterLab
itself writes after Run All (so opening and running a lesson changes nothing but outputs),
widget state for the widgets it shows, stable cell ids, no timings."""
import importlib.util
import json
import pathlib
import re

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
_spec = importlib.util.spec_from_file_location("run_notebooks", ROOT / "tools" / "run_notebooks.py")
run_notebooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run_notebooks)


def metadata_problems(nb: dict) -> list[str]:
    problems = []
    meta = nb["metadata"]
    if set(meta) - {"kernelspec", "language_info", "widgets"}:
        problems.append(f"extra metadata keys {sorted(set(meta) - {'kernelspec', 'language_info', 'widgets'})}")
    if meta.get("kernelspec") != run_notebooks.KERNELSPEC:
        problems.append(f"kernelspec {meta.get('kernelspec')}")
    info = meta.get("language_info", {})
    if set(info) != run_notebooks.LANGUAGE_INFO_KEYS or info.get("name") != "python":
        problems.append(f"language_info keys {sorted(info)} (re-run with tools/run_notebooks.py)")
    views = run_notebooks.shown_models(nbformat.from_dict(nb))
    state = meta.get("widgets", {}).get(run_notebooks.WIDGET_STATE, {}).get("state", {})
    if views - set(state):
        problems.append(f"{len(views - set(state))} widget view(s) without saved state")
    if views and set(state) != run_notebooks.reachable(state, views):
        problems.append("saved widget state holds models no output shows")
    for i, cell in enumerate(nb["cells"]):
        if cell.get("id") != f"c{i:03d}":
            problems.append(f"cell {i} has id {cell.get('id')!r}")
        if {"execution", "collapsed", "scrolled"} & set(cell["metadata"]):
            problems.append(f"cell {i} keeps timing/view metadata")
        for out in cell.get("outputs", []):
            if "course_lib" in out.get("metadata", {}):
                problems.append(f"cell {i} keeps a live-only widget view")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_saved_in_canonical_form(path):
    problems = metadata_problems(json.loads(path.read_text()))
    assert not problems, f"{path.name}: " + "; ".join(problems)


def test_every_notebook_was_run_on_the_same_python():
    versions = {json.loads(p.read_text())["metadata"].get("language_info", {}).get("version")
                for p in NOTEBOOKS}
    assert len(versions) == 1, f"re-run all notebooks on one Python: {versions}"


def test_run_notebooks_writes_the_canonical_form(tmp_path):
    """A slider's state is saved, an unused widget's is not; a quiz keeps only its static form."""
    pytest.importorskip("nbclient", reason="executing needs nbclient (JupyterLab's install has it; "
                        "test-pythons' minimal venvs do not)")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import ipywidgets as w\nslider = w.IntSlider(value=3)\n"
                                          "unused = w.IntSlider(value=5)\nslider"),
                nbformat.v4.new_code_cell("from course_lib.polls import POLLS\nPOLLS['POLL-3'].show()"),
                nbformat.v4.new_markdown_cell("end", metadata={"collapsed": True})]
    path = tmp_path / "t.ipynb"
    nbformat.write(nb, path)
    run_notebooks.run(str(path))
    saved = json.loads(path.read_text())
    assert metadata_problems(saved) == []
    state = saved["metadata"]["widgets"][run_notebooks.WIDGET_STATE]["state"]
    assert sorted(m["model_name"] for m in state.values()) == ["IntSliderModel", "LayoutModel",
                                                               "SliderStyleModel"]
    assert next(m for m in state.values() if m["model_name"] == "IntSliderModel")["state"]["value"] == 3
    quiz = saved["cells"][1]["outputs"][0]
    assert set(quiz["data"]) == {"text/markdown", "text/plain"} and "<details>" in "".join(quiz["data"]["text/markdown"])
    assert re.fullmatch(r"3\.\d+\.\d+.*", saved["metadata"]["language_info"]["version"])
