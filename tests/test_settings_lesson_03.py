"""Lesson 03 (and its deep dive) run with changed settings: no errors, and the figures and
printed results say which settings they show (issue 16, "safe to change").

One run of each notebook changes every knob at once (each run starts a kernel, the cost of
this file). The changed values are also smaller, so the runs are quicker than the lesson.
"""
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from notebook_settings import missing, run_with_settings, stale  # noqa: E402

NB = pathlib.Path(__file__).resolve().parents[1] / "notebooks"

CORE = {"SIZES": (1, 4, 16, 64), "TRAINING_SETS": 1000,                 # [VM-1] simulation
        "N_TRAIN": 300, "ORDERS": 1500,                                  # [VM-2] without replacement
        "BATCH_SIZES": (2, 8, 32), "UPDATES": 1000, "RUNS": 100,         # [VM-3] per update / example
        "WEIGHTS": 100, "EXAMPLES": 2048, "REPEATS": 3,                  # [VM-3] per second
        "LR": 0.02, "BATCH": 32, "EPOCHS": 12, "WINDOW": 30,             # [VM-5]
        "FACTOR": 5, "PATIENCE": 2, "THRESHOLD": 0.02}                   # [VM-6]
DEEP = {"FIT_SIZES": (3, 30), "FIT_SETS": 1000, "FIT_SEEDS": 3,         # [VM-1] the biased minimum
        "ETA_KM": 0.05, "MINIBATCH": 16, "SEEDS": 8}                     # [VM-4] K-means



@pytest.fixture(scope="module")
def core():
    return run_with_settings(NB / "03_variance_and_minibatches.ipynb", CORE)


def test_lesson_03_runs_with_changed_settings(core):
    assert core.errors == []


def test_lesson_03_figures_follow_the_settings(core):
    assert missing(core.figure_texts,
                   "(1000 training sets per N)", "measured var(Loss), 1000 training sets",
                   "N = 300: var/b", "measured, 1500 batches per size",
                   "b = 2", "b = 8", "b = 32", "($C$ fitted on b = 2)",
                   "Minibatch SGD, 100 runs per batch size, 1000 updates each",
                   "100 weights", "measured (best of 3)",
                   "batch loss (b = 32)", "mean of the last 30 batch losses", "step 0.02",
                   "constant step 0.02", "divide by 5 on a plateau (patience 2)") == [], core.figure_texts
    assert stale(core.figure_texts, "2000 training sets", "N = 1000", "3000 batches", "b = 64",
                 "200 runs", "200 weights", "best of 5", "last 50", "step 0.05",
                 "divide by 10") == []


def test_lesson_03_printed_results_follow_the_settings(core):
    text = "\n".join(core.text_outputs)
    assert "b:         [1, 2, 4, 8, 16, 32, 64, 128, 256, 300]" in text
    assert "per-update gain of b = 32 over b = 2" in text and "sqrt(32/2) = 4.0" in text
    assert "mean of last 30:" in text and "at the 12 epoch ends" in text


def test_lesson_03b_runs_with_changed_settings():
    result = run_with_settings(NB / "03b_minibatch_deep_dive.ipynb", DEEP)
    assert result.errors == []
    assert missing(result.figure_texts, "K-means over 8 seeds", "online SGD, eta = 0.05 (median)",
                   "minibatch, b = 16 (median)") == [], result.figure_texts
    assert stale(result.figure_texts, "20 seeds", "eta = 0.1", "b = 32") == []
    text = "\n".join(result.text_outputs)
    assert "1000 training sets per size and seed, 3 seeds" in text
    assert [line.split()[0] for line in text.splitlines() if line[:4].strip().isdigit()
            and "(" in line][:2] == ["3", "30"]


def test_the_figure_checks_can_fail():
    assert missing(["constant step 0.05"], "step 0.02") == ["step 0.02"]
    assert stale(["constant step 0.05"], "step 0.05") == ["constant step 0.05"]
