"""Lesson 03's claims, each shown to fail when its formula is changed: the empirical risk is
unbiased with variance var/N, derived from the code that computes it, and its minimum is
biased low [VM-1]; a minibatch has var/b, times (N-b)/(N-1) when drawn without replacement
[VM-2]; the per-example form of the minibatch bound, and the stored measurements the text
quotes [VM-3, VM-4]. Also the lesson's shape for a student working alone (issue 16): a core path
of at most 60 minutes, a deep-dive companion holding the minimum's bias, the kinks and
K-means, a notation box, a self-check quiz, and the lecture notes named only under Sources."""
import itertools
import json
import pathlib
import re

import numpy as np
import pytest
import sympy as sp
import sympy.stats as st

from course_lib.data import least_squares_slope
from course_lib.minibatch import minibatches
from course_lib.proofs import ProofError, check_equal

N, i, j = sp.symbols("N i j", integer=True, positive=True)
R = sp.Symbol("R", positive=True)            # the risk: each example's mean divergence
c = sp.Symbol("c", real=True)
sigma = sp.Symbol("sigma", positive=True)
NOTEBOOK = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "03_variance_and_minibatches.ipynb"
DEEP = NOTEBOOK.with_name("03b_minibatch_deep_dive.ipynb")


# ---------------------------------------------------------------- [VM-1] from the estimator's code
def empirical_risk(divs):
    """The estimator as lesson 03 computes it: numpy's mean over the examples."""
    return np.array(divs, dtype=object).mean()


def weights_of(estimator, n):
    """The weights w_i of estimator(div_1..div_n) = sum_i w_i div_i, read off the code (as the
    lesson does); fails if the estimator is not linear in the divergences."""
    divs = sp.symbols(f"div1:{n + 1}")
    loss = estimator(divs)
    w = [sp.diff(loss, d) for d in divs]
    assert sp.expand(loss - sum(wi * d for wi, d in zip(w, divs))) == 0
    return w


def moments_of_risk(n, estimator=empirical_risk):
    """(E, var) of estimator(div_1..div_n): sum_i w_i R and sum_ij w_i w_j cov_ij, with variance
    sigma^2 and covariance c between two different examples."""
    w = weights_of(estimator, n)
    cov = lambda a, b: sigma ** 2 if a == b else c
    return (sum(w[a] * R for a in range(n)),
            sum(w[a] * w[b] * cov(a, b) for a in range(n) for b in range(n)))


@pytest.mark.parametrize("n", range(1, 9))
def test_unbiased_and_var_over_N_from_the_estimator(n):
    assert weights_of(empirical_risk, n) == [sp.Rational(1, n)] * n
    mean, var = moments_of_risk(n)
    check_equal(mean, R, "E[Loss] = R")
    check_equal(var, sigma ** 2 / n + (n - 1) * c / n, "common cov c")
    check_equal(var.subs(c, 0), sigma ** 2 / n, "independent: var/N")


def test_weights_are_read_off_a_linear_estimator_only():
    with pytest.raises(AssertionError):
        weights_of(lambda d: np.array(d, dtype=object).mean() ** 2, 3)


def test_moments_by_linearity_agree_with_sympy_stats():
    """The lesson's rule (E and var of a weighted sum from the weights) against sympy.stats,
    which works from the distributions themselves, for Gaussian examples (c = 0)."""
    for n in (1, 2, 3):
        D = [st.Normal(f"D{k}", R, sigma) for k in range(1, n + 1)]
        mean, var = moments_of_risk(n)
        check_equal(st.E(empirical_risk(D)), mean, f"E, n = {n}")
        check_equal(st.variance(empirical_risk(D)), var.subs(c, 0), f"var, n = {n}")


def test_bernoulli_variance_from_the_definition():
    """The lesson's last proof step: 3 independent 0-1 errors, the variance summed over the
    error counts k with their binomial probabilities, is q(1-q)/3 (and not q(1-q)/9)."""
    q = sp.Symbol("q", positive=True)
    var_3 = sum(sp.binomial(3, k) * q ** k * (1 - q) ** (3 - k) * (sp.Rational(k, 3) - q) ** 2
                for k in range(4))
    check_equal(var_3, q * (1 - q) / 3, "var of 3 errors")
    with pytest.raises(ProofError):
        check_equal(var_3, q * (1 - q) / 9, "a changed claim")


@pytest.mark.parametrize("wrong", [sigma ** 2 / N ** 2, sigma ** 2 / sp.sqrt(N), sigma / N,
                                   sigma ** 2])
def test_var_over_N_fails_when_changed(wrong):
    with pytest.raises(ProofError):
        check_equal(moments_of_risk(4)[1].subs(c, 0), wrong.subs(N, 4), "a changed claim")


@pytest.mark.parametrize("estimator", [lambda d: np.array(d, dtype=object).sum(),           # a sum
                                       lambda d: np.array(d, dtype=object).sum() / (len(d) - 1),
                                       lambda d: np.array(d, dtype=object)[0]])           # one example
def test_the_proof_depends_on_the_estimator(estimator):
    """The claim is derived from the code: another estimator fails it."""
    with pytest.raises(ProofError):
        check_equal(moments_of_risk(4, estimator)[1].subs(c, 0), sigma ** 2 / 4, "var/N")


def var_of_mean_any_N(weight=1 / N):
    """sum_i sum_j w^2 cov(D_i, D_j) over an N x N covariance matrix, by sympy."""
    cov_ij = sigma ** 2 * sp.KroneckerDelta(i, j) + c * (1 - sp.KroneckerDelta(i, j))
    row_i = sp.refine(sp.summation(weight ** 2 * cov_ij, (j, 1, N)), sp.Q.le(i, N))
    return sp.summation(row_i, (i, 1, N))


def test_var_over_N_for_any_N():
    check_equal(var_of_mean_any_N(), sigma ** 2 / N + (N - 1) * c / N, "any N")
    check_equal(var_of_mean_any_N().subs(c, 0), sigma ** 2 / N, "independent, any N")
    with pytest.raises(ProofError):
        check_equal(var_of_mean_any_N().subs(c, 0), sigma ** 2 / N ** 2, "a changed claim")
    with pytest.raises(ProofError):                      # weights 1/(N-1): not the mean
        check_equal(var_of_mean_any_N(1 / (N - 1)).subs(c, 0), sigma ** 2 / N, "another estimator")


def test_correlated_examples_never_beat_c():
    """With covariance c the variance tends to c, not 0: the limit N -> oo."""
    check_equal(sp.limit(var_of_mean_any_N(), N, sp.oo), c, "limit c")
    with pytest.raises(ProofError):
        check_equal(sp.limit(var_of_mean_any_N(), N, sp.oo), 0, "a changed limit")


# ---------------------------------------------------------------- [VM-1] the minimum is biased low
@pytest.mark.parametrize("n", [2, 3, 4])
def test_residual_sum_of_squares_has_n_minus_1_degrees_of_freedom(n):
    """For a line through the origin fitted by least squares, the residuals are (I - P) eps with
    P = x x'/x'x, so E[sum residual^2] = sigma^2 tr(I - P) = (N - 1) sigma^2: the prediction
    E[min Loss] = R* (N - 1)/N of the lesson."""
    x = sp.Matrix(sp.symbols(f"x1:{n + 1}", positive=True))
    P = x * x.T / (x.T * x)[0]
    check_equal((sp.eye(n) - P).trace(), n - 1, f"tr(I - P), N = {n}")
    with pytest.raises(ProofError):
        check_equal((sp.eye(n) - P).trace(), n, "no degree of freedom used by the fit")


def test_min_of_empirical_risk_is_biased_low_but_the_slope_is_not():
    r = np.random.default_rng(0)
    n, sets = 5, 20000
    xs = r.uniform(0.2, 2.0, (sets, n)); ys = 1.5 * xs + 0.5 * r.standard_normal((sets, n))
    w_hat = np.sum(xs * ys, axis=1) / np.sum(xs * xs, axis=1)
    assert np.isclose(w_hat[3], least_squares_slope(xs[3], ys[3]))
    m = np.mean(0.5 * (ys - w_hat[:, None] * xs) ** 2, axis=1)
    se_m, se_w = m.std() / np.sqrt(sets), w_hat.std() / np.sqrt(sets)
    assert m.mean() < 0.125 - 10 * se_m and abs(m.mean() - 0.125 * (n - 1) / n) < 4 * se_m
    assert abs(w_hat.mean() - 1.5) < 4 * se_w


def _cells(path=NOTEBOOK):
    return json.loads(path.read_text())["cells"]


def _text(path=NOTEBOOK):
    """All markdown of a notebook, whitespace (and line breaks) collapsed to single spaces."""
    return " ".join(" ".join("".join(c["source"]) for c in _cells(path) if c["cell_type"] == "markdown").split())


def _output_of(marker, path=NOTEBOOK):
    code = next(c for c in _cells(path) if c["cell_type"] == "code" and marker in "".join(c["source"]))
    return "".join("".join(o.get("text", "")) for o in code["outputs"])


def test_vm1_text_says_the_minimum_not_the_minimizer_is_biased_low():
    text = _text(DEEP)
    assert "minimizer unbiased" not in text and "minimum of a noisy curve" not in text
    assert "The minimum is biased low" in text and "need not be biased" in text
    assert "biased low" in _text()                      # the core path says so and points here
    out = _output_of("def fitted_slopes(", DEEP)
    rows = re.findall(r"^\s*(\d+)\s+([\d.]+) \(([\d.]+)-([\d.]+)\)\s+([\d.]+)\s+([\d.]+) \(", out, re.M)
    assert [int(r[0]) for r in rows] == [2, 5, 20, 100]
    for n, mean, lo, hi, pred, w in rows:
        assert float(mean) < 0.125 and abs(float(mean) / float(pred) - 1) < 0.02
        assert abs(float(w) - 1.5) < 0.01


# ---------------------------------------------------------------- [VM-1] with random variables
@pytest.mark.parametrize("n", [1, 2, 3])
def test_sympy_stats_mean_of_n_independent(n):
    D = [st.Normal(f"D{j}", R, sigma) for j in range(n)]
    check_equal(st.E(sum(D) / n), R, f"E, n = {n}")
    check_equal(st.variance(sum(D) / n), sigma ** 2 / n, f"var, n = {n}")
    lam = sp.Symbol("lambda", positive=True)                  # not only for Gaussians
    E = [st.Exponential(f"E{j}", lam) for j in range(n)]
    check_equal(st.variance(sum(E) / n), 1 / (n * lam ** 2), f"exponential var, n = {n}")


def test_sympy_stats_fails_on_a_changed_claim():
    D = [st.Normal(f"D{j}", R, sigma) for j in range(2)]
    with pytest.raises(ProofError):
        check_equal(st.variance(sum(D) / 2), sigma ** 2 / 4, "var/N^2")
    with pytest.raises(ProofError):
        check_equal(st.variance(sum(D)), sigma ** 2 / 2, "var of the sum, not the mean")


# ---------------------------------------------------------------- [VM-2] without replacement
def enumerated_batch_variance(ds, b):
    """Variance of the batch mean over every batch of b distinct examples (equally likely)."""
    dbar = sum(ds) / len(ds)
    means = [sum(comb) / b for comb in itertools.combinations(ds, b)]
    return sum((m - dbar) ** 2 for m in means) / len(means)


DS = sp.symbols("d1:6")
S2 = sum((d - sum(DS) / len(DS)) ** 2 for d in DS) / len(DS)


@pytest.mark.parametrize("b", range(1, 6))
def test_finite_population_correction(b):
    n = len(DS)
    check_equal(enumerated_batch_variance(DS, b), S2 / b * sp.Rational(n - b, n - 1), f"b = {b}")


@pytest.mark.parametrize("b", [2, 3, 4])
def test_finite_population_correction_fails_when_changed(b):
    n = len(DS)
    var = enumerated_batch_variance(DS, b)
    with pytest.raises(ProofError):
        check_equal(var, S2 / b, "no correction")
    with pytest.raises(ProofError):
        check_equal(var, S2 / b * sp.Rational(n - b, n), "(N-b)/N instead of (N-b)/(N-1)")


def test_minibatch_variance_measured_with_the_library_iterator():
    """Batches from course_lib.minibatch (a fresh permutation per epoch) have the predicted
    variance s^2/b (N-b)/(N-1) (sampling tolerance 10%)."""
    d = np.random.default_rng(0).exponential(size=40)
    s2, n = d.var(), len(d)
    for b in (1, 4, 10, 20):
        means = np.array([d[idx].mean() for _, idx in minibatches(n, b, epochs=2000, seed=b,
                                                                   drop_last=True)])
        pred = s2 / b * (n - b) / (n - 1)
        assert abs(means.mean() / d.mean() - 1) < 0.01                 # unbiased
        assert abs(means.var() / pred - 1) < 0.1, (b, means.var(), pred)


# ---------------------------------------------------------------- [VM-3]
def test_minibatch_bound_per_example():
    """sigma D sqrt(2/(b k)) + L D^2/k with k = n/b updates is sigma D sqrt(2/n) + b L D^2/n:
    at equal work the noise term does not depend on b."""
    b, k, n, L, D = sp.symbols("b k n L D", positive=True)
    bound = sigma * D * sp.sqrt(2 / (b * k)) + L * D ** 2 / k
    check_equal(bound.subs(k, n / b), sigma * D * sp.sqrt(2 / n) + b * L * D ** 2 / n, "per example")
    with pytest.raises(ProofError):       # the slides' accounting: a factor sqrt(b) lost per example
        check_equal(bound.subs(k, n / b), sigma * D * sp.sqrt(2 * b / n) + b * L * D ** 2 / n,
                    "a changed claim")


def vm3_rows():
    out = _output_of("def minibatch_runs(")
    rows = {(m[0], int(m[1])): (float(m[2]), float(m[3]), float(m[4]), float(m[5]))
            for m in re.findall(r"(abs|sq)\s+b =\s+(\d+): \S+\s+ratio ([\d.]+) \(([\d.]+)-([\d.]+)\)"
                                r"\s+slope (-[\d.]+)", out)}
    gains = re.search(r"b = 1: ([\d.]+) \(smooth\), ([\d.]+) \(kink\)", out).groups()
    near = re.search(r"slopes at most ([\d.]+); .* sd ([\d.]+);\n.* at b = (\d+)",
                     _output_of("b_cross = (", DEEP)).groups()
    return rows, gains, near


def test_vm3_text_quotes_the_stored_measurement():
    rows, gains, near = vm3_rows()
    assert len(rows) == 8 and all(0.8 <= r[0] <= 1.3 for r in rows.values())    # "between 0.8 and 1.3"
    text, deep = _text(), _text(DEEP)
    for number, where in [(g, text) for g in gains] + [(n, deep) for n in near]:
        assert re.search(rf"(?<![\d.]){re.escape(number)}(?![\d.]\d)", where), \
            f"the text does not quote the stored {number}"
    assert all(5 < float(g) < 8.5 for g in gains)                                   # about sqrt(64) = 8
    assert float(near[0]) < float(near[1]) / 4 and 16 < int(near[2]) < 64           # comparable at 64
    assert f"up to $b \\approx {near[2]}$" in deep
    worst = max(rows, key=lambda key: rows[key][0])
    assert worst == ("abs", 64) and f"({rows[worst][0]:.2f}, though within the spread" in text
    assert rows[worst][1] < 1 < rows[worst][2]                                      # within the spread


def test_vm3_states_the_assumptions_and_corrects_the_slides():
    text = _text()
    assert "smooth" in text and "convex" in text and "Bubeck" in text
    assert "that is not right" in text and "fast paths" not in text


def test_vm3_timing_shows_the_fixed_cost():
    out = _output_of("def seconds_per_example(")
    assert len(re.findall(r"^\s+\d+\s+[\d.]+\s+[\d.]+\s+[\d.]+$", out, re.M)) == 11    # whole table
    share = int(re.search(r"fixed cost is (\d+)% of the time", out).group(1))
    assert share > 90
    assert re.search(r"from b = 4 tau_call / tau_ex = \d+ on", out)


# ---------------------------------------------------------------- [VM-4] text against stored numbers
def _vm4_cells():
    cells = _cells(DEEP)
    code = next(c for c in cells if c["cell_type"] == "code" and "points_to(" in "".join(c["source"]))
    out = "".join("".join(o.get("text", "")) for o in code["outputs"])
    text = next("".join(c["source"]) for c in cells
                if c["cell_type"] == "markdown" and "What the runs show" in "".join(c["source"]))
    return out, text


def vm4_rows(out):
    """{method: (points, median, cost, gap, worse %, moved, moved after polishing, reached %)}
    from the stored table."""
    rows = {}
    for line in out.splitlines()[1:]:
        m = re.match(r"(\S.*?)\s{2,}(\d+)\s+[\d.]+\s+([\d.]+)\s+[\d.]+\s+(\d+) \(\s*(\d+)% runs\)"
                     r"\s+([+-][\d.]+)\s+(\d+)%\s+([\d.]+)\s+([\d.]+)$", line)
        if m:
            points, median, cost, reached, gap, worse, moved, polished = m.groups()[1:]
            rows[m.group(1).split()[0].rstrip(",")] = tuple(
                float(v) for v in (points, median, cost, gap, worse, moved, polished, reached))
    return rows


def test_vm4_claims_match_the_stored_measurement():
    out, text = _vm4_cells()
    rows = vm4_rows(out)
    assert set(rows) == {"batch", "online", "minibatch"}
    batch, sgd, mini = rows["batch"], rows["online"], rows["minibatch"]
    assert sgd[2] < batch[2] / 5 and mini[2] < batch[2] / 5                  # faster
    assert sgd[3] > 2 * mini[3] > 0 and sgd[4] >= 80                          # poorer minimum
    assert mini[0] <= batch[0] / 3                                            # a fraction of the cost
    assert batch[5] == 0 and sgd[5] > 0 and mini[5] > 0                       # order noise
    assert sgd[6] < sgd[5] / 2 and mini[6] > mini[5] / 2 and batch[6] == 0   # jitter vs local minimum
    for number in [f"{sgd[2]:.0f}", f"{mini[2]:.0f}", f"{batch[2]:.0f}", f"+{sgd[3]:.3f}",
                   f"+{mini[3]:.3f}", f"{sgd[4]:.0f}%", f"{sgd[5]:.3f}", f"{mini[5]:.3f}",
                   f"{sgd[6]:.4f}", f"{mini[6]:.4f}", f"{sgd[7]:.0f}% of the SGD runs",
                   f"{mini[7]:.0f}% of the minibatch runs"]:
        assert number in " ".join(text.split()), f"the text does not quote the stored {number}"
    assert "mostly by\n  settling into a different local minimum" not in text      # the old, unmeasured cause


def test_vm4_old_unmeasured_claims_are_gone():
    out, text = _vm4_cells()
    rows = vm4_rows(out)
    assert f"+{rows['online'][3]:.3f}" in text
    assert "+0.016" not in text and "+0.015" not in text      # the old, unmeasured claims


def test_vm3_cites_without_unverified_section_numbers():
    """The Bubeck (2015) citation names the results, not section numbers quoted from memory."""
    for text in (_text(), _text(DEEP)):
        assert "Bubeck" in text and not re.search(r"section 6\.\d", text)


# ---------------------------------------------------------------- [VM-5] and [VM-6]
def test_vm5_held_out_statement_matches_the_stored_ratios():
    out = _output_of("win_avg = np.convolve(")
    lo, hi, at_ls = (float(v) for v in re.search(
        r"epoch ends: ([\d.]+) to ([\d.]+); at the least-squares weights: ([\d.]+)", out).groups())
    text = _text()
    assert hi < 1 and at_ls < 1 and "below* the training loss at every epoch end" in text
    assert "sits a little above the training loss" not in text          # the old, wrong claim


def test_vm6_patience_is_more_than_patience_epochs():
    """ReduceOnPlateau divides after MORE than `patience` bad losses in a row (as PyTorch)."""
    from course_lib.schedules import ReduceOnPlateau
    s = ReduceOnPlateau(lr=1.0, factor=10, patience=1)
    s.step(1.0); s.step(1.0)
    assert s(0) == 1.0                      # one bad epoch: not yet
    s.step(1.0)
    assert s(0) == 0.1 and s.reductions == [3]
    text = _text()
    assert "after *more than* `patience = 1` epochs in a row without one (so two)" in text


def test_vm6_text_quotes_the_stored_excess_losses():
    out = _output_of("sched = ReduceOnPlateau(")
    found = re.search(r"divisions: epoch \d+: (\S+), epoch \d+: (\S+), epoch \d+: (\S+), "
                      r"epoch \d+: (\S+) \| final (\S+)", out).groups()
    text = _text()
    for number in found:
        assert number.rstrip(",") in text, f"the text does not quote the stored {number}"
    first, second, *_, final = (float(v.rstrip(",")) for v in found)
    assert first / second > 10 and second / final < 2


# ---------------------------------------------------------------- [VM-2] the derivation in the text
def test_covariance_without_replacement_from_a_fixed_sum():
    """The text's derivation: the sum of all N examples does not depend on the order, so
    0 = N s^2 + N(N-1) r gives r = -s^2/(N-1), and then var(batch mean) = s^2/b (N-b)/(N-1)."""
    n, b, s2, r = sp.symbols("N b s2 r", positive=True)
    r_sol = sp.solve(sp.Eq(n * s2 + n * (n - 1) * r, 0), r)
    assert r_sol == [-s2 / (n - 1)]
    var_batch = (b * s2 + b * (b - 1) * r_sol[0]) / b ** 2
    check_equal(var_batch, s2 / b * (n - b) / (n - 1), "var of the batch mean")
    with pytest.raises(ProofError):                          # independent draws: no correction
        check_equal((b * s2) / b ** 2, s2 / b * (n - b) / (n - 1), "a changed derivation")
    text = _text()
    assert "r = -\\frac{s^2}{N-1}" in text and "\\frac{s^2}{b}\\cdot\\frac{N-b}{N-1}" in text


# ---------------------------------------------------------------- the lesson's shape (issue 16)
def _code_sources(path=NOTEBOOK):
    return ["".join(c["source"]) for c in _cells(path) if c["cell_type"] == "code"]


@pytest.mark.parametrize("path", [NOTEBOOK, DEEP], ids=["core", "deep"])
def test_notation_box_right_after_setup(path):
    codes = _code_sources(path)
    assert "import course_lib" in codes[0] and codes[1].startswith("notation_box(")


def test_core_path_is_at_most_an_hour_and_links_the_deep_dive():
    first = "".join(_cells()[0]["source"])
    minutes = int(re.search(r"Core path: about (\d+) minutes", first).group(1))
    assert minutes <= 60
    assert "03b_minibatch_deep_dive.ipynb" in first
    summary = _text().split("## Summary")[1]
    assert "03b_minibatch_deep_dive.ipynb" in summary
    assert "03_variance_and_minibatches.ipynb" in "".join(_cells(DEEP)[0]["source"])


def test_the_core_is_shorter_than_before():
    """The moved sections stay out of the core: no K-means experiment, no fitted-slope table."""
    codes = "\n".join(_code_sources())
    assert "fit_kmeans" not in codes and "def fitted_slopes(" not in codes and "b_cross" not in codes
    assert len(_text().split()) < 3600


@pytest.mark.parametrize("path", [NOTEBOOK, DEEP], ids=["core", "deep"])
def test_lecture_notes_named_only_under_sources(path):
    text = _text(path)
    before, sources = text.split("## Sources")
    for phrase in ("the notes", "the slides", "seed notes", "lecture notes"):
        assert phrase not in before.lower(), phrase
    assert "lecture notes" in sources


@pytest.mark.parametrize("path", [NOTEBOOK, DEEP], ids=["core", "deep"])
def test_settings_cells_hold_only_upper_case_assignments(path):
    import ast
    cells = [c for c in _cells(path) if "settings" in c.get("metadata", {}).get("tags", [])]
    assert cells
    for cell in cells:
        for node in ast.parse("".join(cell["source"])).body:
            assert isinstance(node, ast.Assign) and all(t.id.isupper() for t in node.targets)


def _quiz():
    from course_lib.quiz import Quiz, Statement
    code = next(s for s in _code_sources() if s.startswith("Quiz("))
    return eval(code.rsplit(".show()", 1)[0], {"Quiz": Quiz, "Statement": Statement})


def test_self_check_quiz_has_false_statements_with_feedback():
    quiz = _quiz()
    assert 4 <= len(quiz.statements) <= 6
    assert sum(not s.true for s in quiz.statements) >= 2
    assert all(len(s.why.split()) >= 10 for s in quiz.statements)
    assert quiz.grade([s.true for s in quiz.statements]).wrong == []
    assert quiz.grade([True] * len(quiz.statements)).wrong != []      # ticking all cannot pass


def test_quiz_feedback_agrees_with_the_measurements():
    """The quiz's 'about a quarter' and 'within a few percent' are the stored VM-5 errors, and
    its per-update gain is the stored one's size."""
    single, window = (float(v) for v in re.search(
        r"single batch loss ([\d.]+), mean of last \d+: ([\d.]+)", _output_of("win_avg = np.convolve(")).groups())
    assert 0.2 <= single <= 0.3 and window < 0.05
    by_text = {s.text[:40]: s for s in _quiz().statements}
    per_example = next(s for t, s in by_text.items() if t.startswith("Per example processed"))
    assert not per_example.true
    rows, gains, _ = vm3_rows()
    assert all(5 < float(g) < 8.5 for g in gains)


def test_proofs_on_the_lessons_own_code_are_labelled_checked():
    """The estimator and the enumeration are the lesson's code, not course_lib's: their proof
    lines read "checked", not "library" (issue 16: the label must be honest)."""
    for path, marker in [(NOTEBOOK, "def empirical_risk("), (NOTEBOOK, "fpc = Proof("),
                         (NOTEBOOK, "per_example = Proof("), (DEEP, "the residual projection")]:
        code = next(c for c in _cells(path) if c["cell_type"] == "code" and marker in "".join(c["source"]))
        shown = "".join("".join(o["data"].get("text/markdown", "")) for o in code["outputs"] if "data" in o)
        assert "checked:" in shown and "library:}" not in shown, marker
        assert "proof.step(" not in "".join(code["source"]) and ".step(" not in "".join(code["source"])
        assert max(len(block) for block in re.findall(r"\$\$.*?\$\$", shown, re.S)) < 1500, marker


def test_no_empty_looking_proof_lines():
    """No displayed line whose two sides are the same formula ("1 = 1", "mu = mu")."""
    for path in (NOTEBOOK, DEEP):
        for code in _cells(path):
            for o in code.get("outputs", []):
                text = "".join(o.get("data", {}).get("text/markdown", ""))
                for lhs, rhs in re.findall(r"checked:\}\\quad (.*?) = (.*?) \\quad\\checkmark", text):
                    assert lhs.strip() != rhs.strip(), (path.name, lhs)


def test_the_core_does_not_import_sympy_stats():
    """sympy.stats is not needed in the lesson: the moments come from the weights (cost)."""
    assert "sympy.stats" not in "\n".join(_code_sources())


def test_the_deep_dive_has_no_stray_core_section():
    text = _text(DEEP)
    assert "Knowing when to stop" not in text and "[VM-5]" not in text
    assert "lesson 01 (or lesson 04" not in text          # the hint relies on nothing not yet taught
