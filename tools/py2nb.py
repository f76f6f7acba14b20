"""Authoring aid: turn a percent-format script into a notebook (no jupytext needed).

    python tools/py2nb.py draft.py notebooks/NN_name.ipynb

Cells start at lines ``# %%`` (code) or ``# %% [markdown]`` (markdown; each line's leading
``# `` is removed). ``# %% tags=["raises-exception"]`` sets cell tags. The notebook, not the
draft, is the source of truth once written; run ``make notebooks`` to execute it.
"""
from __future__ import annotations

import json
import re
import sys

import nbformat


def convert(text: str):
    nb = nbformat.v4.new_notebook()
    cells, kind, tags, buf = [], None, [], []

    def flush():
        if kind is None:
            return
        src = "\n".join(buf).strip("\n")
        if kind == "markdown":
            src = "\n".join(l[2:] if l.startswith("# ") else l.lstrip("#") for l in src.split("\n"))
            cell = nbformat.v4.new_markdown_cell(src)
        else:
            cell = nbformat.v4.new_code_cell(src)
        if tags:
            cell.metadata["tags"] = tags
        cells.append(cell)

    for line in text.split("\n"):
        m = re.match(r"^# %%\s*(\[markdown\])?\s*(tags=(\[.*\]))?\s*$", line)
        if m:
            flush()
            kind = "markdown" if m.group(1) else "code"
            tags = json.loads(m.group(3)) if m.group(3) else []
            buf = []
        else:
            buf.append(line)
    flush()
    nb.cells = cells
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                 "name": "python3"}
    return nb


if __name__ == "__main__":
    src, dst = sys.argv[1], sys.argv[2]
    nbformat.write(convert(open(src).read()), dst)
    print(f"wrote {dst}")
