"""Self-checks fail with teaching messages, in the order: defined, type, shape, finite, value."""
import numpy as np
import pytest

from course_lib.selfcheck import (SelfCheckError, expect_callable, expect_close, expect_finite,
                                  expect_shape, expect_true, expect_type)


def test_passing_checks_return_the_value():
    x = np.array([1.0, 2.0])
    assert expect_close("x", x, [1.0, 2.0]) is x
    assert expect_shape("x", x, (2,)) is x


def test_it_is_an_assertion_error_so_graders_count_it():
    assert issubclass(SelfCheckError, AssertionError)


@pytest.mark.parametrize("got, pattern", [
    (None, "is None: did the function forget to `return`"),
    ("0.1", "should be a number or a numpy array, got a str"),
    (np.array([0.1, 0.2, 0.3]), r"has shape \(3,\), expected \(2,\)"),
    (np.array([np.nan, 0.2]), "holds 1 NaN value"),
    (np.array([0.1, 0.3]), "not right yet: largest difference 0.1 at index 1"),
    ([0.1, 0.2], "should be a numpy array, got a list"),
])
def test_each_kind_of_mistake_gets_its_own_message(got, pattern):
    with pytest.raises(SelfCheckError, match=pattern) as info:
        expect_close("step", got, np.array([0.1, 0.2]), hint="the step is -lr * g")
    assert "Hint: the step is -lr * g" in str(info.value)


def test_scalars_type_callable_and_truth():
    with pytest.raises(SelfCheckError, match="got 2, expected 3"):
        expect_close("n", 2.0, 3.0)
    with pytest.raises(SelfCheckError, match="should be a function"):
        expect_callable("sgd_step", None)
    with pytest.raises(SelfCheckError, match="should be a int"):
        expect_type("k", 1.5, int)
    with pytest.raises(SelfCheckError, match="infinite"):
        expect_finite("w", np.array([np.inf]))
    with pytest.raises(SelfCheckError):
        expect_true(False, "the loss did not decrease", hint="try a smaller lr")
