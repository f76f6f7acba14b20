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

A :class:`Proof` collects the steps of a derivation. In a notebook each step shows as

    **reason** (markdown, so ``$...$`` in it is math)
    library: <what the course_lib code returned on symbols>  ✓  claim: <the formula in the text>

one small ``$$...$$`` block per step (MathJax refuses very long expressions), with long sides
on lines of their own and long sums broken over several lines.

Small helpers hide sympy's plumbing: :func:`sum_closed_form` (a series' value where it
converges), :func:`solve_for` (the one solution of an equation or system),
:func:`coefficient` (of a symbol or power in an expanded expression), :func:`jacobian` and
:func:`characteristic_polynomial` (of a linear recurrence).
"""
from __future__ import annotations

import re

import sympy as sp

__all__ = ["ProofError", "Checked", "check_equal", "check_true", "Proof", "symbols",
           "reduce_radicals", "sum_closed_form", "limit_for_decay", "solve_for", "coefficient",
           "jacobian", "characteristic_polynomial"]


class ProofError(AssertionError):
    """A claimed equality or inequality that sympy could not confirm."""


_MATH = re.compile(r"(\$\$.*?\$\$|\$[^$]+\$)", re.DOTALL)
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")
#: a side whose LaTeX is longer than this goes on its own line; a sum longer than it is broken
_LINE = 90


def _markdown_text(s: str) -> str:
    """A plain label as markdown: ``$...$`` stays math, everything else is escaped text."""
    parts = _MATH.split(s)
    return "".join(part if i % 2 else _MD_SPECIAL.sub(r"\\\1", part) for i, part in enumerate(parts))


def _latex_lines(expr, width: int = _LINE) -> list[str]:
    """LaTeX of ``expr`` as one or more lines; a long sum is broken between its terms."""
    full = sp.latex(expr)
    if len(full) <= width or not isinstance(expr, sp.Add):
        return [full]
    lines, line = [], ""
    for i, term in enumerate(expr.as_ordered_terms()):
        negative = term.could_extract_minus_sign()
        body = sp.latex(-term if negative else term)
        if isinstance(-term if negative else term, sp.Add):
            body = rf"\left({body}\right)"
        piece = ("- " if negative else ("" if i == 0 else "+ ")) + body
        if line and len(line) + len(piece) > width:
            lines.append(line)
            line = ""
        line += (" " if line else "") + piece
    return lines + [line]


class Checked:
    """A confirmed claim. In a notebook: "library: lhs ✓ claim: rhs", and the reason.

    ``lhs`` is what running the library on symbols returned, ``rhs`` the formula in the text;
    a checked statement (an inequality) has ``rhs = None``.
    """

    def __init__(self, claim: str, lhs, rhs=None):
        self.claim, self.lhs, self.rhs = claim, lhs, rhs

    @property
    def latex(self) -> str:
        """The whole claim as one LaTeX formula."""
        if self.rhs is None:
            return _latex(self.lhs)
        return f"{_latex(self.lhs)} = {_latex(self.rhs)}"

    def __repr__(self):
        return f"Checked({self.claim!r})"

    def _math_block(self) -> str:
        """One small display: library and claim side by side, or on lines of their own."""
        if self.rhs is None:
            return rf"$$\text{{checked:}}\quad {_latex(self.lhs)} \quad\checkmark$$"
        left, right = _lines(self.lhs), _lines(self.rhs)
        if len(left) == len(right) == 1 and len(left[0]) + len(right[0]) <= _LINE:
            return (rf"$$\text{{library:}}\; {left[0]} \quad\checkmark\quad "
                    rf"\text{{claim:}}\; {right[0]}$$")
        rows = [rf"\text{{library:}} \quad & {left[0]}"] + [rf"& \quad {x}" for x in left[1:]]
        rows += [rf"\checkmark\ \text{{claim:}} \quad & {right[0]}"] + [rf"& \quad {x}" for x in right[1:]]
        return r"$$\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}$$"

    def _markdown(self, number: int | None = None) -> str:
        head = f"**{number}.** " if number is not None else ""
        reason = _markdown_text(self.claim) if self.claim else ""
        return (head + reason).strip() + "\n\n" + self._math_block() if (head or reason) \
            else self._math_block()

    def _repr_markdown_(self):
        return self._markdown()


def _latex(x) -> str:
    return x if isinstance(x, str) else sp.latex(x)


def _lines(x) -> list[str]:
    return [x] if isinstance(x, str) else _latex_lines(x)


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
    if isinstance(expr, sp.MatrixBase):
        return all(_zero(e) for e in expr)
    if expr == 0:
        return True
    if expr.has(sp.Subs, sp.Derivative, sp.Sum, sp.Integral):
        expr = expr.doit()          # evaluate what is written unevaluated, then decide
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
    return Checked(claim, lhs, rhs)


def check_true(statement, claim: str = "") -> Checked:
    """Confirm a sympy boolean (an inequality, an Eq, a relational) is True.

    An equation goes the way of :func:`check_equal` (its difference must vanish), which is
    much faster than simplifying the whole statement.
    """
    if isinstance(statement, sp.Equality):
        if not _zero(statement.lhs - statement.rhs):
            raise ProofError(f"could not confirm {claim or 'the claim'}: {sp.sstr(statement)} "
                             f"(difference: {sp.sstr(sp.simplify(statement.lhs - statement.rhs))})")
        return Checked(claim, statement)
    value = sp.simplify(statement) if not isinstance(statement, bool) else statement
    if value is not sp.true and value is not True:
        raise ProofError(f"could not confirm {claim or 'the claim'}: "
                         f"{sp.sstr(statement)} simplifies to {sp.sstr(value)}")
    return Checked(claim, statement if not isinstance(statement, bool) else r"\text{True}")


class Proof:
    r"""A derivation checked step by step; displays one small math block per step.

    ``step(lhs, rhs, why)``: ``lhs`` is what running the library on symbols returned, ``rhs``
    the claim from the text, ``why`` the reason in words (``$...$`` in it shows as math).

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

    def _repr_markdown_(self):
        head = f"**Proof: {_markdown_text(self.title)}**" if self.title else "**Proof**"
        kinds = []
        if any(c.rhs is not None for c in self.steps) or not self.steps:
            kinds.append("*library*: what the course_lib code returned on symbols; *claim*: "
                         "the formula in the text; ✓: sympy confirmed they are equal.")
        if any(c.rhs is None for c in self.steps):
            kinds.append("*checked*: a statement about the formulas (algebra, an inequality or "
                         "a limit), not library output, that sympy confirmed.")
        legend = " ".join(kinds)
        steps = [c._markdown(i) for i, c in enumerate(self.steps, start=1)]
        return "\n\n".join([f"{head} ({legend})", *steps])

    def __repr__(self):
        return f"Proof({self.title!r}, {len(self.steps)} steps checked)"


def symbols(names: str, **assumptions):
    """sympy.symbols, re-exported so a lesson needs one import for its proofs."""
    return sp.symbols(names, **assumptions)


def sum_closed_form(term, index, start, end):
    r"""The value of $\sum_{index=start}^{end} term$, where the series converges.

    sympy answers an infinite series with a piecewise "value if it converges, else the sum";
    this keeps the value (the first branch) and simplifies it.

    >>> k = sp.Symbol("k", integer=True, nonnegative=True)
    >>> gamma = sp.Symbol("gamma", positive=True)
    >>> sum_closed_form(k * gamma ** k * (1 - gamma), k, 0, sp.oo)
    -gamma/(gamma - 1)
    """
    value = sp.piecewise_fold(sp.summation(term, (index, start, end)))
    if isinstance(value, sp.Piecewise):
        value = next(expr for expr, cond in value.args if cond is not sp.false)
    if value.has(sp.Sum):
        raise ProofError(f"sympy found no closed form for the sum of {term} over {index}")
    return sp.simplify(value)


def limit_for_decay(expr, n, gamma):
    r"""$\lim_{n \to \infty}$ ``expr`` for a decay $0 < \gamma < 1$.

    sympy cannot be told that $\gamma < 1$, so this writes $\gamma = e^{-s}$ with $s > 0$
    (then $\gamma^n = e^{-sn} \to 0$), takes the limit and writes the answer in $\gamma$ again.

    >>> n = sp.Symbol("n", integer=True, positive=True)
    >>> gamma = sp.Symbol("gamma", positive=True)
    >>> limit_for_decay(1 - gamma ** n, n, gamma)
    1
    >>> limit_for_decay(gamma * (1 - gamma ** n) / (1 - gamma) - n * gamma ** (n + 1), n, gamma)
    -gamma/(gamma - 1)
    """
    s = sp.Symbol("s", positive=True)
    return sp.simplify(sp.limit(expr.subs(gamma, sp.exp(-s)), n, sp.oo).subs(s, -sp.log(gamma)))


def solve_for(equations, unknowns):
    r"""The one solution of ``equations`` (an Eq, an expression meaning "= 0", or a list of them).

    One unknown: its value. Several: a dict unknown -> value. Raises :class:`ProofError` when
    there is no solution or more than one.

    >>> v, s2, gamma = sp.symbols("v sigma^2 gamma", positive=True)
    >>> solve_for(sp.Eq(gamma ** 2 * v + (1 - gamma) ** 2 * s2, v), v)
    sigma^2*(1 - gamma)/(gamma + 1)
    >>> a, b = sp.symbols("a b")
    >>> solve_for([sp.Eq(a + b, 3), sp.Eq(a - b, 1)], [a, b])
    {a: 2, b: 1}
    """
    single = not isinstance(unknowns, (list, tuple))
    eqs = equations if isinstance(equations, (list, tuple)) else [equations]
    found = sp.solve(list(eqs), [unknowns] if single else list(unknowns), dict=True)
    if len(found) != 1:
        raise ProofError(f"expected one solution for {unknowns}, sympy found {len(found)}: {found}")
    if single:
        return sp.simplify(found[0][unknowns])
    return {u: sp.simplify(found[0][u]) for u in unknowns}


def coefficient(expr, term):
    r"""The coefficient of ``term`` (a symbol or a power of one) in ``expr``, expanded.

    >>> g1, g2, beta = sp.symbols("g_1 g_2 beta")
    >>> coefficient((1 - beta) * (beta * g1 + g2), g1)
    -beta**2 + beta
    """
    return sp.expand(expr).coeff(term)


def jacobian(new_values, old_values):
    r"""The matrix of $\partial\,new_i / \partial\,old_j$: one step of a linear recurrence.

    >>> w, V, lam, eta, gamma = sp.symbols("w V lambda eta gamma")
    >>> jacobian([w - eta * lam * w + gamma * V, gamma * V - eta * lam * w], [w, V])
    Matrix([
    [-eta*lambda + 1, gamma],
    [    -eta*lambda, gamma]])
    """
    return sp.Matrix(list(new_values)).jacobian(list(old_values))


def characteristic_polynomial(matrix, z):
    r"""$\det(zI - A)$, expanded: its roots are the rates of the recurrence with matrix A.

    >>> z = sp.Symbol("z")
    >>> characteristic_polynomial(sp.Matrix([[2, 1], [0, 3]]), z)
    z**2 - 5*z + 6
    """
    matrix = sp.Matrix(matrix)
    return sp.expand((z * sp.eye(matrix.rows) - matrix).det())
