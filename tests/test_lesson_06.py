"""Lesson 06's symbolic claims, run on the library's code, and each one shown to fail when
its formula is changed; plus the seed's pseudocode against the library."""
import numpy as np
import pytest
import sympy as sp

from course_lib.optimizers import Momentum, Nesterov, NesterovFramework, NesterovState
from course_lib.proofs import ProofError, check_equal
from course_lib.trace import minimize

eta, gamma = sp.symbols("eta gamma", positive=True)
W, V, g, lam, z = sp.symbols("W V g lambda z")
LOOK, FRAME = Nesterov(lr=eta, gamma=gamma), NesterovFramework(lr=eta, gamma=gamma)


# --- [NE-2] the change of variables ---------------------------------------------------------

def change_of_variables(U_of, torch_step):
    """U = U_of(W, V): one update of each form from the same state maps U to U."""
    state = NesterovState(0, V)
    U_prev = LOOK.eval_point(W, state)
    check_equal(U_prev, U_of(W, V), "the look-ahead point is U")
    step_L, s_L = LOOK.rule(g, state, 1, eta, W)
    step_F, s_F = FRAME.rule(g, state, 1, eta, U_prev)
    check_equal(U_of(W + step_L, s_L.V), U_prev + step_F, "new U from new W, V")
    check_equal(s_L.V, s_F.V)
    check_equal(LOOK.eval_point(W, LOOK.init(W)), W, "U_0 = W_0")
    check_equal(torch_step(g, V / eta), step_F, "PyTorch's step")


TORCH = lambda g_, b_prev: -eta * (g_ + gamma * (gamma * b_prev + g_))


def test_ne2_change_of_variables():
    change_of_variables(lambda W_, V_: W_ - gamma * V_, TORCH)


@pytest.mark.parametrize("U_of, torch_step", [
    (lambda W_, V_: W_ + gamma * V_, TORCH),                        # wrong sign
    (lambda W_, V_: W_ - V_, TORCH),                                # forgot gamma
    (lambda W_, V_: W_ - gamma * V_, lambda g_, b: -eta * (gamma * b + g_)),   # plain momentum
])
def test_ne2_fails_on_a_changed_claim(U_of, torch_step):
    with pytest.raises(ProofError):
        change_of_variables(U_of, torch_step)


def test_ne2_equal_iterates_measured():
    H = np.array([[3.25, -3.9], [-3.9, 7.75]])
    look = minimize(Nesterov(lr=0.05, gamma=0.9), lambda w: H @ w, np.array([-3.0, 2.0]), 150,
                    keep_states=True)
    frame = minimize(NesterovFramework(lr=0.05, gamma=0.9), lambda w: H @ w,
                     np.array([-3.0, 2.0]), 150)
    U = np.array([w - 0.9 * s.V for w, s in zip(look.ws, look.states)])
    np.testing.assert_allclose(U, frame.ws, rtol=0, atol=1e-12)
    assert np.max(np.abs(look.ws - frame.ws)) > 0.1          # different points all the same


# --- [NE-3] iteration matrices on a quadratic ------------------------------------------------

def iteration_matrix(opt):
    st = opt.State(0, V)
    step, s = opt.update(lam * opt.eval_point(W, st), st, W)
    nW = W + step
    return sp.Matrix([[sp.diff(nW, W), sp.diff(nW, V)], [sp.diff(s.V, W), sp.diff(s.V, V)]])


def nesterov_polynomial_claims(coef1, coef0):
    T = iteration_matrix(LOOK)
    check_equal((z * sp.eye(2) - T).det(), z ** 2 - coef1 * z + coef0)
    check_equal(T.det(), coef0)


def test_ne3_iteration_matrices():
    T_hb = iteration_matrix(Momentum(lr=eta, gamma=gamma))
    check_equal((z * sp.eye(2) - T_hb).det(), z ** 2 - (1 + gamma - eta * lam) * z + gamma)
    nesterov_polynomial_claims((1 + gamma) * (1 - eta * lam), gamma * (1 - eta * lam))
    check_equal(iteration_matrix(LOOK).subs(eta, 1 / lam) ** 2, sp.zeros(2, 2))


@pytest.mark.parametrize("coef1, coef0", [
    (1 + gamma - eta * lam, gamma),                              # heavy ball's polynomial
    ((1 + gamma) * (1 - eta * lam), gamma),                      # heavy ball's product
    ((1 - gamma) * (1 - eta * lam), gamma * (1 - eta * lam)),    # sign slip
])
def test_ne3_fails_on_a_changed_polynomial(coef1, coef0):
    with pytest.raises(ProofError):
        nesterov_polynomial_claims(coef1, coef0)


def test_ne3_heavy_ball_does_not_vanish_in_two_steps():
    T_hb = iteration_matrix(Momentum(lr=eta, gamma=gamma))
    with pytest.raises(ProofError):
        check_equal(T_hb.subs(eta, 1 / lam) ** 2, sp.zeros(2, 2))


def tuned_root(root):
    kappa = sp.Symbol("kappa", positive=True)
    tuned = {gamma: (sp.sqrt(kappa) - 1) / (sp.sqrt(kappa) + 1), eta: 1 / (kappa * lam)}
    a1 = ((1 + gamma) * (1 - eta * lam)).subs(tuned)
    a0 = (gamma * (1 - eta * lam)).subs(tuned)
    check_equal(a1 ** 2 - 4 * a0, 0, "double root")
    check_equal(a1 / 2, root(kappa))


def test_ne3_tuned_nesterov_rate():
    tuned_root(lambda k: 1 - 1 / sp.sqrt(k))
    with pytest.raises(ProofError):
        tuned_root(lambda k: 1 - 2 / sp.sqrt(k))         # heavy ball's (faster) rate
    with pytest.raises(ProofError):
        tuned_root(lambda k: (sp.sqrt(k) - 1) / (sp.sqrt(k) + 1))


def test_ne3_less_overshoot_at_the_same_settings():
    ws = {cls: minimize(cls(lr=0.1, gamma=0.9), lambda w: w, np.array([1.0]), 80).ws[:, 0]
          for cls in (Momentum, Nesterov)}
    assert -ws[Nesterov].min() < -ws[Momentum].min()


# --- [NE-1] the seed's pseudocode equals the library ---------------------------------------------

def test_ne1_pseudocode_equals_library_on_a_list_of_layers():
    rng = np.random.default_rng(0)
    N, b = 60, 6
    X, d = rng.normal(size=(N, 3)), rng.normal(size=N)
    # two "layers" of a linear model: y = X W1 + b1 (W1: 3 weights, b1: the bias)
    def grads(params, idx):
        r = X[idx] @ params[0] + params[1] - d[idx]
        return [X[idx].T @ r / len(idx), np.array(r.mean())]
    lr = lambda j: 0.05 if j <= 20 else 0.01
    W0 = [rng.normal(size=3), np.array(0.0)]

    Wp, dW, j = [w.copy() for w in W0], [np.zeros_like(w) for w in W0], 0
    opt = Nesterov(lr=lr, gamma=0.9)
    Wl, st = [w.copy() for w in W0], opt.init(W0)
    order = np.random.default_rng(1)
    for _ in range(5):
        perm = order.permutation(N)
        for t in range(0, N, b):
            j += 1
            batch = perm[t:t + b]
            Wp = [w + 0.9 * dw for w, dw in zip(Wp, dW)]
            gp = grads(Wp, batch)
            Wp = [w - lr(j) * gk for w, gk in zip(Wp, gp)]
            dW = [0.9 * dw - lr(j) * gk for dw, gk in zip(dW, gp)]
            step, st = opt.update(grads(opt.eval_point(Wl, st), batch), st, Wl)
            Wl = [w + s for w, s in zip(Wl, step)]
            for a, c in zip(Wp, Wl):
                np.testing.assert_allclose(a, c, rtol=0, atol=1e-12)
