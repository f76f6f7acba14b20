r"""Plain gradient descent / SGD."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .base import Optimizer, TorchEquivalent

#: elements per block of the in-place fast path: a block of each array (128 kB in float64)
#: stays in the L2 cache while the few operations of one update run over it, so main memory
#: sees each array read once and written once per update, the least any update can do.
BLOCK = 16384


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
    if bufs is None or len(bufs) < k or bufs[0].dtype != dtype:
        bufs = [np.empty(BLOCK, dtype=dtype) for _ in range(k)]
        opt.__dict__["_scratch"] = bufs
    return bufs


class SGDState(NamedTuple):
    t: int   # updates done so far


class SGD(Optimizer):
    r"""Gradient descent: $W_t = W_{t-1} - \eta_t\, g_t$, with $g_t = \nabla_W J(W_{t-1})$.

    Batch, minibatch or single-sample (stochastic) depends only on which gradient you pass.

    ========  ===========================  =============
    symbol    meaning                      argument
    ========  ===========================  =============
    eta_t     step size (or schedule)      ``lr``
    ========  ===========================  =============

    PyTorch: ``torch.optim.SGD(params, lr=lr)`` gives identical iterates (a schedule maps onto
    setting ``param_groups[0]["lr"] = eta_t`` before step t).

    >>> import numpy as np
    >>> opt = SGD(lr=0.1); s = opt.init(np.zeros(2))
    >>> step, s = opt.update(np.array([1.0, -2.0]), s)
    >>> step, s.t
    (array([-0.1,  0.2]), 1)
    """
    State = SGDState
    name = "SGD"

    def rule(self, g, s, t, eta, w):
        return -eta * g, s                     # W_t = W_{t-1} - eta_t g_t

    def rule_inplace(self, w, g, s, t, eta):
        """Allocation-free version of :meth:`rule`: same arithmetic, bit for bit."""
        if not _fast_path_applies(w, g):
            return super().rule_inplace(w, g, s, t, eta)
        (tmp,) = _scratch(self, w.dtype)
        for wb, gb in _blocks(w, g):
            step = np.multiply(gb, eta, out=tmp[:gb.size])   # eta_t g_t
            np.subtract(wb, step, out=wb)                    # W_t = W_{t-1} - eta_t g_t

    def torch_equivalent(self):
        return TorchEquivalent("SGD", {"lr": self.torch_lr()}, exact_when="always (a schedule: set lr "
                               "to eta_t before each step)")
