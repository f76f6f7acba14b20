r"""Gradient clipping by global norm, as a transform any optimizer can take (numpy only) [PR-3].

One rescaling of the whole gradient, every array of a network's list at once:

$$\lVert g_t \rVert = \sqrt{\textstyle\sum_{\text{arrays}} \sum_{\text{entries}} g^2}, \qquad
c_t = \min\Big(1, \frac{\tau}{\lVert g_t \rVert + 10^{-6}}\Big), \qquad g_t \leftarrow c_t\, g_t .$$

$\tau$ is ``max_norm``. The direction of the gradient is kept, only its length is capped at
about $\tau$; a gradient already shorter than $\tau$ is left as it is (its $c_t$ is 1). The
$10^{-6}$ is PyTorch's: :func:`clip_by_norm` gives what
``torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=2)`` leaves in ``p.grad``, and
the norm it returns (tests/test_torch_schedules.py compares them).

:class:`Clipped` wraps any optimizer of the course: ``Clipped(Adam(lr=1e-3), max_norm=1.0)``
clips each gradient, then hands it to Adam; the state is Adam's own, so nothing else changes
and :func:`course_lib.trace.run`, :func:`course_lib.trace.minimize` and
:func:`course_lib.train.train` drive it like the optimizer it wraps.

>>> import numpy as np
>>> g, norm = clip_by_norm([np.array([3.0]), np.array([4.0])], max_norm=1.0)
>>> norm, [round(float(a[0]), 6) for a in g]
(5.0, [0.6, 0.8])
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from ._checks import check_positive
from .optimizers.base import TorchEquivalent, Wrapper
from .tree import apply_updates

__all__ = ["global_norm", "clip_by_norm", "Clipped", "TORCH_EPS"]

#: what PyTorch adds to the norm before dividing (``clip_grad_norm_``'s 1e-6)
TORCH_EPS = 1e-6


def _as_arrays(grads):
    """The gradient as a list of real float arrays (one array, or a list or tuple of them)."""
    single = not isinstance(grads, (list, tuple))
    arrays = [grads] if single else list(grads)
    if not arrays:
        raise ValueError("grads must hold at least one array, got an empty list")
    out = []
    for i, g in enumerate(arrays):
        a = np.asarray(g)
        if a.dtype.kind not in "fiu" or a.dtype == np.bool_:
            label = "grads" if single else f"grads[{i}]"
            raise TypeError(f"{label} must be a real numeric array, got dtype {a.dtype}")
        out.append(a)
    return out, single


def _norm2(a):
    r"""$\sqrt{\sum a^2}$ without overflow: scaled by the largest entry first."""
    big = float(np.max(np.abs(a))) if a.size else 0.0
    if big == 0.0 or not math.isfinite(big):
        return big
    return big * math.sqrt(float(np.sum(np.square(a / big))))


def global_norm(grads) -> float:
    r"""$\lVert g \rVert$, the L2 norm of all the entries of all the arrays together
    (the norm of their per-array norms).

    >>> global_norm([np.array([3.0]), np.array([[0.0, 4.0]])])
    5.0
    """
    arrays, _ = _as_arrays(grads)
    return _norm2(np.array([_norm2(a) for a in arrays]))


def clip_by_norm(grads, max_norm):
    r"""Return ``(clipped, total_norm)``: the gradient times
    $c = \min(1, \tau / (\lVert g \rVert + 10^{-6}))$, and $\lVert g \rVert$ before clipping.

    ``grads``: one array or a list of arrays (a network's gradient); the result has the same
    form, as new float arrays. Pure: the inputs are not changed. ``max_norm`` $\tau > 0$.
    A gradient holding NaN or infinity is refused (PyTorch would spread the NaN into every
    array); the course's drivers stop such a run as diverged before they would clip it.

    >>> g, n = clip_by_norm(np.array([0.3, 0.4]), max_norm=1.0); g, n    # short: untouched
    (array([0.3, 0.4]), 0.5)
    """
    tau = check_positive("max_norm", max_norm,
                         why="max_norm is the length tau the gradient is capped at")
    arrays, single = _as_arrays(grads)
    for i, a in enumerate(arrays):
        if not np.all(np.isfinite(a)):
            label = "grads" if single else f"grads[{i}]"
            raise ValueError(f"{label} must be finite to be clipped, got NaN or infinite "
                             f"value(s): the run has diverged; lower lr")
    norm = global_norm(arrays)                                   # ||g||
    if not math.isfinite(norm):
        raise ValueError(f"the norm of grads must be finite, got {norm}: the entries are "
                         f"too large to measure; lower lr")
    coef = min(1.0, tau / (norm + TORCH_EPS))                    # c = min(1, tau / (||g|| + 1e-6))
    clipped = [a * coef for a in arrays]                         # c g, as new arrays
    return (clipped[0] if single else clipped), norm


class Clipped(Wrapper):
    r"""Any optimizer, fed the gradient clipped by :func:`clip_by_norm`:

    .. code-block:: text

        g_t  <- min(1, tau / (||g_t|| + 1e-6)) g_t       clip the whole gradient
        step, state = optimizer.update(g_t, state, W)     the wrapped optimizer's own rule

    ``optimizer``: any optimizer of :mod:`course_lib.optimizers` (or another ``Clipped``).
    ``max_norm``: $\tau > 0$. The state IS the wrapped optimizer's state (its ``t`` counts the
    updates); :meth:`init`, :meth:`eval_point`, ``lr``, :meth:`lr_at`, the names and colours
    are the wrapped optimizer's, so the drivers, tables and plots treat a clipped Adam as Adam.
    Weight decay, when the optimizer has it, is added after clipping, as in PyTorch (it is
    part of the rule; ``clip_grad_norm_`` only sees ``p.grad``).

    ``keep_norms=True`` appends each $\lVert g_t \rVert$ before clipping to the list
    ``norms`` (a log for plots, not state: it does not change any step).

    PyTorch: the optimizer of ``optimizer.torch_equivalent()``, with
    ``torch.nn.utils.clip_grad_norm_(params, max_norm)`` called between ``loss.backward()``
    and ``opt.step()``.

    >>> from course_lib.optimizers import SGD
    >>> opt = Clipped(SGD(lr=0.1), max_norm=1.0)
    >>> step, state = opt.update(np.array([30.0, 40.0]), opt.init(np.zeros(2)))
    >>> np.round(step, 6), state.t                    # |g| = 50 clipped to about 1
    (array([-0.06, -0.08]), 1)
    """

    def __init__(self, optimizer, max_norm, keep_norms=False):
        super().__init__(optimizer)
        self.max_norm = check_positive("max_norm", max_norm,
                                       why="max_norm is the length tau the gradient is "
                                           "capped at")
        self.keep_norms = bool(keep_norms)
        self.norms = []

    # -- what the drivers and tables read: the wrapped optimizer's (Wrapper), but the names
    @property
    def display_name(self):
        return f"{self.optimizer.display_name} (clipped at {self.max_norm:g})"

    @property
    def name(self):
        return self.display_name

    def hyperparameters(self) -> dict:
        return {**self.optimizer.hyperparameters(), "max_norm": self.max_norm}

    def __repr__(self):
        return f"Clipped({self.optimizer!r}, max_norm={self.max_norm!r})"

    # -- the update --------------------------------------------------------------------
    def _log(self, norm):
        if self.keep_norms:
            self.norms.append(norm)

    def update(self, grads, state, params=None):
        """Return (step, new_state): the wrapped optimizer's update on the clipped gradient.
        Pure but for the optional norm log, written only once the update succeeded, so a
        refused call changes nothing."""
        clipped, norm = clip_by_norm(grads, self.max_norm)
        out = self.optimizer.update(clipped, state, params)
        self._log(norm)
        return out

    def update_inplace(self, params, grads, state):
        """The wrapped optimizer's in-place update on the clipped gradient."""
        clipped, norm = clip_by_norm(grads, self.max_norm)
        out = self.optimizer.update_inplace(params, clipped, state)
        self._log(norm)
        return out

    def step(self, params, grads, state):
        """(W_t, new_state), as :meth:`course_lib.optimizers.base.Optimizer.step`."""
        step, state = self.update(grads, state, params)
        return apply_updates(params, step), state

    def torch_equivalent(self) -> TorchEquivalent:
        """The wrapped optimizer's equivalent, with the clipping call in its notes."""
        te = self.optimizer.torch_equivalent()
        clip = (f"call torch.nn.utils.clip_grad_norm_(params, max_norm={self.max_norm!r}) "
                f"after loss.backward(), before opt.step()")
        return dataclasses.replace(te, notes=f"{te.notes}; {clip}" if te.notes else clip)
