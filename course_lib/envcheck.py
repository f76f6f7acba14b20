"""Say plainly what is installed and what is missing (used by lesson 00)."""
from __future__ import annotations

import importlib.metadata
import platform
import sys
from dataclasses import dataclass

__all__ = ["environment_report", "NEEDED", "OPTIONAL"]

NEEDED = ["numpy", "sympy", "matplotlib", "ipywidgets", "course_lib"]
OPTIONAL = {
    "jupyterlab": "to open the course (make lab)",
    "nbval": "to test the notebooks (make test)",
    "nbgrader": "for the graded exercises (instructors)",
    "torch": "optional cross-checks against PyTorch (make test-torch)",
}


@dataclass
class Report:
    missing: list
    text: str


def _version(name):
    """The installed version, read from package metadata (no import: torch alone takes seconds)."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def environment_report() -> Report:
    lines = [f"Python {platform.python_version()} ({sys.executable})"]
    ok = (3, 10) <= sys.version_info[:2] <= (3, 12)
    if not ok:
        lines.append("  ! the course supports Python 3.10 to 3.12")
    missing = []
    for name in NEEDED:
        v = _version(name)
        lines.append(f"  {'ok ' if v else 'MISSING'} {name:<11} {v or '-> run make lab (or pip install -e .)'}")
        if not v:
            missing.append(name)
    for name, why in OPTIONAL.items():
        v = _version(name)
        lines.append(f"  {'ok ' if v else 'absent '} {name:<11} {v or ''}  ({why})")
    lines.append("All needed packages are present." if not missing else
                 "Missing: " + ", ".join(missing) + ". Run `make lab` from the repository folder.")
    return Report(missing, "\n".join(lines))
