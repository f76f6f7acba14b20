"""Plots for lesson 13, choosing and tuning an optimizer [PR-1 .. PR-5].

Every comparison is repeated over seeds, so every helper draws the spread: a line for the
mean over seeds and a band (or bars) from the lowest to the highest seed. A value a seed did
not reach (a diverged run: NaN) is left out of the mean and the band, and counted on the
figure ("2/5 diverged"). Each helper draws on the axes it is given (or makes a small figure)
and returns the figure; colours follow :mod:`course_lib.plotting.style` (an optimizer's own
colour when a label names one), legends sit outside the data.
"""
from __future__ import annotations

import warnings

import numpy as np

from .style import colors_for, legend_outside, linestyle_of, new_axes

__all__ = ["band", "traces", "range_tests", "spread_vs"]


def _pad(rows):
    """A (len(rows), longest) array, each row padded with NaN after its end."""
    n = max(len(r) for r in rows)
    out = np.full((len(rows), n), np.nan)
    for i, r in enumerate(rows):
        out[i, :len(r)] = np.asarray(r, dtype=float)
    return out


def _mean_min_max(Y, axis=0):
    """Mean, min and max over seeds, ignoring NaN (quietly where no seed has a value)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(Y, axis), np.nanmin(Y, axis), np.nanmax(Y, axis)


def band(ax, x, Y, label, color, ls="-", marker=None, alpha=0.15):
    """The mean over the rows of ``Y`` (one row per seed) as a line, and their range (lowest
    to highest seed) shaded; NaN entries are left out. Returns the line."""
    mean, lo, hi = _mean_min_max(np.atleast_2d(np.asarray(Y, dtype=float)))
    (line,) = ax.plot(x, mean, ls, color=color, marker=marker, ms=3, label=label)
    ax.fill_between(x, lo, hi, color=color, alpha=alpha, lw=0)
    return line


def _axes(ax, width=10.0, height=3.6):
    return new_axes(width=width, height=height)[1] if ax is None else ax


def _colors(groups, colors):
    """One colour per label: ``colors[label]`` where given (so that a setting keeps its colour
    across figures), else :func:`course_lib.plotting.style.colors_for`'s."""
    default = colors_for(groups)
    return [(colors or {}).get(label, c) for label, c in zip(groups, default)]



def _finish(ax, xlabel, ylabel, title, logy, legend):
    """The common last lines: log y-axis if asked, labels, a legend outside the data."""
    if logy:
        ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    if legend:
        legend_outside(ax)
    return ax.figure

def traces(groups: dict, ax=None, xlabel="update t", ylabel="", title="", logy=True,
           legend=True, colors=None):
    """``groups`` maps a label to one 1-D sequence per seed (e.g. the gradient norms of each
    update); each is drawn as :func:`band` against its index, counted from 1. ``colors``:
    an optional dict label -> colour."""
    ax = _axes(ax)
    for color, (label, rows) in zip(_colors(groups, colors), groups.items()):
        Y = _pad(rows)
        band(ax, np.arange(1, Y.shape[1] + 1), Y, f"{label} ({len(rows)} seeds)", color,
             ls=linestyle_of(label))
    return _finish(ax, xlabel, ylabel, title, logy, legend)


def range_tests(groups: dict, ax=None, title="Learning-rate range test"):
    """``groups`` maps a label (e.g. an optimizer's name) to a list of
    :class:`course_lib.practice.RangeTest`, one per seed: the smoothed loss against the step
    size on a log axis (mean line, min-to-max band), and the spread of the suggestions
    (lowest to highest seed's ``suggestion``) as a shaded column of the same colour."""
    ax = _axes(ax)
    for color, (label, tests) in zip(colors_for(groups), groups.items()):
        longest = max(tests, key=lambda rt: len(rt.lrs))
        Y = _pad([rt.smoothed for rt in tests])
        band(ax, longest.lrs, Y, f"{label}: smoothed loss ({len(tests)} seeds)", color)
        sug = [rt.suggestion for rt in tests]
        ax.axvspan(min(sug), max(sug) * 1.0001, color=color, alpha=0.25, lw=0,
                   label=f"{label}: suggestion (lowest point / 10), every seed")
    ax.set_xscale("log")
    ax.set(xlabel=r"step size $\eta_t$ of the update", ylabel="smoothed minibatch loss",
           title=title)
    legend_outside(ax)
    return ax.figure


def spread_vs(x, groups: dict, ax=None, xlabel="", ylabel="", title="", logx=True,
              logy=False, legend=True, colors=None, how="mean; bar: min to max of {n} seeds"):
    """``groups`` maps a label to an array of shape (len(x), seeds): the mean over seeds as a
    line with markers, a bar from the lowest to the highest seed, and, where some seed has
    no value (NaN: the run diverged), a cross at the top of the axes with the count
    ("3/5") beside it. Labels that name an optimizer take its colour (or ``colors[label]``).
    ``how`` is added to each legend entry in brackets ("" leaves it out, for a title that
    says it instead); ``{n}`` becomes the number of seeds."""
    ax = _axes(ax)
    x = np.asarray(x, dtype=float)
    for i, (color, (label, V)) in enumerate(zip(_colors(groups, colors), groups.items())):
        V = np.asarray(V, dtype=float)
        mean, lo, hi = _mean_min_max(V, axis=1)
        ok = np.isfinite(mean)
        suffix = f" ({how.format(n=V.shape[1])})" if how else ""
        ax.errorbar(x[ok], mean[ok], yerr=[mean[ok] - lo[ok], hi[ok] - mean[ok]], fmt="o",
                    ls=linestyle_of(label), color=color, capsize=3, ms=4, label=label + suffix)
        n_bad = np.sum(~np.isfinite(V), axis=1)
        for xi, k in zip(x[n_bad > 0], n_bad[n_bad > 0]):
            ax.plot(xi, 1.0, "x", color=color, ms=9, mew=2, transform=ax.get_xaxis_transform(),
                    clip_on=False)
            ax.annotate(f"{k}/{V.shape[1]} diverged", (xi, 1.0),
                        xycoords=ax.get_xaxis_transform(), textcoords="offset points",
                        xytext=(5, -12 - 10 * i), fontsize=8, color=color)
    if logx:
        ax.set_xscale("log")
        if np.allclose(x, np.round(x)) and x.min() >= 1:          # whole numbers: label them all
            ax.set_xticks(x, [f"{v:g}" for v in x])
            ax.minorticks_off()
    return _finish(ax, xlabel, ylabel, title, logy, legend)

