r"""Batch normalization, forward and backward, exact for both epsilon conventions
[BN-1, BN-2, BN-3, BB-1, BB-2, BB-3, BB-4] (numpy only).

A batch-norm layer sees a whole minibatch at once. As in the notes, ``Z`` is an
$n_l \times K$ matrix: row $i$ is feature (unit) $i$, column $j$ is example $j$ of
the minibatch (``axis=1``, the batch runs along the columns). Batch-first arrays
($K \times n_l$, the layout of PyTorch and of most data loaders) are used with
``axis=0``; nothing else changes. The forward pass (training mode) is

$$\mu_i = \frac1K \sum_{j=1}^K Z_{ij}, \qquad
\sigma_i = \sqrt{\frac1K \sum_{j=1}^K (Z_{ij} - \mu_i)^2}, \qquad
\bar Z_{ij} = \frac{Z_{ij} - \mu_i}{s_i}, \qquad
\hat Z_{ij} = G_i \bar Z_{ij} + B_i,$$

where the denominator $s_i$ depends on where epsilon goes (``eps_mode``):

* ``"sigma"``: $s_i = \sigma_i + \epsilon$, as the notes (seed 000) write it;
* ``"sqrt"`` (default): $s_i = \sqrt{\sigma_i^2 + \epsilon}$, as PyTorch, TensorFlow and
  the original paper do. Here epsilon is in units of a *variance*, there of a standard
  deviation, so the same number means different things: eps = 1e-5 starts to bite at
  sigma ~ 1e-5 in the first convention, at sigma ~ 3e-3 in the second.

The backward pass, exact for each convention (lesson 11 derives it; with
$g_{ij} = \partial L / \partial \hat Z_{ij}$ and $Z^c_{ij} = Z_{ij} - \mu_i$):

$$\frac{\partial L}{\partial B_i} = \sum_j g_{ij}, \qquad
\frac{\partial L}{\partial G_i} = \sum_j g_{ij} \bar Z_{ij}, \qquad
\frac{\partial L}{\partial Z_{ij}} = \frac{G_i}{K s_i}\Big(K g_{ij} - \sum_k g_{ik}
- Z^c_{ij}\, r_i \sum_k g_{ik} Z^c_{ik}\Big),$$

with $r_i = 1/(s_i \sigma_i)$ for ``"sigma"`` and $r_i = 1/s_i^2$ for ``"sqrt"``. For
eps = 0 both reduce to the closing formula of the notes ($s_i = \sigma_i$, $r_i =
1/\sigma_i^2$); for eps > 0 that formula is only approximately right.

=========  ===========================================  ======================  ==========================
symbol     meaning                                      course_lib              PyTorch (BatchNorm1d)
=========  ===========================================  ======================  ==========================
Z          layer input, n_l x K (or K x n_l, axis=0)    ``Z``                   ``input`` (N x C)
mu, sigma  batch mean and standard deviation            ``cache.mu``, ``.sigma``  (internal)
Z-bar      normalized input                             ``cache.Zbar``          (internal)
G, B       gain and shift, one per feature              ``G``, ``B``            ``weight``, ``bias``
eps        guard against division by zero               ``eps``                 ``eps`` (sqrt mode only)
gamma      running-average weight of the OLD value      ``gamma``               ``1 - momentum``
=========  ===========================================  ======================  ==========================

PyTorch: ``torch.nn.functional.batch_norm(Z.T, None, None, weight=G, bias=B,
training=True, eps=eps)`` equals ``batchnorm_forward(Z, G, B, eps, "sqrt")[0].T``, and
``torch.nn.BatchNorm1d(n, eps=eps, momentum=1 - gamma)`` equals :class:`BatchNorm` with
``eps_mode="sqrt"``, running statistics included. PyTorch has no ``"sigma"`` mode.

Plain arithmetic throughout, so the forward and the backward also run on numpy object
arrays of sympy symbols; lesson 11's proofs differentiate this very code.

>>> import numpy as np
>>> Z = np.array([[1.0, 2.0, 3.0, 6.0]])            # one feature, K = 4 examples
>>> Zhat, cache = batchnorm_forward(Z, np.array([1.0]), np.array([0.0]), eps=0.0)
>>> Zhat.round(4)
array([[-1.069 , -0.5345,  0.    ,  1.6036]])
>>> float(cache.mu[0, 0]), float(cache.sigma[0, 0] ** 2)
(3.0, 3.5)
"""
from __future__ import annotations

from fractions import Fraction
from typing import Callable, NamedTuple, Union

import numpy as np

from ._checks import check_finite, check_range, is_numeric
from .averages import gamma_at, running_average
from .torch_equivalent import TorchEquivalent
from .symmath import sqrt

__all__ = ["batchnorm_forward", "batchnorm_backward", "batchnorm_inference",
           "batchnorm_backward_naive", "BatchNorm", "BatchNormCache", "EPS_MODES"]

#: the two places epsilon can go
EPS_MODES = ("sigma", "sqrt")


class BatchNormCache(NamedTuple):
    """What the forward pass keeps for the backward pass. Arrays are n_l x K (features by
    batch) whatever the caller's layout; per-feature statistics are n_l x 1 columns."""
    Zc: object          # Z - mu, the centred input
    Zbar: object        # (Z - mu) / s, the normalized input
    mu: object          # batch mean (training) or running mean (inference), n_l x 1
    var: object         # batch variance sigma^2 (biased, 1/K) or the running variance
    sigma: object       # sqrt(var)
    s: object           # the denominator: sigma + eps ("sigma") or sqrt(var + eps) ("sqrt")
    G: object           # the gains as an n_l x 1 column
    eps: float
    eps_mode: str
    axis: int           # 1: the caller's arrays are n_l x K; 0: K x n_l
    training: bool      # batch statistics (True) or fixed running estimates (False)
    param_shape: tuple  # the shape of the caller's G, so dG and dB come back in it


# -- argument checks, all made before anything is computed or stored ----------------------

def _check_mode(eps_mode):
    if eps_mode not in EPS_MODES:
        raise ValueError(f"eps_mode must be 'sigma' ((Z - mu)/(sigma + eps), as in the notes) or "
                         f"'sqrt' ((Z - mu)/sqrt(sigma^2 + eps), as in PyTorch), got {eps_mode!r}")
    return eps_mode


def _check_axis(axis):
    if axis not in (0, 1):
        raise ValueError(f"axis must be 1 (Z is n_l x K, features by batch, as in the notes) or "
                         f"0 (Z is K x n_l, batch first), got {axis!r}")
    return axis


def _check_eps(eps):
    return check_range("eps", eps, 0, np.inf,
                       why="eps guards the division by the batch's spread; it must be >= 0")


def _as_features_by_batch(Z, axis, name="Z"):
    """Z as an n_l x K array (a view, transposed when axis=0), after checking it."""
    if not isinstance(Z, np.ndarray):
        Z = np.asarray(Z, dtype=float) if is_numeric(Z) else np.asarray(Z, dtype=object)
    if Z.ndim != 2:
        layout = "n_l x K (features by batch)" if axis == 1 else "K x n_l (batch first)"
        raise ValueError(f"{name} must be a 2-D array, {layout}, got shape {Z.shape}")
    check_finite(name, Z)
    return Z if axis == 1 else Z.T


def _as_column(name, P, n, axis):
    """A per-feature parameter (G, B, a running statistic) as an n x 1 column.

    Accepted shapes: (n,), or (n, 1) for axis=1, or (1, n) for axis=0."""
    if not isinstance(P, np.ndarray):
        P = np.asarray(P, dtype=float) if is_numeric(P) else np.asarray(P, dtype=object)
    ok = {(n,), (n, 1) if axis == 1 else (1, n)}
    if P.shape not in ok:
        raise ValueError(f"{name} must hold one value per feature, shape {sorted(ok)[0]} or "
                         f"{sorted(ok)[-1]} for n_l = {n} features, got shape {P.shape}")
    check_finite(name, P)
    return P.reshape(n, 1)


# -- the forward passes -------------------------------------------------------------------

def batchnorm_forward(Z, G, B, eps=1e-5, eps_mode="sqrt", axis=1):
    r"""Training-mode batch normalization with the batch's own mean and spread [BN-1].

    $$\hat Z_{ij} = G_i\, \frac{Z_{ij} - \mu_i}{s_i} + B_i, \qquad
    s_i = \sigma_i + \epsilon \ (\texttt{"sigma"}) \ \text{ or } \
    s_i = \sqrt{\sigma_i^2 + \epsilon} \ (\texttt{"sqrt"})$$

    `Z` is n_l x K for ``axis=1`` (the notes' layout) or K x n_l for ``axis=0``; `G`, `B`
    hold one gain and one shift per feature, shape (n_l,) (or a column/row matching the
    layout). Returns ``(Zhat, cache)``; Zhat has Z's layout, the cache is for
    :func:`batchnorm_backward`. sigma is the biased (1/K) standard deviation, as in the notes
    and in PyTorch's normalization.

    PyTorch (``eps_mode="sqrt"``, ``axis=0``): ``torch.nn.functional.batch_norm(Z, None, None,
    weight=G, bias=B, training=True, eps=eps)``.

    Refused (ValueError naming the argument, nothing computed): eps < 0; an unknown eps_mode
    or axis; Z not 2-D, with NaN/inf, or with K < 2 examples (one example has no spread); G or
    B not one value per feature; eps = 0 while some feature has zero spread in this batch.
    """
    _check_mode(eps_mode)
    _check_axis(axis)
    _check_eps(eps)
    Zf = _as_features_by_batch(Z, axis)
    n, K = Zf.shape
    if K < 2:
        raise ValueError(f"Z must hold K >= 2 examples along axis {axis} in training mode, got "
                         f"K = {K}: one example has no spread (sigma = 0), so the batch "
                         f"statistics mean nothing; use the running estimates (inference) "
                         f"or a larger batch")
    Gc, Bc = _as_column("G", G, n, axis), _as_column("B", B, n, axis)
    mu = Zf.sum(axis=1, keepdims=True) / K                 # mu_i = (1/K) sum_j Z_ij
    Zc = Zf - mu                                           # Z_ij - mu_i
    var = (Zc * Zc).sum(axis=1, keepdims=True) / K         # sigma_i^2 = (1/K) sum_j (Z_ij - mu_i)^2
    sigma = sqrt(var)                                      # sigma_i
    if is_numeric(Zf) and is_numeric(eps) and eps == 0 and np.any(var == 0):
        bad = [int(i) for i in np.flatnonzero(var == 0)]
        raise ValueError(f"eps = 0 but feature(s) {bad} are constant across this batch "
                         f"(sigma = 0), so (Z - mu)/sigma divides zero by zero; use eps > 0")
    s = sigma + eps if eps_mode == "sigma" else sqrt(var + eps)   # the denominator s_i
    Zbar = Zc / s                                          # Zbar_ij = (Z_ij - mu_i) / s_i
    Zhat = Gc * Zbar + Bc                                  # Zhat_ij = G_i Zbar_ij + B_i
    cache = BatchNormCache(Zc, Zbar, mu, var, sigma, s, Gc, eps, eps_mode, axis, True,
                           np.shape(G))
    return (Zhat if axis == 1 else Zhat.T), cache


def batchnorm_inference(Z, G, B, mean, var, eps=1e-5, eps_mode="sqrt", axis=1):
    r"""Inference-mode batch normalization with fixed estimates of mu and sigma^2 [BN-2].

    $$\hat Z_{ij} = G_i\, \frac{Z_{ij} - m_i}{s_i} + B_i, \qquad s_i = \sqrt{v_i} + \epsilon
    \ \text{ or } \ \sqrt{v_i + \epsilon}$$

    with m = `mean` and v = `var` (the running estimates). Each example is treated alone,
    so any K >= 1 works, and the layer is a fixed affine map. Returns ``(Zhat, cache)``.
    PyTorch: ``batch_norm(Z, running_mean, running_var, G, B, training=False, eps=eps)``.
    """
    _check_mode(eps_mode)
    _check_axis(axis)
    _check_eps(eps)
    Zf = _as_features_by_batch(Z, axis)
    n, K = Zf.shape
    Gc, Bc = _as_column("G", G, n, axis), _as_column("B", B, n, axis)
    m, v = _as_column("mean", mean, n, axis), _as_column("var", var, n, axis)
    if is_numeric(v) and np.any(v < 0):
        raise ValueError(f"var must be >= 0 (it is a variance), got {v.ravel()}")
    sigma = sqrt(v)
    if is_numeric(v) and is_numeric(eps) and eps == 0 and np.any(v == 0):
        raise ValueError("eps = 0 but var has a zero entry: division by zero; use eps > 0")
    s = sigma + eps if eps_mode == "sigma" else sqrt(v + eps)
    Zc = Zf - m
    Zbar = Zc / s
    Zhat = Gc * Zbar + Bc
    cache = BatchNormCache(Zc, Zbar, m, v, sigma, s, Gc, eps, eps_mode, axis, False, np.shape(G))
    return (Zhat if axis == 1 else Zhat.T), cache


# -- the backward passes ------------------------------------------------------------------

def _r(cache):
    """r_i, the factor of the last term: 1/(s_i sigma_i) ("sigma") or 1/s_i^2 ("sqrt").

    In "sigma" mode a feature with sigma_i = 0 (possible only with eps > 0) gets r_i = 0:
    its centred values are all zero, and the term Zc_ij Zc_ik / (s sigma) tends to 0 as
    sigma -> 0 (|Zc| <= sqrt(K) sigma), which is the derivative there."""
    if cache.eps_mode == "sqrt":
        return 1 / (cache.s * cache.s)
    if is_numeric(cache.sigma):
        den = cache.s * cache.sigma
        return np.divide(1.0, den, out=np.zeros_like(den), where=den > 0)
    return 1 / (cache.s * cache.sigma)


def _check_upstream(dZhat, cache):
    dZf = _as_features_by_batch(dZhat, cache.axis, name="dZhat")
    if np.shape(dZf) != np.shape(cache.Zc):
        want = cache.Zc.shape if cache.axis == 1 else cache.Zc.T.shape
        raise ValueError(f"dZhat has shape {np.shape(dZhat)} but the forward pass saw Z of shape "
                         f"{want}; they must match")
    return dZf


def batchnorm_backward(dZhat, cache):
    r"""Exact gradients of the loss with respect to Z, G and B [BB-1, BB-3, BB-4].

    `dZhat` is $\partial L/\partial \hat Z$ in the caller's layout (that of Z); `cache` comes
    from :func:`batchnorm_forward` (or :func:`batchnorm_inference`). Returns
    ``(dZ, dG, dB)``; dZ in Z's layout, dG and dB in G's shape. Training mode:

    $$\frac{\partial L}{\partial Z_{ij}} = \frac{G_i}{K s_i}\Big(K g_{ij} - \sum_k g_{ik}
    - Z^c_{ij}\, r_i \sum_k g_{ik} Z^c_{ik}\Big),\quad r_i = \frac{1}{s_i\sigma_i}
    \ (\texttt{"sigma"}),\ \ r_i = \frac{1}{s_i^2}\ (\texttt{"sqrt"})$$

    Inference mode (fixed statistics): $\partial L/\partial Z_{ij} = G_i g_{ij} / s_i$.
    Cost: O(n_l K), a few passes over the batch.
    """
    dZf = _check_upstream(dZhat, cache)
    n, K = dZf.shape
    dB = dZf.sum(axis=1, keepdims=True)                    # dL/dB_i = sum_j g_ij
    dG = (dZf * cache.Zbar).sum(axis=1, keepdims=True)     # dL/dG_i = sum_j g_ij Zbar_ij
    if not cache.training:
        dZ = cache.G * dZf / cache.s                       # fixed mu, s: an affine map
    else:
        Zc_dot = (dZf * cache.Zc).sum(axis=1, keepdims=True)   # sum_k g_ik (Z_ik - mu_i)
        dZ = cache.G / (K * cache.s) * (K * dZf - dB - cache.Zc * _r(cache) * Zc_dot)
    shape = cache.param_shape
    return (dZ if cache.axis == 1 else dZ.T), dG.reshape(shape), dB.reshape(shape)


def batchnorm_backward_naive(dZhat, cache):
    r"""The same dL/dZ by a plain triple loop over (i, j, k), written straight from the
    component form [BB-2]:

    $$\frac{\partial L}{\partial Z_{ij}} = \sum_{k=1}^K g_{ik} \, G_i \Big(
    \frac{\delta_{jk} - 1/K}{s_i} - \frac{Z^c_{ik}}{s_i^2}\,\frac{\partial s_i}{\partial Z_{ij}}\Big),
    \qquad \frac{\partial s_i}{\partial Z_{ij}} = \frac{Z^c_{ij}}{K \sigma_i}\ (\texttt{"sigma"})
    \ \text{ or }\ \frac{Z^c_{ij}}{K s_i}\ (\texttt{"sqrt"})$$

    O(n_l K^2) Python-level operations: a reference for tests and for lesson 11's timing,
    not for use. Training-mode caches only; returns dZ in Z's layout.
    """
    if not cache.training:
        raise ValueError("cache must come from the training-mode forward pass "
                         "(batchnorm_forward); the naive loop follows the batch-statistics formula")
    g = _check_upstream(dZhat, cache)
    n, K = g.shape
    Zc, s, sig, G = cache.Zc, cache.s, cache.sigma, cache.G
    dZ = np.zeros((n, K), dtype=float) if is_numeric(g) else np.zeros((n, K), dtype=object)
    for i in range(n):
        for j in range(K):
            if cache.eps_mode == "sqrt":
                ds = Zc[i, j] / (K * s[i, 0])                 # d s_i / d Z_ij
            else:
                ds = Zc[i, j] / (K * sig[i, 0]) if sig[i, 0] != 0 else 0.0   # d sigma_i / d Z_ij
            total = 0
            for k in range(K):
                delta = 1 if j == k else 0
                dzbar = (delta - Fraction(1, K) if not is_numeric(g) else delta - 1 / K) / s[i, 0] \
                    - Zc[i, k] / (s[i, 0] * s[i, 0]) * ds       # d Zbar_ik / d Z_ij
                total = total + g[i, k] * G[i, 0] * dzbar
            dZ[i, j] = total
    return dZ if cache.axis == 1 else dZ.T


# -- the layer ------------------------------------------------------------------------------

class BatchNorm:
    r"""A batch-normalization layer: gains, shifts, running estimates, both modes [BN-1, BN-2].

    Training (``forward(Z, training=True)``) normalizes with the batch's mean and spread and
    updates the running estimates with the library's running average
    (:func:`course_lib.averages.running_average`):

    $$m_t = \gamma\, m_{t-1} + (1 - \gamma)\, \mu^{(t)}, \qquad
    v_t = \gamma\, v_{t-1} + (1 - \gamma)\, \tfrac{K}{K-1}\, (\sigma^{(t)})^2$$

    Inference (``training=False``) normalizes with $m$ and $v$ instead (see
    :func:`batchnorm_inference`), so an example's output no longer depends on its batch-mates.

    ========  ===============================================  ==========================  ================
    symbol    meaning                                          attribute / argument        BatchNorm1d
    ========  ===============================================  ==========================  ================
    G, B      gain and shift (learned), start at 1 and 0       ``G``, ``B``                ``weight``, ``bias``
    m, v      running mean and running variance                ``running_mean``,           ``running_mean``,
                                                               ``running_var``             ``running_var``
    gamma     weight of the OLD estimate (notes)               ``gamma``                   ``1 - momentum``
    eps       guard against division by zero                   ``eps``                     ``eps``
    ========  ===============================================  ==========================  ================

    Conventions, both sides tested:

    * NOTE: gamma weighs the old value, as everywhere in the notes; PyTorch's ``momentum``
      weighs the NEW batch: ``momentum = 1 - gamma`` (PyTorch's default 0.1 is gamma = 0.9).
      ``gamma`` may also be a schedule ``t -> gamma_t``; ``gamma=course_lib.averages.mean_gammas``
      gives the plain mean of all batches so far, PyTorch's ``momentum=None``.
    * The running estimate is of the VARIANCE, not of sigma (an average of sigmas is not the
      square root of an average of variances); ``running_sigma`` is sqrt(running_var).
    * ``unbiased_running_var=True`` (default, as PyTorch) stores the batch variance times
      K/(K-1); the normalization itself always uses the biased (1/K) variance. ``False``
      stores the biased one.
    * The estimates start at m = 0 and v = 1, as in PyTorch.

    PyTorch: ``torch.nn.BatchNorm1d(n, eps=eps, momentum=1 - gamma)`` with batch-first input
    gives identical outputs and running statistics for ``eps_mode="sqrt"`` and
    ``unbiased_running_var=True``. There is no PyTorch layer for ``eps_mode="sigma"``.

    >>> import numpy as np
    >>> bn = BatchNorm(2, gamma=0.9)
    >>> Z = np.array([[1.0, 3.0], [0.0, 4.0]])       # n_l = 2 features, K = 2 examples
    >>> _ = bn.forward(Z)
    >>> bn.running_mean                               # 0.9 * 0 + 0.1 * mu
    array([0.2, 0.2])
    >>> bn.running_var                                # 0.9 * 1 + 0.1 * (K/(K-1)) sigma^2
    array([1.1, 1.7])
    """

    def __init__(self, n, eps=1e-5, eps_mode="sqrt", gamma: Union[float, Callable] = 0.9,
                 axis=1, unbiased_running_var=True):
        if not (isinstance(n, (int, np.integer)) and n >= 1):
            raise ValueError(f"n must be a positive integer (the number of features n_l), got {n!r}")
        self.n = int(n)
        self.eps = _check_eps(eps)
        self.eps_mode = _check_mode(eps_mode)
        if not callable(gamma):
            check_range("gamma", gamma, 0, 1,
                        why="gamma weighs the old running estimate; with gamma = 1 it never "
                            "learns from a batch (PyTorch's momentum = 1 - gamma)")
        self.gamma = gamma
        self.axis = _check_axis(axis)
        self.unbiased_running_var = bool(unbiased_running_var)
        self.G = np.ones(self.n)              # gains, start at 1
        self.B = np.zeros(self.n)             # shifts, start at 0
        self.dG = np.zeros(self.n)            # last gradients (from backward)
        self.dB = np.zeros(self.n)
        self.running_mean = np.zeros(self.n)  # m_0 = 0
        self.running_var = np.ones(self.n)    # v_0 = 1
        self.t = 0                            # training batches seen
        self._cache = None

    @property
    def momentum(self):
        """PyTorch's momentum for a constant gamma: 1 - gamma (None for a schedule)."""
        return None if callable(self.gamma) else 1 - self.gamma

    @property
    def running_sigma(self):
        """sqrt(running_var): the running estimate of the standard deviation."""
        return np.sqrt(self.running_var)

    def forward(self, Z, training=True):
        """Zhat for the minibatch Z (layout given by ``axis``). Training mode also updates
        the running estimates, after every check has passed."""
        if training:
            t = self.t + 1
            g = gamma_at(self.gamma, t)
            check_range(f"gamma (at t={t})", g, 0, 1)
            Zhat, cache = batchnorm_forward(Z, self.G, self.B, self.eps, self.eps_mode, self.axis)
            K = cache.Zc.shape[1]
            var = cache.var[:, 0] * (K / (K - 1) if self.unbiased_running_var else 1)
            self.running_mean = running_average(self.running_mean, cache.mu[:, 0], g)   # m_t
            self.running_var = running_average(self.running_var, var, g)               # v_t
            self.t = t
        else:
            Zhat, cache = batchnorm_inference(Z, self.G, self.B, self.running_mean,
                                              self.running_var, self.eps, self.eps_mode, self.axis)
        self._cache = cache
        return Zhat

    def backward(self, dZhat):
        """(dZ, dG, dB) for the last forward pass; dG and dB are also kept in ``self.dG``,
        ``self.dB`` (see :meth:`grads`)."""
        if self._cache is None:
            raise RuntimeError("backward needs a forward pass first: call forward(Z) before "
                               "backward(dZhat)")
        dZ, dG, dB = batchnorm_backward(dZhat, self._cache)
        self.dG, self.dB = dG, dB
        return dZ, dG, dB

    def params(self):
        """[G, B], the learned parameters (the arrays themselves, so an optimizer's in-place
        update reaches the layer)."""
        return [self.G, self.B]

    def grads(self):
        """[dG, dB] from the last backward pass, matching :meth:`params`."""
        return [self.dG, self.dB]

    def torch_equivalent(self) -> TorchEquivalent:
        """The PyTorch layer with the same behaviour, as plain data (the optimizers' form)."""
        if self.eps_mode != "sqrt":
            return TorchEquivalent(None, {}, exact_when="never",
                                   notes="PyTorch has no (Z - mu)/(sigma + eps) mode")
        schedule = " and gamma=mean_gammas (momentum=None)" if callable(self.gamma) else ""
        return TorchEquivalent(
            "BatchNorm1d", {"num_features": self.n, "eps": self.eps, "momentum": self.momentum},
            exact_when="unbiased_running_var=True" + schedule,
            change_of_variables="" if self.axis == 0 else
            "torch is batch first (N x C): give it Z.T and transpose its output back",
            notes="momentum=None: torch's cumulative mean of the batches" if schedule else
            "momentum = 1 - gamma: torch's momentum weighs the new batch, gamma the old estimate; "
            "torch normalizes with the biased batch variance but stores the unbiased "
            "K/(K-1) sigma^2 in running_var")

    def __repr__(self):
        return (f"BatchNorm(n={self.n}, eps={self.eps!r}, eps_mode={self.eps_mode!r}, "
                f"gamma={self.gamma!r}, axis={self.axis}, "
                f"unbiased_running_var={self.unbiased_running_var})")
