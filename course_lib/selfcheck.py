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
           "expect_true", "expect_callable", "expect_defined", "expect_same_expression", "passed"]


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


def _shape_message(name: str, got_shape, want_shape) -> str:
    text = f"{name} has shape {tuple(got_shape)}, expected {tuple(want_shape)}"
    if len(want_shape) == 2 and tuple(got_shape) == tuple(want_shape)[::-1] and want_shape[0] != want_shape[1]:
        text += " (that is the transpose: check which axis is which)"
    return text


def expect_shape(name: str, got, shape, hint: str = ""):
    """Check ``np.shape(got) == shape``; a transposed result is named as such.

    >>> expect_shape("dZ", np.zeros((5, 3)), (3, 5))
    Traceback (most recent call last):
    ...
    course_lib.selfcheck.SelfCheckError: dZ has shape (5, 3), expected (3, 5) (that is the transpose: check which axis is which)
    """
    arr = _as_numeric(name, got, hint)
    if arr.shape != tuple(shape):
        _fail(_shape_message(name, arr.shape, shape), hint)
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
                 array: bool | None = None, slips=()):
    """Check that `got` equals `want` to within ``atol + rtol * |want|``, entry by entry.

    Also checks, first, that `got` is numeric, has want's shape and is finite. With
    ``array=True`` `got` must be a numpy array (not a list or a tuple); the default
    requires an array exactly when `want` is one. `slips` lists ``(wrong_value, hint)``
    pairs for typical mistakes: when `got` matches one of them, its hint is the one shown.

    >>> expect_close("C", [3.0, 6.75], [1.0, 2.75], hint="C = gamma * C + (1 - gamma) * c",
    ...              slips=[([3.0, 6.75], "gamma weighs the OLD value")])
    Traceback (most recent call last):
    ...
    course_lib.selfcheck.SelfCheckError: C is not right yet: largest difference 4 at index 1 (got 6.75, expected 2.75).
      got:      [3.   6.75]
      expected: [1.   2.75]
      Hint: gamma weighs the OLD value
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
        _fail(_shape_message(name, arr.shape, want_arr.shape), hint)
    expect_finite(name, got, hint)
    err = np.abs(arr - want_arr)
    tol = atol + rtol * np.abs(want_arr)
    if np.any(err > tol):
        for wrong, slip_hint in slips:
            w = np.asarray(wrong, dtype=float)
            if w.shape == arr.shape and np.all(np.abs(arr - w) <= atol + 1e-6 * np.abs(w)):
                hint = slip_hint
                break
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


def _as_list(x):
    if hasattr(x, "tolist") and hasattr(x, "shape") and not isinstance(x, np.ndarray):
        return [v for row in x.tolist() for v in (row if isinstance(row, list) else [row])]
    return list(x) if isinstance(x, (list, tuple)) else [x]


def expect_same_expression(name: str, got, want, hint: str = "", samples=None):
    """Check that two sympy expressions (or lists of them) are equal. On failure, show both
    sides evaluated at sample numbers (not raw expressions) and the hint.

    Works on any object with sympy's ``free_symbols``/``subs``/``simplify`` methods, so this
    module does not import sympy. `samples` maps symbol names to numbers (default: 0.3,
    0.7, 0.45, 0.2, ... by name; all in (0, 1), where step sizes and decay rates live).
    """
    gots, wants = _as_list(got), _as_list(want)
    if len(gots) != len(wants):
        _fail(f"{name} has {len(gots)} entries, expected {len(wants)}", hint)
    names = set()
    for e in gots + wants:
        names |= {str(s) for s in getattr(e, "free_symbols", set())}
    defaults = (0.3, 0.7, 0.45, 0.2, 0.6, 0.85, 0.35, 0.55)
    values = {n: (samples or {}).get(n, defaults[k % len(defaults)]) for k, n in enumerate(sorted(names))}
    for k, (g, w) in enumerate(zip(gots, wants)):
        diff = g - w
        zero = diff == 0 or (hasattr(diff, "simplify") and diff.simplify() == 0)
        if zero:
            continue
        subs = lambda e: {s: values[str(s)] for s in getattr(e, "free_symbols", set())}   # noqa: E731
        try:
            gv = complex(g.subs(subs(g)) if hasattr(g, "subs") else g)
            wv = complex(w.subs(subs(w)) if hasattr(w, "subs") else w)
        except (TypeError, ValueError):
            gv = wv = None
        if gv is not None and abs(gv - wv) <= 1e-12 * (1 + abs(wv)):
            continue                           # equal at the sample point: sympy was only slow
        at = ", ".join(f"{n} = {v:g}" for n, v in values.items()) or "no symbols"
        where = f" (entry {k})" if len(gots) > 1 else ""
        shown = (f"at {at}: got {gv.real:.6g}, expected {wv.real:.6g}" if gv is not None
                 else "they differ")
        _fail(f"{name}{where} is not right yet: {shown}", hint)
    return got


def passed(what: str = "") -> None:
    """Print a short confirmation at the end of a self-check cell."""
    print(f"Self-check passed{': ' + what if what else ''}.")


def is_number(x) -> bool:
    """True for Python and numpy real numbers (not bool)."""
    return isinstance(x, (numbers.Real, np.floating, np.integer)) and not isinstance(x, bool)
