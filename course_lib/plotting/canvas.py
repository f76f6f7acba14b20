r"""The explorer's figure: contours drawn once, paths moved over them (lesson 09).

:class:`TrajectoryCanvas` is what :class:`course_lib.widgets.explorer.Explorer` draws with;
it needs no pyplot and no interactive backend, and gives PNG bytes for an ``Image`` widget.
"""
from __future__ import annotations

import numpy as np

from ..landscapes import Landscape
from .contours import path_xy, plot_landscape, run_label
from .png import palette_png
from .style import colors_for, linestyle_of, use_course_style

__all__ = ["TrajectoryCanvas"]


class TrajectoryCanvas:
    """A contour figure whose paths move over a kept background, for the explorer.

    :meth:`set_landscape` switches the function (it only sets the window; nothing is drawn).
    :meth:`set_paths` changes the lines' data (``set_data``) and the message; the background
    (contours, axes, legend) is drawn in full only for a (function, legend) pair not seen
    before, and kept: switching back to a function, or back to a selection, reuses it
    (up to `cache_size` backgrounds, about 0.7 MB each at the default size).
    :meth:`render` is the one redraw: it restores the background, draws the lines and the
    message on top (blitting on the Agg canvas) and returns the PNG bytes (`colors` colours).
    Headless: no pyplot, no display. ``draws`` counts full draws, ``renders`` redraws.
    """

    def __init__(self, figsize=(6.4, 4.2), dpi: int = 80, max_paths: int = 16,
                 cache_size: int = 12, colors: int = 64):
        from matplotlib.backends.backend_agg import FigureCanvasAgg   # noqa: PLC0415
        from matplotlib.figure import Figure   # noqa: PLC0415
        use_course_style()
        self.fig = Figure(figsize=figsize, dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax = ax = self.fig.add_axes([0.1, 0.11, 0.62, 0.8])
        self.max_paths, self.cache_size, self.colors = max_paths, cache_size, colors
        self.landscape, self.legend = None, None
        # the moving parts, made once; animated: a full draw skips them
        self.start_dot, = ax.plot([], [], "o", color="k", ms=5, zorder=6, animated=True)
        self.lines, self.ends = [], []
        for _ in range(max_paths):
            (ln,) = ax.plot([], [], lw=1.6, animated=True)
            (en,) = ax.plot([], [], "o", ms=4, animated=True)
            self.lines.append(ln)
            self.ends.append(en)
        self.message = ax.text(0.02, 0.02, "", transform=ax.transAxes, fontsize=8, color="C3",
                               va="bottom", animated=True,
                               bbox=dict(facecolor="w", alpha=0.8, edgecolor="none"))
        self._shown, self._still = None, []    # the landscape whose contours are in the axes
        self._backgrounds = {}                  # (id, legend keys) -> (landscape, region)
        self._background, self._legend_keys = None, None
        self.draws = 0            # full draws (one per new function/legend pair)
        self.renders = 0          # redraws of the paths

    def set_landscape(self, landscape: Landscape):
        """Switch to `landscape`. Draws nothing: the next :meth:`set_paths` (or
        :meth:`render`) finds its background in the cache or draws it."""
        (x0, x1), (y0, y1) = landscape.window
        self.ax.set(xlim=(x0, x1), ylim=(y0, y1))     # the paths are placed with this window
        self.landscape = landscape
        self._background, self._legend_keys = None, None

    def _draw_background(self, keys):
        """Find or draw the background for the current landscape and legend `keys`."""
        from matplotlib.lines import Line2D   # noqa: PLC0415
        L, key = self.landscape, (id(self.landscape), keys)
        hit = self._backgrounds.get(key)
        if hit is not None and hit[0] is L:
            self._background = hit[1]
            return
        if self._shown is not L:                # contours of another function: replace them
            for a in self._still:
                a.remove()
            before = set(self.ax.get_children())
            plot_landscape(L, self.ax, n=100, levels=14)
            self.ax.tick_params(labelsize=9)
            self._still = [a for a in self.ax.get_children() if a not in before]
            self._shown = L
        if self.legend is not None:
            self.legend.remove()
        handles = [Line2D([], [], color=c, linestyle=ls, lw=1.6, label=lab) for lab, c, ls in keys]
        self.legend = self.fig.legend(handles=handles, loc="center right", fontsize=8,
                                      frameon=False, bbox_to_anchor=(0.995, 0.5)) \
            if handles else None
        self.canvas.draw()                      # contours + legend; animated artists skipped
        self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        self._backgrounds[key] = (L, self._background)
        while len(self._backgrounds) > self.cache_size:
            self._backgrounds.pop(next(iter(self._backgrounds)))   # the oldest
        self.draws += 1

    def set_paths(self, traces: dict, message: str = ""):
        """Move the lines onto the runs (label -> Trace); the rest of the pool is emptied.

        The legend is part of the background: a new one (another selection, or a run that
        starts or stops diverging) means another background, drawn once and kept."""
        if self.landscape is None:
            raise ValueError("call set_landscape before set_paths")
        if len(traces) > self.max_paths:
            raise ValueError(f"traces must hold at most {self.max_paths} runs, got {len(traces)}")
        items = list(traces.items())
        colors = colors_for(traces)
        keys = []
        for i, (ln, en) in enumerate(zip(self.lines, self.ends)):
            if i < len(items):
                label, tr = items[i]
                ws, c, ls = path_xy(tr), colors[i], linestyle_of(label)
                ln.set_data(ws[:, 0], ws[:, 1])
                ln.set(color=c, linestyle=ls, label=run_label(label, tr))
                en.set_data([ws[-1, 0]], [ws[-1, 1]])
                en.set(color=c, marker="x" if tr.diverged else "o")
                keys.append((run_label(label, tr), c, ls))
                if i == 0:
                    self.start_dot.set_data([ws[0, 0]], [ws[0, 1]])
            else:
                ln.set_data([], [])
                en.set_data([], [])
        if not items:
            self.start_dot.set_data([], [])
        if tuple(keys) != self._legend_keys or self._background is None:
            self._draw_background(tuple(keys))
            self._legend_keys = tuple(keys)
        self.message.set_text(message)

    @property
    def size_px(self) -> tuple[int, int]:
        """(width, height) of the PNG that :meth:`render` returns, in pixels."""
        w, h = self.canvas.get_width_height()
        return int(w), int(h)

    def render(self) -> bytes:
        """The one redraw per change: background + paths + message, as PNG bytes."""
        if self._background is None:
            self._draw_background(self._legend_keys or ())
        renderer = self.canvas.get_renderer()
        self.canvas.restore_region(self._background)
        for a in [self.start_dot, *self.lines, *self.ends, self.message]:
            a.draw(renderer)
        self.renders += 1      # a palette PNG: 3 times smaller than RGBA and faster to write
        return palette_png(np.asarray(self.canvas.buffer_rgba()), self.colors, fast=True)
