"""The notation table covers every hyperparameter name the optimizers take, every library
argument it names exists where it says, and the reused letters are flagged."""
import importlib
import inspect
import re

import pytest

from course_lib import optimizers as O
from course_lib.notation import NOTATION, REUSED, notation_markdown

#: `module.function(arg=)` in the course_lib column: pass `arg` to course_lib.module.function
REFERENCE = re.compile(r"`(\w+)\.(\w+)\((\w+)=\)`")


def test_every_optimizer_argument_is_in_the_table():
    names = " ".join(row[2] for row in NOTATION)
    missing = set()
    for name in dir(O):
        cls = getattr(O, name)
        if inspect.isclass(cls) and issubclass(cls, O.Optimizer) and cls is not O.Optimizer:
            for arg in inspect.signature(cls.__init__).parameters:
                if arg != "self" and f"`{arg}`" not in names and f"({arg}=)`" not in names:
                    missing.add(f"{cls.__name__}({arg})")
    assert not missing, f"add to course_lib/notation.py: {sorted(missing)}"


def references(text):
    return REFERENCE.findall(text)


def unknown_references(rows):
    """The `module.function(arg=)` references whose argument the signature lacks."""
    bad = []
    for row in rows:
        for module, func, arg in references(row[2]):
            obj = getattr(importlib.import_module(f"course_lib.{module}"), func, None)
            if obj is None or arg not in inspect.signature(obj).parameters:
                bad.append(f"{module}.{func}({arg}=)")
    return bad


def test_every_named_library_argument_exists_in_its_signature():
    refs = [r for row in NOTATION for r in references(row[2])]
    assert len(refs) >= 30                       # the Part I rows are written this way
    assert unknown_references(NOTATION) == []


@pytest.mark.parametrize("wrong", ["`minibatch.minibatches(batch_size=)`",    # the old name
                                   "`kmeans.fit_kmeans(k=)`", "`schedules.nowhere(c=)`"])
def test_a_wrong_reference_is_caught(wrong):
    assert unknown_references([("$b$", "minibatch size", wrong, "")]) != []


def test_part_one_symbols_are_in_the_table():
    symbols = " ".join(row[0] for row in NOTATION)
    for sym in ["$N$", "$L(W)$", "$b$", r"$\bar w_k$", r"$\sigma$, $\sigma^2$", "factor",
                "patience", "$K$ (K-means)", "$K$ (batch norm)", r"$\eta$ (Shamir-Zhang)",
                r"$\rho$ (Part I)", "$c_j$"]:
        assert sym in symbols, sym
    b_row = next(row for row in NOTATION if row[0] == "$b$")
    assert "batch_size" not in b_row[2] and "(b=)" in b_row[2]      # the library says b


def test_reused_letters_are_flagged():
    text = " ".join(REUSED)
    for letter in [r"$\eta$", r"$\rho$", "$K$", r"$\sigma$"]:
        assert letter in text, letter
    assert "Adadelta" in text and "Shamir" in text and "K-means" in text


def test_markdown_has_one_row_per_symbol_then_the_notes():
    md = notation_markdown()
    table, notes = md.split("\n\n", 1)
    assert table.count("\n") == len(NOTATION) + 1
    assert notes.count("\n- ") == len(REUSED)


def test_every_row_has_a_unique_key_and_keys_lists_them():
    from course_lib.notation import keys
    assert keys() == [row.key for row in NOTATION] and len(set(keys())) == len(NOTATION)
    for key in ["W", "J", "g", "t", "eta", "gamma", "V", "M", "beta1", "beta2", "m", "v", "eps", "kappa"]:
        assert key in keys(), key
    assert all(row.symbol == row[0] and row.course_lib == row[2] for row in NOTATION)


def test_notation_box_shows_the_rows_asked_for_in_order():
    from course_lib.notation import notation_box
    box = notation_box("gamma", "eta")
    md = box._repr_markdown_()
    lines = [line for line in md.splitlines() if line.startswith("| $")]
    assert len(lines) == 2 and lines[0].startswith(r"| $\gamma$") and lines[1].startswith(r"| $\eta$")
    assert "| symbol | meaning | course_lib | PyTorch |" in md
    text = repr(box)
    assert text.splitlines()[0].startswith("gamma:") and "`lr`" in text


@pytest.mark.parametrize("bad, close", [("gama", "gamma"), ("beta", "beta1"), ("Eta", "eta")])
def test_an_unknown_key_names_close_keys(bad, close):
    from course_lib.notation import notation_box
    with pytest.raises(ValueError, match=f"'{bad}'.*{close}"):
        notation_box("eta", bad)


def test_notation_box_needs_a_key():
    from course_lib.notation import notation_box
    with pytest.raises(ValueError, match="at least one key"):
        notation_box()
