r"""Minibatch iteration: batch, incremental (SGD) and minibatch passes over data, numpy only
[IU-2, VM-2, VM-3].

One epoch visits every one of the N examples once, in ``ceil(N / b)`` updates of at most b
examples: b = N is batch gradient descent (one update per epoch), b = 1 is incremental
learning / SGD (N updates per epoch), anything in between is minibatch descent.
``shuffle=True`` draws a fresh random permutation each epoch (stochastic gradient descent);
``shuffle=False`` keeps the data's own order every epoch (and can cycle, [IU-2]).

Seeds: the shuffles come from ``np.random.default_rng(seed)`` with ``seed=0`` by default, so
a call without a seed is reproducible (the course's rule: random numbers are seeded). Pass
another integer (or a ``np.random.Generator``) to get a different order; ``seed=None`` is
refused, because an unseeded run could not be repeated.

>>> [idx.tolist() for _, idx in minibatches(5, 2, epochs=1, shuffle=False)]
[[0, 1], [2, 3], [4]]
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator, Optional

import numpy as np

from ._checks import check_finite
from .trace import run

__all__ = ["check_batch", "minibatches", "updates_per_epoch", "MinibatchRun", "run_minibatch"]


def check_batch(N, b):
    """Validate a data size N >= 1 and a batch size 1 <= b <= N (before anything runs)."""
    if not isinstance(N, (int, np.integer)) or N < 1:
        raise ValueError(f"N must be an integer >= 1 (the number of examples), got {N!r}")
    if not isinstance(b, (int, np.integer)) or not 1 <= b <= N:
        raise ValueError(f"b must be an integer in [1, N] = [1, {N}] (the batch size), got {b!r}:"
                         f" b = 1 is SGD, b = N is batch gradient descent")
    return int(N), int(b)


def updates_per_epoch(N, b, drop_last=False):
    """Number of updates in one epoch: ceil(N / b), or floor(N / b) with ``drop_last``.

    >>> updates_per_epoch(10, 1), updates_per_epoch(10, 3), updates_per_epoch(10, 10)
    (10, 4, 1)
    """
    N, b = check_batch(N, b)
    return N // b if drop_last else -(-N // b)


def _rng(seed):
    """The shuffling generator: a Generator as given, else default_rng of an integer seed."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0 or a np.random.Generator, got {seed!r}: "
                         "every shuffle in the course is seeded so that a run can be repeated "
                         "(the default is seed=0)")
    return np.random.default_rng(seed)


def minibatches(N, b, epochs=1, shuffle=True, seed=0, drop_last=False
                ) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(epoch, indices)`` for ``epochs`` passes over N examples in batches of b.

    ``shuffle=True`` reshuffles every epoch with ``np.random.default_rng(seed)``, ``seed=0``
    unless given (a Generator may be passed as ``seed``); ``shuffle=False`` keeps the order
    0..N-1. The last batch of an
    epoch is smaller when b does not divide N, unless ``drop_last``.

    >>> [idx.tolist() for _, idx in minibatches(4, 2, epochs=2, seed=0)]
    [[2, 0], [1, 3], [3, 2], [1, 0]]
    """
    N, b = check_batch(N, b)
    if not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be an integer >= 1, got {epochs!r}")
    rng = _rng(seed)
    stop = N - N % b if drop_last else N
    for e in range(epochs):
        order = rng.permutation(N) if shuffle else np.arange(N)
        for start in range(0, stop, b):
            yield e, order[start:start + b]


@dataclass
class MinibatchRun:
    """The iterates of a minibatch run: ``ws[k]`` after k updates (``ws[0]`` = W_0)."""
    ws: np.ndarray
    epoch_ends: np.ndarray      # index into ws of the iterate at the end of each epoch
    batch_losses: list = field(default_factory=list)   # loss on each batch, before its update
    diverged_at: Optional[int] = None
    message: str = ""


def run_minibatch(optimizer, grad: Callable, w0, N, b, epochs=1, shuffle=True, seed=0,
                  batch_loss: Callable = None, on_epoch: Callable = None,
                  limit: float = 1e12) -> MinibatchRun:
    """Minibatch descent with any course optimizer: :func:`course_lib.trace.run` with one
    update per batch of :func:`minibatches`.

    ``grad(w, idx)`` returns the average gradient of the examples ``idx`` at w (it must be the
    MEAN, not the sum, so that the step size means the same for every b). ``batch_loss(w, idx)``,
    if given, is recorded before each update (the cheap progress measure of [VM-5]).
    ``seed`` (default 0) fixes the shuffles, as in :func:`minibatches`.
    ``on_epoch(epoch, w)`` is called after each epoch (for a held-out loss or a
    :class:`course_lib.schedules.ReduceOnPlateau`). Divergence ends the run early, with
    ``diverged_at`` set, and never raises.

    >>> from course_lib.optimizers import SGD
    >>> x = np.array([1.0, 3.0])          # minimize mean (w - x_i)^2 / 2: the mean, 2
    >>> r = run_minibatch(SGD(lr=0.5), lambda w, i: w - x[i].mean(), np.array(0.0), N=2, b=2,
    ...                   epochs=3)
    >>> r.ws.round(3).tolist()
    [0.0, 1.0, 1.5, 1.75]
    """
    N, b = check_batch(N, b)
    check_finite("w0", w0)
    if not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be an integer >= 1, got {epochs!r}")
    _rng(seed)                                   # refuse a bad seed before anything runs
    per_epoch = updates_per_epoch(N, b)
    ends, losses = [], []

    def record_batch_loss(k, w, idx):            # at W_{k-1}, before update k
        losses.append(float(batch_loss(w, idx)))

    def after_update(u):
        if u.k % per_epoch == 0:                 # the last update of an epoch
            ends.append(u.k)
            if on_epoch is not None:
                on_epoch(u.k // per_epoch - 1, u.w)

    batches = (idx for _, idx in minibatches(N, b, epochs, shuffle, seed))
    tr = run(optimizer, grad, w0, batches=batches,
             before=record_batch_loss if batch_loss is not None else None,
             callback=after_update, limit=limit)
    return MinibatchRun(np.array(tr.ws, dtype=float), np.array(ends, dtype=int), losses,
                        tr.diverged_at, tr.message)
