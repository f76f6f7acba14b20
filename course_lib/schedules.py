r"""Step-size schedules: any callable ``t -> eta_t`` (t = 1 on the first update), numpy only.

Every optimizer of the course accepts one as ``lr``.

>>> s = inverse_power(c=1.0, p=1.0); [s(1), s(2), s(4)]
[1.0, 0.5, 0.25]
"""
from __future__ import annotations

from ._checks import check_positive, check_range

__all__ = ["constant", "inverse_power"]


class constant:
    r"""$\eta_t = \eta$."""

    def __init__(self, lr):
        self.lr = check_positive("lr", lr)

    def __call__(self, t):
        return self.lr

    def __repr__(self):
        return f"constant({self.lr})"


class inverse_power:
    r"""$\eta_t = c / (t + t_0)^p$; Robbins-Monro holds for 1/2 < p <= 1."""

    def __init__(self, c, p=1.0, t0=0.0):
        self.c = check_positive("c", c)
        self.p = check_range("p", p, 0, 1, high_open=False,
                             why="p > 1 shrinks the steps so fast that their sum stays finite")
        self.t0 = check_positive("t0", t0, allow_zero=True)

    def __call__(self, t):
        return self.c / (t + self.t0) ** self.p

    def __repr__(self):
        return f"inverse_power(c={self.c}, p={self.p}, t0={self.t0})"
