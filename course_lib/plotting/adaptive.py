"""Plot helpers for the adaptive-step-size and Adam lessons (07, 08).

Each helper draws on a given ``ax`` (make one with :func:`new_axes`), labels it, and returns
the axes, so a lesson can keep asserting the numbers it plots. Small PNG figures (dpi 80).
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["new_axes", "overlay", "component_steps", "paths_on_contours"]


def new_axes(ncols=1, width=7.0, height=3.5, **kw):
    """A small figure (dpi 80) with ``ncols`` axes side by side; returns (fig, axes)."""
    kw.setdefault("layout", "constrained")
    return plt.subplots(1, ncols, figsize=(width, height), dpi=80, **kw)


def overlay(ax, x, measured: dict, predicted: dict | None = None, *, xlabel="update $t$",
            ylabel="", title="", logx=False, logy=False, every=1):
    """Measured curves as markers, predictions as lines in the same colour order.

    ``measured`` and ``predicted`` map labels to arrays over ``x`` (or to (x, y) pairs).
    Non-positive values are dropped on a log axis. Returns the axes.
    """
    def xy(v):
        xs, ys = v if isinstance(v, tuple) else (x, v)
        xs, ys = np.asarray(xs, float), np.asarray(ys, float)
        keep = np.isfinite(ys) & ((ys > 0) if logy else True)
        return xs[keep], ys[keep]

    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (label, v) in enumerate(measured.items()):
        xs, ys = xy(v)
        ax.plot(xs[::every], ys[::every], "o", ms=4, mfc="none", mew=1.0,
                color=colors[i % len(colors)], label=f"{label} (measured)")
    for i, (label, v) in enumerate((predicted or {}).items()):
        xs, ys = xy(v)
        ax.plot(xs, ys, "-", lw=1.5, zorder=3, color=colors[i % len(colors)],
                label=f"{label} (predicted)")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.legend(fontsize=8)
    return ax


def component_steps(ax, steps, names=("X", "Y"), title="Steps per direction"):
    """Grouped bars of each step's components (``steps`` of shape (k, 2)), with the RMS of
    each direction as a dashed line at +-RMS. Returns the axes."""
    steps = np.asarray(steps, float)
    k = np.arange(1, len(steps) + 1)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for j, name in enumerate(names):
        rms = np.sqrt(np.mean(steps[:, j] ** 2))
        ax.bar(k + (j - 0.5) * 0.38, steps[:, j], width=0.38, color=colors[j],
               label=f"{name} component")
        ax.axhline(rms, ls="--", lw=1, color=colors[j], label=f"{name}: $\\pm$RMS = {rms:.2f}")
        ax.axhline(-rms, ls="--", lw=1, color=colors[j])
    ax.axhline(0, color="k", lw=0.6)
    ax.set(xlabel="step", ylabel="component of the step", title=title, xticks=k)
    ax.legend(fontsize=8, ncol=2)
    return ax


def paths_on_contours(ax, f, window, paths: dict, *, levels=20, log_levels=True, minimum=None,
                      title=""):
    """Contours of ``f(X, Y)`` over ``window = ((x0, x1), (y0, y1))`` and each path of ``paths``
    (label -> array (k, 2)); a diverged path is drawn up to where it left. Returns the axes."""
    (x0, x1), (y0, y1) = window
    X, Y = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 150))
    Z = f(X, Y)
    if log_levels:
        lo = max(Z.min(), 1e-4 * (Z.max() - Z.min()) + Z.min())
        lv = Z.min() + np.geomspace(max(lo - Z.min(), 1e-6), Z.max() - Z.min(), levels)
    else:
        lv = np.linspace(Z.min(), Z.max(), levels)
    ax.contour(X, Y, Z, levels=lv, colors="0.75", linewidths=0.6)
    for label, p in paths.items():
        p = np.asarray(p, float)
        ax.plot(p[:, 0], p[:, 1], "-", lw=1.2, marker=".", ms=3, label=label)
    if minimum is not None:
        ax.plot(*minimum, "k*", ms=10, label="minimum")
    ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel="$w_1$", ylabel="$w_2$", title=title)
    ax.legend(fontsize=8)
    return ax
