"""The schedules and the clipping of course_lib against torch, value by value over whole runs.

Each torch object is built from the ``torch_equivalent()`` the schedule or optimizer declares,
so the data lesson 13 and the reference card show is what is tested. Every comparison is also
shown able to fail: a schedule shifted by one update, or a clip without torch's 1e-6, is
caught by the same check.
"""
import numpy as np
import pytest

from course_lib import optimizers as O
from course_lib.clipping import Clipped, clip_by_norm
from course_lib.optimizers.base import TorchEquivalent
from course_lib.schedules import cosine, one_cycle, step_decay, warmup_cosine

pytestmark = pytest.mark.torch
torch = pytest.importorskip("torch")
L = torch.optim.lr_scheduler


# ---------------------------------------------------------------- schedules
def build_scheduler(te: TorchEquivalent, opt):
    """The torch scheduler a TorchEquivalent describes (nested ones first, for SequentialLR)."""
    kwargs = {k: [build_scheduler(s, opt) for s in v] if k == "schedulers" else v
              for k, v in te.kwargs.items()}
    return getattr(L, te.cls)(opt, **kwargs)


def torch_lrs(sched, lr, steps):
    """The lr torch's optimizer uses in each of its steps 1..steps (scheduler stepped after)."""
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=lr)
    scheduler = build_scheduler(sched.torch_equivalent(), opt)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return np.array(out)


def ours(sched, steps):
    return np.array([sched(t) for t in range(1, steps + 1)])


def agree(a, b):
    """Equal to rounding: torch's cosine is a recursion that drifts by about 1e-16 per step."""
    return np.allclose(a, b, rtol=1e-12, atol=1e-15 * np.max(np.abs(b)))


COSINES = [cosine(lr=0.1, T=10), cosine(lr=0.1, T=37, lr_min=1e-3),
           cosine(lr=2.0, T=1, lr_min=0.5), cosine(lr=0.05, T=200, lr_min=0.05)]
WARMUPS = [warmup_cosine(lr=0.1, warmup=5, T=50),
           warmup_cosine(lr=1e-3, warmup=1, T=20, lr_min=1e-5, start_factor=0.01),
           warmup_cosine(lr=0.3, warmup=30, T=31, start_factor=1.0),
           warmup_cosine(lr=0.5, warmup=7, T=100, lr_min=0.01, start_factor=0.1)]
CYCLES = [one_cycle(lr_max=0.1, T=100), one_cycle(lr_max=1.0, T=10, pct_start=0.3),
          one_cycle(lr_max=0.5, T=37, pct_start=0.25, div_factor=10.0, final_div_factor=100.0),
          one_cycle(lr_max=0.5, T=7, pct_start=0.3, anneal="linear"),      # peak between steps
          one_cycle(lr_max=2.0, T=50, pct_start=0.9, anneal="linear", div_factor=1.0)]


@pytest.mark.parametrize("sched", COSINES + WARMUPS, ids=repr)
def test_cosine_schedules_match_torch_up_to_T_plus_one(sched):
    n = sched.T + 1                                     # every lr torch sets, e = 0..T
    assert agree(ours(sched, n), torch_lrs(sched, sched.lr, n))


@pytest.mark.parametrize("sched", CYCLES, ids=repr)
def test_one_cycle_matches_torch_to_the_last_bit(sched):
    theirs = torch_lrs(sched, 123.0, sched.T)          # the optimizer's lr is ignored
    np.testing.assert_array_equal(ours(sched, sched.T), theirs)


def test_step_decay_matches_torch_through_its_declared_equivalent():
    sched = step_decay(lr=0.3, factor=4, every=3)
    assert agree(ours(sched, 20), torch_lrs(sched, 0.3, 20))


def test_past_T_torch_climbs_back_and_ours_stays_at_lr_min():
    """The documented difference: CosineAnnealingLR is periodic (period 2 T_max)."""
    sched = cosine(lr=1.0, T=10, lr_min=0.1)
    theirs = torch_lrs(sched, 1.0, 21)
    assert agree(ours(sched, 11), theirs[:11])
    assert theirs[20] == pytest.approx(1.0) and np.all(ours(sched, 21)[11:] == 0.1)


@pytest.mark.parametrize("sched", [COSINES[1], WARMUPS[0], CYCLES[0], CYCLES[2]], ids=repr)
def test_a_schedule_shifted_by_one_update_fails_the_check(sched):
    """The off-by-one torch users meet (stepping the scheduler before the optimizer, or
    counting t from 0) is caught by the same comparison."""
    n = sched.T if isinstance(sched, one_cycle) else sched.T + 1
    theirs = torch_lrs(sched, getattr(sched, "lr", 1.0), n)
    assert not agree(np.array([sched(t + 1) for t in range(1, n)]), theirs[:-1])   # early
    assert not agree(np.array([sched(t) for t in range(1, n)]), theirs[1:])         # late


def test_a_wrong_torch_argument_fails_the_check():
    sched = warmup_cosine(lr=0.1, warmup=5, T=50)
    wrong = warmup_cosine(lr=0.1, warmup=5, T=51)        # T_max one too long
    assert not agree(ours(sched, 51), torch_lrs(wrong, 0.1, 51))


# ---------------------------------------------------------------- clip_by_norm
def torch_clip(grads, max_norm):
    ps = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64)) for g in grads]
    for p, g in zip(ps, grads):
        p.grad = torch.from_numpy(g.copy())
    norm = torch.nn.utils.clip_grad_norm_(ps, max_norm, norm_type=2)
    return [p.grad.numpy() for p in ps], float(norm)


def random_grads(rng, scale):
    shapes = [(3, 4), (4,), (2, 3, 2), (1,)]
    return [scale * rng.normal(size=s) for s in shapes]


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("scale, max_norm", [(0.01, 1.0), (10.0, 1.0), (1.0, 3.5), (1e3, 0.1)])
def test_clip_by_norm_matches_clip_grad_norm(seed, scale, max_norm):
    grads = random_grads(np.random.default_rng(seed), scale)
    before = [g.copy() for g in grads]
    mine, norm = clip_by_norm(grads, max_norm)
    theirs, tnorm = torch_clip(grads, max_norm)
    assert norm == pytest.approx(tnorm, rel=1e-13)
    for a, b in zip(mine, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=0)
    assert all(np.array_equal(g, b) for g, b in zip(grads, before))       # inputs untouched
    if norm < max_norm:
        assert all(np.array_equal(a, g) for a, g in zip(mine, grads))     # short: as it was


def test_clip_by_norm_of_one_array_matches_torch():
    g = np.array([[3.0, -4.0], [12.0, 0.0]])                # norm 13
    mine, norm = clip_by_norm(g, 2.0)
    theirs, tnorm = torch_clip([g], 2.0)
    assert norm == tnorm == 13.0
    np.testing.assert_allclose(mine, theirs[0], rtol=1e-15)


def test_a_clip_without_torchs_eps_fails_the_check():
    """Dividing by ||g|| alone differs from torch by about 1e-6 relative at a norm of 1: the
    check above is tight enough to see it."""
    grads = random_grads(np.random.default_rng(0), 1.0)
    theirs, norm = torch_clip(grads, 0.5)
    no_eps = [g * (0.5 / norm) for g in grads]
    assert not all(np.allclose(a, b, rtol=1e-13, atol=0) for a, b in zip(no_eps, theirs))


# ---------------------------------------------------------------- Clipped(optimizer)
def run_clipped_against_torch(opt, steps=20, seed=0):
    """Our Clipped(opt) and torch's optimizer + clip_grad_norm_ on J = w^T A w / 2 - b^T w,
    started far out so that the early gradients are clipped and the late ones are not."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(5, 5)))
    A = Q @ np.diag(rng.uniform(0.5, 3.0, size=5)) @ Q.T
    b = rng.normal(size=5)
    grad = lambda w: A @ w - b
    w0 = 2.0 * rng.normal(size=5)
    te = opt.torch_equivalent()
    p = torch.nn.Parameter(torch.tensor(w0.copy(), dtype=torch.float64))
    topt = getattr(torch.optim, te.cls)([p], **te.kwargs)
    state, w = opt.init(w0), w0.copy()
    mine, theirs = [], []
    for _ in range(steps):
        step, state = opt.update(grad(w), state, w)
        w = w + step
        mine.append(w)
        topt.zero_grad()
        p.grad = torch.from_numpy(grad(p.detach().numpy()))
        torch.nn.utils.clip_grad_norm_([p], opt.max_norm)
        topt.step()
        theirs.append(p.detach().numpy().copy())
    return np.array(mine), np.array(theirs), state


@pytest.mark.parametrize("inner", [O.SGD(lr=0.1), O.SGD(lr=0.05, weight_decay=0.1),
                                   O.Momentum(lr=0.05, gamma=0.9), O.Adam(lr=0.1),
                                   O.RMSprop(lr=0.05)], ids=repr)
def test_clipped_optimizer_matches_torch_with_clip_grad_norm(inner):
    opt = Clipped(inner, max_norm=5.0, keep_norms=True)
    mine, theirs, state = run_clipped_against_torch(opt)
    np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-12)
    assert state.t == 20 and len(opt.norms) == 20
    clipped = [n > 5.0 for n in opt.norms]
    assert any(clipped) and not all(clipped)            # both kinds of step were compared


def test_clipped_sgd_without_the_clip_would_fail_the_check():
    _, theirs, _ = run_clipped_against_torch(Clipped(O.SGD(lr=0.1), max_norm=5.0))
    unclipped, _, _ = run_clipped_against_torch(Clipped(O.SGD(lr=0.1), max_norm=1e9))
    assert not np.allclose(unclipped, theirs, rtol=1e-6)


def test_the_declared_equivalent_names_the_clip():
    te = Clipped(O.Adam(lr=0.01), max_norm=1.5).torch_equivalent()
    assert te.cls == "Adam" and te.kwargs == O.Adam(lr=0.01).torch_equivalent().kwargs
    assert "clip_grad_norm_(params, max_norm=1.5)" in te.notes
