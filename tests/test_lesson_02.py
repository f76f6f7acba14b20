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


# ---------------------------------------------------------------- issue 14: [SC-2] and [SC-3]
def test_k_log_k_decays_faster_than_1_over_k_and_meets_both_conditions():
    """1/k is the fastest decay meeting Robbins-Monro only among powers of k."""
    x = sp.Symbol("x", positive=True)
    check_equal(sp.limit(1 / (k * sp.log(k)) / (1 / k), k, sp.oo), 0, "faster than 1/k")
    check_equal(sp.diff(sp.log(sp.log(x)), x), 1 / (x * sp.log(x)), "antiderivative log log x")
    check_true(sp.Eq(sp.limit(sp.log(sp.log(x)), x, sp.oo), sp.oo), "unbounded: the sum diverges")
    with pytest.raises(ProofError):                        # log log x is not the antiderivative
        check_equal(sp.diff(sp.log(sp.log(x)), x), 1 / (x * sp.log(x) ** 2), "a wrong one")
    check_equal(sp.diff(-1 / sp.log(x), x), 1 / (x * sp.log(x) ** 2), "antiderivative")
    check_equal(sp.limit(-1 / sp.log(x), x, sp.oo), 0, "bounded: sum 1/(k log^2 k) converges")
    check_equal(sp.simplify((1 / (x * sp.log(x))) ** 2 / (1 / (x * sp.log(x) ** 2))), 1 / x,
                "squares: 1/k times a convergent series' terms")
    with pytest.raises(ProofError):                        # the squares are not the same terms
        check_equal(sp.simplify((1 / (x * sp.log(x))) ** 2 / (1 / (x * sp.log(x) ** 2))), 1,
                    "a wrong comparison")
    with pytest.raises(ProofError):                        # 1/(k log^2 k): the sum converges
        check_true(sp.Eq(sp.integrate(1 / (x * sp.log(x) ** 2), (x, 2, sp.oo)), sp.oo), "diverges")


def _rate_lead(A, r, s):
    kc = sp.Symbol("k", positive=True)
    return sp.limit((A / kc - (1 - r / kc) * A / (kc - 1) - s / kc ** 2) * kc ** 2, kc, sp.oo)


def test_c_over_k_rate_regimes():
    """v_k = (1 - r/k) v_{k-1} + s/k^2 (r = 2ac): A/k with A = s/(r - 1) for r > 1; s H_k/k at
    r = 1; for r < 1 the homogeneous product decays like k^(-r)."""
    r, s, A = sp.symbols("r s A", positive=True)
    check_equal(sp.solve(_rate_lead(A, r, s), A)[0], s / (r - 1), "A = s/(r - 1)")
    with pytest.raises(ProofError):
        check_equal(sp.solve(_rate_lead(A, r, s), A)[0], s / (r + 1), "a wrong constant")
    n = sp.Symbol("n", integer=True, positive=True)
    v = lambda m: s * sp.harmonic(m) / m
    check_equal(sp.expand_func(v(n) - (1 - 1 / n) * v(n - 1) - s / n ** 2), 0, "r = 1: s H_k / k")
    with pytest.raises(ProofError):                        # s/k does not solve it at r = 1
        check_equal(s / n - (1 - 1 / n) * s / (n - 1) - s / n ** 2, 0, "s/k")
    kc = sp.Symbol("k", positive=True)                     # r < 1: P_k = prod (1 - r/j) ~ k^(-r)
    ratio = lambda q: (1 - r / (kc + 1)) * ((kc + 1) / kc) ** q
    check_equal(sp.limit((ratio(r) - 1) * kc ** 2, kc, sp.oo), r * (1 - r) / 2, "k^(-r)")
    with pytest.raises(ProofError):                        # not k^(-r/2): ratio 1 - r/(2k)
        check_equal(sp.limit((ratio(r / 2) - 1) * kc ** 2, kc, sp.oo), r * (1 - r) / 2, "k^(-r/2)")


def test_sc2_worked_answer_arithmetic():
    """Half the sum of (k+2)^-3 is about 0.039 (not 0.1); exp(-S1 - S2/2) then matches the exact
    infinite product (stall near 3.12 from distance 11.46) within 1 %, and 0.1 does not."""
    S1 = float(sp.N(sp.zeta(sp.Rational(3, 2)) - 1 - 2 ** -1.5))
    S2 = float(sp.N(sp.summation(1 / (k + 2) ** 3, (k, 1, sp.oo))))
    assert S2 / 2 == pytest.approx(0.0386, abs=5e-4)
    j = np.arange(1, 10 ** 6 + 1)
    exact = np.exp(np.sum(np.log1p(-(j + 2.0) ** -1.5)) - 2 / np.sqrt(10 ** 6 + 2.5))
    assert abs(np.exp(-S1 - S2 / 2) / exact - 1) < 0.01
    assert abs(np.exp(-S1 - 0.1) / exact - 1) > 0.05       # the old arithmetic
    assert 11.46 * exact == pytest.approx(3.12, abs=0.01)


def _regression():
    from course_lib.data import least_squares_slope, regression_through_origin
    x, y = regression_through_origin(N=50, slope=1.5, noise=0.5, seed=2)
    return x, y, float(np.mean(x * x)), least_squares_slope(x, y)


def _slope(ks, err, start):
    sel = ks >= start
    return np.polyfit(np.log(ks[sel]), np.log(err[sel]), 1)[0]


@pytest.mark.parametrize("c_units, slope", [(1.0, -1.0), (0.25, -0.5), (0.1, -0.2)])
def test_c_over_k_slope_is_minus_min_1_2ac_measured(c_units, slope):
    """SGD with the library's schedule c/(k+2) on the regression, 200 runs: excess loss slope
    -min(1, 2ac), so c < 1/(2 mu) is slow."""
    x, y, a, w_star = _regression()
    K, R = 4000, 200
    rng = np.random.default_rng(11)
    opt = SGD(lr=inverse_power(c=c_units / a, p=1.0, t0=2))
    w = np.zeros(R)
    state = opt.init(w)
    ks, ex = np.unique(np.geomspace(1, K, 40).astype(int)), []
    for kk in range(1, K + 1):
        i = rng.integers(len(x), size=R)
        step, state = opt.update(-(y[i] - w * x[i]) * x[i], state)
        w = w + step
        if kk in set(ks.tolist()):
            ex.append(0.5 * a * np.mean((w - w_star) ** 2))
    assert abs(_slope(ks, np.array(ex), 300) - slope) < 0.15


@pytest.mark.parametrize("p_, c_", [(0.5, 0.5), (1.0, 3.0)])
def test_kink_slope_follows_the_schedule(p_, c_):
    """Absolute-error loss (a sharp 1-D minimum): the excess loss tracks eta_k (slope -p, below
    G^2 eta_k / 2), so a slope of -0.5 measures the schedule, not the O(1/sqrt k) bound."""
    x, y, a, _ = _regression()
    L = lambda w: np.mean(np.abs(y[None, :] - np.atleast_1d(w)[:, None] * x[None, :]), axis=1)
    kinks = np.sort(y / x)
    L_star = L(kinks).min()
    K, R = 4000, 200
    rng = np.random.default_rng(12)
    opt = SGD(lr=inverse_power(c=c_, p=p_))
    w = np.full(R, -10.0)
    state = opt.init(w)
    ks, ex = np.unique(np.geomspace(1, K, 40).astype(int)), []
    for kk in range(1, K + 1):
        i = rng.integers(len(x), size=R)
        step, state = opt.update(-np.sign(y[i] - w * x[i]) * x[i], state)
        w = w + step
        if kk in set(ks.tolist()):
            ex.append(L(w).mean() - L_star)
    ex = np.array(ex)
    assert abs(_slope(ks, ex, 300) + p_) < 0.15
    assert np.all(ex[ks >= 300] < 0.5 * a * c_ / ks[ks >= 300] ** p_)


# ---------------------------------------------------------------- the notebook's shape (issue 16)
import sys  # noqa: E402

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
from lesson_shape import (NOTEBOOKS, check_core_path_then_deep_dive,  # noqa: E402
                          check_notation_box_and_settings, notebook_cells, statements_of)
from lesson_shape import outputs_text as _outputs  # noqa: E402

NOTEBOOK = NOTEBOOKS / "02_step_sizes_and_convergence.ipynb"


def _cells():
    return notebook_cells(NOTEBOOK)


def test_core_path_is_stated_and_the_deep_dive_comes_after_the_summary():
    check_core_path_then_deep_dive(_cells())


def test_notation_box_follows_setup_and_settings_cells_hold_only_upper_case_assignments():
    check_notation_box_and_settings(_cells(), 4)


def test_quiz_has_false_statements_and_quotes_the_measured_numbers():
    cells = _cells()
    quiz = next(i for i, (_, s, _) in enumerate(cells) if s.startswith("Quiz("))
    statements = statements_of(cells[quiz][1])
    assert 4 <= len(statements) <= 6 and sum(not t for _, t in statements) >= 2
    shown = "\n".join(_outputs(c) for _, _, c in cells[:quiz])
    for measured in ("600): 0.345 (predicted 0.360); shrinking step (last 100): 0.0028",
                     "73.90     2.51e-03", "3.30e+00   3.24e+00", "2.83e+00   2.74e+00",
                     "(2ac = 0.5): measured slope -0.50",
                     "last iterate 3.31e-03, uniform average 1.81e-02, polynomial-decay 2.81e-04 (12 times"):
        assert measured in shown, measured


def test_statements_of_reads_truth_values():
    assert statements_of('Quiz("q", [Statement("a", True, "x"), Statement("b", False, "y")])') == \
        [("a", True), ("b", False)]
