"""The layers of course_lib, checked by reading every import (relative ones included).

From the bottom up; a module may import from its own layer and from the layers it lists:

* ground (``_checks``, ``symmath``): numpy; ``symmath`` may import sympy inside a function,
  reached only when an argument is already a sympy object;
* core (everything not named below): numpy, and the ground;
* proofs (``proofs.py``): sympy, and the core;
* plotting (``plotting/``): matplotlib (PIL and IPython come with it), and the core;
* interactive (``widgets/``, ``quiz.py``, ``polls.py``): ipywidgets and IPython, plotting, the core;
* standalone (``envcheck.py``, loaded by its path before anything is installed): the
  standard library only, no course_lib.

One module of the core has one extra: ``in_pytorch.py`` (the "In PyTorch" box) may import
torch, the optional extra, but only inside a function, so importing it never loads torch.

The standard library is allowed everywhere. :func:`violations` takes the sources as text, so
the tests below can show it failing on each kind of forbidden import.
"""
import ast
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1] / "course_lib"
STDLIB = set(sys.stdlib_module_names)

#: layer -> (the third-party packages it may import, the course_lib layers it may import)
LAYERS = {
    "ground": ({"numpy"}, {"ground"}),
    "core": ({"numpy"}, {"ground", "core"}),
    "proofs": ({"sympy", "numpy"}, {"ground", "core", "proofs"}),
    "plotting": ({"matplotlib", "PIL", "IPython", "numpy"}, {"ground", "core", "plotting"}),
    "interactive": ({"ipywidgets", "IPython", "numpy"},
                    {"ground", "core", "plotting", "interactive"}),
    "standalone": (set(), set()),
}
#: (layer, package) pairs allowed only inside a function, never at module level
LAZY_ONLY = {("ground", "sympy")}
#: (module path below course_lib, package) pairs: that one module may import the package,
#: only inside a function
LAZY_IN_MODULE = {("in_pytorch.py", "torch")}


def layer_of(parts):
    """The layer of course_lib module ``parts`` (path parts below course_lib, or dotted name
    parts after ``course_lib``; the package itself is core)."""
    head = parts[0].removesuffix(".py") if parts else "__init__"
    if head in ("_checks", "symmath"):
        return "ground"
    if head == "proofs":
        return "proofs"
    if head == "plotting":
        return "plotting"
    if head in ("widgets", "quiz", "polls"):
        return "interactive"
    if head == "envcheck":
        return "standalone"
    return "core"


def imports(rel, source):
    """(module imported, line, inside a function?) for every import of the file ``rel`` (a
    path below course_lib), relative imports resolved to absolute dotted names."""
    package = ["course_lib", *rel.parts[:-1]]
    tree = ast.parse(source)
    in_function = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            in_function.update(id(n) for n in ast.walk(node) if n is not node)
    for node in ast.walk(tree):
        lazy = id(node) in in_function
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, node.lineno, lazy
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module != "course_lib":
                yield node.module, node.lineno, lazy
                continue
            if node.level == 0:                    # from course_lib import plotting
                for a in node.names:
                    yield f"course_lib.{a.name}", node.lineno, lazy
                continue
            base = package[:len(package) - node.level + 1]
            if node.module:
                yield ".".join(base + [node.module]), node.lineno, lazy
            else:                                  # from . import optimizers
                for a in node.names:
                    yield ".".join(base + [a.name]), node.lineno, lazy


def violations(sources):
    """Every forbidden import in ``sources`` ({path below course_lib: source text})."""
    bad = []
    for rel, source in sources.items():
        layer = layer_of(rel.parts)
        packages, below = LAYERS[layer]
        for module, line, lazy in imports(rel, source):
            top = module.split(".")[0]
            where = f"{rel}:{line} ({layer}) imports {module}"
            if top == "course_lib":
                target = layer_of(module.split(".")[1:])
                if target not in below:
                    bad.append(f"{where}, a module of the {target} layer")
            elif top in STDLIB:
                continue
            elif (layer, top) in LAZY_ONLY or (rel.as_posix(), top) in LAZY_IN_MODULE:
                if not lazy:
                    bad.append(f"{where} at module level; only inside a function")
            elif top not in packages:
                bad.append(f"{where}, which the {layer} layer may not use")
    return bad


def the_sources():
    return {p.relative_to(ROOT): p.read_text() for p in sorted(ROOT.rglob("*.py"))}


def test_every_import_respects_the_layers():
    bad = violations(the_sources())
    assert not bad, "layering broken:\n" + "\n".join(bad)


def test_every_module_is_checked_and_every_layer_is_populated():
    sources = the_sources()
    assert len(sources) > 30
    layers = {layer_of(rel.parts) for rel in sources}
    assert layers == set(LAYERS)


# one forbidden import per row: (file, the line added to it, a phrase the report must contain)
FORBIDDEN = [
    ("schedules.py", "from .plotting import curves", "the plotting layer"),
    ("schedules.py", "from .widgets import explorer", "the interactive layer"),
    ("plotting/landscapes.py", "from ..widgets import progress", "the interactive layer"),
    ("schedules.py", "from . import plotting", "the plotting layer"),
    ("schedules.py", "from course_lib import plotting", "the plotting layer"),
    ("plotting/curves.py", "from course_lib import widgets", "the interactive layer"),
    ("trace.py", "from course_lib import averages, proofs", "the proofs layer"),
    ("trace.py", "import course_lib.plotting.curves", "the plotting layer"),
    ("trace.py", "from course_lib.widgets.explorer import Explorer", "the interactive layer"),
    ("optimizers/sgd.py", "from ..plotting.style import new_axes", "the plotting layer"),
    ("optimizers/sgd.py", "from ..proofs import check_equal", "the proofs layer"),
    ("plotting/curves.py", "from ..proofs import check_equal", "the proofs layer"),
    ("widgets/explorer.py", "from ..proofs import Proof", "the proofs layer"),
    ("proofs.py", "from .plotting import curves", "the plotting layer"),
    ("_checks.py", "from .tree import leaves", "the core layer"),
    ("_checks.py", "from .optimizers.base import Optimizer", "the core layer"),
    ("averages.py", "import sympy", "may not use"),
    ("averages.py", "def f():\n    import sympy", "may not use"),
    ("optimizers/base.py", "import matplotlib.pyplot as plt", "may not use"),
    ("landscapes.py", "import ipywidgets", "may not use"),
    ("plotting/curves.py", "import ipywidgets", "may not use"),
    ("plotting/curves.py", "import sympy", "may not use"),
    ("symmath.py", "import sympy", "at module level"),
    ("envcheck.py", "import numpy", "may not use"),
    ("envcheck.py", "from . import _checks", "the ground layer"),
    ("schedules.py", "import pandas", "may not use"),
    ("in_pytorch.py", "import torch", "at module level"),
    ("in_pytorch.py", "from torch import optim", "at module level"),
    ("in_pytorch.py", "from IPython.display import HTML", "may not use"),
    ("schedules.py", "def f():\n    import torch", "may not use"),
    ("optimizers/sgd.py", "import torch", "may not use"),
]


@pytest.mark.parametrize("path, line, phrase", FORBIDDEN, ids=[f"{p}: {l}" for p, l, _ in FORBIDDEN])
def test_the_check_fails_on_a_forbidden_import(path, line, phrase):
    sources = the_sources()
    rel = next(k for k in sources if k.as_posix() == path)
    sources[rel] = sources[rel] + "\n" + line + "\n"
    bad = violations(sources)
    assert len(bad) == 1 and bad[0].startswith(f"{path}:") and phrase in bad[0], bad


ALLOWED = [
    ("symmath.py", "def f(x):\n    import sympy\n    return sympy.sign(x)"),
    ("widgets/progress.py", "from ..plotting import curves"),
    ("plotting/curves.py", "from ..landscapes import quadratic"),
    ("proofs.py", "from .averages import running_average"),
    ("landscapes.py", "from . import symmath"),
    ("_checks.py", "from .symmath import is_numeric"),
    ("in_pytorch.py", "def f():\n    import torch\n    return torch.optim"),
    ("plotting/curves.py", "from course_lib import averages"),
]


@pytest.mark.parametrize("path, line", ALLOWED, ids=[f"{p}: {l.splitlines()[-1]}" for p, l in ALLOWED])
def test_the_check_passes_an_allowed_import(path, line):
    sources = the_sources()
    rel = next(k for k in sources if k.as_posix() == path)
    sources[rel] = sources[rel] + "\n" + line + "\n"
    assert violations(sources) == []


def test_importing_the_core_does_not_load_heavy_packages():
    import subprocess
    code = ("import sys, course_lib.averages, course_lib.optimizers, course_lib.trace, "
            "course_lib.landscapes, course_lib.batchnorm; "
            "print(sorted(m for m in ('sympy','matplotlib','ipywidgets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_importing_the_widget_modules_loads_neither_matplotlib_nor_ipywidgets():
    """Both are imported inside the functions that build a widget or a figure."""
    import subprocess
    code = ("import sys, course_lib.widgets.explorer, course_lib.widgets.averages, "
            "course_lib.plotting.averages, course_lib.plotting.landscapes; "
            "print(sorted(m for m in ('matplotlib','ipywidgets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
