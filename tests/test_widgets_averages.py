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


# -- the picture: only what moves is redrawn (course_lib.plotting.canvas.FigurePNG) ----------

def _pixels(box):
    return np.asarray(box.picture.canvas.buffer_rgba()).copy()


def test_the_slider_shows_a_png_of_the_figure_at_its_own_size():
    box = gamma_explorer(np.linspace(0, 1, 50), gamma=0.5)
    png = box.image.value
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = box.picture.size_px
    assert (box.image.width, box.image.height) == (str(width), str(height)) or \
        (box.image.width, box.image.height) == (width, height)
    box.slider.value = 0.6
    assert box.image.value != png


def test_a_small_step_redraws_only_the_moving_parts():
    """The update's draw request costs nothing, and labels of the same length need no new
    layout: after the first step (the weights' y axis joins the moving parts: one new
    background), four steps give four pictures and no full draw. The x axis stays in the
    background while its limits stay (60 ages up to gamma = 0.967)."""
    box = gamma_explorer(np.linspace(0, 1, 50), gamma=0.9)
    box.slider.value = 0.901
    draws, renders = box.picture.draws, box.picture.renders
    for g in (0.902, 0.903, 0.904, 0.905):
        box.slider.value = g
    assert box.picture.renders == renders + 4
    assert box.picture.draws == draws
    weights = box.lines["weights"].axes
    assert weights.yaxis in box.picture.drawn and weights.xaxis not in box.picture.drawn
    box.slider.value = 0.98                      # 100 ages: the x axis moves too, from now on
    assert weights.xaxis in box.picture.drawn


def test_the_kept_background_gives_the_full_drawing():
    """Blitting the moving parts over the kept background gives the pixels of a full draw of
    the figure in the same state (the same layout), at a small step and after a relayout."""
    box = gamma_explorer(2 + 0.1 * np.sin(np.arange(80)), gamma=0.9)
    for g in (0.93, 0.985):                       # 0.985: longer tick labels, a new layout
        box.slider.value = g
        blitted = _pixels(box)
        drawn = box.picture.drawn
        for a in drawn:
            a.set_animated(False)
        box.picture.canvas.draw()
        full = _pixels(box)
        for a in drawn:
            a.set_animated(True)
        differ = np.any(blitted != full, axis=-1).mean()
        assert differ < 1e-3, f"{differ:.2%} of the pixels differ from a full draw at {g}"


def test_labels_that_grow_get_a_new_layout():
    """At gamma = 0.999 the weights panel's labels are longest ("0.0010", "2000"): the
    layout is made again, so the panel shrinks to keep them inside the figure."""
    box = gamma_explorer(np.ones(40), gamma=0.9)
    ax = box.fig.axes[1]
    before = ax.get_position().bounds
    draws = box.picture.draws
    box.slider.max = 0.999
    box.slider.value = 0.999
    assert box.picture.draws > draws
    after = ax.get_position().bounds
    assert after != before
    renderer = box.picture.canvas.get_renderer()
    fig_box = box.fig.bbox
    for label in ax.get_xticklabels() + ax.get_yticklabels():
        if label.get_text():
            ext = label.get_window_extent(renderer)
            assert fig_box.x0 - 0.5 <= ext.x0 and ext.x1 <= fig_box.x1 + 0.5, label.get_text()


def test_figure_png_refuses_a_bad_palette_size():
    from course_lib.plotting.canvas import FigurePNG
    fig = gamma_figure(np.ones(10)).fig
    with pytest.raises(ValueError, match=r"colors must be in \[2, 256\], got 1"):
        FigurePNG(fig, [], colors=1)
