"""The polls: the right answers of every Part I poll (seed 004's topics, reworked so that
each statement needs working out), the numbers their feedback quotes (recomputed with
course_lib), the quiz's grading, its static rendering, and the live widget driven headless
(tick boxes, click, read feedback)."""
from html import escape

import numpy as np
import pytest

from course_lib.polls import POLLS
from course_lib.quiz import LIVE_ONLY, STATIC_NOTE, WIDGET_VIEW, Quiz, Statement

#: the answers of the Part I polls, statement by statement, in the order of the polls
PART_ONE_ANSWERS = {
    "POLL-1": [False, True, False, False, True, True],
    "POLL-2": [False, True, True, False, True, False],
    "POLL-3": [True, False, True, True, False, False],
}


@pytest.mark.parametrize("poll_id", sorted(PART_ONE_ANSWERS))
def test_part_one_answers(poll_id):
    quiz = POLLS[poll_id]
    assert [s.true for s in quiz.statements] == PART_ONE_ANSWERS[poll_id]
    assert quiz.grade(PART_ONE_ANSWERS[poll_id]).score == len(quiz.statements)


@pytest.mark.parametrize("poll_id", sorted(PART_ONE_ANSWERS))
def test_part_one_polls_are_not_recall_only(poll_id):
    """5-6 statements, at least two false and two true: ticking everything cannot pass."""
    key = [s.true for s in POLLS[poll_id].statements]
    assert 5 <= len(key) <= 6 and 2 <= key.count(False) <= len(key) - 2
    assert POLLS[poll_id].grade([True] * len(key)).wrong == [i for i, k in enumerate(key) if not k]
    assert all(len(s.why.split()) >= 20 for s in POLLS[poll_id].statements)   # it teaches


def _why(poll_id, text_start):
    return next(s.why for s in POLLS[poll_id].statements if s.text.startswith(text_start))


def test_poll1_numbers():
    """Five batch updates at eta = 0.5 divide the excess by 1024 (not 32); duplicated data give the
    same updates; summing instead of averaging multiplies the error by -49 per update."""
    from course_lib.data import points, points_grad, points_loss
    from course_lib.minibatch import run_minibatch
    from course_lib.optimizers import SGD
    X = points("diverse", T=100, seed=1)
    excess = lambda w, X: points_loss(w, X) - points_loss(X.mean(axis=0), X)
    run = lambda X, lr, epochs=5: run_minibatch(SGD(lr=lr), lambda w, idx: points_grad(w, X[idx]),
                                                np.zeros(2), N=len(X), b=len(X), epochs=epochs).ws
    ws = run(X, 0.5)
    assert excess(ws[0], X) / excess(ws[-1], X) == pytest.approx(1024)
    assert "32^2 = 1024" in _why("POLL-1", "On this lesson's loss")
    assert np.allclose(run(np.vstack([X, X]), 0.5), ws)                   # stored twice: same
    dist = [np.linalg.norm(w - X.mean(axis=0)) for w in run(X, 2.0, epochs=4)]
    assert np.allclose(dist, dist[0])                                      # eta = 2: bounces
    assert np.allclose(run(X, 1.0, epochs=1)[-1], X.mean(axis=0))         # eta = 1: one update
    opt = SGD(lr=0.5)
    step, _ = opt.update(100 * (ws[0] - X.mean(axis=0)), opt.init(ws[0]))  # gradient of the sum
    assert np.allclose(ws[0] + step - X.mean(axis=0), -49 * (ws[0] - X.mean(axis=0)))


def test_poll2_numbers():
    """The band's spread goes like sqrt(eta) for small steps; the c/k product telescopes to
    2/(k + 2) (0.0076 from w0 = -10 after 3000 updates), and to 100/(k + 100) when shifted."""
    from course_lib.data import least_squares_slope, regression_through_origin
    from course_lib.schedules import inverse_power
    x, y = regression_through_origin(N=50, slope=1.5, noise=0.5, seed=2)
    a, w_star = float(np.mean(x * x)), least_squares_slope(x, y)
    g_star = (y - w_star * x) * x
    sd = lambda eta: np.sqrt(eta ** 2 * np.mean(g_star ** 2)                # band of [SC-1]
                             / (1 - np.mean((1 - eta * x * x) ** 2)))
    assert (round(sd(0.08), 3), round(sd(0.02), 3)) == (0.101, 0.049)
    assert "0.101 at eta = 0.08 and 0.049 at eta = 0.02" in _why("POLL-2", "For small constant")
    assert 0.45 < sd(0.02) / sd(0.08) < 0.55 and not np.all(g_star == 0)
    product = {t0: np.prod([1 - a * inverse_power(c=1 / a, p=1, t0=t0)(k) for k in range(1, 3001)])
               for t0 in (2, 100)}
    assert product[2] == pytest.approx(2 / 3002) and product[100] == pytest.approx(100 / 3100)
    assert round(abs(-10 - w_star) * product[2], 4) == 0.0076
    assert round(product[100] / product[2]) == 48


def test_poll3_numbers():
    """(N - b)/(N - 1) at N = 1000, b = 500; correlated data; the cost model; the examples
    that N draws with replacement miss."""
    from course_lib.minibatch import minibatches
    assert (1000 - 500) / 999 == pytest.approx(0.5, abs=1e-3)
    assert 0.5 + 0.5 / 100 == pytest.approx(0.505)                         # c + (sigma^2 - c)/b
    assert (50 + 1) / (50 / 50 + 1) == pytest.approx(25.5)                 # tau_call/b + tau_ex
    assert (1 - 1 / 1000) ** 1000 == pytest.approx(0.37, abs=0.005)
    (_, idx), = list(minibatches(1000, 1000, epochs=1, shuffle=True, seed=0))
    assert sorted(idx.tolist()) == list(range(1000))                       # b = N: the whole set


@pytest.mark.parametrize("poll_id", sorted(POLLS))
def test_every_poll_is_consistent(poll_id):
    quiz = POLLS[poll_id]
    assert quiz.id == poll_id and f"[{poll_id}]" in quiz.question
    for s in quiz.statements:
        assert isinstance(s, Statement) and isinstance(s.true, bool)
        assert s.text.strip() and s.why.strip()          # every answer is explained


def test_grading():
    quiz = POLLS["POLL-3"]
    r = quiz.grade([True] * 6)
    assert r.wrong == [1, 4, 5] and r.score == 3
    assert r.lines[1].startswith("not quite") and r.lines[0].startswith("right")
    with pytest.raises(ValueError, match="chosen must have 6 entries"):
        quiz.grade([True])
    with pytest.raises(ValueError, match="statements"):
        Quiz("empty", [])


@pytest.mark.parametrize("poll_id", sorted(PART_ONE_ANSWERS))
def test_static_rendering_carries_the_answers(poll_id):
    """Without a kernel the widget is inert: the markdown must hold the worked answers."""
    quiz = POLLS[poll_id]
    md = quiz._repr_markdown_()
    assert "<details>" in md and "</details>" in md
    assert md.count("- [ ] ") == len(quiz.statements)
    answers = quiz.answers_markdown()
    assert answers.count("<b>True</b>") == sum(s.true for s in quiz.statements)
    assert answers.count("<b>False</b>") == sum(not s.true for s in quiz.statements)


def _click(box, chosen):
    for cb, value in zip(box.boxes, chosen):
        cb.value = value
    box.button.click()
    return box.feedback.value


@pytest.mark.parametrize("poll_id", sorted(PART_ONE_ANSWERS))
def test_widget_feedback_headless(poll_id):
    pytest.importorskip("ipywidgets")
    quiz = POLLS[poll_id]
    box = quiz.widget()
    n = len(quiz.statements)
    assert box.feedback.value == "" and len(box.boxes) == n
    right = _click(box, PART_ONE_ANSWERS[poll_id])
    assert f"{n} of {n} right" in right and "All correct" in right
    assert right.count("&#10004;") == n and "&#10008;" not in right
    flipped = [not v for v in PART_ONE_ANSWERS[poll_id]]
    flipped[1:] = PART_ONE_ANSWERS[poll_id][1:]           # get only the first one wrong
    wrong = _click(box, flipped)
    assert f"{n - 1} of {n} right" in wrong and "Look again" in wrong
    assert wrong.count("&#10008;") == 1 and "not quite" in wrong


def test_show_displays_the_quiz_once_with_its_static_fallback(monkeypatch):
    """One output: the widget view for a live kernel, the static quiz (checklist, then the
    folded answers) as its markdown fallback, a plain-text checklist, and metadata that tells
    tools/run_notebooks.py to keep only the static forms in the saved file."""
    pytest.importorskip("ipywidgets")
    import IPython.display
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append((obj, kw)))
    quiz = POLLS["POLL-1"]
    quiz.show()
    assert len(shown) == 1
    bundle, kw = shown[0]
    assert kw == {"raw": True, "metadata": LIVE_ONLY}
    assert LIVE_ONLY["course_lib"]["live_only"] == [WIDGET_VIEW] and WIDGET_VIEW in bundle
    assert bundle["text/markdown"] == quiz._repr_markdown_()
    assert bundle["text/plain"].startswith(STATIC_NOTE) and "VBox" not in bundle["text/plain"]
    assert bundle["text/plain"].count("- [ ] ") == len(quiz.statements)
    assert "<details>" not in bundle["text/plain"]           # no answers in the plain text


@pytest.mark.parametrize("poll_id", sorted(POLLS))
def test_static_quiz_lets_the_reader_try_first(poll_id):
    """Every statement is listed, unticked, before the fold; no verdict or worked answer
    appears before it; after it, each statement with its verdict and its reason."""
    quiz = POLLS[poll_id]
    md = quiz._repr_markdown_()
    before, after = md.split("<details>", 1)
    assert before.startswith(f"**{quiz.question}**")
    assert before.count("- [ ] ") == len(quiz.statements)
    assert "<b>True</b>" not in before and "<b>False</b>" not in before
    for s in quiz.statements:
        assert f"- [ ] {s.text}" in before
        assert escape(s.why) not in before and escape(s.why) in after
    assert before.index(quiz.statements[0].text) < before.index(quiz.statements[-1].text)
    assert quiz.checklist_markdown() in md and "<summary>" in after
