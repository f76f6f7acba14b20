"""Self-check quizzes for the polls (ipywidgets only in the live part).

A :class:`Quiz` is plain data (statements, which are true, and why), so a test can check
the answers. ``quiz.show()`` displays ONE output whose bundle carries both forms:

* the widget view: checkboxes and a "Check" button with feedback per statement, which
  JupyterLab shows once the cell has run in a live kernel;
* a markdown fallback (:meth:`Quiz._repr_markdown_`): the statements as an unticked checklist,
  so the reader can decide first, then the worked answers folded under ``<details>``. A page
  that cannot run widgets shows this instead: GitHub, an HTML export, a notebook opened
  without running it (JupyterLab renders widgets only for outputs it trusts).

The output's metadata marks the widget view as live only (:data:`LIVE_ONLY`):
``tools/run_notebooks.py`` drops it from the saved file, so a saved lesson always shows the
static quiz, whose answers are there, rather than a saved checkbox that no kernel answers.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

__all__ = ["Statement", "Quiz", "STATIC_NOTE", "LIVE_ONLY", "WIDGET_VIEW"]

#: the first line of the plain-text form (a console, or a front end without markdown)
STATIC_NOTE = "[interactive quiz: run this cell in Jupyter to tick the boxes and press Check]"

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

#: output metadata: the mime types a saved notebook should not keep (only a live kernel answers)
LIVE_ONLY = {"course_lib": {"live_only": [WIDGET_VIEW]}}


@dataclass(frozen=True)
class Statement:
    text: str
    true: bool
    why: str          # the worked answer, shown as feedback


class Quiz:
    """A "select all that are true" question.

    >>> q = Quiz("[POLL-0] Which are true?", [Statement("1 + 1 = 2", True, "arithmetic"),
    ...                                       Statement("2 < 1", False, "2 is larger")])
    >>> q.grade([True, False]).score
    2
    >>> q.grade([True, True]).wrong
    [1]
    """

    def __init__(self, question: str, statements: list[Statement], id: str = ""):
        if not statements:
            raise ValueError("statements must hold at least one Statement")
        self.question, self.statements, self.id = question, list(statements), id

    # -- pure part ---------------------------------------------------------
    class Result:
        def __init__(self, quiz, chosen):
            self.chosen = list(chosen)
            self.wrong = [i for i, (c, s) in enumerate(zip(chosen, quiz.statements)) if c != s.true]
            self.score = len(quiz.statements) - len(self.wrong)
            self.lines = [
                ("right" if i not in self.wrong else "not quite") + f": {s.text} is "
                f"{'TRUE' if s.true else 'FALSE'}. {s.why}"
                for i, s in enumerate(quiz.statements)]

    def grade(self, chosen) -> "Quiz.Result":
        """Grade a list of booleans (ticked or not), one per statement."""
        chosen = list(chosen)
        if len(chosen) != len(self.statements):
            raise ValueError(f"chosen must have {len(self.statements)} entries (one per "
                             f"statement), got {len(chosen)}")
        return Quiz.Result(self, chosen)

    def answers_markdown(self) -> str:
        rows = "\n".join(f"<li><b>{'True' if s.true else 'False'}</b>: {escape(s.text)}. "
                         f"{escape(s.why)}</li>" for s in self.statements)
        return (f"<details><summary>Worked answers (try first)</summary><ul>{rows}</ul>"
                f"</details>")

    def checklist_markdown(self) -> str:
        """The question and its statements as an unticked checklist (no answers)."""
        items = "\n".join(f"- [ ] {s.text}" for s in self.statements)
        return f"**{self.question}** (select all that are true)\n\n{items}"

    def _repr_markdown_(self):
        """The static quiz: the checklist first, then the folded worked answers."""
        return self.checklist_markdown() + "\n\n" + self.answers_markdown()

    # -- live part (ipywidgets) --------------------------------------------
    def widget(self):
        """Checkboxes, a Check button and a feedback area; returns the VBox."""
        import ipywidgets as w   # noqa: PLC0415 (only the live part needs widgets)
        boxes = [w.Checkbox(value=False, description=s.text, indent=False,
                            layout=w.Layout(width="auto")) for s in self.statements]
        button = w.Button(description="Check", button_style="primary")
        feedback = w.HTML(value="")

        def on_click(_):
            r = self.grade([b.value for b in boxes])
            head = (f"<b>{r.score} of {len(self.statements)} right.</b>" +
                    (" All correct." if not r.wrong else " Look again at the ones marked."))
            feedback.value = head + "<ul>" + "".join(
                f"<li>{'&#10004;' if i not in r.wrong else '&#10008;'} {escape(line)}</li>"
                for i, line in enumerate(r.lines)) + "</ul>"

        button.on_click(on_click)
        box = w.VBox([w.HTML(f"<b>{escape(self.question)}</b> (select all that are true)"),
                      *boxes, button, feedback])
        box.boxes, box.button, box.feedback = boxes, button, feedback   # for tests
        return box

    def mimebundle(self) -> dict:
        """The live widget's view, the static quiz as markdown, and a plain-text checklist."""
        bundle = dict(self.widget()._repr_mimebundle_())
        bundle["text/markdown"] = self._repr_markdown_()
        bundle["text/plain"] = STATIC_NOTE + "\n" + self.checklist_markdown().replace("**", "")
        return bundle

    def show(self):
        """Display the quiz once: the widget where it can run, the static quiz elsewhere.

        Each front end picks the richest form it can show from one bundle (see the module
        docstring), so a live notebook shows the quiz once, not a widget and a checklist.
        """
        from IPython.display import display   # noqa: PLC0415
        display(self.mimebundle(), raw=True, metadata=LIVE_ONLY)
