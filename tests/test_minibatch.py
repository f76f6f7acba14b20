"""Minibatch iteration and minibatch descent: epochs are permutations, a fixed order is fixed,
b = N is batch descent and b = 1 incremental descent (checked by hand), divergence is
reported, bad input refused before anything runs."""
import numpy as np
import pytest

from course_lib.minibatch import (check_batch, minibatches, run_minibatch, updates_per_epoch)
from course_lib.optimizers import SGD


@pytest.mark.parametrize("N, b", [(10, 1), (10, 3), (10, 10), (7, 2)])
def test_each_epoch_visits_every_example_once(N, b):
    batches = list(minibatches(N, b, epochs=3, seed=0))
    assert len(batches) == 3 * updates_per_epoch(N, b)
    for e in range(3):
        idx = np.concatenate([i for ep, i in batches if ep == e])
        assert sorted(idx.tolist()) == list(range(N))
    assert all(1 <= len(i) <= b for _, i in batches)


def test_reshuffled_each_epoch_but_reproducible():
    first = [i.tolist() for _, i in minibatches(20, 20, epochs=3, seed=7)]
    again = [i.tolist() for _, i in minibatches(20, 20, epochs=3, seed=7)]
    assert first == again
    assert first[0] != first[1] != first[2]
    gen = np.random.default_rng(7)                       # a Generator may be passed as seed
    assert [i.tolist() for _, i in minibatches(20, 20, epochs=3, seed=gen)] == first


def test_fixed_order_is_the_same_every_epoch():
    orders = [i.tolist() for _, i in minibatches(6, 4, epochs=2, shuffle=False)]
    assert orders == [[0, 1, 2, 3], [4, 5], [0, 1, 2, 3], [4, 5]]


def test_drop_last_and_updates_per_epoch():
    assert [len(i) for _, i in minibatches(10, 4, epochs=1, drop_last=True, seed=0)] == [4, 4]
    assert updates_per_epoch(10, 4) == 3 and updates_per_epoch(10, 4, drop_last=True) == 2
    assert updates_per_epoch(10, 1) == 10 and updates_per_epoch(10, 10) == 1


@pytest.mark.parametrize("N, b, name", [(10, 0, "b"), (10, 11, "b"), (10, -1, "b"), (10, 2.0, "b"),
                                        (0, 1, "N"), (3.5, 1, "N")])
def test_batch_size_outside_1_to_N_is_refused(N, b, name):
    with pytest.raises(ValueError, match=rf"^{name} must be an integer"):
        check_batch(N, b)
    with pytest.raises(ValueError, match=rf"^{name} must be an integer"):
        next(minibatches(N, b))
    with pytest.raises(ValueError, match=rf"^{name} must be an integer"):
        updates_per_epoch(N, b)


def test_bad_run_arguments_are_refused_before_anything_runs():
    calls = []
    grad = lambda w, i: calls.append(1) or w
    with pytest.raises(ValueError, match=r"^b must be an integer in \[1, N\] = \[1, 5\]"):
        run_minibatch(SGD(lr=0.1), grad, np.zeros(2), N=5, b=6)
    with pytest.raises(ValueError, match="^b must"):
        run_minibatch(SGD(lr=0.1), grad, np.zeros(2), N=5, b=0)
    with pytest.raises(ValueError, match="^w0 must be finite"):
        run_minibatch(SGD(lr=0.1), grad, np.array([0.0, np.nan]), N=5, b=1)
    with pytest.raises(ValueError, match="^epochs must"):
        run_minibatch(SGD(lr=0.1), grad, np.zeros(2), N=5, b=1, epochs=0)
    assert calls == []


X = np.random.default_rng(3).normal(size=(12, 2))
GRAD = lambda w, idx: w - X[idx].mean(axis=0)            # mean gradient of 0.5 |w - x_i|^2


def test_b_equal_N_is_batch_gradient_descent():
    run = run_minibatch(SGD(lr=0.3), GRAD, np.zeros(2), N=12, b=12, epochs=4, seed=0)
    w = np.zeros(2)
    hand = [w]
    for _ in range(4):
        w = w - 0.3 * (w - X.mean(axis=0))
        hand.append(w)
    assert np.allclose(run.ws, hand)
    assert run.epoch_ends.tolist() == [1, 2, 3, 4]


def test_b_equal_1_fixed_order_is_incremental_descent():
    run = run_minibatch(SGD(lr=0.2), GRAD, np.zeros(2), N=12, b=1, epochs=2, shuffle=False)
    w = np.zeros(2)
    for _ in range(2):
        for x in X:
            w = w - 0.2 * (w - x)
    assert np.allclose(run.ws[-1], w) and len(run.ws) == 25
    assert run.epoch_ends.tolist() == [12, 24]


def test_shuffled_run_follows_the_iterator_order():
    run = run_minibatch(SGD(lr=0.2), GRAD, np.zeros(2), N=12, b=5, epochs=2, seed=9)
    w = np.zeros(2)
    for _, idx in minibatches(12, 5, epochs=2, seed=9):
        w = w - 0.2 * (w - X[idx].mean(axis=0))
    assert np.allclose(run.ws[-1], w)


def test_nesterov_takes_each_gradient_at_its_look_ahead_point():
    from course_lib.optimizers import Nesterov
    opt = Nesterov(lr=0.1, gamma=0.9)
    run = run_minibatch(opt, GRAD, np.zeros(2), N=12, b=5, epochs=2, seed=4)
    w, s = np.zeros(2), opt.init(np.zeros(2))
    for _, idx in minibatches(12, 5, epochs=2, seed=4):
        step, s = opt.update(GRAD(opt.eval_point(w, s), idx), s, w)
        w = w + step
    assert np.array_equal(run.ws[-1], w) and len(run.ws) == 7


def test_batch_losses_and_on_epoch():
    seen = []
    run = run_minibatch(SGD(lr=0.1), GRAD, np.zeros(2), N=12, b=4, epochs=3, seed=0,
                        batch_loss=lambda w, i: 0.5 * np.mean(np.sum((w - X[i]) ** 2, axis=1)),
                        on_epoch=lambda e, w: seen.append((e, w.copy())))
    assert len(run.batch_losses) == 9 and run.diverged_at is None
    assert [e for e, _ in seen] == [0, 1, 2]
    for (e, w), end in zip(seen, run.epoch_ends):
        assert np.allclose(w, run.ws[end])


def test_divergence_is_reported_not_raised():
    run = run_minibatch(SGD(lr=5.0), GRAD, np.ones(2), N=12, b=3, epochs=50, seed=0)
    assert run.diverged_at is not None and "diverged" in run.message
    assert np.all(np.isfinite(run.ws)) and len(run.ws) == run.diverged_at


def test_the_default_is_a_fixed_seed():
    """No seed given: the same order every call, and the order of seed=0."""
    first = [i.tolist() for _, i in minibatches(30, 7, epochs=2)]
    assert first == [i.tolist() for _, i in minibatches(30, 7, epochs=2)]
    assert first == [i.tolist() for _, i in minibatches(30, 7, epochs=2, seed=0)]
    assert first != [i.tolist() for _, i in minibatches(30, 7, epochs=2, seed=1)]
    a = run_minibatch(SGD(lr=0.2), GRAD, np.zeros(2), N=12, b=5, epochs=3)
    b = run_minibatch(SGD(lr=0.2), GRAD, np.zeros(2), N=12, b=5, epochs=3, seed=0)
    assert np.array_equal(a.ws, b.ws)


@pytest.mark.parametrize("seed", [None, -1, 1.5, "0", True])
def test_an_unseeded_or_bad_seed_is_refused_before_anything_runs(seed):
    calls = []
    grad = lambda w, i: calls.append(1) or w
    with pytest.raises(ValueError, match=r"^seed must be an integer >= 0 or a np.random.Generator"):
        next(minibatches(10, 2, seed=seed))
    with pytest.raises(ValueError, match=r"^seed must be"):
        run_minibatch(SGD(lr=0.1), grad, np.zeros(2), N=10, b=2, seed=seed)
    assert calls == []
