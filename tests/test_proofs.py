"""The proof helper confirms true claims and refuses false ones, readably."""
import pytest
import sympy as sp

import re

from course_lib.proofs import (Proof, ProofError, check_equal, check_true, coefficient,
                               characteristic_polynomial, jacobian, solve_for, sum_closed_form)


def test_true_claim_passes_and_shows_library_then_claim():
    x = sp.Symbol("x")
    c = check_equal((x + 1) ** 2, x ** 2 + 2 * x + 1, "square_of_sum")
    md = c._repr_markdown_()
    assert r"square\_of\_sum" in md                       # the reason is text, outside the math
    math = re.findall(r"\$\$(.*?)\$\$", md, re.DOTALL)
    assert len(math) == 1
    assert re.search(r"library:.*\\left\(x \+ 1\\right\)\^\{2\}.*\\checkmark.*claim:.*x\^\{2\} \+ 2 x \+ 1", math[0])
    assert not hasattr(c, "_repr_latex_")          # one rendering: markdown, in Lab and in HTML


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
    assert len(p.steps) == 1 and "demo" in p._repr_markdown_()


def test_each_step_is_its_own_small_display_with_its_reason_outside():
    x, u = sp.symbols("x u")
    p = Proof("two steps")
    p.step(2 * x - x, x, "collect $u_{t-1}$ terms; gamma^T * 2")
    p.step((x + 1) * (x - 1), x ** 2 - 1, "difference of squares")
    md = p._repr_markdown_()
    assert not hasattr(p, "_repr_latex_")
    assert md.count("$$") == 4 and md.count(r"\checkmark") == 2
    assert "$u_{t-1}$" in md                                 # math in a reason stays math
    assert r"gamma^T \* 2" in md                              # plain text is escaped, not mangled
    assert md.index("difference of squares") > md.index("collect")


def test_a_long_sum_is_broken_over_lines_and_sides_go_on_their_own_lines():
    xs = sp.symbols("x0:40")
    c = check_equal(sum(xs), sum(reversed(xs)), "a long sum")
    block = re.findall(r"\$\$(.*?)\$\$", c._repr_markdown_(), re.DOTALL)[0]
    assert r"\begin{aligned}" in block
    lines = block.split(r"\\")
    assert len(lines) >= 6 and max(len(line) for line in lines) < 150
    assert "library:" in lines[0] and any("claim:" in line for line in lines[1:])


def test_a_checked_statement_shows_once():
    x = sp.Symbol("x", positive=True)
    md = check_true(x ** 2 + 1 > 1, "positive")._repr_markdown_()
    assert "checked:" in md and r"\checkmark" in md and "positive" in md


def test_sum_closed_form_keeps_the_convergent_value():
    k = sp.Symbol("k", integer=True, nonnegative=True)
    g = sp.Symbol("gamma", positive=True)
    check_equal(sum_closed_form(k * g ** k * (1 - g), k, 0, sp.oo), g / (1 - g))
    t, T = sp.symbols("t T", integer=True, positive=True)
    check_equal(sum_closed_form(g ** (T - t) * (1 - g), t, 1, T), 1 - g ** T)


def test_solve_for_one_unknown_a_system_and_a_refusal():
    v, s2, g = sp.symbols("v sigma2 gamma", positive=True)
    check_equal(solve_for(sp.Eq(g ** 2 * v + (1 - g) ** 2 * s2, v), v), (1 - g) / (1 + g) * s2)
    a, b = sp.symbols("a b")
    assert solve_for([a + b - 3, a - b - 1], [a, b]) == {a: 2, b: 1}
    x = sp.Symbol("x")
    with pytest.raises(ProofError, match="expected one solution"):
        solve_for(x ** 2 - 4, x)


def test_coefficient_jacobian_and_characteristic_polynomial():
    g1, g2, beta, z = sp.symbols("g_1 g_2 beta z")
    check_equal(coefficient((1 - beta) * (beta * g1 + g2), g1), beta * (1 - beta))
    check_equal(coefficient((g1 + g2) ** 2, g1 ** 2), 1)
    w, V, lam, eta, gamma = sp.symbols("w V lambda eta gamma")
    A = jacobian([w - eta * lam * w + gamma * V, gamma * V - eta * lam * w], [w, V])
    check_equal(characteristic_polynomial(A, z), z ** 2 - (1 + gamma - eta * lam) * z + gamma)


def test_an_equation_checked_by_holds_goes_the_fast_way_and_can_fail():
    import sympy as sp
    from course_lib.proofs import Proof, ProofError
    x = sp.Symbol("x")
    p = Proof("eq")
    p.holds(sp.Eq((x + 1) ** 2, x ** 2 + 2 * x + 1), "expand")
    assert "checked" in p._repr_markdown_()
    with pytest.raises(ProofError, match="difference: 2\\*x"):
        p.holds(sp.Eq((x + 1) ** 2, x ** 2 + 1), "a wrong expansion")


def test_holds_on_matrices_and_unevaluated_forms():
    import sympy as sp
    from course_lib.proofs import Proof, ProofError
    x = sp.Symbol("x")
    p = Proof("m")
    p.holds(sp.Eq(sp.Matrix([[x + x, 0]]), sp.Matrix([[2 * x, 0]])), "matrices")
    p.holds(sp.Eq(sp.Subs(x ** 2, x, 3), 9), "a substitution")
    assert "*library*" not in p._repr_markdown_()          # only the kinds of line used
    with pytest.raises(ProofError):
        p.holds(sp.Eq(sp.Matrix([[x, 0]]), sp.Matrix([[2 * x, 0]])), "a wrong matrix")
