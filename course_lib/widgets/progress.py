"""A progress bar for long training loops that stays quiet where nobody watches [TN-4].

* In a live Jupyter kernel: one ipywidgets ``IntProgress`` with a label, reused by every run
  that shares the :class:`ProgressBar` object (so a cell training five optimizers shows one
  bar, not five), updated in place once per epoch; when a run ends its one-line summary is
  printed, so a reader of the saved notebook (where widgets do not render) still sees it.
* Anywhere else (a script, pytest): nothing while it runs, and at most one line per run at
  the end (``mode="line"``), or nothing at all (``mode="silent"``).

No carriage-return animations, no timings in the output: a notebook executed twice stores the
same text, and nbval has nothing to trip over (widget views are never compared; the updates
travel as comm messages, which it ignores).

The protocol :func:`course_lib.train.train` uses: ``start(total, description)``,
``update(done, text)``, ``close(text, ok=True)``.

>>> bar = ProgressBar(mode="line")
>>> bar.start(3, "SGD"); bar.update(1, "epoch 1/3"); bar.close("SGD: done")
SGD: done
>>> ProgressBar(mode="silent").close("nothing printed")
"""
from __future__ import annotations

__all__ = ["in_kernel", "ProgressBar"]

MODES = ("auto", "widget", "line", "silent")


def in_kernel() -> bool:
    """True inside a live Jupyter kernel (JupyterLab, nbclient, nbval), False in scripts."""
    try:
        from IPython import get_ipython   # noqa: PLC0415
    except ImportError:                   # pragma: no cover - IPython ships with the course
        return False
    ip = get_ipython()
    return ip is not None and getattr(ip, "kernel", None) is not None


class ProgressBar:
    """``mode``: "auto" (a widget in a kernel, one final line elsewhere), "widget", "line"
    or "silent". The widget is built lazily on the first :meth:`start` and then reused."""

    def __init__(self, mode: str = "auto"):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        if mode == "auto":
            mode = "widget" if in_kernel() else "line"
        self.mode = mode
        self.box = self.bar = self.label = None
        self.total, self.done, self.description, self.lines = 0, 0, "", []

    # -- the widget, built once ------------------------------------------------------------
    def _build(self):
        import ipywidgets as w                       # noqa: PLC0415
        from IPython.display import display          # noqa: PLC0415
        self.bar = w.IntProgress(value=0, min=0, max=1, description="",
                                 layout=w.Layout(width="45%"))
        self.label = w.Label(value="")
        self.box = w.HBox([self.bar, self.label])
        display(self.box)

    def start(self, total: int, description: str = ""):
        """A new run of ``total`` steps (epochs)."""
        if not (isinstance(total, int) and total >= 1):
            raise ValueError(f"total must be an integer >= 1 (the number of steps), got {total!r}")
        self.total, self.done, self.description = total, 0, description
        if self.mode == "widget":
            if self.box is None:
                self._build()
            self.bar.max, self.bar.value = total, 0
            self.bar.description = description[:12]
            self.bar.bar_style = ""
            self.label.value = "starting"

    def update(self, done: int, text: str = ""):
        """``done`` of ``total`` steps finished; ``text`` is shown next to the bar."""
        self.done = min(int(done), self.total)
        if self.mode == "widget":
            self.bar.value = self.done
            self.label.value = text

    def close(self, text: str = "", ok: bool = True):
        """The run ended: the bar turns green (red when ``ok`` is False) and ``text`` is
        printed once (except in "silent" mode). A diverged run is shown, never raised."""
        self.lines.append(text)
        if self.mode == "widget" and self.bar is not None:
            self.bar.bar_style = "success" if ok else "danger"
            self.label.value = text
        if self.mode != "silent" and text:
            print(text)
