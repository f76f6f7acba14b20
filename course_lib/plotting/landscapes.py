r"""Pictures of optimizers racing on the test functions of :mod:`course_lib.landscapes`
[VO-1, VO-2].

* :func:`plot_landscape`: contour lines, minima (stars) and saddles (crosses);
* :func:`plot_paths`: the trajectories of several runs on those contours;
* :func:`plot_gaps`: $f(W_k) - f^*$ against the step $k$, log scale;
* :func:`race_figure`: the standard picture of lesson 09 (three panels of paths, one of gaps).

The animations are in :mod:`course_lib.plotting.animation`, the palette PNG of
:func:`compact` in :mod:`course_lib.plotting.png` and the explorer's figure in
:mod:`course_lib.plotting.canvas`; they are importable from here too (``PL.race_apng``,
``PL.compact``), so a lesson needs one import.

Runs are :class:`course_lib.trace.Trace` objects in a dict ``label -> trace``; each takes its
optimizer's colour (:mod:`course_lib.plotting.style`). A run that diverged is drawn up to its
last finite iterate, ends in a cross, and says so in the legend. Legends sit beside the data.
This module loads matplotlib only when it draws.
"""
from __future__ import annotations

import numpy as np

from ..landscapes import Landscape
from .contours import draw_paths, path_xy, plot_landscape, run_label
from .style import (COLORS, axes_or_new, color, color_of, colors_for, legend_outside,
                    linestyle_of, method_of, use_course_style)

__all__ = ["COLORS", "color", "color_of", "default_groups", "plot_landscape", "plot_paths",
           "plot_gaps", "race_figure", "landscape_start",
           # re-exported, see the module docstring
           "compact", "CompactFigure", "frame_steps", "race_animation", "race_html",
           "race_apng", "AnimationHTML", "AnimatedPNG", "TrajectoryCanvas"]

#: the panels of :func:`race_figure`, by the optimizers' ``family`` in the registry
PANELS = {"gradient and momentum": ("sgd", "momentum", "nesterov"),
          "per-coordinate step sizes": ("adaptive",),
          "Adam and its variants": ("adam",)}


def default_groups(labels) -> dict:
    """Split optimizer names into the panels of :func:`race_figure` by their family."""
    from ..optimizers.registry import OPTIMIZERS   # noqa: PLC0415
    labels = list(labels)
    fam = {l: getattr(OPTIMIZERS.get(method_of(l)), "family", None) for l in labels}
    groups = {title: [l for l in labels if fam[l] in families]
              for title, families in PANELS.items()}
    placed = {l for ls in groups.values() for l in ls}
    groups["gradient and momentum"] = [l for l in labels
                                       if l in groups["gradient and momentum"] or l not in placed]
    return {k: v for k, v in groups.items() if v}


def landscape_start(traces, landscape):
    """The first iterate of the first run (the common start), else the landscape's start."""
    for tr in traces.values():
        return path_xy(tr)[0]
    return landscape.start


def plot_paths(landscape: Landscape, traces: dict, ax=None, title: str | None = None,
               contours: bool = True, legend: bool = True, lw: float = 1.6):
    """Contours of f with the path of every run (label -> Trace); returns the axes."""
    ax = axes_or_new(ax, 6, 4.5)
    if contours:
        plot_landscape(landscape, ax, title=title)
    elif title is not None:
        ax.set_title(title)
    ax.plot(*landscape_start(traces, landscape), "o", color="k", ms=5, zorder=6, label="start")
    draw_paths(ax, traces, lw=lw)
    if legend:
        legend_outside(ax, "right", fontsize=8)
    return ax


def plot_gaps(landscape: Landscape, traces: dict, ax=None, title: str | None = None,
              legend: bool = True, floor: float = 1e-14):
    r"""$f(W_k) - f^*$ against k on a log axis (clipped below at `floor`); returns the axes."""
    ax = axes_or_new(ax, 6, 4)
    for c, (label, tr) in zip(colors_for(traces), traces.items()):
        with np.errstate(over="ignore", invalid="ignore"):
            gap = landscape.loss(path_xy(tr)) - landscape.min_value
        ax.semilogy(np.arange(len(gap)), np.maximum(gap, floor), linestyle_of(label),
                    color=c, lw=1.4, label=run_label(label, tr))
    ax.set(xlabel="update $k$", ylabel=r"$f(W_k) - f^*$",
           title=title or f"{landscape.name}: distance to the minimum value")
    if legend:
        legend_outside(ax, "right", fontsize=8)
    return ax


def race_figure(landscape: Landscape, traces: dict, groups: dict | None = None,
                figsize=(10.5, 6.8), dpi: int = 66):
    """The standard picture of lesson 09: one contour panel per group of optimizers
    (:func:`default_groups`) and a panel of $f(W_k) - f^*$ for every run, with one legend
    for all of them right of the panels (an optimizer has the same colour in every panel).
    Returns the pyplot figure (shown inline by a notebook)."""
    import matplotlib.pyplot as plt   # noqa: PLC0415
    use_course_style()
    groups = groups or default_groups(traces)
    n = len(groups) + 1
    rows, cols = (2, 2) if n == 4 else (1, n)
    fig, axes = plt.subplots(rows, cols, figsize=figsize, dpi=dpi)
    axes = np.ravel(axes)
    for ax, (title, labels) in zip(axes, groups.items()):
        plot_paths(landscape, {l: traces[l] for l in labels}, ax=ax, title=title, legend=False)
    gaps = plot_gaps(landscape, traces, ax=axes[len(groups)], legend=False,
                     title=r"$f(W_k)-f^*$, all runs")
    for ax in axes[len(groups) + 1:]:
        ax.axis("off")
    markers = {}
    for ax in axes[:len(groups)]:               # start, minimum, saddle: once each
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab in ("start", "minimum", "saddle"):
                markers.setdefault(lab, h)
    handles = [*gaps.get_lines(), *markers.values()]
    fig.legend(handles, [h.get_label() for h in handles], loc="center right",
               bbox_to_anchor=(0.995, 0.5), fontsize=9, frameon=False)
    fig.suptitle(landscape.name)
    # fixed margins: tight_layout would cost more than drawing the figure
    fig.subplots_adjust(left=0.06, right=0.8, bottom=0.08, top=0.91, wspace=0.22, hspace=0.33)
    return fig


# the rest of lesson 09's pictures, importable from here (see the module docstring)
from .animation import (AnimatedPNG, AnimationHTML, frame_steps, race_animation,  # noqa: E402
                        race_apng, race_html)
from .canvas import TrajectoryCanvas   # noqa: E402
from .png import CompactFigure, compact   # noqa: E402
