"""Lesson 13's measured claims, re-run over five seeds at the lesson's defaults, and the shape
of the saved lesson (the student's path, the recipe table, one bar per configuration).

Seed s fixes the held-out split, the initial weights and the minibatch order (as in lessons
12 and 13). "A ahead of B" means ahead in every seed. Each claim below is also one the lesson
could get wrong: the checks fail if the measurement turns out otherwise.
"""
import json
import pathlib
import re
import sys

import numpy as np
import pytest

from course_lib import optimizers as O
from course_lib import schedules as S
from course_lib.clipping import Clipped
from course_lib.mlp import MLP
from course_lib.practice import ahead, final, lr_range_test, run_seeds, split_for

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from lesson_shape import check_notation_box_and_settings, notebook_cells, statements_of  # noqa: E402

NB = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "13_choosing_and_tuning.ipynb"
SEEDS = range(5)
E, B = 5, 64
N = len(split_for(0).X_train) // B            # 21 updates per epoch
T = E * N


def seeds_of(make, epochs=E, batch_size=B):
    return run_seeds(make, SEEDS, epochs=epochs, batch_size=batch_size, cache=CACHE)


CACHE = {}


@pytest.fixture(scope="module")
def adam_grid():
    return {lr: seeds_of(lambda lr=lr: O.Adam(lr=lr)) for lr in (3e-3, 1e-2, 3e-2)}


# ---------------------------------------------------------------- [PR-1]
def test_the_range_test_suggestion_lands_on_the_grids_best(adam_grid):
    tests = [lr_range_test(MLP([64, 64, 10], seed=s), lambda lr: O.Adam(lr=lr), split_for(s),
                           1e-4, 10.0, 100, seed=s, batch_size=B) for s in SEEDS]
    sug = np.array([rt.suggestion for rt in tests])
    assert all(rt.stopped for rt in tests)
    best = final(adam_grid[1e-2])
    assert ahead(best, final(adam_grid[3e-3])) and ahead(best, final(adam_grid[3e-2]))
    # nearest grid point on a log axis: between sqrt(3e-3 * 1e-2) and sqrt(1e-2 * 3e-2)
    assert np.all((np.sqrt(3e-5) < sug) & (sug < np.sqrt(3e-4)))
    # the top of the range itself is far worse as a constant step
    top = np.median([rt.lr_at_min for rt in tests])
    assert 0.08 < top < 0.18


# ---------------------------------------------------------------- [PR-2]
def test_at_the_tuned_step_the_constant_step_beats_warmup(adam_grid):
    warm = seeds_of(lambda: O.Adam(lr=S.warmup_cosine(lr=1e-2, warmup=N, T=T, start_factor=0.1)))
    assert ahead(final(adam_grid[1e-2]), final(warm))          # the literature's advice fails here
    assert ahead([h.held_loss[1] for h in adam_grid[1e-2]], [h.held_loss[1] for h in warm])


def test_at_a_ten_times_larger_step_warmup_beats_cosine_alone(adam_grid):
    cos = seeds_of(lambda: O.Adam(lr=S.cosine(lr=0.1, T=T)))
    warm = seeds_of(lambda: O.Adam(lr=S.warmup_cosine(lr=0.1, warmup=N, T=T, start_factor=0.1)))
    assert ahead(final(warm), final(cos))
    assert sum(max(h.batch_losses[:N]) > np.log(10) + 0.05 for h in cos) == 3
    assert sum(max(h.batch_losses[:N]) > np.log(10) + 0.05 for h in warm) == 0
    assert ahead(final(adam_grid[1e-2]), final(warm))          # still behind the tuned step


# ---------------------------------------------------------------- [PR-3]
def test_clipping_saves_sgd_at_lr_3_but_lr_1_is_better():
    free = seeds_of(lambda: O.SGD(lr=3.0), epochs=4)
    clipped = seeds_of(lambda: Clipped(O.SGD(lr=3.0), 1.0), epochs=4)
    safe = seeds_of(lambda: O.SGD(lr=1.0), epochs=4)
    assert all(h.diverged for h in free) and not any(h.diverged for h in clipped)
    assert ahead(final(safe), final(clipped))


# ---------------------------------------------------------------- [PR-4]
def blank_rows(h):
    blank = np.all(split_for(h.seed).X_train == 0, axis=0)
    start = MLP([64, 64, 10], seed=h.seed).init_params()[0][blank]
    return h.params[0][blank], start


def test_decay_of_weights_no_image_moves():
    for lam in (1e-3, 1.0):
        (h,) = run_seeds(lambda: O.AdamW(lr=0.01, weight_decay=lam), [1], epochs=2)
        end, start = blank_rows(h)
        assert np.allclose(end, (1 - 0.01 * lam) ** (2 * N) * start, rtol=1e-9, atol=0)
    paths = [blank_rows(run_seeds(lambda lam=lam: O.Adam(lr=0.01, weight_decay=lam), [1],
                                  epochs=2)[0])[0] for lam in (1e-3, 1.0)]
    # L2 in Adam: lambda drops out (up to eps = 1e-8, felt only once |W| nears eps / lambda):
    # weights that started as large as 0.48 end within 1e-4 of each other for both lambdas
    assert np.abs(start).max() > 0.4 and np.allclose(paths[0], paths[1], rtol=0, atol=1e-4)
    assert np.linalg.norm(paths[0]) < 0.15 * np.linalg.norm(start)        # and they shrank


def test_the_same_lambda_is_far_stronger_as_l2_inside_adam(adam_grid):
    l2 = seeds_of(lambda: O.Adam(lr=0.01, weight_decay=1.0))
    w = seeds_of(lambda: O.AdamW(lr=0.01, weight_decay=1.0))
    assert np.all(final(l2, "acc") < 10.5)                        # chance
    assert np.all(final(w, "acc") > 95.5)
    assert ahead(final(seeds_of(lambda: O.Adam(lr=0.01, weight_decay=1e-3))), final(adam_grid[1e-2]))


# ---------------------------------------------------------------- [PR-5]
def test_linear_scaling_holds_at_32_and_breaks_by_512():
    ref = final(seeds_of(lambda: O.Momentum(lr=0.03, gamma=0.9)))
    small = final(seeds_of(lambda: O.Momentum(lr=0.015, gamma=0.9), batch_size=32))
    large = final(seeds_of(lambda: O.Momentum(lr=0.24, gamma=0.9), batch_size=512))
    unscaled = final(seeds_of(lambda: O.Momentum(lr=0.03, gamma=0.9), batch_size=512))
    assert not ahead(ref, small) and not ahead(small, ref)       # not separated
    assert ahead(ref, large) and (large - ref).min() > 0.1        # broken, by more than 0.1
    assert ahead(large, unscaled)                                 # but scaling beats not scaling


# ---------------------------------------------------------------- the saved lesson
def cells():
    return notebook_cells(NB)


def test_the_lesson_has_the_students_path():
    cs = cells()
    minutes = re.search(r"Core path: about (\d+) minutes", cs[0][1])
    assert minutes and int(minutes.group(1)) <= 60
    check_notation_box_and_settings(cs, 5)
    heads = [s.splitlines()[0] for kind, s, _ in cs if kind == "markdown" and s.startswith("## ")]
    assert heads[-2:] == ["## Summary", "## Sources"]
    assert not any(re.search(r"\bthe (notes|slides|seed notes)\b|lecture notes", s)
                   for _, s, _ in cs[:-1])
    headings = [line for kind, s, _ in cs if kind == "markdown" for line in s.splitlines()
                if line.startswith("#")]
    for i in range(1, 6):
        assert any(f"[PR-{i}]" in h for h in headings), f"no heading names [PR-{i}]"


def test_every_study_question_has_a_hint_then_an_answer_and_a_check():
    cs = cells()
    questions = [(i, s) for i, (kind, s, _) in enumerate(cs) if "### Study question [PR-" in s]
    assert {re.search(r"\[PR-(\d)\]", s).group(1) for _, s in questions} == set("12345")
    for i, s in questions:
        q = s[s.index("### Study question"):]
        assert q.index("<summary>Hint</summary>") < q.index("<summary>Worked answer</summary>")
        later = " ".join(t for _, t, _ in cs[i:])
        assert "Check your answer" in later


def test_the_quiz_has_true_and_false_statements():
    quiz = next(s for _, s, _ in cells() if s.startswith("Quiz("))
    statements = statements_of(quiz)
    assert 4 <= len(statements) <= 6
    assert sum(not t for _, t in statements) >= 2 and sum(t for _, t in statements) >= 2


def saved_text(cell):
    out = []
    for o in cell.get("outputs", []):
        out.append("".join(o.get("text", "")))
        for mime in ("text/plain", "text/markdown"):
            out.append("".join(o.get("data", {}).get(mime, "")))
    return "\n".join(out)


def test_the_recipe_rows_each_cite_a_measurement():
    table = next(saved_text(c) for _, s, c in cells() if s.startswith("def between("))
    rows = [r for r in table.splitlines() if r.startswith("| ") and "---" not in r][1:]
    assert len(rows) == 6
    assert all(re.search(r"\[PR-\d\]", r) for r in rows)
    assert {m for r in rows for m in re.findall(r"\[PR-\d\]", r)} == {f"[PR-{i}]" for i in range(1, 6)}
    assert "5 of 5 seeds" in rows[0] and "diverged 0 of 5 with clipping, 5 without" in rows[3]


def test_each_configuration_has_its_own_bar_and_only_the_diverged_one_is_red():
    view = "application/vnd.jupyter.widget-view+json"
    bars = [o["data"] for _, _, c in cells() for o in c.get("outputs", [])
            if view in o.get("data", {})]
    assert len({b[view]["model_id"] for b in bars}) == len(bars) >= 30
    red = ["".join(b["text/plain"]) for b in bars if "#c62828" in "".join(b["text/html"])]
    assert len(red) == 1 and "SGD, lr 3: diverged in 5 of 5 seeds" in red[0]
    assert all("5 seeds x" in "".join(b["text/plain"]) or "diverged" in "".join(b["text/plain"])
               for b in bars)


def test_the_saved_outputs_state_the_measured_answer_to_pr1():
    text = "\n".join(saved_text(c) for _, _, c in cells())
    assert text.count("in the grid's good range for 5 of 5 seeds") == 4   # 2 optimizers x 2 picks


def test_the_notebook_is_saved_without_errors():
    nb = json.loads(NB.read_text())
    assert not [o for c in nb["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
