r"""Nesterov's accelerated gradient in two forms [NE-1, NE-2].

Both are heavy-ball :class:`~course_lib.optimizers.momentum.Momentum` with one change: the
look-ahead form keeps its rule and moves the point where the gradient is taken
(:meth:`Nesterov.eval_point`); the framework form keeps the point and changes the step.
"""
from __future__ import annotations

from typing import NamedTuple

from ..tree import tree_map
from . import _fast
from .momentum import Momentum


class NesterovState(NamedTuple):
    t: int    # updates done so far
    V: object  # V_t, the velocity (minus the last step)


class Nesterov(Momentum):
    r"""Nesterov's method in the look-ahead form of the slides [NE-1].

    First extend by the previous step, then take the gradient there, then add the two:

    $$V_t = \gamma V_{t-1} + \eta_t\,\nabla_W J(W_{t-1} - \gamma V_{t-1}),\qquad W_t = W_{t-1} - V_t$$

    This is :class:`~course_lib.optimizers.momentum.Momentum`'s rule, inherited unchanged
    (constructor, :meth:`rule` and its fast path); the one method Nesterov adds is
    :meth:`eval_point`, the look-ahead point $W_{t-1} - \gamma V_{t-1}$ where the gradient is
    taken, which :func:`course_lib.trace.minimize` asks for. (The slides write
    $\Delta W = -V$ and $\beta = \gamma$.) ``weight_decay`` = lambda > 0 adds the L2 term's
    gradient at that same point, $\lambda (W_{t-1} - \gamma V_{t-1})$: the gradient of
    $J + \frac{\lambda}{2}\|W\|^2$ is taken where the look-ahead says, all of it.

    ========  =========================================  ================  =========================
    symbol    meaning                                    argument          PyTorch ``SGD``
    ========  =========================================  ================  =========================
    eta       step size (or schedule)                    ``lr``            ``lr``
    gamma     momentum                                   ``gamma``         ``momentum``
    lambda    L2 coefficient added to the gradient       ``weight_decay``  ``weight_decay``
    V         velocity                                   state ``V``       ``lr * momentum_buffer``
    ========  =========================================  ================  =========================

    PyTorch: ``torch.optim.SGD(params, lr=lr, momentum=gamma, nesterov=True,
    weight_decay=weight_decay, maximize=maximize)`` tracks a different point: its parameter
    is the look-ahead point $U_t = W_t - \gamma V_t$ (and ``momentum_buffer = V_t / lr``),
    which is also where it takes the decay. Start torch at $U_0 = W_0$ (V_0 = 0) and compare
    its iterates with $W_t - \gamma V_t$; exact while lr is constant. See
    :class:`NesterovFramework` for the same rule written on U directly.

    >>> import numpy as np
    >>> opt = Nesterov(lr=0.1, gamma=0.5); s = opt.init(np.zeros(1))
    >>> s = s._replace(V=np.array([2.0]))
    >>> opt.eval_point(np.array([3.0]), s)          # 3 - 0.5 * 2
    array([2.])
    """
    State = NesterovState
    display_name = "Nesterov"
    family = "nesterov"

    def eval_point(self, params, state):
        """The look-ahead point: the gradient of update t is taken at W_{t-1} - gamma V_{t-1}."""
        return tree_map(lambda w, V: w - self.gamma * V, params, state.V)   # W - gamma V

    def torch_equivalent(self):
        return self._torch_equivalent(
            "SGD", momentum=self.gamma, nesterov=True, weight_decay=self.weight_decay,
            exact_when="constant lr",
            change_of_variables="torch's parameter U_t = W_t - gamma V_t; momentum_buffer = V_t / lr; "
                                "U_0 = W_0")


class NesterovFramework(Momentum):
    r"""Nesterov's method as frameworks write it: gradient at the tracked point [NE-2].

    With $U_t = W_t - \gamma V_t$ (the look-ahead point of :class:`Nesterov`):

    $$V_t = \gamma V_{t-1} + \eta_t\, \nabla J(U_{t-1}),\qquad
    U_t = U_{t-1} - \eta_t \nabla J(U_{t-1}) - \gamma V_t$$

    The velocity is :class:`~course_lib.optimizers.momentum.Momentum`'s (and so is the
    constructor); the step differs, so :meth:`rule` is its own. With ``weight_decay`` =
    lambda > 0, $\nabla J(U_{t-1})$ becomes $\nabla J(U_{t-1}) + \lambda U_{t-1}$ in both.

    ========  =====================================  ================  ===========================
    symbol    meaning                                argument          PyTorch ``SGD``
    ========  =====================================  ================  ===========================
    eta       step size                              ``lr``            ``lr``
    gamma     momentum                               ``gamma``         ``momentum``
    lambda    L2 coefficient added to the gradient   ``weight_decay``  ``weight_decay``
    V         velocity                               state ``V``       ``lr * momentum_buffer``
    ========  =====================================  ================  ===========================

    PyTorch: ``torch.optim.SGD(params, lr=lr, momentum=gamma, nesterov=True,
    weight_decay=weight_decay, maximize=maximize)`` gives identical iterates while lr is
    constant (PyTorch steps ``-lr (g + gamma buf)``; ours keeps eta
    inside V, so under a schedule the two part ways).

    >>> import numpy as np
    >>> opt = NesterovFramework(lr=0.1, gamma=0.5); s = opt.init(np.zeros(1))
    >>> step, s = opt.update(np.array([1.0]), s); step     # -(0.1 + 0.5 * 0.1)
    array([-0.15])
    """
    State = NesterovState
    display_name = "Nesterov (framework form)"
    partner = "Nesterov"        # the same path, reported at the look-ahead point
    family = "nesterov"
    _fast_kernel = _fast.nesterov_framework_inplace

    def rule(self, g, s, t, eta, w):
        g = self._l2(g, s, w)                    # g_t + lambda U_{t-1} (L2 in the loss), if lambda > 0
        V = self.gamma * s.V + eta * g           # V_t = gamma V_{t-1} + eta_t g_t
        return -(eta * g + self.gamma * V), s._replace(V=V)   # U_t = U_{t-1} - eta_t g_t - gamma V_t

    def torch_equivalent(self):
        return self._torch_equivalent("SGD", momentum=self.gamma, nesterov=True,
                                      weight_decay=self.weight_decay, exact_when="constant lr",
                                      notes="V = lr * momentum_buffer")
