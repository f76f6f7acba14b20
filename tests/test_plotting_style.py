"""One colour per method across the course: the table covers the registry, the colours stay
apart for colour-blind readers, and every plot that draws an optimizer's run takes its colour
from ``course_lib.plotting.style.color`` (checked by drawing two named runs and reading the
lines' colours back). Legends sit outside the data; fonts are readable when projected."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt   # noqa: E402
from matplotlib.colors import to_hex   # noqa: E402

from course_lib import landscapes as LS   # noqa: E402
from course_lib.optimizers.registry import OPTIMIZERS, build   # noqa: E402
from course_lib.plotting import batchnorm as BP   # noqa: E402
from course_lib.plotting import contours, curves, style   # noqa: E402
from course_lib.plotting import landscapes as PL   # noqa: E402
from course_lib.plotting import training as TP   # noqa: E402
from course_lib.plotting.style import COLORS, color, colors_for, method_of   # noqa: E402
from course_lib.trace import minimize   # noqa: E402

TWO = ("Momentum", "Adam")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# -- the table --------------------------------------------------------------------------------

def test_colors_cover_every_registered_optimizer_once():
    keys = [cls.color_key for cls in OPTIMIZERS.values()]
    assert set(keys) <= set(COLORS)
    assert len({COLORS[k] for k in keys}) == len(keys)            # one colour per method
    for name in OPTIMIZERS:
        assert color(name) == COLORS[OPTIMIZERS[name].color_key]


def test_an_unknown_name_is_refused_with_the_allowed_ones():
    with pytest.raises(ValueError, match=r"name must be an optimizer of the registry \(SGD"):
        color("Lion")


def _lab(hex_color, cvd=None):
    """CIELAB of an sRGB colour, seen with normal vision or through a simulated deficiency
    (Machado, Oliveira and Fernandes 2009, severity 1)."""
    c = np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    if cvd is not None:
        lin = np.clip(cvd @ lin, 0, 1)
    M = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = M @ lin / np.array([0.9505, 1.0, 1.089])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


DEUTERANOPIA = np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                         [-0.011820, 0.042940, 0.968881]])
PROTANOPIA = np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                       [-0.003882, -0.048116, 1.051998]])


@pytest.mark.parametrize("vision", [None, DEUTERANOPIA, PROTANOPIA],
                         ids=["normal", "deuteranopia", "protanopia"])
def test_every_pair_of_method_colours_stays_apart(vision):
    """CIELAB distance of at least 17 between any two methods (about 2.3 is just noticeable)."""
    labs = {k: _lab(c, vision) for k, c in COLORS.items()}
    worst = min((np.linalg.norm(labs[a] - labs[b]), a, b)
                for a, b in itertools.combinations(labs, 2))
    assert worst[0] >= 17, worst


def test_labels_find_their_method():
    assert method_of("Adam, measured") == "Adam"
    assert method_of("Momentum (averaged)") == "AveragedMomentum"
    assert method_of("heavy ball: predicted") == "Momentum"
    assert method_of("gradient descent") == "SGD"
    assert method_of(r"$\sigma = 0.1$") is None and method_of("Adamant") is None


def test_two_curves_never_share_a_colour():
    cs = colors_for(["SGD", "SGD, lr 0.5", "Adam", "seed 3"])
    assert cs[0] == color("SGD") and cs[2] == color("Adam")
    assert len(set(cs)) == 4


# -- every plot that draws runs uses color() ---------------------------------------------------

@pytest.fixture(scope="module")
def runs():
    L = LS.quadratic()
    return L, {n: minimize(build(n, lr=0.02, gamma=0.9), L.grad, L.start, 30) for n in TWO}


def _colors_of(ax, names):
    """The hex colour of the first line of `ax` whose label starts with each name."""
    out = {}
    for ln in ax.get_lines():
        for n in names:
            if str(ln.get_label()).startswith(n) and n not in out:
                out[n] = to_hex(ln.get_color())
    return out


def _expected():
    return {n: color(n) for n in TWO}


def test_contour_paths_and_plot_paths_use_the_colours(runs):
    L, tr = runs
    _, ax = style.new_axes()
    contours.contour_paths(ax, L.f, L.window, {n: t.ws for n, t in tr.items()})
    assert _colors_of(ax, TWO) == _expected()
    assert _colors_of(PL.plot_paths(L, tr), TWO) == _expected()
    assert _colors_of(PL.plot_gaps(L, tr), TWO) == _expected()


def test_race_figure_and_animation_use_the_colours(runs):
    L, tr = runs
    fig = PL.race_figure(L, tr)
    for ax in fig.axes:
        got = _colors_of(ax, TWO)
        assert got and all(got[n] == color(n) for n in got)
    anim = PL.race_animation(L, tr, frames=3)
    assert _colors_of(anim.figure.axes[0], TWO) == _expected()
    anim.drawn_by_hand()


def test_the_explorer_canvas_uses_the_colours(runs):
    L, tr = runs
    canvas = PL.TrajectoryCanvas()
    canvas.set_landscape(L)
    canvas.set_paths(tr)
    assert [to_hex(ln.get_color()) for ln in canvas.lines[:2]] == [color(n) for n in TWO]


def test_curves_overlays_and_rates_use_the_colours(runs):
    _, tr = runs
    losses = {n: np.linalg.norm(t.ws, axis=1) for n, t in tr.items()}
    _, ax = style.new_axes()
    curves.log_curves(ax, losses)
    assert _colors_of(ax, TWO) == _expected()
    _, ax = style.new_axes()
    curves.overlay(ax, np.arange(31), losses, {n: v * 1.01 for n, v in losses.items()})
    assert _colors_of(ax, TWO) == _expected()
    assert len({to_hex(ln.get_color()) for ln in ax.get_lines()}) == 2   # prediction = its run
    _, ax = style.new_axes()
    curves.rate_overlay(ax, [1, 2, 3], {n: [0.5, 0.6, 0.7] for n in TWO},
                        {n: [0.5, 0.6, 0.7] for n in TWO})
    assert _colors_of(ax, TWO) == _expected()
    _, ax = style.new_axes()
    for n, v in losses.items():
        curves.band(ax, np.arange(31), np.vstack([v, 1.1 * v]), n)
        curves.rate_plot(ax, np.arange(1, 31), v[1:], -1.0, n)
    assert _colors_of(ax, TWO) == _expected()


class _History:
    def __init__(self, name, seed=0):
        self.name, self.diverged = name, False
        self.epochs = np.arange(4)
        self.held_loss = np.array([2.3, 1.0, 0.5, 0.3]) * (1 + 0.01 * seed)
        self.held_acc = np.array([0.1, 0.6, 0.8, 0.9])
        self.lr = np.array([0.1, 0.1, 0.05, 0.01])


def test_training_plots_use_the_colours():
    fig = TP.curves([_History(n) for n in TWO])
    assert _colors_of(fig.axes[0], TWO) == _expected()
    fig = TP.curves_over_seeds({n: [_History(n, s) for s in range(3)] for n in TWO})
    assert _colors_of(fig.axes[1], TWO) == _expected()
    fig = TP.lr_curves([_History(n) for n in TWO])
    assert _colors_of(fig.axes[0], TWO) == _expected()
    fig = TP.lr_sweep([0.1, 1.0], {n: [0.9, 0.8] for n in TWO})
    assert _colors_of(fig.axes[0], TWO) == _expected()


def test_batchnorm_overlay_uses_the_colours():
    ax = BP.plot_measured_vs_predicted([1, 2], {n: [1, 2] for n in TWO}, {})
    assert _colors_of(ax, TWO) == _expected()


# -- legends and fonts ---------------------------------------------------------------------------

def test_legends_sit_outside_the_data(runs):
    L, tr = runs
    fig, ax = style.new_axes()
    curves.log_curves(ax, {n: np.linalg.norm(t.ws, axis=1) for n, t in tr.items()})
    fig.canvas.draw()
    legend_box = ax.get_legend().get_window_extent()
    assert legend_box.x0 >= ax.get_window_extent().x1          # right of the axes
    fig, (a1, a2) = style.new_axes(2)
    curves.log_curves(a1, {n: np.linalg.norm(t.ws, axis=1) for n, t in tr.items()})
    fig.canvas.draw()
    assert a1.get_legend().get_window_extent().y1 <= a1.get_window_extent().y0   # below
    with pytest.raises(ValueError, match=r"where must be 'right', 'below' or None"):
        style.legend_outside(a1, "inside")


def test_fonts_are_readable_when_projected():
    style.use_course_style()
    rc = matplotlib.rcParams
    assert rc["font.size"] >= 11 and rc["legend.fontsize"] >= 10 and rc["axes.titlesize"] >= 12


def test_a_partner_forms_prediction_is_dashed_and_on_top():
    """AdamW's predicted line can lie on Adam's: drawn dashed above it, both stay visible;
    every partner form in the registry is dashed, every other method solid."""
    fig, ax = plt.subplots()
    x = np.arange(5.0)
    curves.overlay(ax, x, {}, {"Adam + L2": x, "AdamW": x})
    adam, adamw = ax.get_lines()
    assert adam.get_linestyle() == "-" and adamw.get_linestyle() == "--"
    assert adamw.get_zorder() > adam.get_zorder()
    for name, cls in OPTIMIZERS.items():
        assert style.linestyle_of(name) == ("--" if cls.partner else "-"), name
    assert {n for n, c in OPTIMIZERS.items() if c.partner} == {
        "AveragedMomentum", "NesterovFramework", "AMSGrad", "AdamW"}
    plt.close(fig)
