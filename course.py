#!/usr/bin/env python3
"""The course's one launcher: the same commands on Linux, macOS and Windows, with or without make.

    python course.py lab            create .venv, install the course, open JupyterLab on lesson 00
    python course.py test           the same set-up, then every check (what CI runs)
    python course.py test-fast      library tests and doctests, no notebooks
    python course.py test-torch     install CPU torch, run the cross-checks against torch.optim
                                    and the lessons' "In PyTorch" boxes with torch
    python course.py test-browser   lessons 00/04/09/12 in JupyterLab, the website and a slide
                                    deck, in chromium with the network cut off
    python course.py notebooks      re-execute every notebook in place (or the ones named)
    python course.py card           the reference card as one printable HTML file (works offline)
    python course.py site           the course website in build/site/ (opens from disk, offline;
                                    the first run installs Jupyter Book 1 into .venv-docs)
    python course.py slides         one reveal.js deck per lesson in build/slides/ (offline)
    python course.py figures        every figure as SVG + PNG + caption in build/figures/
    python course.py bench          speed figures (printed, never asserted)
    python course.py release        graded exercises: the student version in exercises/release/
    python course.py grade [DIR]    autograde a folder of submissions (default exercises/submissions)
    python course.py check-exercise PART    grade your own copy of exercise part 1, 2, 3 or 4
    python course.py test-pythons   library tests and two lessons on every other Python found here
    python course.py install        only create .venv and install the course

On Windows write ``py course.py lab``. The Makefile's targets call these, so ``make lab`` and
``python3 course.py lab`` run the same code. Standard library only, and written so that even an
old Python can read this file far enough to say, in one sentence, that it is too old.
"""
from __future__ import print_function

import argparse
import glob
import io
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.abspath(__file__))
VENV_NAME = ".venv"
STAMP_NAME = ".installed-stamp"
NBVAL = ["--nbval-lax", "--nbval-current-env", "--nbval-sanitize-with", "tools/nbval_sanitize.cfg"]
# Run notebooks two at a time, each notebook whole on one worker.
XDIST = ["-n", "2", "--dist", "loadfile"]
#: the course's arrays are small (64 x 64 at most): BLAS threads only spin against each other
#: and against the second test worker (lesson 12: 20 s of CPU with one thread, 35-40 s without)
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
LAB_START = "/lab/tree/notebooks/00_start_here.ipynb"
#: the student front end's config folder: nbgrader's instructor extensions switched off
STUDENT_CONFIG = ".jupyter_student"
# The two lessons test-pythons runs under nbval on each other interpreter.
PYTHONS_LESSONS = ["notebooks/04_running_averages.ipynb", "notebooks/08_adam.ipynb"]
COMMANDS = ["lab", "test", "test-fast", "test-torch", "test-browser", "notebooks", "card", "site",
            "slides", "figures", "bench", "release", "grade", "check-exercise", "test-pythons",
            "install", "help"]
#: the text that marks a lesson's "In PyTorch" box (course_lib.in_pytorch.MARKER): test-torch
#: runs those lessons under nbval with torch installed, so the boxes' torch path runs in CI
TORCH_BOX_MARKER = "in_pytorch.show("


# The reference card: executed and exported with nbconvert, its MathJax inlined so that the one
# HTML file shows the formulas without a network. nbconvert's template loads MathJax 2 from a
# CDN; no MathJax file ships with nbconvert, JupyterLab or notebook (theirs is bundled into
# webpack chunks), so the card installs MathJax 3 from PyPI on first use, as test-torch does
# with torch: django-static-mathjax is MathJax 3.2.2's own files with no dependencies (despite
# its name it needs no Django). Its tex-svg.js draws formulas as SVG, which needs no font files,
# so the whole script fits into the page.
CARD_NOTEBOOK = "notebooks/reference_card.ipynb"
CARD_DIR = os.path.join("build", "card")
MATHJAX_REQUIREMENT = ["django-static-mathjax==3.2.2.1"]
MATHJAX_SCRIPT = os.path.join("mathjax", "static", "mathjax", "es5", "tex-svg.js")
MATHJAX_PLACEHOLDER = "course-card-mathjax"
MATHJAX_CONFIG = ("window.MathJax = {tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], "
                  "displayMath: [['$$', '$$'], ['\\\\[', '\\\\]']], processEscapes: true}, "
                  "svg: {fontCache: 'global'}};")
PRINT_CSS = ("@media print { .jp-Cell, table { break-inside: avoid; } "
             "body { font-size: 10pt; } }")


class CourseError(Exception):
    """A problem the user can fix: its message is one plain sentence, printed without traceback."""


# ---------------------------------------------------------------------------------------------
# What pyproject.toml declares (read with regular expressions: tomllib is Python 3.11+)

def read_text(path):
    with io.open(path, encoding="utf-8") as f:
        return f.read()


def requires_python(text):
    """The requires-python string of pyproject.toml's text, or "" when there is none."""
    m = re.search(r"^requires-python\s*=\s*[\"']([^\"']+)[\"']", text, re.M)
    return m.group(1) if m else ""


def supported_pythons(text):
    """The minor versions named by the classifiers, in order: ["3.10", "3.11", ...]."""
    found = re.findall(r"Programming Language :: Python :: (3\.\d+)[\"']", text)
    return sorted(set(found), key=lambda v: tuple(int(n) for n in v.split(".")))


def extra(text, name):
    """The requirement strings of one optional extra, e.g. extra(text, "test")."""
    m = re.search(r"^" + re.escape(name) + r"\s*=\s*\[(.*?)\]", text, re.M | re.S)
    return re.findall(r'"([^"]+)"', m.group(1)) if m else []


def version_ok(version, spec):
    """Whether version (a tuple) meets a spec such as ">=3.10" or ">=3.10,<3.15"."""
    for op, v in re.findall(r"(>=|<=|==|!=|<|>)\s*([0-9][0-9.]*)", spec):
        want = tuple(int(n) for n in v.split(".") if n)
        have = tuple(version[:len(want)])
        ok = {">=": have >= want, "<=": have <= want, "<": have < want, ">": have > want,
              "==": have == want, "!=": have != want}[op]
        if not ok:
            return False
    return True


def too_old_message(version, spec, windows=None):
    """One sentence for a Python outside requires-python (spec is ">=3.10" or similar)."""
    windows = os.name == "nt" if windows is None else windows
    have = ".".join(str(n) for n in version[:3])
    again = "py course.py" if windows else "python3 course.py"
    return ("This is Python %s, and the course needs Python %s: install a current Python "
            "(from python.org or your package manager) and run %s again with it."
            % (have, _spec_words(spec), again))


def check_python(version=None, text=None):
    """Raise CourseError when this Python is outside pyproject.toml's requires-python."""
    version = tuple(version or sys.version_info[:3])
    if text is None:
        try:
            text = read_text(os.path.join(ROOT, "pyproject.toml"))
        except (IOError, OSError):
            return
    spec = requires_python(text)
    if spec and not version_ok(version, spec):
        raise CourseError(too_old_message(version, spec))


def _spec_words(spec):
    """">=3.10" -> "3.10 or newer"; anything else is shown as it is."""
    m = re.match(r"^\s*>=\s*([0-9.]+)\s*$", spec)
    return m.group(1) + " or newer" if m else spec


# ---------------------------------------------------------------------------------------------
# Where things are in a virtual environment

def venv_python(venv, os_name=None):
    """The venv's interpreter: Scripts\\python.exe on Windows, bin/python elsewhere."""
    if (os_name or os.name) == "nt":
        return os.path.join(venv, "Scripts", "python.exe")
    return os.path.join(venv, "bin", "python")


def venv_script(venv, name, os_name=None):
    """A console script installed in the venv (e.g. uv)."""
    if (os_name or os.name) == "nt":
        return os.path.join(venv, "Scripts", name + ".exe")
    return os.path.join(venv, "bin", name)


def venv_has_package(venv, name):
    """Whether the venv's site-packages holds a package folder (nothing is imported)."""
    patterns = [os.path.join(venv, "lib", "python*", "site-packages", name),
                os.path.join(venv, "Lib", "site-packages", name)]
    return any(glob.glob(p) for p in patterns)


def needs_install(venv, pyproject, os_name=None):
    """Install when the venv has no interpreter, no stamp, or a stamp older than pyproject.toml
    (as make's rule did: the stamp depends on pyproject.toml)."""
    stamp = os.path.join(venv, STAMP_NAME)
    if not os.path.exists(venv_python(venv, os_name)) or not os.path.exists(stamp):
        return True
    return os.path.getmtime(pyproject) > os.path.getmtime(stamp)


# ---------------------------------------------------------------------------------------------
# The commands, built as argument lists (no shell), so they can be tested without running them

class Step(object):
    """One command: run ``cmd`` in ``cwd`` with ``env`` added to the environment. With
    ``unless``, first run that command quietly and skip ``cmd`` when it succeeds."""

    def __init__(self, cmd, env=None, unless=None):
        self.cmd, self.env, self.unless = list(cmd), dict(env or {}), unless

    def __repr__(self):
        return "Step(%r, env=%r, unless=%r)" % (self.cmd, self.env, self.unless)


def open_browser(environ, system, os_name):
    """A browser is opened only where one can be: a display, macOS or Windows."""
    return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")
                or system == "Darwin" or os_name == "nt")


def is_root(os_module=os):
    return hasattr(os_module, "geteuid") and os_module.geteuid() == 0


def plan(command, args, root, venv, environ=None, system=None, os_name=None, root_user=None):
    """The steps of one command (after the install), as argument lists."""
    environ = os.environ if environ is None else environ
    system = platform.system() if system is None else system
    os_name = os.name if os_name is None else os_name
    root_user = is_root() if root_user is None else root_user
    py = venv_python(venv, os_name)
    pytest = [py, "-m", "pytest"]
    agg = dict(ONE_THREAD, MPLBACKEND="Agg")
    args = list(args)
    if command == "lab":
        cmd = [py, "-m", "jupyterlab", "--ServerApp.root_dir=" + root,
               "--LabApp.default_url=" + LAB_START,
               "--ServerApp.open_browser=" + str(open_browser(environ, system, os_name))]
        if root_user:
            cmd.append("--allow-root")
        return [Step(cmd + args, {"JUPYTER_CONFIG_PATH": student_config_path(root, environ)})]
    if command == "test":
        return [Step(pytest + XDIST + ["tests", "course_lib", "notebooks"] + NBVAL + args, agg)]
    if command == "test-fast":
        return [Step(pytest + ["-p", "no:nbval", "tests", "course_lib"] + args, agg)]
    if command == "test-torch":
        torch = [r for r in extra(_pyproject_text(root), "torch")] or ["torch"]
        return [Step([py, "-m", "pip", "install", "-q", "--disable-pip-version-check"] + torch,
                     unless=[py, "-c", "import torch"]),
                Step(pytest + ["-p", "no:nbval", "-m", "torch", "tests"] + args, agg),
                Step(pytest + XDIST + torch_box_lessons(root) + NBVAL, agg)]
    if command == "test-browser":
        return [Step([py, "tools/browser_test.py"] + args)]
    if command == "site":
        return [Step([py, "tools/build_site.py"] + args)]
    if command == "slides":
        return [Step([py, "tools/slides.py", "build"] + args)]
    if command == "figures":
        return [Step([py, "tools/export_figures.py"] + args)]
    if command == "notebooks":
        books = args or sorted(os.path.relpath(p, root).replace(os.sep, "/") for p in
                               glob.glob(os.path.join(root, "notebooks", "*.ipynb")))
        return [Step([py, "tools/run_notebooks.py"] + books,
                     dict(ONE_THREAD, MPLBACKEND="module://matplotlib_inline.backend_inline"))]
    if command == "card":
        mathjax = extra(_pyproject_text(root), "card") or MATHJAX_REQUIREMENT
        return [Step([py, "-m", "pip", "install", "-q", "--disable-pip-version-check"] + mathjax,
                      unless=[py, "-c", "import mathjax"]),
                Step([py, "-m", "nbconvert", "--to", "html", "--no-input", "--execute",
                      "--output-dir", CARD_DIR.replace(os.sep, "/"),
                      "--HTMLExporter.mathjax_url=" + MATHJAX_PLACEHOLDER, CARD_NOTEBOOK] + args,
                     agg)]
    if command == "bench":
        return [Step([py, "benchmarks/optim_step.py"] + args),
                Step([py, "benchmarks/explorer_redraw.py"], agg)]
    if command == "release":
        return [Step([py, "exercises/grade.py", "release"] + args)]
    if command == "grade":
        subs = args[:1] or ["exercises/submissions"]
        return [Step([py, "exercises/grade.py", "autograde"] + subs + args[1:])]
    if command == "check-exercise":
        if not args:
            raise CourseError("Say which exercise part to check, for example: "
                              "python course.py check-exercise 1")
        return [Step([py, "exercises/grade.py", "check", "--part", args[0]] + args[1:])]
    raise ValueError("no steps for " + command)


def torch_box_lessons(root):
    """The notebooks (relative paths) holding an "In PyTorch" box."""
    found = []
    for path in sorted(glob.glob(os.path.join(root, "notebooks", "*.ipynb"))):
        if TORCH_BOX_MARKER in read_text(path):
            found.append(os.path.relpath(path, root).replace(os.sep, "/"))
    return found


def student_config_path(root, environ):
    """JUPYTER_CONFIG_PATH for the student lab: our folder first, then any path already set."""
    ours = os.path.join(root, STUDENT_CONFIG)
    before = environ.get("JUPYTER_CONFIG_PATH", "")
    return ours + (os.pathsep + before if before else "")


def _pyproject_text(root):
    try:
        return read_text(os.path.join(root, "pyproject.toml"))
    except (IOError, OSError):
        return ""


def install_commands(venv, uv_available, os_name=None):
    """How the course is installed into the venv: uv when it can be had (fast; with
    --compile-bytecode, because without .pyc files every kernel re-compiles sympy and
    matplotlib: 7.7 s instead of 2.0 s per notebook start on a 2-core machine), else pip."""
    py = venv_python(venv, os_name)
    if uv_available:
        return [uv_available, "pip", "install", "--python", py, "-q", "--compile-bytecode",
                "-e", ".[lab,test]"]
    return [py, "-m", "pip", "install", "-q", "--disable-pip-version-check", "-e", ".[lab,test]"]


def get_uv_command(venv, os_name=None):
    """[py, -m, pip, install, uv]: the quiet attempt to put uv into the venv."""
    return [venv_python(venv, os_name), "-m", "pip", "install", "-q",
            "--disable-pip-version-check", "uv"]


# ---------------------------------------------------------------------------------------------
# Failures a student can fix, each said in one sentence

NETWORK_SIGNS = [
    "dns error", "failed to lookup address", "name or service not known",
    "temporary failure in name resolution", "nodename nor servname", "getaddrinfo failed",
    "newconnectionerror", "failed to establish a new connection", "connection refused",
    "network is unreachable", "no route to host", "connecterror", "could not connect",
    "max retries exceeded", "read timed out", "connection timed out", "operation timed out",
    "failed to fetch", "failed to download", "error sending request",
    "proxyerror", "sslerror", "certificate verify failed",
    "(from versions: none)",  # pip without retries: the index gave nothing at all
]  # not "no matching distribution" alone: that also means no release for this Python


def looks_like_network_failure(output):
    low = output.lower()
    return any(sign in low for sign in NETWORK_SIGNS)


def network_message(windows=None):
    windows = os.name == "nt" if windows is None else windows
    again = "py course.py" if windows else "python3 course.py"
    return ("The first install downloads the course's packages, and it could not reach the "
            "package index: connect to the internet (or set your proxy) and run %s again."
            % again)


def no_venv_message(version=None, windows=None):
    version = tuple(version or sys.version_info[:2])
    windows = os.name == "nt" if windows is None else windows
    if windows:
        return ("This Python has no working venv module, which the course needs to make its "
                ".venv folder: install Python from python.org (it includes venv) and run "
                "py course.py again.")
    return ("This Python has no working venv module (with ensurepip), which the course needs "
            "to make its .venv folder: on Debian or Ubuntu run "
            "`sudo apt install python3-venv` (for this Python: python%d.%d-venv), elsewhere "
            "install Python from python.org, then run the command again." % version[:2])


def venv_support_missing(importer=None):
    """Whether ``python -m venv`` cannot work here (Debian without python3-venv has the venv
    module but not ensurepip)."""
    importer = importer or __import__
    for name in ("venv", "ensurepip"):
        try:
            importer(name)
        except ImportError:
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Running things

def show(cmd, env=None, root=ROOT):
    """The command as a person would type it, with paths inside the course made relative."""
    def word(w):
        if w.startswith(root + os.sep):
            w = os.path.relpath(w, root)
        if not w or re.search(r"[\s\"'$;&|<>()*?`\\]", w) and os.name != "nt":
            return "'" + w.replace("'", "'\\''") + "'"
        if os.name == "nt" and re.search(r"\s", w):
            return '"' + w + '"'
        return w
    return " ".join(["%s=%s" % kv for kv in sorted((env or {}).items())] + [word(w) for w in cmd])


def run(cmd, env=None, cwd=ROOT, quiet=False, capture=False):
    """Run a command; return (exit code, captured output or "")."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    if not quiet and not capture:
        print(show(cmd, env))
        sys.stdout.flush()
    kwargs = {}
    if quiet or capture:
        kwargs = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT}
    try:
        proc = subprocess.Popen(cmd, cwd=cwd, env=full_env, **kwargs)
    except OSError as e:  # the program itself is missing
        return 127, str(e)
    while True:
        try:
            out, _ = proc.communicate()
            break
        except KeyboardInterrupt:  # Ctrl-C reaches the child too; it decides when to stop
            continue
    text = out.decode("utf-8", "replace") if out else ""
    return proc.returncode, text


def create_venv(venv, python=None, runner=None, importer=None):
    """python -m venv .venv, or one plain sentence saying why it cannot be made."""
    runner = runner or run
    if venv_support_missing(importer):
        raise CourseError(no_venv_message())
    cmd = [python or sys.executable, "-m", "venv", venv]
    print(show(cmd))
    code, out = runner(cmd, capture=True)
    if code != 0:
        shutil.rmtree(venv, ignore_errors=True)  # a half-made venv would be taken as made
        if "ensurepip" in out or "venv" in out and "apt" in out:
            raise CourseError(no_venv_message())
        sys.stdout.write(out)
        raise CourseError("Python could not create the .venv folder (its message is above).")


def ensure_installed(root=ROOT, runner=None, os_name=None):
    """Create .venv and install the course once; again when pyproject.toml changes."""
    runner = runner or run
    venv = os.path.join(root, VENV_NAME)
    pyproject = os.path.join(root, "pyproject.toml")
    if not needs_install(venv, pyproject, os_name):
        return venv
    if not os.path.exists(venv_python(venv, os_name)):
        create_venv(venv, runner=runner)
    uv = venv_script(venv, "uv", os_name)
    if not os.path.exists(uv):
        runner(get_uv_command(venv, os_name), quiet=True)
    uv = uv if os.path.exists(uv) else shutil.which("uv") if hasattr(shutil, "which") else None
    cmd = install_commands(venv, uv, os_name)
    print(show(cmd) + "   (the first time: about a minute with uv, several with pip)")
    sys.stdout.flush()
    code, out = runner(cmd, capture=True)
    if code != 0:
        if looks_like_network_failure(out):
            raise CourseError(network_message())
        sys.stdout.write(out[-4000:])
        raise CourseError("Installing the course into .venv failed (the installer's message is "
                          "above); fix what it names and run the command again.")
    with io.open(os.path.join(venv, STAMP_NAME), "w") as f:
        f.write(u"installed from pyproject.toml\n")
    print("course installed in " + VENV_NAME)
    return venv


def run_steps(steps, runner=None):
    """Run the steps in order, stopping at the first failure (as make does); its exit code."""
    runner = runner or run
    for step in steps:
        if step.unless is not None:
            code, _ = runner(step.unless, quiet=True)
            if code == 0:
                continue
        code, _ = runner(step.cmd, step.env)
        if code != 0:
            return code
    return 0


# ---------------------------------------------------------------------------------------------
# card: the exported page made to work offline

def offline_html(html, mathjax_js):
    """nbconvert's page with MathJax 3 inlined where the placeholder URL is, and nothing left
    that loads from the network: MathJax 2's configuration, require.js (only widgets use it)
    and the mermaid loader (the card has no diagrams) are taken out; a print style is added."""
    tag = '<script src="%s"> </script>' % MATHJAX_PLACEHOLDER
    if tag not in html:
        raise CourseError("The exported card has no MathJax placeholder (nbconvert's template "
                          "changed?): run python3 course.py card again after updating the course.")
    js = mathjax_js.replace("</script", "<\\/script")      # cannot end the inline script early
    inline = "<script>%s</script>\n<script>%s</script>" % (MATHJAX_CONFIG, js)
    html = html.replace(tag, inline, 1)
    html = re.sub(r'<script type="text/x-mathjax-config">.*?</script>', "", html, flags=re.S)
    html = re.sub(r'<script src="https?://[^"]*"></script>', "", html)
    html = re.sub(r'<script type="module">(?:(?!</script>).)*mermaid.*?</script>', "", html,
                  flags=re.S)
    return html.replace("</head>", "<style>%s</style>\n</head>" % PRINT_CSS, 1)


def find_mathjax(venv):
    """The path of MathJax's tex-svg.js in the venv, or None."""
    for site in [os.path.join(venv, "lib", "python*", "site-packages"),
                 os.path.join(venv, "Lib", "site-packages")]:
        found = glob.glob(os.path.join(site, MATHJAX_SCRIPT))
        if found:
            return found[0]
    return None


def card(root, venv, runner=None):
    """Export the reference card to build/card/reference_card.html, MathJax inlined."""
    start = time.time()
    code = run_steps(plan("card", [], root, venv), runner)
    if code != 0:
        return code
    script = find_mathjax(venv)
    if script is None:
        raise CourseError("MathJax is not in .venv (pip install %s failed?): connect to the "
                          "internet once and run python3 course.py card again."
                          % " ".join(MATHJAX_REQUIREMENT))
    out = os.path.join(root, CARD_DIR, "reference_card.html")
    html = offline_html(read_text(out), read_text(script))
    with io.open(out, "w", encoding="utf-8") as f:
        f.write(html)
    print("card: wrote %s (%.1f MB, MathJax inlined: no network needed; print it from the "
          "browser) in %.1f s" % (os.path.relpath(out, root), len(html.encode("utf-8")) / 1e6,
                                  time.time() - start))
    return 0


# ---------------------------------------------------------------------------------------------
# test-pythons: the library tests and two lessons on every other supported interpreter

VERSION_PROBE = "import sys; print('%d.%d.%d' % sys.version_info[:3]); print(sys.executable)"


def candidate_pythons(environ=None, which=None, pyenv_glob=None):
    """Interpreters this machine may have: pyenv's versions, then python3.N on PATH."""
    environ = os.environ if environ is None else environ
    which = which or getattr(shutil, "which", lambda name: None)
    pyenv_root = environ.get("PYENV_ROOT") or os.path.join(os.path.expanduser("~"), ".pyenv")
    found = sorted((pyenv_glob or glob.glob)(os.path.join(pyenv_root, "versions", "*", "bin",
                                                         "python3")))
    for minor in range(8, 21):
        path = which("python3.%d" % minor)
        if path:
            found.append(path)
    return found


def probe(path, runner=None):
    """(version tuple, real executable) of an interpreter, or None when it does not run."""
    runner = runner or run
    code, out = runner([path, "-c", VERSION_PROBE], capture=True)
    lines = out.strip().splitlines()
    if code != 0 or len(lines) < 2 or not re.match(r"^\d+\.\d+\.\d+$", lines[-2]):
        return None
    return tuple(int(n) for n in lines[-2].split(".")), lines[-1]


def choose_pythons(probed, default, spec, supported):
    """Decide per minor version. probed: [(path, (version, executable) or None)].
    Returns (to_run [(label, executable)], skipped [(label, reason)])."""
    best = {}
    for path, info in probed:
        if info is None:
            continue
        version, exe = info
        key = version[:2]
        if key not in best or version > best[key][0]:
            best[key] = (version, exe)
    to_run, skipped = [], []
    for key in sorted(best):
        version, exe = best[key]
        label = ".".join(str(n) for n in version)
        if key == tuple(default[:2]):
            skipped.append((label, "the default Python: `course.py test` ran on it"))
        elif not version_ok(version, spec):
            skipped.append((label, "outside the supported " + spec))
        else:
            to_run.append((label, exe))
    have = set("%d.%d" % k for k in best)
    for v in supported:
        if v not in have:
            skipped.append((v, "not found on this machine"))
    return to_run, skipped


def pythons_commands(uv, exe, env_dir, text):
    """The commands for one interpreter: a throw-away venv, the course plus pytest, pytest-xdist
    and nbval (versions from the test extra; no JupyterLab, no nbgrader: the grading tests stay
    with the default Python; nor the lessons' sympy proofs again, tests/test_lesson_*.py, about
    half the CPU time, nor the lessons re-run with changed settings, tests/test_settings_lesson_*.py,
    to keep CI's added time under 5 minutes), then one pytest run on two
    workers. No --compile-bytecode here:
    Python writes .pyc files for what the tests import, which is less than uv would compile."""
    py = venv_python(env_dir)
    wanted = ("pytest", "pytest-xdist", "nbval")
    keep = [r for r in extra(text, "test") if re.split(r"[<>=!~ ;\[]", r, maxsplit=1)[0] in
            wanted] or list(wanted)
    return [
        [uv, "venv", "-q", "--python", exe, env_dir],
        [uv, "pip", "install", "-q", "--python", py, "-e", "."] + keep,
        [py, "-m", "pytest", "-q"] + XDIST + ["-m", "not grading and not torch",
                                               "--ignore-glob=tests/test_lesson_*.py",
                                               "--ignore-glob=tests/test_settings_lesson_*.py",
                                               "--ignore=tests/test_notebook_settings.py", "tests",
                                               "course_lib"] + PYTHONS_LESSONS + NBVAL,
    ]


def test_pythons(root=ROOT, runner=None):
    """Run the library tests and lessons 04 and 08 on every other supported interpreter."""
    runner = runner or run
    venv = ensure_installed(root)
    uv = venv_script(venv, "uv")
    if not os.path.exists(uv):
        runner(get_uv_command(venv), quiet=True)
    if not os.path.exists(uv):
        print("test-pythons: uv could not be installed into .venv: every other Python skipped")
        return 0
    text = _pyproject_text(root)
    spec, supported = requires_python(text), supported_pythons(text)
    default = probe(venv_python(venv), runner)
    paths = candidate_pythons()
    to_run, skipped = choose_pythons([(p, probe(p, runner)) for p in paths],
                                     default[0] if default else (0, 0), spec, supported)
    env = {"MPLBACKEND": "Agg", "UV_PYTHON_DOWNLOADS": "never"}  # never fetch a Python
    results, failed = [], 0
    work = tempfile.mkdtemp(prefix="course-pythons-")
    print("test-pythons: will run on %s; uv cache shared: %s"
          % (", ".join(l for l, _ in to_run) or "none",
             os.environ.get("UV_CACHE_DIR", "uv's default cache")))
    try:
        for label, exe in to_run:
            start = time.time()
            print("\n=== Python %s (%s)" % (label, exe))
            code = 0
            for cmd in pythons_commands(uv, exe, os.path.join(work, "py" + label), text):
                code, _ = runner(cmd, env)
                if code != 0:
                    break
            seconds = time.time() - start
            results.append((label, "passed" if code == 0 else "FAILED (exit %d)" % code, seconds))
            failed += code != 0
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\ntest-pythons summary (default Python %s ran `course.py test`):"
          % (".".join(map(str, default[0])) if default else "?"))
    for label, status, seconds in results:
        print("  ran      %-8s %-18s %5.0f s" % (label, status, seconds))
    for label, reason in skipped:
        print("  skipped  %-8s %s" % (label, reason))
    print("  total %.0f s for %d interpreter(s)" % (sum(r[2] for r in results), len(results)))
    return 1 if failed else 0


# ---------------------------------------------------------------------------------------------

def parser():
    p = argparse.ArgumentParser(
        prog="course.py", description="Open, test and grade the course (python course.py lab).",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n")[1])
    p.add_argument("command", choices=COMMANDS, metavar="command",
                   help=" | ".join(COMMANDS))
    p.add_argument("args", nargs=argparse.REMAINDER,
                   help="passed on: to pytest (test*), jupyter lab (lab), grade.py (grade, "
                        "release, check-exercise), or the notebooks to re-execute")
    return p


def main(argv=None):
    check_python()
    opts = parser().parse_args(argv)
    if opts.command == "help":
        print(__doc__.split("\n\n")[1])
        return 0
    if opts.command == "check-exercise" and not opts.args:
        raise CourseError("Say which exercise part to check, for example: "
                          "python course.py check-exercise 1")
    venv = ensure_installed(ROOT)
    if opts.command == "install":
        return 0
    if opts.command == "test-pythons":
        return test_pythons(ROOT)
    if opts.command == "card":
        return card(ROOT, venv)
    if opts.command in ("release", "grade", "check-exercise") and not venv_has_package(venv,
                                                                                      "nbgrader"):
        raise CourseError("The graded exercises need nbgrader, which needs Python 3.11 or newer: "
                          "make .venv again with a newer Python (delete the .venv folder, then "
                          "run this command with Python 3.11 or newer).")
    return run_steps(plan(opts.command, opts.args, ROOT, venv))


if __name__ == "__main__":
    try:
        sys.exit(main())
    except CourseError as e:
        sys.stderr.write("course.py: %s\n" % e)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
