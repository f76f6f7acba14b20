#!/usr/bin/env python3
"""The real-browser test: ``make test-browser`` (``python3 course.py test-browser``).

    python3 tools/browser_test.py [-k EXPR] [--keep] [pytest options...]

What it does, in order:

1. finds Debian's ``chromium`` (``apt-get install -y chromium`` when it is missing and we are
   root; otherwise it says what to install and stops);
2. installs the ``playwright`` Python package into ``.venv`` when it is missing (the
   ``browser`` extra of pyproject.toml, else :data:`PLAYWRIGHT`). Playwright drives the
   system chromium through ``executable_path``: ``playwright install`` would download a
   browser of its own, which fails on machines without general network access;
3. copies ``notebooks/`` into a temporary folder (``course_lib``, ``pyproject.toml``,
   ``README.md`` and the student config are linked beside it), so that running every cell
   leaves the committed notebooks untouched;
4. starts JupyterLab on that copy as ``course.py lab`` would (the student config folder first
   on ``JUPYTER_CONFIG_PATH``), on a free port with a random token, ``--allow-root`` when we
   are root, no browser; its settings folder turns off the news and update checks, and its
   workspace folder is fresh;
5. runs ``tests/browser`` with pytest (those tests skip unless this script set
   ``COURSE_BROWSER_LAB``), in a chromium whose network ends at the machine: every
   request to a host other than localhost is refused by a proxy that does not exist and
   recorded, and a test that caused one fails naming it;
6. stops the server (kernels first) and prints a summary: each test's result and time, the
   slider latencies the tests measured, and the screenshots in ``build/browser/``
   (git-ignored).

The website (``build/site/``) and slide decks (``build/slides/*.slides.html``) are tested
when they have been built (``make site``, ``make slides``) and skipped, with that message,
when not. Standard library only; the exit code is pytest's.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: the playwright release the browser test is written against (pyproject's `browser` extra
#: takes precedence when it names one)
PLAYWRIGHT = "playwright==1.65.2"
SHOTS = ROOT / "build" / "browser"
SITE = ROOT / "build" / "site"
SLIDES = ROOT / "build" / "slides"
TESTS = ROOT / "tests" / "browser"
#: linked (not copied) into the temporary course folder: read-only for the lessons
LINKED = ["course_lib", "pyproject.toml", "README.md", ".jupyter_student"]
#: JupyterLab user settings for the test: no news or update checks (a toast over the page
#: and a request to the internet), otherwise the student's defaults
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
}


class BrowserTestError(Exception):
    """A problem with a one-sentence fix: printed without a traceback."""


def load_course():
    """course.py as a module (plan("lab"), extra(), is_root(), venv_python())."""
    spec = importlib.util.spec_from_file_location("course", ROOT / "course.py")
    course = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(course)
    return course


# -- the browser -------------------------------------------------------------------------------

def find_chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser")


def ensure_chromium(course) -> str:
    """The path of the system chromium; installed with apt-get when missing and we are root."""
    found = find_chromium()
    if found:
        return found
    if not (course.is_root() and shutil.which("apt-get")):
        raise BrowserTestError(
            "The browser test needs Debian's chromium: run `sudo apt-get install -y chromium` "
            "(or install Chromium so that `chromium` is on PATH) and run it again.")
    print("chromium is missing: apt-get install -y chromium", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "install", "-y", "-q", "chromium"]
    if subprocess.call(cmd, env=env) != 0:          # a fresh machine may need the lists first
        subprocess.call(["apt-get", "update", "-q"], env=env)
        if subprocess.call(cmd, env=env) != 0:
            raise BrowserTestError("apt-get could not install chromium; see its messages above.")
    found = find_chromium()
    if not found:
        raise BrowserTestError("apt-get installed chromium but no `chromium` is on PATH.")
    return found


def ensure_playwright(course, py: str):
    """Install the playwright package into the venv unless it imports already."""
    if subprocess.call([py, "-c", "import playwright.sync_api"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) == 0:
        return
    want = course.extra(course._pyproject_text(str(ROOT)), "browser") or [PLAYWRIGHT]
    print("installing " + " ".join(want) + " into .venv", flush=True)
    if subprocess.call([py, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
                       + want) != 0:
        raise BrowserTestError("pip could not install " + " ".join(want) + " into .venv.")


# -- the course copy and JupyterLab ---------------------------------------------------------------

def make_copy(base: Path) -> Path:
    """base/course: notebooks/ copied, the read-only parts linked."""
    course_dir = base / "course"
    shutil.copytree(ROOT / "notebooks", course_dir / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    for name in LINKED:
        if (ROOT / name).exists():
            (course_dir / name).symlink_to(ROOT / name)
    return course_dir


def write_lab_settings(base: Path) -> Path:
    folder = base / "lab-user-settings"
    for rel, values in LAB_SETTINGS.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=1))
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lab_command(course, course_dir: Path, py_venv: Path, port: int, token: str, base: Path):
    """course.py's plan("lab") for the copy (no browser: environ without a display), plus
    the test's server options."""
    (step,) = course.plan("lab", [], str(course_dir), str(py_venv), environ={},
                          system="Linux", os_name="posix")
    extra = ["--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
             "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
             f"--LabApp.user_settings_dir={write_lab_settings(base)}",
             f"--LabApp.workspaces_dir={base / 'lab-workspaces'}"]
    env = dict(os.environ, **step.env)
    env["JUPYTER_RUNTIME_DIR"] = str(base / "runtime")       # no stray server files in ~
    env.pop("MPLBACKEND", None)                  # the kernel's own default, as in `make lab`
    for name, value in course.ONE_THREAD.items():    # as course.py runs the lessons' tests
        env.setdefault(name, value)
    return step.cmd + extra, env


def api(url: str, token: str, path: str, method: str = "GET"):
    req = urllib.request.Request(url + path, method=method,
                                 headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        body = r.read()
    return json.loads(body) if body else None


def wait_ready(proc, url: str, token: str, log: Path, timeout: float = 120):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if proc.poll() is not None:
            raise BrowserTestError("JupyterLab stopped while starting; its log:\n"
                                   + log.read_text()[-3000:])
        try:
            api(url, token, "/api/status")
            return time.time() - t0
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.3)
    raise BrowserTestError(f"JupyterLab did not answer within {timeout:.0f} s; see {log}")


def stop_lab(proc, url: str, token: str):
    if proc.poll() is None:
        try:
            api(url, token, "/api/shutdown", method="POST")     # kernels too
            proc.wait(timeout=20)
        except (urllib.error.URLError, OSError, subprocess.TimeoutExpired):
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


# -- the run -----------------------------------------------------------------------------------

def print_summary(report_file: Path, seconds: dict, code: int):
    report = json.loads(report_file.read_text()) if report_file.exists() else {}
    print("\n=== browser test summary")
    for name, (outcome, dt) in report.get("tests", {}).items():
        print(f"  {outcome:8s} {dt:6.1f} s  {name}")
    for name, sec in report.get("lessons", {}).items():
        print(f"  {name}: opened with its kernel in {sec['open']:.1f} s, Run All {sec['run all']:.1f} s")
    lat = report.get("latency", {})
    if lat:
        print("slider latency, key press -> changed pixels (ms):")
        for name, r in lat.items():
            print(f"  {name:34s} median {r['median']:6.0f}  (min {r['min']:.0f}, max {r['max']:.0f}, "
                  f"{len(r['steps'])} steps; load average {r.get('load', float('nan')):.1f})")
            for part, value in r.get("parts", {}).items():
                print(f"      {part:40s} median {value:6.0f}")
    if report.get("external"):
        print("requests to other hosts (refused):")
        for u in report["external"]:
            print("  " + u)
    shots = report.get("screenshots", {})
    if shots:
        print(f"screenshots in {SHOTS.relative_to(ROOT)}/:")
        for name, what in sorted(shots.items()):
            print(f"  {name:34s} {what}")
    for what, dt in seconds.items():
        print(f"{what}: {dt:.1f} s")
    print("browser test: " + ("passed" if code == 0 else f"FAILED (pytest exit {code})"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Test the course in a real browser (chromium).")
    ap.add_argument("--keep", action="store_true",
                    help="keep the temporary course copy and the server log")
    opts, pytest_args = ap.parse_known_args(argv)
    t_all = time.time()
    course = load_course()
    venv = ROOT / ".venv"
    py = course.venv_python(str(venv))
    if not os.path.exists(py):
        raise BrowserTestError("No .venv yet: run `python3 course.py install` (or make test) "
                               "first.")
    chromium = ensure_chromium(course)
    ensure_playwright(course, py)
    seconds = {"setup (chromium, playwright)": time.time() - t_all}

    base = Path(tempfile.mkdtemp(prefix="course-browser-"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()
    report_file = SHOTS / "report.json"
    report_file.unlink(missing_ok=True)
    course_dir = make_copy(base)
    port, token = free_port(), os.urandom(16).hex()
    url = f"http://127.0.0.1:{port}"
    cmd, env = lab_command(course, course_dir, venv, port, token, base)
    log = base / "jupyterlab.log"
    code = 1
    try:
        with open(log, "w") as log_f:
            proc = subprocess.Popen(cmd, cwd=course_dir, env=env, stdout=log_f,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            try:
                seconds["JupyterLab start"] = wait_ready(proc, url, token, log)
                test_env = dict(os.environ, COURSE_BROWSER_LAB=url, COURSE_BROWSER_TOKEN=token,
                                COURSE_BROWSER_CHROMIUM=chromium,
                                COURSE_BROWSER_COPY=str(course_dir),
                                COURSE_BROWSER_SHOTS=str(SHOTS),
                                COURSE_BROWSER_REPORT=str(report_file),
                                COURSE_BROWSER_SITE=str(SITE), COURSE_BROWSER_SLIDES=str(SLIDES))
                t0 = time.time()
                code = subprocess.call([py, "-m", "pytest", "-p", "no:cacheprovider",
                                        "-p", "no:nbval", "-p", "no:xdist", "-q", "-rs",
                                        str(TESTS.relative_to(ROOT))] + pytest_args,
                                       cwd=ROOT, env=test_env)
                seconds["browser tests"] = time.time() - t0
            finally:
                stop_lab(proc, url, token)
    finally:
        if opts.keep or code != 0:
            print(f"course copy and JupyterLab log kept in {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
    seconds["whole browser test"] = time.time() - t_all
    print_summary(report_file, seconds, code)
    return code


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrowserTestError as exc:
        print(exc, file=sys.stderr)
        sys.exit(2)
