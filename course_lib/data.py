r"""Small seeded toy data sets for Part I (numpy only) [IU-3, SC-1, VM-4].

Every function takes a ``seed`` and returns the same arrays for the same seed.

* :func:`points`: identical, clumped or diverse points; the problem "find the point w
  closest on average to all of them", $L(w) = \frac1{2T}\sum_t \lVert w - x_t\rVert^2$,
  whose minimum is the mean. :func:`points_loss` and :func:`points_grad` go with it.
* :func:`regression_through_origin`: pairs (x, y) with $y \approx a x$; the line through
  the origin, $L(w) = \frac1{2N}\sum_i (y_i - w x_i)^2$, minimized at
  $w^* = \sum x_i y_i / \sum x_i^2$ (:func:`least_squares_slope`).
* :func:`blobs`: Gaussian clusters for K-means.
"""
from __future__ import annotations

import numpy as np

from ._checks import check_positive

__all__ = ["SPREADS", "points", "points_loss", "points_grad", "regression_through_origin",
           "least_squares_slope", "blobs"]

#: the spread (standard deviation around the centre) of each kind of data in :func:`points`
SPREADS = {"identical": 0.0, "clumped": 0.1, "diverse": 1.0}


def _check_count(name, n, low=1):
    if not isinstance(n, (int, np.integer)) or n < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {n!r}")
    return int(n)


def points(kind="clumped", T=100, dim=2, center=(2.0, 1.0), spread=None, seed=0):
    r"""T points in ``dim`` dimensions around ``center``.

    ``kind`` is "identical" (every point equals the centre), "clumped" (spread 0.1) or
    "diverse" (spread 1); ``spread`` overrides the kind's standard deviation.

    >>> X = points("identical", T=3, dim=2); X
    array([[2., 1.],
           [2., 1.],
           [2., 1.]])
    >>> points("clumped", T=500, seed=1).std(axis=0).round(1)
    array([0.1, 0.1])
    """
    if kind not in SPREADS:
        raise ValueError(f"kind must be one of {sorted(SPREADS)}, got {kind!r}")
    T, dim = _check_count("T", T), _check_count("dim", dim)
    sd = SPREADS[kind] if spread is None else check_positive("spread", spread, allow_zero=True)
    c = np.broadcast_to(np.asarray(center, dtype=float), (dim,)) if np.ndim(center) == 0 \
        else np.asarray(center, dtype=float)
    if c.shape != (dim,):
        raise ValueError(f"center has shape {c.shape} but dim = {dim}; they must match")
    rng = np.random.default_rng(seed)
    return c + sd * rng.standard_normal((T, dim))


def points_loss(w, X):
    r"""$L(w) = \frac1{2T}\sum_t \lVert w - x_t\rVert^2$; ``w`` may be (dim,) or (R, dim) for R runs."""
    w = np.asarray(w, dtype=float)
    d = w[..., None, :] - X                      # (..., T, dim)
    return 0.5 * np.mean(np.sum(d * d, axis=-1), axis=-1)


def points_grad(w, X):
    r"""$\nabla L(w) = w - \bar x$ over the rows of X (one row: a single-sample gradient)."""
    return np.asarray(w, dtype=float) - np.mean(X, axis=0)


def regression_through_origin(N=50, slope=1.5, noise=0.5, x_range=(0.2, 2.0), sort=False, seed=0):
    r"""N pairs (x_i, y_i) with $y_i = a x_i + \text{noise}$; returns (x, y).

    ``sort=True`` orders them by x, the way data often arrive (and the worst case for a
    fixed-order pass, [IU-2]).

    >>> x, y = regression_through_origin(N=4, noise=0.0); bool(np.allclose(y, 1.5 * x))
    True
    """
    N = _check_count("N", N)
    check_positive("noise", noise, allow_zero=True)
    lo, hi = x_range
    if not lo < hi:
        raise ValueError(f"x_range must be (low, high) with low < high, got {x_range!r}")
    rng = np.random.default_rng(seed)
    x = rng.uniform(lo, hi, N)
    y = slope * x + noise * rng.standard_normal(N)
    if sort:
        order = np.argsort(x)
        x, y = x[order], y[order]
    return x, y


def least_squares_slope(x, y):
    r"""The batch optimum $w^* = \sum x_i y_i / \sum x_i^2$ of the line through the origin."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"x has shape {x.shape} but y has shape {y.shape}; they must match")
    return float(x @ y / (x @ x))


def blobs(N=600, K=5, dim=2, spread=0.6, box=6.0, sizes="equal", seed=0):
    r"""N points in K Gaussian clusters; returns (X, labels, centers).

    Centres are uniform in ``[-box, box]^dim``; each cluster has standard deviation
    ``spread``. ``sizes="equal"`` splits N evenly, ``"random"`` draws the shares.
    The rows of X are shuffled.

    >>> X, lab, C = blobs(N=10, K=2, seed=3); X.shape, lab.shape, C.shape
    ((10, 2), (10,), (2, 2))
    """
    N, K, dim = _check_count("N", N), _check_count("K", K), _check_count("dim", dim)
    if K > N:
        raise ValueError(f"K must be <= N (at least one point per cluster), got K={K}, N={N}")
    check_positive("spread", spread)
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-box, box, (K, dim))
    if sizes == "equal":
        counts = np.full(K, N // K)
        counts[: N - counts.sum()] += 1
    elif sizes == "random":
        share = rng.dirichlet(np.full(K, 2.0))
        counts = 1 + rng.multinomial(N - K, share)
    else:
        raise ValueError(f"sizes must be 'equal' or 'random', got {sizes!r}")
    labels = np.repeat(np.arange(K), counts)
    X = centers[labels] + spread * rng.standard_normal((N, dim))
    perm = rng.permutation(N)
    return X[perm], labels[perm], centers
