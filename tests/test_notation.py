"""The notation table covers every hyperparameter name the optimizers take."""
import inspect

from course_lib import optimizers as O
from course_lib.notation import NOTATION, notation_markdown


def test_every_optimizer_argument_is_in_the_table():
    names = " ".join(row[2] for row in NOTATION)
    missing = set()
    for name in dir(O):
        cls = getattr(O, name)
        if inspect.isclass(cls) and issubclass(cls, O.Optimizer) and cls is not O.Optimizer:
            for arg in inspect.signature(cls.__init__).parameters:
                if arg != "self" and f"`{arg}`" not in names:
                    missing.add(f"{cls.__name__}({arg})")
    assert not missing, f"add to course_lib/notation.py: {sorted(missing)}"


def test_markdown_has_one_row_per_symbol():
    assert notation_markdown().count("\n") == len(NOTATION) + 1
