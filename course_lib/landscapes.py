r"""Two-dimensional test functions for watching optimizers move  [VO-1] (numpy only).

Each :class:`Landscape` carries its function, its analytic gradient, its minima (and
saddle points, where it has them) with their values, a default start, a view window and
two suggested step sizes:

* ``lr_gd``, for methods whose step is proportional to the gradient (SGD, momentum,
  Nesterov), chosen below the stability limit $2/L$ of the stiffest direction met on the way;
* ``lr_adaptive``, for methods whose step is a distance per coordinate, about the same
  whatever the gradient's size (Adagrad, RMSprop, Rprop, Adam and its variants).

The formulas are written in plain arithmetic on ``x`` and ``y``, so :meth:`Landscape.f`
and :meth:`Landscape.df` also run on sympy symbols: lesson 09 and the tests differentiate
``f`` with sympy and compare with the library's own ``df``.

=================  ==================================================================  ============
function           formula                                                             minimum
=================  ==================================================================  ============
:func:`beale`      $(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2$     $f(3, 0.5) = 0$
:func:`long_valley`  $s\,(\sqrt{1 + (x/s)^2} - 1) + \tfrac{k}{2} y^2$                  $f(0, 0) = 0$
:func:`saddle`     $\tfrac12 x^2 - \tfrac12 y^2 + \tfrac1{16} y^4$ (saddle at 0)        $f(0, \pm 2) = -1$
:func:`rosenbrock` $(a - x)^2 + b\,(y - x^2)^2$                                        $f(a, a^2) = 0$
:func:`quadratic`  $\tfrac12 w^\top R\,\mathrm{diag}(1, \kappa)\,R^\top w$             $f(0, 0) = 0$
=================  ==================================================================  ============

>>> L = rosenbrock()
>>> L.loss(L.minima[0]), L.grad(L.minima[0])
(np.float64(0.0), array([0., 0.]))
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from ._checks import check_finite, check_positive, check_range
from .optimizers import Adagrad, AveragedMomentum
from .optimizers.registry import accepted_kwargs, adaptive_names, optimizer_classes
from .symmath import sqrt

__all__ = ["Landscape", "beale", "long_valley", "saddle", "rosenbrock", "quadratic",
           "all_landscapes", "steps_to_reach", "steps_to_leave", "optimizer_classes",
           "ADAPTIVE", "lineup"]


@dataclass(frozen=True)
class Landscape:
    """A function of two variables with what a picture of it needs (see the module docstring).

    f(x, y) and df(x, y) -> (df/dx, df/dy) are elementwise: numbers, arrays of any shape
    (a contour grid) or sympy symbols. :meth:`loss` and :meth:`grad` take points ``w`` with
    a last axis of length 2, as the optimizers do.
    """
    name: str
    f: Callable
    df: Callable
    minima: tuple                      # points (arrays of shape (2,))
    min_value: float                   # f at every minimum
    start: np.ndarray                  # default W_0
    window: tuple                      # ((xmin, xmax), (ymin, ymax))
    lr_gd: float                       # suggested lr for gradient-proportional steps
    lr_adaptive: float                 # suggested lr for per-coordinate normalized steps
    steps: int = 300                   # a suggested number of updates
    saddles: tuple = ()                # stationary points that are not minima
    log_levels: bool = False           # contours on a log scale (steep walls, flat floor)
    formula: str = ""                  # LaTeX, for plots and tables
    params: dict = field(default_factory=dict)

    def _point(self, w, name="w"):
        w = np.asarray(w, dtype=float)
        if w.ndim == 0 or w.shape[-1] != 2:
            raise ValueError(f"{name} must have a last axis of length 2 (the point (x, y)), "
                             f"got shape {w.shape}")
        if w.ndim == 1:
            if not (math.isfinite(w[0]) and math.isfinite(w[1])):
                raise ValueError(f"{name} must be finite, got {w!r}")
        else:
            check_finite(name, w)
        return w

    def loss(self, w):
        """f at a point (shape (2,)) or at many points (shape (..., 2)); the iterates of a
        whole run at once: ``L.loss(trace.ws)``."""
        w = self._point(w)
        return self.f(w[..., 0], w[..., 1])

    def grad(self, w):
        """The analytic gradient at w (shape (2,) or (..., 2)), shaped like w."""
        w = self._point(w)
        if w.ndim == 1:                                   # the fast path the optimizers use
            return np.array(self.df(w[0], w[1]), dtype=float) + 0.0   # + 0.0: no -0.0
        gx, gy = self.df(w[..., 0], w[..., 1])
        return np.stack(np.broadcast_arrays(gx, gy), axis=-1).astype(float)

    def grid(self, n: int = 120, pad: float = 0.0):
        """X, Y, Z = f on an n x n grid covering the window (for contour plots)."""
        (x0, x1), (y0, y1) = self.window
        xs = np.linspace(x0 - pad, x1 + pad, int(n))
        ys = np.linspace(y0 - pad, y1 + pad, int(n))
        X, Y = np.meshgrid(xs, ys)
        with np.errstate(over="ignore", invalid="ignore"):
            return X, Y, self.f(X, Y)

    def in_window(self, w) -> bool:
        (x0, x1), (y0, y1) = self.window
        w = np.asarray(w, dtype=float)
        return bool(x0 <= w[0] <= x1 and y0 <= w[1] <= y1)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.name}({args})"


def _pt(x, y):
    return np.array([x, y], dtype=float)


# -- the five functions --------------------------------------------------------------------

def beale(start=(1.0, 1.4)) -> Landscape:
    r"""Beale's function, a classic test for optimizers: flat plateaus and steep walls.

    $$f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2$$

    One global minimum $f(3, 0.5) = 0$; a saddle at $(0, 1)$, where $f = 14.203125$.
    The walls grow like $x^2 y^6$, so gradient steps that overshoot quickly overflow.

    >>> beale().grad([3.0, 0.5])
    array([0., 0.])
    """
    def f(x, y):
        return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2

    def df(x, y):
        r1, r2, r3 = 1.5 - x + x * y, 2.25 - x + x * y ** 2, 2.625 - x + x * y ** 3
        gx = 2 * r1 * (y - 1) + 2 * r2 * (y ** 2 - 1) + 2 * r3 * (y ** 3 - 1)
        gy = 2 * r1 * x + 2 * r2 * (2 * x * y) + 2 * r3 * (3 * x * y ** 2)
        return gx, gy

    return Landscape("Beale", f, df, minima=(_pt(3.0, 0.5),), min_value=0.0,
                     start=_pt(*start), window=((-1.0, 4.5), (-2.0, 2.5)),
                     lr_gd=0.005, lr_adaptive=0.05, steps=600, saddles=(_pt(0.0, 1.0),),
                     log_levels=True,
                     formula=r"$(1.5-x+xy)^2+(2.25-x+xy^2)^2+(2.625-x+xy^3)^2$",
                     params={"start": tuple(start)})


def long_valley(k: float = 50.0, s: float = 1.0, length: float = 10.0, start=None) -> Landscape:
    r"""A long, narrow, gently sloping valley with steep walls that ends in a bowl.

    $$f(x, y) = s\left(\sqrt{1 + (x/s)^2} - 1\right) + \frac{k}{2}\, y^2$$

    Along the floor ($y = 0$) the slope tends to 1 for $|x| \gg s$: the gradient keeps its
    sign and size for a long way, which is where momentum builds up speed. Across the valley
    the curvature is $k$ (the walls), so gradient descent needs $\eta < 2/k$. Near the
    minimum $f(0, 0) = 0$ the floor's curvature is $1/s$.

    ``k`` > 0 is the walls' curvature, ``s`` > 0 the width of the bowl at the end, ``length``
    how far up the valley the default start lies.

    >>> V = long_valley(); V.loss(V.minima[0]), V.grad([-1e6, 0.0])[0].round(6)
    (np.float64(0.0), np.float64(-1.0))
    """
    check_positive("k", k, why="k is the curvature across the valley")
    check_positive("s", s, why="s is the width of the bowl at the end of the valley")
    check_positive("length", length)

    def f(x, y):
        return s * (sqrt(1 + (x / s) ** 2) - 1) + k / 2 * y ** 2

    def df(x, y):
        return (x / s) / sqrt(1 + (x / s) ** 2), k * y

    start = _pt(-0.9 * length, 0.5) if start is None else _pt(*start)
    return Landscape("Long valley", f, df, minima=(_pt(0.0, 0.0),), min_value=0.0,
                     start=start, window=((-length, 0.25 * length), (-1.0, 1.0)),
                     lr_gd=1.0 / k, lr_adaptive=0.1, steps=300,
                     formula=rf"$s(\sqrt{{1+(x/s)^2}}-1)+\frac{{k}}{{2}}y^2$, k={k:g}, s={s:g}",
                     params={"k": k, "s": s, "length": length})


def saddle(start=(-2.5, 1e-3)) -> Landscape:
    r"""A saddle point between two minima.

    $$f(x, y) = \tfrac12 x^2 - \tfrac12 y^2 + \tfrac1{16} y^4$$

    The origin is a saddle ($f = 0$; curvature $+1$ along $x$, $-1$ along $y$); the minima are
    $f(0, \pm 2) = -1$. Started on the ridge $y = 0$ every gradient method stays on it (the
    y-gradient is exactly zero); started a hair off it, gradient descent leaves at the rate
    $|y_k| \approx |y_0| (1 + \eta)^k$, slowly when $y_0$ is tiny.

    >>> S = saddle(); S.grad(S.saddles[0]), S.loss(S.minima[1])
    (array([0., 0.]), np.float64(-1.0))
    """
    def f(x, y):
        return x ** 2 / 2 - y ** 2 / 2 + y ** 4 / 16

    def df(x, y):
        return x, -y + y ** 3 / 4

    return Landscape("Saddle", f, df, minima=(_pt(0.0, -2.0), _pt(0.0, 2.0)), min_value=-1.0,
                     start=_pt(*start), window=((-3.0, 3.0), (-3.0, 3.0)),
                     lr_gd=0.1, lr_adaptive=0.1, steps=150, saddles=(_pt(0.0, 0.0),),
                     formula=r"$\frac{1}{2}x^2-\frac{1}{2}y^2+\frac{1}{16}y^4$",
                     params={"start": tuple(start)})


def rosenbrock(a: float = 1.0, b: float = 100.0, start=(-1.5, 2.0)) -> Landscape:
    r"""Rosenbrock's banana: a curved, flat-bottomed valley.

    $$f(x, y) = (a - x)^2 + b\,(y - x^2)^2$$

    Minimum $f(a, a^2) = 0$. Finding the valley is easy; following its curved floor is not:
    across it the curvature is about $2b(1 + 4x^2)$, along it about 1.

    >>> rosenbrock().grad([1.0, 1.0])
    array([0., 0.])
    """
    check_positive("b", b, why="b is the steepness of the valley's walls")
    check_finite("a", a)

    def f(x, y):
        return (a - x) ** 2 + b * (y - x ** 2) ** 2

    def df(x, y):
        return -2 * (a - x) - 4 * b * x * (y - x ** 2), 2 * b * (y - x ** 2)

    return Landscape("Rosenbrock", f, df, minima=(_pt(a, a * a),), min_value=0.0,
                     start=_pt(*start), window=((-2.0, 2.0), (-1.0, 3.0)),
                     lr_gd=1.0 / (4 * b * 2.5 + 2 * b), lr_adaptive=0.02, steps=1000,
                     log_levels=True, formula=r"$(a-x)^2+b(y-x^2)^2$",
                     params={"a": a, "b": b, "start": tuple(start)})


def quadratic(kappa: float = 20.0, angle: float = 30.0, start=(-3.0, 2.0)) -> Landscape:
    r"""A quadratic bowl with condition number ``kappa``, its axes turned by ``angle`` degrees.

    $$f(w) = \tfrac12\, w^\top H w,\qquad H = R\,\mathrm{diag}(1, \kappa)\,R^\top,\qquad
    R = \begin{pmatrix}\cos\theta & -\sin\theta\\ \sin\theta & \cos\theta\end{pmatrix}$$

    Minimum $f(0, 0) = 0$. The curvatures are 1 and $\kappa$; ``lr_gd`` is $1/\kappa$, with
    which gradient descent removes the stiff direction's error in one step and shrinks the
    other's by the factor $1 - 1/\kappa$ per step. With ``angle = 0``
    the axes are the coordinates, which per-coordinate (adaptive) methods exploit; a turned
    bowl takes that gift away.

    >>> Q = quadratic(kappa=4.0, angle=0.0); Q.grad([1.0, 1.0])
    array([1., 4.])
    """
    check_range("kappa", kappa, 1, np.inf, why="kappa is the ratio of the largest to the "
                "smallest curvature, so it is at least 1")
    check_range("angle", angle, -360, 360, high_open=False,
                why="angle turns the bowl's axes, in degrees")
    th = math.radians(angle)
    c, s = math.cos(th), math.sin(th)
    # H = R diag(1, kappa) R^T, written out so that it runs on sympy symbols too
    hxx = c * c + kappa * s * s
    hyy = s * s + kappa * c * c
    hxy = (1 - kappa) * c * s

    def f(x, y):
        return (hxx * x * x + 2 * hxy * x * y + hyy * y * y) / 2

    def df(x, y):
        return hxx * x + hxy * y, hxy * x + hyy * y

    return Landscape("Quadratic", f, df, minima=(_pt(0.0, 0.0),), min_value=0.0,
                     start=_pt(*start), window=((-4.0, 4.0), (-3.0, 3.0)),
                     lr_gd=1.0 / kappa, lr_adaptive=0.1, steps=200,
                     formula=rf"$\frac{{1}}{{2}}w^\top H w$, $\kappa$={kappa:g}, "
                             rf"$\theta$={angle:g}°",
                     params={"kappa": kappa, "angle": angle,
                             "H": np.array([[hxx, hxy], [hxy, hyy]])})


def all_landscapes() -> dict:
    """The five functions of lesson 09 with their defaults, by name."""
    return {L.name: L for L in (beale(), long_valley(), saddle(), rosenbrock(), quadratic())}


# -- measuring runs --------------------------------------------------------------------------

def steps_to_reach(trace, landscape: Landscape, tol: float) -> Optional[int]:
    """The first update k from which on f(W_j) - f* <= tol for every j >= k (the run reached
    the tolerance and stayed), or None if it ends outside it or diverged.

    >>> from course_lib.optimizers import SGD
    >>> from course_lib.trace import minimize
    >>> Q = quadratic(kappa=1.0, angle=0.0)
    >>> tr = minimize(SGD(lr=0.5), Q.grad, Q.start, steps=10)
    >>> steps_to_reach(tr, Q, 1e-3)          # f_k = 6.5 / 4^k
    7
    """
    check_positive("tol", tol)
    if getattr(trace, "diverged", False):
        return None
    gaps = landscape.loss(np.asarray(trace.ws, dtype=float)) - landscape.min_value
    outside = np.flatnonzero(~(gaps <= tol))
    if outside.size and outside[-1] == len(gaps) - 1:
        return None
    return int(outside[-1] + 1) if outside.size else 0


def steps_to_leave(trace, point, radius: float, direction=None) -> Optional[int]:
    """The first update k at which W_k is farther than `radius` from `point`, or None.

    With a `direction` (a vector), only the distance along it counts: for a saddle, the
    direction of negative curvature, so that a start already far out along the other axis
    does not count as having left.

    >>> from types import SimpleNamespace
    >>> tr = SimpleNamespace(ws=np.array([[2.0, 0.0], [1.0, 0.3], [0.5, 1.2]]))
    >>> steps_to_leave(tr, [0, 0], 1.0), steps_to_leave(tr, [0, 0], 1.0, direction=[0, 1])
    (0, 2)
    """
    check_positive("radius", radius)
    diff = np.asarray(trace.ws, dtype=float) - np.asarray(point, dtype=float)
    if direction is None:
        d = np.linalg.norm(diff, axis=-1)
    else:
        u = np.asarray(direction, dtype=float)
        if u.shape != (2,) or not np.all(np.isfinite(u)) or not np.any(u):
            raise ValueError(f"direction must be a finite nonzero vector of length 2, got {u!r}")
        d = np.abs(diff @ (u / np.linalg.norm(u)))
    hit = np.flatnonzero(d > radius)
    return int(hit[0]) if hit.size else None


# -- the optimizers of the course, built for a landscape ---------------------------------------

#: optimizers whose step is a distance per coordinate (about lr), whatever the gradient's size
ADAPTIVE = adaptive_names()


def lineup(landscape: Landscape, names=None, overrides: Optional[dict] = None) -> dict:
    r"""One instance of each optimizer (default: all of :func:`optimizer_classes`) with a step
    size suited to ``landscape``: ``lr_gd`` for gradient-proportional methods, ``lr_adaptive``
    for the methods in :data:`ADAPTIVE` (five times that for Adagrad, whose steps shrink like
    $1/\sqrt t$); every other hyperparameter at its default, except
    that the moving-average form of momentum gets ``lr_gd / (1 - gamma)`` so that it matches
    heavy-ball momentum (lesson 05). Adadelta keeps its own defaults (it has no step size in
    Zeiler's form). ``overrides`` maps a class name to keyword arguments that win.

    >>> sorted(lineup(quadratic(), names=["SGD", "Momentum"]))
    ['Momentum', 'SGD']
    """
    classes = optimizer_classes()
    names = list(classes) if names is None else list(names)
    overrides = overrides or {}
    out = {}
    for name in names:
        if name not in classes:
            raise ValueError(f"names must be optimizers of course_lib.optimizers "
                             f"({', '.join(classes)}), got {name!r}")
        cls = classes[name]
        if not cls.takes_lr:                         # Zeiler's Adadelta: no step size
            kw = {}
        elif cls.adaptive:                           # Adagrad's steps shrink like 1/sqrt(t): start it bigger
            kw = {"lr": (5 if issubclass(cls, Adagrad) else 1) * landscape.lr_adaptive}
        elif issubclass(cls, AveragedMomentum):      # matches heavy ball at gamma = 0.9 (lesson 05)
            kw = {"lr": landscape.lr_gd / (1 - 0.9), "gamma": 0.9}
        else:
            kw = {"lr": landscape.lr_gd}
        kw.update(overrides.get(name, {}))
        out[name] = cls(**accepted_kwargs(cls, **kw))
    return out
