r"""The reference card: every optimizer and batch norm on one page, read off the library.

Each row is built from the class it describes, never typed in by hand:

* the update rule: the display math (``$$ ... $$``) of the class's own docstring;
* the ``course_lib`` call with its defaults: :func:`inspect.signature` of the constructor;
* the PyTorch call: the class's :meth:`torch_equivalent` (an instance at the defaults),
  written out as ``torch.optim.Cls(params, k=v, ...)`` with when the two agree;
* the symbols: the rows of :data:`course_lib.notation.NOTATION` that name an argument;
* the conventions where frameworks differ: the one table kept here, :data:`CONVENTIONS`.
  Each entry names the classes it is about and a claim, a small function that RUNS the
  class (one or two steps on tiny arrays) or reads its ``torch_equivalent`` and raises
  :class:`AssertionError` when the class does not do what the entry says.

:func:`show` renders one row as markdown (the notebook ``notebooks/reference_card.ipynb``
calls it once per method) and checks that row's conventions as it does, so a card that
renders is a card whose statements hold; :func:`summary` is the one-page table.

>>> row("Adam").course_call
'course_lib.optimizers.Adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08, weight_decay=0.0, maximize=False)'
>>> row("Momentum").torch_call
'torch.optim.SGD(params, lr=0.01, momentum=0.9, weight_decay=0.0, maximize=False)'
>>> [c.topic for c in row("BatchNorm").conventions][:2]
['momentum direction', 'running variance']
"""
from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .batchnorm import BatchNorm, batchnorm_forward
from .notation import NOTATION, Row
from .torch_equivalent import TorchEquivalent
from .optimizers.registry import OPTIMIZERS

__all__ = ["CardRow", "Convention", "CONVENTIONS", "CLAIMS", "EXAMPLE", "names", "row", "rows",
           "check", "problems", "show", "summary", "torch_call", "course_call", "rule_blocks"]

#: values shown for arguments that have no default (the torch call needs a number)
EXAMPLE = {"lr": 0.01, "n": 4}
#: the one layer of the card that is not an optimizer
LAYERS = {"BatchNorm": BatchNorm}


def names() -> list[str]:
    """Every row of the card: the optimizers in the course's order, then batch norm."""
    return list(OPTIMIZERS) + list(LAYERS)


def _cls(name):
    table = {**OPTIMIZERS, **LAYERS}
    if name not in table:
        raise ValueError(f"name must be one of the card's rows ({', '.join(table)}), got {name!r}")
    return table[name]


# ---------------------------------------------------------------------------------------------
# The conventions, each with the claim that checks it against the class

@dataclass(frozen=True)
class Convention:
    """One place where frameworks differ: what the course does, what torch (and others) do.

    topic: a few words ("eps placement"); applies_to: the class names it is about; text:
    the statement (markdown); claim: the key in :data:`CLAIMS` of the check that runs it."""
    topic: str
    applies_to: tuple
    text: str
    claim: str


G = np.array([3.0, -0.5])        # a gradient with one large and one small coordinate
W = np.array([1.5, -2.0])        # weights, for the weight-decay checks


def _make(cls, **kwargs):
    """An instance at its defaults, the arguments without a default taken from EXAMPLE."""
    for name, p in inspect.signature(cls.__init__).parameters.items():
        if p.default is inspect.Parameter.empty and name in EXAMPLE and name not in kwargs:
            kwargs[name] = EXAMPLE[name]
    return cls(**kwargs)


def _steps(opt, grads, w=None):
    """The steps of ``opt`` for the gradients given one after the other, and the last state."""
    s = opt.init(np.zeros_like(grads[0]) if w is None else w)
    out = []
    for g in grads:
        step, s = opt.update(g, s, w)
        out.append(step)
    return out, s


def _close(a, b):
    return np.allclose(a, b, rtol=1e-12, atol=1e-15)


def _eps_outside_root(cls):
    r"""$\eta g / (\sqrt a + \epsilon)$, not $\eta g / \sqrt{a + \epsilon}$: the root $\sqrt a$ is
    read from a step with eps = 0, then a step with eps = 0.5 must be the outside form."""
    lr = 0.1
    (step0,), _ = _steps(_make(cls, lr=lr, eps=0.0, **_no_decay(cls)), [G])
    root = -lr * G / step0                                 # sqrt(a) per coordinate
    (step,), _ = _steps(_make(cls, lr=lr, eps=0.5, **_no_decay(cls)), [G])
    outside, inside = -lr * G / (root + 0.5), -lr * G / np.sqrt(root ** 2 + 0.5)
    assert _close(step, outside), f"{cls.__name__}: the step is not eta g / (sqrt(a) + eps)"
    assert not _close(step, inside), f"{cls.__name__}: the step is eta g / sqrt(a + eps)"


def _eps_inside_roots(cls):
    r"""Adadelta's first step: $-\sqrt{\epsilon}\, g / \sqrt{(1-\rho) g^2 + \epsilon}$."""
    rho, eps = 0.5, 0.01
    (step,), _ = _steps(_make(cls, rho=rho, eps=eps), [G])
    inside = -np.sqrt(eps) / np.sqrt((1 - rho) * G ** 2 + eps) * G
    outside = -eps / (np.sqrt((1 - rho) * G ** 2) + eps) * G
    assert _close(step, inside) and not _close(step, outside), \
        f"{cls.__name__}: eps is not inside both square roots"


def _eps_inside_max(cls):
    r"""AdaMax: $u_1 = \max(0, |g_1| + \epsilon)$, not $\max(|g_1|, \epsilon)$."""
    eps = 1.0
    _, s = _steps(_make(cls, eps=eps), [G])
    assert _close(s.u, np.abs(G) + eps), f"{cls.__name__}: u_1 is not |g_1| + eps"


def _undamped_velocity(cls):
    r"""$V_t = \gamma V_{t-1} + \eta g_t$ (no $1-\gamma$), and torch's SGD gets no dampening."""
    lr, gamma = 0.1, 0.5
    opt = _make(cls, lr=lr, gamma=gamma)
    _, s = _steps(opt, [G, G])
    assert _close(s.V, lr * (1 + gamma) * G), f"{cls.__name__}: V_2 is not eta (1 + gamma) g"
    kw = opt.torch_equivalent().kwargs
    assert kw.get("dampening", 0) == 0 and kw["momentum"] == gamma, \
        f"{cls.__name__}: torch SGD must get momentum=gamma and no dampening"


def _averaged_momentum(cls):
    r"""$M_t = \gamma M_{t-1} + (1-\gamma) g_t$ steps like heavy ball with $\eta (1-\gamma)$;
    torch gets ``lr = lr (1 - gamma)`` and no dampening."""
    from .optimizers import Momentum
    lr, gamma = 0.1, 0.5
    grads = [G, 2 * G, -G]
    ours, _ = _steps(_make(cls, lr=lr, gamma=gamma), grads)
    heavy, _ = _steps(Momentum(lr=lr * (1 - gamma), gamma=gamma), grads)
    assert all(_close(a, b) for a, b in zip(ours, heavy)), \
        f"{cls.__name__}: not heavy ball with lr (1 - gamma)"
    kw = _make(cls, lr=lr, gamma=gamma).torch_equivalent().kwargs
    assert np.isclose(kw["lr"], lr * (1 - gamma)) and kw.get("dampening", 0) == 0, \
        f"{cls.__name__}: torch must get lr (1 - gamma) and no dampening"


def _lookahead_point(cls):
    r"""torch's ``nesterov=True`` tracks $U_t = W_t - \gamma V_t$: run the look-ahead form on
    $J = \frac12 \sum_i a_i w_i^2$ and the framework form from $U_0 = W_0$; they must agree."""
    from .optimizers import Nesterov, NesterovFramework
    lr, gamma, a = 0.1, 0.5, np.array([1.0, 4.0])
    look, frame = Nesterov(lr=lr, gamma=gamma), NesterovFramework(lr=lr, gamma=gamma)
    w, u = W.copy(), W.copy()
    s, r = look.init(w), frame.init(u)
    for _ in range(4):
        w, s = look.step(w, a * look.eval_point(w, s), s)     # gradient at the look-ahead point
        u, r = frame.step(u, a * u, r)                         # gradient where torch is
        assert _close(u, w - gamma * s.V), "U_t is not W_t - gamma V_t"
    eq = _make(cls, gamma=gamma).torch_equivalent()
    assert eq.cls == "SGD" and eq.kwargs.get("nesterov") is True, \
        f"{cls.__name__}: torch must get SGD(nesterov=True)"
    if cls is Nesterov:
        assert "U_t" in eq.change_of_variables, "Nesterov must state the change of variables"


def _momentum_lr_inside(cls):
    r"""Heavy ball keeps $\eta_t$ inside V; torch multiplies its buffer by the current lr.
    With $\eta_1 = 0.1$, $\eta_2 = 0.2$ and g = 1 twice, our velocity is $V_2 = 0.1\gamma +
    0.2$, torch's $\eta_2 b_2 = 0.2(\gamma + 1)$: the same only while lr is constant."""
    gamma = 0.5
    opt = _make(cls, lr=lambda t: 0.1 * t, gamma=gamma)
    _, s = _steps(opt, [np.ones(1), np.ones(1)])
    assert _close(s.V, 0.1 * gamma + 0.2) and not _close(s.V, 0.2 * (gamma + 1)), \
        f"{cls.__name__}: eta_t is not inside the velocity"
    assert _make(cls).torch_equivalent().exact_when == "constant lr", \
        f"{cls.__name__}: the torch match must be declared for a constant lr only"


def _no_decay(cls):
    """weight_decay=0 for the classes that take it (AdamW's default is 0.01)."""
    return {"weight_decay": 0.0} if "weight_decay" in inspect.signature(cls.__init__).parameters \
        else {}


def _l2_coupled(cls):
    r"""``weight_decay`` = lambda is L2 in the loss: one step from $g$ with lambda equals one
    step from $g + \lambda W$ without it; torch gets the same ``weight_decay``."""
    lam = 0.3
    (with_l2,), _ = _steps(_make(cls, weight_decay=lam), [G], W)
    (plain,), _ = _steps(_make(cls, weight_decay=0.0), [G + lam * W], W)
    assert _close(with_l2, plain), f"{cls.__name__}: weight_decay is not g + lambda W"
    assert _make(cls, weight_decay=lam).torch_equivalent().kwargs["weight_decay"] == lam


def _decoupled(cls):
    r"""AdamW: Adam's step from the plain gradient, then $-\eta \lambda W$, not divided by
    $\sqrt{\hat v}$; so it differs from Adam with L2 in the loss."""
    from .optimizers import Adam
    lr, lam = 0.1, 0.3
    (ours,), _ = _steps(_make(cls, lr=lr, weight_decay=lam), [G], W)
    (adam,), _ = _steps(Adam(lr=lr), [G], W)
    (l2,), _ = _steps(Adam(lr=lr, weight_decay=lam), [G], W)
    assert _close(ours, adam - lr * lam * W), f"{cls.__name__}: the decay is not -eta lambda W"
    assert not _close(ours, l2), f"{cls.__name__}: decoupled decay equals L2 here"
    assert _make(cls).torch_equivalent().cls == "AdamW"


def _no_weight_decay(cls):
    """No ``weight_decay`` argument here, none in the torch call (torch's class has none)."""
    assert "weight_decay" not in inspect.signature(cls.__init__).parameters
    assert "weight_decay" not in _make(cls).torch_equivalent().kwargs


def _bias_corrected(cls):
    r"""Both averages divided by $1-\beta^t$: with eps = 0 the first step is $-\eta\,
    \mathrm{sign}(g)$ whatever the betas (uncorrected it would be $(1-\beta_1)/\sqrt{1-\beta_2}$
    times that)."""
    lr = 0.1
    for b1, b2 in ((0.9, 0.999), (0.5, 0.8)):
        (step,), _ = _steps(_make(cls, lr=lr, beta1=b1, beta2=b2, eps=0.0, **_no_decay(cls)), [G])
        assert _close(step, -lr * np.sign(G)), f"{cls.__name__}: the first step is not -eta sign(g)"


def _max_of_uncorrected(cls):
    r"""AMSGrad: $v^{\max}$ is the maximum of the UNCORRECTED $v_t$, corrected afterwards:
    with $\beta_1 = 0$, $\beta_2 = 0.5$, g = 2 then 0.5, the second step is
    $-\eta\, 0.5 / \sqrt{2 / 0.75}$ (the maximum of corrected values would give $-\eta\, 0.5 / 2$)."""
    lr = 0.1
    (_, step2), s = _steps(_make(cls, lr=lr, beta1=0.0, beta2=0.5, eps=0.0),
                           [np.array([2.0]), np.array([0.5])])
    assert _close(s.v_max, [2.0]), f"{cls.__name__}: v_max is not max(v_1, v_2) = 2"
    assert _close(step2, -lr * 0.5 / np.sqrt(2 / 0.75)), f"{cls.__name__}: wrong second step"


def _u_not_corrected(cls):
    r"""AdaMax: only m is bias-corrected; $u_t$ is a maximum and is used as it is. With g = 1
    twice and eps = 0 both steps are $-\eta$ (correcting u too would shrink the second)."""
    lr = 0.1
    steps, _ = _steps(_make(cls, lr=lr, eps=0.0), [np.ones(1), np.ones(1)])
    assert all(_close(s, [-lr]) for s in steps), f"{cls.__name__}: u is bias-corrected"


def _rmsprop_uncorrected(cls):
    r"""RMSprop has no bias correction and $G_0 = 0$: the first step is
    $-\eta\, \mathrm{sign}(g) / \sqrt{1-\gamma}$ (eps = 0); torch's ``alpha`` is our gamma."""
    lr, gamma = 0.1, 0.75
    opt = _make(cls, lr=lr, gamma=gamma, eps=0.0)
    (step,), _ = _steps(opt, [G])
    assert _close(step, -lr * np.sign(G) / np.sqrt(1 - gamma)), f"{cls.__name__}: step 1 is corrected"
    assert opt.torch_equivalent().kwargs["alpha"] == gamma, "torch's alpha must be gamma"


def _adadelta_lr(cls):
    r"""Adadelta's ``lr`` multiplies the step but not the update averaged into $E[\Delta x^2]$."""
    (one,), s1 = _steps(_make(cls, lr=1.0), [G])
    (two,), s2 = _steps(_make(cls, lr=2.0), [G])
    assert _close(two, 2 * one) and _close(s1.Edx2, s2.Edx2), \
        f"{cls.__name__}: lr enters the averaged update"
    assert cls.takes_lr is False and _make(cls).lr == 1.0


def _skip_after_flip(cls):
    r"""Rprop (iRprop-): after a sign flip the step is 0, the step size shrinks by eta^-, and
    the stored gradient becomes 0 (no backtracking of the previous step)."""
    lr = 0.1
    (_, step2), s = _steps(_make(cls, lr=lr), [np.array([1.0]), np.array([-1.0])])
    assert _close(step2, [0.0]), f"{cls.__name__}: the step after a flip is not skipped"
    assert _close(s.delta, [lr * 0.5]) and _close(s.g_prev, [0.0]), f"{cls.__name__}: wrong state"


Z = np.array([[1.0, 2.0, 3.0, 6.0], [0.0, 4.0, 0.0, 4.0]])   # n_l = 2 features, K = 4


def _bn_momentum(cls):
    r"""Our gamma weighs the OLD running estimate, torch's momentum the NEW batch: after one
    batch $m_1 = (1-\gamma)\mu$, and torch gets ``momentum = 1 - gamma``."""
    gamma = 0.8
    bn = cls(2, gamma=gamma)
    bn.forward(Z)
    assert _close(bn.running_mean, (1 - gamma) * Z.mean(axis=1)), "m_1 is not (1 - gamma) mu"
    assert np.isclose(bn.torch_equivalent().kwargs["momentum"], 1 - gamma), \
        "torch's momentum must be 1 - gamma"


def _bn_variance(cls):
    r"""The batch is normalized with the biased variance (1/K); the running estimate stores
    the unbiased one, $\frac{K}{K-1}\sigma^2$, as torch does (``unbiased_running_var=True``)."""
    gamma, K = 0.8, Z.shape[1]
    bn = cls(2, gamma=gamma, eps=0.0)
    Zhat = bn.forward(Z)
    biased = Z.var(axis=1)
    assert _close(Zhat, (Z - Z.mean(axis=1, keepdims=True)) / np.sqrt(biased)[:, None]), \
        "the batch is not normalized with the 1/K variance"
    assert _close(bn.running_var, gamma * 1 + (1 - gamma) * biased * K / (K - 1)), \
        "the running variance is not the K/(K-1) one"
    assert "unbiased_running_var=True" in bn.torch_equivalent().exact_when


def _bn_eps_sqrt(cls):
    r"""Default ``eps_mode="sqrt"``: $(Z-\mu)/\sqrt{\sigma^2+\epsilon}$ as torch; the
    $(Z-\mu)/(\sigma+\epsilon)$ mode has no torch layer (``torch_equivalent().cls`` is None)."""
    eps = 0.5
    Zhat = cls(2, eps=eps).forward(Z)
    want, _ = batchnorm_forward(Z, np.ones(2), np.zeros(2), eps=eps, eps_mode="sqrt")
    sigma = Z.std(axis=1, keepdims=True)
    assert _close(Zhat, want) and _close(Zhat, (Z - Z.mean(axis=1, keepdims=True))
                                         / np.sqrt(sigma ** 2 + eps)), "eps is not inside the root"
    assert cls(2, eps_mode="sigma").torch_equivalent().cls is None


def _bn_start(cls):
    """The running estimates start at m = 0 and v = 1, as torch's."""
    bn = cls(3)
    assert _close(bn.running_mean, 0.0) and _close(bn.running_var, 1.0)


#: claim key -> the check (takes the class, raises AssertionError when the claim is false)
CLAIMS: dict[str, Callable] = {
    "eps outside root": _eps_outside_root, "eps inside roots": _eps_inside_roots,
    "eps inside max": _eps_inside_max, "undamped velocity": _undamped_velocity,
    "averaged momentum": _averaged_momentum, "look-ahead point": _lookahead_point,
    "lr inside velocity": _momentum_lr_inside, "L2 coupled": _l2_coupled,
    "decoupled decay": _decoupled, "no weight decay": _no_weight_decay,
    "bias corrected": _bias_corrected, "max of uncorrected v": _max_of_uncorrected,
    "u not corrected": _u_not_corrected, "RMSprop uncorrected": _rmsprop_uncorrected,
    "Adadelta lr": _adadelta_lr, "skip after flip": _skip_after_flip,
    "BN momentum": _bn_momentum, "BN variance": _bn_variance, "BN eps": _bn_eps_sqrt,
    "BN start": _bn_start,
}

_L2_USERS = ("SGD", "Momentum", "AveragedMomentum", "Nesterov", "NesterovFramework", "Adagrad",
             "RMSprop", "Adadelta", "Adam", "AMSGrad", "AdaMax")

#: every convention of the card; tests/test_card.py runs each claim on each class it names
CONVENTIONS = [
    Convention("eps placement", ("Adam", "AMSGrad", "AdamW", "Adagrad", "RMSprop"),
               r"$\epsilon$ is added OUTSIDE the root, $\sqrt{\cdot} + \epsilon$, as in torch. "
               r"Keras 3 and optax put it inside for Adagrad and RMSprop; TensorFlow/Keras add "
               r"it to Adam's uncorrected root, which is $\epsilon/\sqrt{1-\beta_2^t}$ here.",
               "eps outside root"),
    Convention("eps placement", ("Adadelta",),
               r"$\epsilon$ sits INSIDE both roots, $\sqrt{E[\Delta x^2] + \epsilon} / "
               r"\sqrt{E[g^2] + \epsilon}$ (Zeiler, torch); it also sets the size of the first step.",
               "eps inside roots"),
    Convention("eps placement", ("AdaMax",),
               r"$\epsilon$ goes inside the max, $u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon)$, "
               r"as torch; the paper has no $\epsilon$.", "eps inside max"),
    Convention("dampening", ("Momentum", "Nesterov", "NesterovFramework"),
               r"Heavy ball: $V_t = \gamma V_{t-1} + \eta_t g_t$, a sum with no $(1-\gamma)$. "
               r"torch: `SGD(momentum=gamma)` with its default `dampening=0`.", "undamped velocity"),
    Convention("dampening", ("AveragedMomentum",),
               r"$M_t$ is a running average, damped by $(1-\gamma)$. torch has no such buffer: "
               r"give it `lr = lr * (1 - gamma)`, `dampening=0`. `dampening=gamma` is NOT the "
               r"same (torch's buffer starts at $g_1$ undamped).", "averaged momentum"),
    Convention("lr under a schedule", ("Momentum", "Nesterov", "NesterovFramework"),
               r"$\eta_t$ sits inside $V$, so old step sizes stay in it; torch multiplies its "
               r"buffer by today's lr. Same iterates only while lr is constant.",
               "lr inside velocity"),
    Convention("look-ahead point", ("Nesterov", "NesterovFramework"),
               r"torch's `nesterov=True` keeps the look-ahead point $U_t = W_t - \gamma V_t$ as "
               r"its parameter: `Nesterov` matches it after that change of variables, "
               r"`NesterovFramework` directly.", "look-ahead point"),
    Convention("weight decay", _L2_USERS,
               r"`weight_decay` $=\lambda$ is L2 in the loss: $g_t \leftarrow g_t + \lambda "
               r"W_{t-1}$ before anything else, as torch's `weight_decay` (for an adaptive "
               r"method the decay is then rescaled per coordinate).", "L2 coupled"),
    Convention("weight decay", ("AdamW",),
               r"Decoupled: $W \leftarrow W - \eta_t \lambda W$ beside Adam's step, NOT divided "
               r"by $\sqrt{\hat v_t}$ (torch `AdamW`, default $\lambda = 0.01$). "
               r"`Adam(weight_decay=lambda)` is L2 instead.", "decoupled decay"),
    Convention("weight decay", ("Rprop",),
               r"No weight decay, in torch either.", "no weight decay"),
    Convention("bias correction", ("Adam", "AMSGrad", "AdamW"),
               r"Both averages are divided by $1-\beta^t$ (t = 1 on the first step), so the "
               r"first step is $-\eta\,\mathrm{sign}(g_1)$ for $\epsilon = 0$; torch does the same.",
               "bias corrected"),
    Convention("bias correction", ("AMSGrad",),
               r"The maximum is taken over the UNCORRECTED $v_t$ and then corrected with the "
               r"current t (torch's `amsgrad=True`); the paper uses no correction at all.",
               "max of uncorrected v"),
    Convention("bias correction", ("AdaMax",),
               r"Only $m$ is corrected; $u_t$ is a maximum, not an average started at 0.",
               "u not corrected"),
    Convention("bias correction", ("RMSprop",),
               r"None: $G_0 = 0$, so the first steps are large, $\eta/\sqrt{1-\gamma}$ per "
               r"coordinate for $\epsilon = 0$. torch calls $\gamma$ `alpha`.",
               "RMSprop uncorrected"),
    Convention("step size", ("Adadelta",),
               r"No step size needed: `lr` is an extra factor, 1 by default (torch's default "
               r"too), and multiplies the step but not the update averaged into "
               r"$E[\Delta x^2]$.", "Adadelta lr"),
    Convention("sign flips", ("Rprop",),
               r"iRprop$^-$, as torch: after a sign flip the step is skipped and the stored "
               r"gradient set to 0; the 1993 original takes the previous step back instead.",
               "skip after flip"),
    Convention("momentum direction", ("BatchNorm",),
               r"Our $\gamma$ weighs the OLD running estimate; torch's `momentum` weighs the "
               r"NEW batch: `momentum = 1 - gamma` (torch's default 0.1 is $\gamma = 0.9$).",
               "BN momentum"),
    Convention("running variance", ("BatchNorm",),
               r"The batch is normalized with the biased variance (divide by K); the running "
               r"estimate stores the unbiased one, $\frac{K}{K-1}\sigma^2$, as torch does.",
               "BN variance"),
    Convention("eps placement", ("BatchNorm",),
               r"Default `eps_mode='sqrt'`: $(Z-\mu)/\sqrt{\sigma^2+\epsilon}$, as torch. "
               r"`eps_mode='sigma'`, $(Z-\mu)/(\sigma+\epsilon)$, has no torch layer.",
               "BN eps"),
    Convention("start values", ("BatchNorm",),
               r"The running estimates start at $m_0 = 0$, $v_0 = 1$, as torch's.", "BN start"),
]


def check(convention: Convention, name: str) -> None:
    """Run the convention's claim on class ``name``; AssertionError (naming both) if false,
    or if the claim cannot run on that class at all."""
    if name not in convention.applies_to:
        raise ValueError(f"name must be a class the convention applies to "
                         f"({', '.join(convention.applies_to)}), got {name!r}")
    if convention.claim not in CLAIMS:
        raise ValueError(f"convention.claim must be a key of CLAIMS, got {convention.claim!r}")
    try:
        CLAIMS[convention.claim](_cls(name))
    except AssertionError as e:
        raise AssertionError(f"{name}, {convention.topic}: {e or 'claim ' + convention.claim}") from e
    except Exception as e:       # a claim that cannot even run on the class is false for it
        raise AssertionError(f"{name}, {convention.topic}: claim {convention.claim!r} does not "
                             f"apply ({type(e).__name__}: {e})") from e


def problems(conventions=None) -> list[str]:
    """Every (convention, class) pair whose claim fails, as messages ([] when all hold)."""
    found = []
    for c in CONVENTIONS if conventions is None else conventions:
        for name in c.applies_to:
            try:
                check(c, name)
            except AssertionError as e:
                found.append(str(e))
    return found


# ---------------------------------------------------------------------------------------------
# The rows

def rule_blocks(name: str) -> list[str]:
    """The display-math blocks of the class's docstring, each on one line (LaTeX); for a
    docstring without one, the inline math of its first line. Batch norm's row starts with
    :func:`batchnorm_forward`'s normalization.

    >>> rule_blocks("SGD")[0].startswith("W_t = W_{t-1}")
    True
    """
    sources = [batchnorm_forward, BatchNorm] if name in LAYERS else [_cls(name)]
    blocks = []
    for obj in sources:
        doc = inspect.getdoc(obj) or ""
        found = re.findall(r"\$\$(.+?)\$\$", doc, re.S)
        if not found:        # a one-line rule (SGD): the inline math of the summary line
            found = [r",\qquad ".join(re.findall(r"\$(.+?)\$", doc.split("\n")[0]))]
        blocks += [b for b in found if b]
    return [" ".join(b.split()) for b in blocks]


def _fmt(value) -> str:
    """A value as Python source; floats at 12 significant digits (0.01, not 0.010000000000000002)."""
    if isinstance(value, (float, np.floating)):
        return repr(float(f"{float(value):.12g}"))
    if isinstance(value, tuple):
        return "(" + ", ".join(_fmt(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return repr(value)


def defaults(name: str) -> dict:
    """argument -> default of the constructor (``inspect.Parameter.empty`` when required)."""
    params = list(inspect.signature(_cls(name).__init__).parameters.values())[1:]
    return {p.name: p.default for p in params}


def course_call(name: str) -> str:
    """``course_lib.optimizers.Adam(lr=0.001, ...)``: the constructor with its defaults."""
    module = "course_lib.batchnorm" if name in LAYERS else "course_lib.optimizers"
    args = [k if v is inspect.Parameter.empty else f"{k}={_fmt(v)}"
            for k, v in defaults(name).items()]
    return f"{module}.{name}({', '.join(args)})"


def torch_call(eq: TorchEquivalent, layer: bool = False) -> str:
    """``torch.optim.Cls(params, k=v, ...)`` (``torch.nn.Cls(k=v, ...)`` for a layer)."""
    if eq.cls is None:
        return "(no torch equivalent)"
    head = [] if layer else ["params"]
    args = head + [f"{k}={_fmt(v)}" for k, v in eq.kwargs.items()]
    return f"torch.{'nn' if layer else 'optim'}.{eq.cls}({', '.join(args)})"


def _symbols(name) -> list[Row]:
    """The notation rows that name one of the constructor's arguments."""
    args = defaults(name)
    return [r for r in NOTATION
            if any(f"`{a}`" in r.course_lib or f"{name}({a}=)" in r.course_lib for a in args)]


@dataclass(frozen=True)
class CardRow:
    """One method on the card, every field read from the library."""
    name: str
    display_name: str
    rule: tuple             # display-math blocks, LaTeX
    defaults: dict          # argument -> default (inspect.Parameter.empty: required)
    example: dict           # the values given to arguments without a default
    course_call: str
    torch: TorchEquivalent  # of an instance at the defaults (and the example values)
    torch_call: str
    symbols: tuple          # notation rows
    conventions: tuple      # the Convention entries that name this class


def row(name: str) -> CardRow:
    """The card's row for optimizer ``name`` (a key of OPTIMIZERS) or ``"BatchNorm"``."""
    cls = _cls(name)
    layer = name in LAYERS
    example = {k: EXAMPLE[k] for k, v in defaults(name).items() if v is inspect.Parameter.empty}
    eq = _make(cls).torch_equivalent()
    return CardRow(name, "Batch norm" if layer else cls.display_name, tuple(rule_blocks(name)),
                   defaults(name), example, course_call(name), eq, torch_call(eq, layer),
                   tuple(_symbols(name)),
                   tuple(c for c in CONVENTIONS if name in c.applies_to))


def rows() -> list[CardRow]:
    """Every row, in :func:`names` order."""
    return [row(n) for n in names()]


# ---------------------------------------------------------------------------------------------
# Rendering (markdown; the notebook shows it, nbconvert turns it into the printable HTML)

class Markdown:
    """A markdown string that a notebook shows rendered (no IPython import needed)."""

    def __init__(self, text: str):
        self.text = text

    def _repr_markdown_(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text


def _section(r: CardRow) -> str:
    lines = [f"### {r.display_name} (`{r.name}`)", ""]
    for b in r.rule:
        lines += [f"$${b}$$", ""]
    lines += [f"**course_lib:** `{r.course_call}`", ""]
    shown = ", ".join(f"{k} = {v}" for k, v in r.example.items())
    lines += [f"**PyTorch:** `{r.torch_call}`" + (f" (shown for {shown})" if shown else ""), ""]
    facts = [f"same results: {r.torch.exact_when}"]
    if r.torch.change_of_variables:
        facts.append(f"change of variables: {r.torch.change_of_variables}")
    if r.torch.notes:
        facts.append(f"note: {r.torch.notes}")
    lines += [f"- {f}" for f in facts] + ["", "**Conventions** (each checked by running the class):", ""]
    lines += [f"- *{c.topic}*: {c.text} ✓" for c in r.conventions] + [""]
    if r.symbols:
        lines += ["| symbol | meaning | course_lib | PyTorch |", "|---|---|---|---|"]
        lines += [f"| {s.symbol} | {s.meaning} | {s.course_lib} | {s.pytorch} |" for s in r.symbols]
    return "\n".join(lines)


def show(*names_: str) -> Markdown:
    """The card's section for each name given, rendered as markdown. The conventions of
    each row are checked first: a false one raises AssertionError instead of being shown."""
    if not names_:
        raise ValueError("show needs at least one name, e.g. show('Adam'); names() lists them")
    parts = []
    for name in names_:
        r = row(name)
        for c in r.conventions:
            check(c, name)
        parts.append(_section(r))
    return Markdown("\n\n".join(parts))


def _short_call(call: str) -> str:
    """A call without its module path and without ``maximize=False`` (every optimizer has it)."""
    call = re.sub(r"^course_lib\.\w+\.|^torch\.(optim|nn)\.", "", call)
    return call.replace(", maximize=False", "")


def summary() -> Markdown:
    """The one-page table: a line per method (calls without ``maximize=False``, which every
    optimizer takes, as torch)."""
    head = ["| method | course_lib | PyTorch | same results | where frameworks differ |",
            "|---|---|---|---|---|"]
    body = [f"| {r.display_name} | `{_short_call(r.course_call)}` | `{_short_call(r.torch_call)}` "
            f"| {r.torch.exact_when} | {', '.join(sorted({c.topic for c in r.conventions}))} |"
            for r in rows()]
    note = ("\n\nEvery optimizer also takes `maximize=False`, as torch does. Calls without a "
            "default for an argument are shown with " +
            ", ".join(f"{k} = {v}" for k, v in EXAMPLE.items()) + ".")
    return Markdown("\n".join(head + body) + note)
