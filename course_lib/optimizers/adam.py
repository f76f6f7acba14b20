r"""Adam and its relatives: AdaMax, AMSGrad, AdamW [AM-1 .. AM-6].

Adam = a running average of the gradients (momentum, :mod:`.momentum`'s averaged form)
divided by the root of a running average of their squares (RMSprop, :mod:`.adaptive`),
both corrected for starting at zero. Every running average is
:func:`course_lib.averages.running_average` and every bias correction is
:func:`course_lib.averages.debias`, the code lessons 04 and 08 prove things about.

``t`` counts updates: it is 1 on the first step, and the bias corrections use that t
($1 - \beta_1^1 = 1 - \beta_1$ on the first step), as in Kingma and Ba (2015) and PyTorch.
``weight_decay`` in Adam, AMSGrad and AdaMax is L2 in the loss: the gradient becomes
$g_t + \lambda W_{t-1}$ (:func:`~course_lib.optimizers.base.l2_gradient`) before anything
else, as in PyTorch; AdamW decays the weights directly instead.
"""
from __future__ import annotations

import types
from typing import NamedTuple

from .._checks import check_positive, check_range
from ..averages import debias, running_average
from ..symmath import abs_, maximum, sqrt
from . import _fast
from .base import Optimizer, check_weight_decay, l2_gradient

__all__ = ["Adam", "AdamState", "AdaMax", "AdaMaxState", "AMSGrad", "AMSGradState", "AdamW"]

EPS_WHY = "eps guards the division; it must be >= 0"


def _beta(name, value):
    return check_range(name, value, 0, 1,
                       why=f"{name} weighs the old average; with {name} = 1 the average never "
                           "forgets and the bias correction 1 - {0}^t divides by zero"
                           .replace("{0}", name))


class _AdamFamily(Optimizer):
    """The constructor Adam, AMSGrad and AdaMax share (and AdamW, with its own default
    weight_decay): the same hyperparameters, checked the same way. Not an optimizer
    by itself: each subclass writes its :meth:`rule`."""
    family = "adam"
    adaptive = True

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0,
                 maximize=False):
        super().__init__(lr, maximize)
        self.beta1 = _beta("beta1", beta1)
        self.beta2 = _beta("beta2", beta2)
        self.eps = check_positive("eps", eps, allow_zero=True, why=EPS_WHY)
        self.weight_decay = check_weight_decay(weight_decay)

    def _torch_equivalent(self, cls, **kwargs):
        """betas, eps and weight_decay map the same way for the whole family."""
        return super()._torch_equivalent(cls, betas=(self.beta1, self.beta2), eps=self.eps,
                                         weight_decay=self.weight_decay, **kwargs)


def _with_defaults(**defaults):
    """The family's constructor itself (same code, same checks) with other default values,
    so that the signature and help() show them: AdaMax's lr, AdamW's weight_decay."""
    init = _AdamFamily.__init__
    names = init.__code__.co_varnames[1:init.__code__.co_argcount]   # after self
    values = tuple(defaults.pop(n, d) for n, d in zip(names, init.__defaults__))
    if defaults:
        raise TypeError(f"defaults must name arguments of the constructor, got {sorted(defaults)}")
    return types.FunctionType(init.__code__, init.__globals__, "__init__", values,
                              init.__closure__)


class AdamState(NamedTuple):
    t: int     # updates done so far; t = 1 on the first step
    m: object  # m_t, running average of g
    v: object  # v_t, running average of g**2


class Adam(_AdamFamily):
    r"""Adam (Kingma and Ba 2015) [AM-1, AM-2]: momentum on top of RMSprop, bias-corrected.

    $$m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,
    \qquad m_0 = v_0 = 0$$
    $$\hat m_t = \frac{m_t}{1-\beta_1^t},\qquad \hat v_t = \frac{v_t}{1-\beta_2^t},\qquad
    W_t = W_{t-1} - \frac{\eta_t}{\sqrt{\hat v_t} + \epsilon}\, \hat m_t$$

    t is 1 on the first step. The weights of $m_t$ on $g_1..g_t$ sum to $1-\beta_1^t$, which
    is why dividing by it removes the pull towards $m_0 = 0$ (lesson 08 proves it on this
    code). epsilon sits OUTSIDE the square root, after the bias correction, as in the
    paper's Algorithm 1, PyTorch and optax; TensorFlow and Keras add it to the uncorrected
    root instead, which amounts to epsilon / sqrt(1 - beta2^t) here. With
    ``weight_decay`` = lambda > 0 the gradient becomes $g_t + \lambda W_{t-1}$ (L2
    regularization in the loss, "coupled"); for the decoupled form see :class:`AdamW`.

    ==========  ========================================  ================  ====================
    symbol      meaning                                   argument          PyTorch ``Adam``
    ==========  ========================================  ================  ====================
    eta         step size (or schedule)                   ``lr``            ``lr``
    beta1       weight of the old m (seed 000: B1)        ``beta1``         ``betas[0]``
    beta2       weight of the old v (seed 000: B2)        ``beta2``         ``betas[1]``
    epsilon     guard, OUTSIDE the square root            ``eps``           ``eps``
    lambda      L2 coefficient added to the gradient      ``weight_decay``  ``weight_decay``
    m, v        running averages of g and g^2             state ``m, v``    ``exp_avg, exp_avg_sq``
    ==========  ========================================  ================  ====================

    PyTorch: ``torch.optim.Adam(params, lr=lr, betas=(beta1, beta2), eps=eps,
    weight_decay=weight_decay, maximize=maximize)`` gives identical iterates.
    ``amsgrad=True`` is :class:`AMSGrad`; ``decoupled_weight_decay=True`` is :class:`AdamW`.

    >>> import numpy as np
    >>> opt = Adam(lr=0.1); s = opt.init(np.zeros(2))
    >>> step, s = opt.update(np.array([3.0, -0.5]), s)   # m-hat = g, sqrt(v-hat) = |g|
    >>> np.round(step, 6), s.t
    (array([-0.1,  0.1]), 1)
    """
    State = AdamState
    display_name = "Adam"
    _fast_kernel = _fast.adam_inplace

    def rule(self, g, s, t, eta, w):
        g = l2_gradient(g, w, self.weight_decay)       # g_t + lambda W_{t-1} (L2 in the loss)
        return self.adam_step(g, s, t, eta)

    def adam_step(self, g, s, t, eta):
        """Adam's step from the gradient g (weight decay, if any, already in it or apart)."""
        m = running_average(s.m, g, self.beta1)        # m_t = B1 m_{t-1} + (1 - B1) g_t
        v = running_average(s.v, g * g, self.beta2)    # v_t = B2 v_{t-1} + (1 - B2) g_t^2
        m_hat = debias(m, self.beta1, t)               # m_t / (1 - B1^t), t = 1 first
        v_hat = debias(v, self.beta2, t)               # v_t / (1 - B2^t)
        step = -eta * m_hat / (sqrt(v_hat) + self.eps)  # eps outside the root
        return step, s._replace(m=m, v=v)

    def torch_equivalent(self):
        return self._torch_equivalent("Adam", notes="m = exp_avg, v = exp_avg_sq; state['step'] = t; "
                                                "eps outside the root: sqrt(v_hat) + eps, as here")


class AMSGradState(NamedTuple):
    t: int         # updates done so far; t = 1 on the first step
    m: object      # m_t, running average of g
    v: object      # v_t, running average of g**2
    v_max: object  # max(v_1, ..., v_t) of the UNCORRECTED v (Reddi et al.'s \hat v_t)


class AMSGrad(_AdamFamily):
    r"""AMSGrad (Reddi, Kale and Kumar 2018) [AM-5]: Adam whose denominator never shrinks.

    $$m_t, v_t \text{ as in Adam (from } g_t + \lambda W_{t-1} \text{ if } \lambda > 0),\qquad
    v^{\max}_t = \max(v^{\max}_{t-1}, v_t),\qquad
    W_t = W_{t-1} - \frac{\eta_t\, m_t / (1-\beta_1^t)}
    {\sqrt{v^{\max}_t / (1-\beta_2^t)} + \epsilon}$$

    Convention (PyTorch's): the maximum is taken over the UNCORRECTED $v_t$, and the
    running maximum is then bias-corrected with the current t. The paper takes the
    maximum over $v_t$ too but uses no bias correction at all (and writes $\hat v_t$ for
    the maximum; here the hat means bias-corrected, so the field is ``v_max``). In the
    paper's uncorrected form the effective step $\eta_t / \sqrt{v^{\max}_t}$ never grows for
    a non-increasing $\eta_t$, which is what the convergence proof needs. With this
    correction the effective step is $\eta_t \sqrt{1-\beta_2^t} / \sqrt{v^{\max}_t}$, which
    CAN grow: with a constant eta and gradients 1 then 0.01 it grows about 31-fold by
    t = 3000 (lesson 08). It never grows for $\eta_t = \alpha/\sqrt t$, since
    $(1-\beta_2^t)/t$ is non-increasing.

    ==========  ========================================  ==================  =========================
    symbol      meaning                                   argument            PyTorch ``Adam``
    ==========  ========================================  ==================  =========================
    eta         step size (or schedule)                   ``lr``              ``lr``
    beta1       weight of the old m                       ``beta1``           ``betas[0]``
    beta2       weight of the old v                       ``beta2``           ``betas[1]``
    epsilon     guard, OUTSIDE the square root            ``eps``             ``eps``
    lambda      L2 coefficient added to the gradient      ``weight_decay``    ``weight_decay``
    v_max       running max of v                          state ``v_max``     ``max_exp_avg_sq``
    ==========  ========================================  ==================  =========================

    PyTorch: ``torch.optim.Adam(params, lr=lr, betas=(beta1, beta2), eps=eps,
    weight_decay=weight_decay, amsgrad=True, maximize=maximize)`` gives identical iterates.

    >>> import numpy as np
    >>> opt = AMSGrad(lr=0.1, beta1=0.0, beta2=0.5, eps=0.0); s = opt.init(np.zeros(1))
    >>> step, s = opt.update(np.array([2.0]), s)
    >>> step, s = opt.update(np.array([0.5]), s)    # v_2 = 1 + 0.125 < v_1 = 2
    >>> float(s.v[0]), float(s.v_max[0])             # the maximum keeps v_1
    (1.125, 2.0)
    """
    State = AMSGradState
    display_name = "AMSGrad"
    partner = "Adam"            # the same path until v_t first falls below its maximum
    _fast_kernel = _fast.amsgrad_inplace

    def rule(self, g, s, t, eta, w):
        g = l2_gradient(g, w, self.weight_decay)       # g_t + lambda W_{t-1} (L2 in the loss)
        m = running_average(s.m, g, self.beta1)        # m_t = B1 m_{t-1} + (1 - B1) g_t
        v = running_average(s.v, g * g, self.beta2)    # v_t = B2 v_{t-1} + (1 - B2) g_t^2
        v_max = maximum(s.v_max, v)                    # max over the UNCORRECTED v
        m_hat = debias(m, self.beta1, t)               # m_t / (1 - B1^t)
        v_hat = debias(v_max, self.beta2, t)           # then bias-correct the maximum
        step = -eta * m_hat / (sqrt(v_hat) + self.eps)  # eps outside the root
        return step, s._replace(m=m, v=v, v_max=v_max)

    def torch_equivalent(self):
        return self._torch_equivalent("Adam", amsgrad=True,
                                      notes="v_max = max_exp_avg_sq (max over the uncorrected v, "
                                            "then bias-corrected); eps outside the root, as in Adam")


class AdaMaxState(NamedTuple):
    t: int     # updates done so far; t = 1 on the first step
    m: object  # m_t, running average of g
    u: object  # u_t, exponentially weighted infinity norm of the gradients


class AdaMax(_AdamFamily):
    r"""AdaMax (Kingma and Ba 2015, section 7.1) [AM-4]: Adam with the infinity norm.

    $$m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\qquad
    u_t = \max(\beta_2 u_{t-1},\ |g_t| + \epsilon),\qquad
    W_t = W_{t-1} - \frac{\eta_t}{1-\beta_1^t}\,\frac{m_t}{u_t}$$

    (with ``weight_decay`` = lambda > 0, $g_t \leftarrow g_t + \lambda W_{t-1}$ first, in both
    m and u).

    $u_t$ is the limit $p \to \infty$ of $\big((1-\beta_2^p)\sum_s \beta_2^{p(t-s)} |g_s|^p\big)^{1/p}$
    up to the factor that vanishes in that limit, so it needs NO bias correction: it is a
    maximum of recent gradient sizes, not an average started at zero. Only m is corrected.
    epsilon: the paper has none; PyTorch puts it INSIDE the max, $|g_t| + \epsilon$, and so
    do we (it keeps $u_t > 0$).

    ==========  ========================================  ================  =====================
    symbol      meaning                                   argument          PyTorch ``Adamax``
    ==========  ========================================  ================  =====================
    eta         step size (or schedule)                   ``lr``            ``lr``
    beta1       weight of the old m                       ``beta1``         ``betas[0]``
    beta2       decay of the old maximum                  ``beta2``         ``betas[1]``
    epsilon     guard, INSIDE the max                     ``eps``           ``eps``
    lambda      L2 coefficient added to the gradient      ``weight_decay``  ``weight_decay``
    m, u        average of g, weighted max of |g|         state m, u        ``exp_avg, exp_inf``
    ==========  ========================================  ================  =====================

    PyTorch: ``torch.optim.Adamax(params, lr=lr, betas=(beta1, beta2), eps=eps,
    weight_decay=weight_decay, maximize=maximize)`` gives identical iterates (default lr
    0.002, as in the paper).

    >>> import numpy as np
    >>> opt = AdaMax(lr=0.1, eps=0.0); s = opt.init(np.zeros(2))
    >>> step, s = opt.update(np.array([3.0, -0.5]), s); step    # -lr sign(g) on the first step
    array([-0.1,  0.1])
    """
    State = AdaMaxState
    display_name = "AdaMax"
    _fast_kernel = _fast.adamax_inplace

    __init__ = _with_defaults(lr=0.002)     # the paper's and PyTorch's default lr

    def rule(self, g, s, t, eta, w):
        g = l2_gradient(g, w, self.weight_decay)            # g_t + lambda W_{t-1} (L2 in the loss)
        m = running_average(s.m, g, self.beta1)             # m_t = B1 m_{t-1} + (1 - B1) g_t
        u = maximum(self.beta2 * s.u, abs_(g) + self.eps)   # u_t = max(B2 u_{t-1}, |g_t| + eps)
        step = -eta * debias(m, self.beta1, t) / u          # only m is bias-corrected
        return step, s._replace(m=m, u=u)

    def torch_equivalent(self):
        return self._torch_equivalent("Adamax", notes="m = exp_avg, u = exp_inf; eps inside the max")


class AdamW(Adam):
    r"""AdamW (Loshchilov and Hutter 2019) [AM-6]: Adam with DECOUPLED weight decay.

    $$W_t = W_{t-1} - \eta_t \lambda W_{t-1} - \frac{\eta_t}{\sqrt{\hat v_t}+\epsilon}\,\hat m_t,$$

    with $m_t, v_t, \hat m_t, \hat v_t$ exactly as in :class:`Adam` built from the plain
    gradient $g_t$. The decay acts on the weights directly and is NOT divided by
    $\sqrt{\hat v_t}$; with L2 in the loss (``Adam(weight_decay=lambda)``) the term
    $\lambda W$ enters m and v and is rescaled per coordinate, so weights with large
    gradients are barely regularized. Conventions: the decay is $\eta_t \lambda$ (PyTorch's
    ``lr * weight_decay``), applied to $W_{t-1}$ before the Adam step; the paper writes a
    separate schedule multiplier times $\lambda$.

    ==============  ========================================  ================  ==================
    symbol          meaning                                   argument          PyTorch ``AdamW``
    ==============  ========================================  ================  ==================
    eta             step size (or schedule)                   ``lr``            ``lr``
    beta1, beta2    weights of the old m and v                ``beta1, beta2``  ``betas``
    epsilon         guard, OUTSIDE the square root            ``eps``           ``eps``
    lambda          decoupled decay, W <- W - eta lambda W    ``weight_decay``  ``weight_decay``
    ==============  ========================================  ================  ==================

    PyTorch: ``torch.optim.AdamW(params, lr=lr, betas=(beta1, beta2), eps=eps,
    weight_decay=weight_decay, maximize=maximize)`` gives identical iterates (PyTorch's
    default weight_decay is 0.01, ours too). Not supported: ``amsgrad=True`` with AdamW.

    >>> import numpy as np
    >>> opt = AdamW(lr=0.1, weight_decay=0.5); w = np.array([2.0]); s = opt.init(w)
    >>> step, s = opt.update(np.array([0.0]), s, w); step    # g = 0: only the decay, -0.1 * 0.5 * 2
    array([-0.1])
    """
    display_name = "AdamW"
    partner = "Adam"            # the same path at weight_decay = 0
    _fast_kernel = _fast.adamw_inplace

    __init__ = _with_defaults(weight_decay=0.01)     # PyTorch's default decay

    def rule(self, g, s, t, eta, w):
        decay = -eta * self.weight_decay * w if self.weight_decay != 0 else 0  # -eta lambda W_{t-1}
        step, s = self.adam_step(g, s, t, eta)         # Adam's step from the PLAIN gradient
        return decay + step, s                         # decay NOT divided by sqrt(v)

    def torch_equivalent(self):
        return self._torch_equivalent("AdamW", notes="torch multiplies W by (1 - lr weight_decay) "
                                                     "before the Adam step; our step's first term")
