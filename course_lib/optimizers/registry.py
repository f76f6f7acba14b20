"""Every optimizer of the course, by name, and how to build one from a shared set of settings.

One table, in the course's order; each class describes itself (``display_name``,
``family``, ``adaptive``, ``takes_lr``, ``color_key``: see
:class:`~course_lib.optimizers.base.Optimizer`), so the landscapes, the explorer and the
plots read these attributes instead of keeping lists of names.

>>> list(OPTIMIZERS)[:3]
['SGD', 'Momentum', 'AveragedMomentum']
>>> sorted(adaptive_names())[:3]
['AMSGrad', 'AdaMax', 'Adadelta']
>>> build("Adadelta", lr=0.1, gamma=0.5)          # no step size, no gamma: both left out
Adadelta(rho=0.9, eps=1e-06, lr=1.0, weight_decay=0.0)
"""
from __future__ import annotations

import inspect

from .adam import AdaMax, Adam, AdamW, AMSGrad
from .adaptive import Adadelta, Adagrad, Rprop, RMSprop
from .base import Optimizer
from .momentum import AveragedMomentum, Momentum
from .nesterov import Nesterov, NesterovFramework
from .sgd import SGD

__all__ = ["OPTIMIZERS", "optimizer_classes", "adaptive_names", "build", "accepted_kwargs"]

#: class name -> class, in the order the course meets them (tables and legends use it)
OPTIMIZERS = {cls.__name__: cls for cls in (
    SGD, Momentum, AveragedMomentum, Nesterov, NesterovFramework,
    Adagrad, RMSprop, Adadelta, Rprop,
    Adam, AdaMax, AMSGrad, AdamW)}


def optimizer_classes() -> dict:
    """A copy of :data:`OPTIMIZERS` (name -> class), safe to change."""
    return dict(OPTIMIZERS)


def adaptive_names() -> frozenset:
    """The names of the methods with one step size per coordinate (``adaptive = True``)."""
    return frozenset(name for name, cls in OPTIMIZERS.items() if cls.adaptive)


def accepted_kwargs(cls, **kwargs) -> dict:
    """The subset of kwargs that ``cls.__init__`` takes (so one set of sliders can build any
    optimizer: ``lr`` goes to all, ``gamma`` to the ones that have a gamma, and so on)."""
    sig = inspect.signature(cls.__init__)
    if any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values()):
        return dict(kwargs)
    return {k: v for k, v in kwargs.items() if k in sig.parameters}


def build(name_or_cls, **kwargs):
    """An instance of the optimizer named (or given), with the kwargs its constructor takes;
    ``lr`` is left out for a method that needs no step size (``takes_lr = False``)."""
    cls = _lookup(name_or_cls)
    if not cls.takes_lr:
        kwargs.pop("lr", None)
    return cls(**accepted_kwargs(cls, **kwargs))


def _lookup(name_or_cls):
    if isinstance(name_or_cls, str):
        if name_or_cls not in OPTIMIZERS:
            raise ValueError(f"name_or_cls must be an optimizer of course_lib.optimizers "
                             f"({', '.join(OPTIMIZERS)}), got {name_or_cls!r}")
        return OPTIMIZERS[name_or_cls]
    if not (inspect.isclass(name_or_cls) and issubclass(name_or_cls, Optimizer)):
        raise TypeError(f"name_or_cls must be an optimizer name or class, got {name_or_cls!r}")
    return name_or_cls
