r"""Running averages: the one primitive under momentum, RMSprop, Adam, iterate
averaging and batch norm's running statistics  [RA-1, RA-2, RA-3].

$$C_0 = 0, \qquad C_t = \gamma_t C_{t-1} + (1 - \gamma_t)\, c_t$$

`gamma` always weighs the OLD value $C_{t-1}$ (the notes' convention). PyTorch's
batch-norm ``momentum`` weighs the NEW value: ``momentum = 1 - gamma``.

Plain arithmetic only, so every function here also runs on sympy symbols; the
proofs in lesson 04 call this very code.
"""
from __future__ import annotations

from typing import Callable, Iterable, Sequence, Union

import numpy as np

from ._checks import check_range, check_finite, check_same_shape, is_numeric

Gamma = Union[float, Sequence[float], Callable[[int], float]]

__all__ = [
    "running_average", "running_averages", "gamma_at", "debias", "moving_average_weights",
    "mean_gammas", "effective_window", "IterateAverage", "uniform_average_gamma",
    "polynomial_decay_gamma",
]


def running_average(avg, x, gamma):
    r"""One step: $C_t = \gamma C_{t-1} + (1 - \gamma) c_t$; `gamma` weighs the OLD value.

    >>> running_average(0.0, 10.0, 0.5)
    5.0
    """
    return gamma * avg + (1 - gamma) * x   # C_t = gamma C_{t-1} + (1 - gamma) c_t


def gamma_at(gamma: Gamma, t: int):
    """gamma_t for step t = 1, 2, ...: a constant, the t-th entry of a sequence, or gamma(t)."""
    if callable(gamma):
        return gamma(t)
    if isinstance(gamma, (list, tuple, np.ndarray)):
        return gamma[t - 1]
    return gamma


GAMMA_WHY = ("gamma_t is the weight of the old value C_{t-1} and 1 - gamma_t that of the new "
             "input: below 0 a weight turns negative, and at 1 or above every new input is "
             "ignored (or subtracted)")


def _check_gamma(gamma: Gamma, T: int):
    """Validate every gamma_t for t = 1..T before any work is done."""
    for t in range(1, T + 1):
        # gamma_1 = 0 is allowed (the plain mean starts that way); gamma_t = 1 never forgets;
        # a sympy gamma_t passes unchecked
        check_range(f"gamma (at t={t})", gamma_at(gamma, t), 0, 1, why=GAMMA_WHY)


def running_averages(xs: Iterable, gamma: Gamma, C0=0):
    r"""All running averages $C_1, \dots, C_T$ of the inputs $c_1, \dots, c_T$.

    `xs` is a sequence of numbers or of equally shaped arrays (or sympy symbols);
    `gamma` is a constant, a sequence gamma_1..gamma_T, or a function t -> gamma_t.
    `C0` is a scalar (0 in the notes) or an array shaped like each input.
    Returns a list [C_1, ..., C_T].

    >>> running_averages([1.0, 2.0, 3.0], lambda t: (t - 1) / t)   # the plain means
    [1.0, 1.5, 2.0]
    """
    xs = list(xs)
    if len(xs) == 0:
        raise ValueError("xs must hold at least one input c_1, got an empty sequence")
    if isinstance(gamma, (list, tuple, np.ndarray)) and len(gamma) != len(xs):
        raise ValueError(f"gamma has {len(gamma)} entries but xs has {len(xs)}; "
                         "give one gamma_t per input")
    _check_gamma(gamma, len(xs))
    for i, x in enumerate(xs):
        check_finite(f"xs[{i}]", x)
        check_same_shape(f"xs[{i}]", x, "xs[0]", xs[0])
    check_finite("C0", C0)
    if is_numeric(C0) and np.ndim(C0) > 0:     # a scalar C0 is fine; an array must match
        check_same_shape("C0", C0, "each input xs[0]", xs[0])
    C, out = C0, []
    for t, c in enumerate(xs, start=1):
        C = running_average(C, c, gamma_at(gamma, t))   # C_t
        out.append(C)
    return out


def debias(avg, gamma, t: int):
    r"""Bias correction $\hat C_t = C_t / (1 - \gamma^t)$ for a constant gamma and $C_0 = 0$.

    The weights of $C_t$ on $c_1..c_t$ sum to $1 - \gamma^t$, so dividing restores a
    weighted average (weights summing to 1). `t` counts inputs, t = 1 after the first.

    >>> debias(running_average(0.0, 5.0, 0.9), 0.9, 1)
    5.0
    """
    if is_numeric(t) and np.any(np.asarray(t) < 1):
        raise ValueError(f"t must be >= 1 (the number of inputs averaged so far), got {t}")
    check_range("gamma", gamma, 0, 1, why="debias divides by 1 - gamma^t, which is 0 at "
                "gamma = 1 (C_t stays at C_0 = 0 and there is nothing to correct)")
    return avg / (1 - gamma ** t)   # C_t / (1 - gamma^t)


def moving_average_weights(gamma, T: int):
    r"""Closed-form weights: $C_T = \sum_{t=1}^T \gamma^{T-t}(1-\gamma)\, c_t$ for constant gamma.

    Returns the list of weights on c_1..c_T (oldest first).

    >>> [round(w, 3) for w in moving_average_weights(0.5, 3)]
    [0.125, 0.25, 0.5]
    """
    if not isinstance(T, (int, np.integer)) or T < 1:
        raise ValueError(f"T must be an integer >= 1 (the number of inputs), got {T!r}")
    check_range("gamma", gamma, 0, 1, why=GAMMA_WHY)
    return [gamma ** (T - t) * (1 - gamma) for t in range(1, T + 1)]


def mean_gammas(t: int):
    r"""$\gamma_t = (t-1)/t$: with this schedule the running average is the plain mean [RA-2]."""
    return (t - 1) / t


def effective_window(gamma):
    r"""About how many recent inputs dominate: $1/(1-\gamma)$ (the weights' mean age + 1)."""
    check_range("gamma", gamma, 0, 1, why=GAMMA_WHY)
    return 1 / (1 - gamma)


def uniform_average_gamma(t: int):
    r"""Polyak-Ruppert averaging $\bar w_t = \frac1t\sum_{s\le t} w_s$ as a running average:
    gamma_t = (t-1)/t."""
    return (t - 1) / t


def polynomial_decay_gamma(eta: float = 3.0):
    r"""Polynomial-decay averaging (Shamir and Zhang 2013) as a running average:

    $$\bar w_t = \Big(1 - \frac{\eta+1}{t+\eta}\Big)\bar w_{t-1} + \frac{\eta+1}{t+\eta}\, w_t,
    \qquad \gamma_t = 1 - \frac{\eta+1}{t+\eta}$$

    `eta` >= 0 is the small constant of the paper (not a step size); eta = 0 is the uniform
    average. gamma_1 = 0, so the average starts at w_1.

    >>> g = polynomial_decay_gamma(3.0); [g(1), round(g(2), 12)]
    [0.0, 0.2]
    """
    check_range("eta", eta, 0, np.inf, why="the polynomial-decay constant must be >= 0")
    return lambda t: 1 - (eta + 1) / (t + eta)     # gamma_t = 1 - (eta + 1)/(t + eta)


class IterateAverage:
    r"""Average the iterates $w_1, w_2, \dots$ of an optimizer with any gamma schedule.

    Built on :func:`running_average`; `gamma` is a constant, a sequence or a function of t
    (for example :func:`uniform_average_gamma` or ``polynomial_decay_gamma(3)``).

    >>> avg = IterateAverage(uniform_average_gamma)
    >>> for w in [1.0, 2.0, 6.0]: _ = avg.update(w)
    >>> avg.value, avg.t
    (3.0, 3)
    """

    def __init__(self, gamma: Gamma = uniform_average_gamma):
        self.gamma = gamma
        self.t = 0          # iterates averaged so far
        self.value = 0.0    # the average, C_t

    def update(self, w):
        t = self.t + 1
        g = check_range(f"gamma (at t={t})", gamma_at(self.gamma, t), 0, 1, why=GAMMA_WHY)
        check_finite("w", w)
        if self.t > 0:
            check_same_shape("w", w, "the averaged iterates", self.value)
        self.value = running_average(self.value, w, g)   # wbar_t
        self.t = t
        return self.value
