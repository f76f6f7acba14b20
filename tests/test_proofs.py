"""The proof helper confirms true claims and refuses false ones, readably."""
import pytest
import sympy as sp

from course_lib.proofs import Proof, ProofError, check_equal, check_true


def test_true_claim_passes_and_renders_latex():
    x = sp.Symbol("x")
    c = check_equal((x + 1) ** 2, x ** 2 + 2 * x + 1, "square_of_sum")
    assert r"\checkmark" in c._repr_latex_() and r"square\_of\_sum" in c._repr_latex_()


def test_false_claim_fails_with_the_claim_in_the_message():
    x = sp.Symbol("x")
    with pytest.raises(ProofError, match=r"could not confirm expand: .*difference"):
        check_equal((x + 1) ** 2, x ** 2 + 1, "expand")


def test_matrices_and_lists_are_compared_entrywise():
    a, b = sp.symbols("a b")
    check_equal([a + b, a * b], [b + a, b * a])
    with pytest.raises(ProofError):
        check_equal([a + b, a * b], [b + a, a + b])


def test_check_true_on_relations():
    x = sp.Symbol("x", positive=True)
    check_true(x + 1 > x, "shift")
    with pytest.raises(ProofError):
        check_true(sp.Eq(x, x + 1), "false equation")


def test_proof_collects_steps_and_stops_at_the_first_false_one():
    x = sp.Symbol("x")
    p = Proof("demo")
    p.step(2 * x - x, x, "one")
    with pytest.raises(ProofError):
        p.step(x, 2 * x, "two")
    assert len(p.steps) == 1 and "demo" in p._repr_latex_()
