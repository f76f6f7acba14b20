"""course.py, the launcher behind `make` and `python course.py`: the command lines it builds, the
platform differences (Windows venv layout under a simulated os.name), the install stamp, and the
one-sentence errors. Nothing here installs anything or touches the course's .venv."""
import importlib.util
import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("course_launcher", ROOT / "course.py")
course = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(course)

SPACED = "/tmp/my course folder/opt nn"          # a course folder with spaces in its path
VENV = os.path.join(SPACED, ".venv")
PY = os.path.join(VENV, "bin", "python")
NBVAL = ["--nbval-lax", "--nbval-current-env", "--nbval-sanitize-with", "tools/nbval_sanitize.cfg"]


def steps(command, args=(), **kw):
    kw.setdefault("environ", {})
    kw.setdefault("system", "Linux")
    kw.setdefault("os_name", "posix")
    kw.setdefault("root_user", False)
    return [(s.cmd, s.env, s.unless) for s in course.plan(command, list(args), SPACED, VENV, **kw)]


def one_sentence(msg):
    return "\n" not in msg and msg.endswith(".") and "Traceback" not in msg


# --- the venv layout -------------------------------------------------------------------------

def test_venv_layout_on_windows_and_elsewhere():
    assert pathlib.PurePath(course.venv_python(VENV, "nt")).parts[-3:] == (".venv", "Scripts", "python.exe")
    assert pathlib.PurePath(course.venv_script(VENV, "uv", "nt")).parts[-2:] == ("Scripts", "uv.exe")
    assert course.venv_python(VENV, "posix") == PY
    assert course.venv_script(VENV, "uv", "posix") == os.path.join(VENV, "bin", "uv")


def test_a_simulated_windows_uses_scripts_everywhere(monkeypatch):
    monkeypatch.setattr(course.os, "name", "nt")
    assert course.venv_python(VENV).endswith(os.path.join("Scripts", "python.exe"))
    cmd = course.install_commands(VENV, course.venv_script(VENV, "uv"))
    assert cmd[0].endswith("uv.exe") and cmd[cmd.index("--python") + 1].endswith("python.exe")
    assert course.install_commands(VENV, None)[0].endswith("python.exe")
    lab = course.plan("lab", [], SPACED, VENV, environ={}, system="Windows", root_user=False)[0].cmd
    assert lab[0].endswith(os.path.join("Scripts", "python.exe"))
    assert "--ServerApp.open_browser=True" in lab            # Windows has a desktop
    assert "py course.py" in course.network_message() and "py course.py" in \
        course.too_old_message((3, 9, 1), ">=3.10")
    assert "python.org" in course.no_venv_message((3, 9))


# --- the command lines, as the Makefile ran them -----------------------------------------------

def test_lab_command():
    (cmd, env, _), = steps("lab")
    assert cmd == [PY, "-m", "jupyterlab", "--ServerApp.root_dir=" + SPACED,
                   "--LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb",
                   "--ServerApp.open_browser=False"]
    assert env == {"JUPYTER_CONFIG_PATH": os.path.join(SPACED, ".jupyter_student")}
    assert steps("lab", environ={"JUPYTER_CONFIG_PATH": "/mine"})[0][1]["JUPYTER_CONFIG_PATH"] == \
        os.path.join(SPACED, ".jupyter_student") + os.pathsep + "/mine"
    assert steps("lab", environ={"DISPLAY": ":0"})[0][0][-1] == "--ServerApp.open_browser=True"
    assert steps("lab", system="Darwin")[0][0][-1] == "--ServerApp.open_browser=True"
    assert steps("lab", root_user=True)[0][0][-1] == "--allow-root"
    assert "--allow-root" not in steps("lab")[0][0]


#: nbgrader's parts, as `jupyter labextension list` and `jupyter server extension list` name them
NBGRADER_LAB = {"@jupyter/nbgrader"}
NBGRADER_SERVER = {"nbgrader.server_extensions." + n for n in
                   ("formgrader", "validate_assignment", "assignment_list", "course_list")}


def test_the_student_lab_config_disables_exactly_nbgrader():
    """The folder `course.py lab` puts on JUPYTER_CONFIG_PATH switches off nbgrader's lab
    extension (menu, Validate button, Create Assignment panel) and its server extensions,
    and nothing else."""
    import json
    folder = ROOT / course.STUDENT_CONFIG
    page = json.loads((folder / "labconfig" / "page_config.json").read_text())
    assert page == {"disabledExtensions": {name: True for name in NBGRADER_LAB}}
    server = json.loads((folder / "jupyter_server_config.json").read_text())
    assert server == {"ServerApp": {"jpserver_extensions": {n: False for n in NBGRADER_SERVER}}}


def test_the_disabled_names_are_the_installed_ones():
    """The names match what the venv's nbgrader installs (skipped without nbgrader)."""
    import json
    venv_etc = pathlib.Path(sys.prefix, "etc", "jupyter", "jupyter_server_config.d", "nbgrader.json")
    if not venv_etc.exists():
        pytest.skip("nbgrader is not installed in this environment")
    installed = json.loads(venv_etc.read_text())["ServerApp"]["jpserver_extensions"]
    assert set(installed) == NBGRADER_SERVER
    lab = pathlib.Path(sys.prefix, "share", "jupyter", "labextensions", "@jupyter", "nbgrader")
    assert lab.is_dir()


def test_test_commands():
    assert steps("test") == [([PY, "-m", "pytest", "-n", "2", "--dist", "loadfile", "tests",
                               "course_lib", "notebooks"] + NBVAL, {"MPLBACKEND": "Agg", **course.ONE_THREAD}, None)]
    assert steps("test-fast") == [([PY, "-m", "pytest", "-p", "no:nbval", "tests", "course_lib"],
                                   {"MPLBACKEND": "Agg", **course.ONE_THREAD}, None)]
    assert steps("test-fast", ["-k", "adam"])[0][0][-2:] == ["-k", "adam"]   # passed to pytest


def test_test_torch_installs_torch_only_when_it_is_missing():
    here = [(s.cmd, s.env, s.unless) for s in course.plan("test-torch", [], str(ROOT), VENV)]
    (install, _, unless), (cmd, env, _), (boxes, env2, _) = here
    assert unless == [PY, "-c", "import torch"]
    assert install == [PY, "-m", "pip", "install", "-q", "--disable-pip-version-check", "torch==2.13.0"]
    assert cmd == [PY, "-m", "pytest", "-p", "no:nbval", "-m", "torch", "tests"]
    assert env == env2 == {"MPLBACKEND": "Agg", **course.ONE_THREAD}
    # then the lessons with an "In PyTorch" box run under nbval, torch now installed
    lessons = [a for a in boxes if a.endswith(".ipynb")]
    assert boxes == [PY, "-m", "pytest"] + course.XDIST + lessons + course.NBVAL
    assert [p[10:12] for p in lessons] == ["05", "06", "07", "08", "10", "11"]


def test_the_torch_box_marker_is_the_librarys():
    from course_lib import in_pytorch
    assert course.TORCH_BOX_MARKER == in_pytorch.MARKER


def test_publishing_and_browser_commands_call_their_tools():
    for command, tool in [("site", ["tools/build_site.py"]), ("slides", ["tools/slides.py", "build"]),
                          ("figures", ["tools/export_figures.py"]),
                          ("test-browser", ["tools/browser_test.py"])]:
        (step,) = course.plan(command, ["-x"], str(ROOT), VENV)
        assert step.cmd == [PY] + tool + ["-x"]


def test_notebooks_bench_and_grading_commands():
    (step,) = course.plan("notebooks", [], str(ROOT), VENV)
    cmd, env = step.cmd, step.env
    books = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert cmd[:2] == [PY, "tools/run_notebooks.py"] and cmd[2:] == ["notebooks/" + b for b in books]
    assert env == {"MPLBACKEND": "module://matplotlib_inline.backend_inline", **course.ONE_THREAD}
    assert steps("notebooks", ["notebooks/02_x.ipynb"])[0][0][2:] == ["notebooks/02_x.ipynb"]
    assert steps("bench") == [([PY, "benchmarks/optim_step.py"], {}, None),
                              ([PY, "benchmarks/explorer_redraw.py"], {"MPLBACKEND": "Agg", **course.ONE_THREAD}, None)]
    assert steps("release")[0][0] == [PY, "exercises/grade.py", "release"]
    assert steps("grade")[0][0] == [PY, "exercises/grade.py", "autograde", "exercises/submissions"]
    assert steps("grade", ["my subs"])[0][0] == [PY, "exercises/grade.py", "autograde", "my subs"]
    assert steps("check-exercise", ["2"])[0][0] == [PY, "exercises/grade.py", "check", "--part", "2"]
    with pytest.raises(course.CourseError):
        steps("check-exercise")


def test_install_uses_uv_with_bytecode_else_pip():
    assert course.install_commands(VENV, "/x/uv", "posix") == [
        "/x/uv", "pip", "install", "--python", PY, "-q", "--compile-bytecode", "-e", ".[lab,test]"]
    assert course.install_commands(VENV, None, "posix") == [
        PY, "-m", "pip", "install", "-q", "--disable-pip-version-check", "-e", ".[lab,test]"]


def test_makefile_is_a_thin_wrapper_over_course_py():
    text = (ROOT / "Makefile").read_text()
    recipes = [line.strip() for line in text.splitlines() if line.startswith("\t")]
    assert recipes and all(r.startswith("@$(COURSE) ") for r in recipes), recipes
    assert re.search(r"^COURSE := \$\(PYTHON\) course.py$", text, re.M)
    targets = set()
    for line in text.splitlines():
        m = re.match(r"^([a-z][a-z \-]*):(?!=)", line)
        if m:
            targets.update(m.group(1).split())
    assert set(course.COMMANDS) <= targets


def test_ci_calls_the_readme_commands():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    for cmd in ["python3 course.py test", "python3 course.py test-torch", "python3 course.py test-pythons",
                "python3 course.py site", "python3 course.py slides", "python3 course.py test-browser"]:
        assert re.search("^" + re.escape(cmd) + "$|^if " + re.escape(cmd) + ";", ci, re.M), cmd
    assert "python3 course.py test " in readme and "python3 course.py lab " in readme
    assert "py course.py lab" in readme and "make lab" in readme and "make test" in readme


# --- running: arguments, spaces, exit codes -----------------------------------------------------

def test_a_path_with_spaces_is_one_argument(tmp_path):
    folder = tmp_path / "a course" / "with spaces"
    folder.mkdir(parents=True)
    code, out = course.run([sys.executable, "-c", "import os, sys; print(os.getcwd()); print(sys.argv[1])",
                            str(folder / "x y.txt")], cwd=str(folder), capture=True)
    assert code == 0 and out.splitlines() == [str(folder), str(folder / "x y.txt")]
    assert "'" + os.path.join(str(folder), "x y.txt") + "'" in course.show(["ls", str(folder / "x y.txt")])
    assert course.show([PY, "-m", "pytest"], {"MPLBACKEND": "Agg"}, root=SPACED) == \
        "MPLBACKEND=Agg .venv/bin/python -m pytest"


def test_exit_codes_are_forwarded_and_steps_stop_at_the_first_failure():
    calls = []

    def runner(cmd, env=None, quiet=False, capture=False):
        calls.append(cmd[0])
        return {"a": 0, "b": 3, "c": 0, "t": 1}[cmd[0]], ""
    assert course.run_steps([course.Step(["a"]), course.Step(["b"]), course.Step(["c"])], runner) == 3
    assert calls == ["a", "b"]
    calls.clear()
    assert course.run_steps([course.Step(["c"], unless=["a"]), course.Step(["c"], unless=["t"])], runner) == 0
    assert calls == ["a", "t", "c"]           # first step skipped: its 'unless' succeeded


def test_main_returns_the_commands_exit_code(monkeypatch, tmp_path):
    monkeypatch.setattr(course, "ensure_installed", lambda root: str(tmp_path))
    monkeypatch.setattr(course, "run", lambda cmd, env=None, **kw: (7, ""))
    assert course.main(["test-fast"]) == 7
    proc = subprocess.run([sys.executable, str(ROOT / "course.py"), "no-such-command"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


# --- the install stamp ------------------------------------------------------------------------

def test_install_stamp(tmp_path):
    venv, pyproject = tmp_path / ".venv", tmp_path / "pyproject.toml"
    pyproject.write_text("x")
    assert course.needs_install(str(venv), str(pyproject), "posix")       # no venv
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text("")
    assert course.needs_install(str(venv), str(pyproject), "posix")       # no stamp
    stamp = venv / ".installed-stamp"
    stamp.write_text("")
    os.utime(pyproject, (1000, 1000))
    os.utime(stamp, (2000, 2000))
    assert not course.needs_install(str(venv), str(pyproject), "posix")   # installed
    os.utime(pyproject, (3000, 3000))
    assert course.needs_install(str(venv), str(pyproject), "posix")       # pyproject changed
    assert course.needs_install(str(venv), str(pyproject), "nt")          # no Scripts\python.exe


def _fake_venv(tmp_path, with_uv=True):
    root = tmp_path / "course dir"
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "python").write_text("")
    if with_uv:
        (root / ".venv" / "bin" / "uv").write_text("")
    (root / "pyproject.toml").write_text('requires-python = ">=3.10"\n')
    return root


def test_install_writes_the_stamp_and_is_skipped_afterwards(tmp_path):
    root = _fake_venv(tmp_path)
    ran = []
    course.ensure_installed(str(root), lambda cmd, env=None, **kw: (ran.append(cmd), (0, ""))[1], "posix")
    assert len(ran) == 1 and ran[0][:3] == [str(root / ".venv" / "bin" / "uv"), "pip", "install"]
    assert (root / ".venv" / ".installed-stamp").exists()
    course.ensure_installed(str(root), lambda *a, **k: pytest.fail("installed twice"), "posix")


# --- the one-sentence errors ------------------------------------------------------------------

UV_OFFLINE = """error: Request failed after 3 retries
  Caused by: Failed to fetch: `https://example.invalid/simple/numpy/`
  Caused by: error sending request for url
  Caused by: dns error: failed to lookup address information: Name or service not known"""
PIP_OFFLINE = """WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) \
after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection \
object at 0x7f>: Failed to establish a new connection: [Errno -3] Temporary failure in name resolution')'
ERROR: Could not find a version that satisfies the requirement setuptools>=68 (from versions: none)
ERROR: No matching distribution found for setuptools>=68"""
PIP_OFFLINE_NO_RETRY = ("ERROR: Could not find a version that satisfies the requirement "
                        'nbval>=0.11; extra == "test" (from course-lib[lab,test]) (from versions: none)\n'
                        'ERROR: No matching distribution found for nbval>=0.11; extra == "test"')
NOT_NETWORK = """error: Failed to build `course-lib @ file:///x`
  Caused by: The build backend returned an error
SyntaxError: invalid syntax"""
NO_RELEASE_FOR_THIS_PYTHON = """ERROR: Ignored the following versions that require a different python version: 0.9.6 Requires-Python >=3.11
ERROR: Could not find a version that satisfies the requirement nbgrader>=0.9.6 (from versions: 0.8.4, 0.9.0, 0.9.5)
ERROR: No matching distribution found for nbgrader>=0.9.6"""


@pytest.mark.parametrize("output, network", [(UV_OFFLINE, True), (PIP_OFFLINE, True),
                                             (PIP_OFFLINE_NO_RETRY, True), (NOT_NETWORK, False),
                                             (NO_RELEASE_FOR_THIS_PYTHON, False)])
def test_network_failures_are_recognised(output, network):
    assert course.looks_like_network_failure(output) is network


def test_no_network_for_the_first_install_is_one_sentence(tmp_path, capsys):
    root = _fake_venv(tmp_path)
    with pytest.raises(course.CourseError) as e:
        course.ensure_installed(str(root), lambda cmd, env=None, **kw: (1, UV_OFFLINE), "posix")
    assert one_sentence(str(e.value)) and "internet" in str(e.value)
    assert not (root / ".venv" / ".installed-stamp").exists()          # tried again next time
    with pytest.raises(course.CourseError) as e:                       # another failure: shown
        course.ensure_installed(str(root), lambda cmd, env=None, **kw: (1, NOT_NETWORK), "posix")
    assert "internet" not in str(e.value) and "SyntaxError" in capsys.readouterr().out


def test_python_too_old_is_one_sentence():
    with pytest.raises(course.CourseError) as e:
        course.check_python((3, 9, 18), 'requires-python = ">=3.10"')
    msg = str(e.value)
    assert one_sentence(msg) and "Python 3.9.18" in msg and "3.10 or newer" in msg
    course.check_python((3, 10, 0), 'requires-python = ">=3.10"')
    course.check_python((3, 14, 2), 'requires-python = ">=3.10"')      # no upper cap
    with pytest.raises(course.CourseError):
        course.check_python((3, 15, 0), 'requires-python = ">=3.10,<3.15"')


OLD = sorted(pathlib.Path(os.environ.get("PYENV_ROOT", pathlib.Path.home() / ".pyenv")).glob(
    "versions/[23].[0-9]*/bin/python"))
OLD = [p for p in OLD if re.match(r"^(2\.7|3\.[6-9])\.", p.parts[-3])]


@pytest.mark.skipif(not OLD, reason="no Python older than 3.10 on this machine")
def test_an_old_python_reads_the_file_and_gets_the_sentence():
    for python in OLD[:2]:                      # course.py parses even under Python 2.7
        proc = subprocess.run([str(python), str(ROOT / "course.py"), "test"], capture_output=True,
                              text=True, timeout=60)
        assert proc.returncode == 1 and proc.stdout == "", proc.stderr
        line = proc.stderr.strip()
        assert line.startswith("course.py: This is Python ") and one_sentence(line), line


def test_missing_venv_support_is_one_sentence(tmp_path):
    def no_ensurepip(name):
        if name == "ensurepip":
            raise ImportError(name)
    assert course.venv_support_missing(no_ensurepip)
    assert not course.venv_support_missing(lambda name: None)
    with pytest.raises(course.CourseError) as e:
        course.create_venv(str(tmp_path / ".venv"), importer=no_ensurepip)
    assert one_sentence(str(e.value)) and "python3-venv" in str(e.value)
    # Debian's venv without ensurepip leaves a half-made .venv behind; it is removed
    half = tmp_path / "half" / ".venv"

    def debian(cmd, **kw):
        (half / "bin").mkdir(parents=True)
        return 1, "The virtual environment was not created successfully because ensurepip is not available."
    with pytest.raises(course.CourseError) as e:
        course.create_venv(str(half), runner=debian, importer=lambda name: None)
    assert "python3-venv" in str(e.value) and not half.exists()


def test_missing_venv_support_end_to_end(tmp_path):
    """The real script, in a folder with spaces, with ensurepip hidden: one line, no .venv."""
    folder = tmp_path / "my course"
    folder.mkdir()
    for name in ["course.py", "pyproject.toml"]:
        (folder / name).write_bytes((ROOT / name).read_bytes())
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "ensurepip.py").write_text("raise ImportError('ensurepip is not available')\n")
    env = dict(os.environ, PYTHONPATH=str(hide))
    proc = subprocess.run([sys.executable, str(folder / "course.py"), "test"], capture_output=True,
                          text=True, env=env, cwd=str(tmp_path), timeout=60)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert one_sentence(proc.stderr.strip().split("course.py: ", 1)[1]) and "python3-venv" in proc.stderr
    assert not (folder / ".venv").exists()


# --- test-pythons: which interpreters run ----------------------------------------------------

def test_other_pythons_are_chosen_once_per_version():
    probed = [("/p/3.9/python3", ((3, 9, 18), "/p/3.9/python3")),
              ("/p/3.10/python3", ((3, 10, 13), "/p/3.10/python3")),
              ("/p/3.11/python3", ((3, 11, 7), "/p/3.11/python3")),
              ("/p/3.12/python3", ((3, 12, 1), "/p/3.12/python3")),
              ("/usr/bin/python3.12", ((3, 12, 3), "/usr/bin/python3.12")),
              ("/broken", None)]
    run, skipped = course.choose_pythons(probed, (3, 11, 7), ">=3.10",
                                         ["3.10", "3.11", "3.12", "3.13", "3.14"])
    assert run == [("3.10.13", "/p/3.10/python3"), ("3.12.3", "/usr/bin/python3.12")]
    reasons = dict(skipped)
    assert "default" in reasons["3.11.7"] and "outside" in reasons["3.9.18"]
    assert reasons["3.13"] == reasons["3.14"] == "not found on this machine"


def test_other_python_commands():
    text = (ROOT / "pyproject.toml").read_text()
    venv_dir = "/tmp/course pythons/py3.13.0"
    make, install, test = course.pythons_commands("/u/uv", "/p/python3.13", venv_dir, text)
    assert make == ["/u/uv", "venv", "-q", "--python", "/p/python3.13", venv_dir]
    py = os.path.join(venv_dir, "bin", "python")
    assert install[:6] == ["/u/uv", "pip", "install", "-q", "--python", py]
    assert install[6:8] == ["-e", "."]
    assert sorted(install[8:]) == ["nbval>=0.11", "pytest-xdist>=3.5", "pytest>=8"]
    assert test[:8] == [py, "-m", "pytest", "-q", "-n", "2", "--dist", "loadfile"]
    assert test[8] == "-m" and "not grading" in test[9]
    assert test[10:13] == ["--ignore-glob=tests/test_lesson_*.py",
                           "--ignore-glob=tests/test_settings_lesson_*.py",
                           "--ignore=tests/test_notebook_settings.py"]
    assert test[13:15] == ["tests", "course_lib"] and test[-4:] == NBVAL
    for lesson in course.PYTHONS_LESSONS:
        assert lesson in test and (ROOT / lesson).is_file()


def test_pyproject_readers():
    text = (ROOT / "pyproject.toml").read_text()
    assert course.requires_python(text) == ">=3.10"
    assert course.supported_pythons(text)[:2] == ["3.10", "3.11"]
    assert course.extra(text, "torch") == ["torch==2.13.0"]
    assert course.version_ok((3, 13, 0), ">=3.10") and not course.version_ok((3, 9, 9), ">=3.10")


def test_card_installs_mathjax_once_exports_without_input_and_inlines_mathjax(tmp_path):
    (install, _, unless), (cmd, env, _) = steps("card")
    assert unless == [PY, "-c", "import mathjax"]
    assert install[:6] == [PY, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    assert cmd[:3] == [PY, "-m", "nbconvert"] and "--no-input" in cmd and "--execute" in cmd
    assert cmd[-1] == "notebooks/reference_card.ipynb" and "build/card" in cmd
    assert "--HTMLExporter.mathjax_url=" + course.MATHJAX_PLACEHOLDER in cmd
    assert env == {"MPLBACKEND": "Agg", **course.ONE_THREAD}
    assert "build/" in (ROOT / ".gitignore").read_text().split()
    page = ('<head><script src="https://cdnjs.cloudflare.com/require.min.js"></script>\n'
            '<script src="%s"> </script>\n<script type="text/x-mathjax-config">MathJax.Hub'
            '</script>\n<script type="module">import("https://x/mermaid.mjs")</script></head>'
            '<body>$x$</body>' % course.MATHJAX_PLACEHOLDER)
    out = course.offline_html(page, "var a = '</script>'; /* MathJax */")
    assert "https://" not in out and "MathJax.Hub" not in out and "mermaid" not in out
    assert "window.MathJax" in out and "<\\/script>" in out and "@media print" in out
    with pytest.raises(course.CourseError):
        course.offline_html("<head></head>", "")
    lib = tmp_path / "lib" / "python3.11" / "site-packages" / os.path.dirname(course.MATHJAX_SCRIPT)
    lib.mkdir(parents=True)
    (lib / "tex-svg.js").write_text("//")
    assert course.find_mathjax(str(tmp_path)).endswith("tex-svg.js")
    assert course.find_mathjax(str(tmp_path / "none")) is None


def test_card_extra_names_the_mathjax_the_launcher_falls_back_to():
    """pyproject's `card` extra and course.py's fallback (used where pyproject cannot be read) agree."""
    assert course.extra((ROOT / "pyproject.toml").read_text(), "card") == course.MATHJAX_REQUIREMENT
