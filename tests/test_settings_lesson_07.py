"""Lesson 07 run with changed settings: no errors, and the figures and printed results say
which settings they show (issue 16, "safe to change").

One run changes every knob at once (each run starts a kernel, the cost of this file).
"""
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from notebook_settings import missing, run_with_settings, stale  # noqa: E402

NB = pathlib.Path(__file__).resolve().parents[1] / "notebooks"

# a less narrow bowl and a shorter RMSprop memory; three Adagrad runs at other scales; RMSprop
# with gamma = 0.8 after a shorter steep stretch; Adadelta with rho = 0.9 and other epsilons
CHANGED = {"CURVATURES": (1.0, 20.0), "LR": 0.05, "GAMMA": 0.9, "STEPS": 100,
           "SIGMAS": (0.5, 5.0), "ADAGRAD_LR": 0.2, "RUNS": 3, "UPDATES": 300,
           "RMS_GAMMA": 0.8, "DROP_AT": 60,
           "RHO": 0.9, "EPSILONS": (1e-5, 1e-3)}



@pytest.fixture(scope="module")
def changed():
    return run_with_settings(NB / "07_adaptive_step_sizes.ipynb", CHANGED)


def test_lesson_07_runs_with_changed_settings(changed):
    assert changed.errors == []


def test_lesson_07_figures_follow_the_settings(changed):
    assert missing(changed.figure_texts,
                   "First 40 steps on the bowl h = (1, 20)",
                   r"against RMSprop ($\eta = 0.05$, $\gamma = 0.9$)",
                   r"$\sigma = 0.5$", r"$\sigma = 5$", r"Adagrad, $\eta = 0.2$", "band: all 3",
                   r"at $t = 60$; RMSprop $\gamma = 0.8$",
                   r"Adadelta ($\rho = 0.9$)", r"$\epsilon = 10^{-5}$", r"$\epsilon = 10^{-3}$") == [], \
        changed.figure_texts
    assert stale(changed.figure_texts, "h = (1, 50)", r"$\gamma = 0.99$", r"$\sigma = 0.1$",
                 r"$\sigma = 10$", "band: all 5", r"$t = 100$", r"$\rho = 0.95$",
                 r"$\epsilon = 10^{-6}$") == []


def test_lesson_07_printed_results_follow_the_settings(changed):
    text = "\n".join(changed.text_outputs)
    assert "RMSprop (eps = 0) takes the same path on h = (1, 20) as on h = (1, 1): True" in text
    assert "t >= 150: measured / predicted effective step, over 3 runs" in text
    # the first step is lr / sqrt(1 - gamma) = 0.05 / sqrt(0.1) in both coordinates
    assert "RMSprop 0.158, 0.158" in text


def test_the_figure_checks_can_fail():
    assert missing([r"Adagrad, $\eta = 0.5$"], r"\eta = 0.2") == [r"\eta = 0.2"]
    assert stale([r"on the bowl h = (1, 50)"], "h = (1, 50)") == [r"on the bowl h = (1, 50)"]
