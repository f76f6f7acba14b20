r"""The course's one driver: run any optimizer on a gradient function (numpy only).

Every loop of the course that takes optimizer steps is :func:`run`: :func:`minimize`
(lessons 02-09), :func:`course_lib.minibatch.run_minibatch` (01, 03),
:func:`course_lib.train.train` (12) and the SGD K-means of :mod:`course_lib.kmeans` (03).
Update k, for k = 1, 2, ...:

.. code-block:: text

    point       = optimizer.eval_point(W_{k-1}, state)     W itself, or Nesterov's look-ahead
    g_k         = grad(point)            or grad(point, batch_k) when batches are given
    step, state = optimizer.update(g_k, state, W_{k-1})   the only place where t advances
    W_k         = W_{k-1} + step

Divergence never raises: a gradient that is not finite (``update`` would refuse it), an
iterate that is not finite or larger than ``limit``, or a message returned by the callback
ends the run, with ``diverged_at`` = k and a message; the path so far is kept.

>>> import numpy as np
>>> from course_lib.optimizers import SGD
>>> tr = minimize(SGD(lr=0.5), grad=lambda w: 2 * w, w0=np.array([1.0]), steps=3)
>>> tr.ws[:, 0]
array([1., 0., 0., 0.])

A stateful schedule is fed from the callback (here the loss after every update; lesson 12
feeds the held-out loss once per epoch):

>>> from course_lib.schedules import ReduceOnPlateau
>>> sched = ReduceOnPlateau(lr=0.5, factor=10, patience=0)
>>> tr = run(SGD(lr=sched), lambda w: 2 * w - 1, np.array([0.0]), 3,
...          callback=lambda u: sched.step(abs(u.w[0] - 0.5)))
>>> tr.ws[:, 0].tolist(), sched.reductions, sched(4)   # no progress after update 1
([0.0, 0.5, 0.5, 0.5], [2, 3], 0.005)
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Callable, Iterable, NamedTuple, Optional

import numpy as np

from ._checks import check_positive, is_numeric
from .tree import apply_updates, leaves

__all__ = ["Trace", "Update", "run", "minimize"]


@dataclass
class Trace:
    """The run of one optimizer: iterates W_0..W_k, losses, states, and divergence if any."""
    ws: object                    # array (k+1, ...) of iterates W_0..W_k (a list for sympy;
                                  # None when the driver kept only the last, keep_ws=False)
    losses: Optional[np.ndarray]  # J(W_0)..J(W_k) when a loss was given
    states: list = field(default_factory=list)
    diverged_at: Optional[int] = None   # the update that diverged (or a callback stopped)
    message: str = ""
    w: object = None              # W_k, the last iterate (kept even when ws is not)
    state: object = None          # the optimizer state after update k

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None


class Update(NamedTuple):
    """What the callback of :func:`run` is handed after update k."""
    k: int          # updates done so far (the state's t)
    w: object       # W_k
    state: object   # the optimizer state after update k
    batch: object   # the batch of update k (None when run for a number of steps)
    value: object   # the loss grad returned with g_k (``value_and_grad=True``), else None


def _finite(tree) -> bool:
    """Every entry of a numeric tree finite."""
    return all(np.isfinite(x).all() for x in leaves(tree))


def _bounded(tree, limit) -> bool:
    """Every entry of a numeric tree finite and |entry| <= limit."""
    return _finite(tree) and (limit == np.inf or
                              max(np.max(np.abs(x)) for x in leaves(tree)) <= limit)


def run(optimizer, grad: Callable, w0, steps: int = None, *, batches: Iterable = None,
        loss: Callable = None, before: Callable = None, callback: Callable = None,
        value_and_grad: bool = False, limit: Optional[float] = 1e12, keep_ws: bool = True,
        keep_states: bool = False) -> Trace:
    """Apply updates from W_0 = w0: ``steps`` of them, or one per item of ``batches``.

    ``grad(point)``, or ``grad(point, batch)`` with batches, is the gradient at the point the
    optimizer asks for. With ``value_and_grad`` it returns ``(J, g)``: the loss there too,
    checked with g and handed to the callback. Hooks, all optional:

    * ``loss(W)`` is recorded at W_0 and after every update (``Trace.losses``);
    * ``before(k, W_{k-1}, batch)`` runs before update k (for a batch loss at W_{k-1});
    * ``callback(Update(k, W_k, state, batch, value))`` runs after update k; returning a
      message ends the run as diverged at k with that message, returning True just ends it
      (any other value, such as the step size a plateau schedule returns, is ignored).

    ``limit``: the largest |W| allowed after each update (``np.inf``: W need only be finite);
    None leaves the iterates unchecked (the caller checks them, e.g. once per epoch). Sympy
    parameters are never checked.
    ``keep_ws=False`` keeps only the last iterate (``Trace.w``), for long runs.
    """
    by_steps = batches is None
    if by_steps:
        batches = itertools.repeat(None, int(check_positive("steps", steps, allow_zero=True)))
    elif steps is not None:
        raise ValueError("give steps or batches, not both: one update is made per batch")
    state = optimizer.init(w0)
    w = w0
    ws, losses, states = [w0], [], [state] if keep_states else []
    diverged_at, message = None, ""
    numeric = is_numeric(leaves(w0))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if loss is not None:
            losses.append(loss(w))
        for k, batch in enumerate(batches, start=1):
            if before is not None:
                before(k, w, batch)
            point = optimizer.eval_point(w, state)                 # W, or the look-ahead point
            out = grad(point) if by_steps else grad(point, batch)
            value, g = out if value_and_grad else (None, out)      # g_k (and J there)
            if numeric and not (_finite(g) and (value is None or np.isfinite(value))):
                what = "the loss or the gradient is" if value_and_grad else "the gradient is"
                diverged_at, message = k, f"diverged at update {k}: {what} not finite"
                break
            step, new_state = optimizer.update(g, state, w)
            w_new = apply_updates(w, step)                         # W_k = W_{k-1} + step
            if numeric and limit is not None and not _bounded(w_new, limit):
                diverged_at = k
                message = (f"diverged at update {k}: |W| exceeded {limit:g} or overflowed"
                           if limit < np.inf else f"diverged at update {k}: W overflowed")
                break
            w, state = w_new, new_state
            if keep_ws:
                ws.append(w)
            if loss is not None:
                losses.append(loss(w))
            if keep_states:
                states.append(state)
            said = callback(Update(k, w, state, batch, value)) if callback is not None else None
            if isinstance(said, str):                              # a divergence, in its words
                diverged_at, message = k, said
                break
            if isinstance(said, (bool, np.bool_)) and said:        # True: just stop here
                break
    if not keep_ws:
        ws = None
    elif numeric and not isinstance(w0, (list, tuple)):
        ws = np.array(ws, dtype=float)
    return Trace(ws=ws, losses=np.array(losses, dtype=float) if (loss and numeric) else
                 (losses or None), states=states, diverged_at=diverged_at, message=message,
                 w=w, state=state)


def minimize(optimizer, grad: Callable, w0, steps: int, loss: Callable = None,
             keep_states: bool = False, limit: float = 1e12) -> Trace:
    """Apply `steps` updates from W_0 = w0, taking each gradient where the optimizer asks
    (``optimizer.eval_point``: W itself, or Nesterov's look-ahead point); :func:`run` by steps.

    Divergence never raises: a non-finite gradient or iterate, or one larger than `limit`,
    ends the run early with ``diverged_at`` set and a message; the path so far is kept.
    """
    return run(optimizer, grad, w0, steps, loss=loss, keep_states=keep_states, limit=limit)
