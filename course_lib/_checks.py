"""Argument checks shared by the whole library (numpy only).

Every check runs *before* any state is touched, and its message names the
argument, the allowed range and the value it got, so that a refused call
teaches something and changes nothing.
"""
from __future__ import annotations

import numbers

import numpy as np

# numbers or symbols? (defined with the symbolic-aware math; re-exported, the checks use them)
from .symmath import is_numeric, is_symbolic  # noqa: F401


def check_range(name, value, low, high, *, low_open=False, high_open=True, why=""):
    """Raise ValueError unless low <= value < high (or the chosen open/closed ends).

    Symbolic values (sympy) pass unchecked: a proof may use a symbol for gamma. Anything
    else that is not a real number (None, a string, a bool, an array) is a TypeError.

    >>> check_range("gamma", 1.0, 0, 1)
    Traceback (most recent call last):
    ...
    ValueError: gamma must be in [0, 1), got 1.0
    >>> check_range("gamma", "0.9", 0, 1)
    Traceback (most recent call last):
    ...
    TypeError: gamma must be a real number in [0, 1), got str '0.9'
    """
    if is_symbolic(value):
        return value
    if isinstance(value, np.ndarray):
        raise TypeError(f"{name} must be a number, got an array of shape {value.shape}")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.number)) \
            or isinstance(value, (complex, np.complexfloating)):
        lo, hi = "(" if low_open else "[", ")" if high_open else "]"
        hi_txt = "inf" if high == np.inf else f"{high:g}"
        raise TypeError(f"{name} must be a real number in {lo}{low:g}, {hi_txt}{hi}, "
                        f"got {type(value).__name__} {value!r}")
    ok_low = value > low if low_open else value >= low
    ok_high = value < high if high_open else value <= high
    if not (np.isfinite(value) or (not high_open and high == np.inf)) or not (ok_low and ok_high):
        lo = "(" if low_open else "["
        hi = ")" if high_open else "]"
        hi_txt = "inf" if high == np.inf else f"{high:g}"
        msg = f"{name} must be in {lo}{low:g}, {hi_txt}{hi}, got {value!r}"
        raise ValueError(msg + (f": {why}" if why else ""))
    return value


def check_positive(name, value, *, allow_zero=False, why=""):
    """Raise ValueError unless value > 0 (or >= 0 with allow_zero)."""
    return check_range(name, value, 0, np.inf, low_open=not allow_zero, why=why)


def check_finite(name, x):
    """Raise ValueError if a numeric array holds NaN or infinity (sympy passes)."""
    if not is_numeric(x):
        return x
    a = np.asarray(x)
    if a.dtype.kind in "fc" and a.size > 64:
        with np.errstate(over="ignore", invalid="ignore"):
            total = a.sum()
        if np.isfinite(total):
            return x                               # one pass: a finite sum means no NaN or inf
    if not np.all(np.isfinite(a)):
        bad = np.size(x) - int(np.sum(np.isfinite(np.asarray(x))))
        raise ValueError(f"{name} must be finite, got {bad} NaN or infinite value(s)")
    return x


def check_same_shape(name, x, ref_name, ref):
    """Raise ValueError unless x and ref have the same shape (scalars and sympy pass)."""
    sx, sr = np.shape(x) if is_numeric(x) else None, np.shape(ref) if is_numeric(ref) else None
    if sx is not None and sr is not None and sx != sr:
        raise ValueError(f"{name} has shape {sx} but {ref_name} has shape {sr}; they must match")
    return x
