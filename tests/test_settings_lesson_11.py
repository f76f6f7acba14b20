"""Lesson 11 run with changed settings: no errors, and the figures say which settings they
show (issue 16, "safe to change"). One run changes every experiment's knobs at once."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from notebook_settings import run_with_settings  # noqa: E402

NB = pathlib.Path(__file__).resolve().parents[1] / "notebooks"


def carries(texts, *fragments):
    """The fragments that appear in no figure text (empty when all are there)."""
    return [f for f in fragments if not any(f in text for text in texts)]


def test_lesson_11_runs_with_changed_settings():
    result = run_with_settings(NB / "11_batchnorm_backward.ipynb", {
        "SIGMA0": 0.2, "K_UNIT": 16, "GAIN": 0.5,          # the error of the eps-free formula
        "N_UNITS": 2, "K_SIZES": (4, 8, 16, 32),           # the timing (cheaper)
    })
    assert result.errors == []
    assert carries(result.figure_texts, r"$\sigma = 0.2$", "$K = 16$", "$n_l = 2$ units") == [], \
        result.figure_texts
    # the [BB-4] estimate follows the timed sizes
    assert any("at K = 32:" in text for text in result.text_outputs)


def test_the_figure_check_can_fail():
    assert carries([r"closing formula, $\sigma = 0.1$"], r"$\sigma = 0.2$") == [r"$\sigma = 0.2$"]
