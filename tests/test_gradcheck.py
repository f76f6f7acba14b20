"""course_lib.gradcheck: central differences and CS231n's relative error."""
from __future__ import annotations

import numpy as np
import pytest

from course_lib.gradcheck import check_gradient, numerical_gradient, rel_error


def test_numerical_gradient_of_a_known_function_and_x_is_restored():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(3, 4))
    x = rng.normal(size=(3, 4))
    x0 = x.copy()
    f = lambda X: np.sum(A * X ** 3)
    num = numerical_gradient(f, x)
    assert rel_error(num, 3 * A * x0 ** 2) < 1e-8
    np.testing.assert_array_equal(x, x0)


def test_rel_error_is_cs231n_definition():
    a, b = np.array([1.0, 0.0, 2.0]), np.array([1.5, 0.0, 2.0])
    # max over entries of |a - b| / max(1e-8, |a| + |b|): 0.5 / 2.5 at the first entry
    assert rel_error(a, b) == pytest.approx(0.2)
    assert rel_error(np.zeros(2), np.zeros(2)) == 0.0
    # tiny entries are floored at 1e-8 in the denominator
    assert rel_error(np.array([1e-12]), np.array([0.0])) == pytest.approx(1e-4)
    with pytest.raises(ValueError, match="a has shape"):
        rel_error(np.zeros(2), np.zeros(3))


def test_check_gradient_passes_and_fails_naming_the_argument():
    f = lambda x: np.sum(np.sin(x))
    x = np.linspace(-1, 1, 5)
    assert check_gradient(f, x, np.cos(x)) < 1e-9
    with pytest.raises(AssertionError, match="gradient check of dx failed"):
        check_gradient(f, x, np.cos(x) * (1 + 1e-4), name="dx")
    with pytest.raises(AssertionError):
        check_gradient(f, x, np.full(5, np.nan))


def test_bad_input():
    with pytest.raises(ValueError, match="^h must be"):
        numerical_gradient(lambda x: np.sum(x), np.ones(2), h=0.0)
    with pytest.raises(ValueError, match="f must return a scalar"):
        numerical_gradient(lambda x: x * 2, np.ones(2))
