"""The reference card (course_lib.card, notebooks/reference_card.ipynb): every row is checked
against the class it describes, so the card cannot say what the library does not do."""
import ast
import inspect
import json
import math
import pathlib

import pytest

from course_lib import card
from course_lib.batchnorm import BatchNorm
from course_lib.optimizers.registry import OPTIMIZERS

ROOT = pathlib.Path(__file__).resolve().parents[1]
CLASSES = {**OPTIMIZERS, "BatchNorm": BatchNorm}
PAIRS = [(c, name) for c in card.CONVENTIONS for name in c.applies_to]


def parse_call(text):
    """(dotted function name, positional names, {keyword: value}) of a call written as source."""
    call = ast.parse(text, mode="eval").body
    assert isinstance(call, ast.Call), text
    return (ast.unparse(call.func), [ast.unparse(a) for a in call.args],
            {k.arg: ast.literal_eval(k.value) for k in call.keywords})


def same(a, b):
    if isinstance(a, (tuple, list)):
        return isinstance(b, (tuple, list)) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, float) or isinstance(b, float):
        return not isinstance(a, bool) and not isinstance(b, bool) and math.isclose(a, b, rel_tol=1e-9)
    return a == b


# --- one row per class ---------------------------------------------------------------------------

def test_every_registered_optimizer_and_batch_norm_has_a_row():
    assert card.names() == [*OPTIMIZERS, "BatchNorm"]
    for r in card.rows():
        assert r.rule, f"{r.name}: no update rule found in its docstring"
        assert r.conventions, f"{r.name}: no convention on the card"
        assert r.symbols, f"{r.name}: no symbol from the notation table"


@pytest.mark.parametrize("name", card.names())
def test_the_defaults_shown_are_the_signature(name):
    r = card.row(name)
    func, positional, keywords = parse_call(r.course_call)
    module = "course_lib.batchnorm" if name == "BatchNorm" else "course_lib.optimizers"
    assert func == f"{module}.{name}"
    params = list(inspect.signature(CLASSES[name].__init__).parameters.values())[1:]
    assert positional == [p.name for p in params if p.default is p.empty]
    assert keywords == {p.name: p.default for p in params if p.default is not p.empty}
    assert set(r.example) == set(positional)


@pytest.mark.parametrize("name", card.names())
def test_the_torch_call_parses_back_to_the_torch_equivalent(name):
    r = card.row(name)
    eq = CLASSES[name](**r.example).torch_equivalent()
    func, positional, keywords = parse_call(r.torch_call)
    assert func == ("torch.nn." if name == "BatchNorm" else "torch.optim.") + eq.cls
    assert positional == ([] if name == "BatchNorm" else ["params"])
    assert list(keywords) == list(eq.kwargs)
    assert all(same(keywords[k], v) for k, v in eq.kwargs.items()), (keywords, eq.kwargs)
    assert r.torch == eq


def test_the_rules_come_from_the_docstrings():
    for name in card.names():
        doc = inspect.getdoc(CLASSES[name])
        for block in card.rule_blocks(name):
            assert block.split()[0] in doc.replace("$", " ") or name == "BatchNorm"
    assert any(r"\hat m_t" in b for b in card.rule_blocks("Adam"))
    assert any(r"\sigma_i^2 + \epsilon" in b for b in card.rule_blocks("BatchNorm"))


# --- the conventions, each run against its class ---------------------------------------------------

@pytest.mark.parametrize("convention,name", PAIRS,
                         ids=[f"{n}-{c.claim}" for c, n in PAIRS])
def test_each_convention_holds_for_its_class(convention, name):
    card.check(convention, name)


def test_the_conventions_the_issue_asks_for_are_on_the_card():
    topics = {(c.topic, n) for c in card.CONVENTIONS for n in c.applies_to}
    for want in [("eps placement", "Adam"), ("eps placement", "Adadelta"),
                 ("dampening", "Momentum"), ("dampening", "AveragedMomentum"),
                 ("weight decay", "Adam"), ("weight decay", "AdamW"),
                 ("bias correction", "Adam"), ("momentum direction", "BatchNorm"),
                 ("running variance", "BatchNorm")]:
        assert want in topics, want
    assert set(card.CLAIMS) == {c.claim for c in card.CONVENTIONS}, "a claim no entry uses"
    assert all(n in CLASSES for c in card.CONVENTIONS for n in c.applies_to)


WRONG = [   # (claim, a class it is false for): the card must refuse each
    ("eps outside root", "Adadelta"),          # Adadelta's eps is inside both roots
    ("eps inside roots", "Adam"),              # Adam's is outside the root
    ("eps inside max", "Adam"),                # Adam has no max (the claim cannot even run)
    ("undamped velocity", "AveragedMomentum"),  # M is damped by (1 - gamma)
    ("averaged momentum", "Momentum"),         # heavy ball is not
    ("L2 coupled", "AdamW"),                   # AdamW decouples the decay
    ("decoupled decay", "Adam"),               # Adam's weight_decay is L2
    ("skip after flip", "SGD"),                # SGD steps after a sign flip
    ("no weight decay", "SGD"),
    ("lr inside velocity", "AveragedMomentum"),
    ("BN momentum", "BatchNorm"),              # shown below with a wrong direction
]


@pytest.mark.parametrize("claim,name", WRONG[:-1], ids=[f"{n}-{c}" for c, n in WRONG[:-1]])
def test_a_wrong_convention_entry_fails(claim, name):
    wrong = card.Convention("wrong on purpose", (name,), "a false statement", claim)
    with pytest.raises(AssertionError, match=f"{name}, wrong on purpose"):
        card.check(wrong, name)
    assert len(card.problems([wrong])) == 1


def test_a_wrong_batch_norm_direction_fails(monkeypatch):
    """torch_equivalent saying momentum = gamma (the old value's weight) is caught."""
    from course_lib.optimizers.base import TorchEquivalent
    monkeypatch.setattr(BatchNorm, "torch_equivalent", lambda self: TorchEquivalent(
        "BatchNorm1d", {"num_features": self.n, "eps": self.eps, "momentum": self.gamma}))
    (c,) = [c for c in card.CONVENTIONS if c.claim == "BN momentum"]
    with pytest.raises(AssertionError, match="1 - gamma"):
        card.check(c, "BatchNorm")


def test_every_entry_on_the_card_holds():
    assert card.problems() == []


def test_show_refuses_to_render_a_false_convention(monkeypatch):
    wrong = card.Convention("eps placement", ("Adam",), "eps inside the root", "eps inside roots")
    monkeypatch.setattr(card, "CONVENTIONS", card.CONVENTIONS + [wrong])
    with pytest.raises(AssertionError, match="eps placement"):
        card.show("Adam")


def test_bad_names_are_refused_with_the_list():
    with pytest.raises(ValueError, match="name must be one of the card's rows"):
        card.show("Adamm")
    with pytest.raises(ValueError, match="at least one name"):
        card.show()
    with pytest.raises(ValueError, match="applies to"):
        card.check(card.CONVENTIONS[0], "SGD")
    with pytest.raises(ValueError, match="key of CLAIMS"):
        card.check(card.Convention("x", ("SGD",), "x", "no such claim"), "SGD")


# --- the rendering ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", card.names())
def test_each_section_reads_well(name):
    text = card.show(name).text
    assert text.startswith("### ") and "**course_lib:** `course_lib." in text
    assert "**PyTorch:** `torch." in text and "✓" in text
    assert text.count("$$") % 2 == 0 and text.replace("$$", "").count("$") % 2 == 0
    assert '\\"' not in text and "0000000" not in text     # no escaped quotes, no float noise
    assert len(text) < 4000, "keep one output under MathJax's ~4 kB"


def test_the_summary_has_one_line_per_row():
    text = card.summary().text
    lines = [ln for ln in text.splitlines() if ln.startswith("| ") and "---" not in ln]
    assert len(lines) == 1 + len(card.names())
    assert "maximize" not in "".join(lines)


def test_the_notebook_shows_the_library_as_it_is_now():
    nb = json.loads((ROOT / "notebooks" / "reference_card.ipynb").read_text())
    shown = []
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if cell["cell_type"] != "code" or "card." not in src or "import" in src:
            continue
        out = "".join(cell["outputs"][0]["data"]["text/markdown"])
        expected = eval(src, {"card": card}).text       # card.show("Adam") or card.summary()
        assert out == expected, f"re-execute reference_card.ipynb ({src})"
        shown += [n for n in card.names() if src == f'card.show("{n}")']
    assert shown == card.names(), "one section per row, in the card's order"


@pytest.mark.torch
@pytest.mark.parametrize("name", card.names())
def test_the_torch_call_builds_in_torch(name):
    torch = pytest.importorskip("torch")
    r = card.row(name)
    params = [torch.zeros(3, requires_grad=True)]
    obj = eval(r.torch_call, {"torch": torch, "params": params})
    assert type(obj).__name__ == r.torch.cls
