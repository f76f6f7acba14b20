"""The polls: the right answers of every Part I poll (seed 004), the quiz's grading, its
static rendering, and the live widget driven headless (tick boxes, click, read feedback)."""
from html import escape

import pytest

from course_lib.polls import POLLS
from course_lib.quiz import LIVE_ONLY, STATIC_NOTE, WIDGET_VIEW, Quiz, Statement

#: the answers of seed 004's polls, statement by statement, in the order of the polls
PART_ONE_ANSWERS = {
    "POLL-1": [True, True, True, True],
    "POLL-2": [True, True, True, True],
    "POLL-3": [True, False, True, True],
}


@pytest.mark.parametrize("poll_id", sorted(PART_ONE_ANSWERS))
def test_part_one_answers(poll_id):
    quiz = POLLS[poll_id]
    assert [s.true for s in quiz.statements] == PART_ONE_ANSWERS[poll_id]
    assert quiz.grade(PART_ONE_ANSWERS[poll_id]).score == len(quiz.statements)


def test_poll3_batch_of_one_is_the_false_statement():
    false = [s for s in POLLS["POLL-3"].statements if not s.true]
    assert len(false) == 1 and "batch size of 1" in false[0].text and "IS SGD" in false[0].why


@pytest.mark.parametrize("poll_id", sorted(POLLS))
def test_every_poll_is_consistent(poll_id):
    quiz = POLLS[poll_id]
    assert quiz.id == poll_id and f"[{poll_id}]" in quiz.question
    for s in quiz.statements:
        assert isinstance(s, Statement) and isinstance(s.true, bool)
        assert s.text.strip() and s.why.strip()          # every answer is explained


def test_grading():
    quiz = POLLS["POLL-3"]
    r = quiz.grade([True, True, True, True])
    assert r.wrong == [1] and r.score == 3
    assert r.lines[1].startswith("not quite") and r.lines[0].startswith("right")
    with pytest.raises(ValueError, match="chosen must have 4 entries"):
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
