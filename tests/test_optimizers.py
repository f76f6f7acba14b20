"""Shared checks over the table of optimizers (tests/optimizer_cases.py)."""
from __future__ import annotations

import copy

import numpy as np
import pytest
import sympy as sp

from course_lib import optimizers as O
from course_lib.in_pytorch import optimizer_paths
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
    switches = {"maximize": [0, 1, "yes", None, np.array(True)]}    # every optimizer has it
    for arg, values in {**case.bad, **switches}.items():
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


#: the torch.optim classes the course maps onto, with their constructor arguments (torch
#: 2.13; test_the_torch_argument_table_matches_torch keeps this in step with torch itself)
TORCH_ARGS = {
    "SGD": {"lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize", "foreach",
            "differentiable", "fused"},
    "Adagrad": {"lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps", "foreach",
                "maximize", "differentiable", "fused"},
    "RMSprop": {"lr", "alpha", "eps", "weight_decay", "momentum", "centered", "capturable",
                "foreach", "maximize", "differentiable"},
    "Adadelta": {"lr", "rho", "eps", "weight_decay", "foreach", "capturable", "maximize",
                 "differentiable"},
    "Rprop": {"lr", "etas", "step_sizes", "capturable", "foreach", "maximize", "differentiable"},
    "Adam": {"lr", "betas", "eps", "weight_decay", "amsgrad", "foreach", "maximize", "capturable",
             "differentiable", "fused", "decoupled_weight_decay"},
    "Adamax": {"lr", "betas", "eps", "weight_decay", "foreach", "maximize", "differentiable",
               "capturable"},
    "AdamW": {"lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "foreach", "capturable",
              "differentiable", "fused"},
}


def torch_equivalent_problems(eq) -> list:
    """What is wrong with a TorchEquivalent: a class torch.optim does not have, an argument
    its constructor does not take, a missing condition. Empty when it can be built."""
    if not isinstance(eq, O.TorchEquivalent):
        return [f"not a TorchEquivalent: {eq!r}"]
    if eq.cls not in TORCH_ARGS:
        return [f"torch.optim has no class {eq.cls!r}"]
    problems = [f"torch.optim.{eq.cls} takes no argument {k!r}" for k in eq.kwargs
                if k not in TORCH_ARGS[eq.cls]]
    if not eq.exact_when:
        problems.append("exact_when is empty")
    return problems


def test_declares_a_pytorch_equivalent_torch_could_build(case):
    """Class and argument names are checked against torch.optim's (without importing torch);
    every option our optimizer has is passed on, so torch runs with the same settings."""
    for make in [case.make, *case.variants]:
        opt = make()
        eq = opt.torch_equivalent()
        assert torch_equivalent_problems(eq) == [], repr(opt)
        assert eq.kwargs["maximize"] is opt.maximize
        if case.decay != "none":
            assert eq.kwargs["weight_decay"] == opt.weight_decay


def test_the_pytorch_check_fails_on_a_wrong_name():
    good = O.Adam(lr=0.1).torch_equivalent()
    assert torch_equivalent_problems(good) == []
    typo_cls = O.TorchEquivalent("Adamm", good.kwargs)
    typo_arg = O.TorchEquivalent("Adam", {**good.kwargs, "beta1": 0.9})
    no_cond = O.TorchEquivalent("Adam", good.kwargs, exact_when="")
    assert torch_equivalent_problems(typo_cls) == ["torch.optim has no class 'Adamm'"]
    assert torch_equivalent_problems(typo_arg) == ["torch.optim.Adam takes no argument 'beta1'"]
    assert torch_equivalent_problems(no_cond) == ["exact_when is empty"]
    assert torch_equivalent_problems({"cls": "Adam"}) != []


@pytest.mark.torch
def test_the_torch_argument_table_matches_torch():
    torch = pytest.importorskip("torch")
    import inspect
    for name, args in TORCH_ARGS.items():
        params = set(inspect.signature(getattr(torch.optim, name).__init__).parameters)
        assert args == params - {"self", "params"}, name


# --- cross-checks against torch.optim (optional extra) -------------------------------

def _random_problem(rng, n=7):
    Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    eig = rng.uniform(0.5, 5.0, size=n)
    A = Q @ np.diag(eig) @ Q.T
    b = rng.normal(size=n)
    return A, b, eig.max()


def run_against_torch(opt, A, b, w0, steps, torch_point=lambda o, w, s: w, lr_schedule=None):
    """Return (our points mapped to torch's, torch's iterates), both (steps+1, n). The run is
    the lessons' "In PyTorch" box's (course_lib.in_pytorch.optimizer_paths): torch's optimizer
    built from opt.torch_equivalent(), its lr set to lr_schedule(k) before step k if given."""
    torch = pytest.importorskip("torch")
    torch.set_default_dtype(torch.float64)
    sign = -1.0 if opt.maximize else 1.0            # maximize: climb -J, the same path
    grad = lambda w: sign * (A @ w - b)
    return optimizer_paths(opt, grad, w0.copy(), steps, point=torch_point, torch_lr=lr_schedule)


TORCH_SEEDS = range(3)


def rebuilt(opt, **changes):
    """The same optimizer with some hyperparameters changed (a fresh instance)."""
    return type(opt)(**{**opt.hyperparameters(), **changes})


def _torch_check_inputs(case, seed):
    """(optimizer with random hyperparameters, A, b, w0) for one seed of the torch check;
    odd seeds climb (maximize=True) on -J."""
    rng = np.random.default_rng(100 + seed)
    A, b, L = _random_problem(rng)
    opt = case.random(rng, L)
    if seed % 2:
        opt = rebuilt(opt, maximize=True)
    return opt, A, b, rng.normal(size=len(b))


@pytest.mark.torch
@pytest.mark.parametrize("seed", TORCH_SEEDS)
def test_equal_iterates_to_torch_optim(case, seed):
    opt, A, b, w0 = _torch_check_inputs(case, seed)
    ours, theirs = run_against_torch(opt, A, b, w0, 200, case.torch_point)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_the_torch_check_draws_every_option_both_on_and_off():
    """Issue 4: the random hyperparameters of the torch check switch each option (weight_decay,
    momentum, centered, maximize) both ways, for every class that has it (AdamW's decay is
    always on)."""
    seen = {}
    for case in CASES:
        for seed in TORCH_SEEDS:
            opt = _torch_check_inputs(case, seed)[0]
            for option in ("weight_decay", "momentum", "centered", "maximize"):
                if hasattr(opt, option) and not isinstance(opt, O.AdamW):
                    seen.setdefault((opt.name, option), set()).add(bool(getattr(opt, option)))
    assert ("RMSprop", "centered") in seen and ("Adagrad", "weight_decay") in seen
    assert ("Nesterov", "weight_decay") in seen and ("Rprop", "maximize") in seen
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


# --- update_inplace: the blocked kernels of _fast.py against the readable rule ------------------

def _takes_the_generic_path(opt):
    """RMSprop's documented fallback: no blocked kernel for centered or momentum."""
    return isinstance(opt, O.RMSprop) and (opt.centered or opt.momentum != 0)


def _settings(case, rng):
    """Every setting the fast path meets for one row: fixed, random, the variants, climbing."""
    fixed = case.make()
    return [case.make, lambda: case.random(rng, 1.0), *case.variants,
            lambda: rebuilt(fixed, maximize=True)]


def _counting_rule(opt):
    """Count the calls of opt's readable rule (the generic path calls it, a kernel does not)."""
    calls = []
    rule = opt.rule

    def counted(*args):
        calls.append(1)
        return rule(*args)
    opt.rule = counted
    return calls


def test_update_inplace_equals_the_readable_update(case, monkeypatch):
    """The one check of the fast path: for every setting of the row, update_inplace over a
    list of arrays (several blocks plus a ragged last one, and a small one) gives the readable
    update's W and state: bit for bit where the row says the kernel is exact, else to 1e-13.
    The kernel runs (the readable rule is not called) unless the class documents a fallback.
    BLOCK is made small here so that small arrays span several blocks."""
    from course_lib.optimizers import _fast
    monkeypatch.setattr(_fast, "BLOCK", 16384)
    rng = np.random.default_rng(11)
    shapes = [(40_000,), (150, 131), (7,)]            # 2 blocks + 7232, 1 block + 3266, 7
    assert all(np.prod(sh) % _fast.BLOCK for sh in shapes)
    same = (np.testing.assert_array_equal if case.fast_exact else
            lambda b, a, err_msg: np.testing.assert_allclose(b, a, rtol=1e-13, atol=1e-15,
                                                             err_msg=err_msg))
    for make in _settings(case, rng):
        pure = make()
        fast = copy.deepcopy(pure)
        calls = _counting_rule(fast)
        ws = [rng.normal(size=sh) for sh in shapes]
        w_pure, s_pure = [w.copy() for w in ws], pure.init(ws)
        w_fast, s_fast = [w.copy() for w in ws], fast.init(ws)
        for _ in range(5):
            gs = [rng.normal(size=sh) * (rng.random(sh) > 0.05) for sh in shapes]  # some exact 0
            step, s_pure = pure.update(gs, s_pure, w_pure)
            w_pure = apply_updates(w_pure, step)
            s_fast = fast.update_inplace(w_fast, gs, s_fast)
        assert bool(calls) == _takes_the_generic_path(pure), f"{pure!r}: rule called {len(calls)}x"
        for a, b in zip(w_pure, w_fast):
            same(b, a, err_msg=repr(pure))
        assert s_fast.t == s_pure.t == 5
        for f in s_pure._fields[1:]:
            if getattr(s_pure, f) is None:            # an option that is off keeps no buffer
                assert getattr(s_fast, f) is None, f"{pure!r}: {f}"
                continue
            for a, b in zip(getattr(s_pure, f), getattr(s_fast, f)):
                same(b, a, err_msg=f"{pure!r}: {f}")


def test_update_inplace_on_strided_views_takes_the_generic_path(case):
    """A view with strides (a column slice) cannot be cut into flat blocks: the readable rule
    runs instead, and still writes into the view."""
    opt = case.make()
    calls = _counting_rule(opt)
    rng = np.random.default_rng(1)
    base = rng.normal(size=(6, 8))
    view, ref = base[:, ::2], base[:, ::2].copy()
    g = rng.normal(size=ref.shape)
    step, s_ref = case.make().update(g, case.make().init(ref), ref)
    s = opt.update_inplace(view, g, opt.init(ref))
    np.testing.assert_array_equal(view, ref + step)
    assert calls and s.t == s_ref.t == 1


def test_the_kernels_allocate_no_array_per_update(case):
    """What the fast path is for: after the first call (which makes the scratch blocks), an
    update of 1e5 weights allocates less than a quarter of one array (the checks' small
    temporaries), where the readable path allocates several whole arrays."""
    import tracemalloc
    n = 100_000
    rng = np.random.default_rng(3)
    opt = case.make()
    w, g = rng.normal(size=n), rng.normal(size=n)
    s = opt.update_inplace(w, g, opt.init(w))
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        opt.update_inplace(w, g, s)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    if _takes_the_generic_path(opt):
        assert peak > 8 * n, peak
    else:
        assert peak < 2 * n, f"{opt!r} allocated {peak} bytes for {8 * n} bytes of weights"


# --- update_inplace refuses before it writes (issue 15) ------------------------------------------

def _refusals(opt, ws, gs, state):
    """(description, params, grads, state, error, message pattern): each bad in the LAST array
    only, so a check made array by array, interleaved with the writes, would write the first."""
    ro = ws[1].copy()
    ro.flags.writeable = False
    out = [("int params", [ws[0], np.array([1, 2, 3, 4])], gs, state, TypeError,
            r"params\[1\] must be a float numpy array .* got an array of dtype int"),
           ("read-only params", [ws[0], ro], gs, state, ValueError,
            r"params\[1\] must be writeable"),
           ("complex params", [ws[0], ws[1] + 0j], gs, state, TypeError,
            r"params\[1\] must be real"),
           ("complex grads", ws, [gs[0], gs[1] + 1j], state, TypeError, r"grads\[1\] must be real"),
           ("NaN grads", ws, [gs[0], np.array([1.0, np.nan, 0.0, 0.0])], state, ValueError,
            r"grads\[1\] must be finite"),
           ("misshapen grads", ws, [gs[0], np.ones(3)], state, ValueError, r"grads\[1\] has shape"),
           ("no params", None, gs, state, ValueError, "needs params")]
    for f in state._fields[1:]:
        if getattr(state, f) is None:
            continue
        frozen = getattr(state, f)[1].copy()
        frozen.flags.writeable = False
        out.append((f"read-only state.{f}", ws, gs, state._replace(**{f: [getattr(state, f)[0], frozen]}),
                    ValueError, rf"state\.{f}\[1\] must be writeable"))
        out.append((f"int state.{f}", ws, gs,
                    state._replace(**{f: [getattr(state, f)[0], np.zeros(4, dtype=int)]}),
                    TypeError, rf"state\.{f}\[1\] must be a float numpy array"))
    return out


def test_update_inplace_refuses_before_writing_anything(case):
    """Issue 15's bug: a bad LATER array used to be found only after the earlier arrays and
    their buffers had been written. Every refusal must leave params and state as they were,
    name the argument, and say what is allowed."""
    opt = case.make()
    rng = np.random.default_rng(2)
    ws = [rng.normal(size=(3, 2)), rng.normal(size=4)]
    state = opt.init(ws)
    gs = [rng.normal(size=w.shape) for w in ws]
    state = opt.update_inplace(ws, gs, state)               # buffers away from their init values
    for what, params, grads, st, error, pattern in _refusals(opt, ws, gs, state):
        before = copy.deepcopy((ws, st))
        with pytest.raises(error, match=pattern):
            opt.update_inplace(params, grads, st)
        for a, b in zip(ws, before[0]):
            np.testing.assert_array_equal(a, b, err_msg=what)
        for f in st._fields[1:]:
            if getattr(st, f) is not None:
                for a, b in zip(getattr(st, f), getattr(before[1], f)):
                    np.testing.assert_array_equal(a, b, err_msg=f"{what}: state.{f}")
        assert st.t == 1, what
    # the reproducer of the issue, verbatim
    opt = O.Momentum(lr=0.1, gamma=0.9)
    P = [np.zeros(3), np.array([1, 2, 3])]
    S = opt.init(P)
    with pytest.raises(TypeError, match=r"params\[1\]"):
        opt.update_inplace(P, [np.ones(3)] * 2, S)
    assert P[0].tolist() == [0.0, 0.0, 0.0] and S.V[0].tolist() == [0.0, 0.0, 0.0] and S.t == 0


def test_update_refuses_complex_gradients_and_params(case):
    opt = case.make()
    w = np.array([0.3, -0.2, 1.0])
    s = opt.init(w)
    with pytest.raises(TypeError, match=r"^grads must be real"):
        opt.update(G1 + 1j, s, w)
    with pytest.raises(TypeError, match=r"^grads\[1\] must be real"):
        opt.update([G1, G2 * 1j], opt.init([w, w]), [w, w])
    with pytest.raises(TypeError, match=r"^params must be real"):
        opt.update(G1, s, w + 0j)
    assert opt.update(G1.astype(np.float32), s, w)[1].t == 1    # a real float32 is fine


# --- structure that teaches (issue 15) --------------------------------------------------------

def _own_methods(cls):
    import inspect
    return {k for k, v in vars(cls).items() if inspect.isfunction(v) and not k.startswith("__")}


def test_nesterov_is_momentum_with_another_gradient_point():
    """Lesson 06's point: only where the gradient is taken differs. So Nesterov inherits
    Momentum's constructor, rule and fast path, and adds eval_point (and its torch mapping)."""
    assert issubclass(O.Nesterov, O.Momentum)
    assert _own_methods(O.Nesterov) == {"eval_point", "torch_equivalent"}
    assert O.Nesterov.rule is O.Momentum.rule and O.Nesterov.__init__ is O.Momentum.__init__
    # same gradients in, same steps out: bit for bit
    nes, hb = O.Nesterov(lr=0.1, gamma=0.7), O.Momentum(lr=0.1, gamma=0.7)
    w = np.array([0.3, -0.2, 1.0])
    s_n, s_h = nes.init(w), hb.init(w)
    for g in (G1, G2, G1 * G2):
        step_n, s_n = nes.update(g, s_n, w)
        step_h, s_h = hb.update(g, s_h, w)
        np.testing.assert_array_equal(step_n, step_h)
    assert not np.array_equal(nes.eval_point(w, s_n), hb.eval_point(w, s_h))


def test_every_constructor_goes_through_the_base_class(case, monkeypatch):
    """Optimizer.__init__ checks lr; every class must call it (once), not copy it."""
    calls = []
    original = O.Optimizer.__init__

    def spy(self, *args, **kwargs):
        calls.append(type(self).__name__)
        original(self, *args, **kwargs)

    monkeypatch.setattr(O.Optimizer, "__init__", spy)
    rng = np.random.default_rng(0)
    for make in _settings(case, rng):
        calls.clear()
        opt = make()
        assert calls == [type(opt).__name__], (case.id, calls)


def test_the_adam_family_shares_one_constructor():
    import inspect
    assert O.Adam.__init__ is O.AMSGrad.__init__
    sig = {cls: {p.name: p.default for p in inspect.signature(cls.__init__).parameters.values()}
           for cls in (O.Adam, O.AMSGrad, O.AdaMax, O.AdamW)}
    assert sig[O.AdaMax] == {**sig[O.Adam], "lr": 0.002}        # the paper's and torch's default
    assert sig[O.AdamW] == {**sig[O.Adam], "weight_decay": 0.01}
    for cls in (O.Adam, O.AMSGrad, O.AdaMax, O.AdamW):
        with pytest.raises(ValueError, match=r"^beta2 must be in \[0, 1\)"):
            cls(beta2=1.0)


def _torch_sgd_momentum(grad, w0, lrs, gamma):
    """torch.optim.SGD(momentum=gamma) written out (its source): buf_1 = g_1,
    buf_t = gamma buf_{t-1} + g_t, p_t = p_{t-1} - lr_t buf_t."""
    w, buf, out = w0.copy(), None, [w0.copy()]
    for lr in lrs:
        g = grad(w)
        buf = g.copy() if buf is None else gamma * buf + g
        w = w - lr * buf
        out.append(w.copy())
    return np.array(out)


def test_averaged_momentum_maps_onto_torch_under_any_schedule():
    """Issue 15's documentation slip: with torch's lr set to eta'_t (1 - gamma) before step t
    the iterates coincide for every schedule, not only for a constant lr. Heavy ball has no
    such mapping (the last assert: its V keeps old step sizes inside)."""
    A = np.diag([1.0, 10.0])
    grad, w0, gamma = (lambda w: A @ w - 1.0), np.array([1.0, -1.0]), 0.8
    sched = lambda t: 0.15 * 0.9 ** t
    opt = O.AveragedMomentum(lr=sched, gamma=gamma)
    ours = minimize(opt, grad, w0, 40).ws
    lrs = [sched(t) * (1 - gamma) for t in range(1, 41)]
    np.testing.assert_allclose(ours, _torch_sgd_momentum(grad, w0, lrs, gamma), rtol=1e-12, atol=1e-14)
    assert opt.torch_lr() == sched(1) * (1 - gamma)
    eq = opt.torch_equivalent()
    assert eq.exact_when.startswith("always") and "(1 - gamma)" in eq.exact_when
    assert eq.kwargs["lr"] == opt.torch_lr()
    hb = minimize(O.Momentum(lr=lambda t: sched(t) * (1 - gamma), gamma=gamma), grad, w0, 40).ws
    assert np.max(np.abs(hb - _torch_sgd_momentum(grad, w0, lrs, gamma))) > 1e-3


@pytest.mark.torch
def test_averaged_momentum_equals_torch_under_a_schedule():
    rng = np.random.default_rng(3)
    A, b, L = _random_problem(rng)
    gamma, sched = 0.85, (lambda t: 0.3 / L / np.sqrt(t))
    opt = O.AveragedMomentum(lr=sched, gamma=gamma)
    ours, theirs = run_against_torch(opt, A, b, rng.normal(size=len(b)), 100,
                                     lr_schedule=lambda t: sched(t) * (1 - gamma))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


# --- maximize and weight_decay, the PyTorch options (issue 15) ------------------------------------

def test_maximize_hands_the_rule_minus_g_before_anything_else(case):
    """maximize=True with g is, bit for bit, maximize=False with -g, in update and in
    update_inplace, for every setting of the row: the sign is composed once, in the base
    class, before the weight decay (as PyTorch does; negating after the decay would differ)."""
    rng = np.random.default_rng(4)
    for make in [case.make, lambda: case.random(rng, 1.0), *case.variants]:
        down = make()
        up = rebuilt(down, maximize=True)
        ws = [rng.normal(size=(3, 2)), rng.normal(size=5)]
        s_down, s_up = down.init(ws), up.init(ws)
        w_in, s_in = [w.copy() for w in ws], up.init(ws)
        for _ in range(3):
            gs = [rng.normal(size=w.shape) for w in ws]
            step_down, s_down = down.update([-g for g in gs], s_down, ws)
            step_up, s_up = up.update(gs, s_up, ws)
            for a, b in zip(step_down, step_up):
                np.testing.assert_array_equal(a, b, err_msg=repr(up))
            s_in = up.update_inplace(w_in, gs, s_in)
            ws = apply_updates(ws, step_up)
            for a, b in zip(ws, w_in):
                np.testing.assert_allclose(b, a, rtol=1e-13, atol=1e-15, err_msg=repr(up))


def test_maximize_climbs():
    """On f(w) = -|w|^2 / 2 (a hill at 0), climbing with the gradient of f reaches the top."""
    grad_f = lambda w: -w
    for name, cls in O.OPTIMIZERS.items():
        opt = O.build(cls, lr=0.05, maximize=True)
        ws = minimize(opt, grad_f, np.array([1.0, -2.0]), 400).ws
        assert np.linalg.norm(ws[-1]) < 0.5 * np.linalg.norm(ws[0]), name


def test_coupled_weight_decay_is_l2_in_the_loss(case):
    """weight_decay = lambda runs the method on the gradient of J + lambda/2 |W|^2, the L2
    term added before anything else (for Nesterov at its look-ahead point, where minimize
    takes the gradient); AdamW's decoupled decay is tested in test_adaptive.py."""
    cls = type(case.make())
    if case.decay == "none":
        with pytest.raises(TypeError):
            cls(**case.kwargs, weight_decay=0.1)
        return
    if case.decay != "coupled":
        pytest.skip("decoupled weight decay: test_adaptive.py")
    A, lam = np.diag([1.0, 3.0]), 0.1
    grad = lambda w: A @ w - 1.0
    build = lambda wd: cls(**{**case.kwargs, "weight_decay": wd})
    a = minimize(build(lam), grad, np.ones(2), 100).ws
    b = minimize(build(0.0), lambda w: grad(w) + lam * w, np.ones(2), 100).ws
    np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)
    c = minimize(build(0.0), grad, np.ones(2), 100).ws
    assert np.max(np.abs(a - c)) > 1e-3                  # and the decay does change the run


def test_nesterov_takes_the_l2_term_at_the_look_ahead_point():
    """Its gradient is taken at W - gamma V; so is lambda W (torch decays its parameter U,
    which is that point). At the current W instead, the first velocity with V_0 != 0 differs."""
    opt = O.Nesterov(lr=0.1, gamma=0.5, weight_decay=0.2)
    s = O.NesterovState(t=1, V=np.array([2.0]))
    w, g = np.array([3.0]), np.array([0.0])
    step, _ = opt.update(g, s, w)
    look = w - 0.5 * s.V                                  # 2
    np.testing.assert_allclose(step, -(0.5 * s.V + 0.1 * 0.2 * look))
    assert not np.allclose(step, -(0.5 * s.V + 0.1 * 0.2 * w))


def test_repr_leaves_out_the_torch_switches_while_off():
    assert repr(O.SGD(lr=0.1)) == "SGD(lr=0.1)"
    assert repr(O.SGD(lr=0.1, weight_decay=0.5, maximize=True)) == \
        "SGD(lr=0.1, maximize=True, weight_decay=0.5)"
    assert repr(O.Adam(lr=0.1)) == "Adam(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-08, weight_decay=0.0)"
    assert "maximize=True" in repr(O.Adam(lr=0.1, maximize=True))


# --- the registry: optimizers describe themselves (issue 15) ----------------------------------

COURSE_ORDER = ["SGD", "Momentum", "AveragedMomentum", "Nesterov", "NesterovFramework", "Adagrad",
                "RMSprop", "Adadelta", "Rprop", "Adam", "AdaMax", "AMSGrad", "AdamW"]


def _public_subclasses(cls):
    out = set()
    for sub in cls.__subclasses__():
        if sub.__module__.startswith("course_lib.optimizers") and not sub.__name__.startswith("_"):
            out.add(sub)
        out |= _public_subclasses(sub)
    return out


def test_every_optimizer_class_is_registered_in_the_course_order():
    assert list(O.OPTIMIZERS) == COURSE_ORDER
    assert set(O.OPTIMIZERS.values()) == _public_subclasses(O.Optimizer)
    assert {type(c.make()) for c in CASES} == set(O.OPTIMIZERS.values())   # the table covers all
    copy_ = O.optimizer_classes()
    copy_.pop("SGD")
    assert "SGD" in O.OPTIMIZERS


def test_the_classes_describe_themselves_consistently():
    import inspect
    from course_lib.optimizers.base import FAMILIES
    names = set()
    for name, cls in O.OPTIMIZERS.items():
        params = inspect.signature(cls).parameters
        assert cls.family in FAMILIES, name
        assert cls.adaptive == (cls.family in ("adaptive", "adam")), name
        assert isinstance(cls.display_name, str) and cls.display_name not in names, name
        names.add(cls.display_name)
        assert cls.color_key == name            # the default; plotting keys its palette on it
        assert "maximize" in params and params["maximize"].default is False, name
        # takes_lr False: no step size to set; an lr argument, if any, is a neutral factor 1
        if cls.takes_lr:
            assert "lr" in params, name
        else:
            assert "lr" not in params or params["lr"].default == 1.0, name
        assert cls._fast_kernel is not None, f"{name} has no blocked kernel"
    assert [n for n, c in O.OPTIMIZERS.items() if not c.takes_lr] == ["Adadelta"]
    assert O.adaptive_names() == {n for n, c in O.OPTIMIZERS.items() if c.adaptive}
    assert O.adaptive_names() == {"Adagrad", "RMSprop", "Adadelta", "Rprop", "Adam", "AdaMax",
                                  "AMSGrad", "AdamW"}


def test_a_new_rule_does_not_inherit_another_rules_kernel():
    class Halved(O.Momentum):
        def rule(self, g, s, t, eta, w):
            return super().rule(g / 2, s, t, eta, w)
    class Renamed(O.Momentum):
        pass
    assert Halved._fast_kernel is None and Renamed._fast_kernel is O.Momentum._fast_kernel
    opt, w = Halved(lr=0.1), np.ones(200_000)
    s = opt.update_inplace(w, np.ones_like(w), opt.init(w))
    np.testing.assert_allclose(w, 0.95)
    np.testing.assert_allclose(s.V, 0.05)


def test_build_passes_what_each_constructor_takes():
    shared = {"lr": 0.05, "gamma": 0.8, "beta1": 0.7, "maximize": True}
    for name, cls in O.OPTIMIZERS.items():
        opt = O.build(name, **shared)
        assert type(opt) is cls and opt.maximize is True
        assert opt.lr == (0.05 if cls.takes_lr else 1.0), name
        for k in ("gamma", "beta1"):
            if k in vars(opt):
                assert getattr(opt, k) == shared[k], (name, k)
    assert O.build(O.Adadelta, lr=0.3).lr == 1.0
    assert O.accepted_kwargs(O.SGD, lr=0.1, gamma=0.5) == {"lr": 0.1}
    with pytest.raises(ValueError, match=r"^name_or_cls must be an optimizer .*got 'Adamm'"):
        O.build("Adamm", lr=0.1)
    with pytest.raises(TypeError, match=r"^name_or_cls must be"):
        O.build(dict, lr=0.1)
    with pytest.raises(ValueError, match=r"^lr must be"):
        O.build("SGD", lr=-1.0)


def test_landscapes_read_the_registry():
    from course_lib import landscapes as LS
    assert LS.ADAPTIVE == O.adaptive_names()
    assert LS.optimizer_classes() == O.OPTIMIZERS
    assert LS.accepted_kwargs is O.accepted_kwargs
