"""The gamma slider of lesson 04 works headless: moving it updates the plotted data, and the
window marker and the weights stay inside the weights panel for every gamma it accepts."""
import numpy as np
import pytest

pytest.importorskip("ipywidgets")
import matplotlib
matplotlib.use("Agg")

from course_lib.averages import running_averages
from course_lib.plotting.averages import GAMMA_MAX, ages_shown, gamma_figure
from course_lib.widgets.averages import gamma_explorer


def test_slider_updates_the_lines():
    signal = np.linspace(0, 1, 50)
    box = gamma_explorer(signal, gamma=0.5)
    np.testing.assert_allclose(box.lines["average"].get_ydata(), running_averages(signal, 0.5))
    box.slider.value = 0.9
    np.testing.assert_allclose(box.lines["average"].get_ydata(), running_averages(signal, 0.9))
    assert "window 1/(1-gamma) = 10.0" in box.status.value
    box.slider.value = 0.0          # the edge: copies each input
    np.testing.assert_allclose(box.lines["average"].get_ydata(), signal)


def in_view(box_or_fig, gamma):
    """The window marker and every weight of the weights panel lie inside its axes limits."""
    fig = box_or_fig.fig
    ax = fig.axes[1]
    lines = box_or_fig.lines
    x_lo, x_hi = ax.get_xlim()
    y_lo, y_hi = ax.get_ylim()
    window = lines["window"].get_xdata()[0]
    weights = np.asarray(lines["weights"].get_ydata())
    assert window == pytest.approx(1 / (1 - gamma))
    assert x_lo <= window <= x_hi, f"window marker at {window} outside x in [{x_lo}, {x_hi}]"
    assert y_lo <= weights.min() and weights.max() <= y_hi, f"weights outside y <= {y_hi}"
    assert weights[0] == pytest.approx(1 - gamma)        # age 0: the newest input


@pytest.mark.parametrize("gamma", [0.0, 0.3, 0.9, 0.95, 0.98, 0.99, 0.995, GAMMA_MAX])
def test_window_marker_and_weights_stay_in_view(gamma):
    """Issue 16: at gamma = 0.99 the marker (at 100) fell off a 60-wide panel, and at gamma = 0
    the newest weight (1) sat above its 0.55-high panel."""
    signal = np.linspace(0, 1, 30)
    box = gamma_explorer(signal, gamma=0.9)
    box.slider.max = max(box.slider.max, gamma)
    box.slider.value = gamma
    in_view(box, gamma)
    assert f"{gamma:g}" in box.fig.axes[1].get_title()     # the panel says which gamma it shows


def test_explorer_can_start_above_the_default_range():
    box = gamma_explorer(np.ones(20), gamma=0.995)
    assert box.slider.value == 0.995 and box.slider.max == 0.995
    in_view(box, 0.995)
    assert "window 1/(1-gamma) = 200.0" in box.status.value


def test_the_start_is_not_rounded_to_a_coarse_grid():
    box = gamma_explorer(np.ones(20), gamma=0.975)
    assert box.slider.value == 0.975 and box.slider.step == 0.001
    assert "gamma = 0.975" in box.status.value


def test_ages_shown_grows_with_the_window_only_when_needed():
    assert ages_shown(0.9) == 60 and ages_shown(0.9, window_shown=30) == 30
    assert ages_shown(0.98) == 100 and ages_shown(0.99) == 200
    for gamma in (0.5, 0.97, 0.99, 0.999):
        assert ages_shown(gamma) > 1 / (1 - gamma)


@pytest.mark.parametrize("bad", [-0.1, 1.0, 0.9999, 1.5])
def test_bad_gamma_is_refused_with_the_range(bad):
    signal = np.ones(10)
    with pytest.raises(ValueError, match=r"gamma must be in \[0, 0.999\]"):
        gamma_explorer(signal, gamma=bad)
    fig = gamma_figure(signal)
    before = fig.lines["average"].get_ydata()
    fig.update(0.5)
    with pytest.raises(ValueError, match="gamma"):
        fig.update(bad)
    np.testing.assert_allclose(fig.lines["average"].get_ydata(), running_averages(signal, 0.5))
    assert len(before) == 0             # nothing drawn before the first update


def test_left_panel_shows_the_start_near_zero():
    """C_1 = (1 - gamma) c_1 is close to C_0 = 0, below a signal that stays near 2."""
    signal = 2 + 0.1 * np.sin(np.arange(40))
    box = gamma_explorer(signal, gamma=0.95)
    lo, hi = box.fig.axes[0].get_ylim()
    C = box.lines["average"].get_ydata()
    assert lo <= C.min() and C.max() <= hi and lo <= 0
