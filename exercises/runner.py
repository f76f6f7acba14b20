"""The student-side half of grading: runs in a fresh, isolated interpreter (see sandbox.py).

It reads one job (JSON on stdin): the cells to run (the release's setup cells and the
student's answer cells for ONE question, in notebook order) and the calls to make. It runs
the cells, calls the student's functions on the grader's inputs and sends back, on its
original stdout, one JSON line per event: which cell starts, a cell's error, each call's
result. It never sees an expected value: the grader compares the results in its own process.
The student's own prints and warnings go to /dev/null (they cost nothing).

The encoding helpers at the top are shared with grade.py (which decodes sympy results with
its own safe parser, never with eval).
"""
from __future__ import annotations

import json
import os
import sys

MAX_EVENT = 4_000_000          # bytes per event line


# -- values <-> JSON ------------------------------------------------------------------------------

class Input:
    """An input the runner builds on its side: Input("__rng__", seed), Input("__matvec__", A), ..."""

    def __init__(self, kind: str, *args):
        self.kind, self.args = kind, args


def encode(x, depth: int = 0):
    if isinstance(x, Input):
        return {x.kind: encode(list(x.args), depth + 1)}
    if depth > 30:
        return {"__unsupported__": "nested too deeply"}
    if x is None or isinstance(x, (bool, str)):
        return x
    if isinstance(x, int):
        return x if abs(x) < 2**62 else {"__unsupported__": "an integer too large"}
    if isinstance(x, float) and type(x) is float:
        return {"__float__": repr(x)}
    if isinstance(x, (list, tuple)):
        return {"__list__" if isinstance(x, list) else "__tuple__": [encode(v, depth + 1) for v in x]}
    if isinstance(x, dict):
        return {"__dict__": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in x.items()]}
    mod = type(x).__module__ or ""
    if mod.startswith("numpy"):
        import numpy as np
        if isinstance(x, np.ndarray):
            if x.dtype.kind in "biuf":
                return {"__nd__": [list(x.shape), x.dtype.kind, [repr(float(v)) for v in x.ravel()]]}
            if x.dtype.kind == "O":
                return {"__ndobj__": [list(x.shape), [encode(v, depth + 1) for v in x.ravel()]]}
            return {"__unsupported__": f"a numpy array of dtype {x.dtype}"}
        if isinstance(x, np.bool_):
            return {"__npbool__": bool(x)}
        if isinstance(x, (np.integer, np.floating)):
            return {"__npnum__": [type(x).__name__, repr(float(x))]}
    if mod.startswith("sympy"):
        import sympy
        if isinstance(x, (sympy.Basic, sympy.MatrixBase)):
            return {"__sym__": sympy.srepr(x)}
    return {"__unsupported__": type(x).__name__}


def decode(x, sym=None, fns=None):
    """Inverse of encode. `sym` turns an srepr string into a sympy object; `fns` builds the
    functions and generators the grader asks for (inputs only)."""
    if isinstance(x, list):
        return [decode(v, sym, fns) for v in x]
    if not isinstance(x, dict):
        return x
    (key, val), = x.items()
    if key == "__float__":
        return float(val)
    if key in ("__list__", "__tuple__"):
        items = [decode(v, sym, fns) for v in val]
        return items if key == "__list__" else tuple(items)
    if key == "__dict__":
        return {_hashable(decode(k, sym, fns)): decode(v, sym, fns) for k, v in val}
    import numpy as np
    if key == "__nd__":
        shape, kind, data = val
        arr = np.array([float(v) for v in data], dtype=float).reshape(shape)
        return arr.astype({"b": bool, "i": np.int64, "u": np.int64}.get(kind, float))
    if key == "__ndobj__":
        shape, data = val
        arr = np.empty(len(data), dtype=object)
        for i, v in enumerate(data):
            arr[i] = decode(v, sym, fns)
        return arr.reshape(shape)
    if key == "__npbool__":
        return np.bool_(val)
    if key == "__npnum__":
        name, v = val
        return np.float64(float(v)) if "float" in name else np.int64(int(float(v)))
    if key == "__sym__":
        if sym is None:
            raise ValueError("no sympy parser")
        return sym(val)
    if key == "__unsupported__":
        return Unsupported(val)
    if fns is not None and key in fns:
        return fns[key](*decode(val, sym, fns))
    raise ValueError(f"unknown encoding {key!r}")


def _hashable(k):
    return tuple(k) if isinstance(k, list) else k


class Unsupported:
    def __init__(self, what):
        self.what = what

    def __repr__(self):
        return f"<{self.what}>"


def _input_functions():
    import numpy as np

    def matvec(A):
        A = np.asarray(A, dtype=float)
        return lambda w: A @ w

    def logistic(X, y):
        X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
        return lambda w: X.T @ (1 / (1 + np.exp(-(X @ w))) - y) / len(y)

    return {
        "__rng__": lambda seed: np.random.default_rng(int(seed)),
        "__logistic__": logistic,
        "__matvec__": matvec,
        "__gamma_mean__": lambda: (lambda t: (t - 1) / t),                 # gamma_t = (t-1)/t
        "__gamma_slow__": lambda: (lambda t: 1 - 1 / (t + 1)),            # gamma_t = t/(t+1)
    }


def _student_sympy(text):
    import sympy
    return eval(text, {n: getattr(sympy, n) for n in dir(sympy) if not n.startswith("_")})


# -- the job --------------------------------------------------------------------------------------

def _error_text(exc: BaseException, cell_ids) -> str:
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in cell_ids:
            line = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    msg = str(exc)
    if len(msg) > 400:
        msg = msg[:400] + " ..."
    text = f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__
    if isinstance(exc, SyntaxError) and exc.lineno:
        text = f"SyntaxError: {exc.msg} (line {exc.lineno} of your cell)"
    elif line is not None:
        text += f" (raised at line {line[1]} of {line[0].strip('<>')})"
    return text


PRELOAD = ("numpy", "sympy", "course_lib.selfcheck", "course_lib.proofs", "course_lib.gradcheck",
           "course_lib.optimizers", "course_lib.trace", "course_lib.averages")


def run_job(job: dict, out_fd: int) -> None:
    """Run one question's job in this (forked, fresh) process; never returns."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    sys.stdout = sys.stderr = open(os.devnull, "w")
    sys.stdin = open(os.devnull)

    def send(**event):
        data = json.dumps(event)
        if len(data) > MAX_EVENT:
            data = json.dumps({**{k: v for k, v in event.items() if k in ("ev", "i", "id")},
                               "error": "the result is too large to send back"})
        os.write(out_fd, (data + "\n").encode())

    import warnings
    warnings.simplefilter("ignore")            # warnings never cost points
    ns = {"__name__": "__main__"}
    cell_ids = {f"<{c['id']}>" for c in job["cells"]}
    for cell in job["cells"]:
        send(ev="cell", id=cell["id"])
        try:
            exec(compile(cell["source"], f"<{cell['id']}>", "exec"), ns)
        except BaseException as exc:          # noqa: B036 (SystemExit and KeyboardInterrupt too)
            send(ev="cell_error", id=cell["id"], error=_error_text(exc, cell_ids))
    fns = _input_functions()
    for i, case in enumerate(job["cases"]):
        send(ev="case", i=i)
        try:
            if case.get("value"):
                if case["value"] not in ns:
                    raise NameError(f"name '{case['value']}' is not defined")
                result = {"out": encode(ns[case["value"]])}
            else:
                if case["call"] not in ns:
                    raise NameError(f"name '{case['call']}' is not defined")
                args = decode(case.get("args", []), _student_sympy, fns)
                kwargs = dict(decode(case.get("kwargs", {"__dict__": []}), _student_sympy, fns))
                out = ns[case["call"]](*args, **kwargs)
                result = {"out": encode(out),
                          "args": [encode(args[j]) for j in case.get("return_args", [])]}
            send(ev="result", i=i, **result)
        except BaseException as exc:          # noqa: B036
            send(ev="result", i=i, error=_error_text(exc, cell_ids))
    send(ev="done")
    os._exit(0)


def serve() -> None:
    """The clean parent: imports the heavy modules once (no student code ever runs in it),
    then forks one fresh child per job line on stdin. After each child it kills whatever the
    child left behind and sends {"ev": "end"}."""
    import importlib
    import signal
    for mod in PRELOAD:
        try:
            importlib.import_module(mod)
        except Exception:
            pass
    try:                                      # not dumpable: a child cannot ptrace or read this parent
        import ctypes
        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)
    except Exception:
        pass
    out_fd = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    stdin = sys.stdin.buffer
    while True:
        line = stdin.readline()
        if not line.strip():
            break
        job = json.loads(line)
        pid = os.fork()
        if pid == 0:
            try:
                os.setpgid(0, 0)
                run_job(job, out_fd)
            finally:
                os._exit(1)
        os.write(out_fd, (json.dumps({"ev": "child", "pid": pid}) + "\n").encode())
        os.waitpid(pid, 0)
        if os.getpid() == 1:                  # own pid namespace: everything else is the student's
            try:
                os.kill(-1, signal.SIGKILL)
            except OSError:
                pass
        else:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            pass
        os.write(out_fd, b'{"ev": "end"}\n')


if __name__ == "__main__":
    serve()
