"""course_lib._checks: numbers are range-checked, sympy values pass, and NaN is always caught."""
import numpy as np
import pytest
import sympy as sp

from course_lib._checks import check_finite, check_range, is_numeric
from course_lib.optimizers import Adam, Momentum


def test_sympy_numbers_are_symbolic_not_numeric():
    # sp.Rational is a numbers.Number: without the sympy test, a proof using gamma = 1/2 broke
    assert not is_numeric(sp.Rational(1, 2)) and not is_numeric(sp.Integer(3))
    assert not is_numeric(sp.Symbol("gamma"))
    assert check_range("gamma", sp.Rational(1, 2), 0, 1) == sp.Rational(1, 2)
    opt = Momentum(lr=sp.Rational(1, 10), gamma=sp.Rational(9, 10))
    step, state = opt.update(sp.Symbol("g"), opt.init(sp.Integer(0)))
    assert sp.simplify(step + sp.Rational(1, 10) * sp.Symbol("g")) == 0


def test_numbers_still_checked():
    with pytest.raises(ValueError, match=r"beta1 must be in \[0, 1\), got 1.5"):
        Adam(lr=0.1, beta1=1.5)


@pytest.mark.parametrize("n", [3, 65, 10_000])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_the_fast_finite_check_misses_nothing(n, bad):
    x = np.ones(n)
    check_finite("g", x)
    x[n // 2] = bad
    with pytest.raises(ValueError, match="g must be finite, got 1 NaN or infinite"):
        check_finite("g", x)


def test_opposite_infinities_and_overflowing_sums():
    x = np.zeros(100)
    x[0], x[1] = np.inf, -np.inf                       # the sum is NaN, both are reported
    with pytest.raises(ValueError, match="got 2 NaN"):
        check_finite("g", x)
    check_finite("g", np.full(100, 1e308))             # the sum overflows, every value is finite


# values that are neither numbers nor sympy: each must be refused with the argument's name
NOT_NUMBERS = [None, "0.1", True, 0.5 + 0j, [0.1]]


def test_non_numbers_are_refused_by_every_optimizer_argument():
    """Every argument the shared optimizer table range-checks refuses a non-number with a
    TypeError that names it (before, None or "0.1" slipped through as if symbolic)."""
    from optimizer_cases import CASES
    for case in CASES:
        for arg in case.bad:
            for v in NOT_NUMBERS:
                with pytest.raises((TypeError, ValueError), match=rf"\b{arg}\b"):
                    type(case.make())(**{**case.kwargs, arg: v})


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_check_range_names_the_argument_for_non_numbers(value):
    with pytest.raises(TypeError, match=r"gamma must be a real number in \[0, 1\), got "):
        check_range("gamma", value, 0, 1)


def test_batchnorm_refuses_a_string_eps():
    from course_lib.batchnorm import BatchNorm
    with pytest.raises(TypeError, match="eps"):
        BatchNorm(3, eps="1e-5")
