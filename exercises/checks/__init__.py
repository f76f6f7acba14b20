"""Hidden checks of the graded exercises: what the grader calls, and how it compares.

One module per part (part1.py, ...) lists its questions. A question names the answer cells it
needs (by grade id), what its answer cells may not use, and a function ``cases(rng)`` that draws
the inputs from the instructor's seed. grade.py sends the calls to the student's isolated
interpreter, makes the same calls on the reference solution in its own process, and compares
here. A failed comparison says WHAT was checked and how the result is off (type, shape, not
finite, different values), never the expected value. Publishing this file gives away no
expected value: those come from the reference solution on inputs drawn from a seed that stays
with the instructor.
"""
from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np


@dataclass
class Case:
    label: str                         # what is checked, in words (shown in the feedback)
    call: str | None = None            # the student's function to call ...
    args: list = field(default_factory=list)
    kwargs: dict = field(default_factory=dict)
    value: str | None = None           # ... or the name of a value to read
    compare: Callable = None           # compare(got, ref) -> None or a message
    return_args: list = field(default_factory=list)   # also send back these arguments


@dataclass
class Question:
    grade_id: str
    answers: tuple                     # answer cells (grade ids) this question runs
    cases: Callable                    # cases(rng) -> list[Case]
    forbidden: dict = field(default_factory=dict)   # name -> why (course_lib objects in scope)
    allowed_modules: tuple = ()        # course_lib modules an answer may import here
    forbid_calls: dict = field(default_factory=dict)  # attribute/function name -> why


class Mismatch(Exception):
    pass


# -- comparisons --------------------------------------------------------------------------------

def _kind(x) -> str:
    return type(x).__name__


def _numeric(got, what):
    if got is None:
        raise Mismatch(f"{what} is None (a missing `return`?)")
    if isinstance(got, (str, bytes, dict)) or type(got).__name__ == "Unsupported":
        raise Mismatch(f"{what} should be numeric, got {_kind(got)}")
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise Mismatch(f"{what} should be numeric, got {_kind(got)}") from None
    return arr


def array(rtol=1e-9, atol=1e-12, require_ndarray=True):
    def cmp(got, ref, what="the result"):
        if require_ndarray and not isinstance(got, np.ndarray):
            raise Mismatch(f"{what} should be a numpy array, got {_kind(got)}")
        g, r = _numeric(got, what), np.asarray(ref, dtype=float)
        if g.shape != r.shape:
            raise Mismatch(f"{what} has shape {g.shape}, expected shape {r.shape}")
        if not np.all(np.isfinite(g)):
            raise Mismatch(f"{what} holds NaN or infinite values")
        if not np.allclose(g, r, rtol=rtol, atol=atol):
            rel = float(np.max(np.abs(g - r) / (np.abs(r) + atol)))
            raise Mismatch(f"{what} differs from a correct answer (largest relative difference {rel:.1e})")
    return cmp


def number(rtol=1e-9, atol=1e-12):
    def cmp(got, ref, what="the result"):
        if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, float, np.integer, np.floating)):
            raise Mismatch(f"{what} should be a number (a float), got {_kind(got)}")
        if not math.isfinite(float(got)):
            raise Mismatch(f"{what} is not finite ({float(got)})")
        if not abs(float(got) - float(ref)) <= atol + rtol * abs(float(ref)):
            raise Mismatch(f"{what} differs from the exact value for this seed")
    return cmp


def boolean():
    def cmp(got, ref, what="the result"):
        if not isinstance(got, bool):
            raise Mismatch(f"{what} should be a plain bool (True or False), got {_kind(got)}")
        if got != bool(ref):
            raise Mismatch(f"{what} is {got}, which is wrong for this input")
    return cmp


def sequence(item, container=list):
    """Same length as the reference, and each item passes ``item``; ``container`` is a type or
    a tuple of types (a tuple is called "a list" in the message)."""
    kind = getattr(container, "__name__", "list")

    def cmp(got, ref, what="the result"):
        if not isinstance(got, container):
            raise Mismatch(f"{what} should be a {kind}, got {_kind(got)}")
        if len(got) != len(ref):
            raise Mismatch(f"{what} has {len(got)} items, expected {len(ref)}")
        for k, (g, r) in enumerate(zip(got, ref)):
            item(g, r, f"item {k} of {what}")
    return cmp


def pair(*items, names=None):
    def cmp(got, ref, what="the result"):
        if not isinstance(got, (tuple, list)) or len(got) != len(items):
            raise Mismatch(f"{what} should be a tuple of {len(items)} values, got {_kind(got)}"
                           + (f" of length {len(got)}" if isinstance(got, (tuple, list)) else ""))
        for k, (c, g, r) in enumerate(zip(items, got, ref)):
            c(g, r, names[k] if names else f"item {k} of {what}")
    return cmp


def symbolic(points=4, rtol=1e-8):
    """Equal as sympy expressions: checked at random numbers for every free symbol."""
    import sympy as sp

    def cmp(got, ref, what="the result"):
        if isinstance(got, (int, float)) and not isinstance(got, bool):
            got = sp.nsimplify(got)
        if not isinstance(got, sp.Basic):
            raise Mismatch(f"{what} should be a sympy expression, got {_kind(got)}")
        if got.has(sp.Derivative, sp.Integral, sp.Sum):
            got = got.doit()
        free = {s.name for s in got.free_symbols | sp.sympify(ref).free_symbols}
        allowed = {s.name for s in sp.sympify(ref).free_symbols}
        extra = free - allowed
        if extra:
            raise Mismatch(f"{what} uses symbols the answer does not depend on: {', '.join(sorted(extra))}")
        rng = np.random.default_rng(12345)
        for _ in range(points):
            vals = {name: float(rng.uniform(0.15, 0.85)) for name in sorted(free)}
            g = _at(got, vals)
            r = _at(sp.sympify(ref), vals)
            if g is None or not np.isfinite(g) or abs(g - r) > rtol * (1 + abs(r)):
                raise Mismatch(f"{what} is not the right expression (checked at sample values of "
                               f"{', '.join(sorted(free)) or 'no symbols'})")
    return cmp


def _at(expr, vals):
    import sympy as sp
    subs = {s: vals[s.name] for s in expr.free_symbols}
    try:
        v = complex(sp.N(expr.subs(subs), 20))
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return v.real if abs(v.imag) < 1e-12 else None


def symbolic_list(points=4):
    """A list (or tuple, or sympy Matrix) of expressions, each checked by :func:`symbolic`."""
    items = sequence(symbolic(points), (list, tuple))

    def cmp(got, ref, what="the result"):
        import sympy as sp
        items(list(got) if isinstance(got, sp.MatrixBase) else got, ref, what)
    return cmp


# -- a safe reader for sympy results (never eval) ---------------------------------------------

# Only these constructors may appear in a student's result. A wider set is not safe: many sympy
# constructors run sympify() on a str argument, which is eval (Tuple("__import__('os')...")
# ran code in the grader's own process), and many evaluate eagerly at a cost the student
# chooses (factorial(Integer(10**9)), harmonic, prime, a derivative of order 10**6, ...).
_SAFE = ("Symbol", "Dummy", "Integer", "Rational", "Float", "Add", "Mul", "Pow", "exp", "log",
         "sin", "cos", "tan", "atan", "sinh", "cosh", "tanh", "Abs", "sign", "Min", "Max",
         "Piecewise", "ExprCondPair", "Equality", "Unequality", "StrictLessThan", "LessThan",
         "StrictGreaterThan", "GreaterThan", "And", "Or", "Not", "Tuple", "Sum", "Derivative",
         "MutableDenseMatrix", "ImmutableDenseMatrix", "Function")
_STR_ARG = ("Symbol", "Dummy", "Function", "Float")       # str first argument = a name or digits
_FLOAT_TEXT = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d{1,4})?$|^[-+]?(inf|nan)$")


def _sympy_names():
    import sympy as sp
    import sympy.functions.elementary.piecewise as pw
    names = {n: getattr(sp, n, None) or getattr(pw, n) for n in _SAFE}
    for n in ("oo", "zoo", "nan", "pi", "E", "I", "true", "false", "EulerGamma"):
        names[n] = getattr(sp, n)
    return names


_NAMES = None


def _check_call(sp, fn, args, kwargs):
    """Refuse arguments that would run code or cost the grader unbounded time or memory."""
    name = getattr(fn, "__name__", "")
    for k, a in enumerate(list(args) + list(kwargs.values())):
        if isinstance(a, str) and not (k == 0 and name in _STR_ARG and k < len(args)):
            raise ValueError("text where a sympy object belongs")
    if name == "Float":
        if args and isinstance(args[0], str) and not _FLOAT_TEXT.match(args[0].strip()):
            raise ValueError("not a number")
        prec = [v for v in list(args[1:]) + list(kwargs.values()) if isinstance(v, int)]
        if any(abs(v) > 2000 for v in prec):
            raise ValueError("precision too large")
    if name in ("Symbol", "Dummy", "Function") and any(len(a) > 200 for a in args if isinstance(a, str)):
        raise ValueError("name too long")
    if name == "Pow" and len(args) == 2 and isinstance(args[1], sp.Number) and args[1].is_finite:
        e = abs(args[1])
        if e > 1000:
            raise ValueError("power too large")
        if isinstance(args[0], sp.Rational):     # the exact result has about bits(base) * e bits
            bits = int(args[0].p).bit_length() + int(args[0].q).bit_length()
            if bits * float(e) > 1_000_000:
                raise ValueError("power too large")
    if name in ("Sum", "Derivative"):
        for lim in args[1:]:
            vals = list(lim)[1:] if isinstance(lim, (sp.Tuple, tuple, list)) else []
            for v in vals:
                if not isinstance(v, sp.Basic) or (v.is_number and v.is_finite and abs(v) > 10_000):
                    raise ValueError("a limit or an order too large")
            if name == "Derivative" and any(v.is_number and abs(v) > 20 for v in vals):
                raise ValueError("a derivative of too high an order")
        if len(args) > 6:
            raise ValueError("too many variables")
    if name in ("MutableDenseMatrix", "ImmutableDenseMatrix") and any(isinstance(a, int) for a in args):
        raise ValueError("matrices are sent as nested lists")


def parse_sympy(text: str, max_len: int = 200_000):
    """srepr text -> sympy object, allowing only the constructors in _SAFE, numbers, symbol names
    and keywords (never eval, and never a str where sympy would sympify() it)."""
    import sympy as sp
    global _NAMES
    if _NAMES is None:
        _NAMES = _sympy_names()
    if len(text) > max_len:
        raise ValueError("expression too large")
    tree = ast.parse(text, mode="eval")

    def build(node):
        if isinstance(node, ast.Constant):
            if isinstance(node.value, int) and abs(node.value) > 10**30:
                raise ValueError("number too large")
            if isinstance(node.value, str) and len(node.value) > 400:
                raise ValueError("text too long")
            if isinstance(node.value, (int, float, str, bool)) or node.value is None:
                return node.value
            raise ValueError("constant")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            v = build(node.operand)
            if isinstance(v, str):
                raise ValueError("text")
            return -v
        if isinstance(node, (ast.Tuple, ast.List)):
            items = [build(e) for e in node.elts]
            return items if isinstance(node, ast.List) else tuple(items)
        if isinstance(node, ast.Name) and node.id in _NAMES:
            return _NAMES[node.id]
        if isinstance(node, ast.Call):
            fn = build(node.func)
            if not (any(fn is _NAMES[n] for n in _SAFE) or isinstance(fn, sp.core.function.UndefinedFunction)):
                raise ValueError("call")
            args = [build(a) for a in node.args]
            kwargs = {k.arg: build(k.value) for k in node.keywords if k.arg}
            if any(not isinstance(v, (bool, int)) or isinstance(v, str) for k, v in kwargs.items()
                   if k != "precision"):
                raise ValueError("keyword")       # assumptions (positive=True), dummy_index, ...
            _check_call(sp, fn, args, kwargs)
            return fn(*args, **kwargs)
        raise ValueError(f"unexpected {type(node).__name__}")
    return build(tree.body)


# -- what an answer cell may use ------------------------------------------------------------------

BANNED = {
    "__import__": "imports by name",
    "importlib": "imports by name",
    "exec": "running code from strings",
    "eval": "running code from strings",
    "compile": "running code from strings",
    "globals": "reaching other modules' objects",
    "vars": "reaching other modules' objects",
    "getattr": "reaching objects by name",
    "builtins": "reaching loaded modules",
    "gc": "reaching loaded objects",
    "inspect": "reaching loaded objects",
    # imports by name in disguise: pickle.loads(b"c<module>\\n<name>\\n."), pkgutil.resolve_name,
    # runpy.run_module, operator.attrgetter("name"), a second Python, ...
    "pickle": "imports by name", "_pickle": "imports by name", "copyreg": "imports by name",
    "shelve": "imports by name", "marshal": "running stored code", "dill": "imports by name",
    "cloudpickle": "imports by name", "joblib": "imports by name", "pkgutil": "imports by name",
    "runpy": "running other modules", "code": "running code from strings",
    "codeop": "running code from strings", "ctypes": "reaching the interpreter's memory",
    "operator": "reaching objects by name", "subprocess": "running another Python",
    "multiprocessing": "running another Python", "zipimport": "imports by name",
}


BANNED_ATTRS = {a: "reaching loaded modules or other frames" for a in
                ("modules", "_getframe", "f_globals", "f_locals", "f_back", "gi_frame", "tb_frame",
                 "f_builtins", "cr_frame")}


def forbidden_use(source: str, question: Question) -> str | None:
    """A message when an answer cell imports or calls what the question asks the student to
    write (course_lib's own implementation), or reaches it indirectly; None when it is fine."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None                      # the run reports the syntax error itself
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for m in mods:
                top = m.split(".")[0]
                if top == "course_lib" and not any(m == a or m.startswith(a + ".") for a in question.allowed_modules):
                    return (f"imports `{m}`: this question asks you to write it yourself, so "
                            "answers may not use course_lib here (numpy and sympy are fine)")
                if top in BANNED:
                    return f"imports `{m}` ({BANNED[top]}), which answer cells may not use"
            if isinstance(node, ast.ImportFrom):
                for a in node.names:
                    if a.name in question.forbidden:
                        return f"imports `{a.name}`: {question.forbidden[a.name]}"
                    if a.name in BANNED_ATTRS or a.name in BANNED or a.name.startswith("__"):
                        return f"imports `{a.name}` from `{node.module}`, which answer cells may not use"
        elif isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            text = node.value.decode("latin-1") if isinstance(node.value, bytes) else node.value
            if "course_lib" in text or set(re.findall(r"__\w+__", text)) - {"__main__"}:   # pickle, sympify
                return ("holds a string naming course_lib or a double-underscore name (an import "
                        "in disguise), which answer cells may not use")
        elif isinstance(node, ast.Name):
            if node.id in question.forbidden:
                return f"uses `{node.id}`: {question.forbidden[node.id]}"
            if node.id in BANNED:
                return f"uses `{node.id}` ({BANNED[node.id]}), which answer cells may not use"
            if node.id.startswith("__") and node.id.endswith("__") and node.id != "__name__":
                return f"uses `{node.id}`, which answer cells may not use"
        elif isinstance(node, ast.Attribute):
            if node.attr in BANNED_ATTRS:
                return f"uses `.{node.attr}` ({BANNED_ATTRS[node.attr]}), which answer cells may not use"
            if node.attr.startswith("__") and node.attr.endswith("__"):
                return f"uses the attribute `{node.attr}`, which answer cells may not use"
            if node.attr in question.forbid_calls:
                return f"uses `.{node.attr}`: {question.forbid_calls[node.attr]}"
            if node.attr in question.forbidden:
                return f"uses `{node.attr}`: {question.forbidden[node.attr]}"
    return None


def lib(what: str) -> str:
    return (f"that is course_lib's own {what}, which this question asks you to write yourself "
            "(no credit for wrapping it)")
