"""The explorer of lesson 09, headless: set widget values, check the model (no kernel needed)."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
import matplotlib

matplotlib.use("Agg")

from course_lib import landscapes as LS
from course_lib.optimizers.registry import OPTIMIZERS
from course_lib.trace import minimize
from course_lib.widgets.explorer import DEFAULTS, Explorer, build_optimizer


@pytest.fixture
def ex():
    return Explorer(selected=("SGD", "Momentum", "Adam"), function="Rosenbrock", steps=200)


def _line_xy(ex, i):
    ln = ex.canvas.lines[i]
    return np.asarray(ln.get_xdata(), dtype=float), np.asarray(ln.get_ydata(), dtype=float)


def test_first_picture_shows_every_selected_run(ex):
    assert ex.redraws == 1 and ex.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert list(ex.traces) == ["SGD", "Momentum", "Adam"]
    for i, (name, tr) in enumerate(ex.traces.items()):
        xs, ys = _line_xy(ex, i)
        assert len(xs) == 201
        np.testing.assert_array_equal(np.c_[xs, ys], tr.ws)
        assert ex.canvas.lines[i].get_label() == name
    assert len(ex.canvas.lines[3].get_xdata()) == 0          # unused lines are empty


def test_a_slider_change_updates_the_lines_with_one_redraw(ex):
    before = _line_xy(ex, 0)[0].copy()
    png = ex.image.value
    ex.lr.value = 2e-4
    assert ex.redraws == 2
    L = LS.rosenbrock()
    sgd = build_optimizer(OPTIMIZERS["SGD"], 2e-4, 0.02, 0.9, 0.9, 0.999)
    assert sgd.lr == 2e-4
    expected = minimize(sgd, L.grad, L.start, 200).ws
    xs, ys = _line_xy(ex, 0)
    np.testing.assert_allclose(np.c_[xs, ys], expected)
    assert not np.array_equal(xs, before)
    assert ex.image.value != png
    draws = ex.canvas.draws
    ex.lr.value = 3e-4                      # same labels: the background (and legend) is kept
    assert ex.canvas.draws == draws and ex.redraws == 3


def test_only_the_touched_optimizers_are_rerun(ex):
    runs = ex.runs
    ex.beta2.value = 0.99                 # only Adam takes beta2
    assert ex.runs == runs + 1 and ex.redraws == 2
    ex.gamma.value = 0.5                  # only Momentum takes gamma here
    assert ex.runs == runs + 2
    ex.steps.value = 50                   # every run changes
    assert ex.runs == runs + 5
    assert all(len(t.ws) == 51 for t in ex.traces.values())


def test_divergence_is_shown_not_raised(ex):
    ex.lr.value = 10.0                    # far past the stability limit on Rosenbrock
    assert ex.redraws == 2
    assert ex.traces["SGD"].diverged and ex.traces["Momentum"].diverged
    assert "diverged at update" in ex.message.value and "SGD" in ex.message.value
    assert "diverged" in ex.canvas.message.get_text()
    xs, ys = _line_xy(ex, 0)
    assert np.all(np.isfinite(xs)) and len(xs) == ex.traces["SGD"].diverged_at
    assert ex.canvas.ends[0].get_marker() == "x"
    assert "diverged" in ex.canvas.lines[0].get_label()
    assert not ex.traces["Adam"].diverged      # Adam's step is about lr_adaptive per coordinate
    ex.lr.value = 1e-4                         # and it recovers
    assert not ex.traces["SGD"].diverged and "diverged" not in ex.message.value


def test_overflow_on_beale_is_shown_not_raised():
    ex = Explorer(selected=("SGD", "Nesterov", "RMSprop"), function="Beale")
    with np.errstate(all="raise"):       # even with numpy errors turned into exceptions
        ex.lr.value = 1.0
    assert "diverged" in ex.message.value
    ex.lr_adaptive.value = 10.0
    assert ex.redraws == 3


def test_changing_the_function_resets_window_start_and_step_sizes(ex):
    draws = ex.canvas.draws
    ex.function.value = "Saddle"
    S = LS.saddle()
    assert ex.redraws == 2                    # one redraw, though six widgets changed
    assert (ex.x0.value, ex.y0.value) == tuple(S.start)          # exactly: y0 = 1e-3
    assert (ex.x0.min, ex.x0.max) == S.window[0]
    assert ex.lr.value == S.lr_gd and ex.lr_adaptive.value == S.lr_adaptive
    assert ex.steps.value == S.steps
    assert ex.canvas.ax.get_xlim() == S.window[0]
    assert ex.canvas.draws == draws + 1       # contours and legend in one full draw
    ex.y0.value = 0.0                         # on the ridge nothing leaves the saddle
    for tr in ex.traces.values():
        assert LS.steps_to_leave(tr, S.saddles[0], 0.5, direction=[0, 1]) is None


def test_switching_back_reuses_the_kept_background(ex):
    draws = ex.canvas.draws
    ex.function.value = "Beale"
    png_beale = ex.image.value
    assert ex.canvas.draws == draws + 1
    ex.function.value = "Rosenbrock"          # seen before, same legend: nothing drawn in full
    ex.function.value = "Beale"
    assert ex.canvas.draws == draws + 1 and ex.redraws == 4
    assert ex.image.value == png_beale          # the same picture as the first time
    assert ex.canvas.ax.get_xlim() == LS.beale().window[0]
    ex.methods.value = ("SGD",)                 # a new legend: one full draw ...
    ex.methods.value = ("SGD", "Momentum", "Adam")   # ... and back: kept
    assert ex.canvas.draws == draws + 2


def test_the_background_cache_is_bounded():
    from course_lib.plotting.canvas import TrajectoryCanvas
    canvas = TrajectoryCanvas(cache_size=2)
    L = LS.quadratic()
    canvas.set_landscape(L)
    for steps in (3, 4, 5):                     # three legends (labels carry no step count,
        tr = minimize(OPTIMIZERS["SGD"](lr=10.0), L.grad, L.start, steps)
        canvas.set_paths({f"SGD {steps}": tr})  # so each label is new)
        assert canvas.render()[:8] == b"\x89PNG\r\n\x1a\n"
    assert canvas.cached == 2 and canvas.draws == 3
    with pytest.raises(ValueError, match="at most"):
        canvas.set_paths({str(i): tr for i in range(canvas.max_paths + 1)})


def test_the_picture_is_a_small_palette_png_shown_at_its_own_size(ex):
    from io import BytesIO

    from PIL import Image
    img = Image.open(BytesIO(ex.image.value))
    assert img.mode == "P" and img.size == (512, 336)
    assert len(ex.image.value) < 40_000
    # the widget and its box have the PNG's size: not stretched by the controls beside it
    assert (int(ex.image.width), int(ex.image.height)) == img.size
    assert (ex.image.layout.width, ex.image.layout.height) == ("512px", "336px")
    assert ex.widget.children[0].layout.align_items == "flex-start"
    assert "width='512' height='336'" in ex.snapshot_html()


def test_selecting_optimizers_and_every_optimizer_at_once(ex):
    ex.methods.value = tuple(ex.classes)          # all of them
    assert list(ex.traces) == list(ex.classes)
    assert sum(len(l.get_xdata()) > 0 for l in ex.canvas.lines) == len(ex.classes)
    ex.methods.value = ("Rprop",)
    assert list(ex.traces) == ["Rprop"]
    assert sum(len(l.get_xdata()) > 0 for l in ex.canvas.lines) == 1


def test_reset_button_restores_the_defaults(ex):
    ex.gamma.value, ex.x0.value, ex.steps.value, ex.lr.value = 0.3, 0.5, 17, 1e-3
    n = ex.redraws
    ex.reset.click()
    R = LS.rosenbrock()
    assert ex.redraws == n + 1 and ex.gamma.value == DEFAULTS["gamma"]
    assert (ex.x0.value, ex.lr.value, ex.steps.value) == (R.start[0], R.lr_gd, R.steps)


@pytest.mark.parametrize("name", list(LS.all_landscapes()))
def test_choosing_a_function_puts_exactly_its_defaults_in_the_optimizers(name):
    """Start, step sizes and number of updates exactly as the lesson's runs have them, so
    the live picture is the saved one; the button "defaults for this function" does the same
    after any change."""
    other = "Quadratic" if name != "Quadratic" else "Beale"
    ex = Explorer(selected=("SGD", "Adam", "Adadelta"), function=other, steps=5)
    ex.function.value = name
    L = LS.all_landscapes()[name]

    def check():
        for opt_name, tr in ex.traces.items():
            np.testing.assert_array_equal(tr.ws[0], L.start)             # bit for bit
            assert len(tr.ws) == L.steps + 1
            expected = LS.lineup(L, [opt_name])[opt_name] if opt_name != "Adadelta" else None
            if expected is not None and opt_name != "Adagrad":
                np.testing.assert_array_equal(tr.ws, minimize(expected, L.grad, L.start,
                                                              L.steps).ws)
        assert ex.lr.value == L.lr_gd and ex.lr_adaptive.value == L.lr_adaptive

    check()
    ex.x0.value, ex.y0.value = L.window[0][1], L.window[1][0]
    ex.lr.value, ex.lr_adaptive.value, ex.steps.value = 1e-3, 1e-3, 3
    ex.reset.click()
    check()


def test_bad_construction_arguments_are_refused():
    with pytest.raises(ValueError, match=r"^function must be one of"):
        Explorer(function="Himmelblau")
    with pytest.raises(ValueError, match=r"^selected must name optimizers"):
        Explorer(selected=("Lion",))
    with pytest.raises(ValueError, match=r"^steps must be in \[1, 5000\]"):
        Explorer(steps=0)


def test_the_registry_decides_who_gets_which_step_size():
    """lr_adaptive for the classes with adaptive = True, lr for the others, none for a class
    with takes_lr = False: no list of names in the explorer."""
    for name, cls in OPTIMIZERS.items():
        opt = build_optimizer(cls, 0.125, 0.0625, 0.5, 0.5, 0.99)
        if cls.takes_lr:
            assert opt.lr == (0.0625 if cls.adaptive else 0.125), name
        else:
            assert opt.lr != 0.125 and opt.lr != 0.0625, name


def test_a_refused_hyperparameter_becomes_a_message():
    from course_lib.optimizers import Optimizer

    class Picky(Optimizer):
        """An optimizer class that refuses everything."""
        def __init__(self, lr):
            raise ValueError("lr must be in (0, 0), got it anyway")
    ex = Explorer(optimizers={"SGD": OPTIMIZERS["SGD"], "Picky": Picky},
                  selected=("SGD", "Picky"))
    assert "Picky: lr must be" in ex.message.value and list(ex.traces) == ["SGD"]


def test_snapshot_for_static_readers(ex):
    html = ex.snapshot_html()
    assert html.startswith("<details>") and "data:image/png;base64," in html
