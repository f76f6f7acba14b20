"""Plots for the batch-normalization lessons 10 and 11 (matplotlib only here).

Every helper draws on a given Axes (or a new small figure), gives it a title, labelled axes
and a legend, and returns the Axes. Measured values are drawn as markers, predictions as
lines, so a plot shows at a glance whether the theory fits.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["new_axes", "plot_before_after", "plot_measured_vs_predicted", "plot_batch_spread"]

FIGSIZE, DPI = (7, 4), 85


def new_axes(ax=None, figsize=FIGSIZE):
    """The given Axes, or one on a new small figure."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, dpi=DPI)
    return ax


def plot_before_after(Z, Zhat, axes=None, title="Each feature before and after batch norm",
                      labels=None):
    """Z and Zhat (both n_l x K, features by batch) as one strip of points per feature,
    before (left) and after (right) normalization."""
    Z, Zhat = np.asarray(Z), np.asarray(Zhat)
    n = Z.shape[0]
    labels = labels or [f"feature {i + 1}" for i in range(n)]
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(8, 3.6), dpi=DPI)
        fig.suptitle(title)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, data, name in zip(axes, (Z, Zhat), ("input Z", "output Zhat")):
        for i in range(n):
            jitter = np.linspace(-0.25, 0.25, data.shape[1])
            ax.plot(data[i], i + jitter, ".", ms=4, color=colors[i % len(colors)],
                    label=labels[i])
        ax.set_yticks(range(n))
        ax.set_yticklabels(labels)
        ax.set_xlabel(f"value of {name}")
        ax.set_title(name)
    axes[0].set_ylabel("feature (one row of the minibatch)")
    axes[1].legend(loc="upper right", fontsize=8)
    axes[0].figure.tight_layout()
    return axes


def plot_measured_vs_predicted(x, measured: dict, predicted: dict, ax=None, *, title="",
                               xlabel="", ylabel="", logx=False, logy=False, bands: dict = None):
    """Measured series as markers (dict label -> y), predictions as lines (dict label -> y),
    over the same x. `bands` (label -> (low, high)) shades a measured spread."""
    ax = new_axes(ax)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (label, y) in enumerate(measured.items()):
        ax.plot(x, y, "o", ms=4, color=colors[i % len(colors)], label=label, alpha=0.8)
    for i, (label, y) in enumerate(predicted.items()):
        ax.plot(x, y, "-", lw=1.6, color=colors[i % len(colors)], label=label)
    for i, (label, (lo, hi)) in enumerate((bands or {}).items()):
        ax.fill_between(x, lo, hi, color=colors[i % len(colors)], alpha=0.15, label=label)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8)
    return ax


def plot_batch_spread(train_outputs, inference_output, ax=None, *,
                      title="One example, many different batch-mates"):
    """Histogram of one example's output over many training batches, with its single
    inference-mode output as a vertical line."""
    ax = new_axes(ax)
    ax.hist(np.asarray(train_outputs), bins=30, alpha=0.7,
            label="training mode (batch statistics)")
    ax.axvline(inference_output, color="k", lw=2, label="inference mode (running estimates)")
    ax.set_title(title)
    ax.set_xlabel("output Zhat of the same example")
    ax.set_ylabel("number of batches")
    ax.legend(fontsize=8)
    return ax
