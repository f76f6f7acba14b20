r"""Train a network with any course optimizer: minibatches, a schedule, held-out evaluation
each epoch, divergence caught [TN-1, TN-3, TN-4, VM-5, VM-6] (numpy only).

One update, for every optimizer of the course (Nesterov's look-ahead included, because the
gradient is taken where ``optimizer.eval_point`` says), made by the course's one driver
:func:`course_lib.trace.run`:

.. code-block:: text

    g_t = grad of the minibatch loss at  optimizer.eval_point(W_{t-1}, state)
    W_t = W_{t-1} + step_t        (optimizer.update)

Per epoch: a fresh random order (``course_lib.minibatch.minibatches``, seeded), then the
loss and accuracy on the held-out set in evaluation mode (batch norm uses its running
estimates). A stateful schedule such as :class:`course_lib.schedules.ReduceOnPlateau`
given as the optimizer's ``lr`` is fed the held-out loss after each epoch ("fix the step
until the held-out loss plateaus, then divide it", [VM-6]); a plain schedule ``t -> eta_t``
(for example :class:`course_lib.schedules.inverse_power`, 1/k) counts updates t.

Divergence never raises: a non-finite loss or gradient, or weights beyond ``limit``, ends
the run with ``history.diverged_at`` and ``history.message`` set; the curves so far are kept.

The progress display is pluggable and off by default (tests and scripts stay silent);
lesson 12 passes :class:`course_lib.widgets.progress.ProgressBar`.

>>> from course_lib.mlp import MLP
>>> from course_lib.optimizers import SGD
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(40, 2)); y = (X[:, 0] > 0).astype(int)
>>> net = MLP([2, 8, 2], seed=0)
>>> params, h = train(net, SGD(lr=0.5), (X, y, X, y), epochs=5, batch_size=10, seed=0)
>>> len(h.held_loss), h.updates_per_epoch, h.held_loss[-1] < h.held_loss[0]
(6, 4, True)
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from ._checks import check_finite
from .minibatch import check_batch, minibatches
from .trace import run

__all__ = ["History", "train", "lr_schedule_values"]


@dataclass
class History:
    """One training run, epoch by epoch. Index 0 is before the first update.

    ``held_loss``, ``held_acc``: on the held-out set (evaluation mode), epochs 0..E.
    ``train_loss``: epoch 0 the full training loss at the start; afterwards the mean of the
    epoch's minibatch losses, each taken before its update (the cheap estimate of [VM-5]).
    ``lr``: the step size used by the last update of each epoch (epoch 0: eta_1).
    """
    name: str = ""
    epochs: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    held_loss: list = field(default_factory=list)
    held_acc: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    batch_losses: list = field(default_factory=list)   # every minibatch loss, in order
    updates_per_epoch: int = 0
    diverged_at: Optional[int] = None    # the update (counted from 1) that diverged
    message: str = ""
    seconds: float = 0.0                 # wall-clock time (never printed in checked cells)

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def final_acc(self) -> float:
        return self.held_acc[-1] if self.held_acc else float("nan")

    @property
    def best_acc(self) -> float:
        return max(self.held_acc) if self.held_acc else float("nan")

    def summary(self) -> str:
        """One line: name, epochs, final held-out loss and accuracy (or the divergence)."""
        if self.diverged:
            return f"{self.name}: {self.message}"
        return (f"{self.name}: {self.epochs[-1]} epochs, held-out loss {self.held_loss[-1]:.3f}, "
                f"accuracy {100 * self.final_acc:.1f}%")

    def __repr__(self):
        return f"History({self.summary()!r})"


class _Silent:
    """The default progress display: shows nothing."""

    def start(self, total, description=""):
        pass

    def update(self, done, text=""):
        pass

    def close(self, text="", ok=True):
        pass


def _current_lr(optimizer, t):
    """eta_t as the optimizer applies it (a schedule's value, Adagrad's lr_decay included);
    an object of the reader's own with only ``lr`` (a number or a schedule) works too."""
    lr_at = getattr(optimizer, "lr_at", None)
    if lr_at is not None:
        return float(lr_at(t))
    return float(optimizer.lr(t) if callable(optimizer.lr) else optimizer.lr)


def _all_finite(arrays):
    return all(np.isfinite(a).all() for a in arrays)


def _max_abs(arrays):
    return max(float(np.abs(a).max()) for a in arrays)


def train(net, optimizer, data, epochs: int = 10, batch_size: int = 32, seed: int = 0,
          params=None, name: str = "", progress=None, limit: float = 1e6):
    """Train ``net`` (a :class:`course_lib.mlp.MLP`) with ``optimizer``; returns
    ``(params, history)``.

    ``data``: ``(X_train, y_train, X_held, y_held)``, for example a
    :class:`course_lib.digits.DigitsSplit` (its fifth field is ignored). ``params``: the
    starting weights (default ``net.init_params()``); the list is updated in place and
    returned. ``seed`` fixes the minibatch order. Each epoch uses ``floor(N / batch_size)``
    full minibatches (the few examples left over fall in other batches next epoch, since the
    order is reshuffled; batch norm needs at least 2 examples per batch).

    ``progress``: anything with ``start(total, description)``, ``update(done, text)`` and
    ``close(text, ok)``, such as :class:`course_lib.widgets.progress.ProgressBar`; None is silent.
    """
    X, y, Xh, yh = data[:4]
    if not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be an integer >= 1, got {epochs!r}")
    params = net.init_params() if params is None else params
    X, y = net.check_inputs(params, X, y)
    Xh, yh = net.check_inputs(params, Xh, yh)
    N, b = check_batch(len(X), batch_size)
    if net.batchnorm and b < 2:
        raise ValueError(f"batch_size must be >= 2 with batch norm (one example has no "
                         f"spread), got {b}")
    for i, p in enumerate(params):
        check_finite(f"params[{i}]", p)
    progress = progress or _Silent()
    per_epoch = N // b
    hist = History(name=name or getattr(optimizer, "name", type(optimizer).__name__),
                   updates_per_epoch=per_epoch)
    start = time.perf_counter()

    plateau = callable(getattr(optimizer.lr, "step", None))   # a stateful schedule to feed
    if plateau and callable(getattr(optimizer.lr, "reset", None)):
        optimizer.lr.reset()                                      # a new run starts afresh
    J0 = net.loss(params, X, y)
    Jh, acc = net.evaluate(params, Xh, yh)
    hist.epochs.append(0)
    hist.train_loss.append(J0)
    hist.held_loss.append(Jh)
    hist.held_acc.append(acc)
    hist.lr.append(_current_lr(optimizer, 1))
    progress.start(epochs, hist.name)

    def minibatch_loss_and_grads(point, idx):          # J and g_t at the point asked for
        return net.loss_and_grads(point, X[idx], y[idx], check=False)

    def stop(message):
        hist.message = message
        return message                                 # ends the run as diverged

    def end_of_epoch(epoch, t, w):
        """Check W, evaluate on the held-out set, record, feed a plateau schedule."""
        if not (_all_finite(w) and _max_abs(w) <= limit):
            return stop(f"diverged in epoch {epoch}: |W| exceeded {limit:g} or overflowed; "
                        f"try a smaller lr")
        Jh, acc = net.evaluate(w, Xh, yh)
        if not np.isfinite(Jh):
            return stop(f"diverged in epoch {epoch}: the held-out loss is not finite")
        hist.epochs.append(epoch)
        hist.train_loss.append(float(np.mean(hist.batch_losses[-per_epoch:])))
        hist.held_loss.append(Jh)
        hist.held_acc.append(acc)
        hist.lr.append(_current_lr(optimizer, t))
        if plateau:
            optimizer.lr.step(Jh)                                     # feed the held-out loss
        progress.update(epoch, f"epoch {epoch}/{epochs}: held-out loss {Jh:.3f}, "
                               f"accuracy {100 * acc:.1f}%")
        return None

    def after_update(u):
        hist.batch_losses.append(u.value)              # the minibatch loss, before the update
        return end_of_epoch(u.k // per_epoch, u.k, u.w) if u.k % per_epoch == 0 else None

    rng = np.random.default_rng(seed)                  # one fresh order per epoch
    batches = (idx for _, idx in minibatches(N, b, epochs, seed=rng, drop_last=True))
    tr = run(optimizer, minibatch_loss_and_grads, params, batches=batches,
             callback=after_update, value_and_grad=True, limit=None, keep_ws=False)
    for p, w in zip(params, tr.w):
        p[...] = w                                     # the caller's arrays hold W_t
    hist.diverged_at = tr.diverged_at
    if tr.diverged and not hist.message:               # stopped by a non-finite loss or gradient
        epoch = (tr.diverged_at - 1) // per_epoch + 1
        hist.message = (f"diverged at update {tr.diverged_at} (epoch {epoch}): the loss or the "
                        f"gradient is not finite; try a smaller lr")
    hist.seconds = time.perf_counter() - start
    progress.close(hist.summary(), ok=not hist.diverged)
    return params, hist


def lr_schedule_values(schedule, ts):
    """eta_t of a plain schedule at the updates ``ts`` (for overlaying the prediction on
    the step sizes a run recorded)."""
    return np.array([float(schedule(int(t))) for t in ts])
