"""Reading a lesson notebook for the shape checks of issue 16 (shared by the lesson tests):
its cells, the text of a cell's outputs, and the statements of a quiz cell."""
import ast
import json
import pathlib
import re

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / "notebooks"


def notebook_cells(path):
    """(kind, source, cell) of every cell of the notebook at path."""
    nb = json.loads(pathlib.Path(path).read_text())
    return [(c["cell_type"], "".join(c["source"]), c) for c in nb["cells"]]


def outputs_text(cell):
    """The stream and text/plain outputs of one code cell, as one string."""
    out = []
    for o in cell.get("outputs", []):
        out.append("".join(o.get("text", "")))
        out.append("".join(o.get("data", {}).get("text/plain", "")))
    return "\n".join(out)


def statements_of(source):
    """(text, true) of every Statement(...) written in a quiz cell."""
    calls = [n for n in ast.walk(ast.parse(source))
             if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "Statement"]
    return [(ast.literal_eval(c.args[0]), c.args[1].value) for c in calls]


def check_core_path_then_deep_dive(cells):
    """Core path <= 60 minutes stated first; Summary, then Deep dive, then Sources last; the
    lecture notes named only in Sources."""
    minutes = re.search(r"Core path: about (\d+) minutes", cells[0][1])
    assert minutes and int(minutes.group(1)) <= 60
    heads = [s.splitlines()[0] for kind, s, _ in cells if kind == "markdown" and s.startswith("## ")]
    order = [h.split(":")[0] for h in heads]
    assert order.index("## Summary") < order.index("## Deep dive") < order.index("## Sources") == len(order) - 1
    assert not any(re.search(r"\bthe (notes|slides|seed notes)\b", s) for _, s, _ in cells[:-1])


def check_notation_box_and_settings(cells, n_settings):
    """The notation box right after setup; n_settings cells tagged settings, UPPER_CASE only."""
    setup = next(i for i, (_, s, _) in enumerate(cells) if "import course_lib" in s)
    assert cells[setup + 1][1].startswith("notation_box(")
    settings = [s for _, s, c in cells if "settings" in c.get("metadata", {}).get("tags", [])]
    assert len(settings) == n_settings
    for s in settings:
        for node in ast.parse(s).body:
            assert isinstance(node, ast.Assign) and node.targets[0].id.isupper(), s
