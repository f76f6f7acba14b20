"""Figures for lecturers (tools/export_figures.py): names by lesson and COURSE_MAP id, captions,
SVG + PNG from a re-executed copy, and the committed notebooks left untouched."""
from __future__ import annotations

import importlib.util
import json
import pathlib
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("export_figures", ROOT / "tools" / "export_figures.py")
ef = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ef)

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg=="


def md(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def fig_cell(info=None, svg=True):
    data = {"image/png": PNG, "text/plain": "<Figure>"}
    if svg:
        data["image/svg+xml"] = "<svg/>"
    if info:
        data[ef.FIGURE_INFO] = json.dumps(info)
    return {"cell_type": "code", "metadata": {}, "source": "plot()", "execution_count": 1,
            "outputs": [{"output_type": "display_data", "metadata": {}, "data": data}]}


INFO = {"suptitle": "Three momenta", "legend": [],
        "axes": [{"title": "gamma = 0.9", "xlabel": "t", "ylabel": "V_t", "legend": ["V", "bound"]}]}
NB = {"cells": [md("# 05 · Momentum\n\nCore path."), fig_cell(INFO),
                md("## The velocity form [MO-1]"), fig_cell(INFO),
                md("### Measured, without an id"), fig_cell(INFO),
                md("## Deep dive: step bounds [AM-4] [AM-5]"), fig_cell(svg=False)]}


def test_figures_are_named_by_the_nearest_heading_that_names_an_id():
    found = ef.figures(NB)
    assert [f["cell"] for f in found] == [1, 3, 5, 7]
    assert ef.names(found) == ["fig_1", "MO-1_1", "MO-1_2", "AM-4_1"]
    assert found[2]["section"] == "Measured, without an id"
    assert found[2]["path"] == ["The velocity form [MO-1]", "Measured, without an id"]
    assert found[3]["ids"] == ["AM-4", "AM-5"]


def test_a_caption_gives_lesson_section_title_panels_legend_and_source():
    found = ef.figures(NB)
    text = ef.caption(found[2], "MO-1_2", "05 · Momentum", "notebooks/05_momentum.ipynb", True)
    for part in ["05 · Momentum: figure MO-1_2", "Section: The velocity form [MO-1] > Measured",
                 "COURSE_MAP ids: MO-1", "Title: Three momenta",
                 "Plot: gamma = 0.9 (x: t, y: V_t)", "Legend: V; bound", "cell 5"]:
        assert part in text, part
    animated = ef.caption(found[3], "AM-4_1", "05", "x.ipynb", True)
    assert "PNG only" in animated


def test_the_svg_loses_its_date_only():
    svg = "<svg>\n <metadata><dc:date>2026-12-01T03:00:00</dc:date><dc:format>x</dc:format>\n</svg>"
    assert ef.clean_svg(svg) == "<svg>\n <metadata><dc:format>x</dc:format>\n</svg>"


def test_png_only_exports_the_committed_pictures_of_a_lesson(tmp_path):
    lesson = ROOT / "notebooks" / "04_running_averages.ipynb"
    before = lesson.read_bytes()
    written, seconds = ef.export(lesson, tmp_path, png_only=True)
    committed = sum("image/png" in o.get("data", {}) for c in json.loads(before)["cells"]
                    for o in c.get("outputs", []))
    assert len(written) == committed > 0 and seconds == 0.0
    assert all(w["name"].startswith("RA-") for w in written)
    folder = tmp_path / "04_running_averages"
    assert sorted(p.suffix for p in folder.iterdir()) == [".png"] * committed + [".txt"] * committed
    assert lesson.read_bytes() == before


def test_a_re_executed_notebook_gives_svg_png_and_caption_and_stays_unwritten(tmp_path):
    """One small notebook run for real (about 3-6 s: a kernel and matplotlib)."""
    for module in ("nbclient", "nbformat", "ipykernel", "matplotlib_inline"):
        pytest.importorskip(module)
    nb = {"cells": [md("# 98 · Tiny\n\n## Plots [RA-1]"),
                    {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                     "source": "import matplotlib.pyplot as plt\n"
                               "fig, ax = plt.subplots(figsize=(3, 2))\n"
                               "ax.plot([0, 1], label='line'); ax.legend()\n"
                               "ax.set(title='a line', xlabel='t', ylabel='y')\n"
                               "fig.suptitle('One figure');"},
                    md("### No id here"),
                    {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                     "source": "plt.figure(figsize=(2, 2)); plt.plot([1, 0]);"}],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                      "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    for i, cell in enumerate(nb["cells"]):
        cell["id"] = f"c{i:03d}"
    path = tmp_path / "98_tiny.ipynb"
    path.write_text(json.dumps(nb))
    before = path.read_bytes()
    t0 = time.perf_counter()
    written, seconds = ef.export(path, tmp_path / "out")
    assert path.read_bytes() == before, "the export wrote to the notebook"
    assert [w["name"] for w in written] == ["RA-1_1", "RA-1_2"]
    folder = tmp_path / "out" / "98_tiny"
    svg = (folder / "RA-1_1.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "<dc:date>" not in svg
    assert (folder / "RA-1_1.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    caption = (folder / "RA-1_1.txt").read_text()
    assert "Title: One figure" in caption and "Plot: a line (x: t, y: y)" in caption
    assert "Legend: line" in caption
    assert "Section: Plots [RA-1] > No id here" in (folder / "RA-1_2.txt").read_text()
    print("exported 2 figures in %.1f s (kernel run %.1f s)" % (time.perf_counter() - t0, seconds))
