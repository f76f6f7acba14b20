"""Safety tests for the graded exercises (nbgrader): release, autograde, feedback, grades.

Slow (nbgrader runs real kernels): select with ``-m grading``, skip with ``-m "not grading"``.
Everything runs in a temporary copy of exercises/, so the tree stays clean. One release run
and ONE autograde run (all bad submissions as different students) keep the file to a few
minutes; the fixture prints how long each took.

The bad submissions are made here from the generated student release: an untouched stub,
and two students who each break several questions in different ways (syntax error,
infinite loop stopped by the per-cell timeout, wrong return type, NaN, a deleted function,
deleted test cells) while answering the others correctly, so the tests can check both the
zeros and the points that are due. Parts 2 and 3 get untouched stubs and a student with
typical slips (eps inside the root, no bias correction, a transposed gradient, a wrong
derivative), one of which only the hidden tests catch.
"""
from __future__ import annotations

import copy
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.grading

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"
PARTS = ("part1", "part2", "part3")
POINTS = {"part1": 10, "part2": 12, "part3": 11}
TIMEOUT = 25          # seconds per cell while grading; the infinite loop costs this much
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")

pytest.importorskip("nbgrader", reason="nbgrader is part of the [test] extra")


# -- notebooks as plain JSON (no nbformat import: it costs seconds) ---------------------------

def read_nb(path: Path) -> dict:
    return json.loads(path.read_text())


def write_nb(nb: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1))


def src(cell) -> str:
    s = cell["source"]
    return "".join(s) if isinstance(s, list) else s


def grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def regions(text: str, begin: str, end: str) -> tuple[list[str], str]:
    """The lines inside begin/end marker pairs, and the text with those regions removed."""
    inside, outside, on = [], [], False
    for line in text.splitlines():
        if begin in line:
            on = True
        elif end in line:
            on = False
        elif on:
            inside.append(line)
        else:
            outside.append(line)
    return inside, "\n".join(outside)


def secret_lines(part: str) -> list[str]:
    """Lines of solutions and hidden tests in the source that appear nowhere else in it."""
    nb = read_nb(EXERCISES / "source" / part / f"{part}.ipynb")
    secret, public = [], []
    for cell in nb["cells"]:
        sol, rest = regions(src(cell), MARKERS[0], MARKERS[1])
        hid, rest = regions(rest, MARKERS[2], MARKERS[3])
        secret += sol + hid
        public.append(rest)
    public_text = "\n".join(public)
    keep = []
    for line in secret:
        s = line.strip()
        if len(s) >= 8 and not s.startswith("#") and s not in public_text:
            keep.append(s)
    return keep


# -- the bad submissions ----------------------------------------------------------------------

def strip_markers(text: str) -> str:
    return "\n".join(l for l in text.splitlines() if l.strip() not in MARKERS[:2])


def filled(release_nb: dict, source_nb: dict) -> dict:
    """The release with every solution cell answered as in the source (a model student)."""
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


SYNTAX_ERROR = "def sgd_epoch(w, X, d, lr, order)\n    return w\n"
WRONG_TYPE = '''lr_max_predicted = 2 / np.max(np.linalg.eigvalsh(A))

def diverges(lr, steps=300):
    trace = minimize(SGD(lr=lr), grad=lambda w: A @ w, w0=np.array([1.0, 1.0]), steps=steps)
    return "diverged" if trace.diverged or np.linalg.norm(trace.ws[-1]) > np.sqrt(2) else "fine"
'''
INFINITE_LOOP = '''k = sp.Symbol("k", integer=True, positive=True)
harmonic = sp.summation(1 / k, (k, 1, sp.oo))
basel = sp.summation(1 / k**2, (k, 1, sp.oo))

def robbins_monro(p):
    while True:      # never returns
        p = p + 1
'''
NAN = '''def predicted_std(sigma, b):
    return np.nan * sigma / np.sqrt(b)


def measured_std(samples, b, trials, rng):
    idx = rng.integers(0, len(samples), size=(trials, b))
    return float(np.asarray(samples)[idx].mean(axis=1).std())
'''

# student -> part1 edits, and the points due per question
BAD = {
    "defects_a": ({"q1_code": SYNTAX_ERROR, "q2_robbins_monro": None, "q3_code": None,
                   "q5_code": WRONG_TYPE},
                  {"q1_sgd_epoch": 0, "q2_robbins_monro": 2, "q3_minibatch_variance": 0,
                   "q4_predict_measure": 2, "q5_stability": 0}),
    "defects_b": ({"q1_sgd_epoch": None, "q2_code": INFINITE_LOOP, "q4_code": NAN},
                  {"q1_sgd_epoch": 2, "q2_robbins_monro": 0, "q3_minibatch_variance": 2,
                   "q4_predict_measure": 0, "q5_stability": 2}),
}


# a student with a typical slip in parts 2 and 3: part -> (edits, points due per question)
RMSPROP_EPS_INSIDE = '''def rmsprop_step(w, G, g, lr, gamma, eps):
    G_new = gamma * G + (1 - gamma) * g * g
    return w - lr * g / np.sqrt(G_new + eps), G_new     # eps inside the root: right for eps = 0 only
'''
ADAM_NO_CORRECTION = '''def adam_step(w, m, v, t, g, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    return w - lr * m / (np.sqrt(v) + eps), m, v        # no bias correction


def first_step_predicted(lr, g1):
    return lr
'''
BACKWARD_TRANSPOSED = '''def bn_backward(dZhat, cache):
    Zbar, s, G = cache["Zbar"], cache["s"], cache["G"]
    K = Zbar.shape[1]
    total = dZhat.sum(axis=1, keepdims=True)
    proj = (dZhat * Zbar).sum(axis=1, keepdims=True)
    return (G[:, None] / (K * s) * (K * dZhat - total - Zbar * proj)).T   # K x n: wrong shape
'''
DMU_WRONG = '''def dmu_dZ(j):
    return 1 / sp.Integer(K - 1)


def dsigma_dZ(j):
    return (Z[j] - mu) / (K * sigma)
'''
BAD_LATER = {
    "part2": ({"q4_code": RMSPROP_EPS_INSIDE, "q5_code": ADAM_NO_CORRECTION},
              {"q1_running_averages": 2, "q2_momentum_forms": 2, "q3_nesterov": 2,
               "q4_rmsprop": 0, "q5_adam": 0, "q6_debiased_average": 2}),
    "part3": ({"q3_code": BACKWARD_TRANSPOSED, "q4_code": DMU_WRONG},
              {"q1_forward": 2, "q2_param_grads": 2, "q3_backward": 0,
               "q4_sympy_derivatives": 0, "q5_eps_effect": 2}),
}


# -- one release and one grading run for the whole file ---------------------------------------

def run_grade(root: Path, *args) -> tuple[subprocess.CompletedProcess, float]:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, str(root / "grade.py"), *args, "--root", str(root)],
                          capture_output=True, text=True, timeout=900,
                          env={**os.environ, "PYTHONUNBUFFERED": "1"})
    return proc, time.perf_counter() - t0


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    before = sorted(str(p) for p in EXERCISES.rglob("*"))
    root = tmp_path_factory.mktemp("exercises")
    for name in ("nbgrader_config.py", "grade.py", "source"):
        item = EXERCISES / name
        (shutil.copytree if item.is_dir() else shutil.copy2)(item, root / name)

    release, t_release = run_grade(root, "release")
    assert release.returncode == 0, release.stdout + release.stderr

    subs = root.parent / (root.name + "_submissions")
    for part in PARTS:   # the reference solution: the instructor's source itself
        write_nb(read_nb(root / "source" / part / f"{part}.ipynb"), subs / "reference" / part / f"{part}.ipynb")
    rel1 = read_nb(root / "release" / "part1" / "part1.ipynb")
    model = filled(rel1, read_nb(root / "source" / "part1" / "part1.ipynb"))
    write_nb(rel1, subs / "untouched" / "part1.ipynb")        # flat layout works too
    for part in PARTS[1:]:                                    # untouched stubs of every part
        write_nb(read_nb(root / "release" / part / f"{part}.ipynb"),
                 subs / "untouched" / part / f"{part}.ipynb")
    for student, (changes, _) in BAD.items():
        write_nb(edit(model, changes), subs / student / "part1.ipynb")
    for part, (changes, _) in BAD_LATER.items():
        rel = read_nb(root / "release" / part / f"{part}.ipynb")
        good = filled(rel, read_nb(root / "source" / part / f"{part}.ipynb"))
        write_nb(edit(good, changes), subs / "defects_c" / part / f"{part}.ipynb")

    graded, t_grade = run_grade(root, "autograde", str(subs), "--timeout", str(TIMEOUT))
    print(f"\n[grading tests] release: {t_release:.1f} s, autograde of "
          f"{len(BAD) + 8} notebooks: {t_grade:.1f} s")
    return {"root": root, "release": release, "graded": graded, "t_grade": t_grade,
            "before": before}


def scores(root: Path) -> dict:
    with open(root / "grades_by_question.csv") as f:
        return {(r["student_id"], r["part"], r["question"]): (float(r["score"]), float(r["max_score"]))
                for r in csv.DictReader(f)}


# -- the tests ----------------------------------------------------------------------------------

def test_source_notebooks_are_well_formed():
    for part in PARTS:
        nb = read_nb(EXERCISES / "source" / part / f"{part}.ipynb")
        cells = [c for c in nb["cells"] if "nbgrader" in c.get("metadata", {})]
        ids = [grade_id(c) for c in cells]
        assert len(ids) == len(set(ids)), f"{part}: duplicate grade ids"
        tests = [c for c in cells if c["metadata"]["nbgrader"].get("grade")]
        assert 4 <= len(tests) <= 6, f"{part}: {len(tests)} questions"
        assert sum(c["metadata"]["nbgrader"]["points"] for c in tests) == POINTS[part]
        for c in tests:
            assert MARKERS[2] in src(c), f"{part}/{grade_id(c)} has no hidden tests"
            assert "sc." in src(c), f"{part}/{grade_id(c)} has no self-check with a message"
        for c in cells:
            if c["metadata"]["nbgrader"].get("solution"):
                assert MARKERS[0] in src(c) and MARKERS[1] in src(c), grade_id(c)


def test_release_contains_no_solution_and_no_hidden_test(course):
    root = course["root"]
    for part in PARTS:
        path = root / "release" / part / f"{part}.ipynb"
        text = "\n".join(src(c) for c in read_nb(path)["cells"])
        for marker in MARKERS:
            assert marker not in text, f"{part}: {marker!r} survived the release"
        secrets = secret_lines(part)
        assert len(secrets) > 20, "the secret-line check found too little to be meaningful"
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{part}: solution or hidden-test lines in the release: {leaked[:5]}"
        nb = read_nb(path)
        stubs = [c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("solution")]
        assert stubs and all("raise NotImplementedError()" in src(c) for c in stubs)
        assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")


def test_grading_run_finishes(course):
    graded = course["graded"]
    assert graded.returncode == 0, graded.stdout[-3000:] + graded.stderr[-3000:]
    assert (course["root"] / "grades.csv").is_file()


def test_reference_solution_gets_full_marks(course):
    got = scores(course["root"])
    for part in PARTS:
        mine = {q: v for (s, p, q), v in got.items() if s == "reference" and p == part}
        assert mine, f"reference/{part} was not graded"
        assert sum(v[1] for v in mine.values()) == POINTS[part]
        assert all(score == out_of for score, out_of in mine.values()), (part, mine)


def test_untouched_stubs_get_zero_in_every_part(course):
    got = scores(course["root"])
    for part in PARTS:
        mine = {q: v for (s, p, q), v in got.items() if s == "untouched" and p == part}
        assert sum(out_of for _, out_of in mine.values()) == POINTS[part], (part, mine)
        assert all(score == 0 for score, _ in mine.values()), (part, mine)


@pytest.mark.parametrize("student", sorted(BAD))
def test_bad_submissions_get_zero_exactly_where_due(course, student):
    got = scores(course["root"])
    due = BAD[student][1]
    mine = {q: got[(student, "part1", q)][0] for q in due}
    assert mine == due


@pytest.mark.parametrize("part", sorted(BAD_LATER))
def test_slips_in_parts_2_and_3_lose_exactly_their_points(course, part):
    """eps inside the root passes the self-check (eps = 0) but not the hidden test; a missing
    bias correction, a transposed gradient and a wrong derivative fail both."""
    got = scores(course["root"])
    due = BAD_LATER[part][1]
    assert {q: got[("defects_c", part, q)][0] for q in due} == due


def test_feedback_explains_each_failure(course):
    root = course["root"]
    expected = {
        "defects_a": ["SyntaxError", "is not defined. Run the cell that defines it", "should be a bool",
                      "was missing from the submission"],
        "defects_b": ["holds 1 NaN value", "was missing from the submission"],
        "untouched": ["NotImplementedError"],
    }
    for student, phrases in expected.items():
        html = (root / "feedback" / student / "part1" / "part1.html").read_text()
        for phrase in phrases:
            assert phrase in html, f"{student}: feedback lacks {phrase!r}"
    html = (root / "feedback" / "defects_b" / "part1" / "part1.html").read_text()
    assert re.search(r"CellTimeoutError|KeyboardInterrupt|Interrupt", html), \
        "the infinite loop was not reported as stopped"
    for part in PARTS:
        assert (root / "feedback" / "reference" / part / f"{part}.html").is_file()
    html = (root / "feedback" / "defects_c" / "part3" / "part3.html").read_text()
    assert "has shape (5, 3), expected (3, 5)" in html
    html = (root / "feedback" / "defects_c" / "part2" / "part2.html").read_text()
    assert "w_new is not right yet" in html


def test_grades_csv_has_one_row_per_student_and_part(course):
    with open(course["root"] / "grades.csv") as f:
        rows = {(r["student_id"], r["assignment"]): float(r["score"]) for r in csv.DictReader(f)}
    assert rows[("reference", "part1")] == 10
    assert rows[("defects_a", "part1")] == 4
    assert rows[("defects_b", "part1")] == 6
    assert all(rows[("untouched", part)] == 0 for part in PARTS)


def test_the_working_tree_is_left_clean(course):
    assert sorted(str(p) for p in EXERCISES.rglob("*")) == course["before"]
