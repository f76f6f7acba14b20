"""Run a lesson with changed settings and see what its figures and outputs say.

Each experiment's knobs sit in one code cell tagged ``settings`` holding only UPPER_CASE
assignments (``GAMMA = 0.9``). :func:`run_with_settings` executes a copy of a notebook in a
fresh kernel with some of those assignments replaced, and returns

* ``errors``: ``"ename: evalue"`` of every error output (cells tagged ``raises-exception``,
  which are meant to fail, are left out), plus a line if the kernel died or a cell timed out;
* ``figure_texts``: every title, suptitle, axis label, legend entry and text artist of every
  figure drawn, gathered by a first injected cell that wraps ``Figure.draw``, and printed as
  JSON by a last injected cell;
* ``text_outputs``: every text output of the notebook's own cells (stream, text/plain,
  text/markdown, text/latex).

    from notebook_settings import run_with_settings
    result = run_with_settings("notebooks/04_running_averages.ipynb", {"GAMMA": 0.99})
    assert result.errors == []
    assert any("0.99" in text for text in result.figure_texts)

The notebook file is not changed. The kernel runs in the notebook's folder (``notebooks/``
for a lesson) with the inline matplotlib backend, as the lessons are run in class.
"""
from __future__ import annotations

import ast
import copy
import json
import os
import pathlib
import re
from dataclasses import dataclass, field

import nbformat

__all__ = ["RunResult", "run_with_settings", "apply_settings", "settings_cells"]

SETTINGS_TAG = "settings"
UPPER_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
MARKER = "__FIGURE_TEXTS_JSON__"

# First injected cell: every figure drawn records its texts (deduplicated, in drawing order).
RECORD_TEXTS = r'''
import matplotlib, matplotlib.figure
_figure_texts = matplotlib._course_figure_texts = []

def _texts_of(fig):
    found = []
    add = lambda s: found.append(s) if isinstance(s, str) and s.strip() else None
    sup = getattr(fig, "_suptitle", None)
    add(sup.get_text() if sup is not None else None)
    for attr in ("_supxlabel", "_supylabel"):
        artist = getattr(fig, attr, None)
        add(artist.get_text() if artist is not None else None)
    for text in fig.texts:
        add(text.get_text())
    for legend in fig.legends:
        add(legend.get_title().get_text())
        for text in legend.get_texts():
            add(text.get_text())
    for ax in fig.axes:
        for loc in ("left", "center", "right"):
            add(ax.get_title(loc=loc))
        add(ax.get_xlabel()); add(ax.get_ylabel())
        if hasattr(ax, "get_zlabel"):
            add(ax.get_zlabel())
        for text in ax.texts:
            add(text.get_text())
        legend = ax.get_legend()
        if legend is not None:
            add(legend.get_title().get_text())
            for text in legend.get_texts():
                add(text.get_text())
    for sub in getattr(fig, "subfigs", []):
        found += _texts_of(sub)
    return found

_original_draw = matplotlib.figure.Figure.draw

def _recording_draw(self, renderer, *args, **kwargs):
    for text in _texts_of(self):
        if text not in matplotlib._course_figure_texts:
            matplotlib._course_figure_texts.append(text)
    return _original_draw(self, renderer, *args, **kwargs)

matplotlib.figure.Figure.draw = _recording_draw
del _recording_draw
'''

# Last injected cell: close what is still open (drawing it inline), then print the record.
REPORT_TEXTS = f'''
import json as _json, matplotlib as _mpl, matplotlib.pyplot as _plt
for _num in _plt.get_fignums():
    _plt.figure(_num).canvas.draw()
print({MARKER!r} + _json.dumps(getattr(_mpl, "_course_figure_texts", [])))
'''

TEXT_MIMES = ("text/plain", "text/markdown", "text/latex")


@dataclass
class RunResult:
    errors: list[str] = field(default_factory=list)
    figure_texts: list[str] = field(default_factory=list)
    text_outputs: list[str] = field(default_factory=list)


def is_settings_cell(cell) -> bool:
    return cell.cell_type == "code" and SETTINGS_TAG in cell.get("metadata", {}).get("tags", [])


def settings_cells(nb) -> list:
    """The code cells tagged ``settings``."""
    return [cell for cell in nb.cells if is_settings_cell(cell)]


def _literal(name: str, value) -> str:
    """``value`` as Python source; only values whose repr reads back (numbers, strings, tuples...)."""
    text = repr(value)
    try:
        ok = ast.literal_eval(text) == value
    except (ValueError, SyntaxError):
        ok = False
    if not ok:
        raise ValueError(f"override {name}={text}: use a Python literal (number, string, tuple, "
                         f"list, bool, None) whose repr reads back")
    return text


def _replace(source: str, name: str, text: str) -> tuple[str, int]:
    r"""``source`` with each top-level ``name = ...`` replaced by ``name = text``; and how many.

    >>> _replace("GAMMA = 0.9  # weight of the old value\nSEED = 0\n", "GAMMA", "0.99")
    ('GAMMA = 0.99  # weight of the old value\nSEED = 0\n', 1)
    """
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    nodes = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) and node.value is not None else [])
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            if len(targets) != 1:
                raise ValueError(f"a settings cell assigns {name} in a chained assignment; write "
                                 f"one `{name} = ...` per line")
            nodes.append(node)
    for node in reversed(nodes):
        first, last = lines[node.lineno - 1].encode(), lines[node.end_lineno - 1].encode()
        # keep what precedes the assignment and what follows it on its last line (a comment);
        # ast's column offsets count UTF-8 bytes
        lines[node.lineno - 1:node.end_lineno] = [
            first[:node.col_offset].decode() + f"{name} = {text}" + last[node.end_col_offset:].decode()]
    return "".join(lines), len(nodes)


def apply_settings(nb, overrides: dict):
    """A copy of ``nb`` with each overridden name's assignment replaced in every settings cell.

    Raises ValueError if a name is not UPPER_CASE or is assigned in no settings cell.
    """
    nb = copy.deepcopy(nb)
    cells = settings_cells(nb)
    for name, value in overrides.items():
        if not UPPER_NAME.match(name):
            raise ValueError(f"override {name!r}: settings names are UPPER_CASE, e.g. GAMMA")
        text = _literal(name, value)
        count = 0
        for cell in cells:
            cell.source, n = _replace(cell.source, name, text)
            count += n
        if count == 0:
            where = sorted({t.id for cell in cells for node in ast.parse(cell.source).body
                            if isinstance(node, ast.Assign) for t in node.targets
                            if isinstance(t, ast.Name)})
            raise ValueError(f"override {name!r}: no settings cell assigns it "
                             f"(the settings cells assign: {', '.join(where) or 'nothing'})")
    return nb


def _text_of(output) -> list[str]:
    if output.get("output_type") == "stream":
        return [output.get("text", "")]
    data = output.get("data", {})
    return [data[m] if isinstance(data[m], str) else "".join(data[m]) for m in TEXT_MIMES if m in data]


def run_with_settings(path, overrides: dict, timeout: int = 180) -> RunResult:
    """Execute a copy of the notebook at ``path`` with ``overrides`` applied to its settings cells.

    ``timeout`` is the number of seconds each cell may take.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    path = pathlib.Path(path)
    nb = apply_settings(nbformat.read(path, as_version=4), overrides)
    first = nbformat.v4.new_code_cell(RECORD_TEXTS, metadata={"tags": ["injected"]})
    last = nbformat.v4.new_code_cell(REPORT_TEXTS, metadata={"tags": ["injected"]})
    nb.cells = [first, *nb.cells, last]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"run{i:03d}"

    result = RunResult()
    env = {**os.environ, "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent.resolve())}})
    try:
        client.execute(env=env)
    except (CellTimeoutError, DeadKernelError) as exc:
        result.errors.append(f"{type(exc).__name__}: {str(exc).strip().splitlines()[0]}")

    for cell in nb.cells[1:-1]:
        if cell.cell_type != "code":
            continue
        expected = "raises-exception" in cell.get("metadata", {}).get("tags", [])
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                if not expected:
                    result.errors.append(f"{output['ename']}: {output['evalue']}")
            else:
                result.text_outputs += _text_of(output)
    for output in nb.cells[-1].get("outputs", []):
        if output.get("output_type") == "stream" and MARKER in output.get("text", ""):
            payload = output["text"].split(MARKER, 1)[1].strip().splitlines()[0]
            result.figure_texts = json.loads(payload)
        elif output.get("output_type") == "error":
            result.errors.append(f"(collecting figure texts) {output['ename']}: {output['evalue']}")
    return result


def missing(texts, *fragments):
    """The fragments that appear in none of the texts (a value a figure should carry)."""
    return [f for f in fragments if not any(f in text for text in texts)]


def stale(texts, *fragments):
    """The texts that still carry a fragment of the default settings."""
    return [text for text in texts if any(f in text for f in fragments)]
