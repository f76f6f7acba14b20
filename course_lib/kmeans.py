r"""K-means three ways: batch (Lloyd), online (SGD, one point per update) and minibatch,
numpy only [VM-4].

The loss of centres $C = (c_1, \dots, c_K)$ on points $x_1..x_N$ is

$$L(C) = \frac1{2N}\sum_{i=1}^N \lVert x_i - c_{a(i)}\rVert^2,\qquad a(i) = \arg\min_j \lVert x_i - c_j\rVert,$$

with gradient $\nabla_{c_j} L = -\frac1N \sum_{i: a(i)=j} (x_i - c_j)$ (:func:`kmeans_grad`).
Following Bottou and Bengio (1995) and Sculley (2010), all three algorithms are gradient
steps on this loss with a step size per centre:

* batch (Lloyd): $c_j \leftarrow$ the mean of its points, a gradient step of size $N/n_j$
  on the whole data ($n_j$ points assigned to $c_j$): :func:`lloyd_step`;
* minibatch (Sculley): on a batch of b points, $c_j \leftarrow c_j + \frac{m_j}{n_j}
  (\bar x_j - c_j)$, where $m_j$ batch points went to $c_j$, $\bar x_j$ is their mean and
  $n_j$ counts every point $c_j$ has received so far: :func:`count_step`. The centre is then
  the running mean of all the points it was ever given;
* online / SGD (MacQueen): the same with b = 1, $c_j \leftarrow c_j + \frac1{n_j}(x - c_j)$.

:func:`fit_kmeans` runs any of them and records the loss against the number of points
processed, the cost measure of [VM-4].
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from ._checks import check_finite
from .minibatch import check_batch, minibatches
from .trace import run

__all__ = ["assign", "kmeans_loss", "kmeans_grad", "lloyd_step", "count_step", "init_centers",
           "KMeansRun", "fit_kmeans", "fit_kmeans_many"]


def _check_XC(X, C):
    X, C = np.asarray(X, dtype=float), np.asarray(C, dtype=float)
    if X.ndim != 2 or C.ndim != 2:
        raise ValueError(f"X and C must be 2-D (points x dims, centres x dims), got shapes "
                         f"{X.shape} and {C.shape}")
    if X.shape[1] != C.shape[1]:
        raise ValueError(f"X has {X.shape[1]} dimensions but C has {C.shape[1]}; they must match")
    check_finite("X", X)
    check_finite("C", C)
    return X, C


def _sums(X, a, K):
    """Per-centre sums of the rows of X assigned by a (a one-hot product; faster than add.at)."""
    onehot = np.zeros((K, len(X)))
    onehot[a, np.arange(len(X))] = 1.0
    return onehot @ X


def _sqdist(X, C):
    return (np.sum(X * X, axis=1)[:, None] - 2 * X @ C.T + np.sum(C * C, axis=1)[None, :])


def assign(X, C):
    """Index of the nearest centre for each row of X."""
    X, C = _check_XC(X, C)
    return np.argmin(_sqdist(X, C), axis=1)


def kmeans_loss(X, C):
    r"""$L(C) = \frac1{2N}\sum_i \min_j \lVert x_i - c_j\rVert^2$.

    >>> kmeans_loss([[0.0], [2.0]], [[1.0]])
    0.5
    """
    X, C = _check_XC(X, C)
    return float(0.5 * np.mean(np.maximum(np.min(_sqdist(X, C), axis=1), 0.0)))


def kmeans_grad(X, C):
    r"""$\nabla_{c_j} L = -\frac1N\sum_{a(i)=j} (x_i - c_j)$ on the rows of X (a batch or all data)."""
    X, C = _check_XC(X, C)
    a = np.argmin(_sqdist(X, C), axis=1)
    n = np.bincount(a, minlength=len(C))
    return (n[:, None] * C - _sums(X, a, len(C))) / len(X)   # sum over a(i)=j of (c_j - x_i), / N


def lloyd_step(X, C):
    """One batch K-means (Lloyd) step: each centre moves to the mean of its points; a centre
    with no points stays. Returns the new centres."""
    X, C = _check_XC(X, C)
    a = np.argmin(_sqdist(X, C), axis=1)
    K = len(C)
    n = np.bincount(a, minlength=K)
    S = _sums(X, a, K)
    return np.where(n[:, None] > 0, S / np.maximum(n, 1)[:, None], C)


def count_step(Xb, C, counts):
    r"""One online (b = 1) or minibatch K-means step with per-centre step sizes $m_j / n_j$.

    Returns ``(new C, new counts)``; pure (inputs unchanged).

    >>> C, n = count_step(np.array([[2.0]]), np.array([[0.0]]), np.array([1]))
    >>> C, n                          # the centre is now the mean of its 2 points (0 and 2)
    (array([[1.]]), array([2]))
    """
    Xb, C = _check_XC(Xb, C)
    counts = np.asarray(counts)
    if counts.shape != (len(C),):
        raise ValueError(f"counts has shape {counts.shape} but there are {len(C)} centres")
    return _count_step(Xb, C, counts)


def _count_step(Xb, C, counts):
    """count_step without the checks (the inner loop of fit_kmeans)."""
    a = np.argmin(_sqdist(Xb, C), axis=1)
    m = np.bincount(a, minlength=len(C))                   # m_j: batch points per centre
    S = _sums(Xb, a, len(C))
    n = counts + m                                         # n_j: points received so far
    xbar = S / np.maximum(m, 1)[:, None]                   # batch mean per centre
    rate = np.where(m > 0, m / np.maximum(n, 1), 0.0)      # step size m_j / n_j
    return C + rate[:, None] * (xbar - C), n               # c_j += m_j/n_j (xbar_j - c_j)


def init_centers(X, K, seed=0):
    """K distinct rows of X drawn at random (Forgy initialization)."""
    X = np.asarray(X, dtype=float)
    if not isinstance(K, (int, np.integer)) or not 1 <= K <= len(X):
        raise ValueError(f"K must be an integer in [1, {len(X)}], got {K!r}")
    rng = np.random.default_rng(seed)
    return X[rng.choice(len(X), size=K, replace=False)].copy()


@dataclass
class KMeansRun:
    """Loss against cost: ``points[i]`` points processed when ``loss[i]`` was measured."""
    points: np.ndarray
    loss: np.ndarray
    C: np.ndarray
    method: str
    diverged_at: Optional[int] = None   # the SGD update whose gradient was not finite, if any
    message: str = ""


class _Checkpoints:
    """The loss against the number of points processed, recorded when that number passes
    the next of the log-spaced ``marks``, and at the end of the run."""

    def __init__(self, marks, measure, C):
        self.marks, self.measure = marks, measure      # measure(C): the loss to record
        self.points, self.losses = [0], [measure(C)]
        self.done, self.next = 0, 0

    def add(self, n, C):
        """n more points processed, the centres now C."""
        self.done += n
        if self.next < len(self.marks) and self.done >= self.marks[self.next]:
            self.points.append(self.done)
            self.losses.append(self.measure(C))
            self.next = np.searchsorted(self.marks, self.done, side="right")

    def finish(self, C):
        """Record the end of the run (once); returns (points, losses) as arrays."""
        if self.points[-1] != self.done:
            self.points.append(self.done)
            with np.errstate(over="ignore"):         # a diverged run's loss may overflow
                self.losses.append(self.measure(C))
        return np.array(self.points), np.array(self.losses)


def _nearest_centre_grad(C, x):
    r"""The gradient of one point's loss $\frac12 \lVert x - c_j\rVert^2$ at its nearest
    centre j: $c_j - x$ in row j, zero elsewhere. C: (K, d) and x: (d,), or R runs stacked,
    (R, K, d) and (R, d)."""
    j = np.argmin(np.sum((C - x[..., None, :]) ** 2, axis=-1), axis=-1)   # nearest centre
    rows = (j,) if np.ndim(j) == 0 else (np.arange(len(j)), j)   # run r's centre j_r
    G = np.zeros_like(C)
    G[rows] = C[rows] - x                              # grad_{c_j} = c_j - x
    return G


def _batch_grad(X, C, idx):
    """kmeans_grad(X[idx], C) without the checks (X and C were checked once)."""
    if len(idx) == 1:                                  # one point: only its centre moves
        return _nearest_centre_grad(C, X[idx[0]])
    Xb, K = X[idx], len(C)
    a = np.argmin(_sqdist(Xb, C), axis=1)
    n = np.bincount(a, minlength=K)
    return (n[:, None] * C - _sums(Xb, a, K)) / len(idx)


def fit_kmeans(X, K, b=None, epochs=5, seed=0, C0=None, X_eval=None, n_checkpoints=40, lr=None):
    r"""Run K-means on X and record the loss on ``X_eval`` (default: X) as points are processed.

    ``b=None``: batch K-means (Lloyd), ``epochs`` passes of N points each. ``b=1``: online
    K-means (SGD). ``1 < b <= N``: minibatch K-means, reshuffled each epoch. The same ``seed``
    gives the same initial centres (unless ``C0`` is given) and data order.

    ``lr=None`` uses the per-centre step sizes m_j / n_j above (Lloyd, MacQueen, Sculley).
    A number or schedule ``lr`` instead runs the course's :class:`~course_lib.optimizers.SGD`
    with that step on :func:`kmeans_grad` of each batch (b=None: of all the data), one global
    step size for every centre: with b = 1, $c_j \leftarrow c_j + \eta_t (x - c_j)$.

    The loss is recorded at about ``n_checkpoints`` log-spaced numbers of points processed.
    """
    X = np.asarray(X, dtype=float)
    N = len(X)
    if b is not None:
        check_batch(N, b)
    if not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be an integer >= 1, got {epochs!r}")
    C = init_centers(X, K, seed) if C0 is None else np.array(C0, dtype=float)
    _check_XC(X, C)
    Xe = X if X_eval is None else np.asarray(X_eval, dtype=float)
    total = N * epochs
    marks = np.unique(np.geomspace(1, total, n_checkpoints).astype(int))
    if lr is not None:
        return _fit_sgd(X, C, b, epochs, seed, Xe, marks, lr)
    if b is None:
        pts, losses = [0], [kmeans_loss(Xe, C)]
        for e in range(epochs):
            C = lloyd_step(X, C)
            pts.append((e + 1) * N)
            losses.append(kmeans_loss(Xe, C))
        return KMeansRun(np.array(pts), np.array(losses), C, "batch")
    counts = np.zeros(K, dtype=int)
    record = _Checkpoints(marks, lambda C: kmeans_loss(Xe, C), C)
    C = C.copy()
    for _, idx in minibatches(N, b, epochs, shuffle=True, seed=seed + 10_000):
        if b == 1:   # fast path, equal to count_step (a test pins it): MacQueen's update
            x = X[idx[0]]
            j = int(np.argmin(np.sum((C - x) ** 2, axis=1)))
            counts[j] += 1
            C[j] += (x - C[j]) / counts[j]             # c_j += (x - c_j) / n_j
        else:
            C, counts = _count_step(X[idx], C, counts)
        record.add(len(idx), C)
    pts, losses = record.finish(C)
    return KMeansRun(pts, losses, C, "SGD" if b == 1 else f"minibatch b={b}")


def fit_kmeans_many(X, C0s, seeds, b, epochs=5, lr=None, X_eval=None, n_checkpoints=40):
    r"""Many :func:`fit_kmeans` runs at once, one array row per run: run r is
    ``fit_kmeans(X, K, b=b, epochs=epochs, lr=lr, C0=C0s[r], seed=seeds[r], X_eval=X_eval)``,
    bit for bit (a test pins it), at a fraction of the cost when there are many runs.

    Two methods: online SGD (``b=1`` with a number ``lr``: the nearest centre
    $c_j \leftarrow c_j - \eta (c_j - x)$; the runs are stacked in one array, so one update of
    the course's SGD moves them all) and Sculley's minibatch K-means (``1 < b``, ``lr=None``:
    $c_j \leftarrow c_j + \frac{m_j}{n_j}(\bar x_j - c_j)$). Lloyd's batch steps are cheap one
    run at a time: use :func:`fit_kmeans` for them.
    """
    from .optimizers import SGD   # noqa: PLC0415 (optimizers import nothing from here)
    X = np.asarray(X, dtype=float)
    N = len(X)
    if not ((b == 1 and lr is not None) or (b is not None and b > 1 and lr is None)):
        raise ValueError(f"fit_kmeans_many runs b=1 with a number lr, or 1 < b <= N with "
                         f"lr=None; got b={b!r}, lr={lr!r} (use fit_kmeans for the others)")
    check_batch(N, b)
    if not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be an integer >= 1, got {epochs!r}")
    if len(C0s) != len(seeds):
        raise ValueError(f"C0s has {len(C0s)} starts but seeds has {len(seeds)} data orders")
    C = np.array(C0s, dtype=float)                                       # (runs, K, d)
    for c in C:
        _check_XC(X, c)
    Xe = X if X_eval is None else np.asarray(X_eval, dtype=float)
    R, K = C.shape[:2]
    perms = np.array([[idx for _, idx in minibatches(N, N, epochs, seed=s + 10_000)]  # fit_kmeans's
                      for s in seeds])                                   # shuffles: (runs, epochs, N)
    marks = np.unique(np.geomspace(1, N * epochs, n_checkpoints).astype(int))
    record = _Checkpoints(marks, lambda C: [kmeans_loss(Xe, c) for c in C], C)
    batches = (X[perms[:, e, i:i + b]]                                   # (runs, b, d)
               for e in range(epochs) for i in range(0, N, b))
    diverged_at, message = None, ""
    if lr is not None:   # online SGD: only the nearest centre has a gradient, c_j - x
        tr = run(SGD(lr=lr), lambda C, Xb: _nearest_centre_grad(C, Xb[:, 0]), C, batches=batches,
                 callback=lambda u: record.add(u.batch.shape[1], u.w), limit=np.inf, keep_ws=False)
        C, diverged_at, message = tr.w, tr.diverged_at, tr.message
    else:                # Sculley: c_j += m_j / n_j (mean of its m_j batch points - c_j)
        rows, counts = np.arange(R), np.zeros((R, K))
        for Xb in batches:
            d2 = (np.sum(Xb * Xb, axis=2)[:, :, None] - 2 * Xb @ C.transpose(0, 2, 1)
                  + np.sum(C * C, axis=2)[:, None, :])                   # squared distances
            onehot = np.zeros((R, K, Xb.shape[1]))
            onehot[rows[:, None], np.argmin(d2, axis=2), np.arange(Xb.shape[1])] = 1.0
            m = onehot.sum(axis=2)                                       # m_j, run by run
            counts = counts + m                                          # n_j
            rate = np.where(m > 0, m / np.maximum(counts, 1), 0.0)
            C = C + rate[:, :, None] * (onehot @ Xb / np.maximum(m, 1)[:, :, None] - C)
            record.add(Xb.shape[1], C)
    pts, losses = record.finish(C)
    name = "SGD b=1" if lr is not None else f"minibatch b={b}"
    return [KMeansRun(pts.copy(), losses[:, r], C[r], name, diverged_at, message)
            for r in range(R)]


def _fit_sgd(X, C, b, epochs, seed, Xe, marks, lr):
    """fit_kmeans with the course's SGD optimizer and a global step size (or schedule): the
    driver :func:`course_lib.trace.run` on the gradient of each batch (b=None: of all data).
    The centres are not bounded (``limit=np.inf``), as in the other K-means methods, but a
    run whose centres overflow ends there, with ``diverged_at`` set, and never raises."""
    from .optimizers import SGD   # noqa: PLC0415 (optimizers import nothing from here)
    N, measure = len(X), lambda C: kmeans_loss(Xe, C)
    if b is None:        # batch gradient descent: one update per pass, the loss after each
        tr = run(SGD(lr=lr), lambda C: kmeans_grad(X, C), C, epochs, loss=measure, limit=np.inf,
                 keep_ws=False)
        pts, losses, method = N * np.arange(len(tr.losses)), tr.losses, "batch GD"
    else:
        record = _Checkpoints(marks, measure, C)
        batches = (idx for _, idx in minibatches(N, b, epochs, shuffle=True, seed=seed + 10_000))
        tr = run(SGD(lr=lr), lambda C, idx: _batch_grad(X, C, idx), C, batches=batches,
                 callback=lambda u: record.add(len(u.batch), u.w), limit=np.inf, keep_ws=False)
        (pts, losses), method = record.finish(tr.w), f"SGD b={b}"
    return KMeansRun(pts, losses, tr.w, method, tr.diverged_at, tr.message)
