"""The "In PyTorch" box (course_lib.in_pytorch): its code is the TorchEquivalent written out,
it shows an install line without torch, and with torch it reports agreement, or a difference
when the mapping is wrong."""
from __future__ import annotations

import json
import math
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest

from course_lib import in_pytorch
from course_lib.averages import mean_gammas
from course_lib.batchnorm import BatchNorm
from course_lib.optimizers import (AdaMax, Adadelta, Adagrad, Adam, AdamW, AMSGrad,
                                   AveragedMomentum, Momentum, Nesterov, RMSprop, Rprop,
                                   TorchEquivalent)
from course_lib.optimizers.registry import OPTIMIZERS, build

from optimizer_cases import CASES

ROOT = pathlib.Path(__file__).resolve().parents[1]

#: one instance of every optimizer the registry lists, away from the defaults where it can be
REGISTERED = {name: build(cls, lr=0.05, gamma=0.8) for name, cls in OPTIMIZERS.items()}
#: every setting of the shared optimizer table (options, schedules, maximize)
SETTINGS = [(f"{c.id}-{i}", make) for c in CASES for i, make in enumerate([c.make, *c.variants])]
LAYERS = {"default": lambda: BatchNorm(4), "batch-first": lambda: BatchNorm(3, eps=1e-3, axis=0),
          "gamma=0.5": lambda: BatchNorm(2, gamma=0.5),
          "mean_gammas": lambda: BatchNorm(3, gamma=mean_gammas)}


class _Recorder:
    """A stand-in for torch: ``torch.optim.SGD(params, lr=0.1)`` returns what was called."""

    def __init__(self, path=("torch",)):
        self.path = path

    def __getattr__(self, name):
        return _Recorder(self.path + (name,))

    def __call__(self, *args, **kwargs):
        return ".".join(self.path), args, kwargs


def run_snippet(obj):
    """Execute the box's code for ``obj`` against the stand-in: (called, args, kwargs)."""
    ns = {"torch": _Recorder(), "params": "PARAMS"}
    exec(in_pytorch.snippet(obj), ns)
    return ns["opt"] if "opt" in ns else ns["bn"]


def same(a, b):
    if isinstance(a, (tuple, list)):
        return isinstance(b, (tuple, list)) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, float) or isinstance(b, float):
        return (not isinstance(a, bool) and not isinstance(b, bool)
                and math.isclose(a, b, rel_tol=1e-14, abs_tol=0.0))
    return a == b


# --- the code is the TorchEquivalent, written out ------------------------------------------

def _check_code_is_the_torch_equivalent(obj):
    te = obj.torch_equivalent()
    called, args, kwargs = run_snippet(obj)
    kind = "nn" if isinstance(obj, BatchNorm) else "optim"
    assert called == f"torch.{kind}.{te.cls}"
    assert args == (("PARAMS",) if kind == "optim" else ())
    expected = {k: v for k, v in te.kwargs.items() if not (k == "maximize" and v is False)}
    assert kwargs.keys() == expected.keys(), obj
    assert all(same(kwargs[k], v) for k, v in expected.items()), (obj, kwargs, expected)
    text = in_pytorch.snippet(obj)
    assert f"# course_lib: {obj!r}" in text.splitlines()[0]
    unwrapped = text.replace("\n#   ", " ")
    for fact in (te.exact_when, te.change_of_variables, te.notes):
        assert fact in unwrapped
    assert all(len(l) <= in_pytorch.WIDTH for l in text.splitlines()[1:] if l.startswith("#"))


@pytest.mark.parametrize("name", list(REGISTERED))
def test_the_code_is_each_registered_optimizers_torch_equivalent(name):
    """Running the box's text gives torch exactly the class and arguments the optimizer
    declares (maximize=False, torch's default, left out), and every fact it declares is shown."""
    _check_code_is_the_torch_equivalent(REGISTERED[name])


@pytest.mark.parametrize("make", [m for _, m in SETTINGS], ids=[i for i, _ in SETTINGS])
def test_the_code_follows_every_setting_of_the_optimizer_table(make):
    _check_code_is_the_torch_equivalent(make())


@pytest.mark.parametrize("make", list(LAYERS.values()), ids=list(LAYERS))
def test_the_code_is_batch_norms_torch_equivalent(make):
    _check_code_is_the_torch_equivalent(make())


def test_batch_norm_without_a_torch_layer_says_so():
    bn = BatchNorm(3, eps_mode="sigma")
    text = in_pytorch.snippet(bn).replace("\n#   ", " ")
    assert "PyTorch has no equivalent" in text and bn.torch_equivalent().notes in text
    assert "torch.nn" not in text


def test_a_changed_torch_equivalent_changes_the_code(monkeypatch):
    """The box keeps no copy of its own: change what the class declares and the code follows."""
    changed = TorchEquivalent("SGD", {"lr": 0.5, "momentum": 0.25, "dampening": 0.25},
                              exact_when="never", notes="a made-up note")
    monkeypatch.setattr(Momentum, "torch_equivalent", lambda self: changed)
    text = in_pytorch.snippet(Momentum(lr=0.1, gamma=0.9))
    assert run_snippet(Momentum(lr=0.1, gamma=0.9))[2] == changed.kwargs
    assert "# same iterates when: never" in text and "# note: a made-up note" in text


COMMENTS = [  # (object, torch argument, the course symbol its comment must name)
    (Momentum(lr=0.1, gamma=0.9), "lr", "eta"),
    (Momentum(lr=0.1, gamma=0.9), "momentum", "gamma"),
    (RMSprop(lr=0.1, gamma=0.9, momentum=0.5), "alpha", "gamma"),
    (RMSprop(lr=0.1, gamma=0.9, momentum=0.5), "momentum", "mu"),
    (Adam(), "betas", "beta_1, beta_2"),
    (Adam(), "eps", "epsilon"),
    (AdamW(), "weight_decay", "lambda"),
    (Adadelta(), "rho", "rho"),
    (Adagrad(lr=0.1), "initial_accumulator_value", "G_0"),
    (Rprop(lr=0.1), "etas", "(eta_minus, eta_plus)"),
    (Rprop(lr=0.1), "step_sizes", "(delta_min, delta_max)"),
    (BatchNorm(4), "momentum", "1 - gamma"),
    (BatchNorm(4), "num_features", "n_l"),
]


@pytest.mark.parametrize("obj, arg, symbol", COMMENTS, ids=[f"{type(o).__name__}.{a}" for o, a, _ in COMMENTS])
def test_each_argument_is_commented_with_its_course_symbol(obj, arg, symbol):
    """The comments come from the notation table's PyTorch column (course_lib.notation)."""
    line = next(l for l in in_pytorch.snippet(obj).splitlines() if l.strip().startswith(f"{arg}="))
    assert line.split("# ")[1] == symbol


def test_every_number_argument_gets_a_symbol():
    """Only on/off switches (nesterov, amsgrad, maximize) may go without a symbol."""
    for obj in [*REGISTERED.values(), BatchNorm(4)]:
        for line in in_pytorch.snippet(obj).splitlines():
            if re.match(r"    \w+=", line) and "#" not in line:
                assert re.match(r"    \w+=(True|False),$", line), (obj, line)


# --- installing torch ----------------------------------------------------------------------

def pyproject_extra(name):
    text = (ROOT / "pyproject.toml").read_text()
    m = re.search(r"^" + name + r"\s*=\s*\[(.*?)\]", text, re.M | re.S)
    return re.findall(r'"([^"]+)"', m.group(1))


def test_the_install_line_names_the_pyproject_extra():
    assert in_pytorch.torch_requirement() in pyproject_extra("torch")
    assert in_pytorch.torch_requirement().startswith("torch==")
    hint = in_pytorch.install_hint()
    assert "python3 course.py test-torch" in hint and f'pip install "{in_pytorch.torch_requirement()}"' in hint


def test_the_install_line_falls_back_to_plain_torch(monkeypatch):
    monkeypatch.setattr(in_pytorch.importlib.metadata, "requires", lambda name: ["numpy>=1.24"])
    assert in_pytorch.torch_requirement() == "torch"


WITHOUT_TORCH = """
import json, sys
sys.modules["torch"] = None          # import torch now fails, as when it is not installed
from course_lib import in_pytorch
from course_lib.batchnorm import BatchNorm
from course_lib.optimizers import Adagrad, Momentum
boxes = [in_pytorch.show(Momentum(lr=0.1, gamma=0.9)),
         in_pytorch.show(Adagrad(lr=0.1), Momentum(lr=0.2)),
         in_pytorch.show(BatchNorm(3), backward=True)]
print(json.dumps([{"text": str(b), "html": b._repr_html_(), "code": b.code, "lines": list(b.lines),
                   "ran": b.torch_ran} for b in boxes]))
"""


def test_without_torch_the_box_shows_the_code_and_one_install_line():
    out = subprocess.run([sys.executable, "-c", WITHOUT_TORCH], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    boxes = json.loads(out.stdout)
    hint = in_pytorch.install_hint()
    for b in boxes:
        assert b["lines"] == [hint] and b["ran"] is False
        assert b["text"] == "In PyTorch\n\n" + b["code"] + "\n\n" + hint
        assert "In PyTorch" in b["html"] and "pip install &quot;torch" in b["html"]
    assert boxes[0]["code"] == in_pytorch.snippet(Momentum(lr=0.1, gamma=0.9))
    assert boxes[1]["code"].count("# course_lib:") == 2
    assert "torch.nn.BatchNorm1d(" in boxes[2]["code"]


def test_importing_the_box_does_not_import_torch():
    code = "import sys, course_lib.in_pytorch; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- bad input, and errors while running ----------------------------------------------------

def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="at least one object"):
        in_pytorch.show()
    with pytest.raises(TypeError, match="optimizers and BatchNorm"):
        in_pytorch.show(object())
    for steps in (0, 1001, 2.5, True):
        with pytest.raises(ValueError, match=r"^steps must be an integer in \[1, 1000\]"):
            in_pytorch.show(Momentum(lr=0.1), steps=steps)
    for seed in (-1, 0.5, None):
        with pytest.raises(ValueError, match=r"^seed must be a non-negative integer"):
            in_pytorch.show(Momentum(lr=0.1), seed=seed)
    with pytest.raises(ValueError, match="^backward=True"):
        in_pytorch.show(Momentum(lr=0.1), backward=True)
    with pytest.raises(ValueError, match="^te replaces one object"):
        in_pytorch.show(Momentum(lr=0.1), Adam(), te=Adam().torch_equivalent())


def test_an_error_while_running_becomes_a_line_not_an_exception(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("something torch did")
    monkeypatch.setattr(in_pytorch, "_import_torch", lambda: None)
    monkeypatch.setattr(in_pytorch, "optimizer_paths", broken)
    box = in_pytorch.show(Momentum(lr=0.1, gamma=0.9))
    assert box.torch_ran and len(box.lines) == 1
    assert "could not run (RuntimeError: something torch did) ✗" in box.lines[0]


def test_a_broken_torch_install_is_reported_not_raised(monkeypatch):
    def broken():
        raise OSError("libtorch_cpu.so: cannot open shared object file")
    monkeypatch.setattr(in_pytorch, "_import_torch", broken)
    box = in_pytorch.show(Momentum(lr=0.1, gamma=0.9))
    assert not box.torch_ran and box.lines == (
        "torch is installed but could not be imported "
        "(OSError: libtorch_cpu.so: cannot open shared object file) ✗",)


def test_the_html_is_escaped_and_holds_the_same_text():
    box = in_pytorch.Box("x = a < b  # <tag>", ("line & more ✓",), True)
    page = box._repr_html_()
    assert "&lt;tag&gt;" in page and "line &amp; more ✓" in page and "<tag>" not in page
    assert str(box) == repr(box) == "In PyTorch\n\nx = a < b  # <tag>\n\nline & more ✓"


# --- the lessons ------------------------------------------------------------------------------

#: lesson -> what its box cell must show
LESSON_BOXES = {
    "05_momentum": ["Momentum(", "AveragedMomentum("],
    "06_nesterov": ["Nesterov("],
    "07_adaptive_step_sizes": ["Adagrad(", "RMSprop(", "Adadelta(", "Rprop("],
    "08_adam": ["Adam(", "AdamW(", "AMSGrad(", "AdaMax("],
    "10_batchnorm_forward": ["BatchNorm("],
    "11_batchnorm_backward": ["BatchNorm(", "backward=True"],
}


def _src(cell):
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


@pytest.mark.parametrize("lesson", list(LESSON_BOXES))
def test_each_lesson_has_one_box_after_an_in_pytorch_heading(lesson):
    cells = json.loads((ROOT / "notebooks" / f"{lesson}.ipynb").read_text())["cells"]
    at = [i for i, c in enumerate(cells) if c["cell_type"] == "code" and in_pytorch.MARKER in _src(c)]
    assert len(at) == 1, f"{lesson}: {len(at)} cells call {in_pytorch.MARKER}"
    i = at[0]
    head = _src(cells[i - 1])
    assert cells[i - 1]["cell_type"] == "markdown" and head.startswith("### In PyTorch")
    sentences = re.findall(r"[.!?](?:\s|$)", head.split("\n", 1)[1].strip())
    assert 2 <= len(sentences) <= 4, f"{lesson}: the box's text has {len(sentences)} sentences"
    before = "".join(_src(c) for c in cells[:i] if c["cell_type"] == "markdown")
    assert "## Deep dive" not in before, f"{lesson}: the box is in a deep-dive section"
    for shown in LESSON_BOXES[lesson]:
        assert shown in _src(cells[i]), f"{lesson}: the box does not show {shown}"
    outputs = cells[i].get("outputs", [])
    assert any("In PyTorch" in "".join(o.get("data", {}).get("text/plain", "")) for o in outputs)


# --- with torch: agreement, and a wrong mapping caught ----------------------------------------

def _gap_in(line):
    return float(re.search(r"(?:\|difference\||differ by) (\S+)", line).group(1))


@pytest.mark.torch
@pytest.mark.parametrize("name", list(REGISTERED))
def test_every_registered_optimizer_agrees_with_torch(name):
    pytest.importorskip("torch")
    box = in_pytorch.show(REGISTERED[name])
    assert box.torch_ran and len(box.lines) == 1
    line = box.lines[0]
    assert line.endswith("✓") and "✗" not in line, line
    assert _gap_in(line) <= 1e-12
    grad, w0 = in_pytorch._quadratic(0)
    ours, theirs = in_pytorch.optimizer_paths(REGISTERED[name], grad, w0, 20)
    assert ours.shape == theirs.shape == (21, len(w0))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.torch
@pytest.mark.parametrize("make", [m for _, m in SETTINGS], ids=[i for i, _ in SETTINGS])
def test_every_setting_agrees_with_torch_where_the_class_says_it_does(make):
    """Agreement (✓) for every setting of the optimizer table, schedules included, except a
    schedule on a class whose match holds for a constant lr only: there the box says ✗ and
    names the condition."""
    pytest.importorskip("torch")
    opt = make()
    te = opt.torch_equivalent()
    line = in_pytorch.show(opt).lines[0]
    if callable(opt.lr) and te.exact_when == "constant lr":
        assert "✗ they differ by" in line and "only when: constant lr" in line, line
    else:
        assert line.endswith("✓") and _gap_in(line) <= 1e-12, line


WRONG = [  # (object, a wrong TorchEquivalent: the mistakes the course warns about)
    ("averaged momentum given dampening=gamma",
     AveragedMomentum(lr=1.0, gamma=0.9),
     TorchEquivalent("SGD", {"lr": 1.0, "momentum": 0.9, "dampening": 0.9})),
    ("averaged momentum without the factor 1 - gamma on lr",
     AveragedMomentum(lr=0.1, gamma=0.9),
     TorchEquivalent("SGD", {"lr": 0.1, "momentum": 0.9})),
    ("heavy ball given momentum = 1 - gamma", Momentum(lr=0.1, gamma=0.9),
     TorchEquivalent("SGD", {"lr": 0.1, "momentum": 0.1})),
    ("Nesterov without nesterov=True", Nesterov(lr=0.1, gamma=0.9),
     TorchEquivalent("SGD", {"lr": 0.1, "momentum": 0.9})),
    ("RMSprop given alpha = 1 - gamma", RMSprop(lr=0.01, gamma=0.9),
     TorchEquivalent("RMSprop", {"lr": 0.01, "alpha": 0.1})),
    ("Adam given eps under the root's scale", Adam(lr=0.1, eps=1e-3),
     TorchEquivalent("Adam", {"lr": 0.1, "eps": 1e-3 ** 2})),
    ("AdamW as Adam with L2", AdamW(lr=0.1, weight_decay=0.1),
     TorchEquivalent("Adam", {"lr": 0.1, "weight_decay": 0.1})),
    ("AMSGrad without amsgrad=True", AMSGrad(lr=0.1, beta2=0.5),
     TorchEquivalent("Adam", {"lr": 0.1, "betas": (0.9, 0.5)})),
    ("AdaMax as Adam", AdaMax(lr=0.1), TorchEquivalent("Adam", {"lr": 0.1})),
]


@pytest.mark.torch
@pytest.mark.parametrize("obj, te", [(o, t) for _, o, t in WRONG], ids=[w[0] for w in WRONG])
def test_a_wrong_optimizer_mapping_is_reported_as_a_difference(obj, te):
    pytest.importorskip("torch")
    box = in_pytorch.show(obj, te=te)
    line = box.lines[0]
    assert "✗ they differ by" in line and "✓" not in line, line
    assert _gap_in(line) > 1e-6
    assert f"torch.optim.{te.cls}(" in box.code       # the wrong code is what is shown


@pytest.mark.torch
@pytest.mark.parametrize("make", list(LAYERS.values()), ids=list(LAYERS))
def test_batch_norm_agrees_with_torch_forward_running_statistics_and_gradients(make):
    pytest.importorskip("torch")
    line = in_pytorch.show(make(), backward=True).lines[0]
    for quantity in ("outputs", "running mean", "running variance", "dZ, dG, dB"):
        gap = float(re.search(re.escape(quantity) + r" (\S+) ✓", line).group(1))
        assert gap <= 1e-12, line
    assert "✗" not in line


@pytest.mark.torch
def test_the_results_of_batch_norm_are_the_layers_and_torchs():
    """batchnorm_results compares what it says: a check by hand of one quantity."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    bn = BatchNorm(2, gamma=0.7)
    batches = [rng.normal(size=(5, 2)) for _ in range(3)]
    res = in_pytorch.batchnorm_results(bn, batches)
    layer = torch.nn.BatchNorm1d(2, momentum=0.3).double()
    for X in batches:
        layer(torch.tensor(X))
    np.testing.assert_allclose(res["running mean"][1], layer.running_mean.numpy(), rtol=1e-15)
    np.testing.assert_allclose(res["running mean"][0], layer.running_mean.numpy(), rtol=1e-12)
    assert bn.t == 0 and np.all(bn.running_var == 1)          # the layer given was not run


BN_WRONG = [
    ("momentum = gamma, the wrong direction", BatchNorm(3, gamma=0.9),
     TorchEquivalent("BatchNorm1d", {"num_features": 3, "eps": 1e-5, "momentum": 0.9}),
     ["running mean", "running variance"]),
    ("another eps", BatchNorm(3, eps=1e-5),
     TorchEquivalent("BatchNorm1d", {"num_features": 3, "eps": 1e-1, "momentum": 0.1}),
     ["outputs", "dZ, dG, dB"]),
]


@pytest.mark.torch
@pytest.mark.parametrize("bn, te, wrong", [b[1:] for b in BN_WRONG], ids=[b[0] for b in BN_WRONG])
def test_a_wrong_batch_norm_mapping_is_reported(bn, te, wrong):
    pytest.importorskip("torch")
    line = in_pytorch.show(bn, te=te, backward=True).lines[0]
    for quantity in wrong:
        assert re.search(re.escape(quantity) + r" \S+ ✗", line), line
    assert "the same results only when" in line


@pytest.mark.torch
def test_the_biased_running_variance_is_reported_as_a_difference():
    """unbiased_running_var=False is outside the declared condition: the box says so."""
    pytest.importorskip("torch")
    line = in_pytorch.show(BatchNorm(3, unbiased_running_var=False)).lines[0]
    assert re.search(r"running variance \S+ ✗", line) and re.search(r"outputs \S+ ✓", line)
    assert "only when: unbiased_running_var=True" in line


@pytest.mark.torch
def test_the_box_leaves_the_objects_it_is_given_unchanged():
    pytest.importorskip("torch")
    bn = BatchNorm(3)
    bn.G[:] = [1.5, 0.5, 2.0]
    opt = Momentum(lr=0.1, gamma=0.9)
    before = (bn.G.copy(), bn.running_mean.copy(), bn.running_var.copy(), bn.t, repr(opt))
    box = in_pytorch.show(opt, bn, backward=True)
    assert all(l.endswith("✓") for l in box.lines), box.lines
    after = (bn.G, bn.running_mean, bn.running_var, bn.t, repr(opt))
    assert all(np.array_equal(a, b) for a, b in zip(before[:3], after[:3])) and before[3:] == after[3:]
