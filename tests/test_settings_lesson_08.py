"""Lesson 08 (and its deep dive) run with changed settings, and the figures say which settings
they show (issue 16: beta2 = 0.99 made two cells fail with bare AssertionErrors, one of them
measuring with the default betas while predicting with the new ones)."""
import pathlib

import pytest

pytest.importorskip("nbclient")
from notebook_settings import run_with_settings  # noqa: E402  (tests/ is on sys.path)

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / "notebooks"
LESSON = NOTEBOOKS / "08_adam.ipynb"
DEEP_DIVE = NOTEBOOKS / "08b_adam_deep_dive.ipynb"


@pytest.fixture(scope="module")
def student():
    """What the student tried: beta2 = 0.99 alone."""
    return run_with_settings(LESSON, {"BETA2": 0.99})


@pytest.fixture(scope="module")
def changed():
    """Both betas changed, plus one more setting of each experiment."""
    return run_with_settings(LESSON, {"BETA1": 0.8, "BETA2": 0.99, "MU": 0.3,
                                      "LAMBDAS": (0.2, 2.0)})


def test_beta2_099_runs_without_errors(student):
    assert student.errors == []


def test_beta2_099_figures_carry_the_value(student):
    texts = student.figure_texts
    assert any("Zero start" in t and r"\beta_2 = 0.99$" in t for t in texts), texts
    assert any("Constant gradient" in t and r"\beta_2 = 0.99$" in t for t in texts), texts
    assert not any(r"\beta_2 = 0.999$" in t for t in texts), "a title still shows the default"


def test_beta2_099_first_uncorrected_step_is_eta(student):
    """At beta1 = 0.9, beta2 = 0.99 the two biases cancel: the uncorrected first step is eta."""
    out = "\n".join(student.text_outputs)
    assert "uncorrected first step: [-0.1  0.1]" in out, out


def test_changed_settings_run_without_errors(changed):
    assert changed.errors == []


def test_changed_settings_reach_every_figure(changed):
    texts = changed.figure_texts
    both = r"$\beta_1 = 0.8$, $\beta_2 = 0.99$"
    assert any("Zero start" in t and both in t for t in texts), texts
    assert any("Constant gradient" in t and both in t for t in texts), texts
    for lam in (0.2, 2.0):
        assert any(rf"$\lambda = {lam}$" in t and "ignores" in t for t in texts), texts
        assert any(rf"$\lambda = {lam}$" in t and "pulls" in t for t in texts), texts
    assert not any(r"\lambda = 0.1$" in t or r"\lambda = 1.0$" in t for t in texts)
    assert any("AdamW: predicted limit" in t for t in texts), texts


def test_changed_settings_long_adamw_run_follows(changed):
    """The longer AdamW run uses the smallest of the new LAMBDAS."""
    out = "\n".join(changed.text_outputs)
    assert "AdamW, lambda = 0.2: w_2 = " in out and "predicted limit 3" in out, out


def test_changed_settings_predictions_follow(changed):
    """The cancelling beta2 and the correction's fading are computed for the new betas."""
    out = "\n".join(changed.text_outputs)
    assert "beta1 = 0.8: the biases cancel at beta2 = 0.96" in out, out
    assert "beta2 = 0.99: correction factor below 1.01 from t = 460 on" in out, out


def test_deep_dive_runs_with_changed_settings():
    result = run_with_settings(DEEP_DIVE, {"BETA2": 0.99, "BETA1": 0.8, "C_REDDI": 4.0})
    assert result.errors == []
    texts = result.figure_texts
    assert any(r"$\beta_1 = 0.8$, $\beta_2 = 0.99$" in t for t in texts), texts
    assert any("$C = 4$" in t for t in texts), texts


def test_edge_settings_run_and_say_what_they_show():
    """beta1 = 0 (no momentum: nothing to correct in m), lambda = 0 (no decay) and a step size
    too small to reach the L2 optimum in STEPS_W updates: the lesson runs, and says so."""
    result = run_with_settings(LESSON, {"BETA1": 0.0, "LAMBDAS": (0.0, 0.5), "ETA_W": 0.002})
    assert result.errors == []
    out = "\n".join(result.text_outputs)
    assert "beta1 = 0.0: correction factor below 1.01 from t = 1 on" in out, out
    assert "from the L2 optimum after 1500 steps; raise STEPS_W" in out, out
    texts = result.figure_texts
    assert any(r"$\lambda = 0.0$, $\eta = 0.002$" in t for t in texts), texts
    assert "AdamW, lambda = 0.0: w_2 = " in out, out
