r"""Momentum in the two forms of the notes [MO-1, MO-2]."""
from __future__ import annotations

from typing import NamedTuple

from .._checks import check_range
from ..averages import running_average
from . import _fast
from .base import Optimizer, check_weight_decay, l2_gradient

GAMMA_WHY = "gamma is the momentum; with gamma >= 1 old steps never fade and the iterates can blow up"


class _MomentumFamily(Optimizer):
    """What both momentum forms (and both Nesterov forms) share: the constructor, and where
    the L2 term of ``weight_decay`` is taken. Not an optimizer by itself."""
    family = "momentum"
    _quiet_when_off = ("maximize", "weight_decay")

    def __init__(self, lr, gamma=0.9, weight_decay=0.0, maximize=False):
        super().__init__(lr, maximize)
        self.gamma = check_range("gamma", gamma, 0, 1, why=GAMMA_WHY)
        self.weight_decay = check_weight_decay(weight_decay)

    def _l2(self, g, s, w):
        r"""$g_t + \lambda P$: the gradient of $J + \frac{\lambda}{2}\|W\|^2$ at the point P
        where $g_t$ was taken (:meth:`eval_point`: the look-ahead point for Nesterov)."""
        point = self.eval_point(w, s) if self.weight_decay != 0 else w
        return l2_gradient(g, point, self.weight_decay)


class MomentumState(NamedTuple):
    t: int    # updates done so far
    V: object  # V_t, the velocity (the last step, with its sign flipped)


class Momentum(_MomentumFamily):
    r"""Heavy-ball momentum, the notes' velocity form [MO-1].

    $$V_0 = 0,\qquad V_t = \gamma V_{t-1} + \eta_t\, \nabla_W J(W_{t-1}),\qquad W_t = W_{t-1} - V_t$$

    $V$ is an undamped sum (not a running average): a constant gradient g builds up to
    $\eta g / (1-\gamma)$. With ``weight_decay`` = lambda > 0 the gradient becomes
    $g_t + \lambda W_{t-1}$ first (L2 in the loss, as PyTorch does).

    ========  =========================================  ================  =========================
    symbol    meaning                                    argument          PyTorch ``SGD``
    ========  =========================================  ================  =========================
    eta       step size (or schedule)                    ``lr``            ``lr``
    gamma     momentum, weight of the previous step      ``gamma``         ``momentum``
    lambda    L2 coefficient added to the gradient       ``weight_decay``  ``weight_decay``
    V         velocity                                   state ``V``       ``lr * momentum_buffer``
    ========  =========================================  ================  =========================

    PyTorch: ``torch.optim.SGD(params, lr=lr, momentum=gamma, weight_decay=weight_decay,
    maximize=maximize)`` gives identical iterates while lr is constant. NOTE: PyTorch keeps
    ``buf = gamma buf + g`` and steps ``-lr_t buf``, with the step size OUTSIDE the sum; ours
    puts eta_t inside, so under a schedule the two part ways.
    PyTorch's buffer starts as g_1, which equals ours since V_0 = 0.

    >>> import numpy as np
    >>> opt = Momentum(lr=0.1, gamma=0.9); s = opt.init(np.zeros(1))
    >>> step, s = opt.update(np.array([1.0]), s); step
    array([-0.1])
    >>> step, s = opt.update(np.array([1.0]), s); step      # 0.9 * 0.1 + 0.1
    array([-0.19])
    """
    State = MomentumState
    display_name = "Momentum"
    _fast_kernel = _fast.momentum_inplace

    def rule(self, g, s, t, eta, w):
        g = self._l2(g, s, w)                    # g_t + lambda W (L2 in the loss), if lambda > 0
        V = self.gamma * s.V + eta * g           # V_t = gamma V_{t-1} + eta_t g_t
        return -V, s._replace(V=V)               # W_t = W_{t-1} - V_t

    def torch_equivalent(self):
        return self._torch_equivalent("SGD", momentum=self.gamma, weight_decay=self.weight_decay,
                                      exact_when="constant lr",
                                      notes="V = lr * momentum_buffer; keep torch's default "
                                            "dampening=0 (dampening=gamma is another rule)")


class AveragedMomentumState(NamedTuple):
    t: int    # updates done so far
    M: object  # M_t, running average of the gradients


class AveragedMomentum(_MomentumFamily):
    r"""Momentum as a step on the moving average of the gradients [MO-2].

    $$M_0 = 0,\qquad M_t = \gamma M_{t-1} + (1-\gamma)\,\nabla_W J(W_{t-1}),\qquad
    W_t = W_{t-1} - \eta'_t M_t$$

    $M$ is a running average (:func:`course_lib.averages.running_average`). With a constant
    step, ``AveragedMomentum(lr=eta', gamma)`` and ``Momentum(lr=eta' (1 - gamma), gamma)``
    give identical iterates (lesson 05 proves it); under a schedule they do not, because
    Momentum's V remembers old step sizes while M does not. ``weight_decay`` = lambda > 0
    averages $g_t + \lambda W_{t-1}$ instead of $g_t$ (L2 in the loss).

    ========  =========================================  ================
    symbol    meaning                                    argument
    ========  =========================================  ================
    eta'      step size on the averaged gradient         ``lr``
    gamma     averaging weight of the old value          ``gamma``
    lambda    L2 coefficient added to the gradient       ``weight_decay``
    M         running average of gradients               state ``M``
    ========  =========================================  ================

    PyTorch: ``torch.optim.SGD(params, lr=lr * (1 - gamma), momentum=gamma,
    weight_decay=weight_decay, maximize=maximize)`` gives identical iterates, under a
    schedule too if torch's lr is set to eta'_t (1 - gamma) before step t.
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
    display_name = "Momentum (averaged)"
    partner = "Momentum"        # the same path at eta = eta' (1 - gamma)
    _fast_kernel = _fast.averaged_momentum_inplace

    def rule(self, g, s, t, eta, w):
        g = self._l2(g, s, w)                    # g_t + lambda W_{t-1} (L2 in the loss), if lambda > 0
        M = running_average(s.M, g, self.gamma)  # M_t = gamma M_{t-1} + (1 - gamma) g_t
        return -eta * M, s._replace(M=M)         # W_t = W_{t-1} - eta'_t M_t

    def torch_lr(self):
        """The lr to give torch: eta' (1 - gamma), or eta'_1 (1 - gamma) for a schedule (then
        set ``param_groups[0]["lr"] = eta'_t (1 - gamma)`` before step t)."""
        return super().torch_lr() * (1 - self.gamma)

    def torch_equivalent(self):
        return self._torch_equivalent(
            "SGD", momentum=self.gamma, weight_decay=self.weight_decay,
            exact_when="always (a schedule: set lr to eta'_t (1 - gamma) before each step)",
            notes="lr_torch = lr (1 - gamma); M = momentum_buffer (1 - gamma). dampening=gamma is "
                  "NOT equivalent: torch's buffer starts at g_1 undamped")
