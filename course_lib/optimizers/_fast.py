r"""The allocation-free kernels behind :meth:`Optimizer.update_inplace` (numpy only).

The optimizer files hold each rule as its lesson writes it (:meth:`Optimizer.rule`, one line
per equation, run on numbers, arrays or sympy symbols). This module holds the same arithmetic
rewritten for speed on large float arrays, one function per rule, named after it:
``momentum_inplace(opt, w, g, s, t, eta)`` adds the step to ``w`` and writes the new buffers
into the arrays of the leaf state ``s``, in place, allocating nothing. A class names its kernel
in the attribute ``_fast_kernel``; a class that writes its own :meth:`rule` and names none
takes the generic path (the readable rule, then copies), so a new rule is never paired with
a kernel of another one. The shared tests (tests/test_optimizers.py) run every kernel against
its rule, over arrays of several blocks, for every row of the optimizer table.

Why blocks: an update makes a few passes (multiply, add, square root ...) over each array.
Running all of them over one cache-sized block before moving to the next means main memory
sees each array read once and written once per update, the least any update can do; the
scratch blocks that hold intermediate values are kept on the optimizer, so no update
allocates. Where a kernel reorders the arithmetic (folding scalars, one square root instead
of two), its docstring says so and the result agrees with the rule to rounding; every other
kernel gives the rule's results bit for bit.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["BLOCK", "run", "fast_path_applies"]

#: elements per block: a block of each array (1 MB in float64) stays in cache while the few
#: operations of one update run over it. Smaller blocks fit a smaller cache but pay Python's
#: per-call cost more often: on the 2-core machine of benchmarks/README.md, 131072 beat
#: 16384 by 5-30 % at 1e6 and 1e7 parameters.
BLOCK = 131072


def fast_path_applies(w, g, *bufs) -> bool:
    """True when a blocked kernel can run: equal-dtype float, C-contiguous numpy arrays, w
    and the buffers writable. Anything else (sympy, views with strides, mixed dtypes) takes
    the generic path, which reuses the readable rule."""
    arrays = (w, g, *bufs)
    return (all(isinstance(a, np.ndarray) and a.dtype.kind == "f" and a.flags.c_contiguous
                for a in arrays)
            and all(a.dtype == w.dtype for a in arrays)
            and all(a.flags.writeable for a in (w, *bufs)))


def run(opt, w, g, s, t, eta) -> bool:
    """Update one array and its leaf state in place with opt's kernel. False, with nothing
    written, when there is none or it does not apply (then the caller takes the generic path).
    A kernel returns False, before writing, when an option it does not cover is on."""
    kernel = type(opt)._fast_kernel                      # a plain function: kernel(opt, ...)
    bufs = [b for b in s[1:] if b is not None]           # the buffers in use (t comes first)
    if kernel is None or not fast_path_applies(w, g, *bufs):
        return False
    return kernel(opt, w, g, s, t, eta) is not False


# --------------------------------------------------------------------------- shared pieces
def _blocks(*arrays):
    """Matching flat slices of equally shaped contiguous arrays, BLOCK elements at a time."""
    flat = [a.reshape(-1) for a in arrays]
    n = flat[0].size
    for i in range(0, n, BLOCK):
        j = min(i + BLOCK, n)
        yield [f[i:j] for f in flat]


def _scratch(opt, dtype, k):
    """k scratch arrays of BLOCK elements, kept on the optimizer so no update allocates;
    each comes back cut to ``n``, the length of the current block, by :func:`_cut`."""
    bufs = opt.__dict__.get("_scratch")
    if bufs is None or len(bufs) < k or bufs[0].dtype != dtype or bufs[0].size != BLOCK:
        bufs = [np.empty(BLOCK, dtype=dtype) for _ in range(k)]
        opt.__dict__["_scratch"] = bufs
    return bufs[:k]


def _cut(scratch, n):
    """The first n elements of each scratch array (the last block may be short)."""
    return [b[:n] for b in scratch]


def _l2_into(g, w, weight_decay, out):
    """One block of :func:`~course_lib.optimizers.base.l2_gradient`, bit for bit:
    out <- g + lambda w, returned; g itself when lambda = 0."""
    if weight_decay == 0:
        return g
    np.multiply(w, weight_decay, out=out)            # lambda W_{t-1}
    return np.add(g, out, out=out)                   # g_t + lambda W_{t-1}


def _average_into(avg, x, gamma, tmp):
    """One block of :func:`course_lib.averages.running_average`, in place and bit for bit:
    avg <- gamma avg + (1 - gamma) x."""
    np.multiply(avg, gamma, out=avg)                 # gamma C_{t-1}
    avg += np.multiply(x, 1 - gamma, out=tmp)        # C_t = gamma C_{t-1} + (1 - gamma) c_t


def _average_squares_into(avg, x, gamma, tmp):
    """As :func:`_average_into` with c_t = x^2: avg <- gamma avg + (1 - gamma) (x x)."""
    np.multiply(x, x, out=tmp)                       # c_t = x^2
    tmp *= 1 - gamma                                 # (1 - gamma) c_t
    np.multiply(avg, gamma, out=avg)                 # gamma C_{t-1}
    avg += tmp                                       # C_t = gamma C_{t-1} + (1 - gamma) c_t


def _step_over(w, g, eta, denom, tmp):
    """W <- W + (-eta g) / denom on one block, with the readable rules' rounding (they
    compute ``-eta * g / denom``)."""
    np.multiply(g, -eta, out=tmp)                    # -eta_t g_t
    np.divide(tmp, denom, out=tmp)                   # step = -eta_t g_t / denom
    w += tmp                                         # W_t = W_{t-1} + step


# --------------------------------------------------------------------------- SGD, momentum
def sgd_inplace(opt, w, g, s, t, eta):
    """:class:`~course_lib.optimizers.SGD`: W_t = W_{t-1} - eta_t g_t, bit for bit."""
    scratch = _scratch(opt, w.dtype, 2)
    for wb, gb in _blocks(w, g):
        step, tmp = _cut(scratch, gb.size)
        gb = _l2_into(gb, wb, opt.weight_decay, tmp)     # g_t + lambda W_{t-1}
        np.multiply(gb, eta, out=step)                   # eta_t g_t
        np.subtract(wb, step, out=wb)                    # W_t = W_{t-1} - eta_t g_t


def _l2_point(opt, w, s):
    """Where the L2 term's gradient lambda W is taken: at the gradient's point (Nesterov's
    look-ahead; the current weights for the others). Allocates only when lambda != 0 there."""
    return opt.eval_point(w, s) if opt.weight_decay != 0 else w


def momentum_inplace(opt, w, g, s, t, eta):
    """:class:`~course_lib.optimizers.Momentum` (and :class:`Nesterov`, the same rule),
    bit for bit: V_t = gamma V_{t-1} + eta_t g_t, W_t = W_{t-1} - V_t."""
    scratch = _scratch(opt, w.dtype, 2)
    for wb, gb, Vb, pb in _blocks(w, g, s.V, _l2_point(opt, w, s)):
        tmp, tmp2 = _cut(scratch, gb.size)
        gb = _l2_into(gb, pb, opt.weight_decay, tmp2)    # g_t + lambda (gradient's point)
        np.multiply(Vb, opt.gamma, out=Vb)               # gamma V_{t-1}
        Vb += np.multiply(gb, eta, out=tmp)              # V_t = gamma V_{t-1} + eta_t g_t
        np.subtract(wb, Vb, out=wb)                      # W_t = W_{t-1} - V_t


def averaged_momentum_inplace(opt, w, g, s, t, eta):
    """:class:`~course_lib.optimizers.AveragedMomentum`, bit for bit:
    M_t = gamma M_{t-1} + (1 - gamma) g_t, W_t = W_{t-1} - eta'_t M_t."""
    scratch = _scratch(opt, w.dtype, 2)
    for wb, gb, Mb in _blocks(w, g, s.M):
        tmp, tmp2 = _cut(scratch, gb.size)
        gb = _l2_into(gb, wb, opt.weight_decay, tmp2)    # g_t + lambda W_{t-1}
        _average_into(Mb, gb, opt.gamma, tmp)            # M_t = gamma M_{t-1} + (1 - gamma) g_t
        np.subtract(wb, np.multiply(Mb, eta, out=tmp), out=wb)   # W_t = W_{t-1} - eta'_t M_t


def nesterov_framework_inplace(opt, w, g, s, t, eta):
    """:class:`~course_lib.optimizers.NesterovFramework`, bit for bit:
    V_t = gamma V_{t-1} + eta_t g_t, U_t = U_{t-1} - eta_t g_t - gamma V_t."""
    scratch = _scratch(opt, w.dtype, 3)
    for wb, gb, Vb in _blocks(w, g, s.V):
        eg, tmp, tmp2 = _cut(scratch, gb.size)
        gb = _l2_into(gb, wb, opt.weight_decay, tmp2)    # g_t + lambda U_{t-1}
        np.multiply(gb, eta, out=eg)                     # eta_t g_t
        np.multiply(Vb, opt.gamma, out=Vb)               # gamma V_{t-1}
        Vb += eg                                         # V_t = gamma V_{t-1} + eta_t g_t
        eg += np.multiply(Vb, opt.gamma, out=tmp)        # eta_t g_t + gamma V_t
        np.subtract(wb, eg, out=wb)                      # U_t = U_{t-1} - eta_t g_t - gamma V_t


# --------------------------------------------------------------------------- one step size per weight
def adagrad_inplace(opt, w, g, s, t, eta):
    """:class:`~course_lib.optimizers.Adagrad`, bit for bit (eta_t arrives decayed)."""
    scratch = _scratch(opt, w.dtype, 3)
    for wb, gb, Gb in _blocks(w, g, s.G):
        denom, step, tmp = _cut(scratch, gb.size)
        gb = _l2_into(gb, wb, opt.weight_decay, tmp)     # g_t + lambda W_{t-1}
        Gb += np.multiply(gb, gb, out=denom)             # G_t = G_{t-1} + g_t^2
        np.sqrt(Gb, out=denom)                           # sqrt(G_t)
        denom += opt.eps                                 # sqrt(G_t) + eps (eps outside the root)
        _step_over(wb, gb, eta, denom, step)             # W_t = W_{t-1} - eta_t g_t / denom


def rmsprop_inplace(opt, w, g, s, t, eta):
    """:class:`~course_lib.optimizers.RMSprop`, bit for bit. With ``centered`` or
    ``momentum`` on it declines (the generic path runs the readable rule)."""
    if opt.centered or opt.momentum != 0:
        return False
    scratch = _scratch(opt, w.dtype, 3)
    for wb, gb, Gb in _blocks(w, g, s.G):
        denom, step, tmp = _cut(scratch, gb.size)
        gb = _l2_into(gb, wb, opt.weight_decay, tmp)     # g_t + lambda W_{t-1}
        _average_squares_into(Gb, gb, opt.gamma, denom)  # G_t = gamma G_{t-1} + (1 - gamma) g_t^2
        np.sqrt(Gb, out=denom)                           # sqrt(G_t)
        denom += opt.eps                                 # sqrt(G_t) + eps (eps outside the root)
        _step_over(wb, gb, eta, denom, step)             # W_t = W_{t-1} - eta_t g_t / denom


def adadelta_inplace(opt, w, g, s, t, eta):
    """:class:`~course_lib.optimizers.Adadelta`. It takes one square root of the ratio,
    sqrt((E[dx^2]_{t-1} + eps) / (E[g^2]_t + eps)), where the rule takes two and divides
    (a square root costs about three divisions here, so this saves a fifth of the time);
    the two agree to rounding. It keeps -dx_t (negating at the end changes no bit)."""
    scratch = _scratch(opt, w.dtype, 3)
    for wb, gb, Eg2, Edx2 in _blocks(w, g, s.Eg2, s.Edx2):
        ms_g, neg_dx, tmp = _cut(scratch, gb.size)
        gb = _l2_into(gb, wb, opt.weight_decay, tmp)     # g_t + lambda W_{t-1}
        _average_squares_into(Eg2, gb, opt.rho, ms_g)    # E[g^2]_t
        np.add(Eg2, opt.eps, out=ms_g)                   # E[g^2]_t + eps = RMS[g]_t^2
        np.add(Edx2, opt.eps, out=neg_dx)                # RMS[dx]_{t-1}^2
        neg_dx /= ms_g                                   # (RMS[dx]_{t-1} / RMS[g]_t)^2
        np.sqrt(neg_dx, out=neg_dx)                      # RMS[dx]_{t-1} / RMS[g]_t
        neg_dx *= gb                                     # -dx_t = RMS[dx]_{t-1} / RMS[g]_t g_t
        _average_squares_into(Edx2, neg_dx, opt.rho, ms_g)   # E[dx^2]_t
        neg_dx *= eta                                    # -eta dx_t
        wb -= neg_dx                                     # W_t = W_{t-1} + eta dx_t


def rprop_inplace(opt, w, g, s, t, eta):
    """:class:`~course_lib.optimizers.Rprop`: W and Delta bit for bit. The three-way choice
    of the factor is made with 0/1 masks and exact min/max instead of np.where. A skipped
    g_prev entry may be stored as -0.0 where np.where stores 0.0; the two are equal, and
    neither the flip test nor sign() can tell them apart."""
    scratch = _scratch(opt, w.dtype, 2)
    for wb, gb, delta, g_prev in _blocks(w, g, s.delta, s.g_prev):
        kept, factor = _cut(scratch, gb.size)
        np.multiply(gb, g_prev, out=factor)              # g_t g_{t-1}: flip is its sign
        np.greater(factor, 0, out=kept)                  # 1 where flip > 0 (sign kept), else 0
        np.greater_equal(factor, 0, out=factor)          # 1 where flip >= 0 (no flip), else 0
        np.multiply(gb, factor, out=g_prev)              # g_used: 0 after a flip, else g_t
        factor += opt.eta_minus                          # eta^- where flipped, >= 1 elsewhere
        np.minimum(factor, 1.0, out=factor)              # eta^- where flipped, else 1
        kept *= opt.eta_plus                             # eta^+ where kept, else 0
        np.maximum(factor, kept, out=factor)             # factor: eta^+ kept, eta^- flipped, else 1
        delta *= factor                                  # Delta_{t-1} factor
        np.clip(delta, opt.delta_min, opt.delta_max, out=delta)   # Delta_t
        np.sign(g_prev, out=factor)                      # sign(g_used)
        factor *= delta                                  # sign(g_used) Delta_t
        wb -= factor                                     # W_t = W_{t-1} - sign(g_used) Delta_t


# --------------------------------------------------------------------------- the Adam family
def _folded_scalars(eta, beta1, beta2, eps, t):
    r"""(alpha, eps_hat) with  eta m_hat / (sqrt(v_hat) + eps) = alpha m / (sqrt(v) + eps_hat).

    Both bias corrections and eta fold into two scalars (PyTorch does the same), which saves
    two passes per block; the result differs from the readable form by rounding only."""
    c1, root_c2 = 1 - beta1 ** t, math.sqrt(1 - beta2 ** t)   # 1 - B1^t, sqrt(1 - B2^t)
    return eta * root_c2 / c1, eps * root_c2


def _moments_into(m, v, g, beta1, beta2, tmp):
    """m and v of one block, in place and bit for bit as the readable rules."""
    _average_into(m, g, beta1, tmp)                  # m_t = B1 m_{t-1} + (1 - B1) g_t
    _average_squares_into(v, g, beta2, tmp)          # v_t = B2 v_{t-1} + (1 - B2) g_t^2


def _adam_step_into(w, m, v, alpha, eps_hat, tmp):
    """W <- W - alpha m / (sqrt(v) + eps_hat) on one block (see :func:`_folded_scalars`)."""
    np.sqrt(v, out=tmp)                              # sqrt(v_t)
    tmp += eps_hat                                   # sqrt(v_t) + eps sqrt(1 - B2^t)
    np.divide(m, tmp, out=tmp)                       # m_t / (sqrt(v_t) + eps sqrt(1 - B2^t))
    tmp *= alpha                                     # = eta_t m_hat_t / (sqrt(v_hat_t) + eps)
    w -= tmp                                         # W_t = W_{t-1} - that


def adam_inplace(opt, w, g, s, t, eta):
    """:class:`~course_lib.optimizers.Adam`: m and v bit for bit, the step with the scalars
    folded (equal to the rule up to rounding)."""
    alpha, eps_hat = _folded_scalars(eta, opt.beta1, opt.beta2, opt.eps, t)
    scratch = _scratch(opt, w.dtype, 2)
    for wb, gb, mb, vb in _blocks(w, g, s.m, s.v):
        tmp, tmp2 = _cut(scratch, gb.size)
        gb = _l2_into(gb, wb, opt.weight_decay, tmp2)    # g_t + lambda W_{t-1}
        _moments_into(mb, vb, gb, opt.beta1, opt.beta2, tmp)     # m_t, v_t
        _adam_step_into(wb, mb, vb, alpha, eps_hat, tmp)         # W_t


def amsgrad_inplace(opt, w, g, s, t, eta):
    """:class:`~course_lib.optimizers.AMSGrad`: m, v and v_max bit for bit, the step with the
    scalars folded (equal to the rule up to rounding)."""
    alpha, eps_hat = _folded_scalars(eta, opt.beta1, opt.beta2, opt.eps, t)
    scratch = _scratch(opt, w.dtype, 2)
    for wb, gb, mb, vb, v_max in _blocks(w, g, s.m, s.v, s.v_max):
        tmp, tmp2 = _cut(scratch, gb.size)
        gb = _l2_into(gb, wb, opt.weight_decay, tmp2)    # g_t + lambda W_{t-1}
        _moments_into(mb, vb, gb, opt.beta1, opt.beta2, tmp)     # m_t, v_t
        np.maximum(v_max, vb, out=v_max)                 # max over the UNCORRECTED v
        _adam_step_into(wb, mb, v_max, alpha, eps_hat, tmp)      # W_t


def adamax_inplace(opt, w, g, s, t, eta):
    """:class:`~course_lib.optimizers.AdaMax`: m and u bit for bit, the step with eta and the
    bias correction folded into one scalar (equal to the rule up to rounding)."""
    alpha = eta / (1 - opt.beta1 ** t)                   # eta_t / (1 - B1^t)
    scratch = _scratch(opt, w.dtype, 2)
    for wb, gb, mb, ub in _blocks(w, g, s.m, s.u):
        tmp, tmp2 = _cut(scratch, gb.size)
        gb = _l2_into(gb, wb, opt.weight_decay, tmp2)    # g_t + lambda W_{t-1}
        _average_into(mb, gb, opt.beta1, tmp)            # m_t = B1 m_{t-1} + (1 - B1) g_t
        ub *= opt.beta2                                  # B2 u_{t-1}
        np.abs(gb, out=tmp)                              # |g_t|
        tmp += opt.eps                                   # |g_t| + eps (eps inside the max)
        np.maximum(ub, tmp, out=ub)                      # u_t = max(B2 u_{t-1}, |g_t| + eps)
        np.divide(mb, ub, out=tmp)                       # m_t / u_t
        tmp *= alpha                                     # eta_t m_hat_t / u_t
        wb -= tmp                                        # W_t = W_{t-1} - eta_t m_hat_t / u_t


def adamw_inplace(opt, w, g, s, t, eta):
    """:class:`~course_lib.optimizers.AdamW`: m and v bit for bit; the decay is applied as
    W (1 - eta lambda) and the scalars are folded, so W equals the rule's up to rounding."""
    alpha, eps_hat = _folded_scalars(eta, opt.beta1, opt.beta2, opt.eps, t)
    (scratch,) = _scratch(opt, w.dtype, 1)
    for wb, gb, mb, vb in _blocks(w, g, s.m, s.v):
        tmp = scratch[:gb.size]
        if opt.weight_decay != 0:
            wb *= 1 - eta * opt.weight_decay             # W_{t-1} - eta_t lambda W_{t-1}
        _moments_into(mb, vb, gb, opt.beta1, opt.beta2, tmp)     # m_t, v_t
        _adam_step_into(wb, mb, vb, alpha, eps_hat, tmp)         # W_t
