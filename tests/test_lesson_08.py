"""Lesson 08's symbolic claims, run on the library's code, and each one shown to fail when
its formula is changed; plus the lesson's measured claims in small form, and the poll."""
import numpy as np
import pytest
import sympy as sp

from course_lib.averages import debias, running_average, running_averages
from course_lib.optimizers import SGD, AMSGrad, AdaMax, Adam, AdamW
from course_lib.polls import POLLS
from course_lib.proofs import (ProofError, check_equal, check_true, coefficient, limit_for_decay,
                               solve_for)

B1, B2, eta = sp.symbols("beta_1 beta_2 eta", positive=True)
g = sp.Symbol("g", positive=True)
t = sp.Symbol("t", integer=True, positive=True)
ADAM = Adam(lr=eta, beta1=B1, beta2=B2, eps=0)


# --- [AM-2] the weights of m_t and v_t sum to 1 - beta^t --------------------------------------

def weight_sums(claim_m, claim_v, n=6):
    gs = sp.symbols(f"g_1:{n + 1}")
    s = ADAM.init(0)
    for k, gk in enumerate(gs, start=1):
        _, s = ADAM.update(gk, s)
        check_equal(sum(coefficient(s.m, gs[i]) for i in range(k)), claim_m(k), f"m, t = {k}")
        check_equal(sum(coefficient(s.v, gs[i] ** 2) for i in range(k)), claim_v(k), f"v, t = {k}")
        check_equal(coefficient(s.m, gs[0]), (1 - B1) * B1 ** (k - 1), "weight of g_1")
        check_equal(s.m, sum((1 - B1) * B1 ** (k - i) * gs[i - 1] for i in range(1, k + 1)),
                    "m_t unrolled")


def test_am2_weight_sums():
    weight_sums(lambda k: 1 - B1 ** k, lambda k: 1 - B2 ** k)


@pytest.mark.parametrize("cm, cv", [
    (lambda k: 1 - B1 ** (k + 1), lambda k: 1 - B2 ** k),     # t starting at 0
    (lambda k: 1, lambda k: 1 - B2 ** k),                      # "already an average"
    (lambda k: 1 - B1 ** k, lambda k: 1 - B1 ** k),            # v with the wrong beta
])
def test_am2_weight_sums_fail_when_changed(cm, cv):
    with pytest.raises(ProofError):
        weight_sums(cm, cv)


def induction(claim_m, claim_v):
    check_equal(claim_m(0), 0, "m_0 = 0 carries no weight")
    check_equal(claim_v(0), 0, "v_0 = 0 carries no weight")
    check_equal(running_average(claim_m(t - 1), 1, B1), claim_m(t), "weight sum of m_t")
    check_equal(running_average(claim_v(t - 1), 1, B2), claim_v(t), "weight sum of v_t")


def test_am2_induction_for_every_t():
    induction(lambda k: 1 - B1 ** k, lambda k: 1 - B2 ** k)
    with pytest.raises(ProofError):
        induction(lambda k: 1 - B1 ** (k - 1), lambda k: 1 - B2 ** k)
    with pytest.raises(ProofError):
        induction(lambda k: 1 - B1 ** k, lambda k: B2 ** k)


def constant_gradient_step(m_prev, v_prev):
    step, _ = ADAM.rule(g, ADAM.State(t - 1, m_prev, v_prev), t, eta, None)
    return step


def test_am2_corrected_step_on_a_constant_gradient_is_eta():
    check_equal(constant_gradient_step((1 - B1 ** (t - 1)) * g, (1 - B2 ** (t - 1)) * g ** 2), -eta)
    with pytest.raises(ProofError):    # a state that is not what Adam reaches
        check_equal(constant_gradient_step(g, g ** 2), -eta)


def test_am2_wrong_correction_fails():
    check_equal(debias(running_averages([g] * 3, B1)[-1], B1, 3), g)
    with pytest.raises(ProofError):
        check_equal(running_averages([g] * 3, B1)[-1] / (1 - B1 ** 2), g)


def test_am1_first_step_exactly_eta_and_uncorrected_ratio():
    g1 = np.array([3.0, -0.02])
    step, s = Adam(lr=0.1, eps=0.0).update(g1, Adam().init(np.zeros(2)))
    assert s.t == 1
    np.testing.assert_allclose(step, -0.1 * np.sign(g1), rtol=1e-15)
    raw = -0.1 * s.m / np.sqrt(s.v)
    np.testing.assert_allclose(raw / step, 0.1 / np.sqrt(1e-3))


def test_am1_zero_start_bias_measured():
    rng = np.random.default_rng(0)
    mu, n = 0.5, 4000
    opt = Adam(beta1=0.9, beta2=0.99)
    s = opt.init(np.zeros(n))
    for k in range(1, 31):
        _, s = opt.update(rng.normal(mu, 1.0, size=n), s)
        if k in (1, 5, 30):
            assert s.m.mean() == pytest.approx((1 - 0.9 ** k) * mu, abs=0.04)
            assert s.v.mean() == pytest.approx((1 - 0.99 ** k) * 1.25, rel=0.08)
            assert debias(s.v, 0.99, k).mean() == pytest.approx(1.25, rel=0.08)


# --- [AM-3] m-hat as a running average with gamma_t --------------------------------------------

M, g_t = sp.symbols("M g_t")
GAMMA_T = B1 * (1 - B1 ** (t - 1)) / (1 - B1 ** t)


def mhat_claim(gamma_t):
    check_equal(debias(running_average(M, g_t, B1), B1, t),
                running_average(debias(M, B1, t - 1), g_t, gamma_t), "m-hat_t")


def test_am3_gamma_t():
    mhat_claim(GAMMA_T)
    check_equal(GAMMA_T.subs(t, 1), 0)
    check_equal(GAMMA_T.subs(t, 2), B1 / (1 + B1))
    check_equal(limit_for_decay(GAMMA_T, t, B1), B1)          # for every 0 < beta1 < 1


def test_am3_gamma_t_read_off_the_library_as_the_lesson_does():
    """The lesson's check cell: the weight of m-hat_{t-1} in the library's m-hat_t, and its limit."""
    Mh = sp.Symbol("Mh")
    gamma_lib = coefficient(debias(running_average((1 - B1 ** (t - 1)) * Mh, g_t, B1), B1, t), Mh)
    check_equal(gamma_lib, GAMMA_T)
    check_equal(limit_for_decay(gamma_lib, t, B1), B1)
    with pytest.raises(ProofError):                            # not 1, not beta1^2
        check_equal(limit_for_decay(gamma_lib, t, B1), 1)
    with pytest.raises(ProofError):
        check_equal(limit_for_decay(gamma_lib, t, B1), B1 ** 2)


@pytest.mark.parametrize("wrong", [B1, B1 * (1 - B1 ** t) / (1 - B1 ** (t + 1)),
                                   (1 - B1 ** (t - 1)) / (1 - B1 ** t), (t - 1) / t])
def test_am3_fails_for_another_gamma(wrong):
    with pytest.raises(ProofError):
        mhat_claim(wrong)


def test_am3_numeric_running_average_equals_adam_mhat():
    rng = np.random.default_rng(1)
    gs = rng.normal(size=50)
    opt = Adam(beta1=0.8)
    s = opt.init(np.zeros(1))
    mh = []
    for k, gk in enumerate(gs, start=1):
        _, s = opt.update(np.array([gk]), s)
        mh.append(debias(s.m[0], 0.8, k))
    gam = lambda k: 0.8 * (1 - 0.8 ** (k - 1)) / (1 - 0.8 ** k)
    np.testing.assert_allclose(running_averages(gs, gam), mh, rtol=1e-12)
    assert not np.allclose(running_averages(gs, 0.8), mh, rtol=1e-3)


# --- [AM-4] the spike step and AdaMax ------------------------------------------------------

def test_am4_spike_after_silence_formula():
    """Zero gradients for t-1 steps, then G: |step| = eta (1-b1)/sqrt(1-b2) sqrt(1-b2^t)/(1-b1^t)."""
    G = sp.Symbol("G", positive=True)
    step, _ = ADAM.rule(G, ADAM.State(t - 1, 0, 0), t, eta, None)
    claim = -eta * (1 - B1) / sp.sqrt(1 - B2) * sp.sqrt(1 - B2 ** t) / (1 - B1 ** t)
    # both sides are negative; compare squares (sympy cannot split the root of a quotient
    # without knowing the signs of 1 - beta2 and 1 - beta2^t)
    check_equal(step ** 2, claim ** 2)
    with pytest.raises(ProofError):
        check_equal(step ** 2, (eta * (1 - B1) / sp.sqrt(1 - B2)) ** 2)
    spikes = [5, 100, 3000]
    opt = Adam(lr=1.0, eps=0.0)
    s = opt.init(np.zeros(3))
    out = np.zeros(3)
    with np.errstate(invalid="ignore"):
        for k in range(1, max(spikes) + 1):
            st, s = opt.update(np.where(np.array(spikes) == k, 7.0, 0.0), s)
            out = np.where(np.array(spikes) == k, -st, out)
    pred = [float(-claim.subs({eta: 1, B1: 0.9, B2: 0.999, t: k})) for k in spikes]
    np.testing.assert_allclose(out, pred, rtol=1e-10)


A_B2 = sp.Symbol("b", positive=True)            # beta2 = 1/(1 + b) lies in (0, 1)
ADAMAX = AdaMax(lr=eta, beta1=B1, beta2=1 / (1 + A_B2), eps=0)


def adamax_constant(u_claim, step_claim):
    check_equal(ADAMAX.update(g, ADAMAX.init(0))[1].u, u_claim(1), "u_1")
    step, s = ADAMAX.rule(g, ADAMAX.State(t - 1, (1 - B1 ** (t - 1)) * g, u_claim(t - 1)),
                          t, eta, None)
    check_equal(s.u, u_claim(t), "u_t")
    check_equal(step, step_claim, "step")


def test_am4_adamax_needs_no_correction_of_u():
    adamax_constant(lambda k: g, -eta)


@pytest.mark.parametrize("u_claim, step_claim", [
    (lambda k: (1 - (1 / (1 + A_B2)) ** k) * g, -eta),     # "u is biased like v"
    (lambda k: g, -eta / (1 - B1 ** t)),                    # m not corrected
])
def test_am4_adamax_fails_when_changed(u_claim, step_claim):
    with pytest.raises(ProofError):
        adamax_constant(u_claim, step_claim)


def test_am4_adamax_is_the_p_norm_limit():
    rng = np.random.default_rng(2)
    gs = rng.standard_t(3, size=100)
    opt = AdaMax(beta2=0.99, eps=0.0)
    s = opt.init(np.zeros(1))
    for gk in gs:
        _, s = opt.update(np.array([gk]), s)
    ages = np.arange(len(gs) - 1, -1, -1)
    assert s.u[0] == pytest.approx(np.max(0.99 ** ages * np.abs(gs)), rel=1e-14)
    p = 400
    logs = p * ages * np.log(0.99) + p * np.log(np.abs(gs))
    top = logs.max()
    norm_p = np.exp((np.log1p(-0.99 ** p) + top + np.log(np.exp(logs - top).sum())) / p)
    assert norm_p == pytest.approx(s.u[0], rel=0.01)


# --- [AM-5] Reddi, Kale and Kumar's counterexample ------------------------------------------

C = sp.Symbol("C", positive=True)
VA, VB, VC = sp.symbols("v_a v_b v_c", positive=True)


def periodic_v():
    b2 = 1 / (1 + C ** 2)
    return sp.solve([sp.Eq(VA, running_average(VC, C ** 2, b2)), sp.Eq(VB, running_average(VA, 1, b2)),
                     sp.Eq(VC, running_average(VB, 1, b2))], [VA, VB, VC], dict=True)[0]


def test_am5_periodic_v_and_drift():
    fx = periodic_v()
    den = C ** 4 + 3 * C ** 2 + 3
    check_equal(fx[VA], (C ** 6 + 2 * C ** 4 + 2 * C ** 2 + 2) / den)
    check_equal(fx[VB], (2 * C ** 4 + 3 * C ** 2 + 2) / den)
    check_equal(fx[VC], (C ** 4 + 4 * C ** 2 + 2) / den)
    D = -C / sp.sqrt(fx[VA]) + 1 / sp.sqrt(fx[VB]) + 1 / sp.sqrt(fx[VC])
    check_true(D.subs(C, 3) > 0)
    check_equal(sp.limit(D, C, sp.oo), sp.sqrt(2) / 2)
    d = sp.Symbol("d", positive=True)
    check_true(((2 - C) / sp.sqrt(fx[VA])).subs(C, 2 + d) < 0)
    with pytest.raises(ProofError):
        check_equal(fx[VA], C ** 2)
    with pytest.raises(ProofError):
        check_true(D.subs(C, 3) < 0)
    with pytest.raises(ProofError):      # the drift is negative only below C = 2 ... not above
        check_true(((2 - C) / sp.sqrt(fx[VA])).subs(C, 2 + d) > 0)


def online_run(opt, Cv, T):
    x = np.array([0.0])
    s = opt.init(x)
    xs, regret = [0.0], 0.0
    for k in range(1, T + 1):
        gk = Cv if k % 3 == 1 else -1.0
        regret += gk * x[0] - gk * -1.0
        step, s = opt.update(np.array([gk]), s, x)
        x = np.clip(x + step, -1.0, 1.0)
        xs.append(x[0])
    return np.array(xs), regret / T


def test_am5_adam_goes_to_plus_one_amsgrad_to_minus_one():
    lr = lambda k: 0.1 / np.sqrt(k)
    xa, ra = online_run(Adam(lr=lr, beta1=0.0, beta2=0.1, eps=1e-12), 3.0, 2400)
    xm, rm = online_run(AMSGrad(lr=lr, beta1=0.0, beta2=0.1, eps=1e-12), 3.0, 2400)
    assert xa[-3:].min() > 0.99 and xm[-3:].max() < -0.99
    # average regret: parked at x = +1, each period of three costs 2C - 4 against x* = -1,
    # so Adam's average tends to (2C - 4)/3 = 2/3 at C = 3; AMSGrad's tends to 0
    _, ra_half = online_run(Adam(lr=lr, beta1=0.0, beta2=0.1, eps=1e-12), 3.0, 1200)
    _, rm_half = online_run(AMSGrad(lr=lr, beta1=0.0, beta2=0.1, eps=1e-12), 3.0, 1200)
    adam_late = (2400 * ra - 1200 * ra_half) / 1200           # steps 1201..2400
    amsgrad_late = (2400 * rm - 1200 * rm_half) / 1200
    assert abs(adam_late - 2 / 3) < 0.01, adam_late
    assert abs(amsgrad_late) < 0.02, amsgrad_late
    assert ra > 0.6 and rm < 0.1 and rm_half > rm      # AMSGrad's average keeps falling
    x_long, _ = online_run(Adam(lr=lr, beta1=0.0, beta2=0.999, eps=1e-12), 3.0, 3000)
    assert x_long[-1] < -0.99


# --- [AM-6] AdamW against L2 -----------------------------------------------------------------

lam, w, eps = sp.symbols("lambda w epsilon", positive=True)


def decoupling_claims(adamw_decay, l2_zero_grad_step):
    g1, g2 = sp.symbols("g_1 g_2", real=True)
    sgd = SGD(lr=eta)
    check_equal(sgd.update(g1 + lam * w, sgd.init(w), w)[0], -eta * lam * w - eta * g1, "SGD")
    aw = AdamW(lr=eta, beta1=B1, beta2=B2, eps=eps, weight_decay=lam)
    plain = Adam(lr=eta, beta1=B1, beta2=B2, eps=eps)
    sw, sp_ = aw.init(w), plain.init(w)
    for gk in (g1, g2):
        step_w, sw = aw.update(gk, sw, w)
        step_p, sp_ = plain.update(gk, sp_, w)
        check_equal(step_w, adamw_decay + step_p, "AdamW = decay + Adam")
    l2 = Adam(lr=eta, beta1=B1, beta2=B2, eps=0, weight_decay=lam)
    check_equal(l2.update(g, l2.init(w), w)[0].subs(g, 0), l2_zero_grad_step, "Adam + L2")


def test_am6_decoupled_decay():
    decoupling_claims(-eta * lam * w, -eta)


@pytest.mark.parametrize("decay, l2", [(-eta * lam * w, -eta * lam * w), (-lam * w, -eta),
                                       (0, -eta)])
def test_am6_fails_when_changed(decay, l2):
    with pytest.raises(ProofError):
        decoupling_claims(decay, l2)


def test_am6_measured():
    from course_lib.trace import minimize
    grad_w = lambda wv: np.array([0.0, 50.0 * (wv[1] - 3.0)])
    T, tt = 1500, np.arange(1501)
    res = {}
    for l in (0.1, 1.0):
        res["W", l] = minimize(AdamW(lr=0.01, weight_decay=l), grad_w, np.array([1.0, 0.0]), T).ws
        res["L", l] = minimize(Adam(lr=0.01, weight_decay=l), grad_w, np.array([1.0, 0.0]), T).ws
        np.testing.assert_allclose(res["W", l][:, 0], (1 - 0.01 * l) ** tt, rtol=1e-12)
        assert res["L", l][-1, 1] == pytest.approx(150 / (50 + l), abs=1e-6)
    np.testing.assert_allclose(res["L", 0.1][:, 0], res["L", 1.0][:, 0], atol=1e-6)
    assert 0.95 < res["W", 1.0][-1, 1] <= 1.0 and 2.8 < res["W", 0.1][-1, 1] < 3


def test_am6_adamw_reaches_its_limit_only_slowly():
    """Issue 16: AdamW's dashed line at min(3, 1/lambda) is a limit, not where the run ends."""
    from course_lib.trace import minimize
    grad_w = lambda wv: np.array([0.0, 50.0 * (wv[1] - 3.0)])
    ws = minimize(AdamW(lr=0.01, weight_decay=0.1), grad_w, np.array([1.0, 0.0]), 10000).ws
    assert [round(ws[k, 1], 3) for k in (1500, 3000, 10000)] == [2.801, 2.907, 2.996]
    assert np.all(np.diff(ws[1500:, 1]) > -1e-9) and ws[-1, 1] < 3    # creeping up, from below


def test_am6_no_decay_no_motion_of_the_ignored_weight():
    """Issue 16: with lambda = 0 the ignored weight stays at 1 under Adam + L2 (no 1 - eta t)."""
    from course_lib.trace import minimize
    grad_w = lambda wv: np.array([0.0, 50.0 * (wv[1] - 3.0)])
    ws = minimize(Adam(lr=0.01, weight_decay=0.0), grad_w, np.array([1.0, 0.0]), 20).ws
    np.testing.assert_array_equal(ws[:, 0], 1.0)


# --- [POLL-4] ------------------------------------------------------------------------------------

def test_poll4_names_the_velocity_and_the_second_moment_apart():
    """Issue 16: V_t (velocity) and v_t (Adam's second moment) are told apart in words, and
    the lesson's symbol box lists G_t (and V_t, M_t) that the poll uses."""
    text = " ".join(s.text + " " + s.why for s in POLLS["POLL-4"].statements)
    assert "velocity V_t" in text and "second moment v_t" in text
    assert re.search(r"notation_box\(.*\"G\"", text_of(cells_of("08_adam.ipynb")[3]))


def test_poll4_answers():
    q = POLLS["POLL-4"]
    key = [s.true for s in q.statements]
    assert 2 <= key.count(False) <= len(key) - 2          # not recall only: false ones among true
    assert q.grade(key).score == len(key)
    assert q.grade([True] * len(key)).wrong == [i for i, k in enumerate(key) if not k]
    assert all(s.why for s in q.statements)


# --- [AM-4] the true supremum of Adam's step (Cauchy-Schwarz), attained by growing gradients ----

def cs_bound(b1, b2, t_, r=None):
    r = b1 ** 2 / b2 if r is None else r
    return (1 - b1) / (1 - b1 ** t_) * sp.sqrt((1 - b2 ** t_) * (1 - r ** t_) / ((1 - b2) * (1 - r)))


def extremal_claim(bound, ratio=B1 / B2, n=3):
    G = sp.Symbol("G", positive=True)
    opt = Adam(lr=1, beta1=B1, beta2=B2, eps=0)
    for T in range(1, n + 1):
        s = opt.init(0)
        for k in range(1, T + 1):
            step, s = opt.update(G * ratio ** (T - k), s)
        check_equal(step ** 2, bound(T) ** 2, f"t = {T}")


def test_am4_extremal_sequence_attains_the_cauchy_schwarz_bound():
    extremal_claim(lambda T: cs_bound(B1, B2, T))


@pytest.mark.parametrize("bound, ratio", [
    (lambda T: (1 - B1) / sp.sqrt(1 - B2), B1 / B2),                  # the paper's bound
    (lambda T: cs_bound(B1, B2, T, r=B1 / B2), B1 / B2),              # r without the square
    (lambda T: cs_bound(B1, B2, T), B1),                              # another sequence
])
def test_am4_bound_claims_fail_when_changed(bound, ratio):
    with pytest.raises(ProofError):
        extremal_claim(bound, ratio)


def test_am4_measured_extremal_step_exceeds_the_papers_bound():
    b1, b2, t_ = 0.9, 0.999, 3000
    gs = np.maximum((b1 / b2) ** (t_ - np.arange(1, t_ + 1)), 1e-150)[:, None]
    opt = Adam(lr=1.0, eps=0.0)
    s = opt.init(np.zeros(1))
    for gk in gs:
        step, s = opt.update(gk, s)
    assert abs(step[0]) == pytest.approx(float(cs_bound(b1, b2, t_)), rel=1e-9)
    assert abs(step[0]) > 2 * (1 - b1) / np.sqrt(1 - b2)


# --- issue 14: where eps sits in TensorFlow/Keras's Adam -------------------------------------

def tf_form_claim(eps_in_torch_form):
    m, v, e, tt, c2 = sp.symbols("m v epsilon t c_2", positive=True)
    tf_form = eta * sp.sqrt(1 - B2 ** tt) / (1 - B1 ** tt) * m / (sp.sqrt(v) + e)
    torch_form = eta * debias(m, B1, tt) / (sp.sqrt(debias(v, B2, tt)) + eps_in_torch_form(e, tt))
    name = {B2 ** tt: 1 - c2}
    check_equal(tf_form.subs(name), torch_form.subs(name), "TF/Keras Adam in PyTorch's form")


def test_am1_tensorflow_eps_is_torch_eps_over_root_of_correction():
    tf_form_claim(lambda e, tt: e / sp.sqrt(1 - B2 ** tt))
    with pytest.raises(ProofError):
        tf_form_claim(lambda e, tt: e)                           # "the same epsilon"
    with pytest.raises(ProofError):
        tf_form_claim(lambda e, tt: e * sp.sqrt(1 - B2 ** tt))


# --- issue 14: the extremal sequence grows by beta2/beta1; whose condition is which ----------

def test_am4_extremal_sequence_grows_by_beta2_over_beta1():
    G = sp.Symbol("G", positive=True)
    seq = lambda k, T: G * (B1 / B2) ** (T - k)
    check_equal(seq(3, 3) / seq(2, 3), B2 / B1)
    with pytest.raises(ProofError):
        check_equal(seq(3, 3) / seq(2, 3), B1 / B2)


def test_am4_kingma_ba_condition_is_weaker_than_the_bound_needs():
    b1, b2 = 0.9, 0.7
    assert b1 ** 2 / np.sqrt(b2) < 1            # Kingma and Ba's assumption holds
    assert b1 >= np.sqrt(b2)                    # Reddi et al.'s beta1 < sqrt(beta2) does not
    bounds = [float(cs_bound(b1, b2, k)) for k in (10, 100, 200)]
    assert bounds[0] < bounds[1] < bounds[2] and bounds[2] > 1e3    # no finite bound on the step


# --- issue 14: AMSGrad's corrected effective step can grow ---------------------------------------

def amsgrad_effective_steps(lr, T=3000, b2=0.999):
    opt = AMSGrad(lr=lr, beta1=0.0, beta2=b2, eps=0.0)
    s = opt.init(np.zeros(1))
    out = np.zeros(T)
    for k in range(T):
        gk = 1.0 if k == 0 else 0.01
        step, s = opt.update(np.array([gk]), s)
        out[k] = -step[0] / gk
    return out


def test_am5_amsgrad_corrected_step_grows_for_a_constant_eta():
    eff = amsgrad_effective_steps(1e-3)
    tt = np.arange(1, 3001)
    np.testing.assert_allclose(eff, 1e-3 * np.sqrt((1 - 0.999 ** tt) / (1 - 0.999)), rtol=1e-12)
    assert eff[-1] / eff[0] == pytest.approx(30.8, abs=0.05)
    sched = amsgrad_effective_steps(lambda k: 1e-3 / np.sqrt(k))
    assert np.all(np.diff(sched) <= 0)


def amsgrad_monotone_claim(eta_t):
    """The t-derivative of the squared corrected effective step (v_max fixed) is <= 0."""
    x, tc, V = sp.symbols("x t V", positive=True)
    eff_sq = eta_t(tc) ** 2 / debias(V, sp.exp(-x), tc)
    y = sp.Symbol("y", positive=True)
    phi = (1 + y) * sp.exp(-y) - 1
    if eta_t(tc) == 1:
        check_true(sp.diff(eff_sq, tc) <= 0, "constant eta")
    else:
        check_equal(sp.diff(eff_sq, tc) * tc ** 2 * V, phi.subs(y, x * tc))
        check_equal(phi.subs(y, 0), 0)
        check_equal(sp.diff(phi, y), -y * sp.exp(-y))
        check_true(sp.diff(phi, y) < 0)


def test_am5_amsgrad_step_shrinks_under_alpha_over_sqrt_t():
    amsgrad_monotone_claim(lambda tc: 1 / sp.sqrt(tc))


def test_am5_amsgrad_step_claim_fails_for_a_constant_eta():
    with pytest.raises(ProofError):
        amsgrad_monotone_claim(lambda tc: sp.Integer(1))


# --- issue 14: Wilson et al. (2017): same training fit, worse generalization ------------------

def wilson_data(r, n, p=0.6, d=None):
    y = np.where(r.random(n) < p, 1.0, -1.0)
    X = np.zeros((n, 3 + 5 * n if d is None else d))
    X[:, 0], X[:, 1:3] = y, 1.0
    if d is None:
        for i in range(n):
            X[i, 3 + 5 * i: 3 + 5 * i + (1 if y[i] > 0 else 5)] = 1.0
    return X, y


def fit(opt, X, y, T=300):
    w = np.zeros(X.shape[1]); s = opt.init(w)
    for _ in range(T):
        step, s = opt.update(X.T @ (X @ w - y) / len(y), s)
        w = w + step
    return w


def test_am5_wilson_adam_fits_but_generalizes_worse():
    for seed in range(5):
        r = np.random.default_rng(seed)
        X, y = wilson_data(r, 20)
        Xn, yn = wilson_data(r, 1000, d=X.shape[1])
        w_gd, w_adam = fit(SGD(lr=0.5), X, y), fit(Adam(lr=0.05), X, y)
        for w_ in (w_gd, w_adam):
            assert 0.5 * np.mean((X @ w_ - y) ** 2) < 1e-10
        np.testing.assert_allclose(w_gd, np.linalg.pinv(X) @ y, atol=1e-8)
        assert np.mean(np.sign(Xn @ w_gd) != yn) == 0
        assert np.mean(np.sign(Xn @ w_adam) != yn) == pytest.approx(np.mean(yn < 0))
        assert np.mean(yn < 0) > 0.3


# --- review: uncorrected Adam steps are too LARGE for the default betas (the slides say tiny) ----

def uncorrected_ratio(b1, b2, T):
    """eta m_t / sqrt(v_t) / eta on a constant gradient, read from the library's Adam state."""
    opt = Adam(beta1=b1, beta2=b2)
    s = opt.init(np.zeros(1))
    out = []
    for _ in range(T):
        _, s = opt.update(np.array([2.0]), s)
        out.append(s.m[0] / np.sqrt(s.v[0]))
    return np.array(out)


def test_am1_uncorrected_steps_too_large_for_default_betas():
    r = uncorrected_ratio(0.9, 0.999, 40)
    tc = np.arange(1, 41)
    np.testing.assert_allclose(r, (1 - 0.9 ** tc) / np.sqrt(1 - 0.999 ** tc), rtol=1e-12)
    assert r.argmax() + 1 == 12 and 6.5 < r.max() < 6.7
    with pytest.raises(AssertionError):          # the slides' claim: "tiny" (below eta) early on
        assert np.all(r[:20] < 1)
    small = uncorrected_ratio(0.99, 0.999, 5)    # 1 - beta1 < sqrt(1 - beta2): tiny first steps
    assert np.all(small < 1)


def test_am4_supremum_is_not_a_few_eta_for_every_beta():
    sup = lambda b1, b2: (1 - b1) / np.sqrt((1 - b2) * (1 - b1 ** 2 / b2))
    assert sup(0.9, 0.999) == pytest.approx(7.27, abs=0.005)
    assert sup(0.9, 0.9999) > 20
    assert float(cs_bound(0.9, 0.9999, 200000)) == pytest.approx(sup(0.9, 0.9999), rel=1e-6)


def test_am5_wilson_mean_test_error_quoted():
    errs = []
    for seed in range(5):
        r = np.random.default_rng(seed)
        X, y = wilson_data(r, 20)
        Xn, yn = wilson_data(r, 1000, d=X.shape[1])
        errs.append(np.mean(np.sign(Xn @ fit(Adam(lr=0.05), X, y)) != yn))
    assert round(float(np.mean(errs)), 2) == 0.41


# --- issue 16: the two biases cancel on the first step when beta2 = 1 - (1 - beta1)^2 ----------

def uncorrected_first_step_claim(beta2_of):
    """The library's uncorrected first step eta m_1 / sqrt(v_1) is -eta at beta2 = beta2_of(beta1)."""
    a, g1 = sp.symbols("a g_1", positive=True)        # a = 1 - beta1 > 0
    opt = Adam(lr=eta, beta1=B1, beta2=B2, eps=0)
    _, s = opt.update(g1, opt.init(0))
    uncorrected = -eta * s.m / sp.sqrt(s.v)
    check_equal(uncorrected, -eta * (1 - B1) / sp.sqrt(1 - B2), "uncorrected first step")
    check_equal(uncorrected.subs({B1: 1 - a, B2: beta2_of(1 - a)}), -eta, "the biases cancel")


def test_am1_biases_cancel_on_the_first_step():
    uncorrected_first_step_claim(lambda b1: 1 - (1 - b1) ** 2)
    check_equal(solve_for(sp.Eq((1 - B1) / sp.sqrt(1 - B2), 1), B2), 1 - (1 - B1) ** 2)
    assert 1 - (1 - sp.Rational(9, 10)) ** 2 == sp.Rational(99, 100)


@pytest.mark.parametrize("beta2_of", [lambda b1: b1, lambda b1: b1 ** 2, lambda b1: 1 - (1 - b1) / 2])
def test_am1_biases_cancel_claim_fails_for_another_beta2(beta2_of):
    with pytest.raises(ProofError):
        uncorrected_first_step_claim(beta2_of)


def test_am1_biases_cancel_measured_first_step_only():
    opt = Adam(lr=0.1, beta1=0.9, beta2=0.99, eps=0.0)
    s = opt.init(np.zeros(2))
    g1 = np.array([3.0, -0.02])
    _, s = opt.update(g1, s)
    np.testing.assert_allclose(-0.1 * s.m / np.sqrt(s.v), -0.1 * np.sign(g1), rtol=1e-12)
    _, s = opt.update(g1, s)                          # second step on the same gradient: not eta
    ratio = np.abs(s.m / np.sqrt(s.v))
    np.testing.assert_allclose(ratio, 0.19 / np.sqrt(1 - 0.99 ** 2), rtol=1e-12)
    assert np.all(np.round(ratio, 3) == 1.347)
    default = Adam(lr=0.1, eps=0.0)                   # beta2 = 0.999: no cancellation
    _, s = default.update(g1, default.init(np.zeros(2)))
    assert not np.allclose(np.abs(s.m / np.sqrt(s.v)), 1)


# --- issue 16: the study question [AM-2], answer as the lesson computes it ------------------------

def steps_until_faded(beta, within=0.01):
    return int(np.ceil(np.log(within / (1 + within)) / np.log(beta)))


def test_am2_correction_fades_after_4613_and_44_steps():
    assert (steps_until_faded(0.999), steps_until_faded(0.9)) == (4613, 44)
    for beta in (0.999, 0.9, 0.99, 0.8):
        k = steps_until_faded(beta)
        assert 1 / (1 - beta ** k) < 1.01 <= 1 / (1 - beta ** (k - 1))


# --- issue 16: the lesson's shape: core path, companion deep dive, settings, Sources -----------

import json     # noqa: E402
import pathlib  # noqa: E402
import re       # noqa: E402

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / "notebooks"


def cells_of(name):
    return json.loads((NOTEBOOKS / name).read_text())["cells"]


def text_of(cell):
    return "".join(cell["source"])


@pytest.mark.parametrize("name", ["08_adam.ipynb", "08b_adam_deep_dive.ipynb"])
def test_notebook_shape(name):
    cells = cells_of(name)
    first = text_of(cells[0])
    stated = "Core path" if name == "08_adam.ipynb" else r"Optional\. Study time"
    minutes = int(re.search(stated + r": about (\d+) minutes", first).group(1))
    assert minutes <= 60
    other = "08b_adam_deep_dive.ipynb" if name == "08_adam.ipynb" else "08_adam.ipynb"
    assert any(other in text_of(c) for c in cells if c["cell_type"] == "markdown")
    assert "notation_box(" in text_of(cells[3])                   # right after the setup cell
    markdown = [text_of(c) for c in cells if c["cell_type"] == "markdown"]
    sources_at = max(i for i, t in enumerate(markdown) if "## Sources" in t)
    assert sources_at == len(markdown) - 1
    before = "\n".join(markdown[:sources_at]) + markdown[sources_at].split("## Sources")[0]
    for phrase in ("the notes", "the slides", "seed notes", "lecture notes", "the seeds"):
        assert phrase not in before.lower(), phrase
    for cell in cells:
        if "settings" in cell.get("metadata", {}).get("tags", []):
            for line in text_of(cell).splitlines():
                assert re.match(r"^[A-Z][A-Z0-9_]* = [^=]+(#.*)?$", line), line


def test_deep_dive_holds_am4_and_am5_headings():
    headings = [line for c in cells_of("08b_adam_deep_dive.ipynb") if c["cell_type"] == "markdown"
                for line in text_of(c).splitlines() if line.startswith("#")]
    for ident in ("[AM-4]", "[AM-5]"):
        assert any(ident in h for h in headings), ident
