r"""The figure behind lesson 04's gamma slider [RA-3]: a running average and its weights.

:func:`gamma_figure` draws once and returns an ``update(gamma)`` that only moves line data
(and the weights panel's range and title), so a slider
(:func:`course_lib.widgets.averages.gamma_explorer`) redraws nothing else.

>>> import numpy as np
>>> fig, update, lines, redisplay = gamma_figure(np.ones(5), window_shown=4)
>>> update(0.5).tolist()                      # C_t from C_0 = 0: 1 - 0.5^t
[0.5, 0.75, 0.875, 0.9375, 0.96875]
>>> lines["debiased"].get_ydata().tolist()    # C_t / (1 - gamma^t): the input, exactly
[1.0, 1.0, 1.0, 1.0, 1.0]
>>> _ = update(0.99); bool(fig.axes[1].get_xlim()[1] > 100)   # the window 1/(1-gamma) stays in view
True
"""
from __future__ import annotations

import math
from typing import Callable, NamedTuple

import numpy as np

from .._checks import check_range
from ..averages import debias, effective_window, moving_average_weights, running_averages

__all__ = ["GammaFigure", "gamma_figure", "GAMMA_MAX", "ages_shown"]

#: the largest gamma the figure draws: window 1/(1 - gamma) = 1000 inputs (Adam's beta2)
GAMMA_MAX = 0.999


class GammaFigure(NamedTuple):
    fig: object                                   # the matplotlib Figure
    update: Callable[[float], np.ndarray]         # update(gamma) -> C_1..C_T, lines moved
    lines: dict                                   # "average", "debiased", "weights", "window"
    redisplay: bool                               # inline backend: show the PNG again


def check_gamma_shown(gamma):
    """gamma must be in [0, GAMMA_MAX]: beyond it the weights panel would need thousands of ages."""
    return check_range("gamma", gamma, 0, GAMMA_MAX, high_open=False,
                       why="gamma weighs the old value (so it is at least 0), and the figure "
                       f"draws the weights of about 2/(1-gamma) past inputs, at most "
                       f"{2 / (1 - GAMMA_MAX):.0f}")


def ages_shown(gamma, window_shown: int = 60) -> int:
    r"""How many ages $0, 1, \dots$ the weights panel draws: `window_shown`, or twice the window
    $1/(1-\gamma)$ when that is longer, so the window marker is always inside the plot.

    >>> ages_shown(0.9), ages_shown(0.99), ages_shown(0.999)
    (60, 200, 2000)
    """
    return max(int(window_shown), math.ceil(2 * effective_window(gamma) - 1e-9))


def gamma_figure(signal, window_shown: int = 60, figsize=(9, 3.6), dpi: int = 80) -> GammaFigure:
    r"""Two panels: (left) `signal` with its running average $C_t = \gamma C_{t-1} +
    (1-\gamma) c_t$ from $C_0 = 0$ and the bias-corrected $C_t / (1-\gamma^t)$; (right) the
    weights $\gamma^j(1-\gamma)$ of the inputs of age $j$ in $C_T$, with the window
    $1/(1-\gamma)$ marked.

    The weights panel shows the last `window_shown` inputs, or twice the window when that is
    longer (:func:`ages_shown`), and its height follows the largest weight $1-\gamma$, so the
    marker and the curve stay in view for every gamma in [0, GAMMA_MAX]. Its title names gamma.

    The figure is drawn once and closed in pyplot (a notebook shows it only where it is
    displayed); ``update(gamma)`` sets the lines' data, asks the canvas for a redraw
    (``draw_idle``: ipympl redraws in place) and returns the $C_t$. ``redisplay`` says whether
    the backend is the inline one, whose figures are PNGs that must be displayed again.
    """
    import matplotlib                      # noqa: PLC0415
    import matplotlib.pyplot as plt        # noqa: PLC0415

    from .style import OTHER_COLORS, legend_outside, use_course_style   # noqa: PLC0415

    use_course_style()
    signal = np.asarray(signal, dtype=float)
    T = len(signal)
    ts = np.arange(1, T + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=figsize, dpi=dpi, layout="constrained")
    ax1.plot(ts, signal, ".", ms=3, color="0.6", label="input $c_t$")
    (l_avg,) = ax1.plot([], [], lw=2, color=OTHER_COLORS[0], label="$C_t$ (from $C_0=0$)")
    (l_deb,) = ax1.plot([], [], lw=2, ls="--", color=OTHER_COLORS[1],
                        label=r"$C_t/(1-\gamma^t)$")
    low, high = min(0.0, signal.min()), max(0.0, signal.max())    # C_t starts near C_0 = 0
    pad = 0.05 * (high - low or 1.0)
    ax1.set(xlabel="t", ylabel="value", title="running average", ylim=(low - pad, high + pad))
    legend_outside(ax1, "below")
    (l_w,) = ax2.plot([], [], "o-", ms=3, color=OTHER_COLORS[0], label=r"weight $\gamma^j(1-\gamma)$")
    l_win = ax2.axvline(0, color=OTHER_COLORS[1], ls=":", label=r"window $1/(1-\gamma)$")
    ax2.set(xlabel="age $j = T - t$ of the input", ylabel="weight")
    legend_outside(ax2, "below")
    plt.close(fig)          # shown where the caller displays it, not at the end of the cell

    def update(gamma: float) -> np.ndarray:
        check_gamma_shown(gamma)
        C = np.array(running_averages(signal, gamma))
        l_avg.set_data(ts, C)
        l_deb.set_data(ts, debias(C, gamma, ts))
        n_ages = ages_shown(gamma, window_shown)
        ages = np.arange(n_ages)
        weights = np.array(moving_average_weights(gamma, n_ages))[::-1]    # newest first
        l_w.set_data(ages, weights)
        l_w.set_marker("o" if n_ages <= 100 else "")     # thousands of dots would be a smear
        window = effective_window(gamma)
        l_win.set_xdata([window] * 2)
        ax2.set_xlim(-0.02 * n_ages, n_ages)
        ax2.set_ylim(0, 1.15 * (1 - gamma))               # the newest input's weight is the largest
        ax2.set_title(rf"weights on past inputs, $\gamma = {gamma:g}$")
        fig.canvas.draw_idle()          # an interactive backend (ipympl) redraws in place
        return C

    lines = {"average": l_avg, "debiased": l_deb, "weights": l_w, "window": l_win}
    return GammaFigure(fig, update, lines, "inline" in matplotlib.get_backend())
