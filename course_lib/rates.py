r"""Fitting rates to measured error curves (numpy only).

* :func:`loglog_slope`: the exponent $p$ of a power law $e_k \approx C k^{p}$ (lessons 02, 03);
* :func:`fit_rate`: the ratio $\rho$ of a geometric decay $e_k \approx C k^{p} \rho^k$
  (lessons 05, 06).

Both are least-squares lines through logarithms; the plots of :mod:`course_lib.plotting.curves`
call them, and a test or a lesson can call them without matplotlib.
"""
from __future__ import annotations

import numpy as np

__all__ = ["loglog_slope", "fit_rate"]


def loglog_slope(k, err, start=None, stop=None) -> float:
    r"""Least-squares slope of $\log e_k$ against $\log k$ over ``start <= k <= stop``
    (default: every k), using only the points with $e_k > 0$.

    >>> k = np.arange(1.0, 100.0)
    >>> round(loglog_slope(k, 3 / np.sqrt(k)), 12)
    -0.5
    """
    k, err = np.asarray(k, dtype=float), np.asarray(err, dtype=float)
    lo = k.min() if start is None else start
    hi = k.max() if stop is None else stop
    sel = (k >= lo) & (k <= hi) & (err > 0)
    if sel.sum() < 2:
        raise ValueError(f"loglog_slope needs at least two points with err > 0 and k in "
                         f"[{lo:g}, {hi:g}], got {int(sel.sum())}")
    return float(np.polyfit(np.log(k[sel]), np.log(err[sel]), 1)[0])


def fit_rate(err, start, stop, power=0) -> float:
    r"""The rate rho of an error curve that behaves like $C\,k^{p}\rho^k$ (``power`` = p):
    a least-squares line through $\log(e_k / k^p)$ over ``start <= k < stop`` has slope
    $\log \rho$. With p = 0 this is the plain geometric rate; a repeated eigenvalue of the
    iteration (heavy ball at its optimal tuning) gives p = 1.

    >>> k = np.arange(200); e = 3.0 * k * 0.9 ** k
    >>> round(fit_rate(e, 50, 200, power=1), 12)
    0.9
    """
    err = np.asarray(err, dtype=float)
    if not 0 <= start < stop <= len(err) or stop - start < 2:
        raise ValueError(f"start and stop must satisfy 0 <= start < stop <= len(err) = {len(err)} "
                         f"with at least two points, got start={start}, stop={stop}")
    if power and start == 0:
        raise ValueError("start must be >= 1 when power != 0 (k^p at k = 0)")
    k = np.arange(start, stop)
    y = np.log(err[start:stop]) - power * np.log(k)     # log(e_k / k^p) = log C + k log(rho)
    return float(np.exp(np.polyfit(k, y, 1)[0]))
