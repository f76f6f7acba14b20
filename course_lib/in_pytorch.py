r"""The "In PyTorch" box: the torch code that gives a course class's results, and a live check.

One entry point, :func:`show`, takes one or more course objects (optimizers of
:mod:`course_lib.optimizers`, a :class:`~course_lib.batchnorm.BatchNorm` layer) and returns a
:class:`Box` that a notebook displays (HTML, with a plain-text fallback)::

    from course_lib import in_pytorch
    in_pytorch.show(Momentum(lr=0.1, gamma=0.9))

Everything in the box is read from the object's own ``torch_equivalent()``
(:class:`~course_lib.optimizers.base.TorchEquivalent`): the constructor call is written out
from its ``cls`` and ``kwargs``, each argument commented with the course symbol it carries
(looked up in :data:`course_lib.notation.NOTATION`), and the traps are its ``exact_when``,
``change_of_variables`` and ``notes``, printed as they are. Nothing here restates a convention.

With torch importable the box also RUNS both sides on the same small float64 problem and
prints one line per object: the largest difference and ✓, or ✗ and by how much.

* An optimizer runs ``steps`` updates on a fixed quadratic
  $J(W) = \frac12 W^\top A W - b^\top W$ (curvatures in $[0.2, 1]$, drawn from ``seed``); torch's
  parameter is compared with the point where course_lib takes its gradient
  (``eval_point``: the iterate itself, Nesterov's look-ahead point), since torch takes the
  gradient at its parameter. Under an lr schedule torch's lr is set before each step to the
  ``torch_lr()`` the class states for that step's lr.
* A batch-norm layer sees a few training batches: outputs and running mean and variance are
  compared with ``torch.nn.BatchNorm1d``'s, and with ``backward=True`` the gradients with
  respect to the input, the gain and the shift with torch's autograd.

The torch object is built from the same ``cls`` and ``kwargs`` the text is written from (a
test runs the text and gets the same arguments back). Without torch the box shows the code
and one line saying how to install it. The box never raises because of torch: an error
while running becomes a line in the box. torch is imported inside a function, only when a
box runs.

>>> from course_lib.optimizers import Momentum
>>> print(snippet(Momentum(lr=0.1, gamma=0.9)))
# course_lib: Momentum(lr=0.1, gamma=0.9)
opt = torch.optim.SGD(
    params,
    lr=0.1,            # eta
    momentum=0.9,      # gamma
    weight_decay=0.0,  # lambda
)
# same iterates when: constant lr
# note: V = lr * momentum_buffer; keep torch's default dampening=0 (dampening=gamma is
#   another rule)
"""
from __future__ import annotations

import copy
import html
import importlib.metadata
import inspect
import re
import textwrap
from dataclasses import dataclass

import numpy as np

from .batchnorm import BatchNorm
from .notation import NOTATION
from .optimizers.base import Optimizer, TorchEquivalent
from .trace import minimize

__all__ = ["show", "Box", "snippet", "optimizer_paths", "batchnorm_results",
           "torch_requirement", "install_hint", "MARKER", "TOL"]

#: the text that identifies a notebook cell holding a box (CI runs those notebooks with torch)
MARKER = "in_pytorch.show("
#: agreement threshold: max |difference| <= TOL * max(1, largest |value|)
TOL = 1e-12
#: the width the box's comment lines are wrapped at
WIDTH = 92
#: the extra of pyproject.toml that installs torch
EXTRA = "torch"


# ---------------------------------------------------------------------------------------------
# The code text, from the TorchEquivalent

def _fmt(value) -> str:
    """A value as Python source: floats at 15 significant digits (0.1 * 0.9 shows as 0.09,
    and evaluating the text gives the float back to within 1e-15)."""
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(f"{float(value):.15g}"))
    if isinstance(value, (int, np.integer)):
        return repr(int(value))
    if isinstance(value, tuple):
        return "(" + ", ".join(_fmt(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return repr(value)


def _kind(obj) -> str:
    """Where torch keeps the counterpart: "nn" for a layer (BatchNorm), "optim" otherwise."""
    return "nn" if isinstance(obj, BatchNorm) else "optim"


def _shown_kwargs(te: TorchEquivalent) -> dict:
    """The arguments written out: all of them but ``maximize=False`` (every optimizer takes
    it, torch's default is False too)."""
    return {k: v for k, v in te.kwargs.items() if not (k == "maximize" and v is False)}


_SEGMENT = re.compile(r"`([^`]*)`")


def _plain(symbol: str) -> str:
    r"""A LaTeX symbol as plain text: ``$\beta_1$`` -> ``beta_1``, ``$\bar g_t$`` -> ``gbar_t``."""
    first = symbol.split("$, $")[0].split(" (")[0]
    text = re.sub(r"\\bar\s*(\w)", r"\1bar", first)
    text = re.sub(r"\\(min|max)\b", r"\1", text)
    return text.replace("\\", "").replace("$", "").replace("{", "").replace("}", "")


def _names_an_argument(row, obj) -> bool:
    """Whether the notation row's course_lib column names an argument of ``obj``'s constructor
    (``lr``, or ``BatchNorm(n=)``): rows about other functions that share a torch name (a
    DataLoader's ``lr``) are left out."""
    cls = type(obj).__name__
    args = list(inspect.signature(type(obj).__init__).parameters)[1:]
    return any(f"`{a}`" in row.course_lib or f"{cls}({a}=)" in row.course_lib for a in args)


def _symbol_comment(obj, cls: str, arg: str) -> str:
    """The course symbol behind argument ``arg`` of torch class ``cls``, from the notation
    rows that name an argument of ``obj``: a backticked ``Cls(arg=)`` in the PyTorch column
    first, then ``arg`` alone, then ``arg[i]`` or ``arg = expression`` (shown as the
    expression). "" when no row names it, or its row has no symbol (``maximize``)."""
    ranked = {0: [], 1: [], 2: []}
    for row in (r for r in NOTATION if _names_an_argument(r, obj) and _plain(r.symbol) != "—"):
        for seg in _SEGMENT.findall(row.pytorch):
            seg = seg.strip()
            qualified = re.match(r"(\w+)\((.*)\)$", seg)
            expression = re.match(rf"{arg}\s*=\s*(.+)$", seg)
            if qualified:
                if qualified.group(1) == cls and re.search(rf"\b{arg}\b", qualified.group(2)):
                    ranked[0].append(_plain(row.symbol))
            elif seg == arg:
                ranked[1].append(_plain(row.symbol))
            elif expression:
                ranked[2].append(expression.group(1))
            elif re.match(rf"{arg}\[\d\]$", seg):
                ranked[2].append(_plain(row.symbol))
    for rank in (0, 1, 2):
        if ranked[rank]:
            return ", ".join(dict.fromkeys(ranked[rank]))
    return ""


def snippet(obj, te: TorchEquivalent | None = None) -> str:
    """The box's code for one object: its course_lib repr, the torch constructor (one argument
    a line, each with the course symbol), and the TorchEquivalent's conditions and notes
    (``te`` replaces the object's own TorchEquivalent)."""
    te = obj.torch_equivalent() if te is None else te
    lines = [f"# course_lib: {obj!r}"]
    if te.cls is None:
        lines += _comment("PyTorch has no equivalent" + (f": {te.notes}" if te.notes else ""))
        return "\n".join(lines)
    kind = _kind(obj)
    name = "opt" if kind == "optim" else "bn"
    args = ([("params", "")] if kind == "optim" else []) + [
        (f"{k}={_fmt(v)},", _symbol_comment(obj, te.cls, k)) for k, v in _shown_kwargs(te).items()]
    width = max(len(a) for a, _ in args)
    lines.append(f"{name} = torch.{kind}.{te.cls}(")
    for a, comment in args:
        a = a if a.endswith(",") else a + ","
        lines.append(f"    {a:<{width}}  # {comment}" if comment else f"    {a}")
    lines.append(")")
    what = "iterates" if kind == "optim" else "results"
    lines += _comment(f"same {what} when: {te.exact_when}")
    if te.change_of_variables:
        lines += _comment(f"change of variables: {te.change_of_variables}")
    if te.notes:
        lines += _comment(f"note: {te.notes}")
    return "\n".join(lines)


def _comment(text, width=WIDTH):
    """``# text``, wrapped at ``width`` characters (continuation lines indented)."""
    return textwrap.wrap(text, width, initial_indent="# ", subsequent_indent="#   ",
                         break_long_words=False, break_on_hyphens=False)


# ---------------------------------------------------------------------------------------------
# Installing torch

def torch_requirement() -> str:
    """The requirement of the ``torch`` extra (``torch==2.13.0``), read from the installed
    course_lib's metadata; plain ``torch`` when the metadata is not there."""
    try:
        requires = importlib.metadata.requires("course_lib") or []
    except importlib.metadata.PackageNotFoundError:
        requires = []
    for req in requires:
        spec, _, marker = req.partition(";")
        if re.search(rf"""extra\s*==\s*["']{EXTRA}["']""", marker):
            return spec.strip().replace(" ", "")
    return "torch"


def install_hint() -> str:
    """The one line the box shows when torch cannot be imported."""
    return ("torch is not installed here; to run this box: python3 course.py test-torch "
            f'(installs the CPU build), or pip install "{torch_requirement()}"')


# ---------------------------------------------------------------------------------------------
# Running both sides

def _quadratic(seed, n=4):
    """(grad, w0): J(W) = W^T A W / 2 - b^T W with curvatures in [0.2, 1], from ``seed``."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    A = Q @ np.diag(rng.uniform(0.2, 1.0, size=n)) @ Q.T
    b = rng.normal(size=n)
    return (lambda w: A @ w - b), rng.normal(size=n)


def _torch_lr_at(opt, t):
    """torch's lr before step t under a schedule: the class's own ``torch_lr()`` for a
    constant lr equal to the schedule's value eta_t (Adagrad's lr_decay is left to torch)."""
    return type(opt)(**{**opt.hyperparameters(), "lr": opt.lr(t)}).torch_lr()


def _import_torch():
    import torch       # the optional extra: imported only when a box runs
    return torch


def _build(torch, te, params=None):
    """The torch object the TorchEquivalent describes, from its data (the box's text is the
    same data written out; tests/test_in_pytorch.py runs that text to check): an optimizer
    of ``params``, or a layer when no params are given."""
    if params is None:
        return getattr(torch.nn, te.cls)(**te.kwargs)
    return getattr(torch.optim, te.cls)(params, **te.kwargs)


def optimizer_paths(opt, grad, w0, steps, point=None, torch_lr=None, te=None):
    """Run ``opt`` (through the course's driver :func:`course_lib.trace.minimize`) and the
    torch optimizer its TorchEquivalent describes (``te`` overrides it) for ``steps`` updates
    from ``w0`` with gradient ``grad``; return (ours, theirs), both (updates+1, n): our point
    torch tracks (``point(opt, w, state)``, default ``eval_point``) and torch's parameter.
    Fewer than ``steps`` updates only if our run diverged (``minimize`` stops it). Under a
    schedule torch's lr is set before each step t (to ``torch_lr(t)`` when given); with a
    constant lr torch keeps the one it was built with."""
    torch = _import_torch()
    te = opt.torch_equivalent() if te is None else te
    point = point or (lambda o, w, s: o.eval_point(w, s))
    if torch_lr is None and callable(opt.lr):           # a schedule: the class says how
        def torch_lr(t):
            return _torch_lr_at(opt, t)
    w0 = np.array(w0, dtype=np.float64)
    tr = minimize(opt, grad, w0.copy(), steps, keep_states=True)
    ours = [point(opt, w, s) for w, s in zip(tr.ws, tr.states)]
    p = torch.tensor(w0.copy(), dtype=torch.float64, requires_grad=True)
    topt = _build(torch, te, [p])
    theirs = [w0.copy()]
    for t in range(1, len(ours)):
        if torch_lr is not None:
            topt.param_groups[0]["lr"] = torch_lr(t)
        p.grad = torch.from_numpy(np.asarray(grad(p.detach().numpy()), dtype=np.float64))
        topt.step()
        theirs.append(p.detach().numpy().copy())
    return np.array(ours, dtype=np.float64), np.array(theirs)


def _layout(bn, X):
    """A batch-first array (K x n_l) in the layer's layout (axis=1: n_l x K, as the notes)."""
    return X if bn.axis == 0 else X.T


def batchnorm_results(bn, batches, dZhat=None, te=None) -> dict:
    """Run a COPY of ``bn`` (its G, B, statistics and t are left alone) and the torch layer
    of its TorchEquivalent (``te`` overrides it) in training mode on ``batches`` (batch first,
    K x n_l each). Return {quantity: (ours, theirs)}: "outputs" (all batches), "running mean",
    "running variance", and with ``dZhat`` (batch first, for the last batch) "dZ, dG, dB"."""
    torch = _import_torch()
    te = bn.torch_equivalent() if te is None else te
    ours_bn = copy.deepcopy(bn)
    layer = _build(torch, te).double()
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(np.array(bn.G, dtype=np.float64)))
        layer.bias.copy_(torch.from_numpy(np.array(bn.B, dtype=np.float64)))
    layer.train()
    outs, touts = [], []
    for X in batches:
        outs.append(_layout(bn, ours_bn.forward(_layout(bn, X))))
        x = torch.tensor(X, dtype=torch.float64, requires_grad=dZhat is not None)
        y = layer(x)
        touts.append(y.detach().numpy().copy())
    out = {"outputs": (np.array(outs), np.array(touts)),
           "running mean": (ours_bn.running_mean, layer.running_mean.numpy().copy()),
           "running variance": (ours_bn.running_var, layer.running_var.numpy().copy())}
    if dZhat is not None:
        dZ, dG, dB = ours_bn.backward(_layout(bn, dZhat))
        y.backward(torch.from_numpy(np.array(dZhat, dtype=np.float64)))
        ours = np.concatenate([_layout(bn, dZ).ravel(), dG, dB])
        theirs = np.concatenate([x.grad.numpy().ravel(), layer.weight.grad.numpy(),
                                 layer.bias.grad.numpy()])
        out["dZ, dG, dB"] = (ours, theirs)
    return out


def _gap(ours, theirs) -> tuple[float, bool]:
    """(max |difference|, agree?) with the relative threshold :data:`TOL`."""
    ours, theirs = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    if ours.shape != theirs.shape or not (np.isfinite(ours).all() and np.isfinite(theirs).all()):
        return float("inf"), False
    gap = float(np.max(np.abs(ours - theirs))) if ours.size else 0.0
    return gap, gap <= TOL * max(1.0, float(np.max(np.abs(theirs))) if theirs.size else 1.0)


def _mark(gap, ok) -> str:
    return f"{gap:.1e} ✓" if ok else f"{gap:.1e} ✗"


def _optimizer_line(opt, te, steps, seed) -> str:
    grad, w0 = _quadratic(seed)
    ours, theirs = optimizer_paths(opt, grad, w0, steps, te=te)
    gap, ok = _gap(ours, theirs)
    head = f"torch.optim.{te.cls}(...) and course_lib {type(opt).__name__}(...): {steps} steps, "
    if len(ours) < steps + 1:
        return head + (f"the course run diverged on the check problem after {len(ours) - 1} "
                       f"updates; try a smaller lr ✗")
    if ok:
        where = " (torch's parameter against course_lib's gradient point)" \
            if te.change_of_variables else ""
        return head + f"max |difference| {gap:.1e}{where} ✓"
    first = int(np.argmax(np.max(np.abs(ours - theirs), axis=1) >
                          TOL * max(1.0, float(np.max(np.abs(theirs))))))
    return head + (f"✗ they differ by {gap:.1e} (from step {first} on); "
                   f"the same iterates only when: {te.exact_when}")


def _batchnorm_line(bn, te, backward, seed, K=8, T=5) -> str:
    rng = np.random.default_rng(seed)
    mean, scale = rng.normal(size=bn.n) * 2, rng.uniform(0.5, 3.0, size=bn.n)
    batches = [mean + scale * rng.normal(size=(K, bn.n)) for _ in range(T)]
    dZhat = rng.normal(size=(K, bn.n)) if backward else None
    results = batchnorm_results(bn, batches, dZhat, te=te)
    parts, all_ok = [], True
    for name, (ours, theirs) in results.items():
        gap, ok = _gap(ours, theirs)
        all_ok &= ok
        parts.append(f"{name} {_mark(gap, ok)}")
    head = (f"torch.nn.{te.cls}(...) and course_lib {type(bn).__name__}(...): {T} training "
            f"batches of {K}; max |difference|: ")
    tail = "" if all_ok else f"; the same results only when: {te.exact_when}"
    return head + ", ".join(parts) + tail


def _result_line(obj, te, steps, seed, backward) -> str:
    """The check's one line for one object; never raises (an error is reported in the line)."""
    if te.cls is None:
        return f"course_lib {type(obj).__name__}(...): no torch equivalent to run"
    try:
        if isinstance(obj, BatchNorm):
            return _batchnorm_line(obj, te, backward, seed)
        return _optimizer_line(obj, te, steps, seed)
    except Exception as e:      # the box reports, never raises, whatever torch does
        return (f"course_lib {type(obj).__name__}(...): the torch check could not run "
                f"({type(e).__name__}: {e}) ✗")


# ---------------------------------------------------------------------------------------------
# The box

_STYLE = ("background:#f6f8fa;color:#1f2328;border:1px solid #d0d7de;border-radius:6px;"
          "padding:6px 12px;margin:4px 0")
_MONO = "font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px"


@dataclass(frozen=True)
class Box:
    """What :func:`show` returns: the code, and one result line per object (or the install
    hint). A notebook shows it as HTML; ``print(box)`` or text/plain gives the same text."""
    code: str
    lines: tuple
    torch_ran: bool

    def __str__(self) -> str:
        return "In PyTorch\n\n" + self.code + "\n\n" + "\n".join(self.lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        lines = "".join(f"<div style='{_MONO}'>{html.escape(l)}</div>" for l in self.lines)
        return (f"<div style='{_STYLE}'><div style='font-weight:600'>In PyTorch</div>"
                f"<pre style='{_MONO};background:none;margin:4px 0;padding:0;white-space:pre'>"
                f"{html.escape(self.code)}</pre>{lines}</div>")


def _check_object(obj):
    if not isinstance(obj, (Optimizer, BatchNorm)):
        raise TypeError(f"show takes course_lib optimizers and BatchNorm layers, got "
                        f"{type(obj).__name__}: {obj!r}")


def show(*objs, steps: int = 20, seed: int = 0, backward: bool = False, te=None) -> Box:
    """The "In PyTorch" box for one or more course objects (optimizers, a BatchNorm layer).

    steps: updates each optimizer runs on the check problem (1 to 1000); seed: the check
    problem's seed; backward: also compare a BatchNorm layer's gradients with torch autograd;
    te: a TorchEquivalent to use instead of the object's own (one object only; the tests feed
    a wrong one to see the box report ✗). The objects themselves are not changed."""
    if not objs:
        raise ValueError("show needs at least one object, e.g. show(Momentum(lr=0.1, gamma=0.9))")
    for obj in objs:
        _check_object(obj)
    if not (isinstance(steps, (int, np.integer)) and not isinstance(steps, bool)
            and 1 <= steps <= 1000):
        raise ValueError(f"steps must be an integer in [1, 1000] (updates on the check problem), "
                         f"got {steps!r}")
    if not (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0):
        raise ValueError(f"seed must be a non-negative integer (the check problem's seed), "
                         f"got {seed!r}")
    if backward and not any(isinstance(o, BatchNorm) for o in objs):
        raise ValueError("backward=True compares batch norm's gradients; it needs a BatchNorm "
                         "layer among the objects")
    if te is not None and len(objs) != 1:
        raise ValueError(f"te replaces one object's TorchEquivalent; give one object, "
                         f"got {len(objs)}")
    tes = [obj.torch_equivalent() if te is None else te for obj in objs]
    code = "\n\n".join(snippet(o, t) for o, t in zip(objs, tes))
    try:
        _import_torch()
    except ImportError:
        return Box(code, (install_hint(),), False)
    except Exception as e:      # a broken install: say so, in the box
        return Box(code, (f"torch is installed but could not be imported "
                          f"({type(e).__name__}: {e}) ✗",), False)
    lines = tuple(_result_line(o, t, int(steps), seed, backward) for o, t in zip(objs, tes))
    return Box(code, lines, True)
