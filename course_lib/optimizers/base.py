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
* ``maximize=True`` (every optimizer, as in PyTorch) climbs instead of descending: the base
  class hands the rule $-g_t$, before anything else (weight decay included), the one place
  it enters.
* Each class describes itself for tables, plots and widgets: ``display_name``, ``family``,
  ``adaptive`` (one step size per coordinate), ``takes_lr``, ``color_key`` and ``partner``
  (the method whose path a form repeats, as AdamW's repeats Adam's without decay); the registry
  (:mod:`course_lib.optimizers.registry`) lists them.
* ``torch_equivalent()`` states, as plain data, the ``torch.optim`` class and
  arguments that give the same iterates, and under which conditions.
* ``update_inplace(params, grads, state)`` gives the same result as ``update``, written
  into the arrays; on large float arrays it runs the allocation-free kernel the class
  names in ``_fast_kernel`` (:mod:`course_lib.optimizers._fast`).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import check_finite, check_positive, check_same_shape, is_numeric
from ..torch_equivalent import TorchEquivalent
from ..tree import apply_updates, leaves, tree_map, zeros_like
from . import _fast

__all__ = ["Optimizer", "TorchEquivalent", "Wrapper", "check_lr", "check_weight_decay",
           "check_switch", "l2_gradient", "FAMILIES"]

#: the values of :attr:`Optimizer.family`, in the course's order
FAMILIES = ("sgd", "momentum", "nesterov", "adaptive", "adam")
#: when most optimizers coincide with their torch.optim class
ANY_SCHEDULE = "always (a schedule: set lr to eta_t before each step)"


class Optimizer:
    """Base class; see the module docstring for the design."""

    #: the NamedTuple of the state; its first field is ``t``
    State: type = NamedTuple
    #: the name tables, legends and widgets show
    display_name = "optimizer"
    #: one of :data:`FAMILIES`
    family = "sgd"
    #: True when the step size is set per coordinate (about lr whatever the gradient's size)
    adaptive = False
    #: False when the method needs no step size (Adadelta: its ``lr`` is an extra factor, 1)
    takes_lr = True
    #: the key of the colour plots use (:mod:`course_lib.plotting`); default: the class name
    color_key = "optimizer"
    #: the method whose path this form gives, or nearly (plots draw this one dashed so both
    #: stay visible); None for a method of its own. Not inherited.
    partner = None
    #: the allocation-free kernel of :meth:`rule` in :mod:`._fast` (None: the generic path)
    _fast_kernel = None
    #: options left out of repr while off (PyTorch switches the lesson's rule does not have)
    _quiet_when_off = ("maximize",)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "color_key" not in vars(cls):
            cls.color_key = cls.__name__
        if "partner" not in vars(cls):
            cls.partner = None
        if "rule" in vars(cls) and "_fast_kernel" not in vars(cls):
            cls._fast_kernel = None          # a new rule never inherits another rule's kernel

    @property
    def name(self):
        """The display name (kept for older code that reads ``opt.name``)."""
        return self.display_name

    # -- hyperparameters -------------------------------------------------
    def __init__(self, lr, maximize=False):
        self.lr = check_lr(lr)
        self.maximize = check_switch("maximize", maximize,
                                     why="True climbs along -g, False descends")

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
        shown = {k: v for k, v in self.hyperparameters().items()
                 if not (k in self._quiet_when_off and not v)}
        args = ", ".join(f"{k}={v!r}" for k, v in shown.items())
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

    def _direction(self, g):
        """The gradient the rule descends along: g, or -g with ``maximize`` (PyTorch negates
        first, before weight decay)."""
        return -g if self.maximize else g

    @property
    def needs_params(self):
        """True when the rule reads w: an optimizer with ``weight_decay`` = lambda != 0."""
        return getattr(self, "weight_decay", 0) != 0

    def update(self, grads, state, params=None):
        """Return (step, new_state) with W_t = W_{t-1} + step. Pure: inputs are not changed."""
        self._check(grads, state, params)
        t = state.t + 1
        eta = self.lr_at(t)
        grads = tree_map(self._direction, grads)
        if not isinstance(grads, (list, tuple)):
            step, s = self.rule(grads, state, t, eta, params)
            return step, s._replace(t=t)
        ws = params if params is not None else [None] * len(grads)
        out = [self.rule(g, leaf, t, eta, w)
               for g, leaf, w in zip(grads, _leaf_states(state, len(grads)), ws)]
        new = {f: [getattr(s, f) for _, s in out] for f in _buffers(state)}
        return [step for step, _ in out], self.State(t=t, **new)

    def update_inplace(self, params, grads, state):
        """Fast path for large arrays: add the step to ``params`` and write the new buffers
        into the state's arrays, in place; returns the state with t advanced.

        Same checks as :meth:`update`, plus: params and every buffer of the state must be
        writeable float numpy arrays shaped like the gradients. All of them are made on every
        array before anything is written, so a refused call changes nothing. The result equals
        the readable :meth:`update` (a shared test pins this, kernel by kernel): each array
        runs the class's kernel in :mod:`._fast` when one applies, else :meth:`rule`.
        """
        self._check(grads, state, params)
        self._check_inplace(params, grads, state)
        t = state.t + 1
        eta = self.lr_at(t)
        if isinstance(grads, (list, tuple)):
            arrays = zip(params, grads, _leaf_states(state, len(grads)))
        else:
            arrays = [(params, grads, state)]
        for w, g, leaf in arrays:
            g = self._direction(g)
            if not _fast.run(self, w, g, leaf, t, eta):
                step, new = self.rule(g, leaf, t, eta, w)    # the generic path
                w += step
                for f in _buffers(leaf):
                    getattr(leaf, f)[...] = getattr(new, f)
        return state._replace(t=t)

    def step(self, params, grads, state):
        """Convenience: (W_t, new_state) = (W_{t-1} + step, new_state)."""
        step, state = self.update(grads, state, params)
        return apply_updates(params, step), state

    # -- checks made before anything changes --------------------------------
    def _check(self, grads, state, params):
        if not isinstance(state, self.State):
            raise TypeError(f"state must be a {self.State.__name__} from {self.name}.init(params), "
                            f"got {type(state).__name__}")
        if self.needs_params and params is None:
            raise ValueError(f"{type(self).__name__}.update needs params (the current weights)")
        bufs = _buffers(state)
        ref = getattr(state, bufs[0]) if bufs else params
        if _plain_float_arrays_agree(grads, ref, params):
            return                                    # the common case, every check passed
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

    # -- PyTorch -------------------------------------------------------------
    def torch_lr(self):
        """The lr to give torch: the constant, or eta_1 of a schedule (then set
        ``param_groups[0]["lr"] = eta_t`` before step t)."""
        return self.lr(1) if callable(self.lr) else self.lr

    def torch_equivalent(self) -> TorchEquivalent:
        raise NotImplementedError(f"{type(self).__name__} declares no PyTorch equivalent")

    def _torch_equivalent(self, cls, exact_when=ANY_SCHEDULE, notes="", change_of_variables="",
                          **kwargs) -> TorchEquivalent:
        """The :class:`TorchEquivalent` with the arguments every optimizer maps the same way
        filled in: ``lr`` (:meth:`torch_lr`) first and ``maximize`` last."""
        return TorchEquivalent(cls, {"lr": self.torch_lr(), **kwargs, "maximize": self.maximize},
                               exact_when=exact_when, change_of_variables=change_of_variables,
                               notes=notes)


# --------------------------------------------------------------------------- shared by the rules
def l2_gradient(g, w, weight_decay):
    r"""$g_t + \lambda W_{t-1}$, the gradient of $J + \frac{\lambda}{2}\|W\|^2$: weight decay as
    L2 in the loss ("coupled"), which PyTorch's ``weight_decay`` adds before anything else."""
    return g + weight_decay * w if weight_decay != 0 else g


def check_lr(lr, name="lr"):
    """A step size: a positive number, or a callable schedule t -> eta_t (checked per step)."""
    if callable(lr):
        return lr
    return check_positive(name, lr, why=f"{name} is the step size eta; it must be positive")


def check_weight_decay(value):
    """lambda, the L2 weight decay coefficient: a number >= 0 (0 turns it off)."""
    return check_positive("weight_decay", value, allow_zero=True,
                          why="weight_decay is the decay coefficient lambda; it must be >= 0")


def check_switch(name, value, why=""):
    """An on/off option: True or False (numpy's bools too), returned as a Python bool."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}" + (f" ({why})" if why else ""))
    return bool(value)


# --------------------------------------------------------------------------- private helpers
def _buffers(state):
    """The state's buffer fields: every field but t, less those left None (an option that is
    off, e.g. RMSprop's ``gbar`` when ``centered=False``)."""
    return [f for f in state._fields if f != "t" and getattr(state, f) is not None]


def _leaf_states(state, n):
    """The state of each of n arrays of a list: ``State(t, buffer[0], ...)`` and so on."""
    bufs = _buffers(state)
    return [state._replace(**{f: getattr(state, f)[i] for f in bufs}) for i in range(n)]


def _plain_float_arrays_agree(g, *others) -> bool:
    """True when g is one finite real float array (or a list of them) and every other (None
    aside) is a real float array of its shape (or a list of them, matching): then
    :meth:`Optimizer._check` has nothing to refuse. Anything else (sympy, ints, complex, a
    mismatch, inf) goes through the checks that name it."""
    if type(g) in (list, tuple):                    # a network's weights: array by array
        others = [o for o in others if o is not None]
        if any(type(o) is not type(g) or len(o) != len(g) for o in others):
            return False
        return all(_plain_float_arrays_agree(gi, *(o[i] for o in others))
                   for i, gi in enumerate(g))
    if type(g) is not np.ndarray or g.dtype.kind != "f":
        return False
    for a in others:
        if a is not None and (type(a) is not np.ndarray or a.dtype.kind != "f"
                              or a.shape != g.shape):
            return False
    return bool(np.isfinite(g).all())


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


class Wrapper:
    """An optimizer of the course wrapped to do one more thing around its ``update`` (clip the
    gradient, log the step, ...). Everything else is the wrapped optimizer's: ``init``,
    ``eval_point``, ``lr``, ``lr_at``, ``name`` and any other attribute it has (``family``,
    ``color_key``, ``gamma``, ...), so the drivers, tables and plots treat it as that optimizer.
    Subclasses define ``update`` (and ``update_inplace`` if they support it)."""

    def __init__(self, optimizer):
        if not all(callable(getattr(optimizer, m, None)) for m in ("init", "update", "eval_point")):
            raise TypeError(f"optimizer must be a course optimizer (with init, update and "
                            f"eval_point), got {type(optimizer).__name__}")
        self.optimizer = optimizer

    @property
    def lr(self):
        return self.optimizer.lr

    def lr_at(self, t):
        return self.optimizer.lr_at(t)

    @property
    def name(self):
        return self.optimizer.name

    def __getattr__(self, attr):
        # only reached when the wrapper itself has no such attribute
        if attr.startswith("__") or attr == "optimizer":
            raise AttributeError(attr)
        return getattr(self.optimizer, attr)

    def __repr__(self):
        return f"{type(self).__name__}({self.optimizer!r})"

    def init(self, params):
        return self.optimizer.init(params)

    def eval_point(self, params, state):
        return self.optimizer.eval_point(params, state)
