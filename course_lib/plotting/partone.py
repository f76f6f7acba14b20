"""Plot helpers for Part I (lessons 01-03): measured rates against theory, spreads over seeds.

Every helper draws on a given ``ax`` and returns what it measured, so a lesson can print
and assert the number it shows.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["loglog_slope", "rate_plot", "band", "new_axes"]


def new_axes(ncols=1, width=7.0, height=3.5, **kw):
    """A figure with ``ncols`` axes side by side (small, for notebooks)."""
    fig, axes = plt.subplots(1, ncols, figsize=(width, height), **kw)
    return fig, axes


def loglog_slope(k, err, start=None, stop=None):
    """Least-squares slope of log(err) against log(k) over ``start <= k <= stop``."""
    k, err = np.asarray(k, dtype=float), np.asarray(err, dtype=float)
    sel = (k >= (start if start is not None else k.min())) & \
          (k <= (stop if stop is not None else k.max())) & (err > 0)
    if sel.sum() < 2:
        raise ValueError("need at least two positive points in the fitting range")
    return float(np.polyfit(np.log(k[sel]), np.log(err[sel]), 1)[0])


def rate_plot(ax, k, err, theory_slope, label, start=None, stop=None, color=None):
    """Plot a measured error curve on log-log axes, fit its slope over [start, stop], and
    overlay a dashed line of the theoretical slope through the curve's value at ``start``.
    Returns the fitted slope."""
    k, err = np.asarray(k, dtype=float), np.asarray(err, dtype=float)
    slope = loglog_slope(k, err, start, stop)
    line, = ax.loglog(k, err, color=color, lw=1.5,
                      label=f"{label}: measured slope {slope:.2f}")
    k0 = start if start is not None else k.min()
    k1 = stop if stop is not None else k.max()
    kk = np.geomspace(k0, k1, 50)
    e0 = np.interp(np.log(k0), np.log(k), err)
    ax.loglog(kk, e0 * (kk / k0) ** theory_slope, "--", color=line.get_color(), lw=1,
              label=f"theory slope {theory_slope:g}")
    return slope


def band(ax, x, runs, label, color=None, q=(10, 90)):
    """Median over runs (rows of ``runs``) with a shaded band between the ``q`` percentiles.
    Returns (median, low, high) arrays."""
    runs = np.asarray(runs, dtype=float)
    med = np.median(runs, axis=0)
    lo, hi = np.percentile(runs, q, axis=0)
    line, = ax.plot(x, med, color=color, lw=2, label=f"{label} (median)")
    ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.2,
                    label=f"{label} ({q[0]}-{q[1]}th pct.)")
    return med, lo, hi
