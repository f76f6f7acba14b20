r"""Plain gradient descent / SGD."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

# BLOCK is re-exported: tests/test_lesson_05.py imports it from here
from .base import BLOCK, Optimizer, TorchEquivalent, _blocks, _fast_path_applies, _scratch  # noqa: F401


class SGDState(NamedTuple):
    t: int   # updates done so far


class SGD(Optimizer):
    r"""Gradient descent: $W_t = W_{t-1} - \eta_t\, g_t$, with $g_t = \nabla_W J(W_{t-1})$.

    Batch, minibatch or single-sample (stochastic) depends only on which gradient you pass.

    ========  ===========================  =============
    symbol    meaning                      argument
    ========  ===========================  =============
    eta_t     step size (or schedule)      ``lr``
    ========  ===========================  =============

    PyTorch: ``torch.optim.SGD(params, lr=lr)`` gives identical iterates (a schedule maps onto
    setting ``param_groups[0]["lr"] = eta_t`` before step t).

    >>> import numpy as np
    >>> opt = SGD(lr=0.1); s = opt.init(np.zeros(2))
    >>> step, s = opt.update(np.array([1.0, -2.0]), s)
    >>> step, s.t
    (array([-0.1,  0.2]), 1)
    """
    State = SGDState
    name = "SGD"

    def rule(self, g, s, t, eta, w):
        return -eta * g, s                     # W_t = W_{t-1} - eta_t g_t

    def rule_inplace(self, w, g, s, t, eta):
        """Allocation-free version of :meth:`rule`: same arithmetic, bit for bit."""
        if not _fast_path_applies(w, g):
            return super().rule_inplace(w, g, s, t, eta)
        (tmp,) = _scratch(self, w.dtype)
        for wb, gb in _blocks(w, g):
            step = np.multiply(gb, eta, out=tmp[:gb.size])   # eta_t g_t
            np.subtract(wb, step, out=wb)                    # W_t = W_{t-1} - eta_t g_t

    def torch_equivalent(self):
        return TorchEquivalent("SGD", {"lr": self.torch_lr()}, exact_when="always (a schedule: set lr "
                               "to eta_t before each step)")
