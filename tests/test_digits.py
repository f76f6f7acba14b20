"""The committed digits file and its loader (course_lib/digits.py)."""
import hashlib
import pathlib

import numpy as np
import pytest

import course_lib
from course_lib import digits
from course_lib.digits import Standardizer, digits_split, load_digits, split

PKG = pathlib.Path(course_lib.__file__).resolve().parent


def test_the_file_ships_inside_the_package_with_its_license():
    path = pathlib.Path(digits.DATA_PATH)
    assert path.parent == PKG / "datasets" and path.exists()
    assert path.stat().st_size < 100_000, "a small compressed file"
    lic = (PKG / "datasets" / "DIGITS_LICENSE.md").read_text()
    for needle in ("CC BY 4.0", "Alpaydin", "Kaynak", "UCI", "load_digits"):
        assert needle in lic


def test_contents_are_the_uci_test_set():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.uint8
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16
    counts = np.bincount(y, minlength=10)
    assert counts.tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    # the content, independent of how the zip file was written
    h = hashlib.sha256(X.tobytes() + y.astype(np.uint8).tobytes()).hexdigest()
    assert h == "87ff0c9e40dc7e2c0e34e7257799c2e3f3aec1a016363bb11cad869ec428a826"


def test_split_is_seeded_stratified_and_disjoint():
    X, y = load_digits()
    a = split(X, y, heldout=0.25, seed=3)
    b = split(X, y, heldout=0.25, seed=3)
    c = split(X, y, heldout=0.25, seed=4)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[3], c[3])
    Xtr, ytr, Xhe, yhe = a
    assert len(Xtr) + len(Xhe) == 1797
    # every class split in the same proportion (stratified)
    frac = np.bincount(yhe, minlength=10) / np.bincount(y, minlength=10)
    assert np.all(np.abs(frac - 0.25) < 0.01)
    # disjoint: no image row index used twice (rows can repeat as images, so use a tag)
    tagged = np.column_stack([X, np.arange(len(X))])
    ttr, _, the, _ = split(tagged, y, heldout=0.25, seed=3)
    assert not set(ttr[:, -1]) & set(the[:, -1])


def test_standardization_uses_training_statistics_only():
    d = digits_split(seed=0)
    assert np.allclose(d.X_train.mean(axis=0), 0)
    std = d.X_train.std(axis=0)
    assert np.allclose(std[std > 0], 1)
    # pixels constant in training (always 0 at the border) stay exactly 0, no NaN
    assert np.all(np.isfinite(d.X_held)) and np.any(std == 0)
    # the held-out set is NOT standardized to mean 0 (its own statistics were not used)
    assert not np.allclose(d.X_held.mean(axis=0), 0)
    raw = digits_split(seed=0, standardize=False)
    np.testing.assert_allclose(d.standardizer(raw.X_held), d.X_held)


def test_bad_arguments_are_refused_with_the_name():
    X, y = load_digits()
    for bad in (0.0, 1.0, -0.1, np.nan):
        with pytest.raises(ValueError, match=r"^heldout must be in \(0, 1\)"):
            split(X, y, heldout=bad)
    with pytest.raises(ValueError, match="X must be"):
        split(X[:10], y, heldout=0.5)
    st = Standardizer(X)
    with pytest.raises(ValueError, match="X has 63 pixels"):
        st(X[:, :63])
    with pytest.raises(FileNotFoundError, match="digits file is missing"):
        load_digits("/nonexistent/digits.npz")
