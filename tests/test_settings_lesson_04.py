"""Lesson 04 runs with changed settings, and its figures say which settings they show (issue 16:
gamma = 0.99 left the bias figure titled gamma = 0.9, and its window marker fell off the
slider's 60-wide weights panel)."""
import pathlib

import pytest

pytest.importorskip("nbclient")
from notebook_settings import run_with_settings  # noqa: E402  (tests/ is on sys.path)

NB = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "04_running_averages.ipynb"


@pytest.fixture(scope="module")
def changed():
    """gamma = 0.99 (as the student tried), plus one more setting per experiment; Adam's
    beta2 = 0.999 in the window table (its long stream once stopped the lesson with an error)."""
    return run_with_settings(NB, {"GAMMA": 0.99, "T_CONST": 300,
                                  "GAMMAS": (0.3, 0.95, 0.99), "NOISE": 0.3,
                                  "PLOT_GAMMAS": (0.9, 0.99),
                                  "TABLE_GAMMAS": (0.5, 0.999)})


def test_runs_without_errors(changed):
    assert changed.errors == []


def test_bias_figure_and_slider_carry_the_new_gamma(changed):
    texts = changed.figure_texts
    assert any("Constant input 1" in t and r"\gamma = 0.99" in t for t in texts), texts
    assert not any(r"\gamma = 0.9$" in t for t in texts), "a title still says the default 0.9"
    assert any("weights on past inputs" in t and r"\gamma = 0.99" in t for t in texts), texts
    assert any("VBox(children=(FloatSlider(value=0.99," in t for t in changed.text_outputs)


def test_other_experiments_carry_their_new_values(changed):
    texts = changed.figure_texts
    for gm in (0.3, 0.95, 0.99):
        assert rf"$C_t$, $\gamma={gm}$" in texts, texts
    assert any("noise sd 0.3" in t for t in texts)
    assert r"$\gamma=0.99$" in texts        # the weights figure, now wide enough for its window


def test_the_window_table_takes_a_long_window(changed):
    """gamma = 0.999 has a 1000-input window; the table's stream grows with it, and the row
    is labelled 0.999, not rounded to 1.00."""
    table = next(t for t in changed.text_outputs if "measured mean age + 1" in t)
    row = next(line for line in table.splitlines() if line.split()[:1] == ["0.999"])
    assert row.split()[1:3] == ["1000.0", "1000.0"], row


@pytest.fixture(scope="module")
def short_stream():
    """A student shortens the table's stream and tries another seed and gamma."""
    return run_with_settings(NB, {"STREAM_WINDOWS": 5, "GAMMA": 0.5, "SEED": 11,
                                  "TABLE_GAMMAS": (0.3, 0.99)})


def test_a_short_stream_shows_the_cut_off_instead_of_stopping(short_stream):
    assert short_stream.errors == []
    outputs = "\n".join(short_stream.text_outputs)
    assert "A stream of only 5 windows" in outputs
    table = next(t for t in short_stream.text_outputs if "measured mean age + 1" in t)
    row = next(line for line in table.splitlines() if line.split()[:1] == ["0.99"])
    formula, measured = map(float, row.split()[1:3])
    assert formula == 100.0 and measured < 99.0, row     # the cut-off shortens the mean age
    assert any(r"\gamma = 0.5" in t for t in short_stream.figure_texts)
