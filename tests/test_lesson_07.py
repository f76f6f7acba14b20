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
