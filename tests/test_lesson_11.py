"""Lesson 11's symbolic claims, checked again on a batch of K = 3 built with the library's own
forward pass, and each shown to FAIL when the formula is changed [BB-1..BB-4]."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from course_lib.batchnorm import batchnorm_backward, batchnorm_backward_naive, batchnorm_forward
from course_lib.proofs import ProofError, check_equal, reduce_radicals

K = 3
z = sp.symbols("z1:4", real=True)          # one feature's values on the K examples
z2 = sp.symbols("y1:4", real=True)         # a second feature
g = sp.symbols("g1:4", real=True)          # dL/dZhat for the first feature
G, B = sp.symbols("G B", real=True)
G2, B2 = sp.symbols("G2 B2", real=True)
eps = sp.Symbol("epsilon", positive=True)


def delta(j, k):
    return 1 if j == k else 0


# A linear change of variables, invertible, so an identity in (m, p, q) is one in z: the batch
# is written as its mean m plus centred values p, q, -p - q. Expressions shrink a lot.
m_, p_, q_ = sp.symbols("m p q", real=True)
CENTRE = {z[0]: m_ + p_, z[1]: m_ + q_, z[2]: m_ - p_ - q_}


def confirm(lhs, rhs, claim):
    """check_equal, made fast for expressions with square roots: centre the batch, then
    reduce_radicals."""
    rest = reduce_radicals((sp.sympify(lhs) - sp.sympify(rhs)).subs(CENTRE))
    if rest != 0:
        raise ProofError(f"could not confirm {claim}: the difference does not reduce to 0 "
                         f"({len(sp.Add.make_args(rest))} terms remain)")
    return check_equal(rest, 0, claim)


def forward(e=0, mode="sigma", two_features=False):
    rows = [z, z2] if two_features else [z]
    Gs, Bs = ([G, G2], [B, B2]) if two_features else ([G], [B])
    return batchnorm_forward(np.array(rows, dtype=object), np.array(Gs, dtype=object),
                             np.array(Bs, dtype=object), eps=e, eps_mode=mode)


def loss(Zhat):
    return sum(g[k] * Zhat[0, k] for k in range(K))


@pytest.fixture(scope="module")
def plain():
    """eps = 0 (both conventions coincide): Zhat, cache, mu, sigma, L."""
    Zhat, c = forward(0, "sigma")
    return Zhat, c, c.mu[0, 0], c.sigma[0, 0], loss(Zhat)


# -- the claims, each as a function of the formula it checks ------------------------------

def claim_dB_dG(plain, dB_formula, dG_formula):                                  # [BB-1]
    Zhat, c, mu, sig, L = plain
    confirm(sp.diff(L, B), dB_formula(c), "dL/dB = sum_j g_j")
    confirm(sp.diff(L, G), dG_formula(c), "dL/dG = sum_j g_j Zbar_j")


def claim_dmu(plain, formula):                                                   # [BB-2]
    mu = plain[2]
    for j in range(K):
        confirm(sp.diff(mu, z[j]), formula(j), f"d mu / d Z_{j + 1}")


def claim_dsigma(plain, formula):
    mu, sig = plain[2], plain[3]
    for j in range(K):
        confirm(sp.diff(sig, z[j]), formula(j, mu, sig), f"d sigma / d Z_{j + 1}")


def claim_chain(plain, formula):
    """dZbar_k/dZ_j through mu and sigma, each derivative from the previous claims."""
    c, mu, sig = plain[1], plain[2], plain[3]
    for j in range(K):
        dmu, dsig = sp.Rational(1, K), (z[j] - mu) / (K * sig)
        for k in range(K):
            confirm(sp.diff(c.Zbar[0, k], z[j]), formula(j, k, mu, sig, dmu, dsig),
                    f"d Zbar_{k + 1} / d Z_{j + 1}")


def claim_closing(plain, formula):
    mu, sig, L = plain[2], plain[3], plain[4]
    for j in range(K):
        rhs = sum(g[k] * formula(j, k, mu, sig) for k in range(K))
        confirm(sp.diff(L, z[j]), rhs, f"closing formula, j = {j + 1}")


def seed_term(j, k, mu, sig):
    """The notes' closing formula, one term of the sum over k."""
    return G / (K * sig) * (K * delta(j, k) - 1 - (z[k] - mu) * (z[j] - mu) / sig ** 2)


def claim_exact_with_eps(mode, r_of, j_values=range(K)):                         # [BB-3]
    """dL/dZ_j = sum_k g_k G/(K s) (K delta - 1 - Zc_k Zc_j r) on the library's forward."""
    Zhat, c = forward(eps, mode)
    mu, sig, s = c.mu[0, 0], c.sigma[0, 0], c.s[0, 0]
    L, r = loss(Zhat), r_of(s, sig)
    for j in j_values:
        rhs = sum(g[k] * G / (K * s) * (K * delta(j, k) - 1 - (z[k] - mu) * (z[j] - mu) * r)
                  for k in range(K))
        confirm(sp.diff(L, z[j]), rhs, f"exact gradient ({mode}), j = {j + 1}")


RIGHT_R = {"sigma": lambda s, sig: 1 / (s * sig), "sqrt": lambda s, sig: 1 / s ** 2}
SEED_R = lambda s, sig: 1 / sig ** 2


# -- the claims hold ------------------------------------------------------------------------

def test_BB1_dB_and_dG(plain):
    claim_dB_dG(plain, lambda c: sum(g), lambda c: sum(g[k] * c.Zbar[0, k] for k in range(K)))


def test_BB2_dmu(plain):
    claim_dmu(plain, lambda j: sp.Rational(1, K))


def test_BB2_dsigma(plain):
    claim_dsigma(plain, lambda j, mu, sig: (z[j] - mu) / (K * sig))


def test_BB2_chain_through_Zbar(plain):
    claim_chain(plain, lambda j, k, mu, sig, dmu, dsig:
                (delta(j, k) - dmu) / sig - (z[k] - mu) / sig ** 2 * dsig)


def test_BB2_no_dependence_across_features():
    Zhat, _ = forward(0, "sigma", two_features=True)
    for j in range(K):
        for k in range(K):
            check_equal(sp.diff(Zhat[1, k], z[j]), 0, "feature 2 ignores feature 1")
            check_equal(sp.diff(Zhat[0, k], z2[j]), 0, "feature 1 ignores feature 2")


def test_BB2_closing_formula_for_eps_zero(plain):
    claim_closing(plain, seed_term)


@pytest.mark.parametrize("mode", ["sigma", "sqrt"])
def test_BB3_exact_gradient_with_eps(mode):
    claim_exact_with_eps(mode, RIGHT_R[mode])


@pytest.mark.parametrize("mode", ["sigma", "sqrt"])
def test_BB4_library_backward_and_naive_loop_equal_the_symbolic_derivative(mode):
    Zhat, c = forward(eps, mode)
    L = loss(Zhat)
    up = np.array([g], dtype=object)
    dZ, dG, dB = batchnorm_backward(up, c)
    naive = batchnorm_backward_naive(up, c)
    for j in range(K):
        confirm(sp.diff(L, z[j]), dZ[0, j], f"library dZ ({mode}), j = {j + 1}")
        confirm(naive[0, j], dZ[0, j], f"naive loop = vectorized ({mode}), j = {j + 1}")
    confirm(sp.diff(L, G), dG[0], "library dG")
    confirm(sp.diff(L, B), dB[0], "library dB")


# -- ... and fail when the formula is changed -----------------------------------------------

def test_changed_formulas_fail(plain):
    with pytest.raises(ProofError, match="dL/dB"):
        claim_dB_dG(plain, lambda c: sum(g) / K, lambda c: sum(g[k] * c.Zbar[0, k] for k in range(K)))
    with pytest.raises(ProofError, match="dL/dG"):
        claim_dB_dG(plain, lambda c: sum(g), lambda c: sum(g[k] * c.Zc[0, k] for k in range(K)))
    with pytest.raises(ProofError, match="d mu / d Z_1"):
        claim_dmu(plain, lambda j: sp.Rational(1, K - 1))
    with pytest.raises(ProofError, match="d sigma / d Z_1"):   # the unbiased (K - 1) version
        claim_dsigma(plain, lambda j, mu, sig: (z[j] - mu) / ((K - 1) * sig))
    with pytest.raises(ProofError, match=r"d Zbar_1 / d Z_1"):  # forgetting sigma depends on Z
        claim_chain(plain, lambda j, k, mu, sig, dmu, dsig: (delta(j, k) - dmu) / sig)
    with pytest.raises(ProofError, match="closing formula, j = 1"):   # a sign flipped
        claim_closing(plain, lambda j, k, mu, sig:
                      G / (K * sig) * (K * delta(j, k) + 1 - (z[k] - mu) * (z[j] - mu) / sig ** 2))


@pytest.mark.parametrize("mode", ["sigma", "sqrt"])
def test_seed_formula_and_swapped_conventions_fail_with_eps(mode):
    # the notes' closing formula (sigma where s belongs) is not exact once eps > 0 ...
    with pytest.raises(ProofError, match=f"exact gradient \\({mode}\\), j = 1"):
        Zhat, c = forward(eps, mode)
        mu, sig, L = c.mu[0, 0], c.sigma[0, 0], loss(Zhat)
        confirm(sp.diff(L, z[0]), sum(g[k] * seed_term(0, k, mu, sig) for k in range(K)),
                f"exact gradient ({mode}), j = 1")
    # ... and each convention's r is wrong for the other one
    other = "sqrt" if mode == "sigma" else "sigma"
    with pytest.raises(ProofError, match=f"exact gradient \\({mode}\\), j = 1"):
        claim_exact_with_eps(mode, RIGHT_R[other], j_values=[0])


# -- [BB-3] how large the error of the eps-free formula is -------------------------------------
# Relative error = eps sqrt(a1^2 + (a3 - a1)^2 rho^2), rho = |u| / |A - u|, u = Zc P / sigma^2 the
# projection of A = K g - sum(g) on Zc: at least a1 eps, no upper bound; frameworks / notes lies
# between 1/(2 sigma) and 1/sigma.

def claim_projection(coef):
    """u = coef * Zc P / sigma^2 is the projection of A on Zc (A - u orthogonal to Zc)."""
    _, c = forward(0, "sigma")
    Zc, var = list(c.Zc[0]), c.var[0, 0]
    P = sum(g[k] * Zc[k] for k in range(K))
    A = [K * g[j] - sum(g) for j in range(K)]
    u = [coef * Zc[j] * P / var for j in range(K)]
    confirm(sum((A[j] - u[j]) * Zc[j] for j in range(K)), 0, "A - u is orthogonal to Zc")
    return A, u


def claim_pythagoras(cross_coef):
    a1, a3 = sp.symbols("a_1 a_3", positive=True)
    A, u = claim_projection(1)
    err = sum((a1 * A[j] - a3 * u[j]) ** 2 for j in range(K))
    perp = sum((A[j] - u[j]) ** 2 for j in range(K))
    confirm(err, a1 ** 2 * perp + cross_coef(a1, a3) ** 2 * sum(x ** 2 for x in u),
            "|a1 A - a3 u|^2 = a1^2 |A_perp|^2 + c^2 |u|^2")


def test_BB3_u_is_the_projection_and_the_error_splits_by_pythagoras():
    claim_projection(1)
    claim_pythagoras(lambda a1, a3: a3 - a1)


def test_BB3_changed_projection_or_split_fails():
    with pytest.raises(ProofError, match="orthogonal"):
        claim_projection(2)
    with pytest.raises(ProofError, match="Pythagoras|a1 A - a3 u"):
        claim_pythagoras(lambda a1, a3: a3)


def relative_error(sig, eps_, mode, rho, seed=0, Kn=32):
    """Measured relative error of the eps-free formula for an upstream gradient with the given
    rho (its component along Zc set explicitly), and the measured rho."""
    r = np.random.default_rng(seed)
    x = r.normal(size=(1, Kn))
    Z = 2.0 + sig * (x - x.mean()) / x.std()
    _, c = batchnorm_forward(Z, np.ones(1), np.zeros(1), eps=eps_, eps_mode=mode)
    Zc = c.Zc
    gq = r.normal(size=(1, Kn))
    gq = gq - (gq * Zc).sum() / (Zc * Zc).sum() * Zc
    gq = gq + rho * np.linalg.norm(Kn * gq - gq.sum()) / (Kn * np.linalg.norm(Zc)) * Zc
    A, P = Kn * gq - gq.sum(), (gq * Zc).sum()
    closing = (A - Zc * P / sig ** 2) / (Kn * sig)
    exact = batchnorm_backward(gq, c)[0]
    return np.linalg.norm(closing - exact) / np.linalg.norm(exact)


A1 = {"sigma": lambda s: 1 / s, "sqrt": lambda s: 1 / (2 * s ** 2)}
A3 = {"sigma": lambda s: 2 / s, "sqrt": lambda s: 3 / (2 * s ** 2)}


@pytest.mark.parametrize("mode", ["sigma", "sqrt"])
def test_BB3_error_has_a_floor_and_no_ceiling(mode):
    sig, e = 0.1, 1e-7
    c2 = ((A3[mode](sig) - A1[mode](sig)) / A1[mode](sig)) ** 2
    for seed in range(5):
        for rho in (0.0, 1.0, 10.0):
            rel = relative_error(sig, e, mode, rho, seed)
            assert rel == pytest.approx(e * A1[mode](sig) * np.sqrt(1 + c2 * rho ** 2), rel=1e-3)
    # the old claim "between a1 eps and a3 eps" fails: the error exceeds a3 eps
    assert relative_error(sig, e, mode, 10.0) > 3 * e * A3[mode](sig)


def test_BB3_frameworks_error_is_larger_for_every_gradient_only_below_sigma_one_half():
    e = 1e-8
    ratio = lambda sig, rho: (relative_error(sig, e, "sqrt", rho) / relative_error(sig, e, "sigma", rho))
    for rho in (0.0, 1.0, 100.0):
        assert ratio(0.45, rho) > 1                       # sigma < 1/2: always larger
        assert ratio(1.1, rho) < 1                        # sigma > 1: always smaller
    # between 1/2 and 1 it depends on the gradient, so "larger when sigma < 1" is false
    assert ratio(0.75, 0.0) < 1 < ratio(0.75, 100.0)
    assert ratio(0.75, 0.0) == pytest.approx(1 / (2 * 0.75), rel=1e-3)


# -- the notebook itself: the student's path (issue 16), with lesson 10's checker ----------------

import pathlib  # noqa: E402
import sys  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from test_lesson_10 import lesson_shape_problems, notebook_cells  # noqa: E402

NOTEBOOK = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "11_batchnorm_backward.ipynb"


def test_the_notebook_has_the_student_path_shape():
    cells = notebook_cells(NOTEBOOK)
    assert lesson_shape_problems(cells) == []
    assert sum("settings" in tags for _, _, tags in cells) >= 2
    # every proof is displayed (library vs claim), none only counted with print(proof)
    assert not any("print(proof)" in src for kind, src, _ in cells if kind == "code")


# -- the core path fits 60 minutes: the error analysis of [BB-3] lives in the deep dive ----------

import ast  # noqa: E402
import re  # noqa: E402

#: what only the deep dive derives or measures; a core cell (or quiz feedback without
#: "(deep dive)") that needs it would make the core depend on the deep dive
DEEP_ONLY = ("Pythagoras", "projection of $A$", "Study question [BB-3]", "SIGMA0 =", "floor_ceiling")
DEEP_FIGURES = ("1e-4", "5e-4", "rho")


def core_path_problems(cells):
    """What breaks the core/deep-dive split of lesson 11 (empty when all is well)."""
    problems = []
    minutes = re.search(r"Core path: about (\d+) minutes", cells[0][1])
    if not minutes or int(minutes.group(1)) > 60:
        problems.append("the first cell states no core path of at most 60 minutes")
    heads = [i for i, (kind, src, _) in enumerate(cells) if kind == "markdown" and src.startswith("## ")]
    deep = [i for i in heads if cells[i][1].startswith("## Deep dive")]
    sources = [i for i in heads if cells[i][1].startswith("## Sources")]
    if len(deep) != 1 or sources != [len(cells) - 1] or [i for i in heads if i > deep[0]] != sources:
        return problems + ["one '## Deep dive' section, the last before '## Sources' at the very end"]
    core = cells[:deep[0]]
    for kind, src, _ in core:
        problems += [f"core cell uses deep-dive material {w!r}: {src[:40]!r}" for w in DEEP_ONLY if w in src]
    # the core words the stated time counts (text outside the study questions)
    words = sum(len(src.split()) for kind, src, _ in core
                if kind == "markdown" and "Study question" not in src)
    if not 1600 <= words <= 2000:
        problems.append(f"the core has {words} words of text, the first cell says about 1,800")
    # a pointer where the material was: between the [BB-3] and [BB-4] headings
    bb3 = next(i for i, (_, src, _) in enumerate(core) if src.startswith("## With epsilon"))
    bb4 = next(i for i, (_, src, _) in enumerate(core) if "[BB-4]" in src.split("\n")[0])
    if not any("deep dive" in src and "[BB-3]" in src for _, src, _ in core[bb3:bb4]):
        problems.append("no pointer to the deep dive where the error analysis was")
    for kind, src, _ in core:
        if kind == "code" and "Quiz(" in src:
            for node in ast.walk(ast.parse(src)):
                if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Statement":
                    feedback = ast.literal_eval(node.args[2])
                    if any(f in feedback for f in DEEP_FIGURES) and "(deep dive)" not in feedback:
                        problems.append(f"quiz feedback uses deep-dive figures: {feedback[:40]!r}")
    return problems


def test_the_core_path_excludes_the_error_analysis():
    assert core_path_problems(notebook_cells(NOTEBOOK)) == []


def test_the_core_path_check_can_fail():
    cells = notebook_cells(NOTEBOOK)
    deep = next(i for i, (_, src, _) in enumerate(cells) if src.startswith("## Deep dive"))
    summary = next(i for i, (_, src, _) in enumerate(cells) if src.startswith("## Summary"))
    # the lesson as it was: the analysis inside the core, 55 minutes claimed, the quiz unmarked
    first = ("markdown", cells[0][1].replace("about 60 minutes", "about 75 minutes"), [])
    quiz = [(k, s.replace(" (deep dive).", "."), t) for k, s, t in cells[1:summary]]
    old = [first] + quiz + cells[deep + 1:-1] + cells[summary:deep + 1] + cells[-1:]
    problems = core_path_problems(old)
    assert any("60 minutes" in p for p in problems), problems
    assert any("Pythagoras" in p for p in problems) and any("[BB-3]" in p for p in problems)
    assert any("quiz feedback" in p for p in problems), problems
    assert any("words of text" in p for p in problems), problems
    no_pointer = [c for c in cells if not c[1].startswith("**How wrong is")]
    assert core_path_problems(no_pointer) == ["no pointer to the deep dive where the error analysis was"]
    assert core_path_problems(cells[:-1]) != []                     # no Sources at the end
