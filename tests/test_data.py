"""The toy data sets of Part I: seeded, the advertised spread and optimum, bad input refused."""
import numpy as np
import pytest

from course_lib.data import (SPREADS, blobs, least_squares_slope, points, points_grad,
                             points_loss, regression_through_origin)


@pytest.mark.parametrize("make", [
    lambda s: points("diverse", T=20, seed=s),
    lambda s: regression_through_origin(N=20, seed=s),
    lambda s: blobs(N=30, K=3, seed=s),
])
def test_same_seed_same_data_other_seed_other_data(make):
    a, b, c = make(4), make(4), make(5)
    flat = lambda d: np.concatenate([np.ravel(v) for v in (d if isinstance(d, tuple) else (d,))])
    assert np.array_equal(flat(a), flat(b))
    assert not np.array_equal(flat(a), flat(c))


@pytest.mark.parametrize("kind", sorted(SPREADS))
def test_points_have_the_spread_of_their_kind(kind):
    X = points(kind, T=4000, dim=3, center=(1.0, -2.0, 0.5), seed=0)
    assert X.shape == (4000, 3)
    assert np.allclose(X.std(axis=0), SPREADS[kind], rtol=0.05, atol=1e-12)
    assert np.allclose(X.mean(axis=0), [1.0, -2.0, 0.5], atol=0.1)


def test_identical_points_are_identical():
    X = points("identical", T=5, dim=2, center=3.0)
    assert np.all(X == 3.0)


def test_points_loss_minimized_at_the_mean_and_grad_matches():
    X = points("diverse", T=30, seed=2)
    xbar = X.mean(axis=0)
    w = np.array([0.3, -0.7])
    assert np.allclose(points_grad(xbar, X), 0.0)
    # L(w) - L(xbar) = |w - xbar|^2 / 2
    assert points_loss(w, X) - points_loss(xbar, X) == pytest.approx(0.5 * np.sum((w - xbar) ** 2))
    h = 1e-6
    num = [(points_loss(w + h * e, X) - points_loss(w - h * e, X)) / (2 * h) for e in np.eye(2)]
    assert np.allclose(points_grad(w, X), num, atol=1e-7)
    # several runs at once: w of shape (R, dim)
    W = np.stack([w, xbar, 2 * w])
    assert np.allclose(points_loss(W, X), [points_loss(v, X) for v in W])


def test_points_grad_of_one_row_is_the_single_example_gradient():
    X = points("diverse", T=5, seed=1)
    assert np.allclose(points_grad(np.zeros(2), X[[3]]), -X[3])


def test_regression_through_origin():
    x, y = regression_through_origin(N=10, slope=2.0, noise=0.0, x_range=(1, 3), seed=0)
    assert np.allclose(y, 2.0 * x) and np.all((1 <= x) & (x < 3))
    assert least_squares_slope(x, y) == pytest.approx(2.0)
    xs, _ = regression_through_origin(N=10, sort=True, seed=0)
    assert np.all(np.diff(xs) >= 0)


def test_least_squares_slope_is_the_minimizer():
    x, y = regression_through_origin(N=200, slope=1.5, noise=0.5, seed=3)
    w = least_squares_slope(x, y)
    assert np.mean((y - w * x) * x) == pytest.approx(0.0, abs=1e-12)      # gradient zero
    assert w == pytest.approx(1.5, abs=0.1)
    assert w == pytest.approx(np.linalg.lstsq(x[:, None], y, rcond=None)[0][0])


@pytest.mark.parametrize("sizes", ["equal", "random"])
def test_blobs_shapes_and_labels(sizes):
    X, lab, C = blobs(N=301, K=4, dim=3, spread=0.05, sizes=sizes, seed=1)
    assert X.shape == (301, 3) and lab.shape == (301,) and C.shape == (4, 3)
    counts = np.bincount(lab, minlength=4)
    assert counts.sum() == 301 and counts.min() >= 1
    if sizes == "equal":
        assert counts.max() - counts.min() <= 1
    assert np.all(np.abs(C) <= 6.0)
    # tight clusters: every point is nearest to its own centre
    d = np.linalg.norm(X[:, None, :] - C[None], axis=2)
    assert np.array_equal(np.argmin(d, axis=1), lab)


@pytest.mark.parametrize("call, name", [
    (lambda: points("sparse"), "kind"),
    (lambda: points("clumped", T=0), "T"),
    (lambda: points("clumped", T=2.5), "T"),
    (lambda: points("clumped", dim=0), "dim"),
    (lambda: points("clumped", dim=3, center=(1.0, 2.0)), "center"),
    (lambda: points("clumped", spread=-0.1), "spread"),
    (lambda: regression_through_origin(N=0), "N"),
    (lambda: regression_through_origin(noise=-1.0), "noise"),
    (lambda: regression_through_origin(x_range=(2.0, 1.0)), "x_range"),
    (lambda: least_squares_slope(np.ones(3), np.ones(4)), "x"),
    (lambda: blobs(N=3, K=4), "K"),
    (lambda: blobs(K=0), "K"),
    (lambda: blobs(spread=0.0), "spread"),
    (lambda: blobs(sizes="tiny"), "sizes"),
])
def test_bad_input_is_refused_by_name(call, name):
    with pytest.raises(ValueError, match=rf"^{name} (must|has)"):
        call()
