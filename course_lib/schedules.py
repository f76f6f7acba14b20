r"""Step-size schedules: any callable ``t -> eta_t`` (t = 1 on the first update), numpy only.

Every optimizer of the course accepts one as ``lr`` [SC-1, SC-2, VM-6, TN-3].

==================  =====================================================  ==========================
schedule            eta_t                                                  PyTorch
==================  =====================================================  ==========================
:class:`constant`   $\eta$                                                 plain ``lr``
:class:`inverse_power`  $c / (t + t_0)^p$                                  ``LambdaLR``
:class:`step_decay` $\eta / \text{factor}^{\lfloor (t-1)/\text{every} \rfloor}$  ``StepLR(step_size=every, gamma=1/factor)``
:class:`ReduceOnPlateau`  $\eta$ until the fed loss stops improving, then $/\,\text{factor}$  ``ReduceLROnPlateau(factor=1/factor)``
==================  =====================================================  ==========================

NOTE on ``factor``: the notes say "divide the step by a factor such as 10", so here
``factor`` is the DIVISOR (> 1). PyTorch's ``StepLR(gamma=...)`` and
``ReduceLROnPlateau(factor=...)`` MULTIPLY, so they take ``1 / factor``. A factor <= 1 would
not shrink the step and is refused.

>>> s = inverse_power(c=1.0, p=1.0); [s(1), s(2), s(4)]
[1.0, 0.5, 0.25]
>>> s = step_decay(lr=1.0, factor=10, every=2); [s(1), s(2), s(3), s(5)]
[1.0, 1.0, 0.1, 0.01]
"""
from __future__ import annotations

import math

import numpy as np

from ._checks import check_positive, check_range

__all__ = ["constant", "inverse_power", "step_decay", "ReduceOnPlateau", "robbins_monro"]

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

    def __repr__(self):
        return (f"ReduceOnPlateau(lr={self.lr0}, factor={self.factor}, patience={self.patience}, "
                f"threshold={self.threshold}, min_lr={self.min_lr})")
