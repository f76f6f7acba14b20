r"""Proof helpers: every claimed equation is checked by sympy, and shown in LaTeX.

The only module of the numerical core that imports sympy. A lesson feeds the
library's own update code with sympy symbols, then asks this module to confirm
that the result equals the formula on the page::

    >>> import sympy as sp
    >>> g = sp.Symbol("g")
    >>> check_equal(g * (1 - sp.Rational(1, 2)), g / 2, "halving")
    Checked('halving')
    >>> check_equal(g, 2 * g, "a false claim")
    Traceback (most recent call last):
    ...
    course_lib.proofs.ProofError: could not confirm a false claim: g = 2 g (difference: -g)

A :class:`Proof` collects the steps of a derivation and renders them as one aligned
LaTeX block in a notebook.
"""
from __future__ import annotations

import sympy as sp

__all__ = ["ProofError", "Checked", "check_equal", "check_true", "Proof", "symbols",
           "reduce_radicals"]


class ProofError(AssertionError):
    """A claimed equality or inequality that sympy could not confirm."""


def _text(s: str) -> str:
    """Escape a plain-text label for use inside \\text{...}."""
    return s.replace("\\", "").replace("_", r"\_").replace("^", r"\^{}").replace("#", r"\#")


class Checked:
    """A confirmed claim; renders as LaTeX with a tick in a notebook."""

    def __init__(self, claim: str, latex: str):
        self.claim, self.latex = claim, latex

    def __repr__(self):
        return f"Checked({self.claim!r})"

    def _repr_latex_(self):
        label = rf"\quad\text{{({_text(self.claim)})}}" if self.claim else ""
        return rf"$\displaystyle {self.latex} \quad \checkmark{label}$"


def _half_power(e):
    return e.is_Pow and e.exp.is_Rational and e.exp.q == 2


def reduce_radicals(expr):
    """Name each sqrt(b) a symbol S, clear denominators, reduce the numerator modulo S^2 - b.

    0 exactly when expr is 0 (for b not a perfect square). Fast where simplify is slow, for
    example on batch-norm expressions full of square roots (lesson 11).
    """
    expr = sp.sympify(expr)
    bases = sorted({p.base for p in expr.atoms(sp.Pow) if _half_power(p)}, key=sp.default_sort_key)
    S = sp.symbols(f"S0:{len(bases)}", positive=True)
    for b, s in zip(bases, S):
        expr = expr.replace(lambda e, b=b: _half_power(e) and e.base == b,
                            lambda e, s=s: s ** (2 * e.exp))
    num = sp.expand(sp.fraction(sp.together(expr))[0])
    for b, s in zip(bases, S):
        num = sp.expand(sp.rem(num, s ** 2 - b, s))
    return num


def _zero(expr) -> bool:
    """True when sympy can show expr == 0 (simplify, then expand as a fallback)."""
    expr = sp.sympify(expr)
    if expr == 0:
        return True
    # cheap rewrites first: expand settles most polynomial claims at once, and makes a
    # false claim fail fast instead of after a long simplify
    for f in (sp.expand, lambda e: sp.cancel(sp.together(e)), sp.simplify,
              lambda e: sp.simplify(sp.expand(sp.powsimp(e))), reduce_radicals):
        try:
            if f(expr) == 0:
                return True
        except (sp.PolynomialError, TypeError, ValueError, NotImplementedError):
            continue        # this rewrite does not apply to expr; try the next
    return False


def check_equal(lhs, rhs, claim: str = "") -> Checked:
    """Confirm lhs == rhs symbolically (element by element for matrices and lists).

    Raises :class:`ProofError` naming the claim, both sides and their difference.
    """
    if isinstance(lhs, (list, tuple)) or isinstance(rhs, (list, tuple)):
        lhs, rhs = sp.Matrix(lhs), sp.Matrix(rhs)
    lhs, rhs = sp.sympify(lhs), sp.sympify(rhs)
    diff = lhs - rhs
    ok = all(_zero(d) for d in diff) if isinstance(diff, sp.MatrixBase) else _zero(diff)
    if not ok:
        shown = sp.simplify(diff)
        raise ProofError(f"could not confirm {claim or 'the claim'}: "
                         f"{sp.sstr(lhs)} = {sp.sstr(rhs)} (difference: {sp.sstr(shown)})"
                         .replace("**", "^").replace("*", " "))
    return Checked(claim, f"{sp.latex(lhs)} = {sp.latex(rhs)}")


def check_true(statement, claim: str = "") -> Checked:
    """Confirm a sympy boolean (an inequality, an Eq, a relational) is True."""
    value = sp.simplify(statement) if not isinstance(statement, bool) else statement
    if value is not sp.true and value is not True:
        raise ProofError(f"could not confirm {claim or 'the claim'}: "
                         f"{sp.sstr(statement)} simplifies to {sp.sstr(value)}")
    latex = sp.latex(statement) if not isinstance(statement, bool) else r"\text{True}"
    return Checked(claim, latex)


class Proof:
    r"""A derivation checked step by step; displays as an aligned LaTeX block.

    >>> x = sp.Symbol("x")
    >>> p = Proof("a square")
    >>> p.step((x + 1)**2, x**2 + 2*x + 1, "expand")
    Checked('expand')
    >>> len(p.steps)
    1
    """

    def __init__(self, title: str = ""):
        self.title, self.steps = title, []

    def step(self, lhs, rhs, why: str = "") -> Checked:
        checked = check_equal(lhs, rhs, why)
        self.steps.append(checked)
        return checked

    def holds(self, statement, why: str = "") -> Checked:
        checked = check_true(statement, why)
        self.steps.append(checked)
        return checked

    def _repr_latex_(self):
        rows = [rf"{c.latex} && \checkmark\ \text{{{_text(c.claim)}}}" for c in self.steps]
        head = rf"\text{{{_text(self.title)}}}\\" if self.title else ""
        return r"$\begin{aligned}" + head + r"\\".join(rows) + r"\end{aligned}$"

    def __repr__(self):
        return f"Proof({self.title!r}, {len(self.steps)} steps checked)"


def symbols(names: str, **assumptions):
    """sympy.symbols, re-exported so a lesson needs one import for its proofs."""
    return sp.symbols(names, **assumptions)
