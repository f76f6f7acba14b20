r"""Momentum in the two forms of the notes [MO-1, MO-2]."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import check_range
from ..averages import running_average
from .base import Optimizer, TorchEquivalent, _blocks, _fast_path_applies, _scratch

GAMMA_WHY = "gamma is the momentum; with gamma >= 1 old steps never fade and the iterates can blow up"


class MomentumState(NamedTuple):
    t: int    # updates done so far
    V: object  # V_t, the velocity (the last step, with its sign flipped)


class Momentum(Optimizer):
    r"""Heavy-ball momentum, the notes' velocity form [MO-1].

    $$V_0 = 0,\qquad V_t = \gamma V_{t-1} + \eta_t\, \nabla_W J(W_{t-1}),\qquad W_t = W_{t-1} - V_t$$

    $V$ is an undamped sum (not a running average): a constant gradient g builds up to
    $\eta g / (1-\gamma)$.

    ========  =========================================  ===========  ==================
    symbol    meaning                                    argument     PyTorch SGD
    ========  =========================================  ===========  ==================
    eta       step size (or schedule)                    ``lr``       ``lr``
    gamma     momentum, weight of the previous step      ``gamma``    ``momentum``
    V         velocity                                   state ``V``  ``lr * momentum_buffer``
    ========  =========================================  ===========  ==================

    PyTorch: ``torch.optim.SGD(params, lr=lr, momentum=gamma)`` gives identical iterates while
    lr is constant. NOTE: PyTorch keeps ``buf = gamma buf + g`` and steps ``-lr_t buf``, with
    the step size OUTSIDE the sum; ours puts eta_t inside, so under a schedule the two part ways.
    PyTorch's buffer starts as g_1, which equals ours since V_0 = 0.

    >>> import numpy as np
    >>> opt = Momentum(lr=0.1, gamma=0.9); s = opt.init(np.zeros(1))
    >>> step, s = opt.update(np.array([1.0]), s); step
    array([-0.1])
    >>> step, s = opt.update(np.array([1.0]), s); step      # 0.9 * 0.1 + 0.1
    array([-0.19])
    """
    State = MomentumState
    name = "Momentum"

    def __init__(self, lr, gamma=0.9):
        super().__init__(lr)
        self.gamma = check_range("gamma", gamma, 0, 1, why=GAMMA_WHY)

    def rule(self, g, s, t, eta, w):
        V = self.gamma * s.V + eta * g           # V_t = gamma V_{t-1} + eta_t g_t
        return -V, s._replace(V=V)               # W_t = W_{t-1} - V_t

    def rule_inplace(self, w, g, s, t, eta):
        """Allocation-free version of :meth:`rule`: same arithmetic, bit for bit."""
        if not _fast_path_applies(w, g, s.V):
            return super().rule_inplace(w, g, s, t, eta)
        (tmp,) = _scratch(self, w.dtype)
        for wb, gb, Vb in _blocks(w, g, s.V):
            np.multiply(Vb, self.gamma, out=Vb)              # gamma V_{t-1}
            Vb += np.multiply(gb, eta, out=tmp[:gb.size])    # V_t = gamma V_{t-1} + eta_t g_t
            np.subtract(wb, Vb, out=wb)                      # W_t = W_{t-1} - V_t

    def torch_equivalent(self):
        return TorchEquivalent("SGD", {"lr": self.torch_lr(), "momentum": self.gamma},
                               exact_when="constant lr",
                               notes="V = lr * momentum_buffer")


class AveragedMomentumState(NamedTuple):
    t: int    # updates done so far
    M: object  # M_t, running average of the gradients


class AveragedMomentum(Optimizer):
    r"""Momentum as a step on the moving average of the gradients [MO-2].

    $$M_0 = 0,\qquad M_t = \gamma M_{t-1} + (1-\gamma)\,\nabla_W J(W_{t-1}),\qquad
    W_t = W_{t-1} - \eta'_t M_t$$

    $M$ is a running average (:func:`course_lib.averages.running_average`). With a constant
    step, ``AveragedMomentum(lr=eta', gamma)`` and ``Momentum(lr=eta' (1 - gamma), gamma)``
    give identical iterates (lesson 05 proves it); under a schedule they do not, because
    Momentum's V remembers old step sizes while M does not.

    ========  =========================================  ===========
    symbol    meaning                                    argument
    ========  =========================================  ===========
    eta'      step size on the averaged gradient         ``lr``
    gamma     averaging weight of the old value          ``gamma``
    M         running average of gradients               state ``M``
    ========  =========================================  ===========

    PyTorch: ``torch.optim.SGD(params, lr=lr * (1 - gamma), momentum=gamma)`` gives identical
    iterates, under a schedule too if torch's lr is set to eta'_t (1 - gamma) before step t.
    PyTorch keeps the undamped sum ``buf_t = gamma buf_{t-1} + g_t`` with ``buf_1 = g_1``, so
    M_t = (1 - gamma) buf_t at every t, and its step -lr_t buf_t is our -eta'_t M_t.
    (Heavy-ball :class:`Momentum` has no such mapping: its V keeps the old step sizes inside.)
    NOTE: this is NOT ``SGD(lr=lr, momentum=gamma, dampening=gamma)``: PyTorch's buffer starts
    as the first gradient, undamped (``buf_1 = g_1``), whereas ``M_1 = (1 - gamma) g_1``.

    >>> import numpy as np
    >>> opt = AveragedMomentum(lr=1.0, gamma=0.9); s = opt.init(np.zeros(1))
    >>> step, s = opt.update(np.array([1.0]), s); step
    array([-0.1])
    """
    State = AveragedMomentumState
    name = "Momentum (averaged)"

    def __init__(self, lr, gamma=0.9):
        super().__init__(lr)
        self.gamma = check_range("gamma", gamma, 0, 1, why=GAMMA_WHY)

    def rule(self, g, s, t, eta, w):
        M = running_average(s.M, g, self.gamma)  # M_t = gamma M_{t-1} + (1 - gamma) g_t
        return -eta * M, s._replace(M=M)         # W_t = W_{t-1} - eta'_t M_t

    def rule_inplace(self, w, g, s, t, eta):
        """Allocation-free version of :meth:`rule`: same arithmetic, bit for bit."""
        if not _fast_path_applies(w, g, s.M):
            return super().rule_inplace(w, g, s, t, eta)
        (tmp,) = _scratch(self, w.dtype)
        for wb, gb, Mb in _blocks(w, g, s.M):
            tb = tmp[:gb.size]
            np.multiply(Mb, self.gamma, out=Mb)              # gamma M_{t-1}
            Mb += np.multiply(gb, 1 - self.gamma, out=tb)    # M_t = gamma M_{t-1} + (1 - gamma) g_t
            np.subtract(wb, np.multiply(Mb, eta, out=tb), out=wb)   # W_t = W_{t-1} - eta'_t M_t

    def torch_lr(self):
        """The lr to give torch: eta' (1 - gamma), or eta'_1 (1 - gamma) for a schedule (then
        set ``param_groups[0]["lr"] = eta'_t (1 - gamma)`` before step t)."""
        return super().torch_lr() * (1 - self.gamma)

    def torch_equivalent(self):
        return TorchEquivalent("SGD", {"lr": self.torch_lr(), "momentum": self.gamma},
                               exact_when="always (a schedule: set lr to eta'_t (1 - gamma) "
                                          "before each step)",
                               notes="lr_torch = lr (1 - gamma); M = momentum_buffer (1 - gamma). "
                                     "dampening=gamma is NOT equivalent: torch's buffer starts "
                                     "at g_1 undamped")
