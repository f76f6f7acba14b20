"""Each isolation layer of exercises/sandbox.py, tested on its own (see exercises/README.md).

A small probe script runs in the sandbox exactly as a student's answer would and reports what
it could do. Root and working Linux namespaces are needed for the full set (as on the course's
grading machine); elsewhere the namespace and privilege tests are skipped and the rlimit tests
still run.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"
sys.path.insert(0, str(EXERCISES))

import sandbox  # noqa: E402

CAPS = sandbox.capabilities()
needs_ns = pytest.mark.skipif(not (CAPS["root"] and CAPS["namespaces"]),
                              reason="needs root and Linux namespaces (unshare)")

PROBE = r'''
import json, os, socket, sys, time
out = {"uid": os.getuid()}
def can(f):
    try:
        f()
        return True
    except Exception:
        return False
out["read_source"] = can(lambda: open(sys.argv[1]).read(10))
out["list_exercises"] = can(lambda: os.listdir(sys.argv[2]))
out["write_course_lib"] = can(lambda: open(os.path.join(sys.argv[3], "zz_probe.py"), "w").write("x"))
out["import_course_lib"] = can(lambda: __import__("course_lib.selfcheck"))
out["network"] = can(lambda: socket.create_connection(("1.1.1.1", 53), timeout=2))
out["outside_pids"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())[-3:]
big = []
out["allocate_4GB"] = can(lambda: big.append(bytearray(4 * 1024**3)))
def many():
    pids = []
    try:
        for _ in range(200):
            pid = os.fork()
            if pid == 0:
                time.sleep(5)
                os._exit(0)
            pids.append(pid)
    except OSError:
        pass
    finally:
        out["forked"] = len(pids)
    for pid in pids:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
many()
out["write_200MB"] = can(lambda: open("/tmp/big", "wb").write(b"0" * 200 * 1024**2))
if os.fork() == 0:                     # a detached survivor
    os.setsid()
    if os.fork() == 0:
        time.sleep(30)
        os._exit(0)
    os._exit(0)
print(json.dumps(out), flush=True)
time.sleep(60)                         # the grader's wall-time limit stops this
'''


def probe(tmp_path: Path, slot: int = 3, wait: float = 20.0) -> dict:
    box = Path(tempfile.mkdtemp(prefix="probe-", dir=tmp_path))
    (box / "probe.py").write_text(PROBE)
    sandbox.prepare_box(box, slot)
    import course_lib
    lib = Path(course_lib.__file__).resolve().parent
    hide = [str(EXERCISES), str(ROOT), "/work", "/root", "/mnt"]
    keep = sorted({str(Path(sys.prefix).resolve()), str(lib),
                   str(Path(os.path.realpath(sys.executable)).parent.parent)})
    limits = {"memory_mb": 2048, "cpu_seconds": 60, "processes": 32, "file_mb": 64}
    argv = [sys.executable, "-I", str(box / "probe.py"), str(EXERCISES / "source" / "part1" / "part1.ipynb"),
            str(EXERCISES), str(lib)]
    proc = sandbox.popen(argv, box, slot, hide, keep, limits)
    proc.stdin.close()
    t0 = time.monotonic()
    line = b""
    while time.monotonic() - t0 < wait and not line.endswith(b"\n"):
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break
        line += chunk
    sandbox.kill(proc)
    out = json.loads(line.decode())
    for _ in range(40):                    # the kernel tears the namespace down within moments
        out["left_behind"] = subprocess.run(["pgrep", "-u", str(sandbox.UID_BASE + slot)],
                                            capture_output=True, text=True).stdout.split()
        if not out["left_behind"]:
            break
        time.sleep(0.1)
    return out


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    return probe(tmp_path_factory.mktemp("sandbox"))


def test_rlimits_stop_memory_processes_and_file_size(report):
    assert not report["allocate_4GB"], "RLIMIT_AS did not stop a 4 GB allocation"
    assert report["forked"] < 200, "RLIMIT_NPROC did not stop a fork loop"
    assert not report["write_200MB"], "RLIMIT_FSIZE did not stop a 200 MB file"


def test_the_course_library_is_importable_but_not_writable(report):
    assert report["import_course_lib"]
    assert not report["write_course_lib"]


@needs_ns
def test_unprivileged_uid(report):
    assert report["uid"] == sandbox.UID_BASE + 3


@needs_ns
def test_hidden_files_no_network_private_proc(report):
    assert not report["read_source"], "the instructor's source was readable"
    assert not report["list_exercises"], "the exercises folder (gradebook, submissions) was visible"
    assert not report["network"], "the network was reachable"
    assert max(report["outside_pids"]) < 300, "the grader's processes were visible in /proc"


@needs_ns
def test_nothing_outlives_the_run(report):
    assert report["left_behind"] == [], f"processes left behind: {report['left_behind']}"


# -- the grader's own process: what a student's result and answer cell can NOT do (red team) ------

def test_sympy_results_run_no_code_and_cost_bounded_time(tmp_path):
    """A student's process can write any result line; its sympy text is parsed in the grader's
    process. Before the fix, Tuple("__import__('os')...") ran code there (sympify is eval), and
    factorial(Integer(10**9)) hung the whole grading run."""
    import sympy as sp
    from checks import parse_sympy
    flag = tmp_path / "owned"
    run = f"__import__('os').system('touch {flag}')"
    attacks = [f"Tuple({run!r})", f"exp({run!r})", f"S({run!r})", f"Function('f')({run!r})",
               f"Symbol(Symbol('x'), {run!r})", f"Symbol('x', positive={run!r})", f"Float({run!r})",
               "factorial(Integer(1000000000))", "harmonic(Integer(1000000000))",
               "Pow(Pow(Pow(Pow(Integer(2), Integer(1000)), Integer(1000)), Integer(1000)), Integer(1000))",
               "Float('1.0', precision=100000000)",
               "Derivative(exp(Symbol('x')), Tuple(Symbol('x'), Integer(1000000)))",
               "Sum(Symbol('k'), Tuple(Symbol('k'), Integer(1), Integer(10**20)))"]
    for text in attacks:
        t0 = time.perf_counter()
        with pytest.raises(ValueError):
            parse_sympy(text)
        assert time.perf_counter() - t0 < 2, text
    assert not flag.exists(), "a sympy result ran code in the grader's process"
    x, f = sp.Symbol("x", positive=True), sp.Function("f")
    for e in [sp.Rational(1, 2), sp.oo, sp.pi**2 / 6, sp.Sum(1 / x**2, (x, 1, sp.oo)),
              sp.Derivative(f(x), (x, 2)), sp.Matrix([[x, 1], [2, x**2]]), sp.sqrt(x) * sp.exp(-x),
              sp.Piecewise((x, x > 1), (0, True)), sp.Max(x, 1), -sp.Rational(3, 7), sp.zoo, sp.true]:
        assert parse_sympy(sp.srepr(e)) == e, e


IN_DISGUISE = {
    "pickle": 'import pickle\n_S = pickle.loads(b"ccourse_lib.optimizers\\nSGD\\n.")\n',
    "pkgutil": 'import pkgutil\n_S = pkgutil.resolve_name("course_lib.optimizers:SGD")\n',
    "from sys import modules": 'from sys import modules as _m\n_S = _m["course_lib.optimizers"]\n',
    "operator.attrgetter": 'from operator import attrgetter\n_g = attrgetter("S" + "GD")\n',
    "sympify of an import": '_S = sp.sympify("__import__(\'course_lib.optimizers\').optimizers.SGD")\n',
    "a second Python": 'import subprocess\n_S = subprocess.run(["python", "-c", "print(1)"])\n',
}


@pytest.mark.parametrize("route", sorted(IN_DISGUISE))
def test_imports_in_disguise_get_no_credit(route):
    """Each of these reached course_lib's SGD and scored full marks on part I Q1 before the fix."""
    from checks import forbidden_use
    from checks.part1 import QUESTIONS
    q1 = QUESTIONS[0]
    assert forbidden_use(IN_DISGUISE[route] + "def sgd_epoch(w, X, d, lr, order):\n    return w\n", q1)
    honest = ('import math\nif __name__ == "__main__":\n    pass\n\n'
              'def sgd_epoch(w, X, d, lr, order):\n    return np.asarray(w) * math.sqrt(1.0)\n')
    assert forbidden_use(honest, q1) is None
