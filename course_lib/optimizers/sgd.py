r"""Plain gradient descent / SGD."""
from __future__ import annotations

from typing import NamedTuple

from . import _fast
from .base import Optimizer, check_weight_decay, l2_gradient


class SGDState(NamedTuple):
    t: int   # updates done so far


class SGD(Optimizer):
    r"""Gradient descent: $W_t = W_{t-1} - \eta_t\, g_t$, with $g_t = \nabla_W J(W_{t-1})$.

    Batch, minibatch or single-sample (stochastic) depends only on which gradient you pass.
    With ``weight_decay`` = lambda > 0, $g_t \leftarrow g_t + \lambda W_{t-1}$ first (L2 in
    the loss, as PyTorch does); ``maximize=True`` climbs along $-g_t$ instead.

    ========  =======================================  ================  =================
    symbol    meaning                                  argument          PyTorch ``SGD``
    ========  =======================================  ================  =================
    eta_t     step size (or schedule)                  ``lr``            ``lr``
    lambda    L2 coefficient added to the gradient     ``weight_decay``  ``weight_decay``
    ========  =======================================  ================  =================

    PyTorch: ``torch.optim.SGD(params, lr=lr, weight_decay=weight_decay, maximize=maximize)``
    gives identical iterates (a schedule maps onto setting ``param_groups[0]["lr"] = eta_t``
    before step t).

    >>> import numpy as np
    >>> opt = SGD(lr=0.1); s = opt.init(np.zeros(2))
    >>> step, s = opt.update(np.array([1.0, -2.0]), s)
    >>> step, s.t
    (array([-0.1,  0.2]), 1)
    """
    State = SGDState
    display_name = "SGD"
    family = "sgd"
    _fast_kernel = _fast.sgd_inplace
    _quiet_when_off = ("maximize", "weight_decay")

    def __init__(self, lr, weight_decay=0.0, maximize=False):
        super().__init__(lr, maximize)
        self.weight_decay = check_weight_decay(weight_decay)

    def rule(self, g, s, t, eta, w):
        g = l2_gradient(g, w, self.weight_decay)   # g_t + lambda W_{t-1} (L2 in the loss)
        return -eta * g, s                         # W_t = W_{t-1} - eta_t g_t

    def torch_equivalent(self):
        return self._torch_equivalent("SGD", weight_decay=self.weight_decay)
