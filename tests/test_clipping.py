"""Gradient clipping by global norm: values by hand, purity, bad input refused before anything
changes, and Clipped(optimizer) as a drop-in optimizer for every driver of the course.
(The comparison with torch's clip_grad_norm_ is in test_torch_schedules.py.)"""
import math

import numpy as np
import pytest

from course_lib import optimizers as O
from course_lib.clipping import TORCH_EPS, Clipped, clip_by_norm, global_norm
from course_lib.mlp import MLP
from course_lib.schedules import ReduceOnPlateau
from course_lib.trace import minimize
from course_lib.train import train


# ---------------------------------------------------------------- clip_by_norm
def test_clip_by_norm_by_hand():
    g, norm = clip_by_norm([np.array([3.0]), np.array([[4.0, 0.0]])], max_norm=1.0)
    c = 1.0 / (5.0 + 1e-6)                               # tau / (||g|| + 1e-6)
    assert norm == 5.0 and TORCH_EPS == 1e-6
    assert g[0][0] == 3.0 * c and g[1][0, 0] == 4.0 * c and g[1][0, 1] == 0.0
    assert global_norm(g) == pytest.approx(1.0, abs=1e-6)      # capped at about tau


def test_a_short_gradient_is_left_as_it_is():
    grads = [np.array([0.3, -0.4]), np.array([0.0])]
    g, norm = clip_by_norm(grads, max_norm=0.5 + 2e-6)  # c = min(1, ...) = 1
    assert norm == pytest.approx(0.5)
    assert all(np.array_equal(a, b) for a, b in zip(g, grads))


def test_clip_by_norm_is_pure_and_returns_new_arrays():
    grads = [np.array([30.0, 40.0]), np.array([1.0])]
    before = [a.copy() for a in grads]
    for tau in (1.0, 1e6):                               # clipped, and not
        g, _ = clip_by_norm(grads, tau)
        assert all(np.array_equal(a, b) for a, b in zip(grads, before))
        assert all(a is not b and not np.shares_memory(a, b) for a, b in zip(g, grads))


def test_one_array_in_one_array_out_and_integers_become_floats():
    g, norm = clip_by_norm(np.array([6, 8]), max_norm=5.0)
    assert isinstance(g, np.ndarray) and g.dtype == float and norm == 10.0
    assert g == pytest.approx([3.0, 4.0], rel=1e-6)
    g, _ = clip_by_norm((np.array([1.0]), np.array([2.0])), 10.0)
    assert isinstance(g, list) and len(g) == 2


def test_the_norm_is_global_not_per_array():
    """Each array alone is short, together they are long: the global clip shrinks all of them
    by one factor (so the direction is kept); clipping array by array would not."""
    grads = [np.array([0.8]), np.array([0.8]), np.array([0.8])]
    g, norm = clip_by_norm(grads, max_norm=1.0)
    assert norm == pytest.approx(0.8 * math.sqrt(3))
    per_array = [clip_by_norm(a, 1.0)[0] for a in grads]
    assert not np.allclose(np.concatenate(g), np.concatenate(per_array))
    assert np.concatenate(g) / np.concatenate(grads) == pytest.approx(1.0 / (norm + 1e-6))


def test_a_huge_but_finite_gradient_has_a_finite_norm():
    grads = [np.full(4, 1e200), np.array([-1e200])]     # sum of squares overflows
    g, norm = clip_by_norm(grads, 1.0)
    assert norm == pytest.approx(1e200 * math.sqrt(5))
    assert global_norm(g) == pytest.approx(1.0)


@pytest.mark.parametrize("tau", [0.0, -1.0, float("nan"), float("inf")])
def test_bad_max_norm_is_refused_by_name(tau):
    with pytest.raises(ValueError, match=r"^max_norm must be in \(0, inf\)"):
        clip_by_norm([np.ones(2)], tau)
    with pytest.raises(ValueError, match=r"^max_norm must be in \(0, inf\)"):
        Clipped(O.SGD(lr=0.1), tau)


@pytest.mark.parametrize("bad, match", [
    ([np.array([1.0, np.nan])], r"grads\[0\] must be finite to be clipped"),
    ([np.ones(2), np.array([np.inf])], r"grads\[1\] must be finite to be clipped"),
    (np.array([-np.inf]), r"^grads must be finite to be clipped"),
    ([], "at least one array"),
])
def test_a_non_finite_or_empty_gradient_is_refused(bad, match):
    with pytest.raises(ValueError, match=match):
        clip_by_norm(bad, 1.0)


@pytest.mark.parametrize("bad", [np.array([True, False]), np.array([1 + 2j]),
                                 np.array(["a"]), [np.array([object()])]])
def test_a_non_real_gradient_is_a_type_error(bad):
    with pytest.raises(TypeError, match="must be a real numeric array"):
        clip_by_norm(bad, 1.0)


# ---------------------------------------------------------------- Clipped(optimizer)
def test_clipped_sgd_step_by_hand():
    opt = Clipped(O.SGD(lr=0.1), max_norm=1.0)
    state = opt.init(np.zeros(2))
    step, state = opt.update(np.array([30.0, 40.0]), state)
    assert step == pytest.approx(-0.1 * np.array([30.0, 40.0]) / (50.0 + 1e-6), rel=1e-15)
    assert isinstance(state, O.SGDState) and state.t == 1        # the wrapped optimizer's state


def _cases():
    from optimizer_cases import CASES
    return CASES


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c.id)
def test_a_clip_that_never_bites_changes_no_step_of_any_optimizer(case):
    """With tau far above every gradient, c = 1 exactly: Clipped(opt) takes opt's steps to the
    last bit, on a list of arrays, and its state is opt's state."""
    rng = np.random.default_rng(0)
    w = [rng.normal(size=(2, 3)), rng.normal(size=3)]
    gs = [[rng.normal(size=(2, 3)), rng.normal(size=3)] for _ in range(4)]

    def steps(opt):
        state, ww, out = opt.init(w), [a.copy() for a in w], []
        for g in gs:
            step, state = opt.update(g, state, ww)
            ww = [a + s for a, s in zip(ww, step)]
            out.append(np.concatenate([s.ravel() for s in step]))
        return np.array(out), state

    ref, ref_state = steps(case.make())
    got, got_state = steps(Clipped(case.make(), max_norm=1e12))
    np.testing.assert_array_equal(got, ref)
    assert type(got_state) is type(ref_state) and got_state.t == ref_state.t == 4


def test_clipped_update_inplace_equals_update():
    rng = np.random.default_rng(1)
    opt = Clipped(O.Adam(lr=0.1), max_norm=0.5)
    w = [rng.normal(size=(300,)), rng.normal(size=(4, 2))]
    g = [10 * rng.normal(size=(300,)), rng.normal(size=(4, 2))]
    step, s1 = opt.update(g, opt.init(w), w)
    w2 = [a.copy() for a in w]
    s2 = opt.update_inplace(w2, g, opt.init(w2))
    for a, b, s in zip(w2, w, step):
        np.testing.assert_allclose(a, b + s, rtol=1e-14, atol=1e-15)
    assert s1.t == s2.t == 1


def test_a_refused_update_changes_nothing():
    opt = Clipped(O.Momentum(lr=0.1), max_norm=1.0, keep_norms=True)
    state = opt.init(np.zeros(2))
    _, state = opt.update(np.array([3.0, 4.0]), state)
    before = (state.t, state.V.copy(), list(opt.norms))
    for bad in (np.array([np.nan, 1.0]), np.zeros(3)):          # non-finite; wrong shape
        with pytest.raises(ValueError):
            opt.update(bad, state)
    assert (state.t, list(opt.norms)) == (before[0], before[2])
    np.testing.assert_array_equal(state.V, before[1])


def test_keep_norms_logs_the_norm_before_clipping():
    opt = Clipped(O.SGD(lr=0.1), max_norm=1.0, keep_norms=True)
    state = opt.init(np.zeros(2))
    for g in ([3.0, 4.0], [0.0, 0.5]):
        _, state = opt.update(np.array(g), state)
    assert opt.norms == [5.0, 0.5]
    assert Clipped(O.SGD(lr=0.1), max_norm=1.0).norms == []     # off by default


def test_clipped_reads_like_the_optimizer_it_wraps():
    sched = ReduceOnPlateau(lr=0.2)
    inner = O.Momentum(lr=sched, gamma=0.8)
    opt = Clipped(inner, max_norm=2.0)
    assert opt.lr is sched and opt.lr_at(3) == 0.2
    assert opt.family == inner.family and opt.color_key == inner.color_key and opt.gamma == 0.8
    assert opt.display_name == opt.name == f"{inner.display_name} (clipped at 2)"
    assert opt.hyperparameters() == {**inner.hyperparameters(), "max_norm": 2.0}
    assert repr(opt).startswith("Clipped(Momentum(") and repr(opt).endswith("max_norm=2.0)")
    te = opt.torch_equivalent()
    assert te.cls == "SGD" and "clip_grad_norm_(params, max_norm=2.0)" in te.notes
    with pytest.raises(AttributeError):
        opt.no_such_attribute


def test_clipped_refuses_something_that_is_not_an_optimizer():
    with pytest.raises(TypeError, match="optimizer must be a course optimizer"):
        Clipped(lambda g: g, max_norm=1.0)


# ---------------------------------------------------------------- with the drivers
def test_minimize_takes_nesterovs_look_ahead_through_the_wrapper():
    grad = lambda w: np.array([1.0, 10.0]) * w
    w0 = np.array([1.0, 1.0])
    ref = minimize(O.Nesterov(lr=0.05, gamma=0.9), grad, w0, 30)
    got = minimize(Clipped(O.Nesterov(lr=0.05, gamma=0.9), max_norm=1e9), grad, w0, 30)
    np.testing.assert_array_equal(got.ws, ref.ws)
    clipped = minimize(Clipped(O.Nesterov(lr=0.05, gamma=0.9), max_norm=1.0), grad, w0, 30)
    assert not np.allclose(clipped.ws, ref.ws)


def test_clipping_saves_a_run_that_diverges_without_it():
    """J = w^4 from w = 10: the first gradient, 4000, throws plain SGD out; clipped at 10, each
    step is at most lr * 10 = 0.1 until the slope is gentle, and the run settles."""
    grad = lambda w: 4 * w ** 3
    w0 = np.array([10.0])
    plain = minimize(O.SGD(lr=0.01), grad, w0, 300)
    saved = minimize(Clipped(O.SGD(lr=0.01), max_norm=10.0), grad, w0, 300)
    assert plain.diverged and not saved.diverged
    assert abs(saved.ws[-1, 0]) < 0.5
    assert np.max(np.abs(np.diff(saved.ws[:, 0]))) <= 0.1 + 1e-12       # |step| <= lr tau


def test_a_non_finite_gradient_is_a_divergence_to_the_driver_not_an_error():
    """The driver checks g before update, so the clip's refusal never surfaces in a run."""
    grad = lambda w: np.array([np.nan]) if w[0] < 0.5 else w
    tr = minimize(Clipped(O.SGD(lr=0.6), max_norm=1.0), grad, np.array([1.0]), 5)
    assert tr.diverged and "not finite" in tr.message


def _digits_like(seed=0, n=60):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    return X, y, X[:20], y[:20]


def test_train_with_a_clip_that_never_bites_gives_the_same_history():
    data = _digits_like()
    _, ref = train(MLP([4, 8, 2], seed=0), O.SGD(lr=0.3), data, epochs=3, batch_size=10)
    _, got = train(MLP([4, 8, 2], seed=0), Clipped(O.SGD(lr=0.3), 1e9), data, epochs=3,
                   batch_size=10)
    assert got.held_loss == ref.held_loss and got.batch_losses == ref.batch_losses
    assert got.lr == ref.lr and "clipped" in got.name


def test_train_feeds_a_plateau_schedule_inside_the_wrapper():
    sched = ReduceOnPlateau(lr=0.5, factor=10, patience=0, threshold=0.5)
    opt = Clipped(O.SGD(lr=sched), max_norm=0.1, keep_norms=True)
    _, h = train(MLP([4, 8, 2], seed=0), opt, _digits_like(), epochs=4, batch_size=10)
    assert sched.reductions and h.lr[-1] < 0.5                 # fed the held-out loss
    assert len(opt.norms) == 4 * 6 and max(opt.norms) > 0.1    # it did clip
