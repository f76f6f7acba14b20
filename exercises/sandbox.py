"""Run one untrusted Python process in isolation (used by grade.py; see README.md here).

Layers, from the strongest (needs root and Linux namespaces) to the one that always applies:

1. ``unshare --net --mount --pid --fork --mount-proc`` (util-linux): no network (only a
   loopback that is down); a private mount table in which the grader hides the repository,
   the exercises folder (source, gradebook, grades, other submissions), the submissions
   folder, ``/tmp``, ``/var/tmp``, ``/dev/shm`` and ``/mnt`` under empty tmpfs, then puts
   back read-only only the Python environment and ``course_lib``; a private process table
   (``/proc`` shows no grader process), and the runner is process 1 of its namespace, so
   when it ends the kernel kills every process it left behind (a detached ``setsid``
   double fork included).
2. Drop privileges (root only): a dedicated unprivileged uid/gid per worker slot (no
   supplementary groups, ``no_new_privs``): the student's code cannot write the course's
   files, the grades or another student's folder (each folder belongs to its slot's uid,
   mode 0700).
3. rlimits, always: address space, CPU seconds, number of processes, file size, open files,
   no core files; its own session and process group, killed (SIGKILL) at the end; a wall
   time limit enforced from outside (grade.py).

Without root the first two layers are skipped with a printed note: the rlimits, the
separate process per question and the process-group kill still apply.

This file is also the small root-side launcher executed inside the namespaces
(``python sandbox.py --jail SPEC_JSON -- python runner.py``).
"""
from __future__ import annotations

import ctypes
import resource
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

UID_BASE = 61000           # worker slot k runs as uid/gid UID_BASE + k (no passwd entry needed)
STAGE = "/mnt"             # staging mount point inside the namespace (a tmpfs over it)

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18

_CAPS: dict | None = None


def capabilities() -> dict:
    """What this platform allows: {'root': bool, 'namespaces': bool, 'note': str}."""
    global _CAPS
    if _CAPS is None:
        root = hasattr(os, "geteuid") and os.geteuid() == 0
        ns = False
        unshare = shutil.which("unshare") or "/usr/bin/unshare"
        if root and os.path.exists(unshare):
            try:
                ns = subprocess.run([unshare, "--net", "--mount", "--pid", "--fork", "--mount-proc",
                                     "--propagation", "private", "true"], capture_output=True,
                                    timeout=20).returncode == 0
            except (OSError, subprocess.TimeoutExpired):
                ns = False
        if root and ns:
            note = ("isolation: namespaces (no network, hidden files, private /proc), "
                    "unprivileged uid per worker, rlimits")
        elif root:
            note = ("NOTE: `unshare` does not work here: no network cut and no hidden files; "
                    "still an unprivileged uid per worker and rlimits")
        else:
            note = ("NOTE: not running as root: student code runs as your own user (it can read "
                    "what you can read, and the network is not cut); rlimits and one process per "
                    "question still apply. Grade as root for the full isolation.")
        _CAPS = {"root": root, "namespaces": ns, "note": note, "unshare": unshare}
    return _CAPS


def prepare_box(box: Path, slot: int) -> None:
    """Give the throw-away folder to the slot's uid (mode 0700) when dropping privileges."""
    os.chmod(box, 0o700)
    if capabilities()["root"]:
        uid = UID_BASE + slot
        for dirpath, dirnames, filenames in os.walk(box):
            os.chown(dirpath, uid, uid)
            for name in filenames:
                os.chown(os.path.join(dirpath, name), uid, uid)


def _rlimits(limits: dict) -> None:
    mem = int(limits.get("memory_mb", 2048)) * 1024 * 1024
    cpu = int(limits.get("cpu_seconds", 120))
    for what, value in ((resource.RLIMIT_AS, mem), (resource.RLIMIT_CPU, cpu),
                        (resource.RLIMIT_FSIZE, int(limits.get("file_mb", 64)) * 1024 * 1024),
                        (resource.RLIMIT_NOFILE, 256), (resource.RLIMIT_CORE, 0),
                        (resource.RLIMIT_NPROC, int(limits.get("processes", 64)))):
        try:
            resource.setrlimit(what, (value, value))
        except (ValueError, OSError):
            pass


def child_env() -> dict:
    return {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "MPLBACKEND": "Agg",
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0"}


def popen(argv: list, box: Path, slot: int, hide: list, keep: list, limits: dict):
    """Start argv (a Python command) isolated, with cwd = box. stdin/stdout are pipes."""
    caps = capabilities()
    env = child_env()
    if caps["root"] and caps["namespaces"]:
        spec = {"box": str(box), "hide": [str(p) for p in hide], "keep": [str(p) for p in keep],
                "uid": UID_BASE + slot, "limits": limits}
        cmd = [caps["unshare"], "--net", "--mount", "--pid", "--fork", "--kill-child",
               "--mount-proc", "--propagation", "private",
               sys.executable, "-I", "-S", str(Path(__file__).resolve()), "--jail", json.dumps(spec),
               "--", *argv]
        return subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, cwd="/", env=env, start_new_session=True)
    uid = UID_BASE + slot if caps["root"] else None

    def pre():
        if uid is not None:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
        _rlimits(limits)
    return subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, cwd=str(box), env=env,
                            start_new_session=True, preexec_fn=pre)


def kill(proc) -> None:
    """Kill the process group (and so, with namespaces, everything the student started)."""
    try:
        os.killpg(proc.pid, 9)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.kill()
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


# -- the root-side launcher inside the namespaces ----------------------------------------------

def _mount(libc, src, tgt, fstype, flags, data=None):
    if libc.mount(src.encode() if src else None, tgt.encode(), fstype.encode() if fstype else None,
                  ctypes.c_ulong(flags), data.encode() if data else None) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {src} -> {tgt}: {os.strerror(err)}")


def _jail(spec: dict, argv: list) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    _mount(libc, None, "/", None, MS_REC | MS_PRIVATE)
    # 1. staging: bind the box and what must stay visible before anything is hidden
    _mount(libc, "tmpfs", STAGE, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755")
    staged = []
    for i, path in enumerate([spec["box"], *spec["keep"]]):
        if not os.path.isdir(path):
            continue
        dst = f"{STAGE}/{i}"
        os.mkdir(dst)
        _mount(libc, path, dst, None, MS_BIND | MS_REC)
        staged.append((path, dst))
    # 2. hide: empty tmpfs over every listed folder (the longest paths last)
    for path in sorted(set(spec["hide"]) | {"/tmp", "/var/tmp", "/dev/shm"}, key=len):
        if path == STAGE or STAGE.startswith(path.rstrip("/") + "/"):
            continue                       # the staging tmpfs is replaced at the end anyway
        if os.path.isdir(path) and not os.path.islink(path):
            mode = "1777" if path in ("/tmp", "/var/tmp", "/dev/shm") else "755"
            _mount(libc, "tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"size=64m,mode={mode}")
    # 3. put back: the box (read-write, at its own path) and the kept folders read-only
    for k, (path, dst) in enumerate(staged):
        os.makedirs(path, exist_ok=True)
        _mount(libc, dst, path, None, MS_BIND | MS_REC)
        if k > 0:
            _mount(libc, dst, path, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    _mount(libc, "tmpfs", STAGE, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755")   # staging gone
    os.chdir(spec["box"])
    uid = int(spec["uid"])
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    libc.prctl(38, 1, 0, 0, 0)      # PR_SET_NO_NEW_PRIVS
    _rlimits(spec["limits"])
    os.execv(argv[0], argv)


if __name__ == "__main__" and len(sys.argv) > 3 and sys.argv[1] == "--jail":
    _jail(json.loads(sys.argv[2]), sys.argv[sys.argv.index("--") + 1:])
