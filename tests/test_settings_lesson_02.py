"""Lesson 02 run with changed settings: no errors, and the figures and printed results say
which settings they show (issue 16, "safe to change").

One run changes every knob at once (each run starts a kernel, the cost of this file): the
constant-step experiment, the schedules of [SC-2], the rates and averages of [SC-3]/[SC-4]
and batch descent.
"""
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from notebook_settings import missing, run_with_settings, stale  # noqa: E402

NB = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "02_step_sizes_and_convergence.ipynb"

# fewer runs and updates everywhere (cheaper), a nearer start, other constants and exponents
CHANGED = {"CONST_LR": 0.3, "UPDATES": 400, "RUNS": 100,
           "W0": -5.0, "SCHEDULE_UPDATES": 1500, "SCHEDULE_RUNS": 100,
           "RATE_UPDATES": 2000, "RATE_RUNS": 100, "C_UNITS": (1.0, 0.4),
           "KINK_CASES": ((0.6, 0.5), (1.0, 2.0)), "POLY_DECAY": 2.0,
           "BATCH_LR_UNITS": 0.2, "BATCH_STEPS": 100, "FLAT_DIM": 500}



@pytest.fixture(scope="module")
def changed():
    return run_with_settings(NB, CHANGED)


def test_lesson_02_runs_with_changed_settings(changed):
    assert changed.errors == []


def test_lesson_02_figures_follow_the_settings(changed):
    texts = changed.figure_texts
    assert missing(texts, r"Chasing the latest example ($\eta$ = 0.3)", r"constant $\eta = 0.3$",
                   "Mean error, start -5", "rms error over 100 runs",                    # [SC-2]
                   "c = 0.4/a: measured slope", "p = 0.6, c = 0.5: measured slope",     # [SC-3]
                   "(mean of 100)", r"Batch GD, $\eta$ = 0.2/a", "n = 500 flat directions",
                   r"polynomial-decay average ($\eta=2$)", r"$\eta_k = 0.5/k^{0.6}$") == [], texts
    assert stale(texts, "(mean of 300)", r"$\eta=3$", "start -10", r"= 0.1/a", r"$\eta = 0.5$",
                 "n = 1000", "c = 0.25/a") == []


def test_lesson_02_printed_results_follow_the_settings(changed):
    text = "\n".join(changed.text_outputs)
    assert "spread of w, constant step 0.3 (100 runs at k = 400)" in text
    assert "c =  0.4/a (2ac = 0.8)" in text and "5 groups of 20 runs" in text
    assert "p =  0.6, c = 0.5: measured slope" in text
    assert "after 2000 updates: last iterate" in text


def test_the_figure_checks_can_fail():
    assert missing(["Mean error, start -10"], "start -5") == ["start -5"]
    assert stale(["Mean error, start -10"], "start -10") == ["Mean error, start -10"]
