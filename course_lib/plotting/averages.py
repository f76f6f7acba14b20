r"""The figure behind lesson 04's gamma slider [RA-3]: a running average and its weights.

:func:`gamma_figure` draws once and returns an ``update(gamma)`` that only moves line data,
so a slider (:func:`course_lib.widgets.averages.gamma_explorer`) redraws nothing else.

>>> import numpy as np
>>> fig, update, lines, redisplay = gamma_figure(np.ones(5), window_shown=4)
>>> update(0.5).tolist()                      # C_t from C_0 = 0: 1 - 0.5^t
[0.5, 0.75, 0.875, 0.9375, 0.96875]
>>> lines["debiased"].get_ydata().tolist()    # C_t / (1 - gamma^t): the input, exactly
[1.0, 1.0, 1.0, 1.0, 1.0]
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from ..averages import debias, moving_average_weights, running_averages

__all__ = ["GammaFigure", "gamma_figure"]


class GammaFigure(NamedTuple):
    fig: object                                   # the matplotlib Figure
    update: Callable[[float], np.ndarray]         # update(gamma) -> C_1..C_T, lines moved
    lines: dict                                   # "average", "debiased", "weights", "window"
    redisplay: bool                               # inline backend: show the PNG again


def gamma_figure(signal, window_shown: int = 60, figsize=(9, 3.2), dpi: int = 80) -> GammaFigure:
    r"""Two panels: (left) `signal` with its running average $C_t = \gamma C_{t-1} +
    (1-\gamma) c_t$ from $C_0 = 0$ and the bias-corrected $C_t / (1-\gamma^t)$; (right) the
    weights of the last `window_shown` inputs in $C_T$, with the window $1/(1-\gamma)$.

    The figure is drawn once and closed in pyplot (a notebook shows it only where it is
    displayed); ``update(gamma)`` sets the lines' data, asks the canvas for a redraw
    (``draw_idle``: ipympl redraws in place) and returns the $C_t$. ``redisplay`` says whether
    the backend is the inline one, whose figures are PNGs that must be displayed again.
    """
    import matplotlib                      # noqa: PLC0415
    import matplotlib.pyplot as plt        # noqa: PLC0415

    signal = np.asarray(signal, dtype=float)
    T = len(signal)
    ts = np.arange(1, T + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=figsize, dpi=dpi)
    ax1.plot(ts, signal, ".", ms=3, color="0.6", label="input $c_t$")
    (l_avg,) = ax1.plot([], [], lw=2, label="$C_t$ (from $C_0=0$)")
    (l_deb,) = ax1.plot([], [], lw=2, ls="--", label=r"$C_t/(1-\gamma^t)$")
    ax1.set(xlabel="t", ylabel="value", title="running average")
    ax1.legend(loc="lower right", fontsize=8)
    ages = np.arange(window_shown)
    (l_w,) = ax2.plot(ages, np.zeros(window_shown), "o-", ms=3)
    l_win = ax2.axvline(0, color="C3", ls=":", label=r"window $1/(1-\gamma)$")
    ax2.set(xlabel="age T - t of the input", ylabel="weight", title="weights on past inputs",
            ylim=(0, 0.55))
    ax2.legend(fontsize=8)
    fig.tight_layout()
    plt.close(fig)          # shown where the caller displays it, not at the end of the cell

    def update(gamma: float) -> np.ndarray:
        C = np.array(running_averages(signal, gamma))
        l_avg.set_data(ts, C)
        l_deb.set_data(ts, debias(C, gamma, ts))
        weights = np.array(moving_average_weights(gamma, window_shown))[::-1]
        l_w.set_data(ages, weights)
        l_win.set_xdata([1 / (1 - gamma)] * 2)
        fig.canvas.draw_idle()          # an interactive backend (ipympl) redraws in place
        return C

    lines = {"average": l_avg, "debiased": l_deb, "weights": l_w, "window": l_win}
    return GammaFigure(fig, update, lines, "inline" in matplotlib.get_backend())
