"""The numerical core imports only numpy (and the standard library); sympy lives in proofs,
matplotlib only in plotting/ (the widgets draw through it), ipywidgets only in the interactive
tools (widgets/ and quiz.py). Checked by reading the imports."""
import ast
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1] / "course_lib"
ALLOWED = {
    "proofs.py": {"sympy"},
    "plotting": {"matplotlib", "IPython", "PIL"},  # PIL comes with matplotlib
    "widgets": {"ipywidgets", "IPython"},          # figures come from plotting/
    "quiz.py": {"ipywidgets", "IPython"},
}
STDLIB = set(sys.stdlib_module_names)


def imports(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0], node.lineno


def test_core_imports_only_numpy():
    bad = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        extra = ALLOWED.get(rel.parts[0], set())
        for mod, line in imports(path):
            if mod in STDLIB or mod in ("numpy", "course_lib") or mod in extra:
                continue
            # sympy may be imported lazily inside a function for symbolic helpers (sign, Max)
            if mod == "sympy" and rel.parts[0] == "optimizers":
                continue
            bad.append(f"{rel}:{line} imports {mod}")
    assert not bad, "layering broken:\n" + "\n".join(bad)


def test_importing_the_core_does_not_load_heavy_packages():
    import subprocess
    code = ("import sys, course_lib.averages, course_lib.optimizers, course_lib.trace; "
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
