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
