"""Lesson 10's symbolic claims, checked on batches built with the library's own forward pass
and running average, and each shown to FAIL when the formula is changed [BN-1..BN-3]."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from course_lib.averages import running_average
from course_lib.batchnorm import BatchNorm, batchnorm_forward, batchnorm_inference
from course_lib.proofs import ProofError, check_equal

K = 3
z = sp.symbols("z1:4", real=True)
G, B = sp.symbols("G B", real=True)
eps = sp.Symbol("epsilon", positive=True)
a, m = sp.symbols("a m", positive=True)
gamma, mu_star, var_star = sp.symbols("gamma mu_star sigma_star2", positive=True)


def obj(*rows):
    return np.array(rows, dtype=object)


def forward(mode, Gv=G, Bv=B, batch=z):
    return batchnorm_forward(obj(batch), obj([Gv]).ravel(), obj([Bv]).ravel(), eps=eps,
                             eps_mode=mode)


# -- the claims, as functions of the formula they check -----------------------------------

def claim_output_moments(mode, mean_formula, var_formula):                       # [BN-1]
    Zhat, c = forward(mode)
    row = Zhat[0]
    check_equal(sum(row) / K, mean_formula(c), f"batch mean of Zhat ({mode})")
    check_equal(sum((x - B) ** 2 for x in row) / K, var_formula(c), f"batch variance of Zhat ({mode})")


def claim_identity(mode, G_of, B_of):                                            # [BN-1]
    _, c = forward(mode)
    Zid, _ = forward(mode, Gv=G_of(c), Bv=B_of(c))
    check_equal(list(Zid[0]), list(z), f"G = s, B = mu gives back Z ({mode})")


def spread_ratio(mode):
    """Output std / |G| for a two-example batch m -/+ a, whose sigma is a: the library's own
    forward, so the eps convention is the library's."""
    Zhat, c = batchnorm_forward(obj([m - a, m + a]), obj([1]).ravel(), obj([0]).ravel(), eps=eps,
                                eps_mode=mode)
    check_equal(c.sigma[0, 0], a, "sigma of the batch m -/+ a")
    return Zhat[0, 1]


def claim_first_order(mode, formula):                                            # [BN-3]
    check_equal(sp.series(spread_ratio(mode), eps, 0, 2).removeO(), formula,
                f"first order in eps ({mode})")


def claim_running_mean(formula, T=4):                                            # [BN-2]
    """Fed the same batch mean mu* every time from m_0 = 0 (the library's running average)."""
    mt = 0
    for t in range(1, T + 1):
        mt = running_average(mt, mu_star, gamma)
        check_equal(mt, formula(t), f"m_{t}")


def claim_running_var(formula, T=4):
    vt = 1
    for t in range(1, T + 1):
        vt = running_average(vt, var_star, gamma)
        check_equal(vt, formula(t), f"v_{t}")


def expectation_iid(expr, xs, mean, var):
    """E[expr] for a polynomial of degree <= 2 in independent xs with the given mean and var."""
    poly = sp.Poly(sp.expand(expr), *xs)
    total = 0
    for powers, coeff in poly.terms():
        moment = 1
        for p in powers:
            moment *= {0: 1, 1: mean, 2: mean ** 2 + var}[p]
        total += coeff * moment
    return sp.expand(total)


def claim_unbiased(factor):                                                      # [BN-2]
    """E[factor * (batch variance)] = sigma*^2, the batch variance computed by the library."""
    _, c = batchnorm_forward(obj(z), obj([1]).ravel(), obj([0]).ravel(), eps=0, eps_mode="sqrt")
    check_equal(expectation_iid(factor * c.var[0, 0], z, mu_star, var_star), var_star,
                "E[factor * batch variance] = sigma*^2")


def claim_inference(mode, s_formula):                                            # [BN-2]
    """The library's inference output for one example, fixed running estimates m and v."""
    zs, ms, vs = sp.symbols("z m v", positive=True)
    Zinf, _ = batchnorm_inference(obj([zs]), obj(G), obj(B), obj(ms), obj(vs), eps=eps, eps_mode=mode)
    check_equal(Zinf[0, 0], G * (zs - ms) / s_formula(vs) + B, f"inference output ({mode})")


def claim_linear(update):                                                        # [BN-2]
    """E[update(avg, x)] = update(E[avg], E[x]) needs update to be linear in (avg, x)."""
    a1, a2, x1, x2, lam = sp.symbols("a_1 a_2 x_1 x_2 lambda", positive=True)
    check_equal(update(a1 + lam * a2, x1 + lam * x2, gamma),
                update(a1, x1, gamma) + lam * update(a2, x2, gamma), "the update is linear")


def spread_ratio_training_over_inference(unbiased, seed, K_=8, T=60, runs=300, n_test=100):
    """sqrt(mean within-batch variance in training mode / the same in inference mode) for
    fresh batches, after T training batches; mean over `runs` independent units."""
    r = np.random.default_rng(seed)
    bn = BatchNorm(runs, gamma=0.9, axis=0, unbiased_running_var=unbiased)
    for _ in range(T):
        bn.forward(3.0 + 2.0 * r.normal(size=(K_, runs)))
    test = 3.0 + 2.0 * r.normal(size=(n_test, K_, runs))
    inf = bn.forward(test.reshape(n_test * K_, runs), training=False).reshape(n_test, K_, runs)
    cols = test.transpose(1, 0, 2).reshape(K_, n_test * runs)
    trn = batchnorm_forward(cols, np.ones(n_test * runs), np.zeros(n_test * runs), axis=0)[0]
    trn = trn.reshape(K_, n_test, runs).transpose(1, 0, 2)
    return np.mean(np.sqrt(trn.var(axis=1).mean(axis=0) / inf.var(axis=1).mean(axis=0)))


RIGHT_VAR = lambda c: G ** 2 * c.var[0, 0] / c.s[0, 0] ** 2
FIRST_ORDER = {"sigma": 1 - eps / a, "sqrt": 1 - eps / (2 * a ** 2)}


# -- they hold -------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["sigma", "sqrt"])
def test_BN1_output_mean_is_B_and_variance_is_G2_sigma2_over_s2(mode):
    claim_output_moments(mode, lambda c: B, RIGHT_VAR)


@pytest.mark.parametrize("mode", ["sigma", "sqrt"])
def test_BN1_gain_and_shift_can_undo_the_normalization(mode):
    claim_identity(mode, lambda c: c.s[0, 0], lambda c: c.mu[0, 0])


@pytest.mark.parametrize("mode", ["sigma", "sqrt"])
def test_BN3_first_order_effect_of_eps(mode):
    claim_first_order(mode, FIRST_ORDER[mode])


def test_BN2_running_estimates_from_their_start():
    claim_running_mean(lambda t: (1 - gamma ** t) * mu_star)
    claim_running_var(lambda t: gamma ** t + (1 - gamma ** t) * var_star)


def test_BN2_unbiased_variance():
    claim_unbiased(sp.Rational(K, K - 1))


def test_BN2_inference_formula_in_both_eps_conventions():
    claim_inference("sqrt", lambda v: sp.sqrt(v + eps))
    claim_inference("sigma", lambda v: sp.sqrt(v) + eps)


def test_BN2_running_average_is_linear():
    claim_linear(running_average)


def test_BN2_training_outputs_are_wider_by_sqrt_K_over_K_minus_1():
    ratios = [spread_ratio_training_over_inference(True, seed) for seed in range(5)]
    assert np.mean(ratios) == pytest.approx(np.sqrt(8 / 7), abs=0.01)
    assert min(ratios) > 1.05                           # not noise: every seed shows it
    biased = [spread_ratio_training_over_inference(False, seed) for seed in range(5)]
    assert np.mean(biased) == pytest.approx(1.0, abs=0.01)


# -- and fail when changed ---------------------------------------------------------------------

def test_changed_formulas_fail():
    with pytest.raises(ProofError, match="batch mean of Zhat"):
        claim_output_moments("sqrt", lambda c: B + G, RIGHT_VAR)
    with pytest.raises(ProofError, match=r"batch variance of Zhat \(sigma\)"):   # forgot eps
        claim_output_moments("sigma", lambda c: B, lambda c: G ** 2)
    with pytest.raises(ProofError, match="gives back Z"):                        # sigma, not s
        claim_identity("sqrt", lambda c: c.sigma[0, 0], lambda c: c.mu[0, 0])
    with pytest.raises(ProofError, match=r"first order in eps \(sqrt\)"):        # the other mode's
        claim_first_order("sqrt", FIRST_ORDER["sigma"])
    with pytest.raises(ProofError, match="m_1"):                                 # forgot the bias
        claim_running_mean(lambda t: mu_star)
    with pytest.raises(ProofError, match="v_1"):                                 # started at 0
        claim_running_var(lambda t: (1 - gamma ** t) * var_star)
    with pytest.raises(ProofError, match="E\\[factor"):                          # the biased one
        claim_unbiased(1)
    with pytest.raises(ProofError, match=r"inference output \(sqrt\)"):        # the other mode's
        claim_inference("sqrt", lambda v: sp.sqrt(v) + eps)
    with pytest.raises(ProofError, match=r"inference output \(sigma\)"):
        claim_inference("sigma", lambda v: sp.sqrt(v + eps))
    with pytest.raises(ProofError, match="linear"):                 # averaging squares of x
        claim_linear(lambda avg, x, g: running_average(avg, x * x, g))


# -- the notebook itself: the student's path (issue 16) ---------------------------------------

import ast  # noqa: E402
import json  # noqa: E402
import pathlib  # noqa: E402

NOTEBOOK = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "10_batchnorm_forward.ipynb"


def notebook_cells(path=NOTEBOOK):
    return [(c["cell_type"], "".join(c["source"]), c["metadata"].get("tags", []))
            for c in json.loads(path.read_text())["cells"]]


def quiz_statements(source):
    """(text, truth) of every Statement(...) in a cell, read from its source without running it."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Statement":
            found.append((ast.literal_eval(node.args[0]), ast.literal_eval(node.args[1])))
    return found


def lesson_shape_problems(cells):
    problems = []
    if "Core path: about" not in cells[0][1]:
        problems.append("the first cell states no core-path time")
    quizzes = [quiz_statements(src) for kind, src, _ in cells if kind == "code" and "Quiz(" in src]
    if len(quizzes) != 1 or not 4 <= len(quizzes[0]) <= 6 or sum(not t for _, t in quizzes[0]) < 2:
        problems.append("one quiz of 4-6 statements, at least two false")
    for kind, src, tags in cells:
        if "settings" in tags:
            tree = ast.parse(src)
            if not all(isinstance(n, ast.Assign) and all(t.id.isupper() for t in n.targets)
                       for n in tree.body):
                problems.append(f"a settings cell holds more than UPPER_CASE assignments: {src[:40]!r}")
    before_sources = "\n".join(src for kind, src, _ in cells if kind == "markdown"
                               and not src.startswith("## Sources"))
    if "the notes" in before_sources or "notes'" in before_sources:
        problems.append("the lecture notes are mentioned outside ## Sources")
    return problems


def test_the_notebook_has_the_student_path_shape():
    assert lesson_shape_problems(notebook_cells()) == []
    assert sum("settings" in tags for _, _, tags in notebook_cells()) >= 4


def test_the_shape_check_can_fail():
    cells = notebook_cells()
    broken = [("markdown", "# 10", [])] + cells[1:] + [("markdown", "as the notes say", []),
                                                          ("code", "X = 1\nprint(X)", ["settings"])]
    problems = lesson_shape_problems(broken)
    assert len(problems) == 3, problems
