"""run_with_settings (tests/notebook_settings.py) on a tiny notebook: an override reaches the
figure, figure texts are collected, errors are reported, and a name that no settings cell
assigns is refused."""
import nbformat
import pytest

from notebook_settings import apply_settings, run_with_settings

SETTINGS = "GAMMA = 0.9  # weight of the old value\nSTEPS = (\n    3\n)\nLABEL = 'run'\n"
PLOT = """import matplotlib.pyplot as plt
fig, (ax, bx) = plt.subplots(1, 2)
ax.plot(range(STEPS), label=f"{LABEL}, gamma = {GAMMA}")
ax.set_title(f"gamma = {GAMMA}"); ax.set_xlabel("t"); ax.legend()
bx.text(0.5, 0.5, f"{STEPS} steps")
fig.suptitle("two panels")
print("mean age", GAMMA / (1 - GAMMA))
"""


def tiny_notebook(tmp_path, extra=()):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# tiny"),
                nbformat.v4.new_code_cell(SETTINGS, metadata={"tags": ["settings"]}),
                nbformat.v4.new_code_cell(PLOT), *extra]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, path)
    return path


def test_apply_settings_replaces_only_the_named_assignment_and_keeps_comments(tmp_path):
    nb = nbformat.read(tiny_notebook(tmp_path), as_version=4)
    new = apply_settings(nb, {"GAMMA": 0.99, "STEPS": 5})
    assert new.cells[1].source == "GAMMA = 0.99  # weight of the old value\nSTEPS = 5\nLABEL = 'run'\n"
    assert nb.cells[1].source == SETTINGS                     # the original is untouched


@pytest.mark.parametrize("overrides, match", [({"BETA": 0.5}, "no settings cell assigns it.*GAMMA"),
                                              ({"gamma": 0.5}, "UPPER_CASE"),
                                              ({"GAMMA": object()}, "Python literal")])
def test_bad_overrides_are_refused(tmp_path, overrides, match):
    with pytest.raises(ValueError, match=match):
        run_with_settings(tiny_notebook(tmp_path), overrides)


def test_a_run_collects_figure_texts_outputs_and_errors(tmp_path):
    failing = nbformat.v4.new_code_cell("assert GAMMA == 0.9, 'holds for the default GAMMA = 0.9'")
    expected = nbformat.v4.new_code_cell("1 / 0", metadata={"tags": ["raises-exception"]})
    path = tiny_notebook(tmp_path, extra=[failing, expected])
    result = run_with_settings(path, {"GAMMA": 0.5, "LABEL": "changed"}, timeout=60)
    assert "gamma = 0.5" in result.figure_texts and "changed, gamma = 0.5" in result.figure_texts
    assert {"t", "3 steps", "two panels"} <= set(result.figure_texts)
    assert not any("0.9" in text for text in result.figure_texts)
    assert any("mean age 1.0" in text for text in result.text_outputs)
    assert result.errors == ["AssertionError: holds for the default GAMMA = 0.9"]
    assert path.read_text().count("GAMMA = 0.9") == 2          # the file itself is unchanged
