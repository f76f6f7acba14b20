r"""One step size per weight: Adagrad, RMSprop, Adadelta and Rprop [AD-2 .. AD-5].

Each rule divides (or replaces) the gradient coordinate by coordinate, so a direction
whose derivative swings a lot gets a small step and a quiet direction a large one.
Running averages use the one primitive :func:`course_lib.averages.running_average`
(``gamma``/``rho`` weighs the OLD value). Square roots, maxima and signs go through
:mod:`course_lib.symmath` so that Adagrad, RMSprop and Adadelta also run on sympy
symbols; Rprop branches on signs and is numeric only. ``weight_decay`` (Adagrad, RMSprop,
Adadelta) is L2 in the loss: :func:`~course_lib.optimizers.base.l2_gradient` adds
$\lambda W_{t-1}$ to the gradient before anything else, where PyTorch adds it. Rprop has
no weight decay, in PyTorch either.

Where epsilon sits, since implementations differ (read from their source code; the seeds'
text dumps lose where a root sign ends, so they cannot settle it):

- Adagrad: $\eta g / (\sqrt{G_t} + \epsilon)$, OUTSIDE the root, here and in PyTorch (and in
  tf.keras up to TF 2.10); Keras 3 and optax put it inside.
- RMSprop: $\eta g / (\sqrt{G_t} + \epsilon)$, OUTSIDE, here and in PyTorch (and in Keras 2
  and tf.keras up to TF 2.10 when momentum = 0; inside with momentum > 0); Keras 3 and optax
  (by default) put it inside.
- Adadelta: $\sqrt{E[\Delta x^2] + \epsilon} / \sqrt{E[g^2] + \epsilon}$, INSIDE both roots, as
  in Zeiler's paper and PyTorch.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import check_positive, check_range
from ..averages import running_average
from ..symmath import is_numeric, sign, sqrt
from ..tree import tree_map, zeros_like
from . import _fast
from .base import Optimizer, check_switch, check_weight_decay, l2_gradient

__all__ = ["Adagrad", "AdagradState", "RMSprop", "RMSpropState", "Adadelta", "AdadeltaState",
           "Rprop", "RpropState"]

EPS_WHY = "eps guards the division; it must be >= 0"


def _decay(name, value):
    return check_range(name, value, 0, 1,
                       why=f"{name} weighs the old average; with {name} >= 1 it never forgets "
                           "and new gradients are ignored")


class _Adaptive(Optimizer):
    """What the four methods of this file say about themselves (one step size per weight)."""
    family = "adaptive"
    adaptive = True


# --------------------------------------------------------------------------- Adagrad
class AdagradState(NamedTuple):
    t: int     # updates done so far
    G: object  # G_t, the SUM of squared gradients so far (G_0 = initial value)


class Adagrad(_Adaptive):
    r"""Adagrad (Duchi, Hazan and Singer 2011) [AD-2]: divide by the root of the SUM of squares.

    $$g_t \leftarrow g_t + \lambda W_{t-1}\ (\text{if } \lambda > 0), \qquad
    G_t = G_{t-1} + g_t^2, \qquad W_t = W_{t-1} - \frac{\eta_t}{\sqrt{G_t} + \epsilon}\, g_t,
    \qquad \eta_t = \frac{\eta}{1 + (t - 1)\,\delta}$$

    (all operations coordinate by coordinate; $G_0$ = ``G0``, usually 0). With
    ``weight_decay`` = lambda > 0 the gradient of $\frac{\lambda}{2}\|W\|^2$ is added first
    (L2 in the loss, as PyTorch does), so it also enters $G_t$. $G_t$ never
    decreases, so the effective step $\eta_t / (\sqrt{G_t} + \epsilon)$ never grows: Adagrad
    slows down by itself, which suits sparse, rare features but can stall a long training.

    ==========  ========================================  ================  ===============================
    symbol      meaning                                   argument          PyTorch ``Adagrad``
    ==========  ========================================  ================  ===============================
    eta         step size (or schedule)                   ``lr``            ``lr``
    delta       step-size decay (eta_t as above)          ``lr_decay``      ``lr_decay``
    G_0         starting value of the sum                 ``G0``            ``initial_accumulator_value``
    epsilon     guard, OUTSIDE the square root            ``eps``           ``eps``
    lambda      L2 coefficient added to the gradient      ``weight_decay``  ``weight_decay``
    G           sum of squared gradients                  state ``G``       ``state_sum``
    ==========  ========================================  ================  ===============================

    PyTorch: ``torch.optim.Adagrad(params, lr=lr, lr_decay=lr_decay,
    initial_accumulator_value=G0, eps=eps, weight_decay=weight_decay, maximize=maximize)``
    gives identical iterates (see :meth:`torch_equivalent`).

    >>> import numpy as np
    >>> opt = Adagrad(lr=1.0, eps=0.0); s = opt.init(np.zeros(2))
    >>> step, s = opt.update(np.array([3.0, -4.0]), s); step     # -g / |g|: a unit step
    array([-1.,  1.])
    >>> step, s = opt.update(np.array([4.0, 3.0]), s); step      # G = (25, 25): -g / 5
    array([-0.8, -0.6])
    """
    State = AdagradState
    display_name = "Adagrad"
    _fast_kernel = _fast.adagrad_inplace

    def __init__(self, lr=0.01, eps=1e-10, G0=0.0, lr_decay=0.0, weight_decay=0.0, maximize=False):
        super().__init__(lr, maximize)
        self.eps = check_positive("eps", eps, allow_zero=True, why=EPS_WHY)
        self.G0 = check_positive("G0", G0, allow_zero=True,
                                 why="G0 starts the sum of squared gradients; it must be >= 0")
        self.lr_decay = check_positive("lr_decay", lr_decay, allow_zero=True,
                                       why="lr_decay shrinks eta_t = eta / (1 + (t-1) lr_decay); "
                                           "it must be >= 0")
        self.weight_decay = check_weight_decay(weight_decay)

    def init(self, params):
        return AdagradState(t=0, G=tree_map(
            lambda p: np.full(np.shape(p), float(self.G0)) if is_numeric(p) else (self.G0 or 0), params))

    def lr_at(self, t: int):
        """eta_t = eta / (1 + (t - 1) delta), with eta the constant or the schedule's value:
        the one place ``lr_decay`` (PyTorch's) enters, so the rule, its fast path and
        :meth:`effective_step` all receive eta_t already decayed."""
        eta = super().lr_at(t)
        if self.lr_decay:
            eta = eta / (1 + (t - 1) * self.lr_decay)  # eta_t (PyTorch's lr_decay)
        return eta

    def rule(self, g, s, t, eta, w):
        g = l2_gradient(g, w, self.weight_decay)       # g_t + lambda W_{t-1} (L2 in the loss)
        G = s.G + g * g                                # G_t = G_{t-1} + g_t^2
        step = -eta * g / (sqrt(G) + self.eps)         # eps outside the root
        return step, s._replace(G=G)

    def effective_step(self, state, t=None):
        r"""The per-coordinate step size $\eta_t / (\sqrt{G_t} + \epsilon)$ after ``state``."""
        t = state.t if t is None else t
        eta = self.lr_at(max(t, 1))                    # eta_t, lr_decay included
        return tree_map(lambda G: eta / (np.sqrt(G) + self.eps), state.G)

    def torch_equivalent(self):
        return self._torch_equivalent("Adagrad", lr_decay=self.lr_decay,
                                      initial_accumulator_value=self.G0, eps=self.eps,
                                      weight_decay=self.weight_decay,
                                      exact_when="always (a schedule: set lr to the schedule's "
                                                 "value before each step, without lr_decay, "
                                                 "which torch applies itself)",
                                      notes="G = state_sum; eps outside the square root")


# --------------------------------------------------------------------------- RMSprop
class RMSpropState(NamedTuple):
    t: int               # updates done so far
    G: object            # G_t, running average of g^2 (the notes' G; PyTorch's square_avg)
    gbar: object = None  # gbar_t, running average of g; centered=True only, else None
    b: object = None     # b_t, momentum buffer (an undamped sum); momentum > 0 only, else None


class RMSprop(_Adaptive):
    r"""RMSprop (Hinton's lecture 6e, 2012) [AD-3]: divide by a running RMS of the gradients.

    $$G_t = \gamma G_{t-1} + (1-\gamma)\, g_t^2, \qquad
    W_t = W_{t-1} - \frac{\eta_t}{\sqrt{G_t} + \epsilon}\, g_t$$

    $G$ is a running average (:func:`course_lib.averages.running_average`), so old
    gradients fade and, unlike Adagrad, the step size can grow again. Seed 000 (section
    B.1.3) calls this very rule "adadelta"; everyone else, PyTorch included, calls it
    RMSprop. Adadelta proper (Zeiler 2012) is :class:`Adadelta`. $G_0 = 0$ with no bias
    correction: the first steps are large, $\eta / \sqrt{1-\gamma}$ for $\epsilon = 0$.

    Three options, off by default, as PyTorch computes them:

    $$g_t \leftarrow g_t + \lambda W_{t-1},\qquad
    \bar g_t = \gamma \bar g_{t-1} + (1-\gamma)\, g_t,\qquad
    D_t = \sqrt{G_t - \bar g_t^2} + \epsilon,$$
    $$b_t = \mu\, b_{t-1} + \frac{g_t}{D_t},\qquad W_t = W_{t-1} - \eta_t\, b_t$$

    ``weight_decay`` = lambda > 0 adds the L2 gradient first, so it enters $G_t$ too;
    ``centered=True`` divides by $D_t$ above instead of $\sqrt{G_t} + \epsilon$;
    ``momentum`` = mu > 0 steps along $b_t$ instead of $g_t / D_t$. With all three off the
    rule is the one above.

    Centered (Graves 2013) divides by a running standard deviation instead of a running
    RMS: $G_t - \bar g_t^2$ is the running variance of g, so a steady gradient is not
    slowed down by its own mean. $\bar g$ uses the same running average and gamma as $G$.
    The momentum buffer is an undamped sum, like :class:`~course_lib.optimizers.Momentum`'s
    V, but of the already scaled steps $g_t / D_t$, with $\eta_t$ OUTSIDE the sum
    (PyTorch's form): under a schedule, $\eta_t$ multiplies the whole buffer.

    ==========  ========================================  ================  =====================
    symbol      meaning                                   argument          PyTorch ``RMSprop``
    ==========  ========================================  ================  =====================
    eta         step size (or schedule)                   ``lr``            ``lr``
    gamma       averaging weight of the OLD value         ``gamma``         ``alpha``
    epsilon     guard, OUTSIDE the square root            ``eps``           ``eps``
    lambda      L2 coefficient added to the gradient      ``weight_decay``  ``weight_decay``
    (switch)    divide by the running std, not RMS        ``centered``      ``centered``
    mu          momentum, weight of the old buffer        ``momentum``      ``momentum``
    G           running average of g^2                    state ``G``       ``square_avg``
    gbar        running average of g (centered only)      state ``gbar``    ``grad_avg``
    b           momentum buffer (momentum > 0 only)       state ``b``       ``momentum_buffer``
    ==========  ========================================  ================  =====================

    State fields ``gbar`` and ``b`` are None while their option is off (PyTorch does not
    allocate them either). PyTorch: ``torch.optim.RMSprop(params, lr=lr, alpha=gamma,
    eps=eps, weight_decay=weight_decay, momentum=momentum, centered=centered,
    maximize=maximize)`` gives identical iterates; PyTorch accepts any momentum >= 0, we ask
    for mu < 1. The blocked kernel of :meth:`update_inplace` covers ``weight_decay``; with
    ``centered`` or ``momentum`` on, it falls back to the generic path (the readable rule,
    one array at a time).

    >>> import numpy as np
    >>> opt = RMSprop(lr=0.1, gamma=0.75, eps=0.0); s = opt.init(np.zeros(1))
    >>> step, s = opt.update(np.array([-4.0]), s); step      # G = 4; -0.1 * -4 / 2
    array([0.2])
    >>> opt = RMSprop(lr=0.1, gamma=0.75, eps=0.0, centered=True); s = opt.init(np.zeros(1))
    >>> step, s = opt.update(np.array([-4.0]), s); s.gbar     # gbar = 0.25 * -4
    array([-1.])
    >>> step                                                  # -0.1 * -4 / sqrt(4 - 1)
    array([0.23094011])
    """
    State = RMSpropState
    display_name = "RMSprop"
    _fast_kernel = _fast.rmsprop_inplace

    def __init__(self, lr=0.01, gamma=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False, maximize=False):
        super().__init__(lr, maximize)
        self.gamma = _decay("gamma", gamma)
        self.eps = check_positive("eps", eps, allow_zero=True, why=EPS_WHY)
        self.weight_decay = check_weight_decay(weight_decay)
        self.momentum = check_range("momentum", momentum, 0, 1,
                                    why="momentum mu weighs the old buffer; with mu >= 1 old "
                                        "steps never fade and the iterates can blow up")
        self.centered = check_switch("centered", centered)

    def init(self, params):
        """G_0 = 0; gbar_0 = 0 and b_0 = 0 only when their option is on (else None)."""
        return RMSpropState(t=0, G=zeros_like(params),
                            gbar=zeros_like(params) if self.centered else None,
                            b=zeros_like(params) if self.momentum != 0 else None)

    def _check(self, grads, state, params):
        super()._check(grads, state, params)
        for field, on in (("gbar", self.centered), ("b", self.momentum != 0)):
            if on and isinstance(state, RMSpropState) and getattr(state, field) is None:
                raise ValueError(f"state.{field} is None but this RMSprop needs it: build the "
                                 f"state with this optimizer's init(params)")

    def rule(self, g, s, t, eta, w):
        g = l2_gradient(g, w, self.weight_decay)       # g_t + lambda W_{t-1} (L2 in the loss)
        G = running_average(s.G, g * g, self.gamma)    # G_t = gamma G_{t-1} + (1 - gamma) g_t^2
        gbar, b = s.gbar, s.b
        if self.centered:
            gbar = running_average(gbar, g, self.gamma)    # gbar_t = gamma gbar_{t-1} + (1 - gamma) g_t
            D = sqrt(G - gbar * gbar) + self.eps       # D_t = sqrt(G_t - gbar_t^2) + eps
        else:
            D = sqrt(G) + self.eps                     # D_t = sqrt(G_t) + eps (eps outside the root)
        if self.momentum != 0:
            b = self.momentum * b + g / D              # b_t = mu b_{t-1} + g_t / D_t
            step = -eta * b                            # W_t = W_{t-1} - eta_t b_t
        else:
            step = -eta * g / D                        # W_t = W_{t-1} - eta_t g_t / D_t
        return step, s._replace(G=G, gbar=gbar, b=b)

    def torch_equivalent(self):
        return self._torch_equivalent("RMSprop", alpha=self.gamma, eps=self.eps,
                                      weight_decay=self.weight_decay, momentum=self.momentum,
                                      centered=self.centered,
                                      notes="G = square_avg, gbar = grad_avg, b = momentum_buffer; "
                                            "gamma = alpha; eps outside the square root")


# --------------------------------------------------------------------------- Adadelta
class AdadeltaState(NamedTuple):
    t: int        # updates done so far
    Eg2: object   # E[g^2]_t: Zeiler's running average of squared gradients ("accumulate gradient")
    Edx2: object  # E[dx^2]_t: Zeiler's running average of squared updates ("accumulate updates")


class Adadelta(_Adaptive):
    r"""Adadelta as Zeiler (2012) defined it [AD-4]: no learning rate needed.

    With $\mathrm{RMS}[y]_t = \sqrt{E[y^2]_t + \epsilon}$:

    $$E[g^2]_t = \rho E[g^2]_{t-1} + (1-\rho) g_t^2,\qquad
    \Delta x_t = -\frac{\mathrm{RMS}[\Delta x]_{t-1}}{\mathrm{RMS}[g]_t}\, g_t,$$
    $$E[\Delta x^2]_t = \rho E[\Delta x^2]_{t-1} + (1-\rho) \Delta x_t^2,\qquad
    W_t = W_{t-1} + \eta\, \Delta x_t$$

    With ``weight_decay`` = lambda > 0, $g_t \leftarrow g_t + \lambda W_{t-1}$ first (L2 in
    the loss, as PyTorch does), so the decay enters $E[g^2]$ and $\Delta x_t$ alike.

    The ratio of two RMS values has the units of the weights (update / gradient times
    gradient), which is Zeiler's argument for dropping the step size: $\eta = 1$ (the
    default) is his method. Both running averages use :func:`running_average`; the state
    fields ``Eg2`` and ``Edx2`` are Zeiler's $E[g^2]$ and $E[\Delta x^2]$ (his Algorithm 1
    calls the steps "accumulate gradient" and "accumulate updates"). epsilon sits INSIDE
    both square roots; it also sets the very first step, $\sqrt\epsilon / \sqrt{(1-\rho)
    g_1^2 + \epsilon}\, g_1$, so it acts as the initial step size.

    ==========  ========================================  ================  =====================
    symbol      meaning                                   argument          PyTorch ``Adadelta``
    ==========  ========================================  ================  =====================
    rho         averaging weight of the OLD value         ``rho``           ``rho``
    epsilon     guard, INSIDE both square roots           ``eps``           ``eps``
    eta         extra factor on the update (Zeiler: 1)    ``lr``            ``lr`` (default 1.0)
    lambda      L2 coefficient added to the gradient      ``weight_decay``  ``weight_decay``
    E[g^2]      running average of g^2                    state ``Eg2``     ``square_avg``
    E[dx^2]     running average of squared updates        state ``Edx2``    ``acc_delta``
    ==========  ========================================  ================  =====================

    PyTorch: ``torch.optim.Adadelta(params, lr=lr, rho=rho, eps=eps,
    weight_decay=weight_decay, maximize=maximize)`` gives identical iterates. NOTE: as in
    PyTorch, ``lr`` multiplies the step but NOT the update that is averaged into
    $E[\Delta x^2]$. The class says ``takes_lr = False``: the method needs no step size, so
    tools that set one step size for all methods leave this factor at 1.

    >>> import numpy as np
    >>> opt = Adadelta(rho=0.5, eps=1e-2); s = opt.init(np.zeros(1))
    >>> step, s = opt.update(np.array([0.3]), s)        # -sqrt(0.01) / sqrt(0.045 + 0.01) * 0.3
    >>> round(float(step[0]), 6)
    -0.12792
    """
    State = AdadeltaState
    display_name = "Adadelta"
    takes_lr = False
    _fast_kernel = _fast.adadelta_inplace

    def __init__(self, rho=0.9, eps=1e-6, lr=1.0, weight_decay=0.0, maximize=False):
        self.rho = _decay("rho", rho)
        self.eps = check_positive("eps", eps,
                                  why="eps sits inside both roots and sets the first step; "
                                      "it must be > 0 or Adadelta never moves")
        super().__init__(lr, maximize)
        self.weight_decay = check_weight_decay(weight_decay)

    def rule(self, g, s, t, eta, w):
        g = l2_gradient(g, w, self.weight_decay)               # g_t + lambda W_{t-1} (L2 in the loss)
        Eg2 = running_average(s.Eg2, g * g, self.rho)          # E[g^2]_t
        dx = -sqrt(s.Edx2 + self.eps) / sqrt(Eg2 + self.eps) * g  # dx_t = -RMS[dx]_{t-1} / RMS[g]_t g_t
        Edx2 = running_average(s.Edx2, dx * dx, self.rho)      # E[dx^2]_t
        return eta * dx, s._replace(Eg2=Eg2, Edx2=Edx2)        # W_t = W_{t-1} + eta dx_t

    def torch_equivalent(self):
        return self._torch_equivalent("Adadelta", rho=self.rho, eps=self.eps,
                                      weight_decay=self.weight_decay,
                                      notes="Eg2 = square_avg, Edx2 = acc_delta; eps inside both roots")


# --------------------------------------------------------------------------- Rprop
class RpropState(NamedTuple):
    t: int          # updates done so far
    delta: object   # Delta_t, the per-weight step sizes (Delta_0 = lr)
    g_prev: object  # the previous gradient (0 after a sign change: "no step this time")


class Rprop(_Adaptive):
    r"""Rprop (Riedmiller and Braun 1993) [AD-5]: steps that use only the SIGN of the gradient.

    Each weight keeps its own step size $\Delta$. With $s = \operatorname{sign}(g_t\, g_{t-1})$:

    $$\Delta_t = \operatorname{clip}\big(\Delta_{t-1}\cdot
    \begin{cases}\eta^+ & s > 0\\ \eta^- & s < 0\\ 1 & s = 0\end{cases},
    \ \Delta_{\min}, \Delta_{\max}\big), \qquad
    W_t = W_{t-1} - \operatorname{sign}(\tilde g_t)\, \Delta_t$$

    where $\tilde g_t = 0$ when the sign flipped ($s < 0$: the step is skipped and the
    stored gradient set to 0, so the next step does not shrink again) and $g_t$ otherwise.
    This is the variant Igel and Huesken (2000) call iRprop- (no weight backtracking; the
    derivative is set to 0 after a flip), as in PyTorch; Riedmiller and Braun's original
    instead takes the previous step back after a flip. The size of the gradient never
    enters, so each coordinate adapts its step size on its own. Meant for full batches:
    with minibatches, noise flips the signs and the step sizes shrink to ``delta_min``
    before the iterate reaches the minimum (lesson 07 measures it).

    ============  ========================================  ===============  ======================
    symbol        meaning                                   argument         PyTorch ``Rprop``
    ============  ========================================  ===============  ======================
    Delta_0       initial step size                         ``lr``           ``lr``
    eta^-         shrink factor on a sign flip, in (0, 1)   ``eta_minus``    ``etas[0]``
    eta^+         growth factor on a kept sign, > 1         ``eta_plus``     ``etas[1]``
    Delta_min     smallest step size                        ``delta_min``    ``step_sizes[0]``
    Delta_max     largest step size                         ``delta_max``    ``step_sizes[1]``
    Delta         per-weight step sizes                     state ``delta``  ``step_size``
    ============  ========================================  ===============  ======================

    ``lr`` only sets $\Delta_0$ (for a schedule, $\eta_1$); later step sizes adapt by
    themselves. PyTorch: ``torch.optim.Rprop(params, lr=lr, etas=(eta_minus, eta_plus),
    step_sizes=(delta_min, delta_max), maximize=maximize)`` gives identical iterates (PyTorch
    has no ``weight_decay`` for Rprop, nor do we). The rule branches on signs, so it does not
    run on sympy symbols.

    >>> import numpy as np
    >>> opt = Rprop(lr=0.1); s = opt.init(np.zeros(2))
    >>> step, s = opt.update(np.array([3.0, -0.001]), s); step   # only signs matter
    array([-0.1,  0.1])
    >>> step, s = opt.update(np.array([2.0, 5.0]), s)   # kept: 0.1 * 1.2; flipped: skip
    >>> step.tolist() == [-0.12, 0.0], s.delta.tolist()
    (True, [0.12, 0.05])
    """
    State = RpropState
    display_name = "Rprop"
    _fast_kernel = _fast.rprop_inplace

    def __init__(self, lr=0.01, eta_minus=0.5, eta_plus=1.2, delta_min=1e-6, delta_max=50.0,
                 maximize=False):
        super().__init__(lr, maximize)
        self.eta_minus = check_range("eta_minus", eta_minus, 0, 1, low_open=True,
                                     why="eta_minus shrinks the step after a sign flip")
        self.eta_plus = check_range("eta_plus", eta_plus, 1, np.inf, low_open=True,
                                    why="eta_plus grows the step while the sign is kept")
        self.delta_min = check_positive("delta_min", delta_min, allow_zero=True,
                                        why="delta_min is the smallest step size")
        self.delta_max = check_positive("delta_max", delta_max, why="delta_max is the largest "
                                        "step size")
        if self.delta_max < self.delta_min:
            raise ValueError(f"delta_max must be >= delta_min = {delta_min!r}, got {delta_max!r}")

    def init(self, params):
        d0 = self.lr_at(1)           # Delta_0 = lr (eta_1 for a schedule)
        fill = lambda p: np.full(np.shape(p), float(d0)) if is_numeric(p) else d0
        return RpropState(t=0, delta=tree_map(fill, params),
                          g_prev=tree_map(lambda p: np.zeros(np.shape(p)) if is_numeric(p) else 0,
                                          params))

    def rule(self, g, s, t, eta, w):
        flip = sign(g * s.g_prev)                                  # +1 kept, -1 flipped, 0 unknown
        factor = np.where(flip > 0, self.eta_plus, np.where(flip < 0, self.eta_minus, 1.0))
        delta = np.clip(s.delta * factor, self.delta_min, self.delta_max)   # Delta_t
        g_used = np.where(flip < 0, 0.0, g)                        # skip the step after a flip
        step = -sign(g_used) * delta                               # W_t = W_{t-1} - sign(g) Delta_t
        return step, s._replace(delta=delta, g_prev=g_used)

    def torch_equivalent(self):
        return self._torch_equivalent("Rprop", etas=(self.eta_minus, self.eta_plus),
                                      step_sizes=(self.delta_min, self.delta_max),
                                      exact_when="always (lr only sets the initial step sizes)",
                                      notes="delta = step_size, g_prev = prev")
