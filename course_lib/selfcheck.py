r"""Self-checks that teach: assertions for exercise notebooks (numpy only).

A failing check raises :class:`SelfCheckError` (an ``AssertionError``, so graders and
pytest count it as a failed test) whose message says *what* is wrong, *by how much*
and *what to try*, instead of a bare ``AssertionError``::

    >>> import numpy as np
    >>> expect_close("step", np.array([0.1, 0.2]), np.array([0.1, 0.25]),
    ...              hint="the step is -lr * g")
    Traceback (most recent call last):
    ...
    course_lib.selfcheck.SelfCheckError: step is not right yet: largest difference 0.05 at index 1 (got 0.2, expected 0.25).
      got:      [0.1 0.2]
      expected: [0.1  0.25]
      Hint: the step is -lr * g

The checks run in this order, so the first message names the first real problem:
defined at all, right type, right shape, finite, right values. Each returns the value
checked, so a cell can end with a passing check and show the value.
"""
from __future__ import annotations

import numbers

import numpy as np

__all__ = ["SelfCheckError", "expect_close", "expect_type", "expect_shape", "expect_finite",
           "expect_true", "expect_callable", "expect_defined", "passed"]


class SelfCheckError(AssertionError):
    """A self-check that failed; the message explains what is wrong and gives a hint."""


def _fail(message: str, hint: str = ""):
    text = message + (f"\n  Hint: {hint}" if hint else "")
    raise SelfCheckError(text)


def _a(noun: str) -> str:
    """'a float', 'an int': the article that reads right."""
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def _short(x, limit: int = 200) -> str:
    text = np.array2string(np.asarray(x), threshold=20, precision=6) \
        if isinstance(x, (np.ndarray, list, tuple)) else repr(x)
    return text if len(text) <= limit else text[:limit] + " ..."


def expect_callable(name: str, obj, hint: str = ""):
    """Check that `obj` is a function (for example, that the student did not delete it)."""
    if not callable(obj):
        _fail(f"{name} should be a function, got {type(obj).__name__}", hint)
    return obj


def expect_defined(name: str, namespace: dict, hint: str = ""):
    """Check that `name` is defined in `namespace` (pass ``globals()``) and is a function,
    so that a deleted, renamed or not yet run definition gets a message, not a NameError.

    >>> expect_defined("sgd_step", {})
    Traceback (most recent call last):
    ...
    course_lib.selfcheck.SelfCheckError: sgd_step is not defined. Run the cell that defines it (or Kernel -> Restart & Run All); if you deleted or renamed it, restore `def sgd_step(...)` with the name and arguments given in the question.
    """
    if name not in namespace:
        _fail(f"{name} is not defined. Run the cell that defines it (or Kernel -> Restart & Run "
              f"All); if you deleted or renamed it, restore `def {name}(...)` with the name and "
              "arguments given in the question.", hint)
    return expect_callable(name, namespace[name], hint)


def expect_type(name: str, got, types, hint: str = ""):
    """Check ``isinstance(got, types)``; `types` is a type or a tuple of types."""
    if not isinstance(got, types):
        want = " or ".join(t.__name__ for t in (types if isinstance(types, tuple) else (types,)))
        _fail(f"{name} should be {_a(want)}, got {_a(type(got).__name__)}: {_short(got)}", hint)
    return got


def _as_numeric(name: str, got, hint: str):
    if got is None:
        _fail(f"{name} is None: did the function forget to `return` its result?", hint)
    if isinstance(got, (str, bytes, dict, set)):
        _fail(f"{name} should be a number or a numpy array, got a {type(got).__name__}: "
              f"{_short(got)}", hint)
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        _fail(f"{name} should be a number or a numpy array of numbers, got a "
              f"{type(got).__name__}: {_short(got)}", hint)
    return arr


def expect_shape(name: str, got, shape, hint: str = ""):
    """Check ``np.shape(got) == shape``."""
    arr = _as_numeric(name, got, hint)
    if arr.shape != tuple(shape):
        _fail(f"{name} has shape {arr.shape}, expected {tuple(shape)}", hint)
    return got


def expect_finite(name: str, got, hint: str = ""):
    """Check that every entry is a finite number (no NaN, no infinity)."""
    arr = _as_numeric(name, got, hint)
    bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
    if bad:
        what = "NaN" if np.isnan(arr).any() else "infinite"
        _fail(f"{name} holds {bad} {what} value(s): {_short(got)}. A division by zero, "
              "a square root of a negative number, or a step size that is too large "
              "makes these", hint)
    return got


def expect_close(name: str, got, want, hint: str = "", rtol: float = 1e-7, atol: float = 1e-10,
                 array: bool | None = None):
    """Check that `got` equals `want` to within ``atol + rtol * |want|``, entry by entry.

    Also checks, first, that `got` is numeric, has want's shape and is finite. With
    ``array=True`` `got` must be a numpy array (not a list or a tuple); the default
    requires an array exactly when `want` is one.
    """
    want_arr = np.asarray(want, dtype=float)
    if array is None:
        array = isinstance(want, np.ndarray)
    if got is None or isinstance(got, (str, bytes, dict, set)):
        _as_numeric(name, got, hint)          # the clearer message for these mistakes
    if array and not isinstance(got, np.ndarray):
        _fail(f"{name} should be a numpy array, got a {type(got).__name__}: {_short(got)}",
              hint or "build the result with numpy operations, or wrap it in np.asarray(...)")
    arr = _as_numeric(name, got, hint)
    if arr.shape != want_arr.shape:
        _fail(f"{name} has shape {arr.shape}, expected {want_arr.shape}", hint)
    expect_finite(name, got, hint)
    err = np.abs(arr - want_arr)
    tol = atol + rtol * np.abs(want_arr)
    if np.any(err > tol):
        if arr.ndim == 0:
            _fail(f"{name} is not right yet: got {float(arr):.6g}, expected {float(want_arr):.6g}"
                  f" (difference {float(err):.3g})", hint)
        i = tuple(int(j) for j in np.unravel_index(int(np.argmax(err - tol)), arr.shape))
        where = i[0] if len(i) == 1 else i
        _fail(f"{name} is not right yet: largest difference {err[i]:.3g} at index {where} "
              f"(got {arr[i]:.6g}, expected {want_arr[i]:.6g}).\n"
              f"  got:      {_short(arr)}\n  expected: {_short(want_arr)}", hint)
    return got


def expect_true(condition, message: str, hint: str = ""):
    """Check a condition; `message` says what is wrong when it does not hold."""
    if isinstance(condition, np.ndarray):
        condition = bool(condition.all())
    if not condition:
        _fail(message, hint)
    return True


def passed(what: str = "") -> None:
    """Print a short confirmation at the end of a self-check cell."""
    print(f"Self-check passed{': ' + what if what else ''}.")


def is_number(x) -> bool:
    """True for Python and numpy real numbers (not bool)."""
    return isinstance(x, (numbers.Real, np.floating, np.integer)) and not isinstance(x, bool)
