"""Plots for lesson 12, training a network [TN-1..TN-4].

Every helper draws on the axes it is given (or makes a small figure) and returns the figure,
so a lesson can keep adding predictions to the same axes. Histories come from
:func:`course_lib.train.train`; a run named after an optimizer ("Adam", "SGD, lr 0.5") takes
its colour (:mod:`course_lib.plotting.style`). Legends sit outside the data.
"""
from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import numpy as np

from .style import OTHER_COLORS, colors_for, legend_outside, new_axes

__all__ = ["show_digits", "curves", "curves_over_seeds", "lr_curves", "train_vs_held", "lr_sweep"]


def show_digits(X, y, n: int = 20, ncols: int = 10, title: str = "The first digits"):
    """A grid of the first ``n`` 8 x 8 images with their labels (X raw or standardized)."""
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * 0.7, nrows * 0.85))
    for i, ax in enumerate(np.ravel(axes)):
        ax.axis("off")
        if i < n:
            ax.imshow(np.asarray(X[i], dtype=float).reshape(8, 8), cmap="gray_r")
            ax.set_title(str(int(y[i])), fontsize=9)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def curves(histories, title: str = "", loss_prediction: float | None = None,
           chance: float | None = None, axes=None, ls: str = "-", legend: bool = True):
    """Held-out loss (left, log scale) and accuracy (right) against epochs, one line per
    history. ``loss_prediction``: a dashed line at a predicted loss (e.g. log 10 at the
    start); ``chance``: a dotted line at the accuracy of guessing."""
    if axes is None:
        fig, axes = new_axes(2, width=10, height=3.6)
    ax_l, ax_a = axes
    for color, h in zip(colors_for(h.name for h in histories), histories):
        label = h.name + (" (diverged)" if h.diverged else "")
        ax_l.semilogy(h.epochs, h.held_loss, ls, color=color, marker=".", label=label)
        ax_a.plot(h.epochs, 100 * np.asarray(h.held_acc), ls, color=color, marker=".", label=label)
    return _finish(ax_l, ax_a, "", loss_prediction, chance, legend, title)


def _finish(ax_l, ax_a, how, loss_prediction, chance, legend, title):
    """Reference lines, labels, legends and title shared by :func:`curves` and
    :func:`curves_over_seeds`; ``how`` (e.g. "mean of 5 seeds") goes into the panel titles."""
    if loss_prediction is not None:
        ax_l.axhline(loss_prediction, color="k", ls="--", lw=1,
                     label=f"predicted start: log 10 = {loss_prediction:.2f}")
    if chance is not None:
        ax_a.axhline(100 * chance, color="k", ls=":", lw=1, label=f"chance: {100 * chance:.0f}%")
    suffix = f" ({how})" if how else ""
    ax_l.set(xlabel="epoch", ylabel="held-out cross-entropy", title="Held-out loss" + suffix)
    ax_a.set(xlabel="epoch", ylabel="held-out accuracy (%)", title="Held-out accuracy" + suffix)
    if how:
        for ax in (ax_l, ax_a):
            ax.title.set_fontsize(9)
    fig = ax_l.figure
    if legend:                  # one legend for both panels, right of them
        seen = {}
        for ax in (ax_l, ax_a):
            for h, lab in zip(*ax.get_legend_handles_labels()):
                seen.setdefault(lab, h)
        fig.legend(list(seen.values()), list(seen), loc="outside right upper", fontsize=9)
    if title:
        fig.suptitle(title, fontsize=11)
    _layout(fig)
    return fig


def _layout(fig):
    """tight_layout, unless the figure already has a layout engine (``new_axes``'s)."""
    if fig.get_layout_engine() is None:
        fig.tight_layout()


def _stack(histories, attr, scale=1.0):
    """(epochs, values): one row per history, padded with NaN after a run that stopped early."""
    n = max(len(h.epochs) for h in histories)
    out = np.full((len(histories), n), np.nan)
    for i, h in enumerate(histories):
        out[i, :len(h.epochs)] = scale * np.asarray(getattr(h, attr), dtype=float)
    return np.arange(n), out


def curves_over_seeds(groups: dict, title: str = "", loss_prediction: float | None = None,
                      chance: float | None = None, axes=None, ls: str = "-",
                      legend: bool = True, band: bool = True):
    """Like :func:`curves` for runs repeated over seeds: ``groups`` maps a label to a list of
    histories (one per seed). Draws the mean over seeds (line) and the range from the lowest
    to the highest seed (shaded; ``band=False`` leaves it out when many runs share the axes),
    for the held-out loss (left) and accuracy (right)."""
    if axes is None:
        fig, axes = new_axes(2, width=10, height=3.6)
    ax_l, ax_a = axes
    for color, (label, hs) in zip(colors_for(groups), groups.items()):
        for ax, attr, scale in ((ax_l, "held_loss", 1.0), (ax_a, "held_acc", 100.0)):
            e, v = _stack(hs, attr, scale)
            with warnings.catch_warnings():             # an epoch no seed reached: NaN, quietly
                warnings.simplefilter("ignore", RuntimeWarning)
                mean, lo, hi = np.nanmean(v, 0), np.nanmin(v, 0), np.nanmax(v, 0)
            ax.plot(e, mean, ls, color=color, marker=".", label=label)
            if band:
                ax.fill_between(e, lo, hi, color=color, alpha=0.15, lw=0)
    ax_l.set_yscale("log")
    n = max(len(hs) for hs in groups.values())
    how = f"mean of {n} seeds" + ("; shaded: min to max" if band else "")
    return _finish(ax_l, ax_a, how, loss_prediction, chance, legend, title)


def lr_curves(histories, predicted: dict | None = None, ax=None,
              title: str = "Step size used in each epoch"):
    """The step size each run used (markers, measured from the optimizer) against epochs,
    on a log scale; ``predicted`` maps a history's name to (epochs, eta) drawn as a line."""
    if ax is None:
        _, ax = new_axes(width=7.5, height=3.2)
    for color, h in zip(colors_for(h.name for h in histories), histories):
        ax.semilogy(h.epochs[1:], h.lr[1:], "o", ms=4, color=color, label=f"{h.name}: used")
        if predicted and h.name in predicted:
            e, eta = predicted[h.name]
            ax.semilogy(e, eta, "-", color=color, lw=1, label=f"{h.name}: predicted")
    ax.set(xlabel="epoch", ylabel=r"step size $\eta$", title=title)
    legend_outside(ax, fontsize=8)
    _layout(ax.figure)
    return ax.figure


def train_vs_held(h, ax=None, window: int | None = None):
    """Three estimates of the loss for one run [VM-5, TN-4]: every minibatch loss (faint),
    their running mean over one epoch (``window`` batches), and the held-out loss per epoch."""
    if ax is None:
        _, ax = new_axes(width=8, height=3.4)
    n = h.updates_per_epoch
    window = window or n
    b = np.asarray(h.batch_losses)
    x = np.arange(1, len(b) + 1) / n
    ax.semilogy(x, b, color="0.75", lw=0.7, label="minibatch loss")
    if len(b) >= window:
        mean = np.convolve(b, np.ones(window) / window, mode="valid")
        ax.semilogy(x[window - 1:], mean, color=OTHER_COLORS[0], lw=1.5,
                    label=f"mean of the last {window} minibatch losses")
    ax.semilogy(h.epochs, h.held_loss, "o-", color=OTHER_COLORS[1], ms=4, label="held-out loss")
    ax.set(xlabel="epoch", ylabel="cross-entropy", title=f"{h.name}: three views of the loss")
    legend_outside(ax, fontsize=8)
    _layout(ax.figure)
    return ax.figure


def lr_sweep(lrs, results: dict, ax=None, ylabel: str = "held-out accuracy (%)",
             title: str = "Final accuracy against step size"):
    """``results`` maps a label to one value per step size in ``lrs`` (NaN for a diverged
    run, drawn as a cross at the bottom), or to one row of values per step size (one value
    per seed): then the line is the mean of the runs that did not diverge, the bar spans
    the lowest to the highest of them, and a cross marks a step size where any seed
    diverged, with the count of diverged seeds beside it."""
    if ax is None:
        _, ax = new_axes(width=8, height=3.2)
    lrs = np.asarray(lrs, dtype=float)
    for i, (color, (label, vals)) in enumerate(zip(colors_for(results), results.items())):
        vals = np.asarray(vals, dtype=float)
        if vals.ndim == 1:
            ax.semilogx(lrs, vals, "o-", color=color, label=label)
            bad = ~np.isfinite(vals)
            n_bad, n_seeds = bad.astype(int), 1
        else:
            ok = np.isfinite(vals)
            with np.errstate(invalid="ignore"):
                mean = np.array([v[f].mean() if f.any() else np.nan for v, f in zip(vals, ok)])
            lo = np.array([v[f].min() if f.any() else np.nan for v, f in zip(vals, ok)])
            hi = np.array([v[f].max() if f.any() else np.nan for v, f in zip(vals, ok)])
            ax.errorbar(lrs, mean, yerr=[mean - lo, hi - mean], fmt="o-", color=color,
                        capsize=3, label=f"{label} (mean; bar: min to max)")
            ax.set_xscale("log")
            n_bad, n_seeds = (~ok).sum(axis=1), vals.shape[1]
            bad = n_bad > 0
        if bad.any():
            ax.semilogx(lrs[bad], np.zeros(bad.sum()), "x", color=color, ms=9,
                        mew=2, label=f"{label}: diverged")
            if n_seeds > 1:
                for x, k in zip(lrs[bad], n_bad[bad]):
                    ax.annotate(f"{k}/{n_seeds}", (x, 0), textcoords="offset points",
                                xytext=(6, 4 + 10 * i), fontsize=7, color=color)
    ax.set(xlabel=r"step size $\eta$", ylabel=ylabel, title=title)
    legend_outside(ax, fontsize=8)
    _layout(ax.figure)
    return ax.figure
