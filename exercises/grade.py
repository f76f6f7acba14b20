#!/usr/bin/env python
"""Release and grade the course's exercises with nbgrader, offline (see README.md here).

    python exercises/grade.py release                  # source/ -> release/ (student version)
    python exercises/grade.py autograde SUBMISSIONS    # collect, autograde, feedback, grades.csv

SUBMISSIONS holds one folder per student, each with that student's notebooks, either in
nbgrader's layout ``<student>/<part>/<part>.ipynb`` or flat ``<student>/<part>.ipynb``.
``autograde`` copies them into ``submitted/`` (the "collect" step), runs every notebook in a
fresh kernel with a per-cell time limit (``--timeout``, default from nbgrader_config.py),
writes per-student feedback to ``feedback/<student>/<part>/<part>.html``, and exports
``grades.csv`` (one row per student and part, nbgrader's format) and
``grades_by_question.csv`` (one row per student and question).

All nbgrader steps run in this one process through nbgrader's Python classes: each
``nbgrader`` command-line call costs 11-22 s of start-up on a small machine, and a grading
run needs about a dozen of them.
"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PARTS = ("part1", "part2", "part3")


def _config(root: Path, timeout: int | None):
    # nbgrader runs the `alembic` command (its database migrations) and the kernel from
    # PATH: put this Python's bin/ first, so a venv works without being activated.
    bindir = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != bindir:
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    from traitlets.config import PyFileConfigLoader
    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    cfg.CourseDirectory.root = str(root)
    if timeout is not None:
        cfg.Execute.timeout = int(timeout)
    return cfg


def _run(app_cls, cfg, quiet: bool, **attrs) -> bool:
    """Run one nbgrader app in this process; print its log on failure (or always unless quiet)."""
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log
    coursedir = CourseDirectory(config=cfg)
    for key in ("assignment_id", "student_id"):
        if key in attrs:
            setattr(coursedir, key, attrs.pop(key))
    app = app_cls(coursedir=coursedir, config=cfg)
    for key, value in attrs.items():
        setattr(app, key, value)
    result = capture_log(app)
    if not result["success"] or not quiet:
        print(result.get("log", ""), file=sys.stderr)
    if not result["success"]:
        print(result.get("error", ""), file=sys.stderr)
    return bool(result["success"])


def release(root: Path = HERE, parts=PARTS, quiet: bool = True) -> Path:
    """nbgrader generate_assignment for each part: source/<part> -> release/<part>."""
    from nbgrader.converters import GenerateAssignment
    cfg = _config(root, None)
    for part in parts:
        t0 = time.perf_counter()
        if not _run(GenerateAssignment, cfg, quiet, assignment_id=part, force=True,
                    create_assignment=True):
            raise SystemExit(f"generate_assignment failed for {part}")
        print(f"released {part} -> {root / 'release' / part}  ({time.perf_counter() - t0:.1f} s)")
    return root / "release"


def collect(submissions: Path, root: Path, parts=PARTS) -> dict:
    """Copy submissions into root/submitted/<student>/<part>/<part>.ipynb; return {part: [students]}."""
    found: dict = {p: [] for p in parts}
    if not submissions.is_dir():
        raise SystemExit(f"submissions must be a folder of student folders, got {submissions}")
    for student_dir in sorted(p for p in submissions.iterdir() if p.is_dir()):
        student = student_dir.name
        for part in parts:
            candidates = [student_dir / part / f"{part}.ipynb", student_dir / f"{part}.ipynb"]
            src = next((c for c in candidates if c.is_file()), None)
            if src is None:
                continue
            dest = root / "submitted" / student / part
            if dest.exists():
                shutil.rmtree(dest)
            dest.mkdir(parents=True)
            shutil.copy2(src, dest / f"{part}.ipynb")
            found[part].append(student)
    return found


def _ensure_released(root: Path, cfg, parts, quiet) -> None:
    """Autograding needs each part in the gradebook: generate it if it is missing."""
    from nbgrader.api import Gradebook, MissingEntry
    from nbgrader.coursedir import CourseDirectory
    coursedir = CourseDirectory(config=cfg)
    missing = []
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        for part in parts:
            try:
                gb.find_assignment(part)
            except MissingEntry:
                missing.append(part)
    if missing:
        release(root, missing, quiet)


def question_rows(root: Path, cfg) -> list:
    """One row per (student, part, question) from the gradebook."""
    from nbgrader.api import Gradebook
    from nbgrader.coursedir import CourseDirectory
    coursedir = CourseDirectory(config=cfg)
    rows = []
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        for assignment in sorted(gb.assignments, key=lambda a: a.name):
            for submission in sorted(assignment.submissions, key=lambda s: s.student.id):
                for nb in submission.notebooks:
                    for grade in sorted(nb.grades, key=lambda g: g.name):
                        rows.append({"student_id": submission.student.id, "part": assignment.name,
                                     "question": grade.name, "score": float(grade.score),
                                     "max_score": float(grade.max_score)})
    return rows


def autograde(submissions: Path, root: Path = HERE, parts=PARTS, timeout: int | None = None,
              quiet: bool = True) -> list:
    """Collect, autograde, generate feedback and export; returns the per-question rows."""
    from nbgrader.api import Gradebook
    from nbgrader.converters import Autograde, GenerateFeedback
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.plugins import CsvExportPlugin
    cfg = _config(root, timeout)
    found = collect(Path(submissions), root, parts)
    todo = [p for p in parts if found[p]]
    if not todo:
        raise SystemExit(f"no notebooks named {', '.join(parts)} found under {submissions}")
    _ensure_released(root, cfg, todo, quiet)
    ok = True
    for part in todo:
        for student in found[part]:
            t0 = time.perf_counter()
            ok &= _run(Autograde, cfg, quiet, assignment_id=part, student_id=student,
                       force=True, create_student=True)
            print(f"autograded {student}/{part}  ({time.perf_counter() - t0:.1f} s)", flush=True)
        ok &= _run(GenerateFeedback, cfg, quiet, assignment_id=part, student_id="*", force=True)
    coursedir = CourseDirectory(config=cfg)
    plugin = CsvExportPlugin(config=cfg)
    plugin.to = str(root / "grades.csv")
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        plugin.export(gb)
    rows = question_rows(root, cfg)
    with open(root / "grades_by_question.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["student_id", "part", "question", "score", "max_score"])
        writer.writeheader()
        writer.writerows(rows)
    _print_summary(rows)
    print(f"wrote {root / 'grades.csv'}, {root / 'grades_by_question.csv'} and "
          f"{root / 'feedback'}/<student>/<part>/<part>.html")
    if not ok:
        print("some nbgrader steps failed; see the messages above", file=sys.stderr)
    return rows


def _print_summary(rows) -> None:
    totals: dict = {}
    for r in rows:
        key = (r["student_id"], r["part"])
        got, out_of = totals.get(key, (0.0, 0.0))
        totals[key] = (got + r["score"], out_of + r["max_score"])
    print(f"{'student':<24}{'part':<8}{'score':>8}")
    for (student, part), (got, out_of) in sorted(totals.items()):
        print(f"{student:<24}{part:<8}{got:>5g}/{out_of:g}")


def main(argv=None) -> int:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", type=Path, default=HERE,
                        help="the exercises folder (holding nbgrader_config.py and source/)")
    common.add_argument("--parts", nargs="+", default=list(PARTS), choices=PARTS,
                        help="which parts (default: all)")
    common.add_argument("--verbose", action="store_true", help="print nbgrader's log")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("release", parents=[common], help="generate the student version in release/")
    ag = sub.add_parser("autograde", parents=[common],
                        help="collect, autograde, feedback, grades.csv")
    ag.add_argument("submissions", type=Path, help="folder with one sub-folder per student")
    ag.add_argument("--timeout", type=int, default=None,
                    help="seconds allowed per cell (default: nbgrader_config.py)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    submissions = args.submissions.resolve() if args.command == "autograde" else None
    os.chdir(root)   # nbgrader resolves some paths against the working directory
    if args.command == "release":
        release(root, args.parts, quiet=not args.verbose)
    else:
        autograde(submissions, root, args.parts, args.timeout, quiet=not args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
