"""The visible self-checks of the exercises catch the typical slips, with a hint that points
the right way (issue 17, item 6), and pass the reference solution. Runs the source notebooks'
cells in this process (no kernel, no nbgrader): a few seconds."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")

from course_lib.selfcheck import SelfCheckError  # noqa: E402


def cells(part):
    nb = json.loads((EXERCISES / "source" / part / f"{part}.ipynb").read_text())
    return nb["cells"]


def src(c):
    return "".join(c["source"])


def meta(c):
    return c.get("metadata", {}).get("nbgrader", {})


def run_until(part, check_id, replace=None):
    """Run setup and answer cells (one answer replaced) and then the self-check `check_id`."""
    import matplotlib
    matplotlib.use("Agg")
    ns = {"__name__": "__main__"}
    replace = replace or {}
    for c in cells(part):
        if c["cell_type"] != "code" or "demo" in c.get("metadata", {}).get("tags", []):
            continue
        gid = meta(c).get("grade_id")
        text = src(c)
        if meta(c).get("solution"):
            text = replace.get(gid, "\n".join(l for l in text.splitlines() if l.strip() not in MARKERS))
        elif meta(c).get("grade") and gid != check_id:
            continue
        exec(compile(text, f"<{gid or 'setup'}>", "exec"), ns)
        if gid == check_id:
            return ns
    raise KeyError(check_id)


def test_reference_passes_every_self_check(capsys):
    for part in ("part1", "part2", "part3"):
        for c in cells(part):
            if meta(c).get("grade"):
                run_until(part, meta(c)["grade_id"])
    assert capsys.readouterr().out.count("Self-check passed") == 18


RA_GAMMA_ON_NEW = '''def running_averages(cs, gamma):
    C, out = 0, []
    for t, c in enumerate(cs, start=1):
        g = gamma(t) if callable(gamma) else gamma
        C = (1 - g) * C + g * c
        out.append(C)
    return out
'''
MOMENTUM_WRONG_ETA = '''def momentum_steps(gs, lr, gamma):
    V, steps = 0, []
    for g in gs:
        V = gamma * V + lr * g
        steps.append(-V)
    return steps


def averaged_steps(gs, lr_prime, gamma):
    M, steps = 0, []
    for g in gs:
        M = gamma * M + (1 - gamma) * g
        steps.append(-lr_prime * M)
    return steps


eta_equivalent = eta_prime / (1 - gamma)
'''
RMS = '''def rmsprop_step(w, G, g, lr, gamma, eps):
    G_new = gamma * G + (1 - gamma) * g * g
    return w - lr * g / ({denominator}), G_new
'''
ADAM = '''def adam_step(w, m, v, t, g, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat = m / (1 - beta1**({t}))
    v_hat = v / (1 - beta2**({t}))
    return w - lr * m_hat / ({denominator}), {state}


def first_step_predicted(lr, g1):
    return lr
'''
BACKWARD_T = '''def bn_backward(dZhat, cache):
    Zbar, s, G = cache["Zbar"], cache["s"], cache["G"]
    K = Zbar.shape[1]
    total = dZhat.sum(axis=1, keepdims=True)
    proj = (dZhat * Zbar).sum(axis=1, keepdims=True)
    return (G[:, None] / (K * s) * (K * dZhat - total - Zbar * proj)).T
'''
PARAMS_AXIS0 = '''def bn_param_grads(dZhat, Zbar):
    return (dZhat * Zbar).sum(axis=1), dZhat.sum(axis=0)
'''
MEASURED_STD_PREDICTS = '''def predicted_std(sigma, b):
    return sigma / np.sqrt(b)


def measured_std(samples, b, trials, rng):
    return float(np.std(samples) / np.sqrt(b))
'''
DIVERGES_PREDICTS = '''def diverges(lr, steps=300):
    return bool(lr > 0.2)


lr_max_predicted = 0.2
'''
OUTPUT_STD_PREDICTS = '''def predicted_output_std(sigma, G, eps):
    return np.abs(G) * sigma / np.sqrt(sigma**2 + eps)


def measured_output_std(sigma, G, eps, K, rng):
    return float(predicted_output_std(sigma, G, eps))
'''

SLIPS = [
    ("gamma weighting the new value", "part2", "q1_running_averages", {"q1_code": RA_GAMMA_ON_NEW},
     "you weighted the new input by gamma"),
    ("missing square root", "part2", "q4_rmsprop",
     {"q4_code": RMS.format(denominator="G_new + eps")}, "square ROOT of G"),
    ("eps inside the root (RMSprop)", "part2", "q4_rmsprop",
     {"q4_code": RMS.format(denominator="np.sqrt(G_new + eps)")}, "eps goes OUTSIDE the square root"),
    ("eps inside the root (Adam)", "part2", "q5_adam",
     {"q5_code": ADAM.format(t="t", denominator="np.sqrt(v_hat + eps)", state="m, v")},
     "eps goes OUTSIDE the square root"),
    ("t off by one (t - 1)", "part2", "q5_adam",
     {"q5_code": ADAM.format(t="max(t - 1, 1)", denominator="np.sqrt(v_hat) + eps", state="m, v")},
     "off by one: you corrected with t - 1"),
    ("t off by one (t + 1)", "part2", "q5_adam",
     {"q5_code": ADAM.format(t="t + 1", denominator="np.sqrt(v_hat) + eps", state="m, v")},
     "off by one: you corrected with t + 1"),
    ("stored corrected moments", "part2", "q5_adam",
     {"q5_code": ADAM.format(t="t", denominator="np.sqrt(v_hat) + eps", state="m_hat, v_hat")},
     "return the UNcorrected m"),
    ("transposed gradient", "part3", "q3_backward", {"q3_code": BACKWARD_T}, "transpose"),
    ("parameter gradient summed over the features", "part3", "q2_param_grads",
     {"q2_code": PARAMS_AXIS0}, "axis=0"),
    ("measured_std returns the prediction", "part1", "q4_predict_measure",
     {"q4_code": MEASURED_STD_PREDICTS}, "same number for two different generators"),
    ("diverges returns the prediction", "part1", "q5_stability", {"q5_code": DIVERGES_PREDICTS},
     "the prediction holds only in the long run"),
    ("measured_output_std returns the prediction", "part3", "q5_eps_effect",
     {"q5_code": OUTPUT_STD_PREDICTS}, "same number for two different generators"),
]


@pytest.mark.parametrize("name, part, check, replace, hint", SLIPS, ids=[s[0] for s in SLIPS])
def test_each_slip_fails_its_self_check_with_the_right_hint(name, part, check, replace, hint):
    with pytest.raises(SelfCheckError) as info:
        run_until(part, check, replace)
    assert hint in str(info.value), str(info.value)


def test_a_wrong_equivalent_step_size_shows_numbers_and_a_hint_not_matrices():
    with pytest.raises(SelfCheckError) as info:
        run_until("part2", "q2_momentum_forms", {"q2_code": MOMENTUM_WRONG_ETA})
    msg = str(info.value)
    assert re.search(r"at eta_prime = [\d.]+, .*gamma = [\d.]+: got -?[\d.]+, expected -?[\d.]+", msg), msg
    assert "got" in msg and "expected" in msg and "Hint: compare the FIRST steps" in msg
    assert "Matrix" not in msg and len(msg) < 600, msg


def test_expect_same_expression_can_fail_and_can_pass():
    import sympy as sp
    from course_lib import selfcheck as sc
    x, y = sp.symbols("x y", positive=True)
    sc.expect_same_expression("e", [x * (1 - y), x + y], [x - x * y, y + x])
    with pytest.raises(SelfCheckError, match=r"e \(entry 1\) is not right yet: at x = 0.3, y = 0.7: got 1, expected 0.09"):
        sc.expect_same_expression("e", [x * (1 - y), x / (1 - y)], [x - x * y, x * (1 - y)], hint="h")


def test_the_hidden_checks_reject_course_lib_and_tricks():
    sys.path.insert(0, str(EXERCISES))
    from checks import Question, forbidden_use, parse_sympy
    q = Question("q", ("a",), lambda rng: [], forbidden={"running_average": "lib"},
                 forbid_calls={"diff": "derive it"})
    ok = "def f(x):\n    return np.sqrt(x) + sp.Rational(1, 2)\n"
    assert forbidden_use(ok, q) is None
    for bad in ("from course_lib.optimizers import Adam", "import course_lib.averages as a",
                "y = running_average(0, 1, 0.5)", "f = __import__('course_lib')",
                "import importlib", "g = check_equal.__globals__", "m = sys.modules['course_lib']",
                "d = sp.diff(x, y)", "exec('import course_lib')"):
        assert forbidden_use(bad, q), bad
    q2 = Question("q", ("a",), lambda rng: [], allowed_modules=("course_lib.trace",))
    assert forbidden_use("from course_lib.trace import minimize", q2) is None
    import sympy as sp
    e = parse_sympy(sp.srepr(sp.Symbol("g", positive=True) ** 2 / 3 + sp.oo))
    assert e == sp.Symbol("g", positive=True) ** 2 / 3 + sp.oo
    for evil in ("__import__('os').system('true')", "Symbol('x').__class__", "(lambda: 1)()",
                 "Pow(Integer(10), Integer(10000000))"):
        with pytest.raises(ValueError):
            parse_sympy(evil)
