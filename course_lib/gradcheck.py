r"""Gradient checks by central differences (numpy only).

Used by the batch-norm lessons, the tests and the network of lesson 12.

>>> import numpy as np
>>> f = lambda x: np.sum(x ** 3)
>>> x = np.array([1.0, -2.0])
>>> rel_error(numerical_gradient(f, x), 3 * x ** 2) < 1e-8
True
"""
from __future__ import annotations

import numpy as np

from ._checks import check_positive

__all__ = ["numerical_gradient", "rel_error", "check_gradient"]


def numerical_gradient(f, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    r"""Central differences $\partial f/\partial x_i \approx (f(x + h e_i) - f(x - h e_i)) / 2h$.

    `f` maps the array `x` to a scalar; `x` is probed in place (so `f` must read its
    argument) and restored after each probe. Cost: 2 x.size calls of `f`. In float64,
    h = 1e-5 balances truncation error (~h^2) against rounding error (~1e-16/h).
    """
    check_positive("h", h)
    x = np.asarray(x, dtype=float)
    shape = np.shape(f(x))
    if shape != ():
        raise ValueError(f"f must return a scalar (the loss), got an array of shape "
                         f"{shape}; sum it against an upstream gradient first")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        grad[i] = (fp - fm) / (2 * h)
    return grad


def rel_error(a, b) -> float:
    r"""Relative error as CS231n defines it: $\max_i |a_i - b_i| / \max(10^{-8}, |a_i| + |b_i|)$."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"a has shape {a.shape} but b has shape {b.shape}; they must match")
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def check_gradient(f, x, analytic, h: float = 1e-5, tol: float = 1e-7, name: str = "") -> float:
    """Compare an analytic gradient with central differences; raise AssertionError past tol.

    Returns the relative error (CS231n's definition, :func:`rel_error`). A NaN anywhere fails.

    >>> check_gradient(lambda x: np.sum(x ** 2), np.array([1.0, 2.0]), np.array([2.0, 4.0])) < 1e-9
    True
    >>> check_gradient(lambda x: np.sum(x ** 2), np.array([1.0, 2.0]), np.array([2.0, 5.0]),
    ...                name="dx")
    Traceback (most recent call last):
    ...
    AssertionError: gradient check of dx failed: relative error 1.11e-01 >= 1e-07
    """
    err = rel_error(numerical_gradient(f, x, h), analytic)
    if not err < tol:
        what = f" of {name}" if name else ""
        raise AssertionError(f"gradient check{what} failed: relative error {err:.2e} >= {tol:g}")
    return err
