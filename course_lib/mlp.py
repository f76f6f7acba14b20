r"""A small multi-layer perceptron with hand-written backward passes [TN-1, TN-2] (numpy only).

Layout: **batch first**. A minibatch is a $K \times n$ array, one example per row (as in
PyTorch and in the data file). A linear layer computes

$$Z = A W + \mathbf{1} b^\top, \qquad W \in \mathbb{R}^{n_{\text{in}} \times n_{\text{out}}},$$

so ``W`` has the notes' shape ($Z^\top = W^\top A^\top + W_0$ in the notes' column layout);
PyTorch's ``nn.Linear.weight`` is ``W.T``. Hidden layers use ReLU; the output layer's
scores go through softmax and the cross-entropy (the mean over the minibatch):

$$P_{kc} = \frac{e^{Z_{kc}}}{\sum_{c'} e^{Z_{kc'}}}, \qquad
J = -\frac1K \sum_{k=1}^K \log P_{k, y_k}, \qquad
\frac{\partial J}{\partial Z} = \frac{1}{K}\,(P - Y),$$

with $Y$ the one-hot labels. Backward through a linear layer and a ReLU:

$$\frac{\partial J}{\partial W} = A^\top \frac{\partial J}{\partial Z}, \qquad
\frac{\partial J}{\partial b} = \mathbf{1}^\top \frac{\partial J}{\partial Z}, \qquad
\frac{\partial J}{\partial A} = \frac{\partial J}{\partial Z} W^\top, \qquad
\frac{\partial J}{\partial Z_{\text{pre}}} = \frac{\partial J}{\partial A} \odot [Z_{\text{pre}} > 0].$$

With ``batchnorm=True`` each hidden layer is linear -> batch norm -> ReLU, using
:mod:`course_lib.batchnorm` with ``axis=0`` (batch first); the linear layer then has no
bias, since batch norm's shift B replaces it (as ``nn.Linear(bias=False)`` before
``nn.BatchNorm1d``).

The parameters are a plain list of arrays, ``[W1, b1, W2, b2, ...]`` (with batch norm:
``[W1, G1, B1, ...]``), and :meth:`MLP.loss_and_grads` returns the gradients as a list of
the same shapes, so every optimizer of the course updates them:
``opt.update(grads, state, params)``.

========  ======================================  =====================  ==========================
symbol    meaning                                 here                   PyTorch
========  ======================================  =====================  ==========================
W, b      weights and bias of a linear layer      ``W{l}``, ``b{l}``     ``Linear.weight.T``, ``.bias``
G, B      batch norm's gain and shift             ``G{l}``, ``B{l}``     ``BatchNorm1d.weight``, ``.bias``
P         softmax probabilities                   :func:`softmax`        ``softmax(logits, 1)``
J         mean cross-entropy                      ``loss``               ``F.cross_entropy(logits, y)``
========  ======================================  =====================  ==========================

>>> net = MLP([4, 5, 3], seed=0)
>>> params = net.init_params()
>>> [p.shape for p in params], net.names
([(4, 5), (5,), (5, 3), (3,)], ['W1', 'b1', 'W2', 'b2'])
>>> X, y = np.ones((2, 4)), np.array([0, 2])
>>> loss, grads = net.loss_and_grads(params, X, y)
>>> [g.shape for g in grads] == [p.shape for p in params]
True
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ._checks import check_finite, check_range

__all__ = ["linear_forward", "linear_backward", "relu", "relu_backward", "softmax",
           "cross_entropy", "softmax_cross_entropy_backward", "one_hot", "MLP"]


# -- the pieces, each a few lines, each with its backward ----------------------------------

def linear_forward(A, W, b=None):
    r"""$Z = A W + \mathbf 1 b^\top$ for a batch-first A (K x n_in); b may be None."""
    Z = A @ W                                     # Z = A W
    return Z if b is None else Z + b              # + b on every row


def linear_backward(dZ, A, W):
    r"""(dA, dW, db) from dZ = dJ/dZ: $dW = A^\top dZ$, $db = \mathbf 1^\top dZ$, $dA = dZ\,W^\top$."""
    dW = A.T @ dZ                                 # dJ/dW = A^T dZ
    db = dZ.sum(axis=0)                           # dJ/db = column sums of dZ
    dA = dZ @ W.T                                 # dJ/dA = dZ W^T
    return dA, dW, db


def relu(Z):
    r"""$\max(Z, 0)$, element by element."""
    return np.maximum(Z, 0)


def relu_backward(dA, Z):
    r"""$dJ/dZ = dJ/dA \odot [Z > 0]$ (the derivative at 0 is taken as 0, as PyTorch does)."""
    return dA * (Z > 0)


def softmax(Z):
    r"""Row-wise softmax $P_{kc} = e^{Z_{kc}} / \sum_{c'} e^{Z_{kc'}}$.

    The row maximum is subtracted first (it cancels in the ratio) so that no exponential
    overflows: scores of 1000 work.

    >>> softmax(np.array([[0.0, 0.0], [1000.0, 0.0]])).round(3)
    array([[0.5, 0.5],
           [1. , 0. ]])
    """
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def one_hot(y, n_classes):
    """The K x n_classes matrix Y with Y[k, y_k] = 1."""
    Y = np.zeros((len(y), n_classes))
    Y[np.arange(len(y)), y] = 1.0
    return Y


def cross_entropy(Z, y):
    r"""(J, P): the mean cross-entropy $J = -\frac1K\sum_k \log P_{k,y_k}$ of the scores Z
    (K x C) for labels y, and the softmax P. Computed as $\log\sum_c e^{Z_{kc}} - Z_{k,y_k}$
    (log-sum-exp, shifted), so it stays finite for large scores.

    PyTorch: ``torch.nn.functional.cross_entropy(Z, y)`` (mean reduction).

    >>> J, P = cross_entropy(np.zeros((3, 10)), np.array([0, 4, 9]))
    >>> round(float(J), 6) == round(float(np.log(10)), 6)      # uniform scores: J = log C
    True
    """
    m = Z.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(Z - m).sum(axis=1))       # log sum_c exp(Z_kc)
    J = np.mean(lse - Z[np.arange(len(y)), y])              # J = mean_k (lse_k - Z_{k,y_k})
    return J, softmax(Z)


def softmax_cross_entropy_backward(P, Y, K):
    r"""$\partial J / \partial Z = (P - Y)/K$, with Y one-hot and K the batch size.

    Plain arithmetic, so it also runs on sympy matrices (lesson 12 checks it against
    sympy's derivative of the loss).
    """
    return (P - Y) / K                            # dJ/dZ = (P - Y) / K


# -- the network ---------------------------------------------------------------------------

class MLP:
    r"""Linear -> [batch norm] -> ReLU, repeated, then linear -> softmax cross-entropy.

    ``sizes``: the widths, input first and classes last, e.g. ``[64, 64, 10]`` for one
    hidden layer of 64 units on the 8 x 8 digits. ``batchnorm``: put a batch-norm layer
    (:class:`course_lib.batchnorm.BatchNorm`, batch first) between each hidden linear layer
    and its ReLU; ``eps``, ``eps_mode`` and ``bn_gamma`` (the weight of the OLD running
    estimate; PyTorch's momentum is ``1 - bn_gamma``) are passed to it. ``seed`` fixes the
    initial weights.

    Initialization: He (Kaiming) normal for layers followed by a ReLU, $W \sim
    \mathcal N(0, 2/n_{\text{in}})$; the output layer gets $\mathcal N(0, 1/n_{\text{in}})$
    scaled by ``out_scale`` (0.1 by default), so the first scores are small and the
    first loss is close to $\log C$ ($\log 10 \approx 2.30$). Biases and B start at 0, G at 1.

    The network holds no parameters (only the batch-norm running statistics, which are not
    trained): every method takes ``params``, so an optimizer can ask for the gradient at any
    point, for example Nesterov's look-ahead point.
    """

    def __init__(self, sizes: Sequence[int], batchnorm: bool = False, eps: float = 1e-5,
                 eps_mode: str = "sqrt", bn_gamma: float = 0.9, seed: int = 0,
                 out_scale: float = 0.1):
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes must list at least two positive widths (inputs, ..., "
                             f"classes), got {list(sizes)}")
        self.sizes, self.batchnorm, self.seed = sizes, bool(batchnorm), seed
        self.out_scale = check_range("out_scale", out_scale, 0, np.inf, low_open=True)
        self.eps, self.eps_mode, self.bn_gamma = eps, eps_mode, bn_gamma
        self.bns = []
        if self.batchnorm:
            from .batchnorm import BatchNorm    # numpy only; imported here so the MLP works alone
            self.bns = [BatchNorm(n, eps=eps, eps_mode=eps_mode, gamma=bn_gamma, axis=0)
                        for n in sizes[1:-1]]
        self.names = []
        for l in range(1, len(sizes)):
            hidden_bn = self.batchnorm and l < len(sizes) - 1
            self.names += [f"W{l}", f"G{l}", f"B{l}"] if hidden_bn else [f"W{l}", f"b{l}"]

    @property
    def n_layers(self):
        return len(self.sizes) - 1

    def __repr__(self):
        bn = f", batchnorm=True, eps_mode={self.eps_mode!r}" if self.batchnorm else ""
        return f"MLP({self.sizes}{bn})"

    def init_params(self, seed=None) -> list:
        """A fresh list of parameter arrays (seeded), in the order of ``self.names``.
        Also resets the batch-norm running statistics."""
        rng = np.random.default_rng(self.seed if seed is None else seed)
        params = []
        for l, (n_in, n_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:]), start=1):
            last = l == self.n_layers
            std = np.sqrt(1.0 / n_in) * self.out_scale if last else np.sqrt(2.0 / n_in)
            params.append(rng.normal(0.0, std, size=(n_in, n_out)))
            if self.batchnorm and not last:
                params += [np.ones(n_out), np.zeros(n_out)]        # G = 1, B = 0
            else:
                params.append(np.zeros(n_out))                     # b = 0
        for bn in self.bns:
            bn.running_mean, bn.running_var, bn.t = np.zeros(bn.n), np.ones(bn.n), 0
        return params

    def n_params(self, params) -> int:
        return int(sum(p.size for p in params))

    # -- checks -------------------------------------------------------------------------
    def check_inputs(self, params, X, y=None):
        """Validate params (count and shapes), X and y before anything is computed; returns
        (X as floats, y)."""
        if not isinstance(params, (list, tuple)) or len(params) != len(self.names):
            n = len(params) if isinstance(params, (list, tuple)) else type(params).__name__
            raise ValueError(f"params must be a list of {len(self.names)} arrays "
                             f"{self.names}, got {n}")
        ref = self.init_shapes()
        for name, p, shape in zip(self.names, params, ref):
            if np.shape(p) != shape:
                raise ValueError(f"params {name} has shape {np.shape(p)} but this network "
                                 f"needs {shape}")
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ValueError(f"X must be (K, {self.sizes[0]}), one example per row, got "
                             f"shape {X.shape}")
        check_finite("X", X)
        if y is not None:
            y = np.asarray(y)
            if y.shape != (X.shape[0],):
                raise ValueError(f"y must hold one label per row of X, shape ({X.shape[0]},), "
                                 f"got {y.shape}")
            if y.size and (y.min() < 0 or y.max() >= self.sizes[-1] or
                           not np.issubdtype(y.dtype, np.integer)):
                raise ValueError(f"y must hold integer labels in [0, {self.sizes[-1]}), got "
                                 f"values from {y.min()} to {y.max()} ({y.dtype})")
        return X, y

    def init_shapes(self):
        shapes = []
        for l, (n_in, n_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:]), start=1):
            shapes.append((n_in, n_out))
            if self.batchnorm and l < self.n_layers:
                shapes += [(n_out,), (n_out,)]
            else:
                shapes.append((n_out,))
        return shapes

    def _layers(self, params):
        """Yield (l, W, b, G, B) per layer from the flat list."""
        i = 0
        for l in range(1, self.n_layers + 1):
            if self.batchnorm and l < self.n_layers:
                yield l, params[i], None, params[i + 1], params[i + 2]
                i += 3
            else:
                yield l, params[i], params[i + 1], None, None
                i += 2

    # -- forward and backward -------------------------------------------------------------
    def forward(self, params, X, training=False):
        """The scores Z of the last layer (K x classes), and the cache for the backward pass.

        ``training=True`` uses the batch's statistics in batch norm and updates the running
        estimates; ``False`` (evaluation) uses the running estimates."""
        X, _ = self.check_inputs(params, X)
        return self._forward(params, X, training)

    def _forward(self, params, X, training):
        A, cache = X, []
        for l, W, b, G, B in self._layers(params):
            Z = linear_forward(A, W, b)                          # Z = A W (+ b)
            if l == self.n_layers:
                cache.append((A, W, None, False))
                return Z, cache
            if G is not None:
                bn = self.bns[l - 1]
                bn.G, bn.B = G, B                                 # the layer reads our params
                Zn = bn.forward(Z, training=training)             # Zhat = G Zbar + B
            else:
                Zn = Z
            cache.append((A, W, Zn, G is not None))
            A = relu(Zn)                                          # A = max(Z, 0)
        raise AssertionError("unreachable")

    def loss_and_grads(self, params, X, y, training=True, check=True):
        """(J, grads): the mean cross-entropy on (X, y) and its gradient, a list shaped like
        params. ``training=True`` (the default) is what a training step wants.
        ``check=False`` skips the input checks (a training loop checks its data once)."""
        if check:
            X, y = self.check_inputs(params, X, y)
        with np.errstate(over="ignore", invalid="ignore"):
            Z, cache = self._forward(params, X, training)
            J, P = cross_entropy(Z, y)
            dZ = softmax_cross_entropy_backward(P, one_hot(y, self.sizes[-1]), len(y))
            grads = [None] * len(params)
            i = len(params)
            for l in range(self.n_layers, 0, -1):
                A, W, Zn, has_bn = cache[l - 1]
                if l < self.n_layers:
                    dZ = relu_backward(dA, Zn)                    # through the ReLU
                    if has_bn:                                    # through batch norm
                        dZ, dG, dB = self.bns[l - 1].backward(dZ)
                        dA, dW, _ = linear_backward(dZ, A, W)
                        i -= 3
                        grads[i:i + 3] = [dW, dG, dB]
                        continue
                dA, dW, db = linear_backward(dZ, A, W)
                i -= 2
                grads[i:i + 2] = [dW, db]
        return float(J), grads

    def loss(self, params, X, y, training=False):
        """The mean cross-entropy J (evaluation mode by default: running batch-norm estimates)."""
        X, y = self.check_inputs(params, X, y)
        with np.errstate(over="ignore", invalid="ignore"):
            return float(cross_entropy(self._forward(params, X, training)[0], y)[0])

    def predict(self, params, X):
        """The most probable class for each row of X (evaluation mode)."""
        X, _ = self.check_inputs(params, X)
        return np.argmax(self._forward(params, X, False)[0], axis=1)

    def evaluate(self, params, X, y):
        """(loss, accuracy) in evaluation mode, in one forward pass."""
        X, y = self.check_inputs(params, X, y)
        with np.errstate(over="ignore", invalid="ignore"):
            Z = self._forward(params, X, False)[0]
            J = float(cross_entropy(Z, y)[0])
        return J, float(np.mean(np.argmax(Z, axis=1) == y))

    def hidden_activations(self, params, X) -> list:
        """The ReLU outputs of each hidden layer (evaluation mode), one K x n array per layer:
        for example, to count units that never fire."""
        X, _ = self.check_inputs(params, X)
        cache = self._forward(params, X, False)[1]
        return [relu(Zn) for (_, _, Zn, _) in cache[:-1]]

    def accuracy(self, params, X, y):
        """The fraction of rows whose predicted class is the label."""
        return self.evaluate(params, X, y)[1]
