r"""Paths on contour maps: the one helper every lesson uses to show where an optimizer went.

* :func:`draw_paths`: each run as a line in its optimizer's colour, ending in a dot (or a
  cross where it diverged); runs are arrays of shape (k, 2) or :class:`~course_lib.trace.Trace`;
* :func:`contour_levels`: evenly or geometrically spaced levels above the minimum;
* :func:`contour_paths`: contours of a function ``f(X, Y)`` over a window, with the paths;
* :func:`plot_landscape`: the contours of a :class:`~course_lib.landscapes.Landscape` (levels
  suited to it), its minima and saddles; :func:`course_lib.plotting.landscapes.plot_paths`
  draws the paths on them.
"""
from __future__ import annotations

import numpy as np

from ..landscapes import Landscape
from .style import axes_or_new, colors_for, legend_outside, linestyle_of

__all__ = ["contour_levels", "draw_paths", "contour_paths", "run_label", "path_xy",
           "plot_landscape"]


def path_xy(run) -> np.ndarray:
    """The iterates of a run (a Trace or an array of shape (k, 2)) as a float array (k, 2)."""
    return np.asarray(getattr(run, "ws", run), dtype=float)


def run_label(label: str, run) -> str:
    """The legend entry of a run: its label, and where it diverged if it did."""
    return f"{label} (diverged at {run.diverged_at})" if getattr(run, "diverged", False) else label


def draw_paths(ax, paths: dict, *, lw: float = 1.5, every=None, ends: bool = True):
    """Each run of ``paths`` (label -> Trace or array (k, 2)) as a line in the colour of the
    optimizer its label names; small markers every ``every`` points (None: no markers), and
    a dot at the end (a cross for a diverged run). Returns the lines, in order."""
    lines = []
    for c, (label, run) in zip(colors_for(paths), paths.items()):
        ws = path_xy(run)
        marker = {} if every is None else {"marker": ".", "ms": 3, "markevery": every}
        line, = ax.plot(ws[:, 0], ws[:, 1], linestyle_of(label), color=c, lw=lw, alpha=0.9,
                        label=run_label(label, run), **marker)
        if ends:
            diverged = getattr(run, "diverged", False)
            ax.plot(ws[-1, 0], ws[-1, 1], "x" if diverged else "o", color=c,
                    ms=6 if diverged else 3)
        lines.append(line)
    return lines


def contour_levels(Z, n: int, log: bool = False) -> np.ndarray:
    r"""``n`` levels from the lowest to the highest finite value of Z: evenly spaced, or
    (``log``) spaced geometrically above the minimum, from $10^{-4}$ of the range up."""
    lo, hi = float(np.nanmin(Z)), float(np.nanmax(Z))
    if not log:
        return np.linspace(lo, hi, n)
    span = max(hi - lo, 1e-12)
    return lo + np.geomspace(1e-4 * span, span, n)


def contour_paths(ax, f, window, paths: dict, levels: int = 25, log_levels: bool = False,
                  minimum=None, title: str = "", every=1, legend: bool = True):
    """Contours of ``f(x, y)`` (elementwise on grids) over ``window = ((x0, x1), (y0, y1))``,
    and each path of ``paths`` (label -> array (k, 2) or Trace; see :func:`draw_paths`) with
    small markers every ``every`` points. ``minimum`` (x, y) is starred. Returns the axes."""
    (x0, x1), (y0, y1) = window
    X, Y = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 150))
    with np.errstate(over="ignore", invalid="ignore"):
        Z = f(X, Y)
    ax.contour(X, Y, Z, levels=contour_levels(Z, levels, log_levels), colors="0.75",
               linewidths=0.6)
    draw_paths(ax, paths, lw=1.3, every=every, ends=False)
    if minimum is not None:
        ax.plot(*minimum, "k*", ms=10, label="minimum")
    ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel="$w_1$", ylabel="$w_2$", title=title)
    if legend:
        legend_outside(ax)
    return ax


def _landscape_levels(landscape: Landscape, Z, n=16):
    gap = Z - landscape.min_value
    gap = gap[np.isfinite(gap)]
    if landscape.log_levels:
        lo = max(float(np.quantile(gap, 0.002)), 1e-3)
        hi = float(np.quantile(gap, 0.97))
        return landscape.min_value + np.geomspace(lo, hi, n)
    lv = np.unique(np.quantile(gap, np.linspace(0.01, 0.9, n) ** 1.5))
    return landscape.min_value + lv


def plot_landscape(landscape: Landscape, ax=None, n: int = 120, title: str | None = None,
                   levels: int = 16):
    """Contour lines of f over the landscape's window, minima and saddles marked."""
    ax = axes_or_new(ax, 5, 4)
    X, Y, Z = landscape.grid(n)
    ax.contour(X, Y, Z, levels=_landscape_levels(landscape, Z, levels), cmap="Greys_r",
               linewidths=0.7, alpha=0.6, vmin=landscape.min_value,
               vmax=landscape.min_value + 3 * (np.nanquantile(Z, 0.97) - landscape.min_value))
    for i, m in enumerate(landscape.minima):
        ax.plot(*m, "*", color="gold", mec="k", ms=12, zorder=5,
                label="minimum" if i == 0 else None)
    for i, s in enumerate(landscape.saddles):
        ax.plot(*s, "X", color="w", mec="k", ms=8, zorder=5, label="saddle" if i == 0 else None)
    (x0, x1), (y0, y1) = landscape.window
    ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel="$x$", ylabel="$y$",
           title=landscape.name if title is None else title)
    return ax
