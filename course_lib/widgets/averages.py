"""An interactive gamma slider for the running-average lesson [RA-3].

Draws once, then moves line data on each slider change (one redraw). Works headless:
setting ``slider.value`` updates the lines, which the tests check.
"""
from __future__ import annotations

import numpy as np

from ..averages import debias, moving_average_weights, running_averages

__all__ = ["gamma_explorer"]


def gamma_explorer(signal, gamma: float = 0.9, window_shown: int = 60):
    """A slider for gamma over a figure with (left) the running average and its bias-corrected
    version on `signal`, (right) the weights on the last `window_shown` inputs.

    Returns the ipywidgets VBox; ``box.slider``, ``box.fig`` and ``box.lines`` are exposed.
    """
    import ipywidgets as w                     # noqa: PLC0415
    import matplotlib.pyplot as plt            # noqa: PLC0415

    signal = np.asarray(signal, dtype=float)
    T = len(signal)
    ts = np.arange(1, T + 1)
    out = w.Output()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2), dpi=80)
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
    plt.close(fig)          # shown through `out` only, re-displayed after each change
    status = w.HTML()

    def redraw(gamma):
        C = np.array(running_averages(signal, gamma))
        l_avg.set_data(ts, C)
        l_deb.set_data(ts, debias(C, gamma, ts))
        weights = np.array(moving_average_weights(gamma, window_shown))[::-1]
        l_w.set_data(ages, weights)
        l_win.set_xdata([1 / (1 - gamma)] * 2)
        status.value = (f"gamma = {gamma:.3f}: window 1/(1-gamma) = {1 / (1 - gamma):.1f} inputs; "
                        f"bias at t=1 without correction: C_1 = {C[0]:.3f} vs c_1 = {signal[0]:.3f}")
        fig.canvas.draw_idle()          # an interactive backend (ipympl) redraws in place
        if "inline" in plt.get_backend():  # the inline backend needs the PNG shown again
            from IPython.display import display   # noqa: PLC0415
            with out:
                out.clear_output(wait=True)
                display(fig)

    slider = w.FloatSlider(value=gamma, min=0.0, max=0.99, step=0.01, description="gamma",
                           continuous_update=True, readout_format=".2f")
    slider.observe(lambda change: redraw(change["new"]), names="value")
    redraw(gamma)
    box = w.VBox([slider, status, out])
    box.slider, box.fig, box.status = slider, fig, status
    box.lines = {"average": l_avg, "debiased": l_deb, "weights": l_w}
    return box
