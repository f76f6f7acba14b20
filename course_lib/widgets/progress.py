"""A progress bar for long training loops that stays quiet where nobody watches [TN-4].

* In a live Jupyter kernel: every run (each :meth:`ProgressBar.start`) gets a bar of its own,
  an ipywidgets ``IntProgress`` with a label, shown in the cell that runs it and updated in
  place once per step. When the run ends the bar turns green, or red if the run diverged
  (``close(text, ok=False)``), and its label shows the run's one-line summary.
* The same output carries a static form of the finished bar (plain text and HTML: the bar
  drawn in characters, green or red, and the final label), written into the output when the
  run ends. A saved notebook opened without running it, GitHub or an HTML export shows that
  line instead of ``HBox(children=...)``; a trusted notebook with saved widget state, or a
  live one, shows the widget.
* Anywhere else (a script, pytest): nothing while it runs, and one line per run at the end
  (``mode="line"``), or nothing at all (``mode="silent"``).

No carriage-return animations, no timings in the output: a notebook executed twice stores the
same text, and nbval has nothing to trip over (widget views are never compared; the updates
travel as comm messages, which it ignores).

The protocol :func:`course_lib.train.train` uses: ``start(total, description)``,
``update(done, text)``, ``close(text, ok=True)``. One :class:`ProgressBar` object may serve
many runs in a row; each run still gets its own bar.

>>> bar = ProgressBar(mode="line")
>>> bar.start(3, "SGD"); bar.update(1, "epoch 1/3"); bar.close("SGD: done")
SGD: done
>>> ProgressBar(mode="silent").close("nothing printed")
>>> static_text(2, 4, "diverged", ok=False)
'[##########..........] 2/4  diverged (failed)'
"""
from __future__ import annotations

from html import escape

__all__ = ["in_kernel", "ProgressBar", "static_text", "static_html", "bundle"]

MODES = ("auto", "widget", "line", "silent")
#: characters of the static bar
WIDTH = 20
#: the static bar's colours: a finished run, a failed (diverged) one, the part not done
GREEN, RED, GREY = "#2e7d32", "#c62828", "#bdbdbd"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def in_kernel() -> bool:
    """True inside a live Jupyter kernel (JupyterLab, nbclient, nbval), False in scripts."""
    try:
        from IPython import get_ipython   # noqa: PLC0415
    except ImportError:                   # pragma: no cover - IPython ships with the course
        return False
    ip = get_ipython()
    return ip is not None and getattr(ip, "kernel", None) is not None


def _filled(done: int, total: int) -> int:
    """How many of the WIDTH cells a run ``done`` of ``total`` fills."""
    return round(WIDTH * done / total) if total else 0


def static_text(done: int, total: int, text: str, ok: bool | None = None) -> str:
    """The bar as one plain line: ``[#####.....] done/total  text`` (``(failed)`` if not ok)."""
    k = _filled(done, total)
    tail = " (failed)" if ok is False else ""
    return f"[{'#' * k}{'.' * (WIDTH - k)}] {done}/{total}  {text}{tail}"


def static_html(done: int, total: int, text: str, ok: bool | None = None) -> str:
    """The bar as HTML: filled cells green (red if the run failed), then the label."""
    k = _filled(done, total)
    colour = RED if ok is False else GREEN
    label = escape(text) + (" <b>(failed)</b>" if ok is False else "")
    return (f'<div style="font-family:monospace">'
            f'<span style="color:{colour}">{"&#9608;" * k}</span>'
            f'<span style="color:{GREY}">{"&#9608;" * (WIDTH - k)}</span> '
            f'{done}/{total}&nbsp; <span style="color:{colour if ok is False else "inherit"}">'
            f'{label}</span></div>')


def bundle(view: dict | None, done: int, total: int, text: str, ok: bool | None = None) -> dict:
    """One output's mime bundle: the widget view (if any) and the bar's static forms."""
    out = {WIDGET_VIEW: view} if view else {}
    out["text/plain"] = static_text(done, total, text, ok)
    out["text/html"] = static_html(done, total, text, ok)
    return out


class ProgressBar:
    """``mode``: "auto" (widgets in a kernel, one final line per run elsewhere), "widget",
    "line" or "silent". In widget mode each :meth:`start` builds and shows a new bar;
    ``bar``, ``label`` and ``box`` are the current (last started) run's widgets and
    ``boxes`` holds every run's."""

    def __init__(self, mode: str = "auto"):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        if mode == "auto":
            mode = "widget" if in_kernel() else "line"
        self.mode = mode
        self.box = self.bar = self.label = self.handle = None
        self.boxes = []
        self.total, self.done, self.description, self.lines = 0, 0, "", []

    # -- one bar per run -------------------------------------------------------------------
    def _view(self):
        return self.box._repr_mimebundle_()[WIDGET_VIEW] if self.box is not None else None

    def _build(self, total: int, description: str):
        import ipywidgets as w                       # noqa: PLC0415
        self.bar = w.IntProgress(value=0, min=0, max=total, description=description[:12],
                                 layout=w.Layout(width="45%"))
        self.label = w.Label(value="starting")
        self.box = w.HBox([self.bar, self.label])
        self.boxes.append(self.box)
        self.handle = self._show(bundle(self._view(), 0, total, f"{description}: starting"))

    @staticmethod
    def _show(data, handle=None):
        """Display (or, given its handle, replace) one output; nothing outside IPython."""
        from IPython.core.interactiveshell import InteractiveShell   # noqa: PLC0415
        from IPython.display import display                          # noqa: PLC0415
        if not InteractiveShell.initialized():
            return handle
        if handle is None:
            return display(data, raw=True, display_id=True)
        handle.update(data, raw=True)
        return handle

    def start(self, total: int, description: str = ""):
        """A new run of ``total`` steps (epochs, seeds...), with a bar of its own."""
        if not (isinstance(total, int) and total >= 1):
            raise ValueError(f"total must be an integer >= 1 (the number of steps), got {total!r}")
        self.total, self.done, self.description = total, 0, description
        if self.mode == "widget":
            self._build(total, description)

    def update(self, done: int, text: str = ""):
        """``done`` of ``total`` steps finished; ``text`` is shown next to the bar."""
        self.done = min(int(done), self.total)
        if self.mode == "widget" and self.bar is not None:
            self.bar.value = self.done
            self.label.value = text

    def close(self, text: str = "", ok: bool = True):
        """The run ended: its bar turns green (red when ``ok`` is False) and shows ``text``;
        the saved output gets the static form. Outside a kernel ("line" mode) ``text`` is
        printed once. A diverged run is shown, never raised."""
        self.lines.append(text)
        if self.mode == "widget" and self.bar is not None:
            self.bar.value = self.done
            self.bar.bar_style = "success" if ok else "danger"
            self.label.value = text
            self.handle = self._show(bundle(self._view(), self.done, self.total, text, ok),
                                     self.handle)
        elif self.mode == "line" and text:
            print(text)
