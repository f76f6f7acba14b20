"""Lesson 07's symbolic claims, run on the library's code, and each one shown to fail when
its formula is changed."""
import pytest
import sympy as sp

from course_lib.optimizers import SGD, Adadelta, Adagrad, RMSprop
from course_lib.proofs import ProofError, check_equal

eta, g, gamma = sp.symbols("eta g gamma", positive=True)


# --- [AD-1] with no memory and eps = 0, RMSprop is sign descent ---------------------------

def sign_descent(claim_pos, claim_neg):
    opt = RMSprop(lr=eta, gamma=0, eps=0)
    check_equal(opt.update(g, opt.init(0))[0], claim_pos, "g > 0")
    check_equal(opt.update(-g, opt.init(0))[0], claim_neg, "g < 0")


def test_ad1_rmsprop_without_memory_is_sign_descent():
    sign_descent(-eta, eta)


@pytest.mark.parametrize("pos, neg", [(-eta * g, eta * g), (eta, -eta), (-eta / g, eta / g)])
def test_ad1_fails_on_a_changed_claim(pos, neg):
    with pytest.raises(ProofError):
        sign_descent(pos, neg)


# --- [AD-2] Adagrad on a constant gradient: step_t = -eta / sqrt(t) --------------------------

def adagrad_steps(claim, n=6):
    opt = Adagrad(lr=eta, eps=0)
    s = opt.init(0)
    for t in range(1, n + 1):
        step, s = opt.update(g, s)
        check_equal(step, claim(t), f"t = {t}")


def test_ad2_adagrad_constant_gradient():
    adagrad_steps(lambda t: -eta / sp.sqrt(t))


@pytest.mark.parametrize("wrong", [lambda t: -eta / t, lambda t: -eta * g / sp.sqrt(t),
                                   lambda t: -eta / sp.sqrt(t + 1)])
def test_ad2_fails_on_a_changed_claim(wrong):
    with pytest.raises(ProofError):
        adagrad_steps(wrong)


def test_ad2_adagrad_lr_decay_and_G0():
    """The PyTorch options: eta_t = eta / (1 + (t-1) delta) and G_0 added to the sum."""
    delta, G0 = sp.symbols("delta G_0", positive=True)
    opt = Adagrad(lr=eta, eps=0, lr_decay=delta)
    s = opt.init(0)
    s = s._replace(G=G0)
    step, s = opt.update(g, s)
    check_equal(step, -eta * g / sp.sqrt(G0 + g ** 2))
    step, s = opt.update(g, s)
    check_equal(step, -eta / (1 + delta) * g / sp.sqrt(G0 + 2 * g ** 2))
    with pytest.raises(ProofError):
        check_equal(step, -eta / (1 + 2 * delta) * g / sp.sqrt(G0 + 2 * g ** 2))


# --- [AD-3] RMSprop on a constant gradient: step_t = -eta / sqrt(1 - gamma^t) ---------------

def rmsprop_steps(claim, n=4):
    opt = RMSprop(lr=eta, gamma=gamma, eps=0)
    s = opt.init(0)
    for t in range(1, n + 1):
        step, s = opt.update(g, s)
        check_equal(step, claim(t), f"t = {t}")


def test_ad3_rmsprop_constant_gradient():
    rmsprop_steps(lambda t: -eta / sp.sqrt(1 - gamma ** t))


@pytest.mark.parametrize("wrong", [lambda t: -eta, lambda t: -eta / (1 - gamma ** t),
                                   lambda t: -eta / sp.sqrt(1 - gamma ** (t + 1))])
def test_ad3_fails_on_a_changed_claim(wrong):
    with pytest.raises(ProofError):
        rmsprop_steps(wrong)


def test_ad2_adagrad_induction_for_every_t():
    """The lesson's proof: G_1 = g^2, and G_{t-1} = (t-1) g^2 maps to G_t = t g^2 and the step."""
    t = sp.Symbol("t", integer=True, positive=True)
    opt = Adagrad(lr=eta, eps=0)
    check_equal(opt.update(g, opt.init(0))[1].G, g ** 2)
    step, s = opt.rule(g, opt.State(t - 1, (t - 1) * g ** 2), t, eta, None)
    check_equal(s.G, t * g ** 2)
    check_equal(step, -eta / sp.sqrt(t))
    for wrong in (-eta / t, -eta / sp.sqrt(t + 1)):
        with pytest.raises(ProofError):
            check_equal(step, wrong)


def test_ad3_rmsprop_induction_for_every_t():
    """The same claim for a symbolic t: G_{t-1} = (1 - gamma^(t-1)) g^2 maps to the step."""
    t = sp.Symbol("t", integer=True, positive=True)
    opt = RMSprop(lr=eta, gamma=gamma, eps=0)
    step, s = opt.rule(g, opt.State(t - 1, (1 - gamma ** (t - 1)) * g ** 2), t, eta, None)
    check_equal(s.G, (1 - gamma ** t) * g ** 2)
    check_equal(step, -eta / sp.sqrt(1 - gamma ** t))
    with pytest.raises(ProofError):
        check_equal(s.G, (1 - gamma ** (t - 1)) * g ** 2)


# --- [AD-4] Adadelta's units argument ----------------------------------------------------

c, E, D, eps, rho = sp.symbols("c E D epsilon rho", positive=True)
gg = sp.Symbol("g", real=True)


def units(factor_adadelta, factor_sgd):
    dd = Adadelta(rho=rho, eps=eps)
    step_u = dd.update(gg, dd.State(t=3, Eg2=E, Edx2=D))[0].subs(eps, 0)
    step_w = dd.update(gg / c, dd.State(t=3, Eg2=E / c ** 2, Edx2=c ** 2 * D))[0].subs(eps, 0)
    check_equal(step_w, factor_adadelta * step_u, "Adadelta's step scales with the unit")
    sgd = SGD(lr=eta)
    check_equal(sgd.update(gg / c, sgd.init(0))[0], factor_sgd * sgd.update(gg, sgd.init(0))[0],
                "SGD's step scales inversely")


def test_ad4_units_argument():
    units(c, 1 / c)


@pytest.mark.parametrize("fa, fs", [(1, 1 / c), (1 / c, 1 / c), (c, c), (c ** 2, 1 / c)])
def test_ad4_fails_on_a_changed_claim(fa, fs):
    with pytest.raises(ProofError):
        units(fa, fs)


def test_ad4_units_argument_needs_eps_zero():
    """With eps > 0 the step is not exactly proportional to the unit (the lesson says so)."""
    dd = Adadelta(rho=rho, eps=eps)
    step_u = dd.update(gg, dd.State(t=3, Eg2=E, Edx2=D))[0]
    step_w = dd.update(gg / c, dd.State(t=3, Eg2=E / c ** 2, Edx2=c ** 2 * D))[0]
    with pytest.raises(ProofError):
        check_equal(step_w, c * step_u)


def test_ad4_first_step_set_by_eps():
    """|dx_1| = sqrt(eps) |g| / sqrt((1 - rho) g^2 + eps), as the lesson predicts."""
    dd = Adadelta(rho=rho, eps=eps)
    step = dd.update(g, dd.init(0))[0]
    check_equal(step, -sp.sqrt(eps) * g / sp.sqrt((1 - rho) * g ** 2 + eps))
    with pytest.raises(ProofError):
        check_equal(step, -sp.sqrt(eps) * g / sp.sqrt(g ** 2 + eps))


# --- [AD-2] study question: Adagrad's 1/sqrt(t) is outside the Robbins-Monro range -----------

def test_ad2_study_question_sums():
    k = sp.Symbol("k", integer=True, positive=True)
    assert sp.Sum(1 / sp.sqrt(k), (k, 1, sp.oo)).is_convergent() == False   # noqa: E712
    assert sp.Sum(1 / k, (k, 1, sp.oo)).is_convergent() == False            # noqa: E712
    assert sp.Sum(1 / k ** 2, (k, 1, sp.oo)).is_convergent() == True        # noqa: E712


# --- [AD-1] dividing by the RMS gradient is not Newton: the curvature cancels (issue 14) --------

H, W1, W2 = sp.symbols("h w_1 w_2", positive=True)


def rms_on_quadratic(h_value):
    """RMSprop (eps = 0) fed the gradients g_k = h w_k of two symbolic iterates."""
    opt = RMSprop(lr=eta, gamma=gamma, eps=0)
    s = opt.init(0)
    for wk in (W1, W2):
        step, s = opt.update(h_value * wk, s)
    return step, s


def curvature_claim(claim):
    step_h, s_h = rms_on_quadratic(H)
    step_1, s_1 = rms_on_quadratic(1)
    check_equal(s_h.G, H ** 2 * s_1.G, "G = h^2 times the mean square of w")
    check_equal(step_h, claim(step_1), "the step on the curvature-h quadratic")


def test_ad1_rms_step_does_not_depend_on_the_curvature():
    curvature_claim(lambda step_1: step_1)


@pytest.mark.parametrize("wrong", [lambda step_1: -W2,              # Newton's step
                                   lambda step_1: H * step_1,       # scales like gradient descent
                                   lambda step_1: step_1 / H])      # "divides by the curvature"
def test_ad1_curvature_claim_fails_when_changed(wrong):
    with pytest.raises(ProofError):
        curvature_claim(wrong)


def test_ad1_rmsprop_path_is_the_same_on_every_diagonal_quadratic():
    import numpy as np
    from course_lib.trace import minimize
    w0 = np.array([-4.0, 1.5])
    h = np.array([1.0, 50.0])
    narrow = minimize(RMSprop(lr=0.1, gamma=0.99, eps=0.0), lambda w: h * w, w0, 120).ws
    round_ = minimize(RMSprop(lr=0.1, gamma=0.99, eps=0.0), lambda w: w, w0, 120).ws
    np.testing.assert_allclose(narrow, round_, rtol=1e-9, atol=0)
    np.testing.assert_allclose(np.abs(narrow[1] - w0), 0.1 / np.sqrt(0.01), rtol=1e-12)
    gd = minimize(SGD(lr=2 / 51), lambda w: h * w, w0, 1).ws     # GD's first step: ratio h2|w2| / h1|w1|
    assert abs(gd[1, 1] - w0[1]) / abs(gd[1, 0] - w0[0]) == pytest.approx(18.75)


# --- [AD-4] only Adadelta has no learning rate (issue 14: the slides say otherwise) ------------

def lr_scales_the_step(cls, factor):
    step_of = lambda lr: cls(lr=lr, eps=0).update(g, cls(lr=lr, eps=0).init(0))[0]
    check_equal(step_of(2 * eta), factor * step_of(eta), f"{cls.__name__}")


@pytest.mark.parametrize("name", ["Adagrad", "RMSprop", "Adam", "AdaMax"])
def test_ad4_the_other_methods_have_a_learning_rate(name):
    import course_lib.optimizers as opts
    cls = getattr(opts, name)
    lr_scales_the_step(cls, 2)
    with pytest.raises(ProofError):            # "no learning rate": the step would not change
        lr_scales_the_step(cls, 1)


def test_ad4_adadelta_default_is_zeilers_method():
    import inspect
    assert inspect.signature(Adadelta.__init__).parameters["lr"].default == 1.0


# --- [AD-5] Rprop: PyTorch's iRprop-, and what minibatches do to it (issue 14) ------------------

def test_ad5_rprop_is_irprop_minus_not_backtracking():
    import numpy as np
    from course_lib.optimizers import Rprop
    opt = Rprop(lr=0.1)
    s = opt.init(np.zeros(1))
    step1, s = opt.update(np.array([1.0]), s)
    step2, s = opt.update(np.array([-1.0]), s)          # sign flip
    assert step1[0] == pytest.approx(-0.1)
    assert step2[0] == 0.0                              # skipped; backtracking would give +0.1
    assert s.g_prev[0] == 0.0 and s.delta[0] == pytest.approx(0.05)
    step3, s = opt.update(np.array([-1.0]), s)          # after the skip: no shrink, no growth
    assert s.delta[0] == pytest.approx(0.05) and step3[0] == pytest.approx(0.05)


def rprop_least_squares(batch, seeds=range(5), T=200, n=1000):
    import numpy as np
    from course_lib.optimizers import Rprop
    S = len(seeds)
    X, y, w_ls = np.zeros((S, n, 5)), np.zeros((S, n)), np.zeros((S, 5))
    for i, sd in enumerate(seeds):
        r = np.random.default_rng(sd)
        X[i] = r.normal(size=(n, 5)) * np.array([1.0, 2.0, 0.5, 3.0, 1.5])
        y[i] = X[i] @ r.normal(size=5) + 0.5 * r.normal(size=n)
        w_ls[i] = np.linalg.lstsq(X[i], y[i], rcond=None)[0]
    loss = lambda w: 0.5 * np.mean((np.einsum("snd,sd->sn", X, w) - y) ** 2, axis=1)
    r, rows_s = np.random.default_rng(100 + batch), np.arange(S)[:, None]
    opt = Rprop(lr=0.01)
    w = np.zeros((S, 5)); s = opt.init(w)
    excess, delta = np.zeros((S, T)), np.zeros((S, T))
    for k in range(T):
        if batch < n:
            rows = r.integers(0, n, (S, batch))
            Xb, yb = X[rows_s, rows], y[rows_s, rows]
        else:
            Xb, yb = X, y
        gr = np.einsum("sbd,sb->sd", Xb, np.einsum("sbd,sd->sb", Xb, w) - yb) / yb.shape[1]
        step, s = opt.update(gr, s)
        w = w + step
        excess[:, k], delta[:, k] = loss(w) - loss(w_ls), np.median(s.delta, axis=1)
    return excess, delta


def test_ad5_minibatch_rprop_collapses_before_the_minimum():
    import numpy as np
    res = {b: rprop_least_squares(b) for b in (1000, 100, 10)}
    for b, (excess, delta) in res.items():
        assert np.all(delta[:, -1] <= 1e-5)                             # every run collapses
        assert np.all(np.argmax(delta <= 1e-5, axis=1) < 150)
    assert np.all(res[1000][0][:, -1] < 1e-10)                          # the full batch converged
    assert np.all(res[100][0][:, -1] > 1e-4) and np.all(res[10][0][:, -1] > 1e-3)
    assert res[10][0][:, -1].mean() > 5 * res[100][0][:, -1].mean()
    for b in (100, 10):                                                 # frozen from t = 100 on
        assert res[b][0][:, -1].mean() > 0.4 * res[b][0][:, 99].mean()


# --- review: how long RMSprop needs to recover after the gradients drop from 10 to 0.1 -----------

def test_ad3_rmsprop_recovery_takes_log_ratio_windows():
    import numpy as np
    gam = 0.9
    opt = RMSprop(lr=0.1, gamma=gam, eps=0.0)
    s = opt.init(np.zeros(1))
    eff = []
    for gt in [10.0] * 100 + [0.1] * 100:
        step, s = opt.update(np.array([gt]), s)
        eff.append(-step[0] / gt)
    half = int(np.argmax(np.array(eff[100:]) >= 0.5)) + 1
    assert half == 77
    assert 60 < half < np.log(1e4) / (1 - gam)
    assert half > 3 / (1 - gam)             # "within a few windows" (3 x 10 updates) is wrong


def test_ad4_adadelta_does_not_settle_in_other_settings():
    import numpy as np
    from course_lib.trace import minimize
    h = np.array([1.0, 50.0])
    for rho, eps_v in ((0.9, 1e-6), (0.95, 1e-4)):
        d = np.linalg.norm(minimize(Adadelta(rho=rho, eps=eps_v), lambda w: h * w,
                                    np.array([-4.0, 1.5]), 1500).ws, axis=1)
        assert d[-1] > max(1e-2, 1.2 * d.min())
    d = np.linalg.norm(minimize(Adadelta(rho=0.9, eps=1e-2, lr=lambda t: 0.99 ** t), lambda w: h * w,
                                np.array([-4.0, 1.5]), 600).ws, axis=1)
    assert d[-1] < 1e-10                    # the check can fail: a decaying factor does settle
