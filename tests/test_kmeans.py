"""K-means three ways: the loss and its gradient, Lloyd's step as a gradient step, the count
step as a running mean, the SGD fast path equal to the checked step, bad input refused, and
the [VM-4] comparison in miniature."""
import numpy as np
import pytest

from course_lib.data import blobs
from course_lib.kmeans import (assign, count_step, fit_kmeans, fit_kmeans_many, init_centers,
                               kmeans_grad, kmeans_loss, lloyd_step)
from course_lib.minibatch import minibatches

X, LAB, TRUE_C = blobs(N=200, K=4, spread=0.5, seed=1)


def test_loss_by_hand():
    Xs = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 1.0]])
    C = np.array([[1.0, 0.0], [10.0, 0.0]])
    assert assign(Xs, C).tolist() == [0, 0, 1]
    assert kmeans_loss(Xs, C) == pytest.approx(0.5 * (1 + 1 + 1) / 3)


def test_gradient_matches_finite_differences():
    C = init_centers(X, 4, seed=0) + 0.1
    G = kmeans_grad(X, C)
    h, num = 1e-6, np.zeros_like(C)
    for j in range(C.shape[0]):
        for d in range(C.shape[1]):
            E = np.zeros_like(C)
            E[j, d] = h
            num[j, d] = (kmeans_loss(X, C + E) - kmeans_loss(X, C - E)) / (2 * h)
    assert np.allclose(G, num, atol=1e-6)


def test_lloyd_is_a_gradient_step_of_size_N_over_nj():
    C = init_centers(X, 4, seed=2)
    n = np.bincount(assign(X, C), minlength=4)
    assert n.min() > 0
    expected = C - (len(X) / n)[:, None] * kmeans_grad(X, C)
    assert np.allclose(lloyd_step(X, C), expected)
    for j in range(4):                                    # = the mean of the centre's points
        assert np.allclose(lloyd_step(X, C)[j], X[assign(X, C) == j].mean(axis=0))


def test_lloyd_keeps_an_empty_centre_and_never_raises_the_loss():
    C = np.vstack([init_centers(X, 3, seed=0), [[100.0, 100.0]]])   # the last gets no point
    C1 = lloyd_step(X, C)
    assert np.array_equal(C1[3], C[3])
    losses = [kmeans_loss(X, C)]
    for _ in range(10):
        C = lloyd_step(X, C)
        losses.append(kmeans_loss(X, C))
    assert np.all(np.diff(losses) <= 1e-12)


def test_count_step_keeps_each_centre_the_mean_of_its_points():
    """Sculley's m_j / n_j step: after any sequence of batches, each centre is the running
    mean of its starting point (counted once) and every point it received."""
    rng = np.random.default_rng(0)
    C0 = np.array([[-5.0, 0.0], [5.0, 0.0]])
    C, n = C0.copy(), np.ones(2, dtype=int)
    given = [[C0[0]], [C0[1]]]
    for _ in range(6):
        Xb = rng.normal(size=(int(rng.integers(1, 6)), 2)) * 3
        a = assign(Xb, C)
        for x, j in zip(Xb, a):
            given[j].append(x)
        C, n = count_step(Xb, C, n)
    for j in range(2):
        assert n[j] == len(given[j])
        assert np.allclose(C[j], np.mean(given[j], axis=0))


def test_count_step_is_pure_and_from_zero_counts_on_all_data_is_lloyd():
    C = init_centers(X, 4, seed=3)
    counts = np.zeros(4, dtype=int)
    C_copy, counts_copy = C.copy(), counts.copy()
    C1, n1 = count_step(X, C, counts)
    assert np.array_equal(C, C_copy) and np.array_equal(counts, counts_copy)
    assert np.allclose(C1, lloyd_step(X, C)) and n1.sum() == len(X)


def test_online_fast_path_equals_count_step():
    K, epochs, seed = 4, 2, 5
    run = fit_kmeans(X, K, b=1, epochs=epochs, seed=seed)
    C, n = init_centers(X, K, seed), np.zeros(K, dtype=int)
    for _, idx in minibatches(len(X), 1, epochs, shuffle=True, seed=seed + 10_000):
        C, n = count_step(X[idx], C, n)
    assert np.allclose(run.C, C)
    assert run.points[-1] == epochs * len(X) and run.loss[-1] == pytest.approx(kmeans_loss(X, C))


def test_sgd_with_a_global_step_by_hand():
    """lr given: the course's SGD on the batch gradient; with b = 1, c_j += eta (x - c_j)."""
    K, seed, eta = 3, 1, 0.1
    run = fit_kmeans(X, K, b=1, epochs=1, seed=seed, lr=eta)
    C = init_centers(X, K, seed)
    for _, idx in minibatches(len(X), 1, 1, shuffle=True, seed=seed + 10_000):
        x = X[idx[0]]
        j = int(np.argmin(np.sum((C - x) ** 2, axis=1)))
        C[j] += eta * (x - C[j])
    assert np.allclose(run.C, C)
    batch = fit_kmeans(X, K, b=None, epochs=2, seed=seed, lr=0.5)
    C = init_centers(X, K, seed)
    for _ in range(2):
        C = C - 0.5 * kmeans_grad(X, C)
    assert np.allclose(batch.C, C) and batch.method == "batch GD"


def test_fit_records_loss_against_points_processed():
    run = fit_kmeans(X, 4, b=20, epochs=3, seed=0, n_checkpoints=15)
    assert run.points[0] == 0 and run.points[-1] == 600
    assert np.all(np.diff(run.points) > 0) and len(run.loss) == len(run.points)
    assert run.method == "minibatch b=20"
    lloyd = fit_kmeans(X, 4, epochs=4, seed=0)
    assert lloyd.points.tolist() == [0, 200, 400, 600, 800] and lloyd.method == "batch"


def test_vm4_in_miniature():
    """[VM-4] over 8 seeds: online SGD (constant step) gets below 1.2 x batch's final loss
    with fewer points than batch needs, and minibatch ends near batch quality at a
    fraction of the cost, on held-out data."""
    Xa, _, _ = blobs(N=1200, K=6, spread=0.7, sizes="random", seed=4)
    tr, ho = Xa[:600], Xa[600:]
    batch = [fit_kmeans(tr, 6, epochs=10, seed=s, X_eval=ho) for s in range(8)]
    sgd = [fit_kmeans(tr, 6, b=1, epochs=1, seed=s, X_eval=ho, lr=0.05) for s in range(8)]
    mini = [fit_kmeans(tr, 6, b=32, epochs=2, seed=s, X_eval=ho) for s in range(8)]
    final_batch = np.array([r.loss[-1] for r in batch])
    final_mini = np.array([r.loss[-1] for r in mini])
    target = 1.2 * np.median(final_batch)

    def points_to(r):
        hit = np.nonzero(r.loss <= target)[0]
        return r.points[hit[0]] if len(hit) else np.inf

    assert np.median([points_to(r) for r in sgd]) < np.median([points_to(r) for r in batch])
    assert np.median(final_mini) < 1.1 * np.median(final_batch)
    assert mini[0].points[-1] <= batch[0].points[-1] / 4


@pytest.mark.parametrize("call, name", [
    (lambda: fit_kmeans(X, 4, b=0), "b"),
    (lambda: fit_kmeans(X, 4, b=201), "b"),
    (lambda: fit_kmeans(X, 4, epochs=0), "epochs"),
    (lambda: fit_kmeans(X, 0), "K"),
    (lambda: fit_kmeans(X, 201), "K"),
    (lambda: init_centers(X, 2.5), "K"),
    (lambda: kmeans_loss(X, np.zeros((2, 3))), "X"),
    (lambda: kmeans_loss(X[:, 0], np.zeros((2, 1))), "X"),
    (lambda: kmeans_loss(np.vstack([X, [[np.nan, 0.0]]]), np.zeros((2, 2))), "X"),
    (lambda: count_step(X, np.zeros((2, 2)), np.zeros(3)), "counts"),
])
def test_bad_input_is_refused_by_name(call, name):
    with pytest.raises(ValueError, match=rf"^{name} "):
        call()


def test_sgd_minibatch_with_a_schedule_matches_the_optimizer_update():
    """fit_kmeans's SGD loop (the driver with an unchecked batch gradient) equals
    SGD.update on kmeans_grad of each batch, with a schedule as lr."""
    from course_lib.optimizers import SGD
    from course_lib.schedules import inverse_power
    K, seed, b = 3, 2, 7
    lr = inverse_power(c=0.8, p=0.5)
    run = fit_kmeans(X, K, b=b, epochs=2, seed=seed, lr=lr)
    opt = SGD(lr=lr)
    C = init_centers(X, K, seed)
    state = opt.init(C)
    for _, idx in minibatches(len(X), b, 2, shuffle=True, seed=seed + 10_000):
        step, state = opt.update(kmeans_grad(X[idx], C), state)
        C = C + step
    assert np.allclose(run.C, C, rtol=1e-12, atol=1e-12)


# -- fit_kmeans_many: many runs side by side, equal to fit_kmeans run by run ----------------
@pytest.mark.parametrize("kw", [dict(b=1, lr=0.1, epochs=2), dict(b=32, epochs=3)])
def test_fit_kmeans_many_equals_fit_kmeans_bit_for_bit(kw):
    X, _, _ = blobs(N=400, K=5, spread=0.8, sizes="random", seed=5)
    Xe = X[:100] + 0.1
    seeds = [0, 7, 3]
    C0s = [init_centers(X, 5, seed=s) for s in seeds]
    many = fit_kmeans_many(X, C0s, [s + 1 for s in seeds], X_eval=Xe, **kw)
    for c0, s, got in zip(C0s, seeds, many):
        lib = fit_kmeans(X, 5, C0=c0, seed=s + 1, X_eval=Xe, **kw)
        assert np.array_equal(lib.points, got.points)
        assert np.array_equal(lib.loss, got.loss)
        assert np.array_equal(lib.C, got.C)


@pytest.mark.parametrize("kw", [dict(b=None), dict(b=1), dict(b=32, lr=0.1)])
def test_fit_kmeans_many_refuses_what_it_does_not_run(kw):
    X, _, _ = blobs(N=100, K=3, spread=0.8, seed=1)
    with pytest.raises(ValueError, match="fit_kmeans_many runs"):
        fit_kmeans_many(X, [init_centers(X, 3)], [0], **kw)


@pytest.mark.parametrize("b", [None, 1, 7])
def test_a_diverging_sgd_run_ends_and_never_raises(b):
    """A huge step sends the centres to overflow within a few updates: the run ends at the
    last finite centres, with diverged_at and a message, as every driver loop does."""
    run = fit_kmeans(X, 4, b=b, lr=1e100, epochs=2, seed=0)
    if b is None:                                        # 2 passes do not reach overflow
        assert run.diverged_at is None and run.points.tolist() == [0, 200, 400]
        return
    assert run.diverged_at is not None and "overflowed" in run.message
    assert np.all(np.isfinite(run.C)) and run.points[-1] == b * (run.diverged_at - 1)
    many = fit_kmeans_many(X, [init_centers(X, 4, seed=0)], [0], b=1, lr=1e100)
    assert many[0].diverged_at is not None
