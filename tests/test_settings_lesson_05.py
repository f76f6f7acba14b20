"""Lesson 05 (and its deep dive) run with changed settings: no errors, and the figures say
which settings they show (issue 16, "safe to change")."""
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from notebook_settings import run_with_settings  # noqa: E402

NB = pathlib.Path(__file__).resolve().parents[1] / "notebooks"


def carries(texts, *fragments):
    """Every fragment appears in some figure text."""
    return [f for f in fragments if not any(f in text for text in texts)]


@pytest.mark.parametrize("overrides, expected", [
    # gamma and the step size of every core experiment
    ({"GAMMA": 0.8, "LR": 0.01},
     [r"\gamma=0.8", r"\eta=0.01", r"heavy ball, $\gamma=0.8$"]),
    # one more: the constant-gradient momenta and a stronger momentum on the valley
    ({"GAMMAS": (0.3, 0.95), "GAMMA": 0.95, "LR": 0.015},
     [r"$\gamma=0.3$: measured", r"$\gamma=0.95$: measured", r"\eta=0.015", r"\gamma=0.95"]),
])
def test_lesson_05_runs_with_changed_settings(overrides, expected):
    result = run_with_settings(NB / "05_momentum.ipynb", overrides)
    assert result.errors == []
    assert carries(result.figure_texts, *expected) == [], result.figure_texts


def test_lesson_05b_runs_with_changed_settings():
    result = run_with_settings(NB / "05b_momentum_deep_dive.ipynb",
                               {"GAMMA": 0.85, "LR": 0.06, "DROP_AT": 30})
    assert result.errors == []
    assert carries(result.figure_texts, r"\gamma=0.85", r"\eta'=0.06", "update 30") == [], \
        result.figure_texts


def test_the_figure_check_can_fail():
    assert carries(["Heavy ball, $\\eta=0.02$"], r"\eta=0.01") == [r"\eta=0.01"]
