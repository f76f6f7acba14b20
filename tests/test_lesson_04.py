"""Lesson 04's symbolic claims, run on the library's code, and each one shown to fail when
its formula is changed."""
import json
import pathlib

import numpy as np
import pytest
import sympy as sp

from course_lib.averages import (debias, mean_gammas, moving_average_weights, running_average,
                                 running_averages)
from course_lib.proofs import Proof, ProofError, check_equal, check_true, limit_for_decay

gamma = sp.Symbol("gamma", positive=True)
T, t = sp.symbols("T t", integer=True, positive=True)


def expansion_steps(w):
    """[RA-1] induction with a claimed weight w(T, t) on c_t in C_T."""
    c1 = sp.Symbol("c_1")
    check_equal(running_average(0, c1, gamma), w(1, 1) * c1, "base case")
    check_equal(running_average(w(T - 1, t), 0, gamma), w(T, t), "old input")
    check_equal(running_average(0, 1, gamma), w(T, T), "newest input")


def test_ra1_expansion_holds():
    expansion_steps(lambda T, t: gamma ** (T - t) * (1 - gamma))


@pytest.mark.parametrize("wrong", [
    lambda T, t: gamma ** (T - t + 1) * (1 - gamma),    # off-by-one exponent
    lambda T, t: gamma ** (T - t) * gamma,              # gamma and 1 - gamma swapped
    lambda T, t: (1 - gamma) / T,                        # uniform weights
])
def test_ra1_expansion_fails_on_a_wrong_formula(wrong):
    with pytest.raises(ProofError):
        expansion_steps(wrong)


def test_ra1_closed_form_on_eight_symbolic_inputs():
    cs = sp.symbols("c_1:9")
    Cs = running_averages(cs, gamma)
    for n in range(1, 9):
        check_equal(Cs[n - 1], sum(w * c for w, c in zip(moving_average_weights(gamma, n), cs)))
    with pytest.raises(ProofError):
        check_equal(Cs[3], sum(c * (1 - gamma) for c in cs[:4]))


def mean_steps(schedule, weight):
    check_equal(running_average(weight(t - 1), 0, schedule(t)), weight(t), "old input")
    check_equal(running_average(0, 1, schedule(t)), weight(t), "new input")


def ra2_proof(schedule=mean_gammas, gamma_1=0, first=None):
    """Lesson 04's [RA-2] proof, step for step as the notebook states it, with the claimed
    gamma_1 and the claimed C_1 (default c_1) as parameters."""
    c1 = sp.Symbol("c_1")
    proof = Proof("gamma_t = (t-1)/t gives the mean")
    proof.step(schedule(sp.Integer(1)), gamma_1, "gamma_1 = 0, so C_1 = c_1")
    proof.step(running_average(0, c1, schedule(sp.Integer(1))), c1 if first is None else first,
               "C_1 from C_0 = 0")
    proof.step(running_average(1 / (t - 1), 0, schedule(t)), 1 / t, "old input: 1/(t-1) -> 1/t")
    proof.step(running_average(0, 1, schedule(t)), 1 / t, "new input gets 1/t")
    return proof


def test_ra2_mean_schedule():
    check_equal(mean_gammas(sp.Integer(1)), 0)
    mean_steps(mean_gammas, lambda n: 1 / n)
    ra2_proof()


@pytest.mark.parametrize("wrong_schedule", [lambda n: 1 / n, lambda n: (n - 1) / (n + 1)])
def test_ra2_fails_for_other_schedules(wrong_schedule):
    with pytest.raises(ProofError):
        mean_steps(wrong_schedule, lambda n: 1 / n)
    with pytest.raises(ProofError):
        ra2_proof(wrong_schedule)


@pytest.mark.parametrize("claim", [1, sp.Rational(1, 2), -1, sp.Symbol("gamma")])
def test_ra2_base_step_gamma_1_equals_0_fails_when_changed(claim):
    """The step "gamma_1 = 0" is checked, not assumed: any other claimed gamma_1 fails."""
    with pytest.raises(ProofError, match="gamma_1 = 0"):
        ra2_proof(gamma_1=claim)
    with pytest.raises(ProofError):
        check_equal(mean_gammas(sp.Integer(1)), claim)


def test_ra2_first_average_is_c1_and_a_changed_claim_fails():
    c1 = sp.Symbol("c_1")
    with pytest.raises(ProofError, match="C_1 from C_0 = 0"):
        ra2_proof(first=c1 / 2)
    with pytest.raises(ProofError):                 # a schedule with gamma_1 = 1/2 halves c_1
        ra2_proof(lambda n: 1 - 1 / (n + 1), gamma_1=sp.Rational(1, 2))


K = sp.Symbol("K", integer=True, positive=True)


def age_weighted_sum(n):
    """sum_{j=0}^{n} j w_j with the library's weights, age j = 0 newest (as lesson 04)."""
    w = moving_average_weights(gamma, n + 1)[::-1]
    return sum(j * w_j for j, w_j in enumerate(w))


def cut_off_age_sum(n):
    """Lesson 04's claim for sum_{j=0}^{n} j w_j, a stream cut at age n."""
    return gamma * (1 - gamma ** n) / (1 - gamma) - n * gamma ** (n + 1)


def limit_as_K_grows(expr):
    """K -> oo for 0 < gamma < 1: the proof helper the lesson uses."""
    return limit_for_decay(expr, K, gamma)


def mean_age_steps(claim):
    for n in (1, 2, 3, 6):
        check_equal(age_weighted_sum(n), claim(n), f"K = {n}")
    check_equal(claim(K - 1) + K * gamma ** K * (1 - gamma), claim(K), "induction step")


def test_ra3_mean_age_derived_on_the_library_weights():
    mean_age_steps(cut_off_age_sum)
    mean_age = limit_as_K_grows(cut_off_age_sum(K))
    check_equal(mean_age, gamma / (1 - gamma))
    check_equal(mean_age + 1, 1 / (1 - gamma))
    with pytest.raises(ProofError):
        check_equal(mean_age + 1, gamma / (1 - gamma))


def test_ra3_algebra_steps_are_checked_as_equations_and_fail_when_changed():
    """The induction step and the limit are algebra, not library output: the lesson shows
    them with Proof.holds(Eq(...)) ("checked:"), which must reject a wrong right-hand side."""
    proof = Proof("age-weighted sum")
    step = sp.Eq(cut_off_age_sum(K - 1) + K * gamma ** K * (1 - gamma), cut_off_age_sum(K),
                 evaluate=False)
    proof.holds(step, "induction")
    proof.holds(sp.Eq(limit_as_K_grows(cut_off_age_sum(K)), gamma / (1 - gamma), evaluate=False))
    with pytest.raises(ProofError):
        proof.holds(sp.Eq(cut_off_age_sum(K - 1) + K * gamma ** K * (1 - gamma),
                          cut_off_age_sum(K + 1), evaluate=False))
    with pytest.raises(ProofError):
        proof.holds(sp.Eq(limit_as_K_grows(cut_off_age_sum(K)), 1 / (1 - gamma), evaluate=False))
    assert "library:" not in proof.steps[0]._math_block()


def test_ra3_the_cut_off_sum_is_the_mean_age_minus_a_tail_that_vanishes():
    """The lesson's limit proof: sum = gamma/(1-gamma) - tail (algebra), and the tail's limit is
    0 once gamma = e^(-s), s > 0. A wrong tail, or a tail that does not vanish, fails."""
    s = sp.Symbol("s", positive=True)
    tail = gamma ** (K + 1) * (K + 1 / (1 - gamma))
    check_true(sp.Eq(cut_off_age_sum(K), gamma / (1 - gamma) - tail, evaluate=False))
    check_true(sp.Eq(sp.Limit(tail.subs(gamma, sp.exp(-s)), K, sp.oo), 0, evaluate=False))
    with pytest.raises(ProofError):                                     # K gamma^K dropped
        check_true(sp.Eq(cut_off_age_sum(K), gamma / (1 - gamma) - gamma ** (K + 1) / (1 - gamma),
                         evaluate=False))
    with pytest.raises(ProofError):                                     # gamma > 1: no limit 0
        check_true(sp.Eq(sp.Limit(tail.subs(gamma, sp.exp(s)), K, sp.oo), 0, evaluate=False))

@pytest.mark.parametrize("wrong", [
    lambda n: gamma * (1 - gamma ** n) / (1 - gamma),                       # boundary term dropped
    lambda n: gamma * (1 - gamma ** n) / (1 - gamma) - n * gamma ** n,      # wrong boundary term
    lambda n: gamma / (1 - gamma) ** 2 - n * gamma ** (n + 1),              # sum of j gamma^j
])
def test_ra3_mean_age_fails_on_a_wrong_cut_off_formula(wrong):
    with pytest.raises(ProofError):
        mean_age_steps(wrong)


def test_limit_helper_is_not_a_rubber_stamp():
    assert limit_as_K_grows(gamma ** K) == 0
    check_equal(limit_as_K_grows(1 - gamma ** K), 1)
    with pytest.raises(ProofError):
        check_equal(limit_as_K_grows(cut_off_age_sum(K)), gamma / (1 - gamma) ** 2)


def test_ra3_weight_sum_by_induction_on_running_average():
    """The weights of C_T sum to S_T = running_average(S_{T-1}, 1, gamma) = 1 - gamma^T."""
    check_equal(running_average(0, 1, gamma), 1 - gamma)
    check_equal(running_average(1 - gamma ** (T - 1), 1, gamma), 1 - gamma ** T)
    for n in (2, 3, 7):
        check_equal(sum(moving_average_weights(gamma, n)), 1 - gamma ** n)
    with pytest.raises(ProofError):
        check_equal(running_average(1 - gamma ** (T - 1), 1, gamma), 1 - gamma ** (T + 1))
    with pytest.raises(ProofError):
        check_equal(running_average(1 - gamma ** (T - 1), 1, gamma), 1 - gamma ** (T - 1))


def test_numbers_quoted_in_the_lesson():
    """Study questions and quiz: 0.95 for a window of 20 carrying 0.642; 298.1 -> 299 steps
    at gamma = 0.99 (about three windows), about 3000 at 0.999; 0.651 at gamma = 0.9; 1 - 1/e."""
    assert 1 / (1 - 0.95) == pytest.approx(20)
    assert round(1 - 0.95 ** 20, 3) == 0.642
    assert round(np.log(0.05) / np.log(0.99), 1) == 298.1
    assert int(np.ceil(np.log(0.05) / np.log(0.99))) == 299 and 2.5 < 299 / 100 < 3.5
    assert np.log(0.05) / np.log(0.999) == pytest.approx(3000, rel=0.01)
    assert round(1 - 0.9 ** 10, 3) == 0.651
    assert 1 - (1 - 1 / 1e6) ** 1e6 == pytest.approx(1 - np.exp(-1), abs=1e-6)
    assert round(1 - np.exp(-1), 2) == 0.63
    assert 0.9 / (1 - 0.9) == pytest.approx(9)
    # "about three windows" for every gamma near 1: ln(1/0.05) = ln 20 is about 3
    assert np.log(20) == pytest.approx(3, abs=0.01)
    for g in (0.9, 0.99, 0.999):
        assert np.log(0.05) / np.log(g) * (1 - g) == pytest.approx(3, rel=0.06)


def test_ra3_debias_restores_a_constant_and_a_wrong_correction_fails():
    c = sp.Symbol("c")
    for n in range(1, 6):
        check_equal(debias(running_averages([c] * n, gamma)[-1], gamma, n), c)
    with pytest.raises(ProofError):
        check_equal(running_averages([c] * 3, gamma)[-1] / (1 - gamma ** 2), c)


# --- the lesson's structure (issue 16) -------------------------------------------------------

NB = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "04_running_averages.ipynb"


def cells():
    return json.loads(NB.read_text())["cells"]


def text(cell):
    return "".join(cell["source"])


def test_study_questions_have_a_hint_then_a_worked_answer():
    questions = [c for c in cells() if c["cell_type"] == "markdown" and "Study question" in text(c)]
    assert len(questions) == 3
    for c in questions:
        s = text(c)
        assert "[RA-" in s.split("\n")[0], "the heading names its COURSE_MAP id"
        hint, answer = s.find("<summary>Hint</summary>"), s.find("<summary>Worked answer</summary>")
        assert 0 < hint < answer, "a Hint fold, then a Worked-answer fold"


def test_no_sympy_plumbing_and_a_settings_cell_per_experiment():
    code = [text(c) for c in cells() if c["cell_type"] == "code"]
    assert not any(".args[0]" in s for s in code), "sympy internals belong behind a named helper"
    settings = [c for c in cells() if "settings" in c["metadata"].get("tags", [])]
    assert len(settings) == 3
    names = {line.split("=")[0].strip() for c in settings for line in text(c).splitlines() if "=" in line}
    assert {"GAMMA", "GAMMAS", "SEED", "T_CONST"} <= names and all(n.isupper() for n in names)
    assert any("gamma_explorer(signal, gamma=GAMMA)" in s for s in code)
    assert any("$\\gamma = {GAMMA}$" in s for s in code), "the bias figure's title uses GAMMA"


def test_the_lesson_states_the_proofs_as_the_tests_check_them():
    """The notebook's [RA-2] proof has the steps ra2_proof repeats, and its algebra-only steps
    (induction on the cut-off sum, the limit) use holds, so none is labelled "library"."""
    code = "\n".join(text(c) for c in cells() if c["cell_type"] == "code")
    for why in ('"$\\\\gamma_1 = 0$, so $C_1 = c_1$"', '"$C_1$ from $C_0 = 0$"',
                'r"old input: $1/(t-1) \\to 1/t$"', '"new input gets $1/t$"'):
        assert why in code, why
    assert "proof.holds(sp.Eq(cut_off_age_sum(K_ - 1) + K_ * w_K" in code
    # the limit: the cut-off sum is gamma/(1 - gamma) minus a tail, and the tail's limit is shown
    assert "proof.holds(sp.Eq(cut_off_age_sum(K_), gamma / (1 - gamma) - tail" in code
    assert "proof.holds(sp.Eq(sp.Limit(tail.subs(gamma, sp.exp(-s)), K_, sp.oo), 0" in code
    assert code.count("proof.holds(sp.Eq(mean_age") == 1
    assert "cut_off_mean_age" not in code, "the cut-off sum is not a mean (its weights sum to < 1)"


def test_colours_follow_gamma_and_the_table_stream_grows_with_the_window():
    code = "\n".join(text(c) for c in cells() if c["cell_type"] == "code")
    assert "OTHER_COLORS[i]" not in code, "one colour per gamma value, the same in both figures"
    assert code.count("color=color_of_gamma(gm)") == 3
    assert "STREAM_WINDOWS * effective_window(gm)" in code


def test_core_path_quiz_and_sources():
    all_cells = cells()
    first = text(all_cells[0])
    assert "Core path: about" in first
    minutes = int(first.split("Core path: about")[1].split("minutes")[0])
    assert minutes <= 60
    quiz = next(text(c) for c in all_cells if c["cell_type"] == "code" and "Quiz(" in text(c))
    assert quiz.count("Statement(") in range(4, 7) and quiz.count(", False,") >= 2
    mentions = [i for i, c in enumerate(all_cells)
                if any(w in text(c) for w in ("the notes", "the slides", "seed notes"))]
    sources = next(i for i, c in enumerate(all_cells) if "## Sources" in text(c))
    assert sources == len(all_cells) - 1, "Sources is the last section"
    assert all(i == sources for i in mentions)


def test_the_window_is_explained_and_the_colours_say_what_they_mark():
    """Why the window is the mean age + 1; the bias figure colours quantities, not gammas;
    momentum's velocity carries eta/(1 - gamma)."""
    md = "\n".join(text(c) for c in cells() if c["cell_type"] == "markdown")
    assert "ages start at 0" in md
    assert "colours mark the quantity, not $\\gamma$" in md
    assert "scaled by $\\eta/(1-\\gamma)$" in md


def test_the_table_checks_are_guarded_by_the_stream_length():
    """A short stream (STREAM_WINDOWS < 20) prints what it shows instead of stopping the lesson."""
    table = next(text(c) for c in cells() if c["cell_type"] == "code" and "rows = []" in text(c))
    assert "if STREAM_WINDOWS >= 20:" in table and "else:" in table
    assert table.index("if STREAM_WINDOWS >= 20:") < table.index("assert all(")
