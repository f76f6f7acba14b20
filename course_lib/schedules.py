r"""Step-size schedules: any callable ``t -> eta_t`` (t = 1 on the first update), numpy only.

Every optimizer of the course accepts one as ``lr`` [SC-1, SC-2, VM-6, TN-3].

==================  =====================================================  ==========================
schedule            eta_t                                                  PyTorch
==================  =====================================================  ==========================
:class:`constant`   $\eta$                                                 plain ``lr``
:class:`inverse_power`  $c / (t + t_0)^p$                                  ``LambdaLR``
:class:`step_decay` $\eta / \text{factor}^{\lfloor (t-1)/\text{every} \rfloor}$  ``StepLR(step_size=every, gamma=1/factor)``
:class:`ReduceOnPlateau`  $\eta$ until the fed loss stops improving, then $/\,\text{factor}$  ``ReduceLROnPlateau(factor=1/factor)``
:class:`cosine`     $\eta_{\min} + (\eta - \eta_{\min})\frac{1 + \cos(\pi (t-1)/T)}{2}$  ``CosineAnnealingLR(T_max=T, eta_min=lr_min)``
:class:`warmup_cosine`  linear from $s\eta$ up to $\eta$ over ``warmup`` updates, then cosine  ``SequentialLR([LinearLR, CosineAnnealingLR])``
:class:`one_cycle`  up from $\eta_{\max}/\text{div}$ to $\eta_{\max}$, then down to $\eta_{\max}/(\text{div}\cdot\text{final\_div})$  ``OneCycleLR(max_lr, total_steps=T, cycle_momentum=False)``
==================  =====================================================  ==========================

Every schedule's :meth:`torch_equivalent` states, as plain data
(:class:`course_lib.optimizers.base.TorchEquivalent`), the ``torch.optim.lr_scheduler`` class
and arguments that give the same eta_t, and when. The convention throughout: torch counts
``scheduler.step()`` calls from 0, so torch's ``last_epoch`` e is our t - 1; the lr torch's
optimizer uses in its step number t is the one set after t - 1 calls of ``scheduler.step()``
(call it after each ``optimizer.step()``). tests/test_torch_schedules.py compares every value
of whole runs.

NOTE on ``factor``: the notes say "divide the step by a factor such as 10", so here
``factor`` is the DIVISOR (> 1). PyTorch's ``StepLR(gamma=...)`` and
``ReduceLROnPlateau(factor=...)`` MULTIPLY, so they take ``1 / factor``. A factor <= 1 would
not shrink the step and is refused.

>>> s = inverse_power(c=1.0, p=1.0); [s(1), s(2), s(4)]
[1.0, 0.5, 0.25]
>>> s = step_decay(lr=1.0, factor=10, every=2); [s(1), s(2), s(3), s(5)]
[1.0, 1.0, 0.1, 0.01]
>>> s = cosine(lr=1.0, T=4); [round(s(t), 4) for t in range(1, 7)]
[1.0, 0.8536, 0.5, 0.1464, 0.0, 0.0]
"""
from __future__ import annotations

import math

import numpy as np

from ._checks import check_positive, check_range
from .torch_equivalent import TorchEquivalent

__all__ = ["constant", "inverse_power", "step_decay", "ReduceOnPlateau", "robbins_monro",
           "cosine", "warmup_cosine", "one_cycle"]

#: how every torch scheduler below is driven
TORCH_LOOP = "call scheduler.step() once after each optimizer.step()"

FACTOR_WHY = ("factor divides the step size (the notes' 'divide by 10'); a factor <= 1 would not "
              "shrink the step. PyTorch's factor/gamma multiply instead: use 1/factor there")


def _check_count(name, value, low, meaning):
    """A whole number >= low, e.g. the updates between divisions."""
    if not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an integer >= {low} ({meaning}), got {value!r}")
    return int(value)


def _check_t(t):
    if isinstance(t, (int, np.integer)) and t < 1:
        raise ValueError(f"t must be >= 1 (t = 1 is the first update), got {t}")


def _check_factor(factor):
    return check_range("factor", factor, 1, np.inf, low_open=True, why=FACTOR_WHY)


class constant:
    r"""$\eta_t = \eta$ (argument ``lr``)."""

    def __init__(self, lr):
        self.lr = check_positive("lr", lr, why="lr is the step size eta; it must be positive")

    def __call__(self, t):
        return self.lr

    def torch_equivalent(self) -> TorchEquivalent:
        """No scheduler: the optimizer's ``lr``."""
        return TorchEquivalent(None, {}, notes=f"no scheduler: build the optimizer with "
                                               f"lr={self.lr}")

    def __repr__(self):
        return f"constant({self.lr})"


def robbins_monro(p) -> bool:
    r"""Whether $\eta_k = c/k^p$ meets both Robbins-Monro conditions,
    $\sum_k \eta_k = \infty$ and $\sum_k \eta_k^2 < \infty$: exactly when $1/2 < p \le 1$
    (lesson 02 proves it with sympy) [SC-2].

    >>> [robbins_monro(p) for p in (0.5, 0.75, 1.0, 1.5)]
    [False, True, True, False]
    """
    return bool(0.5 < p <= 1)


class inverse_power:
    r"""$\eta_t = c / (t + t_0)^p$ [SC-2].

    ========  ======================================  =========
    symbol    meaning                                 argument
    ========  ======================================  =========
    c         scale (eta_1 when t0 = 0)               ``c``
    p         decay exponent, 0 <= p <= 1             ``p``
    t_0       offset that tames the first steps       ``t0``
    ========  ======================================  =========

    Robbins-Monro holds for 1/2 < p <= 1 (see :func:`robbins_monro` and the attribute
    ``robbins_monro``); p = 1/2 is still allowed because it is the usual choice for convex,
    non-smooth losses (rate O(1/sqrt k), [SC-3]). p > 1 is refused: the steps would sum to a
    finite distance and SGD could stall before the minimum (lesson 02 shows this with a plain
    function as ``lr``).

    PyTorch: ``LambdaLR(opt, lambda e: ((e + 1 + t0) ** -p) * c / lr_torch)`` with
    ``scheduler.step()`` after each ``opt.step()``.
    """

    def __init__(self, c, p=1.0, t0=0.0):
        self.c = check_positive("c", c, why="c scales every step; it must be positive")
        self.p = check_range("p", p, 0, 1, high_open=False,
                             why="p > 1 shrinks the steps so fast that their sum stays finite "
                                 "(Robbins-Monro wants 1/2 < p <= 1)")
        self.t0 = check_positive("t0", t0, allow_zero=True)

    @property
    def robbins_monro(self) -> bool:
        return robbins_monro(self.p)

    def __call__(self, t):
        _check_t(t)
        return self.c / (t + self.t0) ** self.p     # eta_t = c / (t + t0)^p

    def torch_equivalent(self) -> TorchEquivalent:
        """``LambdaLR`` with a multiplier of the optimizer's lr (a function: given as text)."""
        lr = self(1)
        return TorchEquivalent(
            "LambdaLR", {"lr_lambda": f"lambda e: (e + 1 + {self.t0!r}) ** -{self.p!r} * "
                                      f"{self.c!r} / {lr!r}"},
            notes=f"build the optimizer with lr={lr!r} (eta_1); {TORCH_LOOP}")

    def __repr__(self):
        return f"inverse_power(c={self.c}, p={self.p}, t0={self.t0})"


class step_decay:
    r"""Divide the step by ``factor`` every ``every`` updates [VM-6]:
    $\eta_t = \eta / \text{factor}^{\lfloor (t-1)/\text{every}\rfloor}$.

    With ``every = 1`` this is the geometric decay $\eta_t = \eta\, q^{t-1}$, $q = 1/\text{factor}$,
    whose steps sum to the finite $\eta/(1-q)$: it breaks Robbins-Monro and can stall (lesson 02).

    ========  =====================================  ==========  =========================
    symbol    meaning                                argument    PyTorch StepLR
    ========  =====================================  ==========  =========================
    eta       initial step size                      ``lr``      the optimizer's ``lr``
              divisor (> 1)                          ``factor``  ``gamma = 1 / factor``
              updates between two divisions          ``every``   ``step_size``
    ========  =====================================  ==========  =========================

    PyTorch: ``StepLR(opt, step_size=every, gamma=1/factor)`` with ``scheduler.step()`` after
    each ``opt.step()`` gives the same eta_t (tests/test_schedules.py checks it).

    >>> step_decay(lr=0.5, factor=1.0)
    Traceback (most recent call last):
    ...
    ValueError: factor must be in (1, inf), got 1.0: factor divides the step size (the notes' 'divide by 10'); a factor <= 1 would not shrink the step. PyTorch's factor/gamma multiply instead: use 1/factor there
    """

    def __init__(self, lr, factor=10.0, every=1):
        self.lr = check_positive("lr", lr, why="lr is the initial step size eta")
        self.factor = _check_factor(factor)
        self.every = _check_count("every", every, 1, "updates between divisions")

    def __call__(self, t):
        _check_t(t)
        n = (t - 1) // self.every                          # divisions so far
        return self.lr * self.factor ** -float(n)          # underflows to 0, never overflows

    def torch_equivalent(self) -> TorchEquivalent:
        """``StepLR(step_size=every, gamma=1/factor)``."""
        return TorchEquivalent("StepLR", {"step_size": self.every, "gamma": 1 / self.factor},
                               notes=f"build the optimizer with lr={self.lr!r}; {TORCH_LOOP}; "
                                     f"torch multiplies by gamma = 1/factor")

    def __repr__(self):
        return f"step_decay(lr={self.lr}, factor={self.factor}, every={self.every})"


class ReduceOnPlateau:
    r"""Keep the step fixed until the loss stops improving, then divide it by ``factor`` [VM-6].

    A stateful schedule: feed it a loss with :meth:`step` (after each epoch, or every few
    updates with a window average of recent batch losses, [VM-5]); call it like any schedule,
    ``sched(t)``, to read the current step size, so it works as any optimizer's ``lr``.

    The rule (the same as PyTorch's ``ReduceLROnPlateau`` in mode "min", relative threshold):
    a loss counts as an improvement when ``loss < best * (1 - threshold)``; after more than
    ``patience`` fed losses in a row without improvement, ``eta <- max(eta / factor, min_lr)``
    and the count restarts.

    ===========  ============================================  ==========================
    argument     meaning                                       PyTorch ReduceLROnPlateau
    ===========  ============================================  ==========================
    ``lr``       initial step size eta                         the optimizer's ``lr``
    ``factor``   divisor (> 1), e.g. 10                        ``factor = 1 / factor``
    ``patience`` non-improving losses tolerated                ``patience``
    ``threshold`` relative improvement that counts, [0, 1)     ``threshold`` (mode "rel")
    ``min_lr``   floor for eta                                 ``min_lr``
    ===========  ============================================  ==========================

    >>> s = ReduceOnPlateau(lr=1.0, factor=10, patience=1)
    >>> for loss in [3.0, 2.0, 2.0, 2.0]: _ = s.step(loss)
    >>> s(1), s.reductions
    (0.1, [4])
    """

    def __init__(self, lr, factor=10.0, patience=5, threshold=1e-4, min_lr=0.0):
        self.lr0 = check_positive("lr", lr, why="lr is the initial step size eta")
        self.factor = _check_factor(factor)
        self.patience = _check_count("patience", patience, 0,
                                     "losses without improvement tolerated")
        self.threshold = check_range("threshold", threshold, 0, 1,
                                     why="threshold is the relative improvement that counts")
        self.min_lr = check_range("min_lr", min_lr, 0, self.lr0, high_open=False,
                                  why="min_lr is a floor below the initial step size lr")
        self.reset()

    def reset(self):
        """Back to the initial step size, with no loss seen."""
        self.lr = self.lr0
        self.best = math.inf
        self.bad = 0            # fed losses in a row without improvement
        self.n = 0              # losses fed so far
        self.reductions = []    # the n at which eta was divided

    def step(self, loss):
        """Feed one loss; returns the (possibly reduced) step size."""
        loss = float(loss)
        if not math.isfinite(loss):
            raise ValueError(f"loss must be finite, got {loss}: the run has diverged; "
                             "lower lr instead of waiting for a plateau")
        self.n += 1
        if loss < self.best * (1 - self.threshold):
            self.best, self.bad = loss, 0
        else:
            self.bad += 1
        if self.bad > self.patience:
            new = max(self.lr / self.factor, self.min_lr)
            if self.lr - new > 1e-12 * self.lr0:
                self.lr = new
                self.reductions.append(self.n)
            self.bad = 0
        return self.lr

    def __call__(self, t):
        return self.lr

    def torch_equivalent(self) -> TorchEquivalent:
        """``ReduceLROnPlateau`` in mode "min" with a relative threshold."""
        return TorchEquivalent(
            "ReduceLROnPlateau", {"mode": "min", "factor": 1 / self.factor,
                                  "patience": self.patience, "threshold": self.threshold,
                                  "threshold_mode": "rel", "min_lr": self.min_lr},
            exact_when="fed the same losses: torch's lr after its n-th step(loss) is ours "
                       "after our n-th step(loss)",
            notes=f"build the optimizer with lr={self.lr0!r}; call scheduler.step(loss) where "
                  f"this schedule is fed; torch multiplies by factor = 1/factor")

    def __repr__(self):
        return (f"ReduceOnPlateau(lr={self.lr0}, factor={self.factor}, patience={self.patience}, "
                f"threshold={self.threshold}, min_lr={self.min_lr})")


# --------------------------------------------------------------------------- used in practice
def _check_lr_min(lr_min, lr):
    return check_range("lr_min", lr_min, 0, lr, high_open=False,
                       why="lr_min is the floor eta_min the step decays to, at most lr")


def _cosine_arc(lr, lr_min, u, T):
    r"""$\eta_{\min} + (\eta - \eta_{\min})(1 + \cos(\pi u / T))/2$ for $0 \le u \le T$, then
    $\eta_{\min}$: half a cosine from lr (u = 0) down to lr_min (u = T)."""
    if u >= T:
        return lr_min
    return lr_min + (lr - lr_min) * (1 + math.cos(math.pi * u / T)) / 2


class cosine:
    r"""Cosine decay from ``lr`` to ``lr_min`` over ``T`` updates [PR-2]:

    $$\eta_t = \eta_{\min} + (\eta - \eta_{\min})\,\frac{1 + \cos(\pi (t-1)/T)}{2}
    \quad (t - 1 \le T), \qquad \eta_t = \eta_{\min} \quad (t - 1 > T).$$

    So eta_1 = lr, the step falls slowly, then fast, then slowly again, and eta_{T+1} = lr_min.
    A run of T updates (t = 1..T) ends just above lr_min.

    ==========  ========================================  ===========================
    symbol      meaning                                   PyTorch CosineAnnealingLR
    ==========  ========================================  ===========================
    eta         first step size, ``lr``                   the optimizer's ``lr``
    T           updates the decay spans, ``T``            ``T_max``
    eta_min     floor, ``lr_min`` (0 <= lr_min <= lr)     ``eta_min``
    ==========  ========================================  ===========================

    PyTorch: ``CosineAnnealingLR(opt, T_max=T, eta_min=lr_min)``, stepped after each
    ``opt.step()``, sets for its step counter e = 0, 1, ... the lr
    $\eta_{\min} + (\eta - \eta_{\min})(1 + \cos(\pi e/T))/2$ (computed by a recursion that
    agrees with this closed form to rounding, about 1e-15 relative). With e = t - 1 that is
    our eta_t for every t <= T + 1. Past that the two part: torch keeps following the cosine,
    which climbs back to lr at e = 2T (period 2T), while this schedule stays at lr_min. Set T
    to the length of the run and the difference never shows.

    >>> s = cosine(lr=0.1, T=10, lr_min=0.001); s(1), s(11), s(50)
    (0.1, 0.001, 0.001)
    """

    def __init__(self, lr, T, lr_min=0.0):
        self.lr = check_positive("lr", lr, why="lr is the first step size eta")
        self.T = _check_count("T", T, 1, "updates the decay spans")
        self.lr_min = _check_lr_min(lr_min, self.lr)

    def __call__(self, t):
        _check_t(t)
        return _cosine_arc(self.lr, self.lr_min, t - 1, self.T)    # u = t - 1 updates done

    def torch_equivalent(self) -> TorchEquivalent:
        return TorchEquivalent(
            "CosineAnnealingLR", {"T_max": self.T, "eta_min": self.lr_min},
            exact_when=f"for t <= T + 1 = {self.T + 1} (torch's counter e = t - 1 <= T_max); "
                       "past T torch's lr climbs back along the cosine, ours stays at lr_min",
            notes=f"build the optimizer with lr={self.lr!r}; {TORCH_LOOP}")

    def __repr__(self):
        return f"cosine(lr={self.lr}, T={self.T}, lr_min={self.lr_min})"


class warmup_cosine:
    r"""Linear warm-up over ``warmup`` updates, then cosine decay to ``lr_min`` [PR-2]:

    $$\eta_t = \eta\Big(s + (1 - s)\frac{t-1}{w}\Big) \quad (t \le w), \qquad
    \eta_t = \eta_{\min} + (\eta - \eta_{\min})\frac{1 + \cos(\pi (t-1-w)/(T-w))}{2}
    \quad (w < t \le T + 1),$$

    then $\eta_{\min}$; $w$ = ``warmup``, $s$ = ``start_factor``. The step starts at $s\eta$,
    grows by $(1-s)\eta/w$ per update, reaches $\eta$ at $t = w + 1$ (the first cosine step)
    and falls to lr_min at $t = T + 1$: ``T`` counts the whole run, warm-up included.

    ================  =====================================  =================================
    symbol            meaning                                PyTorch
    ================  =====================================  =================================
    eta               peak step size, ``lr``                 the optimizer's ``lr``
    w                 warm-up updates, ``warmup`` (< T)      ``LinearLR(total_iters=w)``,
                                                             ``SequentialLR(milestones=[w])``
    s                 first step / eta, ``start_factor``     ``LinearLR(start_factor=s)``
                      in (0, 1]; torch's default 1/3
    T                 updates of the whole run, ``T``        ``CosineAnnealingLR(T_max=T - w)``
    eta_min           floor, ``lr_min``                      ``CosineAnnealingLR(eta_min=)``
    ================  =====================================  =================================

    PyTorch: ``SequentialLR(opt, [LinearLR(opt, start_factor=s, total_iters=w),
    CosineAnnealingLR(opt, T_max=T - w, eta_min=lr_min)], milestones=[w])`` stepped after each
    ``opt.step()`` gives the same eta_t for every t <= T + 1 (past that, see :class:`cosine`).

    >>> s = warmup_cosine(lr=1.0, warmup=4, T=8, start_factor=0.25)
    >>> [round(s(t), 4) for t in range(1, 10)]
    [0.25, 0.4375, 0.625, 0.8125, 1.0, 0.8536, 0.5, 0.1464, 0.0]
    """

    def __init__(self, lr, warmup, T, lr_min=0.0, start_factor=1 / 3):
        self.lr = check_positive("lr", lr, why="lr is the peak step size eta")
        self.warmup = _check_count("warmup", warmup, 1, "updates of the linear warm-up")
        self.T = _check_count("T", T, self.warmup + 1,
                              f"updates of the whole run, warm-up included: more than "
                              f"warmup = {self.warmup}")
        self.lr_min = _check_lr_min(lr_min, self.lr)
        self.start_factor = check_range("start_factor", start_factor, 0, 1, low_open=True,
                                        high_open=False,
                                        why="the first step is start_factor * lr")

    def __call__(self, t):
        _check_t(t)
        w, s = self.warmup, self.start_factor
        if t <= w:
            return self.lr * (s + (1 - s) * (t - 1) / w)        # eta (s + (1 - s)(t-1)/w)
        return _cosine_arc(self.lr, self.lr_min, t - 1 - w, self.T - w)

    def torch_equivalent(self) -> TorchEquivalent:
        w = self.warmup
        return TorchEquivalent(
            "SequentialLR",
            {"schedulers": [TorchEquivalent("LinearLR", {"start_factor": self.start_factor,
                                                         "end_factor": 1.0, "total_iters": w}),
                            TorchEquivalent("CosineAnnealingLR", {"T_max": self.T - w,
                                                                  "eta_min": self.lr_min})],
             "milestones": [w]},
            exact_when=f"for t <= T + 1 = {self.T + 1}; past T torch's cosine climbs back",
            notes=f"build the optimizer with lr={self.lr!r}, then both schedulers on it, then "
                  f"SequentialLR; {TORCH_LOOP} (of SequentialLR only)")

    def __repr__(self):
        return (f"warmup_cosine(lr={self.lr}, warmup={self.warmup}, T={self.T}, "
                f"lr_min={self.lr_min}, start_factor={self.start_factor})")


def _anneal(start, end, pct, how):
    """From ``start`` (pct = 0) to ``end`` (pct = 1), along half a cosine or a line (written
    as torch's OneCycleLR writes it, so the two agree to the last bit)."""
    if how == "cos":
        return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
    return (end - start) * pct + start


class one_cycle:
    r"""The one-cycle policy [PR-2]: up from $\eta_{\max}/\text{div}$ to $\eta_{\max}$, then
    down to $\eta_{\max}/(\text{div}\cdot\text{final\_div})$, over a run of exactly ``T``
    updates (torch's two-phase ``OneCycleLR``).

    With $e = t - 1$, $p = $ ``pct_start`` and the phase boundary $e_1 = pT - 1$:

    $$\eta_t = \text{anneal}\big(\eta_0, \eta_{\max}, e/e_1\big) \quad (e \le e_1), \qquad
    \eta_t = \text{anneal}\big(\eta_{\max}, \eta_{\text{end}}, (e - e_1)/(T - 1 - e_1)\big)
    \quad (e > e_1),$$

    $\eta_0 = \eta_{\max}/\text{div}$, $\eta_{\text{end}} = \eta_0/\text{final\_div}$, and
    anneal is half a cosine (``anneal="cos"``) or a straight line (``"linear"``). So
    eta_1 = eta_0, the peak is reached at e = pT - 1 when that is a whole number, and the
    last update (t = T) uses eta_end. ``t > T`` is refused, as torch refuses to step past
    ``total_steps``.

    ======================  ============================================  =====================
    argument                meaning                                       PyTorch OneCycleLR
    ======================  ============================================  =====================
    ``lr_max``              peak step size eta_max                        ``max_lr``
    ``T``                   updates of the whole run                      ``total_steps``
    ``pct_start``           share of T spent going up, 1/T < p < 1        ``pct_start``
    ``div_factor``          eta_0 = eta_max / div_factor (>= 1)           ``div_factor``
    ``final_div_factor``    eta_end = eta_0 / final_div_factor (>= 1)     ``final_div_factor``
    ``anneal``              "cos" or "linear"                             ``anneal_strategy``
    ======================  ============================================  =====================

    PyTorch: ``OneCycleLR(opt, max_lr=lr_max, total_steps=T, pct_start=p, anneal_strategy=anneal,
    div_factor=..., final_div_factor=..., three_phase=False, cycle_momentum=False)``; the
    optimizer's own lr is ignored. NOTE: torch's default ``cycle_momentum=True`` also moves SGD's
    momentum (or Adam's beta1) between 0.95 and 0.85 each step; the course's optimizers keep
    gamma and beta1 fixed, so the equivalent turns it off.

    >>> s = one_cycle(lr_max=1.0, T=10, pct_start=0.3, div_factor=10, final_div_factor=100)
    >>> [round(s(t), 4) for t in (1, 2, 3, 4, 10)]
    [0.1, 0.55, 1.0, 0.9505, 0.001]
    """

    def __init__(self, lr_max, T, pct_start=0.3, div_factor=25.0, final_div_factor=1e4,
                 anneal="cos"):
        self.lr_max = check_positive("lr_max", lr_max, why="lr_max is the peak step size")
        self.T = _check_count("T", T, 2, "updates of the whole run")
        self.pct_start = check_range(
            "pct_start", pct_start, 1 / self.T, 1, low_open=True,
            why=f"the rise must span more than one update (pct_start * T - 1 > 0, torch divides "
                f"by it) and leave at least one for the fall; T = {self.T}")
        self.div_factor = check_range("div_factor", div_factor, 1, np.inf,
                                      why="the first step is lr_max / div_factor, at most lr_max")
        self.final_div_factor = check_range(
            "final_div_factor", final_div_factor, 1, np.inf,
            why="the last step is lr_max / (div_factor * final_div_factor)")
        if anneal not in ("cos", "linear"):
            raise ValueError(f"anneal must be 'cos' or 'linear', got {anneal!r}")
        self.anneal = anneal

    @property
    def lr_start(self):
        """eta_0 = lr_max / div_factor, the first step (torch's ``initial_lr``)."""
        return self.lr_max / self.div_factor

    @property
    def lr_end(self):
        """eta_end = eta_0 / final_div_factor, the last step (torch's ``min_lr``)."""
        return self.lr_start / self.final_div_factor

    def __call__(self, t):
        _check_t(t)
        if t > self.T:
            raise ValueError(f"t must be <= T = {self.T} (one_cycle covers exactly T updates), "
                             f"got {t}")
        e = t - 1                                            # torch's step counter
        e1 = float(self.pct_start * self.T) - 1              # last step of the rise
        if e <= e1:
            return _anneal(self.lr_start, self.lr_max, e / e1, self.anneal)
        return _anneal(self.lr_max, self.lr_end, (e - e1) / (self.T - 1 - e1), self.anneal)

    def torch_equivalent(self) -> TorchEquivalent:
        return TorchEquivalent(
            "OneCycleLR", {"max_lr": self.lr_max, "total_steps": self.T,
                           "pct_start": float(self.pct_start), "anneal_strategy": self.anneal,
                           "div_factor": self.div_factor,
                           "final_div_factor": self.final_div_factor, "three_phase": False,
                           "cycle_momentum": False},
            exact_when="always (for t = 1..T; both refuse to go past T)",
            notes=f"the optimizer's lr is ignored; {TORCH_LOOP}; cycle_momentum=False keeps "
                  "momentum / beta1 fixed, as the course's optimizers do")

    def __repr__(self):
        return (f"one_cycle(lr_max={self.lr_max}, T={self.T}, pct_start={self.pct_start}, "
                f"div_factor={self.div_factor}, final_div_factor={self.final_div_factor}, "
                f"anneal={self.anneal!r})")
