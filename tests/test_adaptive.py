"""Properties of the adaptive optimizers and Adam (course_lib/optimizers/adaptive.py, adam.py).

The shared table (optimizer_cases.py) pins first steps, bad input, lists, sympy, weight decay
and a 200-step torch run (test_optimizers.py); here: the properties the lessons state, the
conventions where papers and PyTorch differ (both sides), and a per-step torch comparison in
the regime where whole trajectories cannot be compared (rounding differences grow there).
Where a check runs over several optimizers, it runs over the rows of that table.
"""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from course_lib import optimizers as O
from course_lib.proofs import ProofError, check_equal
from course_lib.trace import minimize

from optimizer_cases import CASES

RNG_SEEDS = range(5)
SCALE_FREE = [c for c in CASES if c.scale_free is not None]


def _run(opt, gs, w0=None):
    """Feed a fixed gradient sequence (T, n); return the steps (T, n) and the states."""
    w = np.zeros(gs.shape[1]) if w0 is None else w0.copy()
    s = opt.init(w)
    steps, states = [], []
    for g in gs:
        step, s = opt.update(g, s, w)
        w = w + step
        steps.append(step)
        states.append(s)
    return np.array(steps), states


def _gradient_sequences(rng, T=200, n=6):
    """Gradients of very different kinds, one per coordinate block."""
    return [rng.normal(size=(T, n)),                                        # noise
            rng.normal(size=(T, n)) * np.exp(rng.normal(size=(T, 1)) * 3),  # wild scales
            np.where(rng.uniform(size=(T, n)) < 0.02, rng.normal(size=(T, n)) * 100, 0.0),  # spikes
            np.cumsum(rng.normal(size=(T, n)), axis=0)]                     # drifting


# --- Adam's step bound -------------------------------------------------------------------

def adam_step_bound(beta1, beta2, t):
    r"""The exact supremum of |m-hat_t| / sqrt(v-hat_t) over all gradient sequences (Cauchy-Schwarz):
    (1-B1)/(1-B1^t) sqrt((1-B2^t)(1-r^t) / ((1-B2)(1-r))), r = B1^2/B2."""
    r = beta1 ** 2 / beta2
    return (1 - beta1) / (1 - beta1 ** t) * np.sqrt((1 - beta2 ** t) * (1 - r ** t)
                                                    / ((1 - beta2) * (1 - r)))


@pytest.mark.parametrize("beta1,beta2", [(0.9, 0.999), (0.5, 0.9), (0.0, 0.99), (0.95, 0.99)])
def test_adam_step_never_exceeds_the_exact_bound_and_the_bound_is_attained(beta1, beta2):
    lr, T = 0.01, 200
    rng = np.random.default_rng(0)
    bound = adam_step_bound(beta1, beta2, np.arange(1, T + 1))[:, None]
    for gs in _gradient_sequences(rng, T):
        gs = np.where(gs == 0, 1e-150, gs)          # eps = 0: keep 0 / 0 out
        steps, _ = _run(O.Adam(lr=lr, beta1=beta1, beta2=beta2, eps=0.0), gs)
        assert np.all(np.abs(steps) <= lr * bound * (1 + 1e-12))
    # the extremal sequence g_s = (B1/B2)^(t-s): equality at step t
    t = 60
    g = (beta1 / beta2) ** (t - np.arange(1, t + 1)) if beta1 > 0 else (np.arange(1, t + 1) == t) * 1.0
    steps, _ = _run(O.Adam(lr=lr, beta1=beta1, beta2=beta2, eps=0.0), g[:, None] + 1e-150)
    assert abs(steps[-1, 0]) == pytest.approx(lr * adam_step_bound(beta1, beta2, t), rel=1e-9)


def test_the_papers_bound_holds_for_a_sparse_spike_but_not_for_every_sequence():
    """Kingma and Ba's |step| <= lr (1-B1)/sqrt(1-B2) (when 1-B1 > sqrt(1-B2)) is the sparse case:
    a spike after a long run of zeros reaches it; a geometrically growing gradient exceeds it."""
    lr, b1, b2 = 1.0, 0.9, 0.999
    paper = lr * (1 - b1) / np.sqrt(1 - b2)
    T = 20000                                       # B2^T = e^-20: the correction is done
    spike = np.zeros((T, 1)); spike[-1] = 1.0; spike[0] = 1e-3
    steps, _ = _run(O.Adam(lr=lr, beta1=b1, beta2=b2, eps=0.0), spike)
    assert abs(steps[-1, 0]) == pytest.approx(paper, rel=1e-3)
    t = 3000
    grow = np.maximum((b1 / b2) ** (t - np.arange(1, t + 1)), 1e-150)[:, None]
    steps, _ = _run(O.Adam(lr=lr, beta1=b1, beta2=b2, eps=0.0), grow)
    assert abs(steps[-1, 0]) > 2 * paper           # about 7.1 lr against 3.16 lr (7.27 as t grows)
    assert abs(steps[-1, 0]) <= adam_step_bound(b1, b2, t) * (1 + 1e-12)


def test_with_beta1_squared_above_beta2_the_step_is_unbounded():
    b1, b2, lr = 0.99, 0.9, 1.0
    for t, floor in [(50, 2.0), (200, 100.0)]:     # the bound grows like (B1^2/B2)^(t/2)
        grow = (b1 / b2) ** (t - np.arange(1, t + 1))[:, None]
        steps, _ = _run(O.Adam(lr=lr, beta1=b1, beta2=b2, eps=0.0), grow)
        assert abs(steps[-1, 0]) > floor
        assert abs(steps[-1, 0]) == pytest.approx(adam_step_bound(b1, b2, t), rel=1e-9)


# --- invariance to rescaling the gradients ---------------------------------------------------

@pytest.mark.parametrize("case", SCALE_FREE, ids=[c.id for c in SCALE_FREE])
@pytest.mark.parametrize("c", [1e-6, 0.3, 1e5])
def test_steps_are_invariant_to_rescaling_the_gradients_when_eps_is_zero(case, c):
    rng = np.random.default_rng(1)
    gs = rng.normal(size=(50, 4))
    a, _ = _run(case.scale_free(), gs)
    b, _ = _run(case.scale_free(), c * gs)
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=0)


def test_the_scale_free_rows_are_the_adaptive_methods_but_adadelta():
    """Adadelta's eps must be > 0 (it sets the first step), so no setting of it is scale free;
    every other method with one step size per coordinate is, at eps = 0."""
    assert {type(c.scale_free()).__name__ for c in SCALE_FREE} == O.adaptive_names() - {"Adadelta"}


def test_eps_breaks_the_invariance_for_small_gradients():
    rng = np.random.default_rng(2)
    gs = rng.normal(size=(20, 3))
    a, _ = _run(O.Adam(lr=0.01, eps=1e-8), gs)
    b, _ = _run(O.Adam(lr=0.01, eps=1e-8), 1e-9 * gs)
    assert np.max(np.abs(b)) < 0.2 * np.max(np.abs(a))   # tiny gradients: eps dominates


def test_scale_invariance_on_sympy_symbols():
    g1, g2, c, eta, b1, b2 = sp.symbols("g1 g2 c eta beta1 beta2", positive=True)
    for opt in [O.Adam(lr=eta, beta1=b1, beta2=b2, eps=0), O.RMSprop(lr=eta, gamma=b2, eps=0)]:
        s, sc = opt.init(0), opt.init(0)
        for g in (g1, g2):
            step, s = opt.update(g, s, 0)
            step_c, sc = opt.update(c * g, sc, 0)
            check_equal(step_c, step, f"{opt.name} step unchanged by g -> c g")
        with pytest.raises(ProofError):
            check_equal(step_c, c * step, "a wrong claim: the step scales with c")


# --- Adagrad, AMSGrad: steps that never grow ------------------------------------------------

@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_adagrad_effective_step_never_grows(seed):
    rng = np.random.default_rng(seed)
    for gs in _gradient_sequences(rng, 100):
        for opt in [O.Adagrad(lr=0.5), O.Adagrad(lr=0.5, G0=0.1, lr_decay=0.05)]:
            _, states = _run(opt, gs)
            eff = np.array([opt.effective_step(s) for s in states])
            assert np.all(np.diff(eff, axis=0) <= 0)
    rms = O.RMSprop(lr=0.5, gamma=0.9)       # the contrast: RMSprop's can grow again
    gs = np.concatenate([np.ones((20, 1)), 1e-3 * np.ones((20, 1))])
    steps, _ = _run(rms, gs)
    per_unit = np.abs(steps[:, 0] / gs[:, 0])                  # eta / (sqrt(G_t) + eps)
    assert per_unit[-1] > 2 * per_unit[19]


@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_amsgrad_v_max_never_decreases_and_is_the_max_of_uncorrected_v(seed):
    rng = np.random.default_rng(seed)
    for gs in _gradient_sequences(rng, 100):
        _, states = _run(O.AMSGrad(lr=0.01, beta2=0.9), gs)
        vmax = np.array([s.v_max for s in states])
        v = np.array([s.v for s in states])
        assert np.all(np.diff(vmax, axis=0) >= 0)
        np.testing.assert_array_equal(vmax, np.maximum.accumulate(v, axis=0))


def test_amsgrad_bias_correction_follows_pytorch_not_the_paper():
    """Both sides: ours (PyTorch) corrects the max by 1 - B2^t; Reddi et al. correct nothing."""
    b1, b2, lr = 0.9, 0.999, 0.1
    g = np.array([[1.0], [0.5], [2.0]])
    steps, states = _run(O.AMSGrad(lr=lr, beta1=b1, beta2=b2, eps=0.0), g)
    m, v, vmax = 0.0, 0.0, 0.0
    for t, gt in enumerate(g[:, 0], start=1):
        m, v = b1 * m + (1 - b1) * gt, b2 * v + (1 - b2) * gt ** 2
        vmax = max(vmax, v)
        ours = -lr * (m / (1 - b1 ** t)) / np.sqrt(vmax / (1 - b2 ** t))
        paper = -lr * m / np.sqrt(vmax)
        assert steps[t - 1, 0] == pytest.approx(ours, rel=1e-12)
        assert abs(steps[t - 1, 0] - paper) > 1e-3


# --- AdaMax -----------------------------------------------------------------------------------

def test_adamax_u_needs_no_bias_correction():
    """A constant gradient: v_t = (1 - B2^t) g^2 is biased low, u_t = |g| from the first step."""
    b2, g = 0.999, np.array([[-3.0]] * 30)
    _, adam_states = _run(O.Adam(lr=0.01, beta2=b2, eps=0.0), g)
    _, amax_states = _run(O.AdaMax(lr=0.01, beta2=b2, eps=0.0), g)
    u = np.array([s.u[0] for s in amax_states])
    v = np.array([s.v[0] for s in adam_states])
    np.testing.assert_allclose(u, 3.0, rtol=0, atol=0)
    assert v[0] == pytest.approx(9 * (1 - b2)) and v[-1] < 0.1 * 9


@pytest.mark.parametrize("seed", range(3))
def test_adamax_u_is_the_p_to_infinity_limit_with_or_without_bias_correction(seed):
    rng = np.random.default_rng(seed)
    b2 = 0.99
    gs = rng.normal(size=(40, 3)) * rng.uniform(0.1, 10, size=(40, 1))
    _, states = _run(O.AdaMax(lr=0.01, beta2=b2, eps=0.0), gs)
    u = states[-1].u
    T = len(gs)
    for p in [4000.0]:
        # v_T^(p) = (1 - B2^p) sum_s B2^(p(T-s)) |g_s|^p, computed in log space
        logs = p * (np.log(np.abs(gs)) + (T - np.arange(1, T + 1))[:, None] * np.log(b2))
        top = logs.max(axis=0)
        lognorm = (top + np.log(np.exp(logs - top).sum(axis=0)) + np.log1p(-b2 ** p)) / p
        plain = np.exp(lognorm)
        corrected = np.exp(lognorm - np.log1p(-b2 ** (p * T)) / p)
        np.testing.assert_allclose(plain, u, rtol=5e-3)
        np.testing.assert_allclose(corrected, u, rtol=5e-3)


def test_adamax_eps_sits_inside_the_max_as_in_pytorch():
    opt = O.AdaMax(lr=1.0, beta1=0.0, beta2=0.5, eps=0.25)
    step, s = opt.update(np.array([0.5]), opt.init(np.zeros(1)))
    assert s.u[0] == 0.75 and step[0] == pytest.approx(-0.5 / 0.75)   # not -0.5 / (0.5 + 0.25) by luck:
    step, s = opt.update(np.array([0.1]), s)
    assert s.u[0] == 0.375                                            # max(0.5 * 0.75, 0.1 + 0.25)


# --- Rprop ------------------------------------------------------------------------------------

def test_rprop_step_sizes_stay_in_their_range_and_ignore_gradient_size():
    rng = np.random.default_rng(3)
    gs = rng.normal(size=(300, 5))
    opt = O.Rprop(lr=0.1, delta_min=1e-3, delta_max=0.5)
    steps, states = _run(opt, gs)
    d = np.array([s.delta for s in states])
    assert d.min() >= 1e-3 and d.max() <= 0.5
    assert set(np.unique(np.abs(steps) > 0)) <= {True, False}
    np.testing.assert_array_equal(np.abs(steps)[np.abs(steps) > 0], d[np.abs(steps) > 0])
    warped, _ = _run(opt, np.sign(gs) * np.abs(gs) ** 3 * 7)       # any sign-keeping warp
    np.testing.assert_array_equal(warped, steps)


# --- Adam's t, AdamW against L2 ------------------------------------------------------------

def test_adam_t_is_one_on_the_first_step_and_the_first_step_is_lr_sign_g():
    opt = O.Adam(lr=0.01, eps=0.0)
    step, s = opt.update(np.array([5.0, -1e-3]), opt.init(np.zeros(2)))
    assert s.t == 1
    np.testing.assert_allclose(step, [-0.01, 0.01], rtol=1e-14)


def test_adamw_decay_is_decoupled_and_differs_from_l2():
    A, lam = np.diag([1.0, 100.0]), 0.1
    grad = lambda w: A @ w - 1.0
    aw = minimize(O.AdamW(lr=0.01, weight_decay=lam), grad, np.ones(2), 500).ws
    l2 = minimize(O.Adam(lr=0.01, weight_decay=lam), grad, np.ones(2), 500).ws
    assert np.max(np.abs(aw - l2)) > 1e-2
    zero = minimize(O.AdamW(lr=0.01, weight_decay=0.0), grad, np.ones(2), 50).ws
    plain = minimize(O.Adam(lr=0.01), grad, np.ones(2), 50).ws
    np.testing.assert_array_equal(zero, plain)


def test_adamw_rule_runs_on_sympy_symbols():
    g1, g2, w, lr, lam, b1, b2 = sp.symbols("g1 g2 w eta lambda beta1 beta2", positive=True)
    opt = O.AdamW(lr=lr, beta1=b1, beta2=b2, eps=0, weight_decay=lam)
    s = opt.init(w)
    step1, s = opt.update(g1, s, w)
    check_equal(step1, -lr * lam * w - lr, "AdamW's first step: decay plus -eta sign(g)")
    w1 = w + step1
    step2, s = opt.update(g2, s, w1)
    m2 = (b1 * (1 - b1) * g1 + (1 - b1) * g2) / (1 - b1 ** 2)
    v2 = (b2 * (1 - b2) * g1 ** 2 + (1 - b2) * g2 ** 2) / (1 - b2 ** 2)
    check_equal(step2, -lr * lam * w1 - lr * m2 / sp.sqrt(v2), "AdamW's second step")
    with pytest.raises(ProofError):
        check_equal(step2, -lr * lam * w1 - lr * m2 / (sp.sqrt(v2) + lam * w1), "decay inside the ratio")


# --- Adadelta -----------------------------------------------------------------------------------

def test_adadelta_first_step_is_set_by_eps_and_lr_does_not_enter_the_average():
    rho, eps = 0.9, 1e-4
    g = np.array([2.0])
    a, sa = O.Adadelta(rho=rho, eps=eps, lr=1.0).update(g, O.Adadelta().init(np.zeros(1)))
    b, sb = O.Adadelta(rho=rho, eps=eps, lr=0.5).update(g, O.Adadelta().init(np.zeros(1)))
    assert a[0] == pytest.approx(-np.sqrt(eps) / np.sqrt((1 - rho) * 4 + eps) * 2)
    assert b[0] == pytest.approx(0.5 * a[0])
    np.testing.assert_array_equal(sa.Edx2, sb.Edx2)      # the unscaled update is averaged


def test_eps_placement_matters_for_adagrad():
    """Ours (and PyTorch's): eta g / (sqrt(G_t) + eps); eps inside the root gives other steps."""
    lr, eps, G0 = 0.5, 0.3, 0.1
    gs = np.array([[0.5, -0.2], [0.1, 0.4], [-0.3, 0.05]])
    steps, _ = _run(O.Adagrad(lr=lr, eps=eps, G0=G0), gs)
    G = G0 + np.cumsum(gs ** 2, axis=0)                  # G_t = G_0 + sum of g_s^2
    outside = -lr * gs / (np.sqrt(G) + eps)
    inside = -lr * gs / np.sqrt(G + eps)
    np.testing.assert_allclose(steps, outside, rtol=1e-14)
    assert np.min(np.abs(steps - inside) / np.abs(inside)) > 1e-3   # every step, by > 0.1 %


def test_eps_placement_matters_for_adam():
    """Ours (and PyTorch's, the paper's): eps outside the root AFTER the bias correction,
    m_hat / (sqrt(v_hat) + eps); eps inside the root, sqrt(v_hat + eps), gives other steps."""
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 0.05
    gs = np.array([[0.2, -0.1], [0.1, 0.3], [-0.05, 0.2]])
    steps, _ = _run(O.Adam(lr=lr, beta1=b1, beta2=b2, eps=eps), gs)
    t = np.arange(1, 4)[:, None]
    m = np.zeros(2); v = np.zeros(2); ms, vs = [], []
    for g in gs:
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g ** 2
        ms.append(m); vs.append(v)
    m_hat, v_hat = np.array(ms) / (1 - b1 ** t), np.array(vs) / (1 - b2 ** t)
    outside = -lr * m_hat / (np.sqrt(v_hat) + eps)
    inside = -lr * m_hat / np.sqrt(v_hat + eps)
    np.testing.assert_allclose(steps, outside, rtol=1e-13)
    assert np.min(np.abs(steps - inside) / np.abs(inside)) > 1e-3   # every step, by > 0.1 %


def test_eps_placement_matters_for_rmsprop():
    """Ours (and PyTorch's) eps sits outside the root; inside gives another step."""
    opt = O.RMSprop(lr=1.0, gamma=0.0, eps=0.5)
    step, _ = opt.update(np.array([0.5]), opt.init(np.zeros(1)))
    assert step[0] == pytest.approx(-0.5 / (0.5 + 0.5))
    assert step[0] != pytest.approx(-0.5 / np.sqrt(0.25 + 0.5))


# --- RMSprop's options: centered and momentum -----------------------------------------------------

def test_centered_rmsprop_divides_by_the_running_std_so_a_steady_gradient_is_not_slowed():
    """A constant gradient g: G_t = (1 - gamma^t) g^2 and gbar_t = (1 - gamma^t) g, so
    G_t - gbar_t^2 = gamma^t (1 - gamma^t) g^2 and the step is -eta sign(g) / sqrt(gamma^t (1 - gamma^t)):
    once gamma^t < 1/2 it GROWS, while plain RMSprop's shrinks to -eta sign(g) (eps caps it)."""
    lr, gamma, T = 0.01, 0.9, 30
    gs = np.full((T, 1), -2.0)
    steps, states = _run(O.RMSprop(lr=lr, gamma=gamma, eps=0.0, centered=True), gs)
    t = np.arange(1, T + 1)
    np.testing.assert_allclose(steps[:, 0], lr / np.sqrt(gamma ** t * (1 - gamma ** t)), rtol=1e-9)
    np.testing.assert_allclose(states[-1].gbar, (1 - gamma ** T) * -2.0, rtol=1e-12)
    plain, _ = _run(O.RMSprop(lr=lr, gamma=gamma, eps=0.0), gs)
    assert steps[-1, 0] > 4 * plain[-1, 0] and states[-1].b is None


def test_rmsprop_momentum_sums_the_plain_steps_with_eta_outside_the_buffer():
    """b_t = mu b_{t-1} + g_t / D_t and W_t = W_{t-1} - eta_t b_t. With constant eta the steps
    are heavy-ball sums of plain RMSprop's steps (same gradients, so same G and D); under a
    schedule eta_t scales the whole buffer, old terms included (PyTorch's form), so they part."""
    rng = np.random.default_rng(4)
    gs, mu = rng.normal(size=(20, 3)), 0.8
    for lr, parts in [(0.01, False), (lambda t: 0.01 / t, True)]:
        plain, _ = _run(O.RMSprop(lr=lr), gs)
        heavy, states = _run(O.RMSprop(lr=lr, momentum=mu), gs)
        summed = np.zeros_like(plain)
        summed[0] = plain[0]
        for k in range(1, len(gs)):
            summed[k] = mu * summed[k - 1] + plain[k]          # V_t = mu V_{t-1} + plain step
        if parts:
            assert np.max(np.abs(heavy - summed)) > 1e-3 * np.max(np.abs(heavy))
            eta = np.array([lr(t) for t in range(1, len(gs) + 1)])[:, None]
            np.testing.assert_allclose(heavy[-1], -eta[-1] * states[-1].b, rtol=1e-14)
        else:
            np.testing.assert_allclose(heavy, summed, rtol=1e-12)


@pytest.mark.parametrize("value", [1, 0, "yes", None, np.array(True)])
def test_centered_must_be_true_or_false(value):
    """A switch, not a number (so it is not in the shared table's range checks)."""
    with pytest.raises(ValueError, match=r"^centered must be True or False, got "):
        O.RMSprop(centered=value)
    assert O.RMSprop(centered=np.bool_(True)).centered is True


def test_a_state_without_the_options_buffers_is_refused_before_anything_changes():
    w = np.zeros(2)
    plain = O.RMSprop().init(w)                          # gbar and b are None
    for opt, field in [(O.RMSprop(centered=True), "gbar"), (O.RMSprop(momentum=0.9), "b")]:
        with pytest.raises(ValueError, match=rf"state.{field} is None .* init\(params\)"):
            opt.update(np.ones(2), plain, w)
        with pytest.raises(ValueError, match=rf"state.{field} is None"):
            opt.update_inplace(w, np.ones(2), plain)
    np.testing.assert_array_equal(plain.G, 0.0)
    np.testing.assert_array_equal(w, 0.0)


def test_centered_rmsprop_first_step_by_hand():
    """gamma = 0.75, g_1 = -4: G_1 = 4, gbar_1 = -1, variance 4 - 1 = 3; with momentum b_1 = g_1 / D_1."""
    opt = O.RMSprop(lr=0.1, gamma=0.75, eps=0.0, centered=True, momentum=0.9)
    step, s = opt.update(np.array([-4.0]), opt.init(np.zeros(1)))
    assert s.G[0] == 4.0 and s.gbar[0] == -1.0
    assert s.b[0] == pytest.approx(-4.0 / np.sqrt(3.0), rel=1e-15)
    assert step[0] == pytest.approx(0.4 / np.sqrt(3.0), rel=1e-15)
    assert step[0] != pytest.approx(0.4 / np.sqrt(4.0))   # not the uncentered step


# --- PyTorch, step by step in the regime where trajectories part ---------------------------------

def _per_step_settings():
    """(id, make) for the step-by-step torch check: every row that maps its state onto
    torch's, with its fixed settings and its variants at a constant lr, each also climbing."""
    out = []
    for case in CASES:
        if case.torch_state is None:
            continue
        for i, make in enumerate([case.make, *case.variants]):
            if callable(make().lr):
                continue                               # torch's lr is set once here
            out.append((f"{case.id}-{i}", make))
            out.append((f"{case.id}-{i}-maximize",
                        lambda make=make: type(make())(**{**make().hyperparameters(), "maximize": True})))
    return out


PER_STEP = dict(_per_step_settings())


@pytest.mark.torch
@pytest.mark.parametrize("make", list(PER_STEP.values()), ids=list(PER_STEP))
def test_each_step_from_torchs_state_matches_torch_with_default_eps(make):
    """PyTorch's own run for 300 steps (eps at its default, the run oscillating near the
    minimum): from torch's state before each step, our update lands on torch's next iterate."""
    torch = pytest.importorskip("torch")
    torch.set_default_dtype(torch.float64)
    opt = make()
    rng = np.random.default_rng(7)
    Q, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    A = Q @ np.diag(rng.uniform(0.5, 5.0, 6)) @ Q.T
    b = rng.normal(size=6)
    eq = opt.torch_equivalent()
    p = torch.tensor(rng.normal(size=6), requires_grad=True)
    topt = getattr(torch.optim, eq.cls)([p], **eq.kwargs)
    case = next(c for c in CASES if type(opt) is type(c.make()) and c.torch_state)
    fields = case.torch_state
    sign = -1.0 if opt.maximize else 1.0              # maximize: climb -J, the same path
    for k in range(300):
        w = p.detach().numpy().copy()
        g = sign * (A @ w - b)
        st = topt.state[p]
        if st:
            ours = opt.State(t=int(st["step"]), **{f: st[key].numpy().copy()
                                                   for f, key in fields.items() if key in st})
        else:
            ours = opt.init(w)
        step, _ = opt.update(g, ours, w)
        p.grad = torch.from_numpy(g)
        topt.step()
        theirs = p.detach().numpy()
        np.testing.assert_allclose(w + step, theirs, rtol=1e-13, atol=1e-14)


def test_adagrad_lr_decay_enters_in_one_place():
    """eta_t = eta / (1 + (t - 1) delta) is Adagrad.lr_at, so the rule, the fast path and
    effective_step all see the same eta_t (effective_step once forgot nothing only because
    it carried its own copy: here it must equal -step / g after every update)."""
    for lr in (0.5, lambda t: 0.5 / t):
        opt = O.Adagrad(lr=lr, eps=1e-3, G0=0.2, lr_decay=0.3)
        base = lr if not callable(lr) else None
        w = np.array([0.3, -0.2, 1.0])
        s = opt.init(w)
        for t, g in enumerate([np.array([1.0, -2.0, 0.5]), np.array([0.5, 1.0, -3.0]),
                               np.array([2.0, 0.1, 1.0])], start=1):
            eta = (base if base is not None else 0.5 / t) / (1 + (t - 1) * 0.3)
            assert opt.lr_at(t) == pytest.approx(eta, rel=1e-15)
            step, s = opt.update(g, s, w)
            np.testing.assert_allclose(opt.effective_step(s), -step / g, rtol=1e-14)
            w = w + step
