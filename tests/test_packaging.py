"""environment.yml (conda users) names the same packages as pyproject.toml (pip users), and the
supported Pythons are stated once in pyproject.toml and repeated equally everywhere else."""
import pathlib
import re
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")


def _bare(req: str) -> str:
    """A requirement without its environment marker (conda has none): "a>=1; python_version..."."""
    return req.split(";", 1)[0].replace(" ", "")


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def pyproject_packages():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    proj = data["project"]
    reqs = list(proj["dependencies"])
    for extra, items in proj["optional-dependencies"].items():
        if extra != "torch":
            reqs += items
    return {_name(r): _bare(r) for r in reqs}


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


def supported_statements(pyproject=None, environment=None, readme=None):
    """What each place says about the supported Pythons, in one comparable form:
    (minimum, [the current versions named])."""
    pyproject = pyproject if pyproject is not None else (ROOT / "pyproject.toml").read_text()
    environment = environment if environment is not None else (ROOT / "environment.yml").read_text()
    readme = readme if readme is not None else (ROOT / "README.md").read_text()
    proj = tomllib.loads(pyproject)["project"]
    minimum = re.fullmatch(r">=(3\.\d+)", proj["requires-python"]).group(1)
    named = [c.rsplit(" :: ", 1)[1] for c in proj["classifiers"]
             if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)]
    out = {"pyproject": (minimum, named)}
    conda = re.search(r"^\s*-\s*python\s*>=\s*(3\.\d+)\s*$", environment, re.M)
    out["environment.yml"] = (conda.group(1) if conda else None, named)
    # README: "**Supported Pythons:** 3.10 or newer: 3.11, 3.12, 3.13 and 3.14 are ..."
    line = re.search(r"\*\*Supported Pythons:\*\*\s*(3\.\d+) or newer(.*)", readme)
    out["README"] = ((line.group(1), sorted({line.group(1), *re.findall(r"3\.\d+", line.group(2))},
                                            key=lambda v: int(v.split(".")[1])))
                     if line else (None, []))
    return out


def test_supported_python_versions_agree():
    """One statement (pyproject's requires-python and classifiers); environment.yml and the
    README say the same; no upper cap."""
    said = supported_statements()
    assert said["pyproject"][0] == "3.10" and said["pyproject"][1][0] == "3.10"
    assert {"3.11", "3.12", "3.13", "3.14"} <= set(said["pyproject"][1])
    assert said["environment.yml"] == said["pyproject"], said
    assert said["README"] == said["pyproject"], said


def test_python_statement_drift_is_detected():
    env = (ROOT / "environment.yml").read_text().replace("python>=3.10", "python>=3.10,<3.13")
    readme = (ROOT / "README.md").read_text().replace("3.13 and 3.14", "3.13")
    said = supported_statements(environment=env, readme=readme)
    assert said["environment.yml"] != said["pyproject"]
    assert said["README"] != said["pyproject"]


def test_the_launcher_and_lesson_00_read_the_same_statement():
    """course.py and lesson 00's check (envcheck) both read requires-python from pyproject."""
    import importlib.util
    text = (ROOT / "pyproject.toml").read_text()
    spec = importlib.util.spec_from_file_location("course_launcher", ROOT / "course.py")
    course = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(course)
    from course_lib import envcheck
    assert course.requires_python(text) == envcheck.minimums(text)[1] == \
        tomllib.loads(text)["project"]["requires-python"]
    assert course.supported_pythons(text) == supported_statements()["pyproject"][1]
