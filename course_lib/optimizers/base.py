r"""The one design every optimizer of the course follows (numpy only).

* Hyperparameters are fixed and validated when the optimizer is built.
* State is an explicit NamedTuple whose fields carry the notes' names (``V``, ``M``,
  ``m``, ``v``, ``t``); ``t`` counts the updates done so far, so the first update
  works with ``t = 1``. A buffer that only an option uses (RMSprop's ``gbar`` when
  ``centered``) defaults to None and stays None while the option is off.
* ``update(grads, state, params)`` is pure: it returns ``(step, new_state)`` with
  ``W_t = W_{t-1} + step`` and never changes its inputs. A refused call therefore
  leaves the state exactly as it was.
* Each subclass writes its rule for ONE array in :meth:`Optimizer.rule`, one line
  per equation; the base class maps it over a list of arrays (a network's weights).
  Plain arithmetic (square roots, signs and maxima from :mod:`course_lib.symmath`), so a
  rule also runs on sympy symbols.
* ``eval_point(params, state)`` says where the gradient is taken. It is ``params``
  for every method but Nesterov's look-ahead form; the driver
  :func:`course_lib.trace.minimize` always asks, so no caller special-cases Nesterov.
* ``lr`` is a number or a schedule: any callable ``t -> eta_t`` (see
  :mod:`course_lib.schedules`).
* ``torch_equivalent()`` states, as plain data, the ``torch.optim`` class and
  arguments that give the same iterates, and under which conditions.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .._checks import check_finite, check_positive, check_same_shape, is_numeric
from ..tree import leaves, tree_map, zeros_like, apply_updates

__all__ = ["Optimizer", "TorchEquivalent", "check_lr", "check_weight_decay", "l2_gradient"]


@dataclass(frozen=True)
class TorchEquivalent:
    """How an optimizer maps onto torch.optim, as plain data (no torch import).

    cls: the torch.optim class name, e.g. "SGD".
    kwargs: its constructor arguments, computed from our hyperparameters.
    exact_when: the conditions under which the iterates coincide ("always", "constant lr").
    change_of_variables: for forms that track a different point, how to map ours onto torch's.
    """
    cls: str
    kwargs: dict
    exact_when: str = "always"
    change_of_variables: str = ""
    notes: str = ""


def check_lr(lr, name="lr"):
    """A step size: a positive number, or a callable schedule t -> eta_t (checked per step)."""
    if callable(lr):
        return lr
    return check_positive(name, lr, why=f"{name} is the step size eta; it must be positive")


def check_weight_decay(value):
    """lambda, the L2 weight decay coefficient: a number >= 0 (0 turns it off)."""
    return check_positive("weight_decay", value, allow_zero=True,
                          why="weight_decay is the decay coefficient lambda; it must be >= 0")


def l2_gradient(g, w, weight_decay):
    r"""$g_t + \lambda W_{t-1}$, the gradient of $J + \frac{\lambda}{2}\|W\|^2$: weight decay as
    L2 in the loss ("coupled"), which PyTorch's ``weight_decay`` adds before anything else."""
    return g + weight_decay * w if weight_decay != 0 else g


# --------------------------------------------------------------------------- in-place fast path helpers
# Shared by every allocation-free :meth:`Optimizer.rule_inplace` (sgd.py, momentum.py, ...).

#: elements per block of the in-place fast path: a block of each array (1 MB in float64)
#: stays in cache while the few operations of one update run over it, so main memory sees
#: each array read once and written once per update, the least any update can do. Smaller
#: blocks fit a smaller cache but pay Python's per-call cost more often: on the 2-core
#: machine of benchmarks/README.md, 131072 beat 16384 by 5-30 % at 1e6 and 1e7 parameters.
BLOCK = 131072


def _fast_path_applies(w, g, *bufs) -> bool:
    """True when the blocked in-place kernels can run: equal-dtype float, C-contiguous numpy
    arrays, w and the buffers writable. Anything else (sympy, views with strides, mixed
    dtypes) takes the base class's generic path, which reuses the readable rule."""
    arrays = (w, g, *bufs)
    return (all(isinstance(a, np.ndarray) and a.dtype.kind == "f" and a.flags.c_contiguous
                for a in arrays)
            and all(a.dtype == w.dtype for a in arrays)
            and all(a.flags.writeable for a in (w, *bufs)))


def _blocks(*arrays):
    """Matching flat slices of equally shaped contiguous arrays, BLOCK elements at a time."""
    flat = [a.reshape(-1) for a in arrays]
    n = flat[0].size
    for i in range(0, n, BLOCK):
        j = min(i + BLOCK, n)
        yield [f[i:j] for f in flat]


def _scratch(opt, dtype, k=1):
    """k scratch blocks of BLOCK elements, kept on the optimizer so no update allocates."""
    bufs = opt.__dict__.get("_scratch")
    if bufs is None or len(bufs) < k or bufs[0].dtype != dtype or bufs[0].size != BLOCK:
        bufs = [np.empty(BLOCK, dtype=dtype) for _ in range(k)]
        opt.__dict__["_scratch"] = bufs
    return bufs[:k]


def _l2_into(g, w, weight_decay, out):
    """One block of :func:`l2_gradient`, bit for bit: out <- g + lambda w, returned; g itself
    when lambda = 0. out: a scratch block as long as g."""
    if weight_decay == 0:
        return g
    np.multiply(w, weight_decay, out=out)            # lambda W_{t-1}
    return np.add(g, out, out=out)                   # g_t + lambda W_{t-1}


def _buffers(state):
    """The state's buffer fields: every field but t, less those left None (an option that is
    off, e.g. RMSprop's ``gbar`` when ``centered=False``)."""
    return [f for f in state._fields if f != "t" and getattr(state, f) is not None]


def _average_into(avg, x, gamma, tmp):
    """One block of :func:`course_lib.averages.running_average`, in place and bit for bit:
    avg <- gamma avg + (1 - gamma) x. tmp: a scratch block as long as x."""
    np.multiply(avg, gamma, out=avg)                 # gamma C_{t-1}
    avg += np.multiply(x, 1 - gamma, out=tmp)        # C_t = gamma C_{t-1} + (1 - gamma) c_t


def _average_squares_into(avg, x, gamma, tmp):
    """As :func:`_average_into` with c_t = x^2: avg <- gamma avg + (1 - gamma) (x x)."""
    np.multiply(x, x, out=tmp)                       # c_t = x^2
    tmp *= 1 - gamma                                 # (1 - gamma) c_t
    np.multiply(avg, gamma, out=avg)                 # gamma C_{t-1}
    avg += tmp                                       # C_t = gamma C_{t-1} + (1 - gamma) c_t


def _label(name, tree, i):
    """How a message names leaf i: ``grads`` for a single array, ``grads[1]`` in a list."""
    return f"{name}[{i}]" if isinstance(tree, (list, tuple)) else name


def _check_real(label, x):
    """Refuse complex numbers and arrays: every rule here is for real weights (a sign, a
    maximum, g^2 as a size all assume it), so a complex input would give a wrong answer."""
    if is_numeric(x) and np.iscomplexobj(x):
        raise TypeError(f"{label} must be real (a float array or number), got complex values")


def _check_writeable_float(label, a):
    """Refuse what :meth:`Optimizer.update_inplace` cannot write into: anything but a
    float numpy array (an int array cannot hold the new weights), or a read-only one."""
    if not (isinstance(a, np.ndarray) and a.dtype.kind == "f"):
        got = f"an array of dtype {a.dtype}" if isinstance(a, np.ndarray) else type(a).__name__
        raise TypeError(f"{label} must be a float numpy array to be updated in place, got {got}; "
                        f"convert it with np.asarray(..., dtype=float), or use update()")
    if not a.flags.writeable:
        raise ValueError(f"{label} must be writeable to be updated in place, got a read-only "
                         f"array; pass a copy, or use update()")


class Optimizer:
    """Base class; see the module docstring for the design."""

    #: the NamedTuple of the state; its first field is ``t``
    State: type = NamedTuple
    #: a short name for tables and plots
    name = "optimizer"

    # -- hyperparameters -------------------------------------------------
    def __init__(self, lr):
        self.lr = check_lr(lr)

    def lr_at(self, t: int):
        """eta_t: the step size of update number t (t = 1 on the first update)."""
        if callable(self.lr):
            eta = self.lr(t)
            check_positive("lr", eta, allow_zero=True,
                           why=f"the schedule gave eta_{t} = {eta!r}; step sizes must be >= 0")
            return eta
        return self.lr

    def hyperparameters(self) -> dict:
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({args})"

    # -- state -----------------------------------------------------------
    def init(self, params):
        """State before the first update: t = 0 and every buffer zero, shaped like params."""
        buffers = {f: zeros_like(params) for f in self.State._fields if f != "t"}
        return self.State(t=0, **buffers)

    def eval_point(self, params, state):
        """Where the next gradient is to be taken (the look-ahead point for Nesterov)."""
        return params

    # -- the update --------------------------------------------------------
    def rule(self, g, s, t, eta, w):
        """The update for ONE array: g = gradient, s = previous state (leaf values),
        t = this update's number, eta = eta_t, w = current weights (may be None).
        Returns (step, new leaf state)."""
        raise NotImplementedError

    @property
    def needs_params(self):
        """True when the rule reads w: an optimizer with ``weight_decay`` = lambda != 0."""
        return getattr(self, "weight_decay", 0) != 0

    def _check(self, grads, state, params):
        if not isinstance(state, self.State):
            raise TypeError(f"state must be a {self.State.__name__} from {self.name}.init(params), "
                            f"got {type(state).__name__}")
        if self.needs_params and params is None:
            raise ValueError(f"{type(self).__name__}.update needs params (the current weights)")
        bufs = _buffers(state)
        ref = getattr(state, bufs[0]) if bufs else params
        if ref is not None:
            tree_map(lambda a, b: None, ref, grads)   # same list structure
        if params is not None:
            tree_map(lambda a, b: None, params, grads)
        ref_leaves = leaves(ref) if ref is not None else None
        param_leaves = leaves(params) if params is not None else None
        for i, g in enumerate(leaves(grads)):
            label = _label("grads", grads, i)
            _check_real(label, g)
            check_finite(label, g)
            if ref_leaves is not None:
                check_same_shape(label, g, "the state (the parameters at init)", ref_leaves[i])
            if param_leaves is not None:
                _check_real(_label("params", params, i), param_leaves[i])
                check_same_shape(label, g, "params", param_leaves[i])

    def _check_inplace(self, params, grads, state):
        """What :meth:`update_inplace` needs on top of :meth:`_check`: params and every state
        buffer are writeable float numpy arrays shaped like the gradients. Run on EVERY array
        before the first write, so a refusal leaves params and state as they were."""
        if params is None:
            raise ValueError("update_inplace needs params (the arrays it updates in place); "
                             "use update(grads, state) to get the step instead")
        g_leaves = leaves(grads)
        for i, w in enumerate(leaves(params)):
            _check_writeable_float(_label("params", params, i), w)
        for f in _buffers(state):
            buf = getattr(state, f)
            for i, b in enumerate(leaves(buf)):
                label = _label(f"state.{f}", buf, i)
                _check_writeable_float(label, b)
                check_same_shape(label, b, _label("grads", grads, i), g_leaves[i])

    def update(self, grads, state, params=None):
        """Return (step, new_state) with W_t = W_{t-1} + step. Pure: inputs are not changed."""
        self._check(grads, state, params)
        t = state.t + 1
        eta = self.lr_at(t)
        bufs = _buffers(state)
        if not isinstance(grads, (list, tuple)):
            step, s = self.rule(grads, state, t, eta, params)
            return step, s._replace(t=t)
        n = len(grads)
        ws = params if params is not None else [None] * n
        steps, new = [], {f: [] for f in bufs}
        for i in range(n):
            leaf_state = self.State(t=state.t, **{f: getattr(state, f)[i] for f in bufs})
            step, s = self.rule(grads[i], leaf_state, t, eta, ws[i])
            steps.append(step)
            for f in bufs:
                new[f].append(getattr(s, f))
        return steps, self.State(t=t, **new)

    def update_inplace(self, params, grads, state):
        """Fast path for large arrays: add the step to ``params`` and write the new buffers
        into the state's arrays, in place; returns the state with t advanced.

        Same checks as :meth:`update`, plus: params and every buffer of the state must be
        writeable float numpy arrays shaped like the gradients. All of them are made on every
        array before anything is written, so a refused call changes nothing. The result equals
        the readable :meth:`update` (a shared test pins this). Subclasses may override
        :meth:`rule_inplace` with an allocation-free version; the default reuses :meth:`rule`.
        """
        self._check(grads, state, params)
        self._check_inplace(params, grads, state)
        t = state.t + 1
        eta = self.lr_at(t)
        bufs = _buffers(state)
        if not isinstance(grads, (list, tuple)):
            self.rule_inplace(params, grads, state, t, eta)
        else:
            for i in range(len(grads)):
                leaf = self.State(t=state.t, **{f: getattr(state, f)[i] for f in bufs})
                self.rule_inplace(params[i], grads[i], leaf, t, eta)
        return state._replace(t=t)

    def rule_inplace(self, w, g, s, t, eta):
        """In-place version of :meth:`rule` for one array: updates w and s's arrays."""
        step, new = self.rule(g, s, t, eta, w)
        w += step
        for f in _buffers(s):
            getattr(s, f)[...] = getattr(new, f)

    def step(self, params, grads, state):
        """Convenience: (W_t, new_state) = (W_{t-1} + step, new_state)."""
        step, state = self.update(grads, state, params)
        return apply_updates(params, step), state

    def torch_lr(self):
        """The lr to give torch: the constant, or eta_1 of a schedule (then set
        ``param_groups[0]["lr"] = eta_t`` before step t)."""
        return self.lr(1) if callable(self.lr) else self.lr

    def torch_equivalent(self) -> TorchEquivalent:
        raise NotImplementedError(f"{type(self).__name__} declares no PyTorch equivalent")
