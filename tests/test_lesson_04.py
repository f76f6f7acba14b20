"""Lesson 04's symbolic claims, run on the library's code, and each one shown to fail when
its formula is changed."""
import pytest
import sympy as sp

from course_lib.averages import (debias, mean_gammas, moving_average_weights, running_average,
                                 running_averages)
from course_lib.proofs import ProofError, check_equal

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


def test_ra2_mean_schedule():
    check_equal(mean_gammas(sp.Integer(1)), 0)
    mean_steps(mean_gammas, lambda n: 1 / n)


@pytest.mark.parametrize("wrong_schedule", [lambda n: 1 / n, lambda n: (n - 1) / (n + 1)])
def test_ra2_fails_for_other_schedules(wrong_schedule):
    with pytest.raises(ProofError):
        mean_steps(wrong_schedule, lambda n: 1 / n)


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
