"""The course's one driver (course_lib/trace.py): every loop that takes optimizer steps goes
through ``run``; the gradient is taken where the optimizer asks; hooks see what they should;
divergence ends a run and never raises; and nothing outside the optimizers advances ``t``
(a check that reads course_lib's source, shown failing on a snippet that does)."""
import ast
import pathlib

import numpy as np
import pytest

from course_lib import optimizers as O
from course_lib.trace import Update, minimize, run

ROOT = pathlib.Path(__file__).resolve().parents[1] / "course_lib"
H = np.array([1.0, 10.0])
GRAD = lambda w: H * w                                   # the bowl J = (w1^2 + 10 w2^2) / 2


def same_state(a, b):
    return type(a) is type(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


def test_by_batches_equals_the_update_written_out():
    """Nesterov by batches: g at the look-ahead point, then update and add, batch by batch."""
    batches = [np.array([1.0, 0.0]), np.array([0.0, 2.0]), np.array([3.0, 1.0])]
    grad = lambda w, x: H * (w - x)
    opt = O.Nesterov(lr=0.05, gamma=0.9)
    tr = run(opt, grad, np.ones(2), batches=batches, keep_states=True)
    w, s = np.ones(2), opt.init(np.ones(2))
    for k, x in enumerate(batches, start=1):
        step, s = opt.update(grad(opt.eval_point(w, s), x), s, w)
        w = w + step
        assert np.array_equal(tr.ws[k], w) and same_state(tr.states[k], s)
    assert np.array_equal(tr.w, w) and tr.state.t == 3 and not tr.diverged


def test_hooks_see_the_iterate_before_and_after_each_update():
    seen = []
    tr = run(O.SGD(lr=0.1), lambda w, b: w - b, np.zeros(2), batches=[1.0, 2.0, 3.0],
             before=lambda k, w, b: seen.append(("before", k, w.copy(), b)),
             callback=lambda u: seen.append(("after", u.k, u.w.copy(), u.batch)))
    assert [(s[0], s[1], s[3]) for s in seen] == [("before", 1, 1.0), ("after", 1, 1.0),
                                                  ("before", 2, 2.0), ("after", 2, 2.0),
                                                  ("before", 3, 3.0), ("after", 3, 3.0)]
    for i, (_, k, w, _) in enumerate(seen):                  # before: W_{k-1}; after: W_k
        assert np.array_equal(w, tr.ws[k - 1] if i % 2 == 0 else tr.ws[k])


def test_a_callback_message_ends_the_run_as_diverged_and_true_just_ends_it():
    tr = run(O.SGD(lr=0.1), GRAD, np.ones(2), 50,
             callback=lambda u: "stopped by the test" if u.k == 4 else None)
    assert tr.diverged_at == 4 and tr.message == "stopped by the test" and len(tr.ws) == 5
    tr = run(O.SGD(lr=0.1), GRAD, np.ones(2), 50, callback=lambda u: u.k == 4)
    assert not tr.diverged and len(tr.ws) == 5 and tr.state.t == 4


def test_value_and_grad_checks_the_loss_and_hands_it_to_the_callback():
    values = []
    J = lambda w: 0.5 * float(np.sum(H * w * w))
    tr = run(O.SGD(lr=0.1), lambda w, b: (J(w), GRAD(w)), np.ones(2), batches=range(3),
             value_and_grad=True, callback=lambda u: values.append(u.value))
    assert values == [J(tr.ws[0]), J(tr.ws[1]), J(tr.ws[2])]
    bad = run(O.SGD(lr=0.1), lambda w, b: (np.nan if b == 2 else 1.0, GRAD(w)), np.ones(2),
              batches=range(5), value_and_grad=True)
    assert bad.diverged_at == 3 and "the loss or the gradient is not finite" in bad.message


def test_divergence_keeps_the_last_good_iterate_and_state():
    tr = run(O.SGD(lr=0.3), GRAD, np.ones(2), 500, loss=lambda w: w @ w)   # w2 *= -2
    assert tr.diverged and "|W| exceeded 1e+12" in tr.message
    assert np.array_equal(tr.w, tr.ws[-1]) and tr.state.t == tr.diverged_at - 1
    assert len(tr.losses) == len(tr.ws) == tr.diverged_at and np.all(np.isfinite(tr.ws))
    nan_grad = run(O.SGD(lr=1.0), lambda w: np.log(w - 0.25) + 5, np.ones(2), 5)
    assert nan_grad.diverged_at == 2 and "the gradient is not finite" in nan_grad.message


def test_limit_none_leaves_the_iterates_unchecked_and_inf_asks_only_for_finite():
    unchecked = run(O.SGD(lr=0.3), GRAD, np.ones(2), 60, limit=None)
    assert not unchecked.diverged and np.max(np.abs(unchecked.w)) > 1e12
    finite = run(O.SGD(lr=3.0), lambda w: w, np.ones(2), 2000, limit=np.inf, keep_ws=False)
    assert finite.diverged and finite.message.endswith("W overflowed")
    assert finite.ws is None and np.all(np.isfinite(finite.w))


def test_minimize_is_run_by_steps():
    a = minimize(O.Adam(lr=0.1), GRAD, np.ones(2), 30, loss=lambda w: w @ w, keep_states=True)
    b = run(O.Adam(lr=0.1), GRAD, np.ones(2), 30, loss=lambda w: w @ w, keep_states=True)
    assert np.array_equal(a.ws, b.ws) and np.array_equal(a.losses, b.losses)
    assert all(map(same_state, a.states, b.states)) and len(a.states) == 31


def test_bad_arguments_are_refused_before_anything_runs():
    calls = []
    grad = lambda *a: calls.append(1) or GRAD(a[0])
    with pytest.raises(ValueError, match="^steps must be"):
        run(O.SGD(lr=0.1), grad, np.ones(2), -1)
    with pytest.raises(ValueError, match="^give steps or batches, not both"):
        run(O.SGD(lr=0.1), grad, np.ones(2), 3, batches=[1, 2])
    assert calls == []


def test_update_is_a_named_tuple_of_what_the_callback_needs():
    assert Update._fields == ("k", "w", "state", "batch", "value")


# -- nothing outside Optimizer.update advances t ----------------------------------------------

def t_advances(source):
    """(line, what) for each call in ``source`` that runs an optimizer's rule by hand or sets
    a state's t: ``.rule(...)``, ``.rule_inplace(...)``, ``._replace(t=...)``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("rule", "rule_inplace"):
                found.append((node.lineno, f".{node.func.attr}("))
            elif node.func.attr == "_replace" and any(k.arg == "t" for k in node.keywords):
                found.append((node.lineno, "._replace(t=...)"))
    return found


def test_nothing_outside_the_optimizers_runs_a_rule_or_sets_t():
    """Only Optimizer.update (and update_inplace) advance t: every loop uses the driver."""
    bad = {str(path.relative_to(ROOT)): t_advances(path.read_text())
           for path in sorted(ROOT.rglob("*.py")) if "optimizers" not in path.parts}
    assert {f: hits for f, hits in bad.items() if hits} == {}


def test_the_t_check_can_fail():
    """The loop kmeans had before the driver: the rule called by hand, t set by hand."""
    snippet = ("t = state.t + 1\n"
               "step, state = opt.rule(G, state, t, opt.lr_at(t), C)\n"
               "state = state._replace(t=t)\n"
               "opt.rule_inplace(w, g, s, t, eta)\n"
               "ok = state._replace(V=0)\n")
    assert t_advances(snippet) == [(2, ".rule("), (3, "._replace(t=...)"),
                                   (4, ".rule_inplace(")]
