"""Step-size schedules: values, bad input refused before any state changes, use as any
optimizer's lr, and agreement with PyTorch's schedulers (whose factor convention differs:
ours divides, theirs multiplies, so both sides are tested)."""
import math

import numpy as np
import pytest

from course_lib.minibatch import run_minibatch
from course_lib.optimizers import SGD
from course_lib.optimizers.base import TorchEquivalent
from course_lib.schedules import (ReduceOnPlateau, constant, cosine, inverse_power, one_cycle,
                                  robbins_monro, step_decay, warmup_cosine)


# ---------------------------------------------------------------- values
def test_constant():
    s = constant(0.3)
    assert [s(t) for t in (1, 2, 1000)] == [0.3, 0.3, 0.3]


def test_inverse_power_values():
    s = inverse_power(c=2.0, p=0.5, t0=3)
    for t in (1, 2, 10):
        assert s(t) == pytest.approx(2.0 / (t + 3) ** 0.5)
    assert inverse_power(c=1.0, p=0.0)(7) == 1.0          # p = 0 is a constant step


def test_step_decay_values_and_geometric_sum():
    s = step_decay(lr=0.8, factor=4, every=3)
    assert [s(t) for t in range(1, 8)] == pytest.approx([0.8] * 3 + [0.2] * 3 + [0.05])
    g = step_decay(lr=1.0, factor=2)                      # every = 1: eta_t = q^(t-1), q = 1/2
    assert sum(g(t) for t in range(1, 200)) == pytest.approx(1.0 / (1 - 0.5))   # finite sum
    assert g(5000) == 0.0                                 # underflows, never raises


@pytest.mark.parametrize("p, expected", [(0.0, False), (0.5, False), (0.5000001, True),
                                         (0.75, True), (1.0, True), (1.0000001, False), (2, False)])
def test_robbins_monro_boundaries(p, expected):
    assert robbins_monro(p) is expected


def test_inverse_power_reports_robbins_monro():
    assert inverse_power(1.0, p=1.0).robbins_monro
    assert not inverse_power(1.0, p=0.5).robbins_monro


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("make, name", [
    (lambda: constant(0.0), "lr"),
    (lambda: constant(-0.1), "lr"),
    (lambda: constant(float("nan")), "lr"),
    (lambda: inverse_power(c=0.0), "c"),
    (lambda: inverse_power(c=1.0, p=-0.1), "p"),
    (lambda: inverse_power(c=1.0, p=1.5), "p"),           # steps would sum to a finite value
    (lambda: inverse_power(c=1.0, p=float("nan")), "p"),
    (lambda: inverse_power(c=1.0, t0=-1.0), "t0"),
    (lambda: step_decay(lr=-1.0), "lr"),
    (lambda: step_decay(lr=1.0, factor=1.0), "factor"),    # does not shrink the step
    (lambda: step_decay(lr=1.0, factor=0.1), "factor"),    # PyTorch's gamma, not our factor
    (lambda: step_decay(lr=1.0, factor=-10), "factor"),
    (lambda: step_decay(lr=1.0, every=0), "every"),
    (lambda: step_decay(lr=1.0, every=2.5), "every"),
    (lambda: ReduceOnPlateau(lr=0.0), "lr"),
    (lambda: ReduceOnPlateau(lr=1.0, factor=1.0), "factor"),
    (lambda: ReduceOnPlateau(lr=1.0, factor=0.1), "factor"),
    (lambda: ReduceOnPlateau(lr=1.0, patience=-1), "patience"),
    (lambda: ReduceOnPlateau(lr=1.0, patience=1.5), "patience"),
    (lambda: ReduceOnPlateau(lr=1.0, threshold=1.0), "threshold"),
    (lambda: ReduceOnPlateau(lr=1.0, threshold=-0.01), "threshold"),
    (lambda: ReduceOnPlateau(lr=1.0, min_lr=2.0), "min_lr"),
    (lambda: ReduceOnPlateau(lr=1.0, min_lr=-1e-3), "min_lr"),
])
def test_bad_arguments_are_refused_by_name(make, name):
    with pytest.raises(ValueError, match=rf"^{name} must"):
        make()


def test_factor_message_explains_the_convention():
    with pytest.raises(ValueError, match=r"factor must be in \(1, inf\).*1/factor"):
        step_decay(lr=1.0, factor=0.5)


@pytest.mark.parametrize("sched", [inverse_power(1.0), step_decay(1.0)])
def test_t_starts_at_one(sched):
    with pytest.raises(ValueError, match="t must be >= 1"):
        sched(0)


def test_plateau_refuses_a_non_finite_loss_without_changing_state():
    s = ReduceOnPlateau(lr=1.0, factor=10, patience=0)
    s.step(1.0)
    before = (s.lr, s.best, s.bad, s.n, list(s.reductions))
    for bad in (float("nan"), float("inf")):
        with pytest.raises(ValueError, match="loss must be finite"):
            s.step(bad)
    assert (s.lr, s.best, s.bad, s.n, s.reductions) == before


# ---------------------------------------------------------------- reduce on plateau
def test_plateau_divides_after_patience_bad_losses():
    s = ReduceOnPlateau(lr=1.0, factor=10, patience=2, threshold=0.0)
    lrs = [s.step(v) for v in [5, 4, 4, 4, 4, 3, 3, 3, 3]]
    #                         best best bad bad BAD->/10 best bad bad BAD->/10
    assert lrs == pytest.approx([1, 1, 1, 1, 0.1, 0.1, 0.1, 0.1, 0.01])
    assert s.reductions == [5, 9]
    assert s(1) == s(10_000) == pytest.approx(0.01)        # a schedule: same value for any t


def test_plateau_threshold_is_relative():
    s = ReduceOnPlateau(lr=1.0, factor=2, patience=0, threshold=0.1)
    s.step(100.0)
    assert s.step(95.0) == 0.5          # 5% better is not the 10% that counts
    assert s.step(80.0) == 0.5          # 20% better than the best (100) counts


def test_plateau_min_lr_floor_and_reset():
    s = ReduceOnPlateau(lr=1.0, factor=10, patience=0, min_lr=0.05)
    for _ in range(6):
        s.step(1.0)
    assert s.lr == 0.05 and s.reductions == [2, 3]        # 1 -> 0.1 -> 0.05, then stays
    s.reset()
    assert (s.lr, s.best, s.n, s.reductions) == (1.0, math.inf, 0, [])


# ---------------------------------------------------------------- as an optimizer's lr
def test_schedules_drive_sgd():
    sched = step_decay(lr=0.5, factor=2, every=1)
    opt = SGD(lr=sched)
    w, state = np.array(1.0), opt.init(np.array(1.0))
    steps = []
    for _ in range(3):
        step, state = opt.update(np.array(1.0), state)    # gradient 1: step = -eta_t
        steps.append(float(step))
    assert steps == pytest.approx([-0.5, -0.25, -0.125])


def test_plateau_as_lr_of_a_minibatch_run():
    """Fed the loss after each epoch, the schedule lowers the step the optimizer uses."""
    x = np.random.default_rng(0).normal(size=200)
    sched = ReduceOnPlateau(lr=0.2, factor=10, patience=0, threshold=0.05)
    seen = []

    def on_epoch(e, w):
        sched.step(0.5 * np.mean((w - x) ** 2))
        seen.append(sched(1))

    run = run_minibatch(SGD(lr=sched), lambda w, i: w - x[i].mean(), np.array(5.0), N=200, b=10,
                        epochs=8, seed=1, on_epoch=on_epoch)
    assert len(seen) == 8 and seen[-1] < 0.2 and sched.reductions
    # after the first division, the steps within an epoch are 10 times smaller
    e = sched.reductions[0]
    jitter_before = np.abs(np.diff(run.ws[run.epoch_ends[e - 2]:run.epoch_ends[e - 1] + 1])).mean()
    jitter_after = np.abs(np.diff(run.ws[run.epoch_ends[e - 1]:run.epoch_ends[e] + 1])).mean()
    assert jitter_after < jitter_before / 5


# ---------------------------------------------------------------- PyTorch
def _torch_lrs(make_sched, lr, steps, losses=None):
    torch = pytest.importorskip("torch")
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=lr)
    sched = make_sched(opt)
    out = []
    for t in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step(losses[t]) if losses is not None else sched.step()
    return out


def test_step_decay_matches_torch_steplr():
    torch = pytest.importorskip("torch")
    ours = step_decay(lr=0.3, factor=10, every=4)
    theirs = _torch_lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=4, gamma=1 / 10),
                        0.3, 13)
    assert [ours(t) for t in range(1, 14)] == pytest.approx(theirs, rel=1e-12)


def test_inverse_power_matches_torch_lambdalr():
    torch = pytest.importorskip("torch")
    c, p, t0, lr_t = 0.7, 0.75, 2.0, 0.1
    ours = inverse_power(c=c, p=p, t0=t0)
    theirs = _torch_lrs(lambda o: torch.optim.lr_scheduler.LambdaLR(
        o, lambda e: (e + 1 + t0) ** -p * c / lr_t), lr_t, 10)
    assert [ours(t) for t in range(1, 11)] == pytest.approx(theirs, rel=1e-12)


def test_plateau_matches_torch_reducelronplateau():
    torch = pytest.importorskip("torch")
    losses = [5, 4, 4.1, 4.0, 3.99, 3.0, 3.0, 3.0, 3.0, 3.0, 2.0, 2.5, 2.5, 2.5, 2.5, 2.5]
    ours = ReduceOnPlateau(lr=1.0, factor=10, patience=2, threshold=0.01, min_lr=1e-3)
    mine = [ours.step(v) for v in losses]
    theirs = _torch_lrs(lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(
        o, mode="min", factor=1 / 10, patience=2, threshold=0.01, threshold_mode="rel",
        min_lr=1e-3), 1.0, len(losses), losses)
    # torch's lr after feeding loss t is the lr read before step t + 1
    assert mine[:-1] == pytest.approx(theirs[1:], rel=1e-9)
    assert len(ours.reductions) >= 2


# ---------------------------------------------------------------- every optimizer
def _cases():
    from optimizer_cases import CASES
    return [c for c in CASES if "lr" in c.kwargs]


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c.id)
def test_every_optimizer_takes_a_schedule_object_as_lr(case):
    """A schedule object is a plain callable t -> eta_t to every optimizer: constant(eta) and
    a plateau schedule that was never fed give exactly the steps of the number eta, and a
    step_decay gives the steps of the equivalent lambda."""
    eta = case.kwargs["lr"]
    cls = type(case.make())
    g = [np.array([0.3, -1.2]), np.array([0.5, 0.1]), np.array([-0.2, 0.4])]

    def steps(lr):
        opt = cls(**{**case.kwargs, "lr": lr})
        w = np.array([1.0, -2.0])
        state, out = opt.init(w), []
        for gi in g:
            step, state = opt.update(gi, state, w)
            w = w + step
            out.append(step)
        return np.array(out)

    ref = steps(eta)
    assert np.allclose(steps(constant(eta)), ref, rtol=1e-12, atol=0)
    assert np.allclose(steps(ReduceOnPlateau(lr=eta)), ref, rtol=1e-12, atol=0)
    assert np.allclose(steps(step_decay(lr=eta, factor=2.0)),
                       steps(lambda t: eta * 0.5 ** (t - 1)), rtol=1e-12, atol=0)



# ---------------------------------------------------------------- schedules used in practice
def test_cosine_values_by_hand():
    s = cosine(lr=2.0, T=4, lr_min=0.5)
    # eta_min + (eta - eta_min)(1 + cos(pi u/4))/2 at u = t - 1 = 0..4: halfway at u = 2
    expected = [2.0, 0.5 + 1.5 * (1 + 2 ** -0.5) / 2, 1.25, 0.5 + 1.5 * (1 - 2 ** -0.5) / 2, 0.5]
    assert [s(t) for t in range(1, 6)] == pytest.approx(expected, rel=1e-15)
    assert s(6) == s(1000) == 0.5                        # held at lr_min past T (torch climbs)
    assert cosine(lr=1.0, T=1)(1) == 1.0 and cosine(lr=1.0, T=1)(2) == 0.0


def test_cosine_is_symmetric_about_its_midpoint():
    s = cosine(lr=1.0, T=10, lr_min=0.2)
    for u in range(11):                                  # eta(u) - mid = mid - eta(T - u)
        assert s(u + 1) - 0.6 == pytest.approx(0.6 - s(10 - u + 1), abs=1e-15)


def test_warmup_cosine_values_by_hand():
    s = warmup_cosine(lr=1.0, warmup=4, T=8, lr_min=0.0, start_factor=0.2)
    # warm-up: 0.2 + 0.8 (t-1)/4 for t = 1..4; then cosine over T - w = 4 updates
    assert [s(t) for t in range(1, 5)] == pytest.approx([0.2, 0.4, 0.6, 0.8], rel=1e-15)
    assert [s(t) for t in range(5, 10)] == pytest.approx(
        [cosine(lr=1.0, T=4)(t) for t in range(1, 6)], rel=1e-15)
    assert s(5) == 1.0 and s(9) == 0.0 and s(100) == 0.0


def test_warmup_cosine_default_start_factor_is_torchs():
    s = warmup_cosine(lr=0.3, warmup=3, T=10)
    assert s.start_factor == pytest.approx(1 / 3) and s(1) == pytest.approx(0.1)


def test_one_cycle_values_by_hand():
    s = one_cycle(lr_max=1.0, T=10, pct_start=0.3, div_factor=10.0, final_div_factor=100.0)
    # rise over e = 0..2 (e1 = 0.3 * 10 - 1 = 2), fall over e = 2..9 (7 steps)
    assert s.lr_start == 0.1 and s.lr_end == pytest.approx(1e-3)
    assert s(1) == pytest.approx(0.1, rel=1e-15) and s(2) == pytest.approx(0.55) and s(3) == 1.0
    fall = [1e-3 + (1 - 1e-3) * (1 + math.cos(math.pi * k / 7)) / 2 for k in range(8)]
    assert [s(t) for t in range(3, 11)] == pytest.approx(fall, rel=1e-14)
    lin = one_cycle(lr_max=1.0, T=10, pct_start=0.3, div_factor=10.0, final_div_factor=100.0,
                    anneal="linear")
    assert lin(2) == pytest.approx(0.55) and lin(6) == pytest.approx(1 + (1e-3 - 1) * 3 / 7)
    with pytest.raises(ValueError, match="t must be <= T = 10"):
        s(11)


def test_one_cycle_peak_when_the_rise_is_not_a_whole_number_of_steps():
    s = one_cycle(lr_max=1.0, T=7, pct_start=0.3)        # e1 = 1.1: the peak falls between
    assert max(s(t) for t in range(1, 8)) < 1.0
    assert s(2) == pytest.approx(0.04 + 0.96 * (1 - math.cos(math.pi / 1.1)) / 2)


@pytest.mark.parametrize("sched", [cosine(0.1, 5), warmup_cosine(0.1, 2, 5), one_cycle(0.1, 5)])
def test_new_schedules_start_at_t_one(sched):
    with pytest.raises(ValueError, match="t must be >= 1"):
        sched(0)


@pytest.mark.parametrize("make, name", [
    (lambda: cosine(lr=0.0, T=5), "lr"),
    (lambda: cosine(lr=1.0, T=0), "T"),
    (lambda: cosine(lr=1.0, T=2.5), "T"),
    (lambda: cosine(lr=1.0, T=5, lr_min=-0.1), "lr_min"),
    (lambda: cosine(lr=1.0, T=5, lr_min=2.0), "lr_min"),           # the floor above the start
    (lambda: warmup_cosine(lr=-1.0, warmup=2, T=5), "lr"),
    (lambda: warmup_cosine(lr=1.0, warmup=0, T=5), "warmup"),
    (lambda: warmup_cosine(lr=1.0, warmup=5, T=5), "T"),          # no update left to decay
    (lambda: warmup_cosine(lr=1.0, warmup=2, T=5, start_factor=0.0), "start_factor"),
    (lambda: warmup_cosine(lr=1.0, warmup=2, T=5, start_factor=1.5), "start_factor"),
    (lambda: warmup_cosine(lr=1.0, warmup=2, T=5, lr_min=1.5), "lr_min"),
    (lambda: one_cycle(lr_max=0.0, T=10), "lr_max"),
    (lambda: one_cycle(lr_max=1.0, T=1), "T"),
    (lambda: one_cycle(lr_max=1.0, T=10, pct_start=0.1), "pct_start"),   # rise of one step
    (lambda: one_cycle(lr_max=1.0, T=10, pct_start=1.0), "pct_start"),   # no fall
    (lambda: one_cycle(lr_max=1.0, T=10, div_factor=0.5), "div_factor"),
    (lambda: one_cycle(lr_max=1.0, T=10, final_div_factor=0.5), "final_div_factor"),
    (lambda: one_cycle(lr_max=1.0, T=10, anneal="cosine"), "anneal"),
])
def test_new_schedules_refuse_bad_arguments_by_name(make, name):
    with pytest.raises(ValueError, match=rf"^{name} must"):
        make()


def test_pct_start_message_gives_the_range_for_this_T():
    with pytest.raises(ValueError, match=r"pct_start must be in \(0\.1, 1\).*T = 10"):
        one_cycle(lr_max=1.0, T=10, pct_start=0.05)


# ---------------------------------------------------------------- torch equivalents, as data
def test_every_schedule_declares_its_torch_equivalent():
    cases = {
        "StepLR": step_decay(lr=0.3, factor=10, every=4),
        "LambdaLR": inverse_power(c=1.0),
        "ReduceLROnPlateau": ReduceOnPlateau(lr=1.0, factor=10),
        "CosineAnnealingLR": cosine(lr=0.1, T=20, lr_min=1e-3),
        "SequentialLR": warmup_cosine(lr=0.1, warmup=5, T=20),
        "OneCycleLR": one_cycle(lr_max=0.1, T=20),
    }
    for cls, sched in cases.items():
        te = sched.torch_equivalent()
        assert isinstance(te, TorchEquivalent) and te.cls == cls and te.exact_when
    assert constant(0.1).torch_equivalent().cls is None
    assert cases["StepLR"].torch_equivalent().kwargs == {"step_size": 4, "gamma": 0.1}
    assert cases["CosineAnnealingLR"].torch_equivalent().kwargs == {"T_max": 20, "eta_min": 1e-3}
    seq = cases["SequentialLR"].torch_equivalent().kwargs
    assert seq["milestones"] == [5]
    assert [s.cls for s in seq["schedulers"]] == ["LinearLR", "CosineAnnealingLR"]
    assert seq["schedulers"][0].kwargs["total_iters"] == 5
    assert seq["schedulers"][1].kwargs == {"T_max": 15, "eta_min": 0.0}
    one = cases["OneCycleLR"].torch_equivalent().kwargs
    assert one["total_steps"] == 20 and one["cycle_momentum"] is False
    assert one["three_phase"] is False and isinstance(one["pct_start"], float)


def test_lambdalr_text_is_the_schedule():
    s = inverse_power(c=0.7, p=0.75, t0=2.0)
    lam = eval(s.torch_equivalent().kwargs["lr_lambda"])      # the text torch would be given
    assert [s(1) * lam(t - 1) for t in range(1, 6)] == pytest.approx([s(t) for t in range(1, 6)])


@pytest.mark.parametrize("sched", [cosine(lr=0.5, T=6, lr_min=0.05),
                                   warmup_cosine(lr=0.5, warmup=2, T=6),
                                   one_cycle(lr_max=0.5, T=6, pct_start=0.5)])
def test_new_schedules_drive_sgd(sched):
    opt = SGD(lr=sched)
    state = opt.init(np.array(0.0))
    steps = []
    for _ in range(6):
        step, state = opt.update(np.array(1.0), state)     # gradient 1: step = -eta_t
        steps.append(-float(step))
    assert steps == pytest.approx([sched(t) for t in range(1, 7)], rel=1e-15)
