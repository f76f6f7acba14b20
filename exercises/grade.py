#!/usr/bin/env python
"""Release and grade the course's exercises, offline (see README.md here).

    python exercises/grade.py release                  # source/ -> release/ (student version)
    python exercises/grade.py autograde SUBMISSIONS    # intake, isolated grading, gradebook, feedback
    python exercises/grade.py check --part 2 [NOTEBOOK]   # a student grades their own copy

nbgrader stays the release, gradebook and feedback tool; what runs the student's code is
built here around it, because nbgrader's autograder runs the hidden tests inside the
student's own kernel, where an answer cell can rewrite them (see README.md, "How grading
works"):

1. intake: each submission is rebuilt onto the released notebook (answer cells by grade id,
   else by the names they define, else by position; last copy wins; student metadata dropped;
   locked cells restored);
2. per question, a fresh interpreter in a throw-away folder outside the repository
   (sandbox.py: namespaces, an unprivileged uid, rlimits, wall-time limits) runs the release's
   setup cells and only the answer cells that question needs, then calls the student's
   functions on inputs drawn from the instructor's seed (runner.py);
3. the grader computes the same calls with the reference solution in its own process and
   compares (checks/); then it writes the scores into nbgrader's gradebook, writes the
   autograded notebook with one feedback line per check, and lets nbgrader render the
   feedback HTML and export grades.csv.
"""
from __future__ import annotations

import argparse
import ast
import concurrent.futures
import copy
import csv
import importlib
import json
import os
import re
import secrets
import selectors
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import sandbox  # noqa: E402
import runner as codec  # noqa: E402

PARTS = ("part1", "part2", "part3", "part4")
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
SEED_FILE = "instructor_seed.txt"
DEFAULTS = {"timeout": 30, "notebook_timeout": 300, "memory_mb": 2048, "processes": 64}
FEEDBACK_NOTE = ("How this was graded: each question ran in a fresh Python process with only the "
                 "setup cells and your answer cells for it, on new inputs; prints and warnings "
                 "(anything on stderr) cost nothing; a cell that runs too long or crashes costs "
                 "only the questions that need it.")


# -- notebooks as JSON ----------------------------------------------------------------------------

def src(cell) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else str(s)


def nbmeta(cell) -> dict:
    m = cell.get("metadata") or {}
    n = m.get("nbgrader") if isinstance(m, dict) else None
    return n if isinstance(n, dict) else {}


def read_json(path: Path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def strip_solution_markers(text: str) -> str:
    return "\n".join(l for l in text.splitlines() if l.strip() not in MARKERS[:2])


def is_setup(cell) -> bool:
    """Code cells the grader runs before the answers: unlocked by nbgrader and not a demo."""
    tags = (cell.get("metadata") or {}).get("tags") or []
    return cell.get("cell_type") == "code" and not nbmeta(cell) and "demo" not in tags


def defined_names(text: str) -> set:
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return set(re.findall(r"^def\s+(\w+)", text, re.M)) | set(re.findall(r"^(\w+)\s*=", text, re.M))
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                for n in ast.walk(t):
                    if isinstance(n, ast.Name):
                        names.add(n.id)
    return names


# -- release ----------------------------------------------------------------------------------------

def _config(root: Path, timeout=None):
    bindir = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != bindir:
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    from traitlets.config import PyFileConfigLoader
    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    cfg.CourseDirectory.root = str(root)
    return cfg


def _run_app(app_cls, cfg, quiet: bool, **attrs) -> bool:
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
    cfg = _config(root)
    for part in parts:
        t0 = time.perf_counter()
        if not _run_app(GenerateAssignment, cfg, quiet, assignment_id=part, force=True,
                        create_assignment=True):
            raise SystemExit(f"generate_assignment failed for {part}")
        # the release needs no instructor file: keep only the notebook
        for extra in (root / "release" / part).iterdir():
            if extra.name != f"{part}.ipynb":
                shutil.rmtree(extra) if extra.is_dir() else extra.unlink()
        print(f"released {part} -> {root / 'release' / part}  ({time.perf_counter() - t0:.1f} s)")
    return root / "release"


def _ensure_released(root: Path, parts, quiet=True) -> None:
    from nbgrader.api import Gradebook, MissingEntry
    from nbgrader.coursedir import CourseDirectory
    cfg = _config(root)
    missing = [p for p in parts if not (root / "release" / p / f"{p}.ipynb").is_file()]
    if (root / "gradebook.db").exists():
        with Gradebook(CourseDirectory(config=cfg).db_url, CourseDirectory(config=cfg).course_id) as gb:
            for p in parts:
                try:
                    gb.find_assignment(p)
                except MissingEntry:
                    missing.append(p)
    else:
        missing = list(parts)
    if missing:
        release(root, sorted(set(missing)), quiet)


# -- intake ------------------------------------------------------------------------------------------

class IntakeError(Exception):
    pass


def intake(student_path: Path, release_nb: dict, source_nb: dict) -> tuple[dict, dict, list]:
    """Rebuild a submission onto the release: (notebook, {answer id: source}, notes)."""
    notes = []
    try:
        raw = json.loads(Path(student_path).read_bytes().decode("utf-8", errors="replace"))
    except (OSError, ValueError) as exc:
        raise IntakeError(f"not a readable notebook ({type(exc).__name__}: {str(exc)[:80]})") from None
    if not isinstance(raw, dict):
        raise IntakeError("not a notebook (the file holds no JSON object)")
    cells = raw.get("cells")
    if cells is None and isinstance(raw.get("worksheets"), list):        # nbformat 3
        cells = [c for ws in raw["worksheets"] for c in (ws.get("cells") or [])]
        for c in cells:
            if "input" in c and "source" not in c:
                c["source"] = c["input"]
    if not isinstance(cells, list):
        raise IntakeError("not a notebook (no list of cells)")
    cells = [c for c in cells if isinstance(c, dict)]
    answer_ids = [nbmeta(c)["grade_id"] for c in release_nb["cells"] if nbmeta(c).get("solution")]
    want_names = {}
    for c in source_nb["cells"]:
        if nbmeta(c).get("solution"):
            want_names[nbmeta(c)["grade_id"]] = {n for n in defined_names(strip_solution_markers(src(c)))}
    release_sources = {src(c).strip() for c in release_nb["cells"]}
    answers, dupes = {}, set()
    unmatched = []
    for c in cells:
        if c.get("cell_type") != "code":
            continue
        gid = nbmeta(c).get("grade_id")
        if gid in answer_ids:
            if gid in answers:
                dupes.add(gid)
            answers[gid] = src(c)
        elif not nbmeta(c).get("grade") and src(c).strip() not in release_sources:
            unmatched.append(c)
    by_content = {}
    for c in unmatched:                      # metadata lost: match by the names a cell defines
        names = defined_names(src(c))
        best = max(answer_ids, key=lambda g: len(names & want_names.get(g, set())))
        if names & want_names.get(best, set()) and best not in answers:
            if best in by_content:
                dupes.add(best)
            by_content[best] = src(c)
    if by_content:
        notes.append("answer cells without their grading metadata were matched by the functions "
                     f"they define ({', '.join(sorted(by_content))})")
        answers.update(by_content)
    missing = [g for g in answer_ids if g not in answers]
    if missing and len(cells) == len(release_nb["cells"]):       # last resort: same position
        for k, rc in enumerate(release_nb["cells"]):
            gid = nbmeta(rc).get("grade_id")
            if gid in missing and cells[k].get("cell_type") == "code":
                answers[gid] = src(cells[k])
                notes.append(f"{gid} was taken from its position in the notebook")
    if dupes:
        notes.append(f"cells copied more than once ({', '.join(sorted(dupes))}): the last copy was graded")
    for g in answer_ids:
        if g not in answers:
            notes.append(f"no answer cell found for {g}: the released stub was graded")
    nb = copy.deepcopy(release_nb)
    for c in nb["cells"]:
        gid = nbmeta(c).get("grade_id")
        if gid in answers:
            c["source"] = answers[gid]
        if c.get("cell_type") == "code":
            c["outputs"], c["execution_count"] = [], None
    return nb, {g: src(c) for c in nb["cells"] for g in [nbmeta(c).get("grade_id")] if g in answer_ids}, notes


# -- the reference solution, in the grader's process ---------------------------------------------

class Part:
    """One part: release and source notebooks, checks, and the reference namespace."""

    def __init__(self, root: Path, name: str):
        self.name = name
        self.release_nb = read_json(root / "release" / name / f"{name}.ipynb")
        self.source_nb = read_json(root / "source" / name / f"{name}.ipynb")
        self.checks = importlib.import_module(f"checks.{name}")
        self.points = {nbmeta(c)["grade_id"]: float(nbmeta(c).get("points", 0))
                       for c in self.release_nb["cells"] if nbmeta(c).get("grade")}
        self.questions = [q for q in self.checks.QUESTIONS if q.grade_id in self.points]
        missing = set(self.points) - {q.grade_id for q in self.questions}
        if missing:
            raise SystemExit(f"{name}: no hidden checks for {sorted(missing)} in checks/{name}.py")
        self.want_names = {nbmeta(c)["grade_id"]: {n for n in defined_names(strip_solution_markers(src(c)))
                                                  if not n.startswith("_")}
                           for c in self.source_nb["cells"] if nbmeta(c).get("solution")}
        self._ref = None
        self._cases = {}

    def cases_and_refs(self, q, seed: int):
        """The inputs for q (from the instructor's seed) and the reference results: computed
        once per grading run, shared by every submission."""
        key = (q.grade_id, seed)
        if key not in self._cases:
            cases = draw_cases(self, q, seed)
            self._cases[key] = (cases, reference_results(self, q, cases))
        return self._cases[key]

    def job_cells(self, answers: dict, q) -> list:
        """Setup cells and q's answer cells, in notebook order, up to the last answer needed."""
        cells = self.release_nb["cells"]
        last = max(k for k, c in enumerate(cells) if nbmeta(c).get("grade_id") in q.answers)
        out = []
        for k, c in enumerate(cells[:last + 1]):
            gid = nbmeta(c).get("grade_id")
            if is_setup(c):
                out.append({"id": f"setup cell {k}", "source": src(c), "answer": False})
            elif gid in q.answers:
                out.append({"id": gid, "source": answers.get(gid, src(c)), "answer": True})
        glue = getattr(self.checks, "GLUE", {}).get(q.grade_id)
        if glue:
            out.append({"id": "grader glue", "source": glue, "answer": False})
        return out

    def reference(self):
        if self._ref is None:
            answers = {nbmeta(c)["grade_id"]: strip_solution_markers(src(c))
                       for c in self.source_nb["cells"] if nbmeta(c).get("solution")}
            self._ref = {}
            import warnings
            for q in self.questions:
                ns = {"__name__": "__reference__"}
                import contextlib
                import io
                with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                    warnings.simplefilter("ignore")
                    for cell in self.job_cells(answers, q):
                        exec(compile(cell["source"], f"<reference {cell['id']}>", "exec"), ns)
                self._ref[q.grade_id] = ns
        return self._ref


def _seed_for(root: Path, seed) -> int:
    if seed is not None:
        return int(seed)
    env = os.environ.get("COURSE_GRADER_SEED")
    if env:
        return int(env)
    path = root / SEED_FILE
    if not path.is_file():
        path.write_text(f"{secrets.randbits(63)}\n")
        os.chmod(path, 0o600)
    return int(path.read_text().strip())


def draw_cases(part: Part, q, seed: int):
    import numpy as np
    rng = np.random.default_rng([seed, PARTS.index(part.name), part.questions.index(q)])
    return q.cases(rng)


def reference_results(part: Part, q, cases) -> list:
    import warnings
    ns = part.reference()[q.grade_id]
    out = []
    for case in cases:
        if case.value:
            out.append(ns[case.value])
            continue
        args = codec.decode(json.loads(json.dumps(codec.encode(list(case.args)))), _safe_sym,
                            codec._input_functions())
        kwargs = dict(case.kwargs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out.append(ns[case.call](*args, **kwargs))
    return out


def _safe_sym(text):
    from checks import parse_sympy
    return parse_sympy(text)


# -- one question, one isolated interpreter -------------------------------------------------------

def _parent_of(pid: int):
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


class Zygote:
    """One sandboxed, pre-imported Python per submission (runner.serve); a fresh child per question.
    A question that runs out of time kills the whole sandbox; the next question starts a new one."""

    def __init__(self, box: Path, libdir: Path, slot: int, limits: dict, hide: list, keep: list):
        self.args = (box, slot, hide, keep + [str(libdir)], limits)
        self.argv = [sys.executable, "-I", str(libdir / "runner.py")]
        self.proc = None
        self.buf = b""
        self.child_pgid = None

    def _start(self):
        box, slot, hide, keep, limits = self.args
        self.proc = sandbox.popen(self.argv, box, slot, hide, keep, limits)
        self.buf = b""

    def close(self):
        if self.proc is not None:
            sandbox.kill(self.proc)
            self.proc = None
        if self.child_pgid and not sandbox.capabilities()["namespaces"]:
            try:                           # without a pid namespace the child has its own group
                os.killpg(self.child_pgid, 9)
            except (ProcessLookupError, PermissionError):
                pass
        self.child_pgid = None

    def run(self, job: dict, cases, timeout: float, budget: float) -> dict:
        if self.proc is None or self.proc.poll() is not None:
            self.close()
            self._start()
        results, cell_errors, stopped, current = {}, {}, None, "starting Python"
        self.child_pgid = None                  # this job's child, announced by the runner
        t_end = time.monotonic() + budget
        try:
            self.proc.stdin.write((json.dumps(job) + "\n").encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        total, phase_start, finished = 0, time.monotonic(), False
        while not finished:
            now = time.monotonic()
            left = min(phase_start + timeout, t_end) - now
            if left <= 0:
                stopped = (f"{current} ran longer than {timeout:g} s and was stopped"
                           if now < t_end else f"the time for this notebook ran out during {current}")
                break
            if not sel.select(timeout=min(left, 1.0)):
                continue
            chunk = os.read(self.proc.stdout.fileno(), 1 << 16)
            if not chunk:
                stopped = f"the Python process ended during {current} (a memory or CPU limit?)"
                break
            total += len(chunk)
            if total > 64_000_000:
                stopped = "the answer sent back too much data"
                break
            self.buf += chunk
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                try:
                    ev = json.loads(line)
                except (ValueError, RecursionError):     # the student's code can write here too
                    continue
                if not isinstance(ev, dict):
                    continue
                kind = ev.get("ev")
                if kind == "child" and isinstance(ev.get("pid"), int) and ev["pid"] > 1:
                    if self.child_pgid is None and _parent_of(ev["pid"]) == self.proc.pid:
                        self.child_pgid = ev["pid"]          # only a real child of the runner
                elif kind == "cell":
                    current, phase_start = f"cell {ev.get('id')}", time.monotonic()
                elif kind == "cell_error":
                    cell_errors[str(ev.get("id"))] = str(ev.get("error"))[:600]
                elif kind == "case":
                    i = ev.get("i")
                    ok = isinstance(i, int) and 0 <= i < len(cases)
                    current = f"the check of {cases[i].label}" if ok else "a check"
                    phase_start = time.monotonic()
                elif kind == "result" and isinstance(ev.get("i"), int):
                    results[ev["i"]] = ev
                elif kind == "done":
                    current = "the end of the run"
                elif kind == "end":
                    finished = True
                    if len(results) < len(cases) and stopped is None:
                        stopped = (f"the Python process running {current} ended early "
                                   "(os._exit, sys.exit in a function, a crash, or a memory or CPU limit)")
        sel.close()
        if not finished:
            self.close()
        return {"results": results, "cell_errors": cell_errors, "stopped": stopped}


def question_job(part: Part, q, answers: dict, cases) -> dict:
    return {"cells": part.job_cells(answers, q),
            "cases": [{"call": c.call, "value": c.value, "args": codec.encode(list(c.args)),
                       "kwargs": codec.encode(dict(c.kwargs)), "return_args": c.return_args}
                      for c in cases]}


def score_question(part: Part, q, answers: dict, run: dict, cases, refs) -> tuple[float, list]:
    """All checks pass: full points; else 0. Returns (score, feedback lines)."""
    from checks import Mismatch, forbidden_use
    points = part.points[q.grade_id]
    lines = []
    own = q.answers[-1]                     # the question's own answer cell; the others it builds on
    bad = forbidden_use(answers.get(own, ""), q)
    if bad:
        return 0.0, [f"✗ no credit: your answer cell {own} {bad}."]
    for gid in q.answers[:-1]:              # an earlier cell may not supply this question's functions
        taken = defined_names(answers.get(gid, "")) & part.want_names.get(own, set())
        if taken:
            return 0.0, [f"✗ no credit: {', '.join(sorted(taken))} must be defined in {own}, "
                         f"not in {gid}."]
    for cell_id, err in run["cell_errors"].items():
        if cell_id in q.answers:
            lines.append(f"! your answer cell {cell_id} raised {err}")
        elif cell_id.startswith("setup") or cell_id == "grader glue":
            lines.append(f"! a setup cell raised {err} (report this to your instructor)")
    ok_all = True
    for i, case in enumerate(cases):
        ev = run["results"].get(i)
        if ev is None:
            ok_all = False
            lines.append(f"✗ {case.label}: not checked ({run['stopped'] or 'no result'})")
            if run["stopped"]:
                break
            continue
        if "error" in ev:
            ok_all = False
            lines.append(f"✗ {case.label}: raised {ev['error']}")
            continue
        try:
            got = codec.decode(ev.get("out"), _safe_sym)
            case.compare(got, refs[i], "the result")
            for j in case.return_args:
                after = codec.decode(ev.get("args", [])[case.return_args.index(j)], _safe_sym)
                import numpy as np
                if not (isinstance(after, np.ndarray) and np.array_equal(after, np.asarray(case.args[j]))):
                    raise Mismatch(f"argument {j} was changed in place (work on a copy)")
            lines.append(f"✓ {case.label}")
        except Mismatch as exc:
            ok_all = False
            lines.append(f"✗ {case.label}: {exc}")
        except Exception as exc:                        # a result the comparison cannot read
            ok_all = False
            lines.append(f"✗ {case.label}: the result could not be read ({type(exc).__name__})")
    return (points if ok_all else 0.0), [_scrub(l) for l in lines]


_PATH = re.compile(r"(?:/[\w.\-+@]+){2,}/?")


def _scrub(text: str) -> str:
    """No grader paths in feedback."""
    return _PATH.sub("<path>", text)


def grade_one(part: Part, student: str, nb_path: Path, seed: int, slot: int, limits: dict,
              hide: list, keep: list, workdir: Path, libdir: Path) -> dict:
    """Intake and grade one student's part in a throw-away folder; returns the record."""
    t0 = time.perf_counter()
    rec = {"student": student, "part": part.name, "failed": None, "notes": [], "questions": {}}
    try:
        nb, answers, notes = intake(nb_path, part.release_nb, part.source_nb)
    except Exception as exc:          # IntakeError, or JSON too deep, cells of the wrong types, ...
        if not isinstance(exc, IntakeError):   # ... which must fail this notebook, not the whole run
            exc = IntakeError(f"not a notebook the grader can read ({type(exc).__name__} while "
                              "reading its cells)")
        rec["failed"] = str(exc)
        rec["notebook"] = copy.deepcopy(part.release_nb)
        for q in part.questions:
            rec["questions"][q.grade_id] = (0.0, [f"✗ not graded: {exc}"])
        return rec
    rec["notes"], rec["notebook"] = notes, nb
    box = Path(tempfile.mkdtemp(prefix=f"box-{slot}-", dir=workdir))
    zygote = None
    try:
        (box / f"{part.name}.ipynb").write_text(json.dumps(nb))
        sandbox.prepare_box(box, slot)
        budget_end = time.monotonic() + float(limits["notebook_timeout"])
        zygote = Zygote(box, libdir, slot, limits, hide, keep)
        for q in part.questions:
            cases, refs = part.cases_and_refs(q, seed)
            left = budget_end - time.monotonic()
            if left <= 0:
                rec["questions"][q.grade_id] = (0.0, ["✗ not checked: the time for this notebook ran out"])
                continue
            run = zygote.run(question_job(part, q, answers, cases), cases, float(limits["timeout"]), left)
            rec["questions"][q.grade_id] = score_question(part, q, answers, run, cases, refs)
    except Exception as exc:                                  # a grader bug must not sink the run
        rec["failed"] = f"grader error {type(exc).__name__}: {_scrub(str(exc))[:120]}"
    finally:
        if zygote is not None:
            zygote.close()
        shutil.rmtree(box, ignore_errors=True)
    rec["seconds"] = time.perf_counter() - t0
    return rec


# -- collecting, gradebook, feedback ------------------------------------------------------------

def find_submissions(submissions: Path, parts) -> dict:
    found = {p: [] for p in parts}
    if not submissions.is_dir():
        raise SystemExit(f"submissions must be a folder of student folders, got {submissions}")
    for student_dir in sorted(p for p in submissions.iterdir() if p.is_dir()):
        for part in parts:
            for cand in (student_dir / part / f"{part}.ipynb", student_dir / f"{part}.ipynb"):
                if cand.is_file():
                    found[part].append((student_dir.name, cand))
                    break
    return found


def _feedback_notebook(part: Part, rec: dict) -> dict:
    nb = copy.deepcopy(rec["notebook"])
    head = [f"**Grading of {rec['part']} for {rec['student']}.** {FEEDBACK_NOTE}"]
    if rec["failed"]:
        head.append(f"\n**FAILED:** {rec['failed']}")
    for n in rec["notes"]:
        head.append(f"\n- {n}")
    nb["cells"].insert(0, {"cell_type": "markdown", "id": "grading-notes", "metadata": {},
                           "source": "\n".join(head)})
    for c in nb["cells"]:
        gid = nbmeta(c).get("grade_id")
        if gid in rec["questions"]:
            score, lines = rec["questions"][gid]
            text = f"{score:g} / {part.points[gid]:g} points\n" + "\n".join(lines) + "\n"
            c["outputs"] = [{"output_type": "stream", "name": "stdout", "text": text}]
    return nb


def _feedback_one(args) -> bool:
    root, part, student, quiet = args
    from nbgrader.converters import GenerateFeedback
    return _run_app(GenerateFeedback, _config(root), quiet, assignment_id=part, student_id=student, force=True)


def _feedback_html(root: Path, todo: list, jobs: int, quiet: bool) -> list:
    """nbgrader's generate_feedback (HTML), one notebook per task, `jobs` processes at a time
    (nbconvert takes 1-3 s per notebook here, mostly parsing its own HTML)."""
    tasks = [(root, part, student, quiet) for part, student in todo]
    if jobs <= 1 or len(tasks) <= 1:
        return [_feedback_one(t) for t in tasks]
    import multiprocessing
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        return pool.map(_feedback_one, tasks, chunksize=1)


def write_results(root: Path, parts: dict, records: list, quiet: bool = True, jobs: int = 1) -> list:
    """Scores into nbgrader's gradebook, autograded notebooks, feedback HTML, CSVs."""
    from nbgrader.api import Gradebook
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.plugins import CsvExportPlugin
    import warnings
    warnings.filterwarnings("ignore")          # nbgrader's SQLAlchemy and nbformat chatter
    cfg = _config(root)
    coursedir = CourseDirectory(config=cfg)
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        for rec in records:
            part, student = parts[rec["part"]], rec["student"]
            gb.update_or_create_student(student)
            try:
                gb.remove_submission(rec["part"], student)
            except Exception:
                pass
            gb.add_submission(rec["part"], student)
            for gid, (score, _) in rec["questions"].items():
                grade = gb.find_grade(gid, rec["part"], rec["part"], student)
                grade.auto_score = float(score)
            gb.db.commit()
            out = root / "autograded" / student / rec["part"]
            out.mkdir(parents=True, exist_ok=True)
            (out / f"{rec['part']}.ipynb").write_text(json.dumps(_feedback_notebook(part, rec), indent=1))
    ok = all(_feedback_html(root, sorted({(r["part"], r["student"]) for r in records}), jobs, quiet))
    plugin = CsvExportPlugin(config=cfg)
    plugin.to = str(root / "grades.csv")
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        plugin.export(gb)
    rows = []
    for rec in sorted(records, key=lambda r: (r["part"], r["student"])):
        for gid, (score, _) in sorted(rec["questions"].items()):
            rows.append({"student_id": rec["student"], "part": rec["part"], "question": gid,
                         "score": score, "max_score": parts[rec["part"]].points[gid]})
    with open(root / "grades_by_question.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["student_id", "part", "question", "score", "max_score"])
        w.writeheader()
        w.writerows(rows)
    if not ok:
        print("nbgrader could not render some feedback; the autograded notebooks hold it", file=sys.stderr)
    return rows


def _hidden_paths(root: Path, submissions: Path | None) -> tuple[list, list]:
    """(folders to hide from student code, folders to keep visible read-only)."""
    import course_lib
    lib = Path(course_lib.__file__).resolve().parent
    repo = lib.parent
    hide = {str(root), str(repo), "/mnt", "/home", "/srv", "/opt", "/work", "/root"}
    if submissions is not None:
        hide.add(str(submissions))
    keep = [str(Path(sys.prefix).resolve()), str(lib),
            str(Path(os.path.realpath(sys.executable)).parent.parent)]   # the base Python
    keep += [str(Path(p).resolve()) for p in (sys.base_prefix,) if Path(p).is_dir()]
    keep = sorted(set(keep))
    return sorted(hide), keep


def grade_all(root: Path, work: list, seed: int, limits: dict, jobs: int, hide: list, keep: list,
              quiet: bool = True) -> tuple[list, dict]:
    parts = {}
    for name in sorted({p for p, _, _ in work}):
        parts[name] = Part(root, name)
        for q in parts[name].questions:
            parts[name].cases_and_refs(q, seed)
    workdir = Path(tempfile.mkdtemp(prefix="course-grading-"))
    os.chmod(workdir, 0o711)
    libdir = workdir / "lib"
    libdir.mkdir()
    shutil.copy2(HERE / "runner.py", libdir / "runner.py")
    os.chmod(libdir, 0o755)
    os.chmod(libdir / "runner.py", 0o644)
    records = []
    try:
        slots = list(range(jobs))
        import threading
        lock = threading.Lock()

        def task(item):
            name, student, path = item
            with lock:
                slot = slots.pop()
            try:
                rec = grade_one(parts[name], student, path, seed, slot, limits, hide, keep, workdir, libdir)
            finally:
                with lock:
                    slots.append(slot)
            got = sum(s for s, _ in rec["questions"].values())
            print(f"graded {student}/{name}: {got:g}/{sum(parts[name].points.values()):g}"
                  f"{'  FAILED: ' + rec['failed'] if rec['failed'] else ''}  ({rec.get('seconds', 0):.1f} s)",
                  flush=True)
            return rec
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            records = list(pool.map(task, work))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return records, parts


def print_summary(records: list, parts: dict) -> None:
    print(f"{'student':<24}{'part':<8}{'score':>9}")
    for rec in sorted(records, key=lambda r: (r["student"], r["part"])):
        got = sum(s for s, _ in rec["questions"].values())
        out_of = sum(parts[rec["part"]].points.values())
        tail = f"   FAILED: {rec['failed']}" if rec["failed"] else ""
        print(f"{rec['student']:<24}{rec['part']:<8}{got:>5g}/{out_of:g}{tail}")


def autograde(submissions: Path, root: Path = HERE, parts=PARTS, timeout=None, seed=None,
              jobs: int = 2, quiet: bool = True) -> int:
    submissions = Path(submissions).resolve()
    found = find_submissions(submissions, parts)
    work = [(p, s, path) for p in parts for s, path in found[p]]
    if not work:
        raise SystemExit(f"no notebooks named {', '.join(parts)} found under {submissions}")
    _ensure_released(root, sorted({p for p, _, _ in work}), quiet)
    print(sandbox.capabilities()["note"], flush=True)
    limits = dict(DEFAULTS)
    if timeout:
        limits["timeout"] = int(timeout)
    limits["cpu_seconds"] = int(limits["timeout"]) * 4 + 20
    hide, keep = _hidden_paths(root, submissions)
    t0 = time.perf_counter()
    records, parts_ = grade_all(root, work, _seed_for(root, seed), limits, jobs, hide, keep, quiet)
    t1 = time.perf_counter()
    write_results(root, parts_, records, quiet, jobs)
    t2 = time.perf_counter()
    print_summary(records, parts_)
    failed = [r for r in records if r["failed"]]
    print(f"timing: reference and sandboxed grading {t1 - t0:.1f} s, gradebook and feedback {t2 - t1:.1f} s "
          f"({jobs} worker{'s' if jobs > 1 else ''})")
    print(f"graded {len(records)} notebooks in {t2 - t0:.1f} s; wrote "
          f"{root / 'grades.csv'}, {root / 'grades_by_question.csv'} and "
          f"{root / 'feedback'}/<student>/<part>/<part>.html")
    if failed:
        print(f"{len(failed)} notebook(s) FAILED to grade (see above); exit status 1", file=sys.stderr)
        return 1
    return 0


def check(part_name: str, notebook: Path | None, root: Path = HERE, timeout=None) -> int:
    """Grade one student's own copy locally and print per-question feedback (no gradebook)."""
    name = part_name if part_name.startswith("part") else f"part{part_name}"
    if name not in PARTS:
        raise SystemExit(f"unknown part {part_name!r}: use one of "
                         f"{', '.join(p[len('part'):] for p in PARTS)}")
    if not (root / "release" / name / f"{name}.ipynb").is_file():
        release(root, [name])
    nb_path = Path(notebook) if notebook else root / "release" / name / f"{name}.ipynb"
    if not nb_path.is_file():
        raise SystemExit(f"no notebook at {nb_path}")
    limits = dict(DEFAULTS)
    if timeout:
        limits["timeout"] = int(timeout)
    limits["cpu_seconds"] = int(limits["timeout"]) * 4 + 20
    hide, keep = _hidden_paths(root, None)
    records, parts = grade_all(root, [(name, "me", nb_path.resolve())], secrets.randbits(63),
                               limits, 1, hide, keep)
    rec, part = records[0], parts[name]
    print(f"\n{name}: {nb_path}")
    if rec["failed"]:
        print(f"FAILED: {rec['failed']}")
    for n in rec["notes"]:
        print(f"  note: {n}")
    for q in part.questions:
        score, lines = rec["questions"][q.grade_id]
        print(f"\n{q.grade_id}: {score:g}/{part.points[q.grade_id]:g}")
        for line in lines:
            print("   " + line)
    total = sum(s for s, _ in rec["questions"].values())
    print(f"\ntotal {total:g}/{sum(part.points.values()):g}  ({FEEDBACK_NOTE})")
    return 1 if rec["failed"] else 0


def main(argv=None) -> int:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", type=Path, default=HERE,
                        help="the exercises folder (holding nbgrader_config.py and source/)")
    common.add_argument("--verbose", action="store_true", help="print nbgrader's log")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    rel = sub.add_parser("release", parents=[common], help="generate the student version in release/")
    rel.add_argument("--parts", nargs="+", default=list(PARTS), choices=PARTS)
    ag = sub.add_parser("autograde", parents=[common], help="grade a folder of submissions")
    ag.add_argument("submissions", type=Path, help="folder with one sub-folder per student")
    ag.add_argument("--parts", nargs="+", default=list(PARTS), choices=PARTS)
    ag.add_argument("--timeout", type=int, default=None, help="seconds allowed per cell (default 30)")
    ag.add_argument("--seed", type=int, default=None,
                    help=f"instructor seed (default: $COURSE_GRADER_SEED or {SEED_FILE}, created once)")
    ag.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="notebooks at a time")
    ck = sub.add_parser("check", parents=[common], help="grade your own copy of one part")
    ck.add_argument("--part", required=True, help=", ".join(p[len("part"):] for p in PARTS))
    ck.add_argument("notebook", nargs="?", type=Path, default=None,
                    help="your notebook (default: exercises/release/partN/partN.ipynb)")
    ck.add_argument("--timeout", type=int, default=None)
    args = parser.parse_args(argv)
    root = args.root.resolve()
    notebook = args.notebook.resolve() if getattr(args, "notebook", None) else None
    submissions = args.submissions.resolve() if args.command == "autograde" else None
    os.chdir(root)   # nbgrader resolves some paths against the working directory
    if args.command == "release":
        release(root, args.parts, quiet=not args.verbose)
        return 0
    if args.command == "check":
        return check(args.part, notebook, root, args.timeout)
    return autograde(submissions, root, args.parts, args.timeout, args.seed, args.jobs,
                     quiet=not args.verbose)


if __name__ == "__main__":
    sys.exit(main())
