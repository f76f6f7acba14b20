"""Lesson 03's symbolic claims, each shown to fail when its formula is changed: the empirical
risk is unbiased with variance var/N [VM-1], a minibatch has var/b, times (N-b)/(N-1) when
drawn without replacement [VM-2], and the per-example form of the minibatch bound [VM-3]."""
import itertools
import re

import numpy as np
import pytest
import sympy as sp
import sympy.stats as st

from course_lib.minibatch import minibatches
from course_lib.proofs import ProofError, check_equal

N, i = sp.symbols("N i", integer=True, positive=True)
mu, sigma, c = sp.symbols("mu sigma c", positive=True)


# ---------------------------------------------------------------- [VM-1] general N
def var_of_mean(cov):
    """var((1/N) sum_i d_i) = (1/N^2)(N var + N(N-1) cov) for exchangeable d_i."""
    diagonal = sp.summation(sigma ** 2 / N ** 2, (i, 1, N))    # N terms var(d_i)/N^2
    return diagonal + N * (N - 1) * cov / N ** 2               # N(N-1) cross terms


def test_unbiased_and_var_over_N():
    check_equal(sp.summation(mu / N, (i, 1, N)), mu, "E[Loss] = mu")
    check_equal(var_of_mean(0), sigma ** 2 / N, "independent: var/N")
    check_equal(var_of_mean(c), sigma ** 2 / N + (N - 1) * c / N, "common covariance c")


@pytest.mark.parametrize("wrong", [sigma ** 2 / N ** 2, sigma ** 2 / sp.sqrt(N), sigma / N,
                                   sigma ** 2])
def test_var_over_N_fails_when_changed(wrong):
    with pytest.raises(ProofError):
        check_equal(var_of_mean(0), wrong, "a changed claim")


def test_correlated_examples_never_beat_c():
    """With covariance c the variance tends to c, not 0: the limit N -> oo."""
    check_equal(sp.limit(var_of_mean(c), N, sp.oo), c, "limit c")
    with pytest.raises(ProofError):
        check_equal(sp.limit(var_of_mean(c), N, sp.oo), 0, "a changed limit")


# ---------------------------------------------------------------- [VM-1] with random variables
@pytest.mark.parametrize("n", [1, 2, 3])
def test_sympy_stats_mean_of_n_independent(n):
    D = [st.Normal(f"D{j}", mu, sigma) for j in range(n)]
    check_equal(st.E(sum(D) / n), mu, f"E, n = {n}")
    check_equal(st.variance(sum(D) / n), sigma ** 2 / n, f"var, n = {n}")
    lam = sp.Symbol("lambda", positive=True)                  # not only for Gaussians
    E = [st.Exponential(f"E{j}", lam) for j in range(n)]
    check_equal(st.variance(sum(E) / n), 1 / (n * lam ** 2), f"exponential var, n = {n}")


def test_sympy_stats_fails_on_a_changed_claim():
    D = [st.Normal(f"D{j}", mu, sigma) for j in range(2)]
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
    """1/sqrt(b k) + 1/k with k = n/b updates is 1/sqrt(n) + b/n."""
    b, k, n = sp.symbols("b k n", positive=True)
    bound = 1 / sp.sqrt(b * k) + 1 / k
    check_equal(bound.subs(k, n / b), 1 / sp.sqrt(n) + b / n, "per example")
    with pytest.raises(ProofError):
        check_equal(bound.subs(k, n / b), 1 / sp.sqrt(b * n) + 1 / n, "a changed claim")


# ---------------------------------------------------------------- [VM-4] text against stored numbers
def _vm4_cells():
    import json
    import pathlib
    path = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "03_variance_and_minibatches.ipynb"
    cells = json.loads(path.read_text())["cells"]
    code = next(c for c in cells if c["cell_type"] == "code" and "points_to(" in "".join(c["source"]))
    out = "".join("".join(o.get("text", "")) for o in code["outputs"])
    text = next("".join(c["source"]) for c in cells
                if c["cell_type"] == "markdown" and "What the runs show" in "".join(c["source"]))
    return out, text


def vm4_rows(out):
    """{method: (points, median, cost, gap, worse %, moved)} from the stored table."""
    rows = {}
    for line in out.splitlines()[1:]:
        m = re.match(r"(\S.*?)\s{2,}(\d+)\s+[\d.]+\s+([\d.]+)\s+[\d.]+\s+(\d+) \(\s*\d+% runs\)"
                     r"\s+([+-][\d.]+)\s+(\d+)%\s+([\d.]+)$", line)
        if m:
            rows[m.group(1).split()[0].rstrip(",")] = tuple(float(v) for v in m.groups()[1:])
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
    for number in [f"{sgd[2]:.0f}", f"{mini[2]:.0f}", f"{batch[2]:.0f}", f"+{sgd[3]:.3f}",
                   f"+{mini[3]:.3f}", f"{sgd[4]:.0f}%", f"{sgd[5]:.3f}", f"{mini[5]:.3f}"]:
        assert number in text, f"the text does not quote the stored {number}"


def test_vm4_old_unmeasured_claims_are_gone():
    out, text = _vm4_cells()
    rows = vm4_rows(out)
    assert f"+{rows['online'][3]:.3f}" in text
    assert "+0.016" not in text and "+0.015" not in text      # the old, unmeasured claims
