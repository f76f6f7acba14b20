"""environment.yml (conda users) names the same packages as pyproject.toml (pip users)."""
import pathlib
import re
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def pyproject_packages():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    proj = data["project"]
    reqs = list(proj["dependencies"])
    for extra, items in proj["optional-dependencies"].items():
        if extra != "torch":
            reqs += items
    return {_name(r): r.replace(" ", "") for r in reqs}


def environment_packages(text=None):
    text = text if text is not None else (ROOT / "environment.yml").read_text()
    out = {}
    text = text.split("dependencies:", 1)[1]
    for line in text.splitlines():
        m = re.match(r"^\s*-\s*([A-Za-z0-9_.\-]+)\s*([<>=!~].*)?$", line)
        if m and m.group(1) not in ("python", "pip"):
            out[m.group(1).lower()] = (m.group(1) + (m.group(2) or "")).replace(" ", "")
    return out


def test_same_packages_and_versions_in_both_files():
    assert pyproject_packages() == environment_packages()


def test_drift_is_detected():
    text = (ROOT / "environment.yml").read_text().replace("  - sympy>=1.12\n", "")
    assert pyproject_packages() != environment_packages(text)


def test_supported_python_versions_agree():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert data["project"]["requires-python"] == ">=3.10,<3.13"
    assert "python>=3.10,<3.13" in (ROOT / "environment.yml").read_text()
