"""course_lib.averages: closed forms, the mean schedule, bias correction, bad input."""
import numpy as np
import pytest
import sympy as sp

from course_lib.averages import (IterateAverage, debias, effective_window, mean_gammas,
                                 moving_average_weights, running_average, running_averages)


def test_closed_form_weights_match_the_recursion():
    rng = np.random.default_rng(0)
    xs = rng.normal(size=30)
    for gamma in (0.0, 0.3, 0.9, 0.99):
        C = running_averages(xs, gamma)
        for T in (1, 5, 30):
            assert C[T - 1] == pytest.approx(np.dot(moving_average_weights(gamma, T), xs[:T]))


def test_weights_sum_to_one_minus_gamma_to_the_T():
    for gamma in (0.5, 0.9):
        for T in (1, 10, 100):
            assert sum(moving_average_weights(gamma, T)) == pytest.approx(1 - gamma ** T)


def test_mean_schedule_gives_the_plain_mean():
    xs = np.arange(1.0, 11.0)
    assert running_averages(xs, mean_gammas) == pytest.approx(np.cumsum(xs) / np.arange(1, 11))
    assert running_averages(xs, [mean_gammas(t) for t in range(1, 11)])[-1] == pytest.approx(5.5)


def test_debias_recovers_a_constant_and_works_on_arrays():
    C = np.array(running_averages(np.full(20, 3.0), 0.9))
    np.testing.assert_allclose(debias(C, 0.9, np.arange(1, 21)), 3.0)
    arrays = running_averages([np.array([1.0, 2.0])] * 3, 0.5)
    np.testing.assert_allclose(debias(arrays[-1], 0.5, 3), [1.0, 2.0])


def test_runs_on_sympy_symbols():
    g, a, b = sp.symbols("gamma a b")
    C = running_averages([a, b], g)
    assert sp.expand(C[1] - (g * (1 - g) * a + (1 - g) * b)) == 0


def test_effective_window():
    assert effective_window(0.9) == pytest.approx(10)


@pytest.mark.parametrize("gamma", [1.0, -0.1, 1.5, np.nan])
def test_gamma_out_of_range_is_refused(gamma):
    with pytest.raises(ValueError, match=r"gamma .*must be in \[0, 1\)"):
        running_averages([1.0, 2.0], gamma)


def test_a_bad_gamma_later_in_a_schedule_is_refused_before_any_work():
    with pytest.raises(ValueError, match=r"gamma \(at t=3\)"):
        running_averages([1.0, 2.0, 3.0], [0.5, 0.5, 1.0])


def test_bad_inputs_name_the_argument():
    with pytest.raises(ValueError, match="xs must hold at least one"):
        running_averages([], 0.5)
    with pytest.raises(ValueError, match=r"xs\[1\] has shape \(3,\) but xs\[0\] has shape \(2,\)"):
        running_averages([np.zeros(2), np.zeros(3)], 0.5)
    with pytest.raises(ValueError, match="gamma has 2 entries but xs has 3"):
        running_averages([1.0, 2.0, 3.0], [0.1, 0.2])
    with pytest.raises(ValueError, match=r"xs\[0\] must be finite"):
        running_averages([np.nan], 0.5)
    with pytest.raises(ValueError, match="t must be >= 1"):
        debias(1.0, 0.9, 0)


def test_iterate_average_refuses_without_changing_state():
    avg = IterateAverage(0.5)
    avg.update(np.array([1.0, 2.0]))
    before = (avg.t, avg.value.copy())
    with pytest.raises(ValueError, match="shape"):
        avg.update(np.array([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="finite"):
        avg.update(np.array([np.inf, 2.0]))
    assert avg.t == before[0] and np.array_equal(avg.value, before[1])


# ---------------------------------------------------------------- argument checks (audit)
@pytest.mark.parametrize("gamma", [1.5, 1.0, -0.2, np.nan])
def test_moving_average_weights_refuses_gamma_outside_0_1(gamma):
    with pytest.raises(ValueError, match=r"^gamma must be in \[0, 1\), got"):
        moving_average_weights(gamma, 3)


@pytest.mark.parametrize("T", [0, -1, 2.5, "3"])
def test_moving_average_weights_refuses_a_bad_T(T):
    with pytest.raises(ValueError, match=r"^T must be an integer >= 1"):
        moving_average_weights(0.5, T)


def test_moving_average_weights_still_runs_on_symbols():
    g = sp.Symbol("gamma")
    assert moving_average_weights(g, 2) == [g * (1 - g), 1 - g]


@pytest.mark.parametrize("gamma", [1.0, 1.2, -0.5])
def test_debias_refuses_gamma_outside_0_1_with_a_value_error(gamma):
    with pytest.raises(ValueError, match=r"^gamma must be in \[0, 1\), got .*divides by 1 - gamma\^t"):
        debias(0.3, gamma, 4)


def test_c0_of_another_shape_is_refused_a_matching_or_scalar_c0_is_not():
    xs = [np.array([1.0, 2.0])] * 3
    with pytest.raises(ValueError, match=r"^C0 has shape \(3,\) but each input xs\[0\] has shape \(2,\)"):
        running_averages(xs, 0.5, C0=np.zeros(3))
    with pytest.raises(ValueError, match=r"^C0 has shape \(2, 1\)"):
        running_averages(xs, 0.5, C0=np.zeros((2, 1)))      # would broadcast to 2 x 2
    with pytest.raises(ValueError, match=r"^C0 must be finite"):
        running_averages(xs, 0.5, C0=np.array([np.nan, 0.0]))
    np.testing.assert_allclose(running_averages(xs, 0.5, C0=np.ones(2))[0], [1.0, 1.5])
    np.testing.assert_allclose(running_averages(xs, 0.5, C0=1.0)[0], [1.0, 1.5])


@pytest.mark.parametrize("call", [lambda g: running_averages([1.0], g),
                                  lambda g: IterateAverage(g).update(1.0),
                                  lambda g: effective_window(g)])
def test_negative_gamma_message_names_the_range_and_fits_the_case(call):
    with pytest.raises(ValueError) as err:
        call(-0.1)
    msg = str(err.value)
    assert "must be in [0, 1), got -0.1" in msg and "negative" in msg
    assert "gamma = 1 would ignore" not in msg
