"""An interactive gamma slider for the running-average lesson [RA-3].

The figure is :func:`course_lib.plotting.averages.gamma_figure`, drawn once; each slider
change moves its line data and redraws only what moved (the two running averages, the
weights panel's curve, window marker, axes and title) over the kept rest of the figure,
into an ``Image`` widget (:class:`course_lib.plotting.canvas.FigurePNG`). Works headless,
with any matplotlib backend: setting ``slider.value`` updates the lines and the picture,
which the tests check.
"""
from __future__ import annotations

import numpy as np

__all__ = ["gamma_explorer"]


def gamma_explorer(signal, gamma: float = 0.9, window_shown: int = 60):
    """A slider for gamma over a figure with (left) the running average and its bias-corrected
    version on `signal`, (right) the weights on the last `window_shown` inputs (more when the
    window 1/(1-gamma) is longer, so its marker stays in view).

    `gamma` is the starting value, in [0, 0.999]; the slider runs from 0 to 0.99 (or to `gamma`
    when it starts higher) in steps of 0.001, so any starting value with three decimals is
    shown exactly. Returns the ipywidgets VBox; ``box.slider``, ``box.fig``, ``box.status``,
    ``box.image`` (the PNG on show), ``box.picture`` (its :class:`FigurePNG`) and ``box.lines``
    are exposed.
    """
    import ipywidgets as w                                # noqa: PLC0415

    from ..plotting.averages import check_gamma_shown, gamma_figure   # noqa: PLC0415
    from ..plotting.canvas import FigurePNG                            # noqa: PLC0415

    gamma = float(check_gamma_shown(gamma))          # before any widget exists
    fig, update, lines, _ = gamma_figure(signal, window_shown)
    weights_axes = lines["weights"].axes
    # what a change of gamma moves; the input dots, the left axes and the legends stay
    picture = FigurePNG(fig, [lines["average"], lines["debiased"], lines["weights"],
                              lines["window"], weights_axes.xaxis, weights_axes.yaxis,
                              weights_axes.title])
    width, height = picture.size_px
    image = w.Image(format="png", width=width, height=height,   # shown at its own size
                    layout=w.Layout(width=f"{width}px", height=f"{height}px",
                                    min_width=f"{width}px", object_fit="none"))
    status = w.HTML()
    first = float(np.asarray(signal, dtype=float)[0])

    def redraw(gamma):
        C = update(gamma)
        image.value = picture.render()
        status.value = (f"gamma = {gamma:.3f}: window 1/(1-gamma) = {1 / (1 - gamma):.1f} inputs; "
                        f"bias at t=1 without correction: C_1 = {C[0]:.3f} vs c_1 = {first:.3f}")

    slider = w.FloatSlider(value=gamma, min=0.0, max=max(0.99, gamma), step=0.001,
                           description="gamma", continuous_update=True, readout_format=".3f")
    slider.observe(lambda change: redraw(change["new"]), names="value")
    redraw(gamma)
    box = w.VBox([slider, status, image])
    box.slider, box.fig, box.status, box.image, box.picture = slider, fig, status, image, picture
    box.lines = {k: lines[k] for k in ("average", "debiased", "weights", "window")}
    return box
