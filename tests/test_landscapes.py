"""The test functions of lesson 09: gradients, stationary points, defaults, the measuring helpers,
and the symbolic claims of the lesson (each shown to fail on a wrong formula)."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from course_lib import landscapes as LS
from course_lib.gradcheck import check_gradient, numerical_gradient
from course_lib.proofs import ProofError, check_equal, check_true
from course_lib.trace import minimize

ALL = LS.all_landscapes()
NAMES = list(ALL)
VARIANTS = [LS.quadratic(kappa=100.0, angle=0.0), LS.quadratic(kappa=3.0, angle=-75.0),
            LS.long_valley(k=10.0, s=2.0, length=5.0), LS.rosenbrock(a=-0.5, b=10.0)]


@pytest.fixture(params=list(ALL.values()) + VARIANTS, ids=NAMES + [repr(v) for v in VARIANTS])
def land(request):
    return request.param


def _hessian(L, w, h=1e-5):
    return np.array([numerical_gradient(lambda p: L.grad(p)[i], np.array(w, dtype=float), h)
                     for i in range(2)])


def test_gradient_matches_finite_differences(land):
    rng = np.random.default_rng(9)
    (x0, x1), (y0, y1) = land.window
    for _ in range(20):
        w = np.array([rng.uniform(x0, x1), rng.uniform(y0, y1)])
        check_gradient(land.loss, w, land.grad(w), h=1e-6, tol=1e-6)


def test_minima_are_stationary_with_the_stated_value(land):
    for m in land.minima:
        np.testing.assert_allclose(land.grad(m), 0.0, atol=1e-12)
        assert land.loss(m) == pytest.approx(land.min_value, abs=1e-12)
        assert np.all(np.linalg.eigvalsh(_hessian(land, m)) > 0), "a minimum curves upward"
    # and no grid point goes below the stated minimum value
    _, _, Z = land.grid(150)
    assert np.nanmin(Z) >= land.min_value - 1e-9


def test_saddles_are_stationary_and_indefinite():
    for L in (ALL["Saddle"], ALL["Beale"]):
        for s in L.saddles:
            np.testing.assert_allclose(L.grad(s), 0.0, atol=1e-12)
            ev = np.linalg.eigvalsh(_hessian(L, s))
            assert ev[0] < -1e-6 < 1e-6 < ev[1], ev
    assert ALL["Beale"].loss([0.0, 1.0]) == pytest.approx(14.203125)


def test_defaults_are_sensible(land):
    (x0, x1), (y0, y1) = land.window
    assert x0 < x1 and y0 < y1
    assert land.in_window(land.start)
    assert all(land.in_window(m) for m in land.minima)
    assert np.isfinite(land.loss(land.start)) and land.loss(land.start) > land.min_value
    assert np.linalg.norm(land.grad(land.start)) > 0
    assert land.lr_gd > 0 and land.lr_adaptive > 0 and land.steps >= 100


def test_suggested_lr_makes_gradient_descent_converge_on_the_bowls():
    for name in ("Quadratic", "Long valley", "Saddle"):
        L = ALL[name]
        tr = minimize(LS.lineup(L, ["SGD"])["SGD"], L.grad, L.start, 2000)
        assert not tr.diverged
        assert LS.steps_to_reach(tr, L, 1e-6) is not None, name


def test_grad_and_loss_are_vectorized_like_the_points(land):
    rng = np.random.default_rng(1)
    W = rng.normal(size=(3, 4, 2))
    G = land.grad(W)
    assert G.shape == W.shape and land.loss(W).shape == (3, 4)
    np.testing.assert_allclose(G[1, 2], land.grad(W[1, 2]), rtol=1e-12)


def test_bad_input_names_the_argument():
    L = ALL["Rosenbrock"]
    with pytest.raises(ValueError, match=r"^w must have a last axis of length 2"):
        L.grad(np.zeros(3))
    with pytest.raises(ValueError, match=r"^w must be finite"):
        L.grad(np.array([np.nan, 0.0]))
    with pytest.raises(ValueError, match=r"^kappa must be in \[1, inf\), got 0.5"):
        LS.quadratic(kappa=0.5)
    with pytest.raises(ValueError, match=r"^k must be in \(0, inf\)"):
        LS.long_valley(k=-1.0)
    with pytest.raises(ValueError, match=r"^b must be in"):
        LS.rosenbrock(b=0.0)
    with pytest.raises(ValueError, match=r"^tol must be"):
        LS.steps_to_reach(minimize(LS.lineup(L, ["SGD"])["SGD"], L.grad, L.start, 2), L, -1.0)
    with pytest.raises(ValueError, match=r"^names must be optimizers"):
        LS.lineup(L, ["NoSuchOptimizer"])


def test_steps_to_reach_counts_reaching_and_staying():
    Q = LS.quadratic(kappa=1.0, angle=0.0)
    tr = minimize(LS.lineup(Q, ["SGD"], {"SGD": {"lr": 0.5}})["SGD"], Q.grad, Q.start, 10)
    # f halves its distance each step: f_k = f_0 / 4^k with f_0 = 6.5
    assert LS.steps_to_reach(tr, Q, 1e-3) == int(np.ceil(np.log(6.5e3) / np.log(4)))
    bad = minimize(LS.lineup(Q, ["SGD"], {"SGD": {"lr": 3.0}})["SGD"], Q.grad, Q.start, 100)
    assert bad.diverged and LS.steps_to_reach(bad, Q, 1e-3) is None


def test_on_the_ridge_no_method_leaves_the_saddle_and_off_it_every_method_does():
    S = LS.saddle()
    for name, opt in LS.lineup(S).items():
        on = minimize(opt, S.grad, np.array([-2.5, 0.0]), 100)
        assert LS.steps_to_leave(on, S.saddles[0], 0.5, direction=[0, 1]) is None, name
        if name == "Adadelta":
            continue          # Adadelta creeps (see lesson 09); it leaves later
        off = minimize(opt, S.grad, S.start, S.steps)
        assert LS.steps_to_leave(off, S.saddles[0], 0.5, direction=[0, 1]) is not None, name


def test_gradient_descent_leaves_the_saddle_at_the_predicted_rate():
    S = LS.saddle(start=(0.0, 1e-6))
    lr = 0.1
    tr = minimize(LS.lineup(S, ["SGD"], {"SGD": {"lr": lr}})["SGD"], S.grad, S.start, 40)
    ys = tr.ws[:, 1]
    k = np.arange(len(ys))
    pred = 1e-6 * (1 + lr) ** k          # y_k = (1 + eta) y_{k-1} while y^3/4 is negligible
    np.testing.assert_allclose(ys[:40], pred[:40], rtol=1e-3)


#: lineup(quadratic()) as the name lists built it before the registry (issue 15): the class
#: attributes must build the same optimizers
LINEUP_ON_THE_QUADRATIC = {
    "SGD": "SGD(lr=0.05)",
    "Momentum": "Momentum(lr=0.05, gamma=0.9)",
    "AveragedMomentum": "AveragedMomentum(lr=0.5000000000000001, gamma=0.9)",
    "Nesterov": "Nesterov(lr=0.05, gamma=0.9)",
    "NesterovFramework": "NesterovFramework(lr=0.05, gamma=0.9)",
    "Adagrad": "Adagrad(lr=0.5, eps=1e-10, G0=0.0, lr_decay=0.0, weight_decay=0.0)",
    "RMSprop": "RMSprop(lr=0.1, gamma=0.99, eps=1e-08, weight_decay=0.0, momentum=0.0, centered=False)",
    "Adadelta": "Adadelta(rho=0.9, eps=1e-06, lr=1.0, weight_decay=0.0)",
    "Rprop": "Rprop(lr=0.1, eta_minus=0.5, eta_plus=1.2, delta_min=1e-06, delta_max=50.0)",
    "Adam": "Adam(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-08, weight_decay=0.0)",
    "AdaMax": "AdaMax(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-08, weight_decay=0.0)",
    "AMSGrad": "AMSGrad(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-08, weight_decay=0.0)",
    "AdamW": "AdamW(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-08, weight_decay=0.01)",
}


def test_lineup_builds_what_it_always_built():
    opts = LS.lineup(ALL["Quadratic"])
    assert {name: repr(opt) for name, opt in opts.items()} == LINEUP_ON_THE_QUADRATIC
    assert list(opts) == list(LINEUP_ON_THE_QUADRATIC)         # the course's order
    over = LS.lineup(ALL["Quadratic"], ["Adadelta", "SGD"], {"Adadelta": {"lr": 0.5}})
    assert over["Adadelta"].lr == 0.5 and over["SGD"].lr == 0.05   # overrides win


def test_lineup_covers_every_optimizer_class():
    L = ALL["Quadratic"]
    opts = LS.lineup(L)
    assert set(opts) == set(LS.optimizer_classes())
    assert {"SGD", "Momentum", "Nesterov"} <= set(opts)
    assert opts["SGD"].lr == L.lr_gd
    # the moving-average form of momentum is set up to give heavy ball's iterates
    a = minimize(opts["Momentum"], L.grad, L.start, 50).ws
    b = minimize(opts["AveragedMomentum"], L.grad, L.start, 50).ws
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


# -- the symbolic claims of lesson 09 -----------------------------------------------------------

x, y = sp.symbols("x y", real=True)


@pytest.mark.parametrize("name", NAMES)
def test_library_gradient_is_the_derivative_of_the_library_function(name):
    L = ALL[name]
    f = L.f(x, y)                       # the library's own code, on symbols
    gx, gy = L.df(x, y)
    check_equal(gx, sp.diff(f, x), f"{name}: df/dx")
    check_equal(gy, sp.diff(f, y), f"{name}: df/dy")


def test_a_wrong_gradient_fails_the_check():
    f = ALL["Beale"].f(x, y)
    gx, _ = ALL["Beale"].df(x, y)
    with pytest.raises(ProofError):
        check_equal(gx + 2 * (2.625 - x + x * y ** 3) * y ** 3, sp.diff(f, x), "wrong df/dx")
    gxr, _ = ALL["Rosenbrock"].df(x, y)
    with pytest.raises(ProofError):
        check_equal(gxr + 1, sp.diff(ALL["Rosenbrock"].f(x, y), x), "wrong df/dx")


def test_stationary_points_exactly():
    S = LS.saddle()
    for p in [(0, 0), (0, 2), (0, -2)]:
        gx, gy = S.df(sp.Integer(p[0]), sp.Integer(p[1]))
        check_equal(gx, 0, f"grad_x at {p}")
        check_equal(gy, 0, f"grad_y at {p}")
    check_equal(S.f(0, sp.Integer(2)), -1, "minimum value")
    H = sp.hessian(S.f(x, y), (x, y)).subs({x: 0, y: 0})
    check_true(sp.Lt(H.det(), 0), "indefinite Hessian at the origin (a saddle)")
    B = LS.beale()
    bx, by = B.df(sp.Integer(3), sp.Rational(1, 2))
    check_equal(sp.nsimplify(bx), 0, "Beale grad_x at (3, 1/2)")
    check_equal(sp.nsimplify(by), 0, "Beale grad_y at (3, 1/2)")
    with pytest.raises(ProofError):       # (3, 1) is not stationary: df/dy = 40.5 there
        check_equal(sp.nsimplify(B.df(sp.Integer(3), sp.Integer(1))[1]), 0, "wrong point")


def test_quadratic_has_the_stated_condition_number():
    Q = LS.quadratic(kappa=20.0, angle=30.0)
    H = sp.hessian(sp.nsimplify(Q.f(x, y), tolerance=1e-12, rational=True), (x, y))
    ev = sorted(float(e) for e in H.eigenvals())
    assert ev == pytest.approx([1.0, 20.0], rel=1e-9)
    with pytest.raises(ProofError):
        check_equal(sp.Float(ev[1]) / sp.Float(ev[0]), 10, "wrong condition number")
