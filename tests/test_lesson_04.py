"""Lesson 04's symbolic claims, run on the library's code, and each one shown to fail when
its formula is changed."""
import pytest
import sympy as sp

from course_lib.averages import (debias, mean_gammas, moving_average_weights, running_average,
                                 running_averages)
from course_lib.proofs import Proof, ProofError, check_equal

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


def test_ra3_mean_age_and_weight_sum():
    k = sp.Symbol("k", integer=True, nonnegative=True)
    mean_age = sp.simplify(sp.summation(k * gamma ** k * (1 - gamma), (k, 0, sp.oo)))
    if isinstance(mean_age, sp.Piecewise):
        mean_age = mean_age.args[0][0]
    check_equal(mean_age + 1, 1 / (1 - gamma))
    with pytest.raises(ProofError):
        check_equal(mean_age + 1, gamma / (1 - gamma))
    s = sp.summation(gamma ** (T - t) * (1 - gamma), (t, 1, T))
    check_equal(s, 1 - gamma ** T)
    with pytest.raises(ProofError):
        check_equal(s, 1 - gamma ** (T + 1))


def test_ra3_debias_restores_a_constant_and_a_wrong_correction_fails():
    c = sp.Symbol("c")
    for n in range(1, 6):
        check_equal(debias(running_averages([c] * n, gamma)[-1], gamma, n), c)
    with pytest.raises(ProofError):
        check_equal(running_averages([c] * 3, gamma)[-1] / (1 - gamma ** 2), c)
