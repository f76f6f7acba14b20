r"""Choosing and tuning an optimizer: the learning-rate range test, runs repeated over seeds,
grid searches, and a log of what each update did [PR-1 .. PR-5] (numpy only).

Lesson 13 uses these on the network and data of lesson 12 (:class:`course_lib.mlp.MLP` on the
digits of :mod:`course_lib.digits`), trained by :func:`course_lib.train.train`.

* :func:`geometric_ramp` and :func:`lr_range_test`: one run whose step size grows by the same
  factor every update, $\eta_t = \eta_{\text{lo}}\, r^{t-1}$, recording the minibatch losses,
  smoothed by the course's running average (lesson 04) with its bias correction (lesson 08).
  :class:`RangeTest` reads the result off with a stated rule.
* :func:`run_seeds`: one configuration trained once per seed. Seed s fixes the held-out split
  (``digits_split(seed=s)``), the initial weights and the minibatch order, as in lesson 12, so
  two configurations can be compared seed by seed. An optional ``cache`` reuses runs that
  another section already made with the very same settings.
* :func:`final`, :func:`spread`, :func:`ahead`: the numbers a comparison reports (mean ± sd
  (min to max) over seeds) and lesson 12's rule for a ranking (ahead in EVERY seed).
* :func:`grid_search` and :class:`Grid`: a few step sizes, each over the seeds.
* :class:`Logged`: any optimizer, with the length of each gradient and each step written down.

>>> ramp = geometric_ramp(lr_lo=1e-3, lr_hi=1e-1, steps=3)
>>> [round(ramp(t), 6) for t in (1, 2, 3)]
[0.001, 0.01, 0.1]
>>> spread([1.0, 2.0, 3.0], digits=2)
'2.00 ± 1.00 (1.00 to 3.00)'
>>> ahead([0.1, 0.2], [0.3, 0.25]), ahead([0.1, 0.3], [0.3, 0.25])
(True, False)
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from ._checks import check_positive, check_range
from .averages import debias, running_average
from .clipping import global_norm
from .digits import digits_split
from .minibatch import check_batch, minibatches
from .mlp import MLP
from .optimizers.base import Wrapper
from .trace import run
from .train import train

__all__ = ["geometric_ramp", "smooth", "RangeTest", "lr_range_test", "split_for", "run_seeds",
           "final", "spread", "describe", "ahead", "Grid", "grid_search", "Logged", "SIZES"]

#: lesson 12's network: 64 pixels, one hidden layer of 64 ReLU units, 10 classes
SIZES = (64, 64, 10)


# --------------------------------------------------------------------------- range test
class geometric_ramp:
    r"""$\eta_t = \eta_{\text{lo}}\, r^{\,t-1}$ with $r = (\eta_{\text{hi}}/\eta_{\text{lo}})^{1/(\text{steps}-1)}$:
    from ``lr_lo`` at t = 1 to ``lr_hi`` at t = ``steps``, the same factor r every update
    (evenly spaced on a log axis). A schedule like those of :mod:`course_lib.schedules`.

    >>> ramp = geometric_ramp(1e-4, 10.0, steps=101); round(ramp.ratio, 4), ramp(101)
    (1.122, 10.0)
    """

    def __init__(self, lr_lo, lr_hi, steps):
        self.lr_lo = check_positive("lr_lo", lr_lo, why="lr_lo is the first step size")
        self.lr_hi = check_range("lr_hi", lr_hi, lr_lo, np.inf, low_open=True,
                                 why="lr_hi is the last step size, above lr_lo")
        if not isinstance(steps, (int, np.integer)) or steps < 2:
            raise ValueError(f"steps must be an integer >= 2 (updates of the ramp), got {steps!r}")
        self.steps = int(steps)

    @property
    def ratio(self):
        """r, the factor between two consecutive step sizes."""
        return (self.lr_hi / self.lr_lo) ** (1 / (self.steps - 1))

    def __call__(self, t):
        if t < 1 or t > self.steps:
            raise ValueError(f"t must be in [1, steps] = [1, {self.steps}], got {t}")
        if t == self.steps:
            return self.lr_hi                                   # exactly, without rounding
        return self.lr_lo * self.ratio ** (t - 1)               # eta_t = eta_lo r^(t-1)

    def __repr__(self):
        return f"geometric_ramp(lr_lo={self.lr_lo}, lr_hi={self.lr_hi}, steps={self.steps})"


def smooth(losses, gamma=0.9):
    r"""The running average $C_t = \gamma C_{t-1} + (1-\gamma) J_t$ ($C_0 = 0$) of the losses,
    divided by $1 - \gamma^t$ so the first values are not pulled towards 0 (lesson 08's bias
    correction). Its mean age is $\gamma / (1 - \gamma)$ updates (9 for gamma = 0.9).

    >>> smooth([2.0, 2.0, 2.0], gamma=0.9)      # a constant stays itself: no pull to 0
    array([2., 2., 2.])
    """
    check_range("gamma", gamma, 0, 1, why="gamma weighs the old average")
    out, C = [], 0.0
    for t, J in enumerate(losses, start=1):
        C = running_average(C, J, gamma)                 # C_t = gamma C_{t-1} + (1 - gamma) J_t
        out.append(debias(C, gamma, t))                  # C_t / (1 - gamma^t)
    return np.array(out, dtype=float)


@dataclass
class RangeTest:
    r"""One range test: the step size of each update, the minibatch loss it started from
    (before the update, as lesson 12's ``batch_losses``), and those losses smoothed.

    The readout (Smith 2017; the suggestion is fastai's rule of thumb):

    * ``lr_at_min``: the step size where the smoothed loss is lowest. Beyond it larger steps
      stop helping, and soon the loss climbs: the top of the usable range.
    * ``lr_start``: the first step size where the smoothed loss has fallen ``drop`` (5%) below
      its first value: training has started to move; the bottom of the usable range.
    * ``suggestion`` = ``lr_at_min / 10``: a constant step one decade below the top, so that
      the whole run, not only its start, stays clear of the climb.
    * ``steepest``: where the smoothed loss falls fastest per factor of step size (its slope
      against log eta is most negative), another common pick.

    ``stopped``: the ramp was cut short because the smoothed loss exceeded ``stop_factor``
    times its lowest value, or a loss was not finite.
    """
    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    stopped: bool = False
    seed: int = 0
    drop: float = 0.05

    @property
    def lr_at_min(self) -> float:
        return float(self.lrs[int(np.argmin(self.smoothed))])

    @property
    def suggestion(self) -> float:
        return self.lr_at_min / 10

    @property
    def lr_start(self) -> float:
        below = np.flatnonzero(self.smoothed < (1 - self.drop) * self.smoothed[0])
        return float(self.lrs[below[0]]) if below.size else float("nan")

    @property
    def steepest(self) -> float:
        top = int(np.argmin(self.smoothed)) + 1                 # only the falling part
        if top < 3:
            return float("nan")
        slope = np.gradient(self.smoothed[:top], np.log(self.lrs[:top]))
        return float(self.lrs[int(np.argmin(slope))])


def lr_range_test(net, make_optimizer, data, lr_lo=1e-4, lr_hi=10.0, steps=100, seed=0,
                  batch_size=64, gamma=0.9, stop_factor=4.0, drop=0.05) -> RangeTest:
    r"""Train ``net`` from its initial weights for at most ``steps`` updates with the step
    size growing geometrically from ``lr_lo`` to ``lr_hi`` (:class:`geometric_ramp`), and
    record every minibatch loss; returns a :class:`RangeTest`.

    ``make_optimizer(schedule)`` builds the optimizer with the ramp as its ``lr`` (for
    example ``lambda lr: Adam(lr=lr)``). ``data``: ``(X_train, y_train, ...)``; only the
    training part is used. ``seed`` fixes the minibatch order (``net``'s own seed fixes the
    start). The ramp spans ``steps`` updates, drawn from as many passes over the data as needed
    (reshuffled each pass). The run stops early once the smoothed loss exceeds
    ``stop_factor`` times its lowest value so far: by then the step is far too large.

    >>> from course_lib.optimizers import SGD
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(64, 2)); y = (X[:, 0] > 0).astype(int)
    >>> rt = lr_range_test(MLP([2, 8, 2], seed=0), lambda lr: SGD(lr=lr), (X, y),
    ...                    lr_lo=1e-3, lr_hi=1e3, steps=60, batch_size=16)
    >>> rt.stopped, rt.lr_start < rt.lr_at_min < 1e3
    (True, True)
    """
    ramp = geometric_ramp(lr_lo, lr_hi, steps)
    check_positive("stop_factor", stop_factor, why="stop_factor times the lowest smoothed loss "
                                                   "ends the run")
    check_range("gamma", gamma, 0, 1, why="gamma weighs the old average of the losses")
    check_range("drop", drop, 0, 1, low_open=True, why="drop is the fall that marks the start")
    X, y = data[0], data[1]
    params = net.init_params()
    X, y = net.check_inputs(params, X, y)
    N, b = check_batch(len(X), batch_size)
    passes = math.ceil(steps / (N // b))
    order = minibatches(N, b, passes, seed=np.random.default_rng(seed), drop_last=True)
    batches = itertools.islice((idx for _, idx in order), steps)
    losses, smoothed, C = [], [], 0.0
    state = {"best": math.inf, "stopped": False}

    def record(u):                                     # after update k: J_k and its smoothing
        nonlocal C
        if not math.isfinite(u.value):
            state["stopped"] = True
            return True
        losses.append(u.value)
        C = running_average(C, u.value, gamma)          # C_k = gamma C_{k-1} + (1 - gamma) J_k
        smoothed.append(debias(C, gamma, len(losses)))  # C_k / (1 - gamma^k)
        state["best"] = min(state["best"], smoothed[-1])
        if smoothed[-1] > stop_factor * state["best"]:
            state["stopped"] = True
            return True                                  # far past the usable range: stop
        return None

    def loss_and_grads(point, idx):
        return net.loss_and_grads(point, X[idx], y[idx], check=False)

    tr = run(make_optimizer(ramp), loss_and_grads, params, batches=batches, callback=record,
             value_and_grad=True, limit=None, keep_ws=False)
    lrs = np.array([ramp(t) for t in range(1, len(losses) + 1)])
    return RangeTest(lrs, np.array(losses), np.array(smoothed),
                     stopped=state["stopped"] or tr.diverged, seed=seed, drop=drop)


# --------------------------------------------------------------------------- runs over seeds
@lru_cache(maxsize=None)
def split_for(seed, heldout=0.25):
    """``digits_split(heldout, seed)``, made once per seed (runs must not change it)."""
    return digits_split(heldout=heldout, seed=seed)


def _fresh(make_optimizer):
    """A new optimizer: ``make_optimizer()`` when it is a function, else the optimizer itself."""
    if callable(make_optimizer) and not hasattr(make_optimizer, "update"):
        return make_optimizer()
    return make_optimizer


def run_seeds(make_optimizer, seeds=range(5), epochs=5, batch_size=64, sizes=SIZES,
              name="", heldout=0.25, cache=None, progress=None):
    """Train ``MLP(sizes, seed=s)`` on ``split_for(s)`` once per seed ``s``; returns the
    :class:`course_lib.train.History` of each run, each also carrying ``params`` (the final
    weights), ``seed`` and ``optimizer`` (the one that made it).

    ``make_optimizer``: a function returning a fresh optimizer (called once per seed), or an
    optimizer. ``cache``: a dict; a configuration already run with the same optimizer (by its
    ``repr``, which lists every hyperparameter and schedule), sizes, epochs, batch size, seeds
    and split is returned from it instead of being trained again. ``progress``: anything with
    ``start(total, description)``, ``update(done, text)``, ``close(text, ok)``, advanced once
    per seed (see :class:`course_lib.widgets.progress.ProgressBar`).
    """
    seeds = tuple(int(s) for s in seeds)
    if not seeds:
        raise ValueError("seeds must name at least one seed, got none")
    key = (repr(_fresh(make_optimizer)), tuple(sizes), epochs, batch_size, seeds, heldout)
    if cache is not None and key in cache:
        return cache[key]
    label = name or getattr(_fresh(make_optimizer), "name", "run")
    if progress is not None:
        progress.start(len(seeds), label)
    runs = []
    for i, s in enumerate(seeds):
        opt = _fresh(make_optimizer)
        params, h = train(MLP(list(sizes), seed=s), opt, split_for(s, heldout), epochs=epochs,
                          batch_size=batch_size, seed=s, name=label)
        h.params, h.seed, h.optimizer = params, s, opt
        runs.append(h)
        if progress is not None:
            progress.update(i + 1, f"seed {s}: {h.summary()}")
    if progress is not None:
        progress.close(f"{label}: {describe(runs)}", ok=not any(h.diverged for h in runs))
    if cache is not None:
        cache[key] = runs
    return runs


def final(runs, what="loss"):
    """The last held-out ``"loss"`` or ``"acc"`` (accuracy, in %) of each run; NaN where the
    run diverged."""
    if what not in ("loss", "acc"):
        raise ValueError(f"what must be 'loss' or 'acc', got {what!r}")
    if what == "loss":
        return np.array([np.nan if h.diverged else h.held_loss[-1] for h in runs])
    return np.array([np.nan if h.diverged else 100 * h.final_acc for h in runs])


def spread(values, digits=3) -> str:
    """'mean ± sd (min to max)' over the seeds (sd with n - 1), as lesson 12 prints it; NaN
    entries (diverged runs) are left out and counted. One value: just the value.

    >>> spread([0.5, float("nan"), 0.7], digits=1)
    '0.6 ± 0.1 (0.5 to 0.7); 1 of 3 diverged'
    >>> spread([2e7, 4e7])                       # 1e4 or more: in powers of ten
    '3.00e+07 ± 1.41e+07 (2.00e+07 to 4.00e+07)'
    """
    v = np.asarray(values, dtype=float)
    ok = v[np.isfinite(v)]
    if ok.size and np.abs(ok).max() >= 1e4:        # an exploded loss: powers of ten read better
        fmt = "{:.2e}"
    else:
        fmt = "{:.%df}" % digits
    note = f"; {v.size - ok.size} of {v.size} diverged" if ok.size < v.size else ""
    if ok.size == 0:
        return f"diverged in {v.size} of {v.size}"
    if ok.size == 1:
        return f"{fmt.format(ok[0])} (one seed){note}"
    mean, sd, lo, hi = (fmt.format(x) for x in (ok.mean(), ok.std(ddof=1), ok.min(), ok.max()))
    return f"{mean} ± {sd} ({lo} to {hi}){note}"


def describe(runs) -> str:
    """One line for a configuration: final held-out loss and accuracy over the seeds."""
    n_div = sum(h.diverged for h in runs)
    if n_div == len(runs):
        return f"diverged in {n_div} of {len(runs)} seeds"
    return (f"{len(runs)} seeds x {max(h.epochs[-1] for h in runs)} epochs, held-out loss "
            f"{spread(final(runs, 'loss'))}, accuracy {spread(final(runs, 'acc'), 1)}%")


def ahead(a, b) -> bool:
    """Lesson 12's rule: ``a`` is ahead of ``b`` (LOWER, e.g. a held-out loss) when it is
    lower in every seed, compared seed by seed. A NaN (a diverged run) in either: not ahead.
    For accuracy, where higher is better, compare the negatives."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"a and b must hold one value per seed each, got shapes {a.shape} "
                         f"and {b.shape}")
    return bool(np.all(a < b))          # NaN < x is False, so a diverged seed breaks it


@dataclass
class Grid:
    """A grid search: ``runs[i]`` are the runs at ``lrs[i]`` (one per seed)."""
    lrs: list
    runs: list = field(default_factory=list)

    def values(self, what="loss") -> np.ndarray:
        """(len(lrs), seeds): the final held-out loss (or accuracy) of every run."""
        return np.array([final(r, what) for r in self.runs])

    @property
    def best(self) -> float:
        """The step size with the lowest mean final held-out loss (a seed that diverged
        counts as infinitely bad)."""
        v = np.where(np.isfinite(self.values()), self.values(), np.inf)
        return self.lrs[int(np.argmin(v.mean(axis=1)))]

    @property
    def good(self) -> list:
        """The step sizes the best one is NOT ahead of (lesson 12's rule on the held-out
        loss): the best itself and every lr it does not beat in every seed. A seed that
        diverged counts as infinitely bad here, so the best beats it in that seed."""
        v = np.where(np.isfinite(self.values()), self.values(), np.inf)
        i = self.lrs.index(self.best)
        return [lr for j, lr in enumerate(self.lrs) if j == i or not ahead(v[i], v[j])]

    def nearest(self, lr) -> float:
        """The grid's step size closest to ``lr`` on a log axis."""
        return self.lrs[int(np.argmin(np.abs(np.log(self.lrs) - np.log(lr))))]


def grid_search(make_optimizer, lrs, **kwargs) -> Grid:
    """:func:`run_seeds` at each step size: ``make_optimizer(lr)`` builds the optimizer
    (e.g. ``lambda lr: Adam(lr=lr)``); other arguments go to :func:`run_seeds` (a name
    without "{lr}" gets ", lr <value>" appended)."""
    lrs = [float(lr) for lr in lrs]
    if not lrs:
        raise ValueError("lrs must hold at least one step size, got none")
    for lr in lrs:
        check_positive("lr", lr, why="each lr of the grid is a step size")
    name = kwargs.pop("name", "")
    runs = []
    for lr in lrs:
        label = (name.format(lr=lr) if "{lr" in name else f"{name}, lr {lr:g}") if name else ""
        runs.append(run_seeds(lambda lr=lr: make_optimizer(lr), name=label, **kwargs))
    return Grid(lrs, runs)


# --------------------------------------------------------------------------- a log of updates
def _norm(arrays) -> float:
    r"""$\sqrt{\sum a^2}$ over all entries of all the arrays: the quick sum of squares, or,
    when that overflows, :func:`course_lib.clipping.global_norm` (slower, scaled first)."""
    with np.errstate(over="ignore", invalid="ignore"):
        total = math.sqrt(sum(float(np.vdot(a, a)) for a in arrays))
    return total if math.isfinite(total) else global_norm(arrays)


class Logged(Wrapper):
    r"""Any optimizer of the course, with each update written down (a log, not state: it
    changes no step):

    * ``grad_norms``: $\lVert g_t \rVert$, the global L2 norm of the whole gradient it was fed;
    * ``step_norms``: $\lVert W_t - W_{t-1} \rVert$, the length of its step;
    * ``lrs``: $\eta_t$; ``active``: how many entries of $g_t$ are not 0.

    So ``step_norms[t-1] / (lrs[t-1] * sqrt(active[t-1]))`` is the root-mean-square step per
    active weight in units of eta: Adam's first step makes it 1 (lesson 13 [PR-2]).
    Everything else (``init``, ``eval_point``, ``lr``, ``name``, ...) is the wrapped
    optimizer's, so :func:`course_lib.train.train` drives it like the optimizer itself.

    >>> from course_lib.optimizers import Adam
    >>> opt = Logged(Adam(lr=0.1)); s = opt.init(np.zeros(2))
    >>> _ = opt.update(np.array([3.0, 0.0]), s)
    >>> opt.grad_norms, opt.active, [round(n, 6) for n in opt.step_norms]
    ([3.0], [1], [0.1])
    """

    def __init__(self, optimizer):
        super().__init__(optimizer)
        self.grad_norms, self.step_norms, self.lrs, self.active = [], [], [], []

    def update(self, grads, state, params=None):
        step, new_state = self.optimizer.update(grads, state, params)
        arrays = grads if isinstance(grads, (list, tuple)) else [grads]
        self.grad_norms.append(_norm(arrays))                            # ||g_t||
        self.step_norms.append(_norm(step if isinstance(step, (list, tuple)) else [step]))
        self.lrs.append(float(self.optimizer.lr_at(new_state.t)))        # eta_t
        self.active.append(int(sum(np.count_nonzero(g) for g in arrays)))
        return step, new_state
