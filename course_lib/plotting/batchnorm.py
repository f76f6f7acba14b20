"""Plots for the batch-normalization lessons 10 and 11 (matplotlib only here).

Every helper draws on a given Axes (or a new small figure), gives it a title, labelled axes
and a legend, and returns the Axes. Measured values are drawn as markers, predictions as
lines, so a plot shows at a glance whether the theory fits.
"""
from __future__ import annotations

import numpy as np

from .curves import finish_axes
from .style import OTHER_COLORS, axes_or_new, colors_for, new_axes

__all__ = ["plot_before_after", "plot_measured_vs_predicted", "plot_batch_spread"]


def plot_before_after(Z, Zhat, axes=None, title="Each feature before and after batch norm",
                      labels=None):
    """Z and Zhat (both n_l x K, features by batch) as one strip of points per feature,
    before (left) and after (right) normalization."""
    Z, Zhat = np.asarray(Z), np.asarray(Zhat)
    n = Z.shape[0]
    labels = labels or [f"feature {i + 1}" for i in range(n)]
    if axes is None:
        fig, axes = new_axes(2, width=8, height=3.6)
        fig.suptitle(title)
    for ax, data, name in zip(axes, (Z, Zhat), ("input Z", "output Zhat")):
        for i in range(n):
            jitter = np.linspace(-0.25, 0.25, data.shape[1])
            ax.plot(data[i], i + jitter, ".", ms=4, color=OTHER_COLORS[i % len(OTHER_COLORS)],
                    label=labels[i])
        ax.set_yticks(range(n))
        ax.set_yticklabels(labels)
        ax.set_xlabel(f"value of {name}")
        ax.set_title(name)
    axes[0].set_ylabel("feature (one row of the minibatch)")
    return axes


def plot_measured_vs_predicted(x, measured: dict, predicted: dict, ax=None, *, title="",
                               xlabel="", ylabel="", logx=False, logy=False, bands: dict = None):
    """Measured series as markers (dict label -> y), predictions as lines (dict label -> y),
    over the same x. `bands` (label -> (low, high)) shades a measured spread."""
    ax = axes_or_new(ax)
    for c, (label, y) in zip(colors_for(measured), measured.items()):
        ax.plot(x, y, "o", ms=4, color=c, label=label, alpha=0.8)
    for c, (label, y) in zip(colors_for(predicted), predicted.items()):
        ax.plot(x, y, "-", lw=1.6, color=c, label=label)
    bands = bands or {}
    for c, (label, (lo, hi)) in zip(colors_for(bands), bands.items()):
        ax.fill_between(x, lo, hi, color=c, alpha=0.15, label=label)
    ax.grid(True, which="major", alpha=0.3)
    return finish_axes(ax, xlabel=xlabel, ylabel=ylabel, title=title, logx=logx, logy=logy)


def plot_batch_spread(train_outputs, inference_output, ax=None, *,
                      title="One example, many different batch-mates"):
    """Histogram of one example's output over many training batches, with its single
    inference-mode output as a vertical line."""
    ax = axes_or_new(ax)
    ax.hist(np.asarray(train_outputs), bins=30, alpha=0.7, color=OTHER_COLORS[0],
            label="training mode (batch statistics)")
    ax.axvline(inference_output, color="k", lw=2, label="inference mode (running estimates)")
    return finish_axes(ax, xlabel="output Zhat of the same example",
                       ylabel="number of batches", title=title)
