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
