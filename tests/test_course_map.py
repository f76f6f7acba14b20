"""The syllabus ids: each COURSE_MAP id is named in a markdown heading of its own lesson
(lesson NN, or its companion ``NNb_<topic>_deep_dive.ipynb``).

The id -> lesson mapping is committed beside this file (``course_map_ids.txt``: ids and
lesson numbers only), so these checks run on any clone. When the syllabus itself,
``../shared/COURSE_MAP.md``, sits beside the repository, the committed mapping is also
checked against it, so the two cannot drift apart.

COURSE_MAP.md stays the syllabus of lessons 01-12. Lessons past 12 (13, "Choosing and tuning
an optimizer", [PR-1] .. [PR-5]) have their ids only in the committed file. So the comparison
requires every id COURSE_MAP.md lists, in the same lesson and order, and the committed ids of
lessons 01-12 to be exactly those; ids of lessons past 12 are allowed beyond it.
"""
import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
IDS_FILE = pathlib.Path(__file__).with_name("course_map_ids.txt")
COURSE_MAP = ROOT.parent / "shared" / "COURSE_MAP.md"
ID = r"[A-Z]{2,4}-\d"


def read_ids(text):
    """[(id, lesson)] from the committed file: one 'ID NN' per line, '#' starts a comment."""
    rows = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            ident, lesson = line.split()
            assert re.fullmatch(ID, ident) and re.fullmatch(r"\d\d", lesson), line
            rows.append((ident, lesson))
    return rows


def parse_course_map(text):
    """[(id, lesson)] from COURSE_MAP.md: a line 'NN Title' opens lesson NN, '- [ID] ...'
    items belong to the lesson above them, a '## ' heading closes it."""
    rows, lesson = [], None
    for line in text.splitlines():
        if re.match(r"^\d\d \S", line):
            lesson = line[:2]
        elif line.startswith("#"):
            lesson = None
        elif m := re.match(rf"^- \[({ID})\]", line):
            assert lesson is not None, f"{m.group(1)} is listed outside a lesson"
            rows.append((m.group(1), lesson))
    return rows


IDS = read_ids(IDS_FILE.read_text())
#: the last lesson COURSE_MAP.md covers; ids of later lessons live only in the committed file
SYLLABUS_LAST = "12"


def compare_with_course_map(text, committed):
    """What keeps the committed (id, lesson) rows from agreeing with COURSE_MAP.md's text:
    every id it lists must be committed, in the same lesson and order; a committed id of a
    lesson up to 12 must be listed there; an id of a lesson past 12 must not be."""
    listed = parse_course_map(text)
    problems = [f"{i} (lesson {lesson}) is in COURSE_MAP.md but not committed"
                for i, lesson in listed if (i, lesson) not in committed]
    syllabus = [(i, lesson) for i, lesson in committed if lesson <= SYLLABUS_LAST]
    problems += [f"{i} (lesson {lesson}) is committed but not in COURSE_MAP.md"
                 for i, lesson in syllabus if (i, lesson) not in listed]
    if not problems and syllabus != listed:
        problems.append("the committed ids of lessons 01-12 are not in COURSE_MAP.md's order")
    named = set(re.findall(rf"\[({ID})\]", text))
    problems += [f"{i} is named in COURSE_MAP.md outside a lesson's list"
                 for i in sorted(named - {i for i, _ in listed})]
    problems += [f"{i} belongs to lesson {lesson}, past COURSE_MAP.md's lessons, yet is named there"
                 for i, lesson in committed if lesson > SYLLABUS_LAST and i in named]
    return problems


def lesson_path(lesson):
    paths = sorted((ROOT / "notebooks").glob(f"{lesson}_*.ipynb"))
    assert len(paths) == 1, f"expected one notebook for lesson {lesson}, found {paths}"
    return paths[0]


def lesson_paths(lesson):
    """Lesson NN and its optional companion NNb_<topic>_deep_dive.ipynb: an id may live in either."""
    return [lesson_path(lesson), *sorted((ROOT / "notebooks").glob(f"{lesson}b_*_deep_dive.ipynb"))]


def markdown_lines(path):
    """Every line of a notebook's markdown cells."""
    cells = json.loads(path.read_text())["cells"]
    return [line for c in cells if c["cell_type"] == "markdown"
            for line in "".join(c["source"]).splitlines()]


def missing_from_headings(ids, lines_of):
    """The (id, lesson) pairs whose id no heading line ('#' ...) of that lesson names."""
    return [(i, lesson) for i, lesson in ids
            if not any(line.lstrip().startswith("#") and f"[{i}]" in line
                       for line in lines_of(lesson))]


def test_the_committed_mapping_is_well_formed():
    ids = [i for i, _ in IDS]
    assert len(ids) == len(set(ids)), "an id is listed twice"
    assert len(ids) >= 50
    lessons = {lesson for _, lesson in IDS}
    last = max(int(lesson) for lesson in lessons)
    assert last >= 12 and lessons == {f"{n:02d}" for n in range(1, last + 1)}, "a lesson has no id"
    assert [lesson for _, lesson in IDS] == sorted(lesson for _, lesson in IDS)   # lesson order


def test_every_id_is_in_a_heading_of_its_own_lesson():
    cache = {}

    def lines_of(lesson):
        if lesson not in cache:
            cache[lesson] = [line for p in lesson_paths(lesson) for line in markdown_lines(p)]
        return cache[lesson]

    assert missing_from_headings(IDS, lines_of) == [], "name these ids in a heading"


def test_the_heading_check_can_fail():
    fake = {"01": ["## Something [IU-1]"], "02": ["Not a heading [SC-1]"]}
    assert missing_from_headings([("IU-1", "01"), ("SC-1", "02"), ("IU-2", "01")],
                                 fake.get) == [("SC-1", "02"), ("IU-2", "01")]
    # an id named in the WRONG lesson's heading does not count
    assert missing_from_headings([("SC-1", "01")], {"01": ["## [SC-1]"], "02": []}.get) == []
    assert missing_from_headings([("SC-1", "02")], {"01": ["## [SC-1]"], "02": []}.get) != []


def test_the_course_map_parser():
    text = "## Part I\n\n01 Title\n- [IU-1] a\n  more [IU-9]\n- [POLL-1] b\n\n02 Next\n- [SC-1] c\n"
    assert parse_course_map(text) == [("IU-1", "01"), ("POLL-1", "01"), ("SC-1", "02")]


MAP = "## Part I\n\n01 Title\n- [IU-1] a\n- [IU-2] b\n\n02 Next\n- [SC-1] c\n"


def test_the_comparison_with_course_map():
    rows = [("IU-1", "01"), ("IU-2", "01"), ("SC-1", "02")]
    assert compare_with_course_map(MAP, rows) == []
    assert compare_with_course_map(MAP, rows + [("PR-1", "13")]) == []     # past 12: allowed


def test_the_comparison_fails_when_a_course_map_id_is_missing():
    assert compare_with_course_map(MAP, [("IU-1", "01"), ("SC-1", "02")]) == [
        "IU-2 (lesson 01) is in COURSE_MAP.md but not committed"]
    assert compare_with_course_map(MAP, [("IU-1", "01"), ("IU-2", "02"), ("SC-1", "02")]) != []
    # an id invented for a syllabus lesson, an id out of order, a lesson-13 id named in the map
    assert compare_with_course_map(MAP, [("IU-1", "01"), ("IU-2", "01"), ("IU-3", "01"),
                                         ("SC-1", "02")]) != []
    assert compare_with_course_map(MAP, [("IU-2", "01"), ("IU-1", "01"), ("SC-1", "02")]) != []
    assert compare_with_course_map(MAP + "- [PR-1] d\n", [("IU-1", "01"), ("IU-2", "01"),
                                                        ("SC-1", "02"), ("PR-1", "13")]) != []


needs_course_map = pytest.mark.skipif(not COURSE_MAP.exists(), reason="../shared/COURSE_MAP.md is "
                                      "not beside this clone; the committed mapping is checked on "
                                      "its own above")


@needs_course_map
def test_the_committed_mapping_matches_course_map_md():
    problems = compare_with_course_map(COURSE_MAP.read_text(), IDS)
    assert problems == [], "update tests/course_map_ids.txt from COURSE_MAP.md"
    assert any(lesson > SYLLABUS_LAST for _, lesson in IDS)     # lesson 13 is checked as allowed


@needs_course_map
def test_the_real_comparison_fails_without_one_committed_id():
    text = COURSE_MAP.read_text()
    for k in (0, len(parse_course_map(text)) - 1):              # the first and the last listed
        dropped = parse_course_map(text)[k]
        problems = compare_with_course_map(text, [row for row in IDS if row != dropped])
        assert problems == [f"{dropped[0]} (lesson {dropped[1]}) is in COURSE_MAP.md but not "
                            f"committed"]
