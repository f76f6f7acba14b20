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
    for part in ("part1", "part2", "part3", "part4"):
        for c in cells(part):
            if meta(c).get("grade"):
                run_until(part, meta(c)["grade_id"])
    assert capsys.readouterr().out.count("Self-check passed") == 24


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


# part IV: typical slips, each a small edit of the reference answer
def _part4_answer(gid):
    c = next(c for c in cells("part4") if meta(c).get("grade_id") == gid)
    return "\n".join(l for l in src(c).splitlines() if l.strip() not in MARKERS)


def p4(gid, old, new):
    text = _part4_answer(gid)
    assert old in text, (gid, old)
    return {gid: text.replace(old, new)}


P4_GLOBAL_MIN = '''def pick_lr(lrs, losses, stop_factor=4.0, divide_by=10.0):
    thr, end = stop_factor * np.nanmin(losses), len(losses)
    for k, loss in enumerate(losses):
        if not np.isfinite(loss) or (k > 0 and loss > thr):
            end = k
            break
    return float(lrs[int(np.argmin(losses[:end]))]) / divide_by


lr_picked = pick_lr(LRS, LOSSES)
'''
P4_NANARGMIN = '''def pick_lr(lrs, losses, stop_factor=4.0, divide_by=10.0):
    return float(lrs[int(np.nanargmin(losses))]) / divide_by


lr_picked = pick_lr(LRS, LOSSES)
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
    ("warm-up ramp reaching lr at t = warmup", "part4", "q1a_schedule",
     p4("q1_code", "(t - 1) / warmup", "t / warmup"), "the peak comes one update AFTER the warm-up"),
    ("cosine angle off by one", "part4", "q1a_schedule",
     p4("q1_code", "(t - 1 - warmup)", "(t - warmup)"), "uses the peak lr: the angle is"),
    ("cosine spanning T instead of T - warmup", "part4", "q1a_schedule",
     p4("q1_code", "/ (T - warmup)", "/ T"), "spans the T - warmup updates"),
    ("cosine ending at 0, not lr_min", "part4", "q1a_schedule",
     p4("q1_code", "lr_min + (lr - lr_min) * (1 + np.cos(angle)) / 2", "lr * (1 + np.cos(angle)) / 2"),
     "the cosine ends at lr_min, not at 0"),
    ("cosine climbing back after T", "part4", "q1b_edge_cases",
     p4("q1_code", "    if t > T + 1:\n        return lr_min", "    pass"), "it does not climb back"),
    ("pick not divided", "part4", "q2a_pick_lr", p4("q2_code", "/ divide_by", ""),
     "divide the lr of the lowest loss by divide_by"),
    ("last of equal lowest losses", "part4", "q2a_pick_lr",
     p4("q2_code", "k_best = int(np.argmin(losses[:end]))",
        "k_best = int(len(losses[:end]) - 1 - np.argmin(losses[:end][::-1]))"), "take the FIRST one"),
    ("divide_by ignored", "part4", "q2a_pick_lr", p4("q2_code", "/ divide_by", "/ 10.0"),
     "use the argument divide_by, not the number 10"),
    ("no end of the test (nanargmin)", "part4", "q2b_end_of_test", {"q2_code": P4_NANARGMIN},
     "later entries do not count, even lower ones"),
    ("stop_factor ignored (4 hard-coded)", "part4", "q2b_end_of_test",
     p4("q2_code", "loss > stop_factor * lowest", "loss > 4.0 * lowest"), "use the argument stop_factor, not 4"),
    ("end of the test at >=", "part4", "q2b_end_of_test",
     p4("q2_code", "loss > stop_factor * lowest", "loss >= stop_factor * lowest"), "use >, not >="),
    ("end of the test against the global minimum", "part4", "q2b_end_of_test", {"q2_code": P4_GLOBAL_MIN},
     "a running minimum"),
    ("clipping without PyTorch's 1e-6", "part4", "q3a_clip", p4("q3_code", "(norm + 1e-6)", "norm"),
     "add 1e-6 to the norm"),
    ("clipping each entry", "part4", "q3a_clip",
     p4("q3_code", "return g * min(1.0, max_norm / (norm + 1e-6))", "return np.clip(g, -max_norm, max_norm)"),
     "not each entry"),
    ("clipping short gradients too", "part4", "q3a_clip",
     p4("q3_code", "min(1.0, max_norm / (norm + 1e-6))", "max_norm / (norm + 1e-6)"), "is left as it is"),
    ("clipping in place", "part4", "q3a_clip",
     p4("q3_code", "return g * min(1.0, max_norm / (norm + 1e-6))",
        "g *= min(1.0, max_norm / (norm + 1e-6))\n    return g"), "return a new array"),
    ("training from t = 0", "part4", "q3b_train", p4("q3_code", "range(1, steps + 1)", "range(steps)"),
     "count t = 1, 2, ..., steps"),
    ("training without clipping", "part4", "q3b_train",
     p4("q3_code", "            g = clip_by_norm(g, max_norm)", "            pass"),
     "clip the gradient with clip_by_norm"),
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


# -- part IV: the hidden checks' independent references ------------------------------------------

def _part4_answers(replace=None):
    """The namespace after part IV's setup and answer cells (no self-check, no demo)."""
    ns = {"__name__": "__main__"}
    for c in cells("part4"):
        if c["cell_type"] != "code" or meta(c).get("grade") or "demo" in c["metadata"].get("tags", []):
            continue
        gid = meta(c).get("grade_id")
        text = (replace or {}).get(gid) or "\n".join(l for l in src(c).splitlines() if l.strip() not in MARKERS)
        exec(compile(text, f"<{gid or 'setup'}>", "exec"), ns)
    return ns


def _part4_hidden(replace=None, seeds=range(6)):
    """{grade id: failed checks} when the part IV answers (the reference, or with `replace`)
    meet the hidden checks in this process (no sandbox): inputs drawn as the grader draws them."""
    import copy
    import warnings

    import numpy as np
    sys.path.insert(0, str(EXERCISES))
    import runner as codec
    from checks import Mismatch
    import checks.part4 as P4
    failed = {}
    for k, q in enumerate(P4.QUESTIONS):
        ns = _part4_answers(replace)                 # one namespace, as in the grader's child
        exec(P4.GLUE.get(q.grade_id, ""), ns)
        for seed in seeds:
            for case in q.cases(np.random.default_rng([seed, 3, k])):
                try:
                    if case.value:
                        got = ns[case.value]
                        ref = _part4_answers()[case.value]
                    else:
                        args = codec.decode(json.loads(json.dumps(codec.encode(list(case.args)))), None,
                                            codec._input_functions())
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore")
                            got = ns[case.call](*copy.deepcopy(args), **case.kwargs)
                        ref = None                      # the comparisons use the independent references
                    case.compare(codec.decode(json.loads(json.dumps(codec.encode(got)))), ref, "the result")
                except (Mismatch, Exception) as exc:       # noqa: B014
                    failed.setdefault(q.grade_id, []).append(f"{case.label}: {exc}")
    return failed


def test_part4_reference_solution_meets_the_independent_references():
    assert _part4_hidden() == {}


def test_part4_slips_cost_only_their_own_graded_cell():
    slips = {"q2b_end_of_test": {"q2_code": P4_NANARGMIN},
             "q1b_edge_cases": p4("q1_code", "    if t > T + 1:\n        return lr_min", "    pass"),
             "q3a_clip": p4("q3_code", "(norm + 1e-6)", "norm")}
    for cell, replace in slips.items():
        failed = _part4_hidden(replace, seeds=range(2))
        assert set(failed) == {cell}, (cell, {k: v[:1] for k, v in failed.items()})


def test_part4_references_agree_with_course_lib():
    import numpy as np
    sys.path.insert(0, str(EXERCISES))
    import checks.part4 as P4
    from course_lib.clipping import clip_by_norm
    from course_lib.schedules import cosine, warmup_cosine
    rng = np.random.default_rng(4)
    for _ in range(40):
        w = int(rng.integers(0, 8))
        T = int(rng.integers(w + 1, w + 40))
        lr = float(10 ** rng.uniform(-3, 0))
        lr_min = float(lr * rng.uniform(0, 0.5))
        s = float(rng.uniform(0.05, 1.0))
        ts = np.arange(1, T + 2)                         # course_lib and torch agree up to T + 1
        lib = cosine(lr, T, lr_min) if w == 0 else warmup_cosine(lr, w, T, lr_min, start_factor=s)
        assert np.allclose(P4.schedule_ref(ts, lr, w, T, lr_min, s), [lib(int(t)) for t in ts],
                           rtol=1e-12, atol=1e-15)
        assert P4.schedule_ref([3 * T + 5], lr, w, T, lr_min, s)[0] == lib(3 * T + 5) == lr_min
        g = rng.normal(size=(3, 2)) * float(10 ** rng.uniform(-2, 2))
        tau = float(rng.uniform(0.1, 5))
        assert np.allclose(P4.clip_ref(g, tau), clip_by_norm(g, tau)[0], rtol=1e-12, atol=0)
