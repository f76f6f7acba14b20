"""The ground floor: arithmetic that runs on numbers, numpy arrays and sympy symbols alike.

The optimizers' rules, the test functions of :mod:`course_lib.landscapes` and batch norm's
forward pass are written once, with these helpers where numpy and sympy disagree, so the
proofs run the library's own code on symbols (lesson 00 shows how). Nothing here imports
sympy at module level: :func:`sign` and :func:`maximum` import it only when an argument is
already a sympy object, so the numerical core never loads it (``tests/test_layering.py``).
"""
from __future__ import annotations

import numbers
from fractions import Fraction

import numpy as np

__all__ = ["is_symbolic", "is_numeric", "sqrt", "abs_", "sign", "maximum"]


def is_symbolic(x) -> bool:
    """True for sympy objects (without importing sympy)."""
    return type(x).__module__.split(".")[0] == "sympy"


def is_numeric(x) -> bool:
    """True for numbers and numeric numpy arrays; False for sympy expressions."""
    if isinstance(x, np.ndarray):
        return x.dtype.kind in "biufc"
    if isinstance(x, (list, tuple)):
        return all(is_numeric(v) for v in x)
    if is_symbolic(x):                      # sympy's Integer and Rational are Numbers
        return False
    return isinstance(x, (numbers.Number, np.number))


def sqrt(x):
    """Square root for numbers and numeric arrays (numpy) and for sympy expressions or
    object arrays of them (``x ** (1/2)`` with an exact one half)."""
    return np.sqrt(x) if is_numeric(x) else x ** Fraction(1, 2)


def abs_(x):
    """Absolute value for numbers, arrays and sympy expressions."""
    return np.abs(x) if is_numeric(x) else abs(x)


def sign(x):
    """Sign for arrays; sympy's sign for symbols."""
    if is_numeric(x):
        return np.sign(x)
    import sympy  # noqa: PLC0415  (only reached when x is already a sympy object)
    return sympy.sign(x)


def maximum(a, b):
    """Element-wise maximum for arrays; sympy's Max for symbols."""
    if is_numeric(a) and is_numeric(b):
        return np.maximum(a, b)
    import sympy  # noqa: PLC0415  (only reached when a or b is already a sympy object)
    return sympy.Max(a, b)
