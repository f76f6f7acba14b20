"""Lesson 09 (and its deep dive) run with changed settings: no errors, and the figures and
printed results say which settings they show (issue 16, "safe to change").

One run of each notebook changes every knob at once (each run starts a kernel, the cost of
this file); a second run of lesson 09 goes far from the defaults (GAMMA = 0.99, a step past
Nesterov's limit), where a default-only assert would fail. GAMMA reaches every momentum method
of the races, LR_FRACTION the step size eta = LR_FRACTION / L on the long valley and the
quadratic, SADDLE_Y0 the saddle's start, TOL the tolerance of the tables; the deep dive also
draws N_STARTS random starts with SEED.
"""
import pathlib
import re
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from notebook_settings import missing, run_with_settings, stale  # noqa: E402

NB = pathlib.Path(__file__).resolve().parents[1] / "notebooks"

# eta = 0.7/50 = 0.014 on the valley, 0.7/20 = 0.035 on the quadratic; y_0 ten times closer
CORE = {"GAMMA": 0.8, "LR_FRACTION": 0.7, "SADDLE_Y0": 1e-4, "TOL": 1e-4}
DEEP = {"GAMMA": 0.8, "LR_FRACTION": 0.7, "TOL": 1e-4, "N_STARTS": 4, "SEED": 1}



@pytest.fixture(scope="module")
def core():
    return run_with_settings(NB / "09_visualizing_optimizers.ipynb", CORE)


# far from the defaults: gamma near 1, eta past Nesterov's limit on the valley (h = 1.5 > 1.34)
EXTREME = {"GAMMA": 0.99, "LR_FRACTION": 1.5, "SADDLE_Y0": 1e-2}


@pytest.fixture(scope="module")
def deep():
    return run_with_settings(NB / "09b_landscapes_deep_dive.ipynb", DEEP)


def test_lesson_09_runs_with_changed_settings(core):
    assert core.errors == []


def test_lesson_09_figures_follow_the_settings(core):
    assert missing(core.figure_texts,
                   r"Beale, $\eta=0.005$", r"$\gamma=0.8$",                       # Beale's race
                   r"Long valley ($c = 50$), $\eta=0.014$, $\gamma=0.8$",         # the valley
                   r"terminal speeds ($\eta=0.014$, $\gamma=0.8$)",
                   r"Saddle from $y_0=0.0001$") == [], core.figure_texts
    assert stale(core.figure_texts, r"\gamma=0.9$", r"\eta=0.016$", r"y_0=0.001$") == []


def test_lesson_09_printed_results_follow_the_settings(core):
    text = "\n".join(core.text_outputs)
    assert "updates to f - f* <= 0.0001" in text                  # the race table's TOL
    assert "from y_0 = 0.0001" in text                            # the saddle's start
    assert "settings changed: the text below quotes the default run" in text
    assert "Momentum(lr=0.01" in text and "gamma=0.8)" in text       # eta = 0.7/50, gamma
    assert "Momentum  measured limit 0.180, predicted 0.180" in text   # 2(1 + 0.8)/20


def test_lesson_09_runs_far_from_the_defaults():
    """No cell fails, and the text says why a measurement parts from its prediction."""
    run = run_with_settings(NB / "09_visualizing_optimizers.ipynb", EXTREME)
    assert run.errors == []
    text = "\n".join(run.text_outputs)
    assert not re.search(r"\bnan\b", text)                                   # every rate is a number
    assert "div@" in text                                                   # Nesterov on the valley
    assert "the smaller root's share has not died out yet" in text           # the saddle's rates
    assert "200 updates cannot tell a slowly decaying run" in text           # the bisection


def test_lesson_09b_runs_with_changed_settings(deep):
    assert deep.errors == []
    assert missing(deep.figure_texts, r"Rosenbrock, $\eta=0.00083$", r"$\gamma=0.8$",
                   r"Quadratic ($\kappa=20$), $\eta=0.035$, $\gamma=0.8$") == [], deep.figure_texts
    assert stale(deep.figure_texts, r"\gamma=0.9$", r"\eta=0.04$") == []
    text = "\n".join(deep.text_outputs)
    assert "updates to f - f* <= 0.0001" in text and "of 4 starts" in text


def test_the_figure_checks_can_fail():
    assert missing([r"Long valley ($c = 50$), $\eta=0.016$"], r"\eta=0.014") == [r"\eta=0.014"]
    assert stale([r"Beale, $\gamma=0.9$"], r"\gamma=0.9$") == [r"Beale, $\gamma=0.9$"]
