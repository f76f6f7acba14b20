"""course_lib.selfcheck: failing checks raise AssertionError with a teaching message."""
from __future__ import annotations

import numpy as np
import pytest

from course_lib import selfcheck as sc


def test_passing_checks_return_the_value():
    x = np.array([1.0, 2.0])
    assert sc.expect_close("x", x, np.array([1.0, 2.0 + 1e-12])) is x
    assert sc.expect_shape("x", x, (2,)) is x
    assert sc.expect_finite("x", x) is x
    assert sc.expect_type("x", x, np.ndarray) is x
    assert sc.expect_true(np.array([True, True]), "never shown")
    assert sc.expect_callable("f", len) is len


def test_failure_is_an_assertion_error_with_what_and_hint():
    with pytest.raises(AssertionError) as info:
        sc.expect_close("step", np.array([0.1, 0.2]), np.array([0.1, 0.25]), hint="step = -lr * g")
    msg = str(info.value)
    assert isinstance(info.value, sc.SelfCheckError)
    assert "step is not right yet" in msg and "at index 1" in msg
    assert "got 0.2" in msg and "expected 0.25" in msg
    assert msg.rstrip().endswith("Hint: step = -lr * g")


@pytest.mark.parametrize("got, phrase", [
    (None, "forget to `return`"),
    ("0.5", "should be a number or a numpy array, got a str"),
    ([0.5, 0.25], "should be a numpy array, got a list"),
    (np.array([0.5]), "has shape (1,), expected (2,)"),
    (np.array([np.nan, 0.0]), "holds 1 NaN value(s)"),
    (np.array([np.inf, 0.0]), "holds 1 infinite value(s)"),
    (np.array([0.5, 0.3]), "largest difference 0.05 at index 1"),
])
def test_the_first_real_problem_is_named(got, phrase):
    with pytest.raises(sc.SelfCheckError, match=None) as info:
        sc.expect_close("w_new", got, np.array([0.5, 0.25]))
    assert phrase in str(info.value), str(info.value)
    assert str(info.value).startswith("w_new")


def test_scalars_lists_and_tolerances():
    sc.expect_close("lr", 0.2, 0.2 + 1e-12)
    sc.expect_close("steps", [1.0, 1.5], [1.0, 1.5])          # a list may answer a list
    sc.expect_close("std", 1.05, 1.0, rtol=0.08)
    with pytest.raises(sc.SelfCheckError, match=r"lr is not right yet: got 0.3, expected 0.2"):
        sc.expect_close("lr", 0.3, 0.2)
    with pytest.raises(sc.SelfCheckError, match="should be a numpy array"):
        sc.expect_close("w", [1.0], [1.0], array=True)


def test_type_callable_shape_and_true():
    with pytest.raises(sc.SelfCheckError, match="should be a bool, got a str: 'yes'"):
        sc.expect_type("diverges(0.1)", "yes", bool)
    with pytest.raises(sc.SelfCheckError, match="should be a float or int"):
        sc.expect_type("x", "1", (float, int))
    with pytest.raises(sc.SelfCheckError, match="k should be an int, got a float: 1.5"):
        sc.expect_type("k", 1.5, int)
    with pytest.raises(sc.SelfCheckError, match="should be a function, got NoneType"):
        sc.expect_callable("sgd_epoch", None)
    with pytest.raises(sc.SelfCheckError, match=r"sgd_epoch is not defined\. Run the cell"):
        sc.expect_defined("sgd_epoch", {"sgd_step": len})      # deleted or renamed
    with pytest.raises(sc.SelfCheckError, match="should be a function, got int"):
        sc.expect_defined("sgd_epoch", {"sgd_epoch": 3})
    assert sc.expect_defined("sgd_epoch", {"sgd_epoch": len}) is len
    with pytest.raises(sc.SelfCheckError, match=r"has shape \(2, 3\), expected \(3, 2\)"):
        sc.expect_shape("dZ", np.zeros((2, 3)), (3, 2))
    with pytest.raises(sc.SelfCheckError, match="the sum must be zero\n  Hint: subtract the mean"):
        sc.expect_true(False, "the sum must be zero", hint="subtract the mean")


def test_is_number_and_passed(capsys):
    assert sc.is_number(1) and sc.is_number(np.float64(0.5)) and not sc.is_number(True)
    assert not sc.is_number("1") and not sc.is_number(np.array([1.0]))
    sc.passed("Adam step")
    assert capsys.readouterr().out == "Self-check passed: Adam step.\n"


def test_numpy_only():
    import ast
    import inspect
    tree = ast.parse(inspect.getsource(sc))
    names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
             for a in n.names} | {n.module.split(".")[0] for n in ast.walk(tree)
                                  if isinstance(n, ast.ImportFrom) and n.module}
    assert names <= {"__future__", "numbers", "numpy"}, names
