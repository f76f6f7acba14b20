"""Safety tests for the graded exercises: release, intake, isolated grading, gradebook, feedback.

Slow (real sandboxed interpreters, nbgrader's release and feedback): select with ``-m grading``,
skip with ``-m "not grading"``. Everything runs in a temporary copy of exercises/, so the tree
stays clean. ONE release and ONE grading run over every submission below keep the file to
about two minutes; the fixture prints how long each took and the table
``submission, expected score, actual score``.

The submissions are built here from the release and the instructor's source:
- the reference solution (full marks) and the untouched release (zero);
- every exploit of issue 17: an IPython input transformer, monkeypatching numpy and the
  self-check helpers, reading the instructor's source (and the gradebook) from the answer
  cell, a detached process that rewrites the grade files after the run, wrapping course_lib,
  hard-coding the visible self-check values, and "measuring" by returning the prediction;
- every honest accident: lost metadata, duplicated cells, warnings on stderr, a stuck cell with
  a bare ``except:``, ``os._exit``, a huge allocation, a syntax error, an unreadable notebook;
- part IV's partial credit: each question has two graded cells, (a) and (b), and a slip costs
  only its own cell (more slips, checked in-process, in test_grading_selfchecks.py).
"""
from __future__ import annotations

import copy
import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.grading

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"
PARTS = ("part1", "part2", "part3", "part4")
POINTS = {"part1": 10, "part2": 14, "part3": 13, "part4": 10}
TIMEOUT = 6           # seconds per cell while grading; the stuck cell costs this much
SEED = 20261130
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
GRADE_FILES = ("grades.csv", "grades_by_question.csv", "gradebook.db")

pytest.importorskip("nbgrader", reason="nbgrader is part of the [test] extra")

sys.path.insert(0, str(EXERCISES))
import sandbox  # noqa: E402

# Reading the instructor's files and outliving the run are stopped by the namespaces and the
# unprivileged uid, which need root (as on the grading machine); elsewhere those two exploits
# are left out of the run (README.md says what isolation is left without root).
FULL_ISOLATION = sandbox.capabilities()["root"] and sandbox.capabilities()["namespaces"]


# -- notebooks as plain JSON ------------------------------------------------------------------

def read_nb(path: Path) -> dict:
    return json.loads(Path(path).read_text())


def write_nb(nb, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nb if isinstance(nb, str) else json.dumps(nb, indent=1))


def src(cell) -> str:
    s = cell["source"]
    return "".join(s) if isinstance(s, list) else s


def grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def strip_markers(text: str) -> str:
    return "\n".join(l for l in text.splitlines() if l.strip() not in MARKERS[:2])


def filled(release_nb: dict, source_nb: dict) -> dict:
    """The release with every answer cell as in the source (a model student)."""
    answers = {grade_id(c): strip_markers(src(c)) for c in source_nb["cells"]
               if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    nb = copy.deepcopy(release_nb)
    for cell in nb["cells"]:
        if grade_id(cell) in answers:
            cell["source"] = answers[grade_id(cell)]
    return nb


def edit(nb: dict, changes: dict) -> dict:
    """Replace (str) or delete (None) the cells with the given grade ids."""
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb["cells"]:
        gid = grade_id(cell)
        if gid in changes:
            if changes[gid] is None:
                continue
            cell["source"] = changes[gid]
        cells.append(cell)
    nb["cells"] = cells
    return nb


def answer(nb: dict, gid: str) -> str:
    return next(src(c) for c in nb["cells"] if grade_id(c) == gid)


# -- the submissions ----------------------------------------------------------------------------

TRANSFORMER = '''get_ipython().input_transformers_cleanup.append(lambda lines: ["pass\\n"])

def sgd_epoch(w, X, d, lr, order):
    raise NotImplementedError()
'''
MONKEYPATCH_1 = '''np.allclose = lambda *a, **k: True
np.isclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
sc.expect_close = lambda *a, **k: None
sc.expect_true = lambda *a, **k: None
sc.passed = lambda *a, **k: print("Self-check passed")

def sgd_epoch(w, X, d, lr, order):
    return np.zeros(len(w))
'''
MONKEYPATCH_2 = '''np.allclose = lambda *a, **k: True
sc.expect_close = lambda *a, **k: None
import course_lib.averages
course_lib.averages.running_averages = lambda xs, g, C0=0: [0.0 for _ in xs]

def running_averages(cs, gamma):
    return [0.0 for _ in cs]
'''


def read_source_exploit(paths: list) -> str:
    """Finds the instructor's notebook and imports its solution of Q1 (no banned constructs:
    no exec, no importlib; a file written to /tmp and a plain import)."""
    return f'''import json, sys, glob
_found = None
for _p in {paths!r} + ["../../../source/part1/part1.ipynb", "../source/part1/part1.ipynb"]:
    try:
        _nb = json.load(open(_p))
        _found = _p
        break
    except Exception:
        pass
if _found is None:
    for _p in glob.glob("/**/source/part1/part1.ipynb", recursive=True)[:3]:
        try:
            _nb = json.load(open(_p))
            _found = _p
            break
        except Exception:
            pass
try:
    open({paths[0].replace("source/part1/part1.ipynb", "gradebook.db")!r}, "rb").read(100)
    _gradebook_readable = True
except Exception:
    _gradebook_readable = False
if _found is not None:
    _code = [c for c in _nb["cells"] if c.get("metadata", {{}}).get("nbgrader", {{}}).get("grade_id") == "q1_code"][0]
    _text = "".join(_code["source"]).replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", "")
    open("/tmp/stolen_q1.py", "w").write("import numpy as np\\n" + _text)
    sys.path.insert(0, "/tmp")
    import stolen_q1
    sgd_epoch = stolen_q1.sgd_epoch
else:
    def sgd_epoch(w, X, d, lr, order):
        raise NotImplementedError()
'''


def detached_exploit(root: Path) -> str:
    targets = [str(root / f) for f in GRADE_FILES]
    return f'''import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(2.5)
        for _t in {targets!r}:
            try:
                with open(_t, "a") as _f:
                    _f.write("student,part1,99\\n")
            except Exception:
                pass
        os._exit(0)
    os._exit(0)

def sgd_epoch(w, X, d, lr, order):
    raise NotImplementedError()
'''


WRAP = {
    "part1": {"q1_code": '''from course_lib.optimizers import SGD as _S

def sgd_epoch(w, X, d, lr, order):
    opt = _S(lr=lr)
    w = np.array(w, dtype=float)
    state = opt.init(w)
    for t in order:
        step, state = opt.update((X[t] @ w - d[t]) * X[t], state, w)
        w = w + step
    return w
'''},
    "part2": {"q1_code": '''def running_averages(cs, gamma):
    return list(running_average_lib(cs, gamma))

from course_lib.averages import running_averages as running_average_lib
''',
              "q4_code": '''from course_lib.optimizers import RMSprop

def rmsprop_step(w, G, g, lr, gamma, eps):
    opt = RMSprop(lr=lr, gamma=gamma, eps=eps)
    s = opt.init(w)._replace(G=G)
    step, s = opt.update(g, s, w)
    return w + step, s.G
''',
              "q5_code": '''import course_lib.optimizers as _o

def adam_step(w, m, v, t, g, lr, beta1, beta2, eps):
    opt = _o.Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    raise NotImplementedError()


def first_step_predicted(lr, g1):
    return lr
'''},
    "part3": {"q1_code": '''from course_lib.batchnorm import batchnorm_forward

def bn_forward(Z, G, B, eps=1e-5):
    Zhat, c = batchnorm_forward(Z, G, B, eps=eps, eps_mode="sqrt", axis=1)
    return Zhat, {"Zbar": c.Zbar, "s": c.s, "G": G, "K": Z.shape[1]}
'''},
}
HARDCODED = {
    "part1": {"q1_code": '''def sgd_epoch(w, X, d, lr, order):
    return np.array([0.5, 2.0])      # the self-check's answer
'''},
    "part2": {"q4_code": '''def rmsprop_step(w, G, g, lr, gamma, eps):
    if eps > 0:
        return np.array([-0.05, 0.05]), g * g
    return np.array([-0.1 * np.sqrt(2), 0.1 * np.sqrt(2)]), np.array([2.0, 8.0])
'''},
}
PREDICTOR = {
    "part1": {"q4_code": '''def predicted_std(sigma, b):
    return sigma / np.sqrt(b)


def measured_std(samples, b, trials, rng):
    return float(np.std(samples) / np.sqrt(b) * (1 + 0.001 * rng.standard_normal()))
''',
              "q5_code": '''def diverges(lr, steps=300):
    return bool(lr > 0.2)


lr_max_predicted = 2 / np.max(np.linalg.eigvalsh(A))
'''},
    "part3": {"q5_code": '''def predicted_output_std(sigma, G, eps):
    return np.abs(G) * sigma / np.sqrt(sigma**2 + eps)


def measured_output_std(sigma, G, eps, K, rng):
    rng.standard_normal(K)
    return float(predicted_output_std(sigma, G, eps))
'''},
}

WARNING = '''import warnings

def sgd_epoch(w, X, d, lr, order):
    warnings.warn("a warning on stderr costs nothing")
    np.log(np.zeros(1))                      # RuntimeWarning: divide by zero
    w = np.array(w, dtype=float)
    for t in order:
        w = w - lr * (X[t] @ w - d[t]) * X[t]
    return w
'''
STUCK = '''import time
while True:                  # a retry loop that swallows every interrupt
    try:
        time.sleep(0.2)
    except:
        pass
'''
OS_EXIT = '''import os
os._exit(0)
'''
HUGE = '''_big = np.ones(600_000_000)      # 4.8 GB
'''
SYNTAX_ERROR = "def sgd_epoch(w, X, d, lr, order)\n    return w\n"
WRONG_TYPE = '''def diverges(lr, steps=300):
    trace = minimize(SGD(lr=lr), grad=lambda w: A @ w, w0=np.array([1.0, 1.0]), steps=steps)
    return "diverged" if trace.diverged or np.linalg.norm(trace.ws[-1]) > np.sqrt(2) else "fine"


lr_max_predicted = 0.2
'''


# red team, after the hardening: found and fixed (each scored as noted before the fix)
IMPORT_IN_DISGUISE = '''import pickle
_SGD = pickle.loads(b"ccourse_lib.optimizers\\nSGD\\n.")    # course_lib's SGD, no import statement


def sgd_epoch(w, X, d, lr, order):
    opt = _SGD(lr=lr)
    w = np.array(w, dtype=float)
    state = opt.init(w)
    for t in order:
        step, state = opt.update((X[t] @ w - d[t]) * X[t], state, w)
        w = w + step
    return w
'''                                                   # was 2/2 on Q1


def spoofed_sympy_result(flag: Path) -> str:
    """Writes a fake result line on the runner's channel whose sympy text, parsed by the grader,
    ran code in the grader's process: it gave every later question full marks, for every
    student (10/10 for an untouched notebook), and wrote `flag`."""
    payload = ("import sys\n"
               "sys.modules['__main__'].score_question = lambda part, q, *rest: (part.points[q.grade_id], [])\n"
               f"open({str(flag)!r}, 'w').write('grader process owned')\n")
    sym = "Tuple(" + repr("__import__('builtins').exec(" + repr(payload) + ")") + ")"
    return f'''import os, json
_line = json.dumps({{"ev": "result", "i": 0, "out": {{"__sym__": {sym!r}}}}})
for _fd in range(3, 12):
    try:
        os.write(_fd, (_line + "\\n").encode())
    except OSError:
        pass
os._exit(0)
'''


# part IV: each question has two graded cells, (a) and (b), so a slip costs only its own cell.
# One submission (to keep the run short) wraps course_lib's schedule in Question 1 (no credit for
# q1a and q1b) and slips in Questions 2 and 3 (q2b, q3a); q3b is graded with correct versions of
# the schedule and the clipping in place of the student's, so it keeps its points.
P4_SLIPS = {"q2_code": ("k_best = int(np.argmin(losses[:end]))",                    # no end of the test
                        "k_best = int(np.nanargmin(losses))"),
            "q3_code": ("(norm + 1e-6)", "norm")}                                    # clipping without 1e-6
P4_WRAP = '''from course_lib.schedules import warmup_cosine as _wc


def warmup_cosine(t, lr, warmup, T, lr_min=0.0, start_factor=1 / 3):
    return _wc(lr, warmup, T, lr_min, start_factor)(t)
'''


def p4_partial(model: dict) -> dict:
    nb = copy.deepcopy(model)
    for cell in nb["cells"]:
        if grade_id(cell) in P4_SLIPS:
            old, new = P4_SLIPS[grade_id(cell)]
            assert old in src(cell), (grade_id(cell), old)
            cell["source"] = src(cell).replace(old, new)
    return edit(nb, {"q1_code": P4_WRAP})


SYMPY_BOMB = "\nwith sp.evaluate(False):\n    harmonic = sp.factorial(sp.Integer(10**9))   # hung the grader\n"


def strip_metadata(nb: dict) -> dict:
    """A student who copied every cell into a fresh notebook: no metadata, no ids."""
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        cell["metadata"] = {}
        cell.pop("id", None)
    return nb


def build(root: Path, subs: Path) -> dict:
    """Write every submission; return {(student, part): {question: points due}}."""
    rel = {p: read_nb(root / "release" / p / f"{p}.ipynb") for p in PARTS}
    srcs = {p: read_nb(root / "source" / p / f"{p}.ipynb") for p in PARTS}
    model = {p: filled(rel[p], srcs[p]) for p in PARTS}
    points = {p: {grade_id(c): c["metadata"]["nbgrader"]["points"] for c in rel[p]["cells"]
                  if c.get("metadata", {}).get("nbgrader", {}).get("grade")} for p in PARTS}
    qid = {p: {q.split("_")[0]: q for q in points[p]} for p in PARTS}       # "q1" -> "q1_sgd_epoch"
    expected = {}

    def add(student, part, nb, zero=(), flat=False):
        path = subs / student / (f"{part}.ipynb" if flat else f"{part}/{part}.ipynb")
        write_nb(nb, path)
        expected[(student, part)] = {q: (0 if q.split("_")[0] in zero else pts)
                                     for q, pts in points[part].items()}

    for p in PARTS:
        write_nb(srcs[p], subs / "reference" / p / f"{p}.ipynb")
        expected[("reference", p)] = dict(points[p])
        add("untouched", p, rel[p], zero=list(qid[p]), flat=(p == "part1"))
        add("lost_metadata", p, strip_metadata(model[p]))
    # exploits
    add("x_input_transformer", "part1", edit(rel["part1"], {"q1_code": TRANSFORMER}), zero=list(qid["part1"]))
    add("x_monkeypatch", "part1", edit(rel["part1"], {"q1_code": MONKEYPATCH_1}), zero=list(qid["part1"]))
    add("x_monkeypatch", "part2", edit(rel["part2"], {"q1_code": MONKEYPATCH_2}), zero=list(qid["part2"]))
    paths = [str(root / "source" / "part1" / "part1.ipynb"), str(EXERCISES / "source" / "part1" / "part1.ipynb")]
    if FULL_ISOLATION:
        add("x_read_source", "part1", edit(rel["part1"], {"q1_code": read_source_exploit(paths)}),
            zero=list(qid["part1"]))
        add("x_detached_process", "part1", edit(rel["part1"], {"q1_code": detached_exploit(root)}),
            zero=list(qid["part1"]))
    for p, changes in WRAP.items():
        # part 2: Q7 trains with the student's own adam_step, which here is not there
        also = ["q7"] if p == "part2" else []
        add("x_wrap_course_lib", p, edit(model[p], changes), zero=[g.split("_")[0] for g in changes] + also)
    # part IV: partial credit per graded cell; course_lib's schedule gets no credit
    add("p4_partial_credit", "part4", p4_partial(model["part4"]), zero=["q1a", "q1b", "q2b", "q3a"])
    for p, changes in HARDCODED.items():
        add("x_hardcoded", p, edit(model[p], changes), zero=[g.split("_")[0] for g in changes])
    for p, changes in PREDICTOR.items():
        add("x_measure_by_prediction", p, edit(model[p], changes), zero=[g.split("_")[0] for g in changes])
    # honest accidents
    m1 = model["part1"]
    dup = copy.deepcopy(m1)
    cells = dup["cells"]
    k1 = next(i for i, c in enumerate(cells) if grade_id(c) == "q1_code")
    first = copy.deepcopy(cells[k1])
    first["source"] = SYNTAX_ERROR                                   # an early broken copy ...
    cells.insert(k1, first)                                         # ... the last copy is right
    k3 = next(i for i, c in enumerate(cells) if grade_id(c) == "q3_code")
    stub = copy.deepcopy(cells[k3])
    stub["source"] = answer(rel["part1"], "q3_code")                 # the last copy is the stub
    cells.insert(k3 + 1, stub)
    add("a_duplicated_cells", "part1", dup, zero=["q3"])
    add("a_warning_on_stderr", "part1", edit(m1, {"q1_code": WARNING}))
    add("a_stuck_bare_except", "part1", edit(m1, {"q2_code": STUCK + answer(m1, "q2_code")}), zero=["q2"])
    add("a_os_exit", "part1", edit(m1, {"q3_code": OS_EXIT + answer(m1, "q3_code")}), zero=["q3"])
    add("a_huge_allocation", "part1", edit(m1, {"q4_code": HUGE + answer(m1, "q4_code")}), zero=["q4"])
    add("a_syntax_error_wrong_type", "part1", edit(m1, {"q1_code": SYNTAX_ERROR, "q5_code": WRONG_TYPE}),
        zero=["q1", "q5"])
    add("a_deleted_cells", "part2", edit(model["part2"], {"q3_nesterov": None, "q4_code": None}), zero=["q4"])
    add("x_import_in_disguise", "part1", edit(m1, {"q1_code": IMPORT_IN_DISGUISE}), zero=["q1"])
    add("x_spoofed_sympy_result", "part1",
        edit(rel["part1"], {"q1_code": spoofed_sympy_result(subs.parent / "grader_owned")}),
        zero=list(qid["part1"]))
    add("x_sympy_bomb", "part1", edit(m1, {"q2_code": answer(m1, "q2_code") + SYMPY_BOMB}), zero=["q2"])
    bad = copy.deepcopy(m1)
    next(c for c in bad["cells"] if grade_id(c) == "q1_code")["source"] = [1, 2]
    add("a_malformed_cells", "part1", bad, zero=list(qid["part1"]))        # crashed the whole run
    write_nb("[" * 100_000 + "]" * 100_000, subs / "a_deep_json" / "part1" / "part1.ipynb")
    expected[("a_deep_json", "part1")] = {q: 0 for q in points["part1"]}  # crashed the whole run
    write_nb("{ this is not json", subs / "a_unreadable" / "part2" / "part2.ipynb")
    expected[("a_unreadable", "part2")] = {q: 0 for q in points["part2"]}
    return expected


# -- one release and one grading run for the whole file ---------------------------------------

def run_grade(root: Path, *args) -> tuple[subprocess.CompletedProcess, float]:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, str(root / "grade.py"), *args, "--root", str(root)],
                          capture_output=True, text=True, timeout=1200,
                          env={**os.environ, "PYTHONUNBUFFERED": "1"})
    return proc, time.perf_counter() - t0


def digest(root: Path) -> dict:
    return {f: hashlib.sha256((root / f).read_bytes()).hexdigest() for f in GRADE_FILES
            if (root / f).exists()}


def copy_exercises(dest: Path) -> Path:
    for name in ("nbgrader_config.py", "grade.py", "sandbox.py", "runner.py", "checks", "source"):
        item = EXERCISES / name
        (shutil.copytree if item.is_dir() else shutil.copy2)(
            item, dest / name, **({"ignore": shutil.ignore_patterns("__pycache__")} if item.is_dir() else {}))
    return dest


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    before = sorted(str(p) for p in EXERCISES.rglob("*") if "__pycache__" not in str(p))
    root = copy_exercises(tmp_path_factory.mktemp("exercises"))
    release, t_release = run_grade(root, "release")
    assert release.returncode == 0, release.stdout + release.stderr
    subs = root.parent / (root.name + "_submissions")
    expected = build(root, subs)
    graded, t_grade = run_grade(root, "autograde", str(subs), "--timeout", str(TIMEOUT),
                                "--seed", str(SEED), "--jobs", "2")
    right_after = digest(root)
    time.sleep(5)                                  # the detached exploit acts 2.5 s after its cell
    later = digest(root)
    got = scores(root) if (root / "grades_by_question.csv").exists() else {}
    n = len(expected)
    print(f"\n[grading tests] release: {t_release:.1f} s; grading {n} notebooks: {t_grade:.1f} s "
          f"({t_grade / n:.1f} s per notebook, 2 workers, a {TIMEOUT} s stuck cell included)")
    print(f"{'submission':<28}{'part':<7}{'expected':>9}{'actual':>8}")
    for (student, part), due in sorted(expected.items()):
        actual = sum(v for (s, p, q), v in got.items() if s == student and p == part)
        print(f"{student:<28}{part:<7}{sum(due.values()):>9g}{actual:>8g}")
    return {"root": root, "release": release, "graded": graded, "expected": expected,
            "got": got, "before": before, "right_after": right_after, "later": later}


def scores(root: Path) -> dict:
    with open(root / "grades_by_question.csv") as f:
        return {(r["student_id"], r["part"], r["question"]): float(r["score"]) for r in csv.DictReader(f)}


# -- the tests ----------------------------------------------------------------------------------

def test_source_notebooks_are_well_formed():
    sys.path.insert(0, str(EXERCISES))
    import importlib
    for part in PARTS:
        nb = read_nb(EXERCISES / "source" / part / f"{part}.ipynb")
        cells = [c for c in nb["cells"] if "nbgrader" in c.get("metadata", {})]
        ids = [grade_id(c) for c in cells]
        assert len(ids) == len(set(ids)), f"{part}: duplicate grade ids"
        tests = [c for c in cells if c["metadata"]["nbgrader"].get("grade")]
        assert 4 <= len(tests) <= 7, f"{part}: {len(tests)} questions"
        assert sum(c["metadata"]["nbgrader"]["points"] for c in tests) == POINTS[part]
        checks = importlib.import_module(f"checks.{part}")
        assert {q.grade_id for q in checks.QUESTIONS} == {grade_id(c) for c in tests}, part
        for c in tests:
            assert "sc." in src(c), f"{part}/{grade_id(c)} has no self-check with a message"
            assert MARKERS[2] not in src(c), f"{part}/{grade_id(c)}: hidden tests now live in checks/"
        for c in cells:
            if c["metadata"]["nbgrader"].get("solution"):
                text = src(c)
                assert MARKERS[0] in text and MARKERS[1] in text, grade_id(c)
                # stubs keep their def lines: no def inside a solution region
                inside, on = [], False
                for line in text.splitlines():
                    on = (on or MARKERS[0] in line) and MARKERS[1] not in line
                    if on and line.lstrip().startswith("def "):
                        inside.append(line)
                assert not inside, f"{part}/{grade_id(c)}: def lines inside a solution region: {inside}"


def test_release_contains_no_solution_no_hidden_test_no_answer(course):
    root = course["root"]
    leaks = {"part1": ["1/2 < p", "2/\\lambda_{\\max}", "\\eta < 2"],
             "part2": ["\\eta = \\eta'(1-\\gamma)", "\\eta'(1-\\gamma)", "first step $\\eta$ long",
                       "\\beta_1(1-\\beta_1^{t-1})"],
             "part3": ["= 1/K", "(Z_j-\\mu)/(K\\sigma)"],
             "part4": ["nanargmin", "np.isfinite", "+ 1e-6", "(t - 1) / warmup", "/ divide_by"]}
    for part in PARTS:
        path = root / "release" / part / f"{part}.ipynb"
        nb = read_nb(path)
        text = "\n".join(src(c) for c in nb["cells"])
        for marker in MARKERS:
            assert marker not in text, f"{part}: {marker!r} survived the release"
        source = read_nb(root / "source" / part / f"{part}.ipynb")
        secret = []
        for c in source["cells"]:
            on = False
            for line in src(c).splitlines():
                if MARKERS[0] in line:
                    on = True
                elif MARKERS[1] in line:
                    on = False
                elif on and len(line.strip()) >= 8 and not line.strip().startswith("#"):
                    secret.append(line.strip())
        public = "\n".join(l for c in source["cells"] for l in src(c).splitlines()
                           if l.strip() not in secret)
        secret = [s for s in secret if s not in public]
        assert len(secret) > 10
        leaked = [s for s in secret if s in text]
        assert not leaked, f"{part}: solution lines in the release: {leaked[:5]}"
        summary = [src(c) for c in nb["cells"] if src(c).startswith("## Summary")]
        assert summary, part
        for phrase in leaks[part]:
            assert phrase not in summary[0], f"{part}: the Summary gives away {phrase!r}"
        stubs = [c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("solution")]
        assert stubs and all("raise NotImplementedError()" in src(c) for c in stubs)
        assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")
        assert sorted(p.name for p in (root / "release" / part).iterdir()) == [f"{part}.ipynb"]


def test_every_submission_gets_exactly_its_expected_score(course):
    got, expected = course["got"], course["expected"]
    wrong = {}
    for (student, part), due in expected.items():
        mine = {q: got.get((student, part, q)) for q in due}
        if mine != {q: float(v) for q, v in due.items()}:
            wrong[(student, part)] = {q: (mine[q], due[q]) for q in due if mine[q] != due[q]}
    assert not wrong, f"(got, due) per question: {wrong}\n{course['graded'].stdout[-3000:]}"


def test_failed_part_is_loud_and_the_exit_status_nonzero(course):
    graded = course["graded"]
    assert graded.returncode == 1, graded.stdout[-2000:] + graded.stderr[-2000:]
    line = [l for l in graded.stdout.splitlines() if l.startswith("a_unreadable")]
    assert line and "FAILED: not a readable notebook" in line[-1], graded.stdout[-2000:]
    html = (course["root"] / "feedback" / "a_unreadable" / "part2" / "part2.html").read_text()
    assert "FAILED" in html and "not a readable notebook" in html
    assert [l for l in graded.stdout.splitlines() if l.startswith("reference")], "summary lacks rows"
    for student in ("a_malformed_cells", "a_deep_json"):   # one bad notebook fails itself, not the run
        line = [l for l in graded.stdout.splitlines() if l.startswith(student)]
        assert line and "FAILED: not a" in line[-1], graded.stdout[-2000:]


def test_no_result_runs_code_in_the_grader(course):
    assert not (course["root"].parent / "grader_owned").exists(), "a result ran code in the grader"


def test_grade_files_unchanged_after_the_run(course):
    assert set(course["right_after"]) == set(GRADE_FILES)
    assert course["later"] == course["right_after"], "a process left behind rewrote the grade files"
    if not FULL_ISOLATION:
        pytest.skip("without root the detached-process exploit is not part of the run")
    for uid in (sandbox.UID_BASE, sandbox.UID_BASE + 1):
        left = subprocess.run(["pgrep", "-u", str(uid)], capture_output=True, text=True).stdout.split()
        assert not left, f"processes of the sandbox uid {uid} outlived the run: {left}"


@pytest.mark.skipif(not FULL_ISOLATION, reason="the exploit is graded only with full isolation")
def test_read_source_exploit_works_without_isolation(course, tmp_path):
    """The control: the same answer cell, run outside the sandbox, does steal the solution.
    So its zero in the grading run is the isolation's doing."""
    import numpy as np
    root = course["root"]
    paths = [str(root / "source" / "part1" / "part1.ipynb")]
    ns = {"np": np}
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(read_source_exploit(paths).replace("/tmp/stolen_q1.py", str(tmp_path / "stolen_q1.py"))
             .replace('sys.path.insert(0, "/tmp")', f'sys.path.insert(0, {str(tmp_path)!r})'), ns)
    finally:
        os.chdir(cwd)
        sys.modules.pop("stolen_q1", None)
    X = np.array([[1.0, 0.0], [0.0, 2.0]])
    assert np.allclose(ns["sgd_epoch"](np.zeros(2), X, np.array([1.0, 2.0]), 0.5, [0, 1]), [0.5, 2.0])
    assert ns["_gradebook_readable"]


def test_feedback_explains_and_leaks_nothing(course):
    root = course["root"]
    expect = {
        ("x_wrap_course_lib", "part2"): ["no credit", "course_lib"],
        ("x_measure_by_prediction", "part1"): ["differs from the exact value for this seed"],
        ("x_input_transformer", "part1"): ["NameError", "get_ipython"],
        ("a_stuck_bare_except", "part1"): ["ran longer than 6 s and was stopped"],
        ("a_os_exit", "part1"): ["ended early"],
        ("a_huge_allocation", "part1"): ["MemoryError"],
        ("a_warning_on_stderr", "part1"): ["warnings", "cost nothing"],
        ("a_duplicated_cells", "part1"): ["the last copy was graded"],
        ("lost_metadata", "part2"): ["matched by the functions"],
        ("a_syntax_error_wrong_type", "part1"): ["SyntaxError", "should be a plain bool"],
        ("untouched", "part3"): ["NotImplementedError"],
        ("x_import_in_disguise", "part1"): ["no credit", "imports by name"],
        ("p4_partial_credit", "part4"): ["no credit", "course_lib", "np.nanargmin do not stop there",
                                         "add 1e-6 to the norm"],
    }
    for (student, part), phrases in expect.items():
        html = (root / "feedback" / student / part / f"{part}.html").read_text()
        for phrase in phrases:
            assert phrase in html, f"{student}/{part}: feedback lacks {phrase!r}"
    for html_path in (root / "feedback").rglob("*.html"):
        if html_path.parts[-3] in ("x_read_source", "x_detached_process", "x_spoofed_sympy_result"):
            continue                        # their own answer cells hold paths on purpose
        html = html_path.read_text()
        for secret in (str(root), str(EXERCISES), "/tmp/", "def q1(rng)", "Case(", "checks/part",
                       "_grader_backward", "_grader_schedule", "def q1a(rng)"):
            assert secret not in html, f"{html_path.relative_to(root)} shows {secret!r}"


def test_grades_csv_has_one_row_per_student_and_part(course):
    with open(course["root"] / "grades.csv") as f:
        rows = {(r["student_id"], r["assignment"]): float(r["score"]) for r in csv.DictReader(f)}
    for (student, part), due in course["expected"].items():
        assert rows[(student, part)] == sum(due.values()), (student, part)


def test_self_grading_command(course):
    root = course["root"]
    nb = root.parent / "mine.ipynb"
    model = filled(read_nb(root / "release" / "part2" / "part2.ipynb"),
                   read_nb(root / "source" / "part2" / "part2.ipynb"))
    write_nb(edit(model, {"q4_code": WRAP["part2"]["q4_code"]}), nb)
    before = digest(root)
    proc, _ = run_grade(root, "check", "--part", "2", str(nb))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "q1_running_averages: 2/2" in proc.stdout and "q4_rmsprop: 0/2" in proc.stdout
    assert "total 12/14" in proc.stdout and "no credit" in proc.stdout
    assert digest(root) == before, "check must not touch the gradebook or the grade files"


def test_the_working_tree_is_left_clean(course):
    now = sorted(str(p) for p in EXERCISES.rglob("*") if "__pycache__" not in str(p))
    assert now == course["before"]
