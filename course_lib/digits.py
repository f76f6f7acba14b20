r"""The UCI handwritten digits, shipped with the course: no download at run time (numpy only).

1797 images of 8 x 8 pixels, each pixel a count 0..16, ten classes (the digits 0-9, about 180
of each). The file ``course_lib/datasets/digits.npz`` holds ``X`` (uint8, 1797 x 64, one row
per image, pixels row by row) and ``y`` (uint8, 1797); its source, license (CC BY 4.0) and how
it was made are in ``course_lib/datasets/DIGITS_LICENSE.md``.

Lesson 12 trains a small network on it ([TN-1]). The split is seeded and stratified (each
digit is split in the same proportion), and standardization uses the TRAINING pixels' mean
and standard deviation only, so nothing about the held-out images leaks into training.

>>> X, y = load_digits()
>>> X.shape, X.dtype, int(X.max()), sorted(set(y.tolist())) == list(range(10))
((1797, 64), dtype('uint8'), 16, True)
>>> d = digits_split(heldout=0.25, seed=0)
>>> d.X_train.shape, d.X_held.shape
((1347, 64), (450, 64))
"""
from __future__ import annotations

import os
from typing import NamedTuple

import numpy as np

from ._checks import check_range

__all__ = ["DATA_PATH", "load_digits", "split", "Standardizer", "DigitsSplit", "digits_split"]

#: the data file, found next to this module (works for an editable and a regular install)
DATA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "datasets", "digits.npz")

N_CLASSES = 10


def load_digits(path: str = DATA_PATH):
    """The raw data: ``X`` (uint8, 1797 x 64, pixel counts 0..16) and ``y`` (int64 labels 0..9)."""
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"the digits file is missing: {path}. It ships inside course_lib/datasets/; "
            "reinstall the course (pip install -e .) or restore the file from the repository")
    with np.load(path) as f:
        X, y = f["X"], f["y"].astype(np.int64)
    return X, y


def split(X, y, heldout: float = 0.25, seed: int = 0):
    """A seeded, stratified split into (X_train, y_train, X_held, y_held).

    From each class, ``round(heldout * count)`` images go to the held-out set, chosen by
    ``np.random.default_rng(seed)``; both parts are then shuffled with the same generator.
    """
    check_range("heldout", heldout, 0, 1, low_open=True,
                why="heldout is the fraction of the images kept out of training")
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y):
        raise ValueError(f"X must be (N, d) and y (N,), with the same N; got X {X.shape} and "
                         f"y {y.shape}")
    rng = np.random.default_rng(seed)
    held = []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        held.extend(rng.choice(idx, size=int(round(heldout * len(idx))), replace=False))
    is_held = np.zeros(len(y), dtype=bool)
    is_held[held] = True
    tr, he = rng.permutation(np.flatnonzero(~is_held)), rng.permutation(np.flatnonzero(is_held))
    return X[tr], y[tr], X[he], y[he]


class Standardizer:
    r"""Per-pixel standardization $x \mapsto (x - \mu) / s$ with $\mu, s$ from the training set.

    Pixels that never vary in the training set (the image borders are always 0 in several
    columns) get $s = 1$, so they stay at 0 instead of dividing by zero.
    """

    def __init__(self, X_train):
        X = np.asarray(X_train, dtype=float)
        self.mean = X.mean(axis=0)
        std = X.std(axis=0)
        self.std = np.where(std > 0, std, 1.0)

    def __call__(self, X):
        X = np.asarray(X, dtype=float)
        if X.shape[-1] != self.mean.shape[0]:
            raise ValueError(f"X has {X.shape[-1]} pixels per image but the standardizer was "
                             f"fitted on {self.mean.shape[0]}; they must match")
        return (X - self.mean) / self.std


class DigitsSplit(NamedTuple):
    X_train: np.ndarray   # (N_train, 64), standardized when asked
    y_train: np.ndarray   # (N_train,) labels 0..9
    X_held: np.ndarray    # (N_held, 64)
    y_held: np.ndarray    # (N_held,)
    standardizer: object  # the Standardizer fitted on X_train (None if not standardized)


def digits_split(heldout: float = 0.25, seed: int = 0, standardize: bool = True) -> DigitsSplit:
    """The digits, split (seeded, stratified) and standardized with training statistics.

    >>> d = digits_split(seed=0)
    >>> bool(abs(d.X_train.mean()) < 1e-12), int(np.bincount(d.y_held).min())
    (True, 44)
    """
    X, y = load_digits()
    Xtr, ytr, Xhe, yhe = split(X, y, heldout=heldout, seed=seed)
    if not standardize:
        return DigitsSplit(Xtr.astype(float), ytr, Xhe.astype(float), yhe, None)
    st = Standardizer(Xtr)
    return DigitsSplit(st(Xtr), ytr, st(Xhe), yhe, st)
