"""Shared checks over the table of optimizers (tests/optimizer_cases.py)."""
from __future__ import annotations

import copy

import numpy as np
import pytest
import sympy as sp

from course_lib import optimizers as O
from course_lib.trace import minimize
from course_lib.tree import apply_updates

from optimizer_cases import CASES

IDS = [c.id for c in CASES]
G1, G2 = np.array([1.0, -2.0, 0.5]), np.array([0.5, 1.0, -3.0])


@pytest.fixture(params=CASES, ids=IDS)
def case(request):
    return request.param


def test_first_steps_by_hand(case):
    opt = case.make()
    w = np.array([0.3, -0.2, 1.0])
    s = opt.init(w)
    expected = case.by_hand(G1, G2)
    step1, s = opt.update(G1, s, w)
    np.testing.assert_allclose(step1, expected[0], rtol=1e-12, atol=1e-15)
    assert s.t == 1
    w = w + step1
    step2, s = opt.update(G2, s, w)
    np.testing.assert_allclose(step2, expected[1], rtol=1e-12, atol=1e-15)
    assert s.t == 2


def test_converges_on_a_quadratic(case):
    A = np.diag([1.0, 4.0])
    kw = case.converge_kwargs or case.kwargs
    opt = type(case.make())(**kw)
    tr = minimize(opt, grad=lambda w: A @ w, w0=np.array([1.0, 1.0]), steps=case.converge_steps,
                  loss=lambda w: 0.5 * w @ A @ w)
    assert not tr.diverged
    assert np.linalg.norm(tr.ws[-1]) < 1e-3, tr.ws[-1]


def test_bad_hyperparameters_name_the_argument(case):
    cls = type(case.make())
    for arg, values in case.bad.items():
        for v in values:
            with pytest.raises(ValueError, match=rf"^{arg}\b.*must") as info:
                cls(**{**case.kwargs, arg: v})
            assert "got" in str(info.value)


def test_bad_gradients_are_refused_and_state_is_unchanged(case):
    opt = case.make()
    w = np.array([0.3, -0.2, 1.0])
    s0 = opt.init(w)
    _, s1 = opt.update(G1, s0, w)
    before = copy.deepcopy(s1)
    for bad, pattern in [(np.array([1.0, np.nan, 0.0]), "grads must be finite"),
                         (np.array([1.0, np.inf, 0.0]), "grads must be finite"),
                         (np.array([1.0, 2.0]), "shape")]:
        with pytest.raises(ValueError, match=pattern):
            opt.update(bad, s1, w)
        for a, b in zip(s1, before):
            np.testing.assert_array_equal(a, b)
    with pytest.raises(TypeError, match="state must be"):
        opt.update(G1, (0, w), w)


def test_update_does_not_modify_its_inputs(case):
    opt = case.make()
    w = np.array([0.3, -0.2, 1.0])
    _, s = opt.update(G1, opt.init(w), w)
    snapshot, g, w0 = copy.deepcopy(s), G2.copy(), w.copy()
    opt.update(g, s, w)
    for a, b in zip(s, snapshot):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(g, G2)
    np.testing.assert_array_equal(w, w0)


def test_a_list_of_arrays_updates_like_each_array_alone(case):
    opt = case.make()
    ws = [np.array([[0.3, -0.2], [0.1, 0.4]]), np.array([1.0, -1.0, 2.0])]
    rng = np.random.default_rng(0)
    s_list = opt.init(ws)
    s_each = [opt.init(w) for w in ws]
    for _ in range(3):
        gs = [rng.normal(size=w.shape) for w in ws]
        steps, s_list = opt.update(gs, s_list, ws)
        for i in range(2):
            step_i, s_each[i] = opt.update(gs[i], s_each[i], ws[i])
            np.testing.assert_allclose(steps[i], step_i, rtol=1e-14)
        ws = apply_updates(ws, steps)
    assert s_list.t == 3
    with pytest.raises(ValueError, match="list of 2 arrays"):
        opt.update(gs[:1], s_list, ws)


def test_the_rule_runs_on_sympy_symbols(case):
    if not case.symbolic:
        pytest.skip("this rule branches on values")
    opt = case.make()
    g1, g2, w = sp.symbols("g1 g2 w", real=True)
    s = opt.init(w)
    step1, s = opt.update(g1, s, w)
    step2, s = opt.update(g2, s, w + step1)
    expected = case.by_hand(np.array([1.0]), np.array([0.0]))   # coordinate 0 has W_0 = 0.3
    assert float(step1.subs({g1: 1.0, g2: 0.0, w: 0.3})) == pytest.approx(float(expected[0][0]))


def test_a_schedule_is_accepted_and_checked(case):
    opt = type(case.make())(**{**case.kwargs, "lr": lambda t: 0.1 / t})
    w = np.array([0.3, -0.2, 1.0])
    s = opt.init(w)
    step, s = opt.update(G1, s, w)
    assert np.all(np.isfinite(step))
    bad = type(case.make())(**{**case.kwargs, "lr": lambda t: -0.1})
    with pytest.raises(ValueError, match="lr must be"):
        bad.update(G1, bad.init(w), w)


def test_declares_its_pytorch_equivalent(case):
    eq = case.make().torch_equivalent()
    assert isinstance(eq, O.TorchEquivalent)
    assert eq.cls and isinstance(eq.kwargs, dict) and eq.exact_when
    assert "PyTorch" in type(case.make()).__doc__


# --- cross-checks against torch.optim (optional extra) -------------------------------

def _random_problem(rng, n=7):
    Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    eig = rng.uniform(0.5, 5.0, size=n)
    A = Q @ np.diag(eig) @ Q.T
    b = rng.normal(size=n)
    return A, b, eig.max()


def run_against_torch(opt, A, b, w0, steps, torch_point=lambda o, w, s: w, lr_schedule=None):
    """Return (our points mapped to torch's, torch's iterates), both (steps+1, n)."""
    torch = pytest.importorskip("torch")
    torch.set_default_dtype(torch.float64)
    eq = opt.torch_equivalent()
    grad = lambda w: A @ w - b
    p = torch.tensor(w0.copy(), requires_grad=True)
    topt = getattr(torch.optim, eq.cls)([p], **eq.kwargs)
    ours, theirs = [w0.copy()], [w0.copy()]
    state, w = opt.init(w0), w0.copy()
    for k in range(1, steps + 1):
        if lr_schedule is not None:
            topt.param_groups[0]["lr"] = lr_schedule(k)
        step, state = opt.update(grad(opt.eval_point(w, state)), state, w)
        w = w + step
        ours.append(torch_point(opt, w, state))
        p.grad = torch.from_numpy(grad(p.detach().numpy()))
        topt.step()
        theirs.append(p.detach().numpy().copy())
    return np.array(ours), np.array(theirs)


TORCH_SEEDS = range(3)


def _torch_check_inputs(case, seed):
    """(optimizer with random hyperparameters, A, b, w0) for one seed of the torch check."""
    rng = np.random.default_rng(100 + seed)
    A, b, L = _random_problem(rng)
    opt = case.random(rng, L)
    return opt, A, b, rng.normal(size=len(b))


@pytest.mark.torch
@pytest.mark.parametrize("seed", TORCH_SEEDS)
def test_equal_iterates_to_torch_optim(case, seed):
    opt, A, b, w0 = _torch_check_inputs(case, seed)
    ours, theirs = run_against_torch(opt, A, b, w0, 200, case.torch_point)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_the_torch_check_draws_every_option_both_on_and_off():
    """Issue 4: the random hyperparameters of the torch check switch each option (weight_decay,
    momentum, centered) both ways, for every class that has it (AdamW's decay is always on)."""
    seen = {}
    for case in CASES:
        for seed in TORCH_SEEDS:
            opt = _torch_check_inputs(case, seed)[0]
            for option in ("weight_decay", "momentum", "centered"):
                if hasattr(opt, option) and not isinstance(opt, O.AdamW):
                    seen.setdefault((opt.name, option), set()).add(bool(getattr(opt, option)))
    assert ("RMSprop", "centered") in seen and ("Adagrad", "weight_decay") in seen
    assert {k: v for k, v in seen.items() if v != {False, True}} == {}


# --- conventions where the notes and PyTorch differ, both sides tested ---------------------

@pytest.mark.torch
def test_velocity_form_parts_from_torch_under_a_schedule():
    rng = np.random.default_rng(1)
    A, b, L = _random_problem(rng)
    sched = lambda t: 0.3 / L / np.sqrt(t)
    opt = O.Momentum(lr=sched, gamma=0.9)
    ours, theirs = run_against_torch(opt, A, b, np.zeros(len(b)), 50, lr_schedule=sched)
    np.testing.assert_allclose(ours[:2], theirs[:2], rtol=1e-12)        # same first step
    assert np.max(np.abs(ours - theirs)) > 1e-3                          # then they part


@pytest.mark.torch
def test_averaged_momentum_is_not_torch_dampening():
    torch = pytest.importorskip("torch")
    torch.set_default_dtype(torch.float64)
    opt = O.AveragedMomentum(lr=0.1, gamma=0.9)
    p = torch.zeros(1, requires_grad=True)
    topt = torch.optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.9)
    p.grad = torch.ones(1)
    topt.step()
    step, _ = opt.update(np.ones(1), opt.init(np.zeros(1)))
    assert p.item() == pytest.approx(-0.1)          # torch: first buffer = g_1, undamped
    assert step[0] == pytest.approx(-0.01)          # ours: M_1 = (1 - gamma) g_1


def test_the_two_momentum_forms_agree_for_a_constant_step_and_part_under_a_schedule():
    A = np.diag([1.0, 10.0])
    grad, w0 = (lambda w: A @ w), np.array([1.0, 1.0])
    gamma, lr_avg = 0.8, 0.1
    a = minimize(O.AveragedMomentum(lr=lr_avg, gamma=gamma), grad, w0, 40).ws
    v = minimize(O.Momentum(lr=lr_avg * (1 - gamma), gamma=gamma), grad, w0, 40).ws
    np.testing.assert_allclose(a, v, rtol=1e-12, atol=1e-14)
    sched = lambda t: lr_avg * 0.9 ** t
    a = minimize(O.AveragedMomentum(lr=sched, gamma=gamma), grad, w0, 40).ws
    v = minimize(O.Momentum(lr=lambda t: sched(t) * (1 - gamma), gamma=gamma), grad, w0, 40).ws
    assert np.max(np.abs(a - v)) > 1e-3


def test_nesterov_forms_track_points_related_by_the_change_of_variables():
    A = np.diag([1.0, 10.0])
    grad, w0 = (lambda w: A @ w - 1.0), np.array([1.0, -1.0])
    look = minimize(O.Nesterov(lr=0.05, gamma=0.9), grad, w0, 60, keep_states=True)
    fw = minimize(O.NesterovFramework(lr=0.05, gamma=0.9), grad, w0, 60)
    U = np.array([w - 0.9 * s.V for w, s in zip(look.ws, look.states)])
    np.testing.assert_allclose(U, fw.ws, rtol=1e-12, atol=1e-14)


def test_inplace_fast_path_equals_the_readable_update(case):
    opt = case.make()
    rng = np.random.default_rng(5)
    ws = [rng.normal(size=(3, 2)), rng.normal(size=4)]
    w_pure, s_pure = [w.copy() for w in ws], opt.init(ws)
    w_fast, s_fast = [w.copy() for w in ws], opt.init(ws)
    for _ in range(5):
        gs = [rng.normal(size=w.shape) for w in ws]
        step, s_pure = opt.update(gs, s_pure, w_pure)
        w_pure = apply_updates(w_pure, step)
        s_fast = opt.update_inplace(w_fast, gs, s_fast)
    for a, b in zip(w_pure, w_fast):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)
    assert s_fast.t == s_pure.t == 5
    before = [w.copy() for w in w_fast]
    with pytest.raises(ValueError):
        opt.update_inplace(w_fast, [np.full((3, 2), np.nan), gs[1]], s_fast)
    for a, b in zip(before, w_fast):
        np.testing.assert_array_equal(a, b)


# non-default options the case table leaves off, so the blocked kernels run with them too
OPTION_VARIANTS = {
    "adagrad": [lambda: O.Adagrad(lr=lambda k: 0.5 / k, eps=1e-6, G0=0.2, lr_decay=0.3),
                lambda: O.Adagrad(lr=0.5, weight_decay=0.3)],
    "rprop": [lambda: O.Rprop(lr=0.1, eta_minus=0.3, eta_plus=1.7, delta_min=0.05, delta_max=0.2)],
    "rmsprop": [lambda: O.RMSprop(lr=0.05, gamma=0.8, weight_decay=0.2),
                lambda: O.RMSprop(lr=0.05, centered=True),                  # generic path
                lambda: O.RMSprop(lr=lambda k: 0.05 / k, momentum=0.9)],    # generic path
    "adam": [lambda: O.Adam(lr=0.05, beta1=0.8, beta2=0.99, eps=1e-3, weight_decay=0.1)],
    "amsgrad": [lambda: O.AMSGrad(lr=0.05, beta2=0.9, weight_decay=0.2)],
    "adamax": [lambda: O.AdaMax(lr=0.05, eps=1e-3, weight_decay=0.2)],
    "adamw": [lambda: O.AdamW(lr=lambda k: 0.05 / k, weight_decay=0.5)],
    "adadelta": [lambda: O.Adadelta(rho=0.7, eps=1e-3, lr=lambda k: 1.0 / k),
                 lambda: O.Adadelta(rho=0.9, eps=1e-4, weight_decay=0.3)],
}


def _takes_the_generic_path(opt):
    """RMSprop's documented fallback: no blocked kernel for centered or momentum."""
    return isinstance(opt, O.RMSprop) and (opt.centered or opt.momentum != 0)


def test_inplace_fast_path_equals_the_readable_update_across_blocks(case, monkeypatch):
    """The blocked kernels on arrays of several blocks plus a ragged last one, with the case's
    fixed hyperparameters, random ones, and the OPTION_VARIANTS; w and every buffer compared.
    BLOCK is made small here so that small arrays span several blocks."""
    from course_lib.optimizers import base
    monkeypatch.setattr(base, "BLOCK", 16384)
    BLOCK = base.BLOCK
    rng = np.random.default_rng(11)
    shapes = [(40_000,), (150, 131)]                  # 2 blocks + 7232, 1 block + 3266
    assert all(np.prod(sh) > BLOCK and np.prod(sh) % BLOCK for sh in shapes)
    makes = [case.make, lambda: case.random(rng, 1.0), *OPTION_VARIANTS.get(case.id, [])]
    for make in makes:
        opt = make()
        ws = [rng.normal(size=sh) for sh in shapes]
        w_pure, s_pure = [w.copy() for w in ws], opt.init(ws)
        w_fast, s_fast = [w.copy() for w in ws], opt.init(ws)
        for _ in range(5):
            gs = [rng.normal(size=sh) * (rng.random(sh) > 0.05) for sh in shapes]  # some exact 0
            step, s_pure = opt.update(gs, s_pure, w_pure)
            w_pure = apply_updates(w_pure, step)
            s_fast = opt.update_inplace(w_fast, gs, s_fast)
        kernel = "_scratch" in vars(opt)
        assert kernel != _takes_the_generic_path(opt), f"{opt!r}: blocked kernel ran: {kernel}"
        for a, b in zip(w_pure, w_fast):
            np.testing.assert_allclose(b, a, rtol=1e-13, atol=1e-15, err_msg=repr(opt))
        assert s_fast.t == s_pure.t == 5
        for f in s_pure._fields[1:]:
            if getattr(s_pure, f) is None:            # an option that is off keeps no buffer
                assert getattr(s_fast, f) is None, f"{opt!r}: {f}"
                continue
            for a, b in zip(getattr(s_pure, f), getattr(s_fast, f)):
                np.testing.assert_allclose(b, a, rtol=1e-13, atol=1e-15, err_msg=f"{opt!r}: {f}")
