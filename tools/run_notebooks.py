"""Re-execute notebooks in place (fresh kernel each, as nbval does) and clean them.

    python tools/run_notebooks.py notebooks/*.ipynb

The saved file is what JupyterLab itself would write after Run All, so that opening a lesson
and running it changes nothing but outputs (no metadata diff for autosave to write and a
``git pull`` to trip over):

* notebook metadata: exactly ``kernelspec`` (as JupyterLab writes it for the python3 kernel),
  ``language_info`` as the kernel reports it (all its keys, the Python version included: a
  reader on another Python version sees that one line change), and ``widgets``, the saved
  widget state, when some output shows a widget;
* widget state: nbclient stores the state of the widgets alive at the end of the run in
  ``metadata.widgets["application/vnd.jupyter.widget-state+json"]``, so a saved slider or
  progress bar renders as a control where the notebook is trusted (an HTML export, or after
  the command palette's "Trust Notebook"). We keep only the models some saved output shows (and what they
  refer to). Outputs whose metadata lists ``course_lib.live_only`` mime types (the quizzes'
  widget view, see ``course_lib.quiz``) lose those types: the saved file keeps their static
  form, which works without a kernel;
* cells: ids made deterministic (``c000``, ``c001``, ...), per-cell timing and the
  ``collapsed``/``scrolled`` flags removed.

Cells tagged ``raises-exception`` may fail; any other error stops with a message. Prints the
run time of each notebook and the total.
"""
from __future__ import annotations

import json
import os
import re
import sys
import time

import nbformat

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
#: the keys ipykernel's kernel_info reply puts in language_info (JupyterLab copies them all)
LANGUAGE_INFO_KEYS = {"codemirror_mode", "file_extension", "mimetype", "name",
                      "nbconvert_exporter", "pygments_lexer", "version"}
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
MODEL_REF = re.compile(r"IPY_MODEL_([0-9a-f]+)")


def drop_live_only(nb):
    """Remove from each output the mime types its metadata marks ``course_lib.live_only``."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            live_only = out.get("metadata", {}).get("course_lib", {}).get("live_only", [])
            for mime in live_only:
                out.get("data", {}).pop(mime, None)
            if live_only:
                del out["metadata"]["course_lib"]
    return nb


def shown_models(nb) -> set[str]:
    """Model ids of the widget views the saved outputs show."""
    return {out["data"][WIDGET_VIEW]["model_id"] for cell in nb.cells
            for out in cell.get("outputs", []) if WIDGET_VIEW in out.get("data", {})}


def reachable(state: dict, roots: set[str]) -> set[str]:
    """The models in ``roots`` and every model they refer to (children, layout, style...)."""
    seen, todo = set(), [r for r in roots if r in state]
    while todo:
        model = todo.pop()
        if model not in seen:
            seen.add(model)
            todo += [m for m in MODEL_REF.findall(json.dumps(state[model]["state"])) if m in state]
    return seen


def widget_metadata(nb) -> dict:
    """The ``widgets`` metadata pruned to the models the outputs show; {} if none."""
    saved = nb.metadata.get("widgets", {}).get(WIDGET_STATE)
    if not saved:
        return {}
    keep = reachable(saved["state"], shown_models(nb))
    if not keep:
        return {}
    pruned = {**saved, "state": {m: saved["state"][m] for m in sorted(keep)}}
    return {"widgets": {WIDGET_STATE: pruned}}


def clean(nb):
    """The canonical form: metadata as the kernel writes it, stable cell ids, no timings."""
    drop_live_only(nb)
    language_info = dict(nb.metadata.get("language_info", {"name": "python"}))
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": language_info,
                   **widget_metadata(nb)}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i:03d}"
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)
    return nb


def run(path: str) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    from nbclient import NotebookClient  # only needed to execute; the metadata checks import this file without it

    client = NotebookClient(nb, timeout=600, kernel_name="python3", store_widget_state=True,
                            resources={"metadata": {"path": os.path.dirname(path) or "."}})
    client.execute()
    elapsed = time.perf_counter() - start
    nbformat.write(clean(nb), path)
    return elapsed


def main(paths):
    total = 0.0
    for p in paths:
        dt = run(p)
        total += dt
        print(f"{dt:6.1f} s  {p}", flush=True)
    print(f"{total:6.1f} s  total")


if __name__ == "__main__":
    main(sys.argv[1:])
