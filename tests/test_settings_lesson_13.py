"""Lesson 13 run with changed settings: no errors, and the figures, the progress bars and the
recipe table say which settings they show (issue 16, "safe to change").

One run of the notebook changes knobs of all five settings cells at once (fewer seeds and
epochs keep it cheap): the shared knobs and the range test, the schedules (a smaller peak, a
smaller large peak, another warm-up start), clipping (another step size and threshold), weight
decay (two lambdas) and the batch sizes (another base step size).
"""
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from notebook_settings import missing, run_with_settings, stale  # noqa: E402

NB = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "13_choosing_and_tuning.ipynb"

SETTINGS = {"N_SEEDS": 2, "EPOCHS": 3, "RANGE_STEPS": 60, "GRID_ADAM": (0.003, 0.01, 0.03),
            "GRID_MOMENTUM": (0.03, 0.1), "PEAK_LR": 0.003, "LARGE_LR": 0.03, "START_FACTOR": 0.2,
            "CLIP_LR": 2.0, "MAX_NORM": 2.0, "CLIP_EPOCHS": 2, "LAMBDAS": (0.01, 1.0),
            "BATCH_SIZES": (64, 256), "BASE_LR": 0.1}


@pytest.fixture(scope="module")
def changed():
    return run_with_settings(NB, SETTINGS)


def test_lesson_13_runs_with_changed_settings(changed):
    assert changed.errors == []


def test_lesson_13_figures_follow_the_settings(changed):
    assert missing(changed.figure_texts,
                   "in 60 updates, b = 64",                                  # range test
                   "Momentum: 3 epochs, 2 seeds",                            # grid
                   "T = 63 updates, peak 0.003",                             # the schedules
                   "peak $\\eta$ = 0.003: 2 seeds x 3 epochs",
                   "Adam, peak 0.03: steps in units of $\\eta_t$",           # warm-up's steps
                   "absolute (warm-up: 1 epoch, s = 0.2)",
                   "plain SGD at lr 2: 2 seeds",                             # clipping
                   "tau = 2",
                   "Adam, lr 0.01, 3 epochs, 2 seeds",                       # weight decay
                   "scaled: lr = 0.1 b / 64") == [], changed.figure_texts    # batch size
    assert stale(changed.figure_texts, "5 seeds", "5 epochs", "in 100 updates", "peak 0.01",
                 "s = 0.1", "lr 3", "tau = 1", "lr = 0.03") == []


def test_lesson_13_bars_and_printed_results_follow_the_settings(changed):
    text = "\n".join(changed.text_outputs)
    assert "] 2/2  Adam, lr 0.003: 2 seeds x 3 epochs" in text
    assert "] 2/2  SGD, lr 2, clipped at 2: 2 seeds x 2 epochs" in text
    assert "] 2/2  Momentum, b 256, lr 0.4: " in text
    assert "eta tau = 4" in text
    assert "| a larger batch | scale the step with $b$ | 0.1 $b$ / 64 |" in text    # the recipe
    assert "HBox(children=" not in text and "nan ±" not in text


def test_the_checks_can_fail():
    assert missing(["Momentum: 5 epochs, 5 seeds"], "2 seeds") == ["2 seeds"]
    assert stale(["Momentum: 5 epochs, 5 seeds"], "5 seeds") == ["Momentum: 5 epochs, 5 seeds"]
