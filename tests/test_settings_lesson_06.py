"""Lesson 06 run with changed settings: no errors, and the figures and printed results say
which settings they show (issue 16, "safe to change").

One run changes every knob at once (each run starts a kernel, the cost of this file): GAMMA
reaches both settings cells that hold it (the rates per direction, and the bowl and valley).
"""
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from notebook_settings import missing, run_with_settings, stale  # noqa: E402

NB = pathlib.Path(__file__).resolve().parents[1] / "notebooks"

# gamma = 0.8 and eta = 0.5/L keep both methods stable; fewer replicas and seeds keep it cheap
CHANGED = {"GAMMA": 0.8, "LR": 0.5, "BOWL_LR": 0.2, "VALLEY_STEPS": 400,
           "NOISE_LR": 0.01, "NOISE_GAMMA": 0.8, "REPLICAS": 40, "SEEDS": (1, 2), "UPDATES": 1000}



@pytest.fixture(scope="module")
def changed():
    return run_with_settings(NB / "06_nesterov.ipynb", CHANGED)


def test_lesson_06_runs_with_changed_settings(changed):
    assert changed.errors == []


def test_lesson_06_figures_follow_the_settings(changed):
    assert missing(changed.figure_texts,
                   r"Rate per direction, same $\eta = 0.5/L$, $\gamma = 0.8$",
                   r"Bowl $J = w^2/2$, $\eta = 0.2$, $\gamma = 0.8$",
                   r"Long valley, $\eta = 0.02$, $\gamma = 0.8$",
                   r"Minibatch regression, $\eta = 0.01$, $\gamma = 0.8$ (seed 1)",
                   "mean of 40 replicas", r"$\eta = 1/L$, 1000 updates") == [], changed.figure_texts
    # the defaults' titles (the guarantees figure keeps eta = 1/L and its fixed gamma = 0.9 label)
    assert stale(changed.figure_texts, r"$\eta = 1/L$, $\gamma = 0.9$", r"$\eta = 0.1$, $\gamma = 0.9$",
                 r"$\eta = 0.02$, $\gamma = 0.9$", "(seed 0)", "mean of 100 replicas",
                 "2000 updates") == []


def test_lesson_06_printed_results_follow_the_settings(changed):
    text = "\n".join(changed.text_outputs)
    assert "floor at W, 2 seeds" in text
    assert "(k+1)^2 (J(W_k) - J*) at k =     50     250    1000" in text
    assert "stiffest direction: eta lambda / (1 - gamma) = 0.09" in text   # 0.01 * 1.7 / 0.2


def test_the_figure_checks_can_fail():
    assert missing([r"Bowl $\eta = 0.1$"], r"\eta = 0.2") == [r"\eta = 0.2"]
    assert stale([r"Bowl $\gamma = 0.9$"], r"$\gamma = 0.9$") == [r"Bowl $\gamma = 0.9$"]
