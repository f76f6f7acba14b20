"""Reading a notebook's text, shared by the tools that build pages from the lessons
(build_site.py, export_figures.py, slides.py). Standard library only."""
from __future__ import annotations

import re

#: a markdown heading line: (the #s, the title)
HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
#: a COURSE_MAP id such as RA-2 or AM-4
COURSE_ID = re.compile(r"\b([A-Z]{2,4}-\d+)\b")


def source(cell) -> str:
    """A cell's source as one string (nbformat stores a string or a list of lines)."""
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def text_of(value) -> str:
    """An output's text as one string (a string or a list of lines)."""
    return "".join(value) if isinstance(value, list) else str(value)


def bracket_ids(title: str) -> list[str]:
    """The COURSE_MAP ids a heading names in square brackets, in order: "Adam [AM-4] [AM-5]"."""
    return [i for bracket in re.findall(r"\[([^\]]*)\]", title) for i in COURSE_ID.findall(bracket)]


def first_heading(nb: dict, fallback: str) -> str:
    """The text of a notebook's first markdown heading, or ``fallback``."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            for line in source(cell).split("\n"):
                m = HEADING.match(line)
                if m:
                    return m.group(2).strip()
    return fallback
