"""Re-execute notebooks in place (fresh kernel each, as nbval does) and clean them.

    python tools/run_notebooks.py notebooks/*.ipynb

Cleaning keeps outputs (readers see the plots) and removes execution noise: per-cell
timing metadata, kernel/language versions that differ between machines; cell ids are made
deterministic so re-running a notebook changes only what really changed. Cells tagged
``raises-exception`` may fail; any other error stops with a message. Prints the run time of
each notebook and the total.
"""
from __future__ import annotations

import os
import sys
import time

import nbformat
from nbclient import NotebookClient


def clean(nb):
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        **({"widgets": nb.metadata["widgets"]} if "widgets" in nb.metadata else {}),
    }
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i:03d}"
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)
    return nb


def run(path: str) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
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
