"""Lesson 02's symbolic claims, on the library's own code where there is code, each one shown
to fail when its formula or claim is changed [SC-1, SC-2, SC-3, SC-4]."""
import numpy as np
import pytest
import sympy as sp

from course_lib.averages import IterateAverage, polynomial_decay_gamma, uniform_average_gamma
from course_lib.optimizers import SGD
from course_lib.proofs import ProofError, check_equal, check_true
from course_lib.schedules import inverse_power, robbins_monro, step_decay

k = sp.Symbol("k", integer=True, positive=True)
p, c = sp.symbols("p c", positive=True)
POSITIVE = sp.Interval.open(0, sp.oo)


# ---------------------------------------------------------------- [SC-2] the two series
def test_harmonic_series_diverges():
    check_true(sp.Eq(sp.summation(1 / k, (k, 1, sp.oo)), sp.oo), "harmonic series diverges")


def test_harmonic_series_claimed_finite_fails():
    with pytest.raises(ProofError):
        check_equal(sp.summation(1 / k, (k, 1, sp.oo)), sp.pi ** 2 / 6, "harmonic = pi^2/6")
    with pytest.raises(ProofError):
        check_true(sp.Eq(sp.summation(1 / k ** 2, (k, 1, sp.oo)), sp.oo), "1/k^2 diverges")


def test_basel_sum():
    check_equal(sp.summation(1 / k ** 2, (k, 1, sp.oo)), sp.pi ** 2 / 6, "Basel")


@pytest.mark.parametrize("wrong", [sp.pi ** 2 / 8, sp.pi ** 2 / 6 + sp.Rational(1, 10 ** 6), 2])
def test_basel_sum_fails_on_a_wrong_value(wrong):
    with pytest.raises(ProofError):
        check_equal(sp.summation(1 / k ** 2, (k, 1, sp.oo)), wrong, "Basel")


# ---------------------------------------------------------------- [SC-2] c/k^p
def _converges_when(term):
    """The condition on p under which sum_{k>=1} term converges, as sympy attaches it."""
    s = sp.summation(term, (k, 1, sp.oo))
    assert isinstance(s, sp.Piecewise), s
    return [cond for _, cond in s.args if cond != True][0]


def robbins_monro_set():
    """Exponents p for which the library's schedule c/k^p meets both conditions. The
    schedule runs on sympy symbols; c > 0 is a constant factor, which changes no sum's
    convergence, so it is divided out before sympy sums."""
    eta = inverse_power(c=c, p=p)(k)                       # the library's eta_k, symbolic
    check_equal(eta, c / k ** p, "the schedule is c/k^p")
    steps_diverge = sp.solveset(sp.Not(_converges_when(sp.simplify(eta / c))), p, POSITIVE)
    squares_converge = sp.solveset(_converges_when(sp.simplify(eta ** 2 / c ** 2)), p, POSITIVE)
    check_true(sp.Eq(steps_diverge, sp.Interval.Lopen(0, 1)), "sum c/k^p diverges iff p <= 1")
    check_true(sp.Eq(squares_converge, sp.Interval.open(sp.Rational(1, 2), sp.oo)),
               "sum c^2/k^2p converges iff p > 1/2")
    return sp.Intersection(steps_diverge, squares_converge)


def test_robbins_monro_exactly_when_half_lt_p_le_one():
    check_true(sp.Eq(robbins_monro_set(), sp.Interval.Lopen(sp.Rational(1, 2), 1)),
               "both conditions iff 1/2 < p <= 1")


@pytest.mark.parametrize("wrong", [
    sp.Interval(sp.Rational(1, 2), 1),                     # p = 1/2 included
    sp.Interval.open(sp.Rational(1, 2), 1),                # p = 1 excluded
    sp.Interval.Lopen(0, 1),                               # only the first condition
    sp.Interval.Lopen(sp.Rational(1, 2), 2),
])
def test_robbins_monro_fails_on_a_changed_interval(wrong):
    both = robbins_monro_set()
    with pytest.raises(ProofError):
        check_true(sp.Eq(both, wrong), "a changed claim")


def test_library_predicate_agrees_with_the_derived_set():
    both = robbins_monro_set()
    grid = [sp.Rational(i, 40) for i in range(1, 121)]
    assert all(robbins_monro(float(q)) == bool(both.contains(q)) for q in grid)
    wrong = lambda q: 0.5 <= q <= 1                        # a predicate that includes p = 1/2
    assert not all(wrong(float(q)) == bool(both.contains(q)) for q in grid)


def test_geometric_decay_has_a_finite_sum():
    """Why a geometric decay stalls: its steps sum to eta_1 / (1 - q), q = 1/factor."""
    eta1 = sp.Symbol("eta1", positive=True)
    q = sp.Rational(1, 10)
    total = sp.summation(eta1 * q ** (k - 1), (k, 1, sp.oo))
    check_equal(total, eta1 / (1 - q), "geometric sum")
    with pytest.raises(ProofError):
        check_equal(total, eta1 / q, "a wrong geometric sum")
    s = step_decay(lr=0.3, factor=10)                      # the library's schedule agrees
    assert sum(s(t) for t in range(1, 400)) == pytest.approx(float(0.3 / (1 - q)))


# ---------------------------------------------------------------- [SC-1]
def _sgd_step(w, eta, grad):
    opt = SGD(lr=eta)
    step, _ = opt.update(grad, opt.init(w), w)
    return w + step


def test_eager_step_lands_on_the_latest_slope():
    w, x, y = sp.symbols("w x y", positive=True)
    grad = -(y - w * x) * x                                # d/dw of (y - w x)^2 / 2
    check_equal(_sgd_step(w, 1 / x ** 2, grad), y / x, "eta = 1/x^2 fits the latest point")
    with pytest.raises(ProofError):
        check_equal(_sgd_step(w, 1 / x, grad), y / x, "eta = 1/x does not")


def _mean_error_after_one_step(eta):
    """E over a uniformly drawn example (of 3) of w_new - w*, by the library's SGD."""
    w = sp.Symbol("w")
    xs, ys = sp.symbols("x1:4", positive=True), sp.symbols("y1:4")
    w_star = sum(x * y for x, y in zip(xs, ys)) / sum(x * x for x in xs)
    a = sum(x * x for x in xs) / 3                          # curvature: mean of x^2
    mean_new = sum(_sgd_step(w, eta, -(y - w * x) * x) for x, y in zip(xs, ys)) / 3
    return mean_new - w_star, w - w_star, a


def test_mean_error_recursion():
    """E[e_k] = (1 - a eta_k) E[e_{k-1}]: the product formula of lesson 02 [SC-2]."""
    eta = sp.Symbol("eta", positive=True)
    new, old, a = _mean_error_after_one_step(eta)
    check_equal(new, (1 - a * eta) * old, "mean error shrinks by 1 - a eta")
    with pytest.raises(ProofError):
        check_equal(new, (1 - eta) * old, "a changed factor")


def test_constant_step_noise_band():
    """Stationary variance of e under e <- (1 - eta x^2) e - eta g*, E e = 0 [SC-1]."""
    v, eta, G, Q = sp.symbols("v eta G Q", positive=True)  # G = E g*^2, Q = E (1 - eta x^2)^2
    fixed = sp.solve(sp.Eq(v, Q * v + eta ** 2 * G), v)[0]
    check_equal(fixed, eta ** 2 * G / (1 - Q), "stationary variance")
    with pytest.raises(ProofError):
        check_equal(fixed, eta ** 2 * G / (1 + Q), "a wrong sign")


# ---------------------------------------------------------------- [SC-4]
def _poly_average(eta, n=6):
    ws = sp.symbols(f"w1:{n + 1}")
    avg = IterateAverage(polynomial_decay_gamma(eta))      # the library's class on symbols
    for w in ws:
        value = avg.update(w)
    return value, ws


def test_polynomial_decay_eta0_is_uniform_and_eta1_linear():
    eta = sp.Symbol("eta", nonnegative=True)
    value, ws = _poly_average(eta)
    n = len(ws)
    check_equal(value.subs(eta, 0), sum(ws) / n, "eta = 0: uniform")
    check_equal(value.subs(eta, 1),
                sum(sp.Rational(2 * s, n * (n + 1)) * w for s, w in enumerate(ws, 1)),
                "eta = 1: weights 2s/(k(k+1))")


def test_polynomial_decay_recursion_matches_shamir_zhang():
    """One step of the library's average equals the paper's recursion with symbolic t, eta."""
    t, eta = sp.symbols("t eta", positive=True)
    wbar, w = sp.symbols("wbar w")
    gamma = polynomial_decay_gamma(eta)(t)
    check_equal(gamma * wbar + (1 - gamma) * w,
                (1 - (eta + 1) / (t + eta)) * wbar + (eta + 1) / (t + eta) * w, "recursion")
    with pytest.raises(ProofError):
        check_equal(gamma * wbar + (1 - gamma) * w,
                    (1 - (eta + 1) / (t + eta)) * w + (eta + 1) / (t + eta) * wbar, "swapped")


@pytest.mark.parametrize("eta, wrong", [
    (1, lambda s, n: sp.Rational(1, n)),                   # eta = 1 is not uniform
    (0, lambda s, n: sp.Rational(2 * s, n * (n + 1))),     # eta = 0 is not linear
    (1, lambda s, n: sp.Rational(s, n * (n + 1))),         # off by a factor 2
])
def test_polynomial_decay_weights_fail_when_changed(eta, wrong):
    value, ws = _poly_average(sp.Integer(eta))
    n = len(ws)
    with pytest.raises(ProofError):
        check_equal(value, sum(wrong(s, n) * w for s, w in enumerate(ws, 1)), "a changed claim")


def test_uniform_average_is_the_mean_numerically():
    xs = np.random.default_rng(0).normal(size=(40, 3))
    uni, poly0 = IterateAverage(uniform_average_gamma), IterateAverage(polynomial_decay_gamma(0.0))
    for x in xs:
        u, q = uni.update(x), poly0.update(x)
    assert np.allclose(u, xs.mean(axis=0)) and np.allclose(q, u)
    with pytest.raises(ValueError, match="^eta must"):
        polynomial_decay_gamma(-1.0)
