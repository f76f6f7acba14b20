"""The network of lesson 12 (course_lib/mlp.py): gradients against finite differences with
and without batch norm, the softmax cross-entropy gradient checked by sympy (and the check
failing on a wrong formula), bad input, and PyTorch as an oracle."""
import numpy as np
import pytest
import sympy as sp

from course_lib import mlp as M
from course_lib.gradcheck import check_gradient, numerical_gradient, rel_error
from course_lib.mlp import MLP
from course_lib.proofs import ProofError, check_equal

SIZES = [6, 5, 4, 3]


def small_problem(batchnorm, eps_mode="sqrt", seed=0, K=7):
    rng = np.random.default_rng(seed)
    net = MLP(SIZES, batchnorm=batchnorm, eps_mode=eps_mode, seed=seed)
    # move every parameter off its initial value so that no gradient is special
    params = [p + 0.3 * rng.normal(size=p.shape) for p in net.init_params()]
    X = rng.normal(size=(K, SIZES[0]))
    y = rng.integers(0, SIZES[-1], size=K)
    return net, params, X, y


def gradcheck_all(net, params, X, y, tol=1e-6):
    _, grads = net.loss_and_grads(params, X, y)
    errs = {}
    for i, name in enumerate(net.names):
        def f(w, i=i):
            q = list(params)
            q[i] = w
            return net.loss_and_grads(q, X, y)[0]
        errs[name] = check_gradient(f, params[i].copy(), grads[i], h=1e-6, tol=tol)
    # and the input gradient is not needed: the data are not trained
    return errs


@pytest.mark.parametrize("batchnorm,eps_mode", [(False, "sqrt"), (True, "sqrt"), (True, "sigma")],
                         ids=["plain", "batchnorm-sqrt", "batchnorm-sigma"])
def test_gradients_match_finite_differences(batchnorm, eps_mode):
    net, params, X, y = small_problem(batchnorm, eps_mode)
    errs = gradcheck_all(net, params, X, y)
    assert set(errs) == set(net.names)
    expected = (["W1", "G1", "B1", "W2", "G2", "B2", "W3", "b3"] if batchnorm
                else ["W1", "b1", "W2", "b2", "W3", "b3"])
    assert net.names == expected


def test_the_gradient_check_fails_on_a_wrong_backward(monkeypatch):
    net, params, X, y = small_problem(False)
    gradcheck_all(net, params, X, y)           # passes with the right formula
    # a classic slip: forgetting the 1/K of the mean over the minibatch
    monkeypatch.setattr(M, "softmax_cross_entropy_backward", lambda P, Y, K: P - Y)
    with pytest.raises(AssertionError, match="gradient check failed"):
        gradcheck_all(net, params, X, y)


def test_the_gradient_check_fails_when_batchnorm_backward_is_skipped(monkeypatch):
    net, params, X, y = small_problem(True)
    # pretend batch norm is a plain scaling: pass dZhat through unchanged
    for bn in net.bns:
        monkeypatch.setattr(bn, "backward", lambda d, bn=bn: (d, np.zeros(bn.n), np.zeros(bn.n)))
    with pytest.raises(AssertionError, match="gradient check failed"):
        gradcheck_all(net, params, X, y)


# -- the symbolic claim of the lesson: dJ/dZ = (P - Y)/K -----------------------------------

def symbolic_softmax_xent(K=2, C=3, y=(0, 2)):
    """P, the one-hot Y, and sympy's derivative of J = (1/K) sum_k (log sum_c e^z_kc - z_k,y_k)
    (which is -(1/K) sum_k log P_k,y_k written without the quotient)."""
    Z = sp.Matrix(K, C, lambda k, c: sp.Symbol(f"z_{k}{c}"))
    S = [sum(sp.exp(Z[k, j]) for j in range(C)) for k in range(K)]
    P = sp.Matrix(K, C, lambda k, c: sp.exp(Z[k, c]) / S[k])
    J = sum(sp.log(S[k]) - Z[k, y[k]] for k in range(K)) / K
    dJ = sp.Matrix(K, C, lambda k, c: sp.diff(J, Z[k, c]))
    Y = sp.Matrix(K, C, lambda k, c: 1 if c == y[k] else 0)
    return P, Y, dJ


def test_softmax_cross_entropy_gradient_is_checked_by_sympy():
    P, Y, dJ = symbolic_softmax_xent()
    ours = M.softmax_cross_entropy_backward(P, Y, 2)        # the library's code, on symbols
    check_equal(list(dJ), list(ours), "dJ/dZ = (P - Y)/K")


@pytest.mark.parametrize("wrong", [lambda P, Y, K: P - Y,          # the 1/K forgotten
                                   lambda P, Y, K: P / K],         # the label term forgotten
                         ids=["no-1/K", "no-label-term"])
def test_the_sympy_check_fails_on_a_wrong_formula(wrong):
    P, Y, dJ = symbolic_softmax_xent()
    with pytest.raises(ProofError):
        check_equal(list(dJ), list(wrong(P, Y, 2)), "a wrong gradient")


# -- the pieces ------------------------------------------------------------------------------

def test_softmax_and_cross_entropy_are_stable_and_exact():
    Z = np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]])
    P = M.softmax(Z)
    assert np.all(np.isfinite(P)) and np.allclose(P.sum(axis=1), 1)
    J, _ = M.cross_entropy(Z, np.array([0, 1]))
    assert np.isclose(J, (0.0 + np.log(3)) / 2)
    J, _ = M.cross_entropy(np.zeros((5, 10)), np.arange(5))
    assert np.isclose(J, np.log(10))


def test_first_loss_is_close_to_log_of_the_number_of_classes():
    net = MLP([64, 64, 10], seed=0)
    X = np.random.default_rng(0).normal(size=(200, 64))
    J = net.loss(net.init_params(), X, np.arange(200) % 10)
    assert abs(J - np.log(10)) < 0.05


def test_linear_backward_shapes_and_values():
    rng = np.random.default_rng(1)
    A, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    dZ = rng.normal(size=(4, 2))
    dA, dW, db = M.linear_backward(dZ, A, W)
    f = lambda W_: np.sum(M.linear_forward(A, W_, b) * dZ)
    assert rel_error(numerical_gradient(f, W.copy()), dW) < 1e-8
    f = lambda A_: np.sum(M.linear_forward(A_, W, b) * dZ)
    assert rel_error(numerical_gradient(f, A.copy()), dA) < 1e-8
    assert np.allclose(db, dZ.sum(axis=0))


def test_evaluation_mode_uses_running_statistics():
    net, params, X, y = small_problem(True, K=20)
    before = [bn.running_mean.copy() for bn in net.bns]
    net.loss(params, X, y)                       # evaluation: running stats untouched
    assert all(np.array_equal(a, bn.running_mean) for a, bn in zip(before, net.bns))
    net.loss_and_grads(params, X, y)             # training: they move
    assert not all(np.array_equal(a, bn.running_mean) for a, bn in zip(before, net.bns))
    # in evaluation mode one example's prediction does not depend on its batch-mates
    single = net.predict(params, X[:1])
    assert single[0] == net.predict(params, X)[0]


def test_hidden_activations():
    net, params, X, y = small_problem(True)
    acts = net.hidden_activations(params, X)
    assert [a.shape for a in acts] == [(len(X), 5), (len(X), 4)]
    assert all(np.all(a >= 0) for a in acts)


def test_params_work_with_every_optimizer_update():
    """Every optimizer class the package exports (new ones included automatically) updates
    the network's list of parameter arrays, batch norm's gains and shifts among them, and
    lowers the loss in 30 full-batch steps."""
    from course_lib.landscapes import optimizer_classes
    from course_lib.tree import apply_updates
    net, params, X, y = small_problem(True)
    lrs = {"SGD": 0.1, "Momentum": 0.1, "Nesterov": 0.1, "NesterovFramework": 0.1,
           "AveragedMomentum": 0.5, "Adadelta": 1.0}     # the rest: 0.01
    classes = optimizer_classes()
    assert len(classes) >= 13
    for name, cls in classes.items():
        opt = cls(lr=lrs.get(name, 0.01))
        s = opt.init(params)
        J0 = net.loss(params, X, y, training=True)
        p = params
        for _ in range(30):
            _, g = net.loss_and_grads(opt.eval_point(p, s), X, y)
            step, s = opt.update(g, s, p)
            p = apply_updates(p, step)
        assert net.loss(p, X, y, training=True) < J0, opt


# -- bad input -----------------------------------------------------------------------------

def test_bad_input_is_refused_with_the_name():
    net, params, X, y = small_problem(False)
    cases = [
        (lambda: net.loss_and_grads(params[:-1], X, y), r"^params must be a list of 6"),
        (lambda: net.loss_and_grads([params[0].T] + params[1:], X, y), r"^params W1 has shape"),
        (lambda: net.loss_and_grads(params, X[:, :5], y), r"^X must be \(K, 6\)"),
        (lambda: net.loss_and_grads(params, np.where(X > 1, np.nan, X), y), r"^X must be finite"),
        (lambda: net.loss_and_grads(params, X, y[:-1]), r"^y must hold one label per row"),
        (lambda: net.loss_and_grads(params, X, y + 3), r"^y must hold integer labels in \[0, 3\)"),
        (lambda: net.loss_and_grads(params, X, y.astype(float)), r"^y must hold integer labels"),
        (lambda: MLP([6]), r"^sizes must list at least two"),
        (lambda: MLP([6, 3], out_scale=0.0), r"^out_scale must be in \(0, inf\)"),
    ]
    for call, pattern in cases:
        with pytest.raises(ValueError, match=pattern):
            call()


def test_refused_call_changes_no_batchnorm_statistics():
    net, params, X, y = small_problem(True)
    before = [(bn.running_mean.copy(), bn.t) for bn in net.bns]
    with pytest.raises(ValueError):
        net.loss_and_grads(params, X, y + 3)
    assert all(np.array_equal(m, bn.running_mean) and t == bn.t
               for (m, t), bn in zip(before, net.bns))


# -- PyTorch as an oracle (optional) -----------------------------------------------------------

@pytest.mark.torch
@pytest.mark.parametrize("batchnorm", [False, True], ids=["plain", "batchnorm"])
def test_loss_and_gradients_equal_pytorch(batchnorm):
    torch = pytest.importorskip("torch")
    net, params, X, y = small_problem(batchnorm, K=9)
    J, grads = net.loss_and_grads(params, X, y)
    tp = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in params]
    A = torch.tensor(X)
    i = 0
    for l in range(1, net.n_layers + 1):
        if batchnorm and l < net.n_layers:
            W, G, B = tp[i:i + 3]
            i += 3
            Z = torch.nn.functional.batch_norm(A @ W, None, None, weight=G, bias=B,
                                               training=True, eps=net.eps)
            A = torch.relu(Z)
        else:
            W, b = tp[i:i + 2]
            i += 2
            Z = A @ W + b          # nn.Linear would hold weight = W.T
            A = torch.relu(Z) if l < net.n_layers else Z
    loss = torch.nn.functional.cross_entropy(A, torch.tensor(y))
    loss.backward()
    assert np.isclose(J, loss.item(), rtol=1e-12)
    for name, g, t in zip(net.names, grads, tp):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=name)
