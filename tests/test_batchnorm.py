"""course_lib.batchnorm: forward, exact backward for both eps conventions, running estimates,
bad input; cross-checks against PyTorch when it is installed."""
from __future__ import annotations

import copy

import numpy as np
import pytest

from course_lib.averages import mean_gammas
from course_lib.batchnorm import (BatchNorm, batchnorm_backward, batchnorm_backward_naive,
                                  batchnorm_forward, batchnorm_inference)
from course_lib.gradcheck import numerical_gradient, rel_error

MODES = ["sigma", "sqrt"]


def _problem(rng, n=4, K=6, axis=1, scale=1.0):
    Z = rng.normal(size=(n, K)) * scale * rng.uniform(0.5, 2.0, size=(n, 1)) + rng.normal(size=(n, 1))
    G, B = rng.normal(size=n), rng.normal(size=n)
    D = rng.normal(size=(n, K))
    if axis == 0:
        Z, D = Z.T.copy(), D.T.copy()
    return Z, G, B, D


# -- forward -------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_forward_by_hand(mode):
    Z = np.array([[1.0, 2.0, 3.0, 6.0], [0.0, 0.0, 2.0, 2.0]])
    G, B, eps = np.array([2.0, -1.0]), np.array([0.5, 1.0]), 0.01
    Zhat, c = batchnorm_forward(Z, G, B, eps=eps, eps_mode=mode)
    mu = np.array([[3.0], [1.0]])
    var = np.array([[3.5], [1.0]])                     # biased: (4 + 1 + 0 + 9)/4, (1+1+1+1)/4
    s = np.sqrt(var) + eps if mode == "sigma" else np.sqrt(var + eps)
    expected = G[:, None] * (Z - mu) / s + B[:, None]
    np.testing.assert_allclose(Zhat, expected, rtol=1e-14)
    np.testing.assert_allclose(c.mu, mu)
    np.testing.assert_allclose(c.var, var)


@pytest.mark.parametrize("mode", MODES)
def test_output_has_mean_B_and_predicted_spread(mode):
    rng = np.random.default_rng(1)
    Z, G, B, _ = _problem(rng, n=5, K=50)
    eps = 0.3
    Zhat, c = batchnorm_forward(Z, G, B, eps=eps, eps_mode=mode)
    np.testing.assert_allclose(Zhat.mean(axis=1), B, atol=1e-12)
    sigma = Z.std(axis=1)
    ratio = sigma / (sigma + eps) if mode == "sigma" else sigma / np.sqrt(sigma ** 2 + eps)
    np.testing.assert_allclose(Zhat.std(axis=1), np.abs(G) * ratio, rtol=1e-12)


@pytest.mark.parametrize("mode", MODES)
def test_batch_first_layout_is_the_transpose(mode):
    rng = np.random.default_rng(2)
    Z, G, B, D = _problem(rng)
    Zhat1, c1 = batchnorm_forward(Z, G, B, eps_mode=mode, axis=1)
    Zhat0, c0 = batchnorm_forward(Z.T, G, B, eps_mode=mode, axis=0)
    np.testing.assert_allclose(Zhat0, Zhat1.T, rtol=1e-14)
    g1 = batchnorm_backward(D, c1)
    g0 = batchnorm_backward(D.T, c0)
    np.testing.assert_allclose(g0[0], g1[0].T, rtol=1e-12)
    for a, b in zip(g0[1:], g1[1:]):
        np.testing.assert_allclose(a, b, rtol=1e-12)
        assert a.shape == G.shape


def test_column_parameters_keep_their_shape():
    rng = np.random.default_rng(3)
    Z, G, B, D = _problem(rng)
    Zhat, c = batchnorm_forward(Z, G[:, None], B[:, None])
    _, dG, dB = batchnorm_backward(D, c)
    assert dG.shape == dB.shape == (4, 1)
    Zhat0, c0 = batchnorm_forward(Z.T, G[None, :], B[None, :], axis=0)
    _, dG0, _ = batchnorm_backward(D.T, c0)
    assert dG0.shape == (1, 4)
    np.testing.assert_allclose(dG0.ravel(), dG.ravel(), rtol=1e-12)


# -- backward against finite differences ---------------------------------------------------

@pytest.mark.parametrize("axis", [1, 0])
@pytest.mark.parametrize("eps", [0.0, 1e-5, 0.1, 2.0])
@pytest.mark.parametrize("mode", MODES)
def test_backward_against_finite_differences(mode, eps, axis):
    rng = np.random.default_rng(4)
    Z, G, B, D = _problem(rng, axis=axis)
    _, c = batchnorm_forward(Z, G, B, eps, mode, axis)
    dZ, dG, dB = batchnorm_backward(D, c)
    loss = lambda Z_, G_, B_: np.sum(D * batchnorm_forward(Z_, G_, B_, eps, mode, axis)[0])
    assert rel_error(numerical_gradient(lambda x: loss(x, G, B), Z.copy()), dZ) < 1e-7
    assert rel_error(numerical_gradient(lambda x: loss(Z, x, B), G.copy()), dG) < 1e-7
    assert rel_error(numerical_gradient(lambda x: loss(Z, G, x), B.copy()), dB) < 1e-7


@pytest.mark.parametrize("mode", MODES)
def test_seed_closing_formula_is_exact_only_for_eps_zero(mode):
    """The notes' formula (sigma everywhere, no eps) against the exact backward."""
    rng = np.random.default_rng(5)
    Z, G, B, D = _problem(rng)
    K = Z.shape[1]

    def seed_formula(c):
        mu, sig = c.mu, c.sigma
        Zc = Z - mu
        return G[:, None] / (K * sig) * (K * D - D.sum(1, keepdims=True)
                                         - Zc * (D * Zc).sum(1, keepdims=True) / sig ** 2)

    _, c0 = batchnorm_forward(Z, G, B, 0.0, mode)
    assert rel_error(seed_formula(c0), batchnorm_backward(D, c0)[0]) < 1e-12
    _, c1 = batchnorm_forward(Z, G, B, 0.1, mode)
    assert rel_error(seed_formula(c1), batchnorm_backward(D, c1)[0]) > 1e-3


@pytest.mark.parametrize("mode", MODES)
def test_naive_loop_matches_vectorized(mode):
    rng = np.random.default_rng(6)
    for axis in (1, 0):
        Z, G, B, D = _problem(rng, n=3, K=5, axis=axis)
        _, c = batchnorm_forward(Z, G, B, 0.05, mode, axis)
        np.testing.assert_allclose(batchnorm_backward_naive(D, c), batchnorm_backward(D, c)[0],
                                   rtol=1e-11, atol=1e-13)
    _, ci = batchnorm_inference(Z, G, B, np.zeros(3), np.ones(3), axis=0)
    with pytest.raises(ValueError, match="cache must come from the training-mode"):
        batchnorm_backward_naive(D, ci)


@pytest.mark.parametrize("mode", MODES)
def test_constant_feature_with_positive_eps_has_finite_exact_gradient(mode):
    rng = np.random.default_rng(7)
    Z, G, B, D = _problem(rng, n=3, K=5)
    Z[1] = 2.5                                          # feature 1 constant over the batch
    eps = 0.01
    Zhat, c = batchnorm_forward(Z, G, B, eps, mode)
    np.testing.assert_allclose(Zhat[1], B[1])
    dZ, dG, dB = batchnorm_backward(D, c)
    assert np.all(np.isfinite(dZ))
    # at sigma = 0 the centred values vanish, so the row is G (g - mean(g)) / s with s = eps
    # ("sigma") or sqrt(eps) ("sqrt"): the limit of the exact formula
    s = eps if mode == "sigma" else np.sqrt(eps)
    np.testing.assert_allclose(dZ[1], G[1] * (D[1] - D[1].mean()) / s, rtol=1e-12)
    loss = lambda x: np.sum(D * batchnorm_forward(x, G, B, eps, mode)[0])
    # central differences: sigma(Z + h e) = sigma(Z - h e) = O(h) there, so in "sigma" mode the
    # estimate is off by a relative O(h / eps); in "sqrt" mode by O(h^2 / eps)
    assert rel_error(numerical_gradient(loss, Z.copy(), h=1e-7), dZ) < 1e-4


@pytest.mark.parametrize("mode", MODES)
def test_inference_backward_is_the_affine_map(mode):
    rng = np.random.default_rng(8)
    Z, G, B, D = _problem(rng)
    m, v = rng.normal(size=4), rng.uniform(0.5, 2, size=4)
    _, c = batchnorm_inference(Z, G, B, m, v, 0.1, mode)
    dZ, dG, dB = batchnorm_backward(D, c)
    loss = lambda Z_, G_: np.sum(D * batchnorm_inference(Z_, G_, B, m, v, 0.1, mode)[0])
    # the loss is linear in Z and in G: a large h has no truncation error and less rounding
    assert rel_error(numerical_gradient(lambda x: loss(x, G), Z.copy(), h=1e-2), dZ) < 1e-7
    assert rel_error(numerical_gradient(lambda x: loss(Z, x), G.copy(), h=1e-2), dG) < 1e-7
    np.testing.assert_allclose(dB, D.sum(1))


# -- the layer: running estimates, inference ----------------------------------------------

def _batches(rng, n=3, K=8, T=6):
    mean, scale = rng.normal(size=n) * 3, rng.uniform(0.5, 3, size=n)
    return [mean + scale * rng.normal(size=(K, n)) for _ in range(T)]   # batch first


@pytest.mark.parametrize("unbiased", [True, False])
def test_running_estimates_by_hand(unbiased):
    rng = np.random.default_rng(9)
    batches = _batches(rng)
    bn = BatchNorm(3, gamma=0.8, axis=0, unbiased_running_var=unbiased)
    m, v = np.zeros(3), np.ones(3)
    for X in batches:
        bn.forward(X)
        K = X.shape[0]
        var = X.var(axis=0, ddof=1 if unbiased else 0)
        m, v = 0.8 * m + 0.2 * X.mean(0), 0.8 * v + 0.2 * var
    np.testing.assert_allclose(bn.running_mean, m, rtol=1e-13)
    np.testing.assert_allclose(bn.running_var, v, rtol=1e-13)
    np.testing.assert_allclose(bn.running_sigma, np.sqrt(v))
    assert bn.t == len(batches) and bn.momentum == pytest.approx(0.2)


def test_mean_gammas_gives_the_plain_mean_of_the_batches():
    rng = np.random.default_rng(10)
    batches = _batches(rng)
    bn = BatchNorm(3, gamma=mean_gammas, axis=0)
    for X in batches:
        bn.forward(X)
    np.testing.assert_allclose(bn.running_mean, np.mean([X.mean(0) for X in batches], axis=0))
    np.testing.assert_allclose(bn.running_var, np.mean([X.var(0, ddof=1) for X in batches], axis=0))
    assert bn.momentum is None


@pytest.mark.parametrize("mode", MODES)
def test_inference_uses_the_running_statistics_and_changes_nothing(mode):
    rng = np.random.default_rng(11)
    bn = BatchNorm(3, eps=0.01, eps_mode=mode, axis=0)
    bn.G[:] = rng.normal(size=3)
    bn.B[:] = rng.normal(size=3)
    for X in _batches(rng):
        bn.forward(X)
    m, v, t = bn.running_mean.copy(), bn.running_var.copy(), bn.t
    X = rng.normal(size=(5, 3))
    s = np.sqrt(v) + 0.01 if mode == "sigma" else np.sqrt(v + 0.01)
    out = bn.forward(X, training=False)
    np.testing.assert_allclose(out, bn.G * (X - m) / s + bn.B, rtol=1e-13)
    np.testing.assert_array_equal(bn.running_mean, m)
    np.testing.assert_array_equal(bn.running_var, v)
    assert bn.t == t
    # each example alone: the output of one row does not depend on its batch-mates
    np.testing.assert_allclose(bn.forward(X[:1], training=False), out[:1], rtol=1e-14)
    # while in training mode it does
    a = bn.forward(X[:3])[0]
    b = bn.forward(np.vstack([X[:1], X[3:]]))[0]
    assert not np.allclose(a, b)


def test_layer_backward_stores_grads_and_params_are_the_arrays():
    rng = np.random.default_rng(12)
    bn = BatchNorm(4)
    Z, _, _, D = _problem(rng)
    with pytest.raises(RuntimeError, match="forward pass first"):
        bn.backward(D)
    bn.forward(Z)
    dZ, dG, dB = bn.backward(D)
    assert bn.grads()[0] is dG and bn.grads()[1] is dB
    P = bn.params()
    assert P[0] is bn.G and P[1] is bn.B
    P[0] -= 0.1 * dG                                   # an in-place optimizer step reaches the layer
    np.testing.assert_allclose(bn.G, 1 - 0.1 * dG)


def test_torch_equivalent_is_the_optimizers_plain_data():
    """Batch norm states its PyTorch layer in the same TorchEquivalent form as the optimizers:
    the class name, its arguments from ours, when the results coincide, the layout change."""
    from course_lib.optimizers import TorchEquivalent
    eq = BatchNorm(4, eps=1e-3, gamma=0.8).torch_equivalent()
    assert isinstance(eq, TorchEquivalent) and eq.cls == "BatchNorm1d"
    assert eq.kwargs == {"num_features": 4, "eps": 1e-3, "momentum": pytest.approx(0.2)}
    assert eq.exact_when == "unbiased_running_var=True"
    assert "Z.T" in eq.change_of_variables                 # ours is n x K by default (axis=1)
    assert BatchNorm(4, axis=0).torch_equivalent().change_of_variables == ""
    sched = BatchNorm(4, gamma=mean_gammas, axis=0).torch_equivalent()
    assert sched.kwargs["momentum"] is None and "mean_gammas" in sched.exact_when
    none = BatchNorm(2, eps_mode="sigma").torch_equivalent()
    assert none.cls is None and none.exact_when == "never" and none.kwargs == {}


# -- bad input: clear errors naming the argument, nothing changed --------------------------

def test_bad_input_is_refused_with_a_clear_message():
    Z = np.arange(12.0).reshape(3, 4) ** 1.5
    G, B = np.ones(3), np.zeros(3)
    cases = [
        (lambda: batchnorm_forward(Z[:, :1], G, B), r"^Z must hold K >= 2 examples along axis 1"),
        (lambda: batchnorm_forward(Z.T[:1], G, B, axis=0), r"^Z must hold K >= 2 .* axis 0"),
        (lambda: batchnorm_forward(Z, np.ones(4), B), r"^G must hold one value per feature"),
        (lambda: batchnorm_forward(Z, G, np.zeros((1, 3))), r"^B must hold one value per feature"),
        (lambda: batchnorm_forward(Z, G, B, eps=-1e-5), r"^eps must be in \[0, inf\), got -1e-05"),
        (lambda: batchnorm_forward(Z, G, B, eps=np.nan), r"^eps must be in"),
        (lambda: batchnorm_forward(np.vstack([Z[:2], np.full(4, 3.0)]), G, B, eps=0.0),
         r"^eps = 0 but feature\(s\) \[2\] are constant"),
        (lambda: batchnorm_forward(Z, G, B, eps_mode="inside"), r"^eps_mode must be 'sigma'"),
        (lambda: batchnorm_forward(Z, G, B, axis=2), r"^axis must be 1"),
        (lambda: batchnorm_forward(Z.ravel(), G, B), r"^Z must be a 2-D array"),
        (lambda: batchnorm_forward(np.where(Z > 5, np.inf, Z), G, B), r"^Z must be finite"),
        (lambda: batchnorm_forward(Z, np.array([1.0, np.nan, 1.0]), B), r"^G must be finite"),
        (lambda: batchnorm_backward(np.ones((4, 3)), batchnorm_forward(Z, G, B)[1]),
         r"^dZhat has shape \(4, 3\) but the forward pass saw Z of shape \(3, 4\)"),
        (lambda: batchnorm_inference(Z, G, B, np.zeros(3), -np.ones(3)), r"^var must be >= 0"),
        (lambda: BatchNorm(3, gamma=1.0), r"^gamma must be in \[0, 1\), got 1.0"),
        (lambda: BatchNorm(3, gamma=-0.1), r"^gamma must be in"),
        (lambda: BatchNorm(0), r"^n must be a positive integer"),
        (lambda: BatchNorm(3, eps=-1.0), r"^eps must be in"),
    ]
    for call, pattern in cases:
        with pytest.raises(ValueError, match=pattern):
            call()


def test_a_refused_forward_changes_no_state():
    rng = np.random.default_rng(13)
    bn = BatchNorm(3, axis=0)
    bn.forward(rng.normal(size=(4, 3)))
    before = copy.deepcopy(vars(bn))
    for bad in [rng.normal(size=(1, 3)), rng.normal(size=(4, 2)), np.full((4, 3), np.nan)]:
        with pytest.raises(ValueError):
            bn.forward(bad)
    after = vars(bn)
    for k, v in before.items():
        if isinstance(v, np.ndarray):
            np.testing.assert_array_equal(after[k], v)
        elif k != "_cache":
            assert after[k] == v
    bad_schedule = BatchNorm(3, gamma=lambda t: 1.5, axis=0)
    with pytest.raises(ValueError, match=r"^gamma \(at t=1\) must be in"):
        bad_schedule.forward(rng.normal(size=(4, 3)))
    assert bad_schedule.t == 0 and np.all(bad_schedule.running_var == 1)


def test_inference_accepts_a_single_example():
    bn = BatchNorm(2, axis=0)
    out = bn.forward(np.array([[1.0, -1.0]]), training=False)
    np.testing.assert_allclose(out, [[1 / np.sqrt(1 + 1e-5), -1 / np.sqrt(1 + 1e-5)]])


# -- PyTorch cross-checks -------------------------------------------------------------------

@pytest.mark.torch
@pytest.mark.parametrize("eps", [1e-5, 0.1])
def test_sqrt_mode_against_torch_autograd(eps):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(14)
    Z, G, B, D = _problem(rng, n=5, K=7, axis=0)           # batch first, as torch
    x = torch.tensor(Z, requires_grad=True)
    w = torch.tensor(G, requires_grad=True)
    b = torch.tensor(B, requires_grad=True)
    y = torch.nn.functional.batch_norm(x, None, None, weight=w, bias=b, training=True, eps=eps)
    y.backward(torch.tensor(D))
    Zhat, c = batchnorm_forward(Z, G, B, eps=eps, eps_mode="sqrt", axis=0)
    dZ, dG, dB = batchnorm_backward(D, c)
    np.testing.assert_allclose(Zhat, y.detach().numpy(), rtol=1e-12, atol=1e-13)
    assert rel_error(dZ, x.grad.numpy()) < 1e-9
    assert rel_error(dG, w.grad.numpy()) < 1e-10
    assert rel_error(dB, b.grad.numpy()) < 1e-12


@pytest.mark.torch
def test_sigma_mode_against_torch_autograd_of_the_notes_formula():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(15)
    Z, G, B, D = _problem(rng, n=5, K=7, axis=0)
    eps = 0.1
    x = torch.tensor(Z, requires_grad=True)
    w = torch.tensor(G, requires_grad=True)
    mu = x.mean(0)
    sigma = ((x - mu) ** 2).mean(0).sqrt()
    y = w * (x - mu) / (sigma + eps) + torch.tensor(B)
    y.backward(torch.tensor(D))
    Zhat, c = batchnorm_forward(Z, G, B, eps=eps, eps_mode="sigma", axis=0)
    dZ, dG, _ = batchnorm_backward(D, c)
    np.testing.assert_allclose(Zhat, y.detach().numpy(), rtol=1e-12, atol=1e-13)
    assert rel_error(dZ, x.grad.numpy()) < 1e-9
    assert rel_error(dG, w.grad.numpy()) < 1e-10


@pytest.mark.torch
@pytest.mark.parametrize("gamma", [0.9, 0.5, mean_gammas])
def test_running_estimates_against_torch_batchnorm1d(gamma):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(16)
    bn = BatchNorm(3, eps=1e-3, gamma=gamma, axis=0)
    eq = bn.torch_equivalent()
    assert eq.cls == "BatchNorm1d" and eq.change_of_variables == ""    # axis=0: batch first
    tb = getattr(torch.nn, eq.cls)(**eq.kwargs, dtype=torch.float64)
    assert tb.momentum == (None if callable(gamma) else pytest.approx(1 - gamma))
    with torch.no_grad():
        tb.weight.copy_(torch.tensor(rng.normal(size=3)))
        tb.bias.copy_(torch.tensor(rng.normal(size=3)))
    bn.G[:], bn.B[:] = tb.weight.detach().numpy(), tb.bias.detach().numpy()
    tb.train()
    for X in _batches(rng, K=5, T=7):
        out = bn.forward(X)
        np.testing.assert_allclose(out, tb(torch.tensor(X)).detach().numpy(), rtol=1e-11,
                                   atol=1e-12)
    np.testing.assert_allclose(bn.running_mean, tb.running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(bn.running_var, tb.running_var.numpy(), rtol=1e-12)
    tb.eval()
    X = rng.normal(size=(4, 3))
    np.testing.assert_allclose(bn.forward(X, training=False),
                               tb(torch.tensor(X)).detach().numpy(), rtol=1e-12, atol=1e-13)


@pytest.mark.torch
def test_biased_running_var_differs_from_torch_by_k_over_k_minus_1():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(17)
    X = rng.normal(size=(4, 2))
    bn = BatchNorm(2, gamma=0.0, axis=0, unbiased_running_var=False)   # keep the last batch only
    tb = torch.nn.BatchNorm1d(2, momentum=1.0, dtype=torch.float64)
    bn.forward(X)
    tb(torch.tensor(X))
    np.testing.assert_allclose(bn.running_var * 4 / 3, tb.running_var.numpy(), rtol=1e-13)


@pytest.mark.torch
def test_passing_gamma_as_torchs_momentum_is_the_wrong_direction():
    """The notes' gamma weighs the OLD estimate, torch's momentum the NEW batch: handing
    gamma = 0.9 to torch as momentum=0.9 gives different running statistics (the check can
    fail), momentum=1 - gamma gives ours."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(18)
    batches = list(_batches(rng, K=5, T=6))
    bn = BatchNorm(3, gamma=0.9, axis=0)
    wrong = torch.nn.BatchNorm1d(3, momentum=0.9, dtype=torch.float64)
    right = torch.nn.BatchNorm1d(3, momentum=0.1, dtype=torch.float64)
    for X in batches:
        bn.forward(X)
        wrong(torch.tensor(X))
        right(torch.tensor(X))
    np.testing.assert_allclose(bn.running_mean, right.running_mean.numpy(), rtol=1e-12)
    assert np.max(np.abs(bn.running_mean - wrong.running_mean.numpy())) > 1e-2
    assert np.max(np.abs(bn.running_var - wrong.running_var.numpy())) > 1e-2
