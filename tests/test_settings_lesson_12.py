"""Lesson 12 run with changed settings: no errors, and the figures and the progress bars say
which settings they show (issue 16, "safe to change").

One run of the notebook changes knobs of every settings cell at once (fewer seeds and epochs
also keep this run cheap): the optimizers' experiment (seeds, epochs, gamma, Adam's eta), the
step-size sweep (its epochs) and the schedules (eta_0, the plateau rule's factor).
"""
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from notebook_settings import missing, run_with_settings, stale  # noqa: E402

NB = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "12_training_a_network.ipynb"

# gamma = 0.99 makes momentum's predicted twin SGD with eta = 0.05 / (1 - 0.99) = 5, which
# diverges in every seed (as lr 3 and 10 do in the sweep): the lesson must report it and go on
SETTINGS = {"N_SEEDS": 2, "EPOCHS": 3, "GAMMA": 0.99, "LR_ADAM": 3e-3, "SWEEP_EPOCHS": 2,
            "ETA0": 0.5, "FACTOR": 5}



@pytest.fixture(scope="module")
def changed():
    return run_with_settings(NB, SETTINGS)


def test_lesson_12_runs_with_changed_settings(changed):
    assert changed.errors == []


def test_lesson_12_figures_follow_the_settings(changed):
    assert missing(changed.figure_texts,
                   "twin SGD, lr 5 (dash-dotted): 2 seeds x 3 epochs",      # five optimizers
                   "with batch norm (2 seeds)",                          # with and without BN
                   "Plain SGD, 2 epochs, 2 seeds",                       # the step-size sweep
                   r"mean of 2 seeds, $\eta_0=0.5$",                     # the schedules
                   "plateau, then divide by 5") == [], changed.figure_texts
    assert stale(changed.figure_texts, "5 seeds", "SGD, lr 0.5", "10 epochs", "4 epochs",
                 "divide by 10") == []


def test_lesson_12_bars_and_printed_results_follow_the_settings(changed):
    text = "\n".join(changed.text_outputs)
    assert "] 2/2  SGD, lr 5: diverged in 2 of 2 seeds (failed)" in text   # its own bar, red
    lines = [line.strip() for line in text.split("\n")]
    assert any(line.startswith("SGD, lr 5 ") and line.endswith("diverged in 2 of 2 seeds")
               for line in lines)                                   # the tables go on
    assert "SGD, lr 5    diverged in every seed" in text
    assert "nan ±" not in text
    assert "] 2/2  Adam: 2 seeds x 3 epochs" in text
    assert "] 2/2  SGD lr 10: diverged in 2 of 2 seeds (failed)" in text   # a red bar
    assert "SGD lr 3 + BN: 2 seeds x 2 epochs" in text
    assert "plateau, then divide by 5: 2 seeds x 3 epochs" in text
    assert "HBox(children=" not in text


def test_the_checks_can_fail():
    assert missing(["Plain SGD, 4 epochs, 5 seeds"], "2 seeds") == ["2 seeds"]
    assert stale(["Plain SGD, 4 epochs, 5 seeds"], "5 seeds") == ["Plain SGD, 4 epochs, 5 seeds"]
