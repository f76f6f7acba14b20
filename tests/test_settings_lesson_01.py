"""Lesson 01 run with changed settings: no errors, and the figures and printed results say
which settings they show (issue 16, "safe to change").

One run changes every knob at once (each run starts a kernel, the cost of this file): the
order experiment (CYCLE_*), the spread experiments (LR, EPOCHS, SEEDS) and the deep dive.
"""
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from notebook_settings import missing, run_with_settings, stale  # noqa: E402

NB = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "01_batch_incremental_stochastic.ipynb"

# a larger step and fewer epochs everywhere; a shorter long run, another flat direction
CHANGED = {"BATCH_LR": 0.25, "BATCH_EPOCHS": 3, "CYCLE_T": 40, "CYCLE_LR": 0.2, "CYCLE_EPOCHS": 15,
           "ORDER_SEEDS": 8, "LR": 0.1, "EPOCHS": 4, "SEEDS": 10, "LONG_EPOCHS": 40,
           "FLAT_CURVATURES": (1.0, 0.04), "STEP_GRID": (0.2, 1.0, 1.5), "FLAT_SPREADS": (0.1, 1.0)}



@pytest.fixture(scope="module")
def changed():
    return run_with_settings(NB, CHANGED)


def test_lesson_01_runs_with_changed_settings(changed):
    assert changed.errors == []


def test_lesson_01_figures_follow_the_settings(changed):
    texts = changed.figure_texts
    assert missing(texts, "Fixed order, T = 40", "Excess loss, step size 0.2",          # the cycle
                   r"Same step $\eta$ = 0.1", "epochs (T = 100 gradients each)",        # spreads
                   "incremental, mean of 10", "excess loss after 4 epochs",
                   r"Equal work, $\eta$ = 0.1",
                   r"$\sigma = 1$, $\eta = 0.1$: batch overtakes") == [], texts          # deep dive
    assert stale(texts, "step size 0.1", "T = 50", "mean of 20", "after 5 epochs",
                 r"$\eta$ = 0.05", r"$\eta = 0.05$") == []


def test_lesson_01_printed_results_follow_the_settings(changed):
    text = "\n".join(changed.text_outputs)
    assert "updates after 3 epochs of batch descent: 3 | gradient evaluations: 300" in text
    assert "reshuffled, 8 seeds" in text
    assert "excess after 4 epochs at eta = 0.1" in text
    assert "after 40 epochs: batch" in text
    assert "Hessian diag(1.0, 0.04), 4 epochs, each method at its best step of [0.2, 1.0, 1.5]" in text
    assert "sigma = 0.0:" not in text                   # FLAT_SPREADS reached the loop


def test_the_figure_checks_can_fail():
    assert missing(["Excess loss, step size 0.1"], "step size 0.2") == ["step size 0.2"]
    assert stale(["Excess loss, step size 0.1"], "step size 0.1") == ["Excess loss, step size 0.1"]
