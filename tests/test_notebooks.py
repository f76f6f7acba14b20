"""Notebook hygiene: committed executed with outputs, no stored errors except cells tagged
to raise, clean metadata, some COURSE_MAP id named, the course map in 00 complete.

notebooks/ holds the lessons (``NN_topic.ipynb``), their optional companions
(``NNb_topic_deep_dive.ipynb``, linked from lesson NN) and reference pages
(``notation_reference.ipynb``)."""
import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
LESSON = re.compile(r"\d\d_[a-z0-9_]+\.ipynb")                  # 05_momentum.ipynb
COMPANION = re.compile(r"(\d\d)b_[a-z0-9_]+_deep_dive\.ipynb")   # 05b_momentum_deep_dive.ipynb
REFERENCE = {"notation_reference.ipynb", "reference_card.ipynb", "instructor_guide.ipynb"}  # pages, not lessons
LESSONS = [p for p in NOTEBOOKS if LESSON.fullmatch(p.name)]
COMPANIONS = [p for p in NOTEBOOKS if COMPANION.fullmatch(p.name)]


def load(p):
    return json.loads(p.read_text())


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_committed_executed_and_clean(path):
    nb = load(path)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, "a lesson has code"
    counts = [c["execution_count"] for c in code]
    assert all(isinstance(n, int) for n in counts), "every code cell executed (make notebooks)"
    assert counts == sorted(counts), "executed top to bottom in one kernel"
    assert any(c["outputs"] for c in code), "outputs are committed"
    for c in code:
        tags = c.get("metadata", {}).get("tags", [])
        for o in c["outputs"]:
            if o["output_type"] == "error":
                assert "raises-exception" in tags, f"stored error {o['ename']} in an untagged cell"
        assert "execution" not in c.get("metadata", {}), "timing metadata is cleaned"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


#: random numbers that no seed controls: numpy's global generator, an argument-free
#: default_rng(), the stdlib's random module, or torch's global generator
UNSEEDED = re.compile(r"np\.random\.(rand|randn|randint|normal|uniform|choice|shuffle|permutation|"
                      r"random|standard_normal|binomial|poisson|exponential)\s*\("
                      r"|default_rng\(\s*\)|^\s*import random\b|^\s*from random import"
                      r"|torch\.(rand|randn|randint|randperm)\s*\(", re.M)


def unseeded_calls(src: str) -> list:
    """The places in `src` where random numbers come from no seed the lesson sets."""
    return [m.group(0).strip() for m in UNSEEDED.finditer(src)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_sys_path_hacks_and_seeded(path):
    src = "\n".join("".join(c["source"]) for c in load(path)["cells"] if c["cell_type"] == "code")
    assert "sys.path" not in src
    assert not unseeded_calls(src), "random numbers come from a seeded np.random.default_rng(seed)"


@pytest.mark.parametrize("snippet", [
    "x = np.random.randn(3)", "rng = np.random.default_rng()", "import random",
    "idx = np.random.permutation(10)", "from random import shuffle", "z = torch.randn(2)"])
def test_the_seed_check_catches_each_unseeded_source(snippet):
    assert unseeded_calls("rng = np.random.default_rng(0)\n" + snippet)


def test_the_seed_check_passes_seeded_code():
    assert not unseeded_calls("rng = np.random.default_rng(0)\nx = rng.normal(size=3)\n"
                              "g = torch.Generator().manual_seed(0)")


def test_every_notebook_is_a_lesson_a_companion_or_a_reference_page():
    odd = [p.name for p in NOTEBOOKS if not (LESSON.fullmatch(p.name) or COMPANION.fullmatch(p.name)
                                             or p.name in REFERENCE)]
    assert not odd, f"name lessons NN_topic.ipynb and deep dives NNb_topic_deep_dive.ipynb: {odd}"


@pytest.mark.parametrize("path", COMPANIONS, ids=[p.name for p in COMPANIONS])
def test_a_companion_has_its_lesson_and_is_linked_from_it(path):
    lesson = [p for p in LESSONS if p.name[:2] == path.name[:2]]
    assert len(lesson) == 1, f"{path.name} has no lesson {path.name[:2]}"
    text = "".join("".join(c["source"]) for c in load(lesson[0])["cells"])
    assert f"]({path.name})" in text, f"{lesson[0].name} does not link {path.name}"


def test_every_lesson_names_course_map_ids():
    for path in LESSONS + COMPANIONS:
        if path.name.startswith("00"):
            continue
        text = "".join("".join(c["source"]) for c in load(path)["cells"])
        assert re.search(r"\[[A-Z]{2,4}-\d\]", text), f"{path.name} names no COURSE_MAP id"


def test_start_here_links_every_lesson_and_every_link_resolves():
    nb = load(ROOT / "notebooks" / "00_start_here.ipynb")
    text = "".join("".join(c["source"]) for c in nb["cells"])
    links = set(re.findall(r"\]\((\d\d_[a-z0-9_]+\.ipynb)\)", text))
    lessons = {p.name for p in LESSONS if not p.name.startswith("00")}
    assert lessons <= links, f"lessons missing from the map: {sorted(lessons - links)}"
    assert links <= lessons, f"the map links lessons that do not exist: {sorted(links - lessons)}"


def test_start_here_links_the_notation_reference():
    text = "".join("".join(c["source"]) for c in load(ROOT / "notebooks" / "00_start_here.ipynb")["cells"])
    assert "](notation_reference.ipynb)" in text


# The COURSE_MAP ids (each in a heading of its own lesson) are checked in test_course_map.py.


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebooks_stay_small(path):
    assert path.stat().st_size < 4_000_000, f"{path.name} is {path.stat().st_size / 1e6:.1f} MB"
