r"""Run any optimizer on a gradient function and keep every iterate (numpy only).

>>> import numpy as np
>>> from course_lib.optimizers import SGD
>>> tr = minimize(SGD(lr=0.5), grad=lambda w: 2 * w, w0=np.array([1.0]), steps=3)
>>> tr.ws[:, 0]
array([1., 0., 0., 0.])
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from ._checks import check_positive, is_numeric
from .tree import apply_updates, leaves

__all__ = ["Trace", "minimize"]


@dataclass
class Trace:
    """The run of one optimizer: iterates W_0..W_k, losses, steps, and divergence if any."""
    ws: object                    # array (k+1, ...) of iterates W_0..W_k (a list for sympy)
    losses: Optional[np.ndarray]  # J(W_0)..J(W_k) when a loss was given
    states: list = field(default_factory=list)
    diverged_at: Optional[int] = None   # first update whose result was not finite
    message: str = ""

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None


def _finite(tree) -> bool:
    return all(np.all(np.isfinite(np.asarray(x, dtype=float))) for x in leaves(tree)) \
        if is_numeric(leaves(tree)) else True


def minimize(optimizer, grad: Callable, w0, steps: int, loss: Callable = None,
             keep_states: bool = False, limit: float = 1e12) -> Trace:
    """Apply `steps` updates from W_0 = w0, taking each gradient where the optimizer asks
    (``optimizer.eval_point``: W itself, or Nesterov's look-ahead point).

    Divergence never raises: a non-finite gradient or iterate, or one larger than `limit`,
    ends the run early with ``diverged_at`` set and a message; the path so far is kept.
    """
    steps = int(check_positive("steps", steps, allow_zero=True))
    state = optimizer.init(w0)
    w = w0
    ws, losses, states = [w0], [], [state] if keep_states else []
    diverged_at, message = None, ""
    numeric = is_numeric(leaves(w0))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if loss is not None:
            losses.append(loss(w))
        for k in range(1, steps + 1):
            g = grad(optimizer.eval_point(w, state))
            if numeric and not _finite(g):
                diverged_at, message = k, f"diverged at update {k}: the gradient is not finite"
                break
            step, state = optimizer.update(g, state, w)
            w_new = apply_updates(w, step)
            if numeric and (not _finite(w_new) or
                            max(np.max(np.abs(x)) for x in leaves(w_new)) > limit):
                diverged_at = k
                message = f"diverged at update {k}: |W| exceeded {limit:g} or overflowed"
                break
            w = w_new
            ws.append(w)
            if loss is not None:
                losses.append(loss(w))
            if keep_states:
                states.append(state)
    if numeric and not isinstance(w0, (list, tuple)):
        ws = np.array(ws, dtype=float)
    return Trace(ws=ws, losses=np.array(losses, dtype=float) if (loss and numeric) else
                 (losses or None), states=states, diverged_at=diverged_at, message=message)
