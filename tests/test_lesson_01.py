"""Lesson 01's claims: the batch gradient and minimizer (sympy), where a fixed-order epoch
ends (sympy on the library's SGD, then measured with run_minibatch), and the constant-step
noise floor (sympy, then measured). Each symbolic claim is shown to fail when changed."""
import numpy as np
import pytest
import sympy as sp

from course_lib.data import points, points_grad, points_loss
from course_lib.minibatch import run_minibatch
from course_lib.optimizers import SGD
from course_lib.proofs import ProofError, check_equal

w = sp.Symbol("w")
XS = sp.symbols("x1:4")
L = sum((w - x) ** 2 / 2 for x in XS) / 3
XBAR = sum(XS) / 3


# ---------------------------------------------------------------- [IU-1]
def test_batch_gradient_minimizer_and_excess():
    check_equal(sp.diff(L, w), sum(sp.diff((w - x) ** 2 / 2, w) for x in XS) / 3,
                "gradient of the mean = mean of the gradients")
    check_equal(sp.solve(sp.diff(L, w), w)[0], XBAR, "minimizer = mean")
    check_equal(L - L.subs(w, XBAR), (w - XBAR) ** 2 / 2, "excess = half squared distance")


@pytest.mark.parametrize("lhs, wrong", [
    (sp.diff(L, w), sum(sp.diff((w - x) ** 2 / 2, w) for x in XS)),        # sum, not mean
    (sp.solve(sp.diff(L, w), w)[0], (XS[0] + XS[2]) / 2),                   # midrange
    (L - L.subs(w, XBAR), (w - XBAR) ** 2),                                 # factor 1/2 lost
])
def test_batch_claims_fail_when_changed(lhs, wrong):
    with pytest.raises(ProofError):
        check_equal(lhs, wrong)


# ---------------------------------------------------------------- [IU-2] the fixed-order cycle
def epoch_map(w0, xs, eta):
    """One fixed-order epoch of the library's SGD on 0.5 (w - x_t)^2, on symbols."""
    opt = SGD(lr=eta)
    state, wk = opt.init(w0), w0
    for x in xs:
        step, state = opt.update(wk - x, state, wk)
        wk = wk + step
    return wk


def cycle_point(xs, eta, weight=None):
    """w° = sum_t eta q^(T-t) x_t / (1 - q^T), q = 1 - eta: where every epoch ends."""
    T, q = len(xs), 1 - eta
    weight = weight or (lambda t: eta * q ** (T - t))
    return sum(weight(t) * x for t, x in enumerate(xs, 1)) / (1 - q ** T)


def test_fixed_order_epoch_ends_where_it_started():
    eta = sp.Symbol("eta", positive=True)
    w_c = cycle_point(XS, eta)
    check_equal(epoch_map(w_c, XS, eta), w_c, "w° is a fixed point of the epoch map")


@pytest.mark.parametrize("wrong_weight", [
    lambda t: sp.Symbol("eta") * (1 - sp.Symbol("eta")) ** (t - 1),   # order reversed
    lambda t: (1 - (1 - sp.Symbol("eta")) ** 3) / 3,                   # uniform: the mean
])
def test_cycle_point_fails_when_changed(wrong_weight):
    eta = sp.Symbol("eta")
    w_c = cycle_point(XS, eta, weight=wrong_weight)
    with pytest.raises(ProofError):
        check_equal(epoch_map(w_c, XS, eta), w_c, "a changed weight")


def test_fixed_order_measured_cycle():
    """Measured: a sorted fixed order ends every epoch at w°, off the optimum, and repeats
    exactly; reshuffling breaks the cycle."""
    T, eta = 50, 0.1
    X = points("diverse", T=T, seed=1)
    X = X[np.argsort(X[:, 0])]
    grad = lambda wk, idx: points_grad(wk, X[idx])
    fixed = run_minibatch(SGD(lr=eta), grad, np.zeros(2), N=T, b=1, epochs=30, shuffle=False)
    shuf = run_minibatch(SGD(lr=eta), grad, np.zeros(2), N=T, b=1, epochs=30, seed=2)
    q = 1 - eta
    w_c = sum(eta * q ** (T - t) * X[t - 1] for t in range(1, T + 1)) / (1 - q ** T)
    assert np.allclose(fixed.ws[fixed.epoch_ends[-1]], w_c)
    assert np.allclose(fixed.ws[-T - 1:], fixed.ws[-2 * T - 1:-T])          # periodic
    assert np.linalg.norm(w_c - X.mean(axis=0)) > 0.5                       # biased to the end
    assert np.abs(shuf.ws[-T - 1:] - shuf.ws[-2 * T - 1:-T]).max() > 0.1    # no cycle


# ---------------------------------------------------------------- [IU-3] the noise floor
def test_noise_floor_stationary_variance():
    """w <- (1 - eta) w + eta x, x drawn with replacement, var(x) = s^2 per coordinate:
    var(w) -> eta s^2/(2 - eta)."""
    v, eta, s = sp.symbols("v eta s", positive=True)
    fixed = sp.solve(sp.Eq(v, (1 - eta) ** 2 * v + eta ** 2 * s ** 2), v)[0]
    check_equal(fixed, eta * s ** 2 / (2 - eta), "stationary variance")
    with pytest.raises(ProofError):
        check_equal(fixed, eta * s ** 2 / 2, "the small-eta approximation is not exact")


def reshuffled_variance(weights):
    """Variance of sum_t w_t xi_pi(t) over every order pi of three deviations xi (sum 0)."""
    import itertools
    d = sp.symbols("d1:4")
    xi = [v - sum(d) / 3 for v in d]
    sums = [sum(w_ * xi[i] for w_, i in zip(weights, order))
            for order in itertools.permutations(range(3))]
    return sum(v ** 2 for v in sums) / 6, sum(v ** 2 for v in xi) / 3


def test_reshuffled_epoch_variance():
    """Finite-population correction in weighted form: s^2 T/(T-1) (sum w^2 - (sum w)^2/T)."""
    ws = sp.symbols("w1:4")
    var, s2 = reshuffled_variance(ws)
    check_equal(var, s2 * sp.Rational(3, 2) * (sum(v ** 2 for v in ws) - sum(ws) ** 2 / 3))
    with pytest.raises(ProofError):                       # the with-replacement value
        check_equal(var, s2 * sum(v ** 2 for v in ws), "independent draws")
    with pytest.raises(ProofError):                       # the correction without T/(T-1)
        check_equal(var, s2 * (sum(v ** 2 for v in ws) - sum(ws) ** 2 / 3), "no T/(T-1)")


def test_noise_floor_measured_and_identical_data_exact():
    T, eta, d = 100, 0.05, 2
    R = 40
    ends = []
    for seed in range(R):
        X = points("diverse", T=T, seed=seed)
        run = run_minibatch(SGD(lr=eta), lambda wk, idx: points_grad(wk, X[idx]), np.zeros(d),
                            N=T, b=1, epochs=5, seed=100 + seed)
        ends.append(points_loss(run.ws[-1], X) - points_loss(X.mean(axis=0), X))
    q = 1 - eta
    w_t = eta * q ** (T - np.arange(1, T + 1))
    floor = d / 2 * (np.sum(w_t ** 2) - np.sum(w_t) ** 2 / T) / (1 - q ** (2 * T))   # sigma = 1
    with_replacement = d * eta / (2 * (2 - eta))
    assert floor / with_replacement == pytest.approx(0.615, abs=0.001)
    assert 0.75 < np.mean(ends) / floor < 1.33
    # identical data: T incremental steps = T batch steps, error (1 - eta)^(2 T) per epoch
    X = points("identical", T=T)
    run = run_minibatch(SGD(lr=eta), lambda wk, idx: points_grad(wk, X[idx]), np.zeros(d),
                        N=T, b=1, epochs=1, seed=0)
    excess0 = 0.5 * np.sum(X[0] ** 2)
    assert points_loss(run.ws[-1], X) == pytest.approx(excess0 * (1 - eta) ** (2 * T), rel=1e-9)


# ---------------------------------------------------------------- [IU-3] best steps, epochs
def test_batch_at_step_one_over_L_lands_on_the_mean_in_one_update():
    """Issue 14: the identity-Hessian loss has L = 1, so one batch update of the library's SGD
    at eta = 1/L lands on the mean; at the lesson's shared eta = 0.05 it does not."""
    def one_update(eta):
        opt = SGD(lr=eta)
        step, _ = opt.update(w - XBAR, opt.init(w), w)
        return w + step
    check_equal(one_update(1), XBAR, "one batch update at eta = 1/L")
    with pytest.raises(ProofError):
        check_equal(one_update(sp.Rational(1, 20)), XBAR, "eta = 0.05 does not")
    X = points("diverse", T=100, seed=3)
    run = run_minibatch(SGD(lr=1.0), lambda wk, idx: points_grad(wk, X[idx]), np.zeros(2),
                        N=100, b=100, epochs=1)
    assert np.allclose(run.ws[-1], X.mean(axis=0), atol=1e-12)


def _epochs(X, h, w0, eta, E, incremental, seed):
    """Excess loss after each epoch for R data sets X (R, T, d) at once, loss with Hessian
    diag(h); incremental epochs are reshuffled."""
    R, T, _ = X.shape
    rows, means = np.arange(R), X.mean(axis=1)
    rng = np.random.default_rng(seed)
    opt = SGD(lr=eta)
    wk = np.tile(w0, (R, 1))
    state, out = opt.init(wk), []
    for _ in range(E):
        if incremental:
            perm = rng.permuted(np.tile(np.arange(T), (R, 1)), axis=1)
            for k in range(T):
                step, state = opt.update(h * (wk - X[rows, perm[:, k]]), state)
                wk = wk + step
        else:
            step, state = opt.update(h * (wk - means), state)
            wk = wk + step
        out.append(0.5 * np.sum(h * (wk - means) ** 2, axis=1))
    return np.array(out).T                                   # (R, E)


def test_break_even_depends_on_epochs_batch_wins_eventually():
    """At a constant step the floor stays and the batch error keeps falling: at sigma = 1 batch
    is ahead from the predicted epoch log(floor / L0) / (2 log(1 - eta)) ~ 49 on, while after 5
    epochs the incremental method is far ahead."""
    T, eta, d, R = 100, 0.05, 2, 20
    X = np.stack([points("clumped", T=T, spread=1.0, seed=s) for s in range(R)])
    w0, h = np.zeros(d), np.ones(d)
    b = _epochs(X, h, w0, eta, 60, False, 0)
    s = _epochs(X, h, w0, eta, 60, True, 1)
    w_t = eta * (1 - eta) ** (T - np.arange(1, T + 1))
    floor = d / 2 * (np.sum(w_t ** 2) - np.sum(w_t) ** 2 / T) / (1 - (1 - eta) ** (2 * T))
    L0 = np.mean(0.5 * np.sum((w0 - X.mean(axis=1)) ** 2, axis=1))
    predicted = np.log(floor / L0) / (2 * np.log(1 - eta))
    crossing = int(np.argmax(b.mean(axis=0) < s.mean(axis=0))) + 1
    assert 45 < predicted < 52 and abs(crossing - predicted) <= 4
    assert s[:, 4].mean() < b[:, 4].mean() / 50 and b[:, -1].mean() < s[:, -1].mean() / 2


def test_incremental_wins_at_best_steps_only_when_curvature_limits_the_step():
    """Hessian diag(1, 0.01), each method at its best step of a grid: the incremental method
    wins by orders of magnitude on clumped data; with Hessian I batch (eta = 1) wins."""
    T, R, E = 100, 20, 5
    grid = [0.05, 0.2, 0.5, 1.0, 1.5, 1.9]
    w0 = np.array([0.0, -19.0])
    X = np.stack([points("clumped", T=T, spread=0.1, seed=s) for s in range(R)])
    flat = np.array([1.0, 0.01])
    best = lambda inc, h: min(_epochs(X, h, w0, e, E, inc, 2)[:, -1].mean() for e in grid)
    assert best(False, flat) > 100 * best(True, flat)
    assert best(False, np.ones(2)) < best(True, np.ones(2)) / 1e6


# ---------------------------------------------------------------- the notebook's shape (issue 16)
import sys  # noqa: E402

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
from lesson_shape import (NOTEBOOKS, check_core_path_then_deep_dive,  # noqa: E402
                          check_notation_box_and_settings, notebook_cells, statements_of)
from lesson_shape import outputs_text as _outputs  # noqa: E402

NOTEBOOK = NOTEBOOKS / "01_batch_incremental_stochastic.ipynb"


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
    for measured in ("fixed / reshuffled 3.1 (smallest 2.7)", "ratio batch/incremental 1.13e+22",
                     "floor / with-replacement floor: 0.615", "fixed order: [2.8746", "(optimum): [1.9831"):
        assert measured in shown, measured


def test_statements_of_reads_truth_values():
    assert statements_of('Quiz("q", [Statement("a", True, "x"), Statement("b", False, "y")])') == \
        [("a", True), ("b", False)]
