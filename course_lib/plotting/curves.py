r"""Curves against the update count: errors on log axes, measured rates against theory,
measured points against predicted lines, spreads over seeds (lessons 01-08).

Each helper draws on a given ``ax`` (make one with :func:`~course_lib.plotting.style.new_axes`)
and returns what it measured, or the axes, so a lesson can assert the numbers it shows. A
curve whose label names an optimizer ("Adam", "heavy ball, measured") takes that optimizer's
colour (:func:`~course_lib.plotting.style.colors_for`); a prediction takes the colour of the
measurement it belongs to. The fitters live in the core: :mod:`course_lib.rates`.
"""
from __future__ import annotations

import numpy as np

from ..rates import loglog_slope
from .style import (OTHER_COLORS, color_of, colors_for, legend_outside, linestyle_of,
                    method_of, use_course_style)

__all__ = ["rate_plot", "band", "log_curves", "rate_overlay", "overlay", "component_steps",
           "finish_axes"]

use_course_style()
_COLOR_LETTERS = set("bgrcmykw")


def finish_axes(ax, *, xlabel="", ylabel="", title="", logx=False, logy=False, legend=True):
    """Labels, log scales and a legend outside the data: the last lines of every helper."""
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    if legend:
        legend_outside(ax)
    return ax


def rate_plot(ax, k, err, theory_slope, label, start=None, stop=None, color=None):
    """Plot a measured error curve on log-log axes, fit its slope over [start, stop], and
    overlay a dashed line of the theoretical slope through the curve's value at ``start``.
    Returns the fitted slope."""
    k, err = np.asarray(k, dtype=float), np.asarray(err, dtype=float)
    slope = loglog_slope(k, err, start, stop)
    line, = ax.loglog(k, err, color=color or color_of(label), lw=1.5,
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
    line, = ax.plot(x, med, color=color or color_of(label), lw=2, label=f"{label} (median)")
    ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.2,
                    label=f"{label} ({q[0]}-{q[1]}th pct.)")
    return med, lo, hi


def _xy(v, x=None):
    """(x, y) as float arrays from a 1-D array (over ``x``, default 0, 1, ...) or an (x, y) pair."""
    xs, ys = v if isinstance(v, tuple) else ((np.arange(len(v)) if x is None else x), v)
    return np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)


def log_curves(ax, curves: dict, xlabel="update $t$", ylabel="", title="", styles=None):
    """Each curve of ``curves`` (label -> 1-D array, or (x, y) pair) on a log y-axis; zeros and
    non-finite values are skipped. ``styles`` maps labels to format strings (a colour in the
    format wins over the course's colour). Returns the axes."""
    styles = styles or {}
    for c, (label, y) in zip(colors_for(curves), curves.items()):
        x, y = _xy(y)
        ok = np.isfinite(y) & (y > 0)
        fmt = styles.get(label, "-")
        kw = {} if _COLOR_LETTERS & set(fmt) else {"color": c}
        ax.semilogy(x[ok], y[ok], fmt, lw=1.5, ms=3, label=label, **kw)
    return finish_axes(ax, xlabel=xlabel, ylabel=ylabel, title=title)


def rate_overlay(ax, x, predicted: dict, measured: dict, xlabel="", ylabel="rate per update",
                 title="", logx=True):
    """Predicted rates as lines and measured ones as markers, in matching colours.

    ``predicted`` and ``measured`` map the same labels to arrays over ``x``. Returns the
    largest absolute gap between a measured rate and its prediction."""
    gap = 0.0
    for c, (label, pred) in zip(colors_for(predicted), predicted.items()):
        ax.plot(x, pred, "-", lw=1.5, color=c, label=f"{label}: predicted")
        if label in measured:
            ax.plot(x, measured[label], "o", ms=6, mfc="none", color=c,
                    label=f"{label}: measured")
            gap = max(gap, float(np.max(np.abs(np.asarray(measured[label]) - np.asarray(pred)))))
    finish_axes(ax, xlabel=xlabel, ylabel=ylabel, title=title, logx=logx)
    return gap


def _paired_colors(measured: dict, predicted: dict) -> tuple[list, list]:
    """Colours of the measured curves (:func:`colors_for`) and of the predictions: the colour
    of the measurement with the same label, else the optimizer's the label names, else the
    colour of the measurement in the same position."""
    m_colors = colors_for(measured)
    by_label = dict(zip(measured, m_colors))
    p_colors = []
    for i, label in enumerate(predicted):
        if label in by_label:
            p_colors.append(by_label[label])
        elif method_of(label) is not None:
            p_colors.append(color_of(label))
        else:
            p_colors.append(m_colors[i] if i < len(m_colors) else OTHER_COLORS[i % 8])
    return m_colors, p_colors


def overlay(ax, x, measured: dict, predicted: dict | None = None, *, xlabel="update $t$",
            ylabel="", title="", logx=False, logy=False, every=1):
    """Measured curves as markers, predictions as lines in the measurement's colour (dashed
    and on top for a form that gives its partner's path, such as AdamW's, so both show).

    ``measured`` and ``predicted`` map labels to arrays over ``x`` (or to (x, y) pairs).
    Non-positive values are dropped on a log axis. Returns the axes.
    """
    predicted = predicted or {}
    m_colors, p_colors = _paired_colors(measured, predicted)

    def kept(v):
        xs, ys = _xy(v, x)
        keep = np.isfinite(ys) & ((ys > 0) if logy else True)
        return xs[keep], ys[keep]

    for c, (label, v) in zip(m_colors, measured.items()):
        xs, ys = kept(v)
        ax.plot(xs[::every], ys[::every], "o", ms=4, mfc="none", mew=1.0, color=c,
                label=f"{label} (measured)")
    for c, (label, v) in zip(p_colors, predicted.items()):
        dashed = linestyle_of(label) == "--"     # a partner's form: dashed, on top
        ax.plot(*kept(v), ls=linestyle_of(label), lw=1.5, zorder=4 if dashed else 3, color=c,
                label=f"{label} (predicted)")
    return finish_axes(ax, xlabel=xlabel, ylabel=ylabel, title=title, logx=logx, logy=logy)


def component_steps(ax, steps, names=("X", "Y"), title="Steps per direction"):
    """Grouped bars of each step's components (``steps`` of shape (k, 2)), with the RMS of
    each direction as a dashed line at +-RMS. Returns the axes."""
    steps = np.asarray(steps, float)
    k = np.arange(1, len(steps) + 1)
    for j, name in enumerate(names):
        c = OTHER_COLORS[j]
        rms = np.sqrt(np.mean(steps[:, j] ** 2))
        ax.bar(k + (j - 0.5) * 0.38, steps[:, j], width=0.38, color=c, label=f"{name} component")
        ax.axhline(rms, ls="--", lw=1, color=c, label=f"{name}: $\\pm$RMS = {rms:.2f}")
        ax.axhline(-rms, ls="--", lw=1, color=c)
    ax.axhline(0, color="k", lw=0.6)
    ax.set(xticks=k)
    return finish_axes(ax, xlabel="step", ylabel="component of the step", title=title)
