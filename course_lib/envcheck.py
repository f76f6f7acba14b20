"""Say plainly what is installed, what is missing and what is too old (lesson 00's first cell).

Standard library only, and nothing here imports ``course_lib`` or any other package of the
course: lesson 00 loads this file by its path (``importlib.util.spec_from_file_location``), so
the check runs, and says what to do, even when nothing is installed yet. It also runs in a
terminal: ``python3 course_lib/envcheck.py``.

The minimum versions are read from ``pyproject.toml`` (the one place the dependencies are
declared), or, when the course was installed without its source folder, from the installed
package's metadata. Whether a package is there is asked with ``importlib.util.find_spec``
(nothing is imported), its version with ``importlib.metadata.version``. The report prints no
file paths, so the saved notebook holds nothing specific to one machine.

>>> minimums('dependencies = [\\n  "numpy>=1.24",\\n  "sympy>=1.12",\\n]\\nrequires-python = ">=3.10"')
({'numpy': '1.24', 'sympy': '1.12'}, '>=3.10')
>>> version_tuple("2.13.0+cpu") >= version_tuple("2.4")
True

What a student with an old numpy, no sympy and Python 3.9 would read (fakes for both):

>>> deps = 'dependencies = ["numpy>=1.24", "sympy>=1.12"]\\nrequires-python = ">=3.10"'
>>> r = environment_report(deps, installed={"numpy": "1.21.0", "course_lib": "0.1.0"}.get,
...                        python=(3, 9, 1))
>>> r.missing, r.too_old, r.python_ok, r.ok
(['sympy'], ['numpy'], False, False)
>>> print(r.text.splitlines()[-1])       # doctest: +NORMALIZE_WHITESPACE
PROBLEM: missing: sympy; too old: numpy; Python 3.9.1 is outside >=3.10. To fix: run
`python3 course.py lab` (Windows: `py course.py lab`; or `make lab`) in the repository folder,
then restart the kernel.
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
import pathlib
import platform
import re
import sys

__all__ = ["environment_report", "minimums", "version_tuple", "python_ok", "OPTIONAL", "Report"]

OPTIONAL = {
    "jupyterlab": "to open the course (course.py lab)",
    "nbval": "to test the notebooks (course.py test)",
    "nbgrader": "for the graded exercises (needs Python 3.11+)",
    "torch": "cross-checks against PyTorch (course.py test-torch)",
}
FIX = ("run `python3 course.py lab` (Windows: `py course.py lab`; or `make lab`) in the "
       "repository folder, then restart the kernel")


class Report:
    """What the check found. (A plain class, not a dataclass: a dataclass needs its module
    in ``sys.modules``, which a file loaded by path is not.)"""

    def __init__(self, python_ok=True):
        self.missing = []        # needed packages that are not installed
        self.too_old = []        # needed packages below their minimum version
        self.python_ok = python_ok
        self.text = ""

    @property
    def ok(self) -> bool:
        return not self.missing and not self.too_old and self.python_ok


def version_tuple(version: str) -> tuple:
    """The leading numbers of a version string: "2.13.0+cpu" -> (2, 13, 0)."""
    return tuple(int(n) for n in re.findall(r"\d+", version.split("+")[0].split("rc")[0])[:4])


def minimums(pyproject_text: str):
    """({package: minimum version}, requires-python) from the text of pyproject.toml."""
    block = re.search(r"^dependencies\s*=\s*\[(.*?)\]", pyproject_text, re.S | re.M)
    mins = dict(re.findall(r"[\"']([A-Za-z0-9_.\-]+)\s*>=\s*([0-9][0-9.]*)", block.group(1))) if block else {}
    py = re.search(r"^requires-python\s*=\s*[\"']([^\"']+)[\"']", pyproject_text, re.M)
    return mins, py.group(1) if py else ""


def _installed_minimums():
    """The same, from the metadata of an installed course_lib (no source folder around)."""
    try:
        reqs = importlib.metadata.requires("course_lib") or []
        py = importlib.metadata.metadata("course_lib").get("Requires-Python", "")
    except importlib.metadata.PackageNotFoundError:
        return {}, ""
    mins = {}
    for r in reqs:
        m = re.match(r"([A-Za-z0-9_.\-]+)\s*>=\s*([0-9][0-9.]*)", r)
        if m and "extra ==" not in r:
            mins[m.group(1)] = m.group(2)
    return mins, py


def _find_pyproject(start=None):
    """pyproject.toml of the course: beside the course_lib folder, or above the working
    directory (lesson 00 runs in notebooks/)."""
    here = pathlib.Path(__file__).resolve().parent.parent
    for folder in [here, *(start or pathlib.Path.cwd()).resolve().parents, pathlib.Path.cwd()]:
        p = folder / "pyproject.toml"
        if p.is_file() and 'name = "course_lib"' in p.read_text():
            return p
    return None


def python_ok(version: tuple, spec: str) -> bool:
    """Whether a Python version (major, minor) meets a spec such as ">=3.10" or ">=3.10,<3.15"."""
    for op, v in re.findall(r"(>=|<=|<|>|==)\s*([0-9.]+)", spec):
        have, want = tuple(version[:len(version_tuple(v))]), version_tuple(v)
        if not {">=": have >= want, "<=": have <= want, "<": have < want,
                ">": have > want, "==": have == want}[op]:
            return False
    return True


def _installed(name):
    """The installed version of a package, or None when it cannot be imported."""
    if importlib.util.find_spec(name.replace("-", "_")) is None:
        return None
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def environment_report(pyproject_text=None, installed=_installed, python=None) -> Report:
    """Check Python, every needed package (with its minimum) and the optional ones.

    ``installed(name)`` returns a version string or None; ``python`` is (major, minor, micro);
    both default to this interpreter (tests pass fakes).
    """
    if pyproject_text is None:
        p = _find_pyproject()
        mins, py_spec = minimums(p.read_text()) if p else _installed_minimums()
    else:
        mins, py_spec = minimums(pyproject_text)
    python = tuple(python or sys.version_info[:3])
    report = Report(python_ok=python_ok(python, py_spec) if py_spec else True)
    pyver = ".".join(map(str, python))
    lines = [f"Python {pyver}: " + ("ok" if report.python_ok else "NOT SUPPORTED")
             + (f" (the course needs {py_spec})" if py_spec else "")]
    if not mins:
        lines.append("  ? could not find the course's pyproject.toml: versions are not checked")
    for name, low in [*mins.items(), ("course_lib", None)]:
        v = installed(name)
        need = f"(needs >= {low})" if low else "(the course's own library)"
        if v is None:
            report.missing.append(name)
            status = "MISSING"
        elif low and v != "?" and version_tuple(v) < version_tuple(low):
            report.too_old.append(name)
            status = "TOO OLD"
        else:
            status = "ok"
        lines.append(f"  {status:<8} {name:<11} {v or '-':<11} {need}")
    for name, why in OPTIONAL.items():
        v = installed(name)
        lines.append(f"  {'ok' if v else 'absent':<8} {name:<11} {v or '-':<11} optional: {why}")
    if not report.ok:
        problems = ([f"missing: {', '.join(report.missing)}"] if report.missing else []) + \
                   ([f"too old: {', '.join(report.too_old)}"] if report.too_old else []) + \
                   ([f"Python {pyver} is outside {py_spec}"] if not report.python_ok else [])
        lines.append("PROBLEM: " + "; ".join(problems) + ". To fix: " + FIX + ".")
    else:
        lines.append("All needed packages are present and new enough.")
    report.text = "\n".join(lines)
    return report


if __name__ == "__main__":
    r = environment_report()
    print(r.text)
    sys.exit(0 if r.ok else 1)
