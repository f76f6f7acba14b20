"""Plot helpers for the momentum and Nesterov lessons (05, 06): paths on contour maps,
error curves on a log scale, and predicted rates overlaid on measured ones.

Each helper draws on a given ``ax`` (make one with :func:`new_axes`) and returns what it
drew or measured, so a lesson can assert the numbers it shows.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["new_axes", "contour_paths", "log_curves", "rate_overlay", "fit_rate"]


def new_axes(ncols=1, width=7.0, height=3.5, **kw):
    """A small figure (dpi 80) with ``ncols`` axes side by side; returns (fig, axes)."""
    kw.setdefault("layout", "constrained")
    fig, axes = plt.subplots(1, ncols, figsize=(width, height), dpi=80, **kw)
    return fig, axes


def contour_paths(ax, f, window, paths: dict, levels=25, log_levels=False, minimum=None,
                  title="", every=1):
    """Contours of ``f(x, y)`` (elementwise on grids) over ``window = ((x0, x1), (y0, y1))``,
    and each path of ``paths`` (label -> array of shape (k, 2)) as a line with small markers
    every ``every`` points. ``minimum`` (x, y) is starred. Returns the axes."""
    (x0, x1), (y0, y1) = window
    X, Y = np.meshgrid(np.linspace(x0, x1, 240), np.linspace(y0, y1, 160))
    Z = f(X, Y)
    if log_levels:
        lv = np.geomspace(max(Z.min(), 1e-3 * (Z.max() - Z.min())), Z.max(), levels)
    else:
        lv = np.linspace(Z.min(), Z.max(), levels)
    ax.contour(X, Y, Z, levels=lv, colors="0.75", linewidths=0.6)
    for label, p in paths.items():
        p = np.asarray(p)
        ax.plot(p[:, 0], p[:, 1], "-", lw=1.3, marker=".", ms=3, markevery=every, label=label)
    if minimum is not None:
        ax.plot(*minimum, "k*", ms=10, label="minimum")
    ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel="$w_1$", ylabel="$w_2$", title=title)
    ax.legend(fontsize=8, loc="best")
    return ax


def log_curves(ax, curves: dict, xlabel="update $t$", ylabel="", title="", styles=None):
    """Each curve of ``curves`` (label -> 1-D array, or (x, y) pair) on a log y-axis; zeros and
    non-finite values are skipped. ``styles`` maps labels to format strings. Returns the axes."""
    styles = styles or {}
    for label, y in curves.items():
        x, y = (y if isinstance(y, tuple) else (np.arange(len(y)), y))
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        ok = np.isfinite(y) & (y > 0)
        ax.semilogy(x[ok], y[ok], styles.get(label, "-"), lw=1.5, ms=3, label=label)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.legend(fontsize=8)
    return ax


def rate_overlay(ax, x, predicted: dict, measured: dict, xlabel="", ylabel="rate per update",
                 title="", logx=True):
    """Predicted rates as lines and measured ones as markers, in matching colours.

    ``predicted`` and ``measured`` map the same labels to arrays over ``x``. Returns the
    largest absolute gap between a measured rate and its prediction."""
    gap = 0.0
    for label, pred in predicted.items():
        line, = ax.plot(x, pred, "-", lw=1.5, label=f"{label}: predicted")
        if label in measured:
            ax.plot(x, measured[label], "o", ms=6, mfc="none", color=line.get_color(),
                    label=f"{label}: measured")
            gap = max(gap, float(np.max(np.abs(np.asarray(measured[label]) - np.asarray(pred)))))
    if logx:
        ax.set_xscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.legend(fontsize=8)
    return gap


def fit_rate(err, start, stop, power=0):
    r"""The rate rho of an error curve that behaves like $C\,k^{p}\rho^k$ (``power`` = p):
    a least-squares line through $\log(e_k / k^p)$ over ``start <= k < stop`` has slope
    $\log \rho$. With p = 0 this is the plain geometric rate; a repeated eigenvalue of the
    iteration (heavy ball at its optimal tuning) gives p = 1.

    >>> k = np.arange(200); e = 3.0 * k * 0.9 ** k
    >>> round(fit_rate(e, 50, 200, power=1), 12)
    0.9
    """
    err = np.asarray(err, dtype=float)
    k = np.arange(start, stop)
    y = np.log(err[start:stop]) - power * np.log(k)
    return float(np.exp(np.polyfit(k, y, 1)[0]))
