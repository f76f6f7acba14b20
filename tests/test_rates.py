"""The fitters of course_lib.rates: exact on exact curves, clear errors, no matplotlib needed."""
import subprocess
import sys

import numpy as np
import pytest

from course_lib.rates import fit_rate, loglog_slope


@pytest.mark.parametrize("p", [-1.0, -0.5, 0.25])
def test_loglog_slope_recovers_a_power_law(p):
    k = np.arange(1.0, 500.0)
    assert loglog_slope(k, 7.0 * k ** p) == pytest.approx(p, abs=1e-12)


def test_loglog_slope_fits_only_the_range_and_the_positive_points():
    k = np.arange(1.0, 200.0)
    err = np.where(k < 50, 1.0, 3.0 / k)             # flat, then a slope of -1
    err[100] = 0.0                                   # a zero is skipped, not log(0)
    assert loglog_slope(k, err, 50, 199) == pytest.approx(-1.0, abs=1e-12)
    assert abs(loglog_slope(k, err) + 1.0) > 0.1            # the whole range: not the slope


def test_loglog_slope_refuses_fewer_than_two_points():
    with pytest.raises(ValueError, match=r"loglog_slope needs at least two points"):
        loglog_slope([1, 2, 3], [0.0, 0.0, 1.0])


@pytest.mark.parametrize("rho, power", [(0.9, 0), (0.95, 1), (0.5, 0)])
def test_fit_rate_recovers_a_geometric_rate(rho, power):
    k = np.arange(120)
    err = 2.0 * np.maximum(k, 1) ** power * rho ** k
    assert fit_rate(err, 10, 120, power=power) == pytest.approx(rho, rel=1e-10)


def test_fit_rate_refuses_a_bad_range():
    err = 0.9 ** np.arange(10)
    with pytest.raises(ValueError, match=r"start and stop must satisfy"):
        fit_rate(err, 5, 11)
    with pytest.raises(ValueError, match=r"start and stop must satisfy"):
        fit_rate(err, 4, 4)
    with pytest.raises(ValueError, match=r"start must be >= 1 when power"):
        fit_rate(err, 0, 10, power=1)


def test_the_fitters_load_no_matplotlib():
    code = ("import sys, course_lib.rates; "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
