r"""Figures for sliders: drawn once, then only what moves is redrawn, as PNG bytes.

:class:`TrajectoryCanvas` is what :class:`course_lib.widgets.explorer.Explorer` draws with
(lesson 09): contours drawn once, paths moved over them. :class:`FigurePNG` does the same for
a figure made elsewhere, e.g. lesson 04's gamma figure. Neither needs pyplot or an
interactive backend; both give PNG bytes for an ``ipywidgets.Image``.

Why not display the figure again after each change (``Output`` + ``display(fig)``)? With
the inline backend that draws the whole figure three times per change (once for the update's
``draw_idle``, twice for ``bbox_inches="tight"``), each time with the layout engine placing
every label again: lesson 04's slider took 0.7 s a step in a browser on a loaded 2-core
machine, against about 0.1 s this way (``tools/browser_test.py`` measures it).
"""
from __future__ import annotations

import numpy as np

from ..landscapes import Landscape
from .contours import path_xy, plot_landscape, run_label
from .png import palette_png
from .style import colors_for, linestyle_of, use_course_style

__all__ = ["TrajectoryCanvas", "FigurePNG"]


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
    def cached(self) -> int:
        """How many drawn backgrounds are kept (at most ``cache_size``)."""
        return len(self._backgrounds)

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


_ON_DEMAND = None


def on_demand_canvas(fig):
    """Give `fig` an Agg canvas whose ``draw_idle`` does nothing (the base class draws at
    once), so an update function's redraw request costs nothing: the owner draws when it
    renders. Returns the canvas (now ``fig.canvas``)."""
    global _ON_DEMAND
    if _ON_DEMAND is None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg   # noqa: PLC0415

        class OnDemandCanvasAgg(FigureCanvasAgg):
            def draw_idle(self, *args, **kwargs):
                """Nothing: :meth:`FigurePNG.render` draws when a picture is wanted."""
        _ON_DEMAND = OnDemandCanvasAgg
    return _ON_DEMAND(fig)


def _axes_of(artist):
    """The Axes an artist belongs to (an Axes is its own)."""
    from matplotlib.axes import Axes   # noqa: PLC0415
    return artist if isinstance(artist, Axes) else getattr(artist, "axes", None)


def tick_signature(axis) -> tuple:
    """(longest tick label in view, offset text) of a matplotlib Axis: what decides how
    much room its labels take (the digits of the course's font all have one width)."""
    lo, hi = sorted(axis.get_view_interval())
    slack = 1e-9 * (hi - lo)
    locs = [x for x in axis.get_majorticklocs() if lo - slack <= x <= hi + slack]
    labels = axis.major.formatter.format_ticks(locs) if locs else []
    return max(map(len, labels), default=0), axis.major.formatter.get_offset()


class FigurePNG:
    """A figure made elsewhere, as PNG bytes per change, redrawing only its `moving` artists.

    `moving`: the artists a change may touch (lines, an ``Axis`` whose limits move, a title,
    or a whole Axes). Moving artists are marked animated, so a full draw leaves them out:
    that draw (the background) is made once and kept, and :meth:`render` restores it and
    draws the moving artists over it (blitting on the Agg canvas), then writes a palette PNG
    of at most `colors` colours.

    An ``Axis`` (ticks, tick labels, axis label: about a third of a redraw each) starts in the
    background and joins the moving artists the first time its limits change (one new
    background then): in lesson 04's figure the weights' y axis moves with every gamma, the
    x axis only above gamma = 0.967.

    The layout engine (constrained layout, say) is run once and then switched off, since it
    would otherwise place every label again on each draw (half the time of a draw). It runs
    again, with a new background, only when the tick labels of a moving axis change length
    or offset (:func:`tick_signature`: about ten times over lesson 04's whole gamma range),
    so the labels never outgrow the room they were given.

    `fig` gets an on-demand canvas (:func:`on_demand_canvas`). ``draws`` counts full draws
    (backgrounds), ``renders`` pictures; ``drawn`` lists what a render draws.
    """

    def __init__(self, fig, moving, colors: int = 64):
        from matplotlib.axes import Axes   # noqa: PLC0415
        from matplotlib.axis import Axis   # noqa: PLC0415
        if not 2 <= colors <= 256:
            raise ValueError(f"colors must be in [2, 256], got {colors}")
        self.fig, self.colors = fig, colors
        self.canvas = on_demand_canvas(fig)
        self.moving = sorted(moving, key=lambda a: a.get_zorder())   # drawn in zorder
        self._waiting = [a for a in self.moving if isinstance(a, Axis)]   # in the background
        for a in self.moving:
            a.set_animated(not isinstance(a, Axis))
        self.watched = []                  # axes whose tick labels may change size
        for a in self.moving:
            axes = [a] if isinstance(a, Axis) else [a.xaxis, a.yaxis] if isinstance(a, Axes) else []
            self.watched += [x for x in axes if x not in self.watched]
        self._engine = fig.get_layout_engine()
        if self._engine is not None:
            fig.set_layout_engine("none")          # positions stay where the engine put them
        self._background, self._laid_out, self._limits = None, None, {}
        self.draws = 0
        self.renders = 0

    @property
    def drawn(self) -> list:
        """The artists each render draws over the background, in zorder."""
        return [a for a in self.moving if a.get_animated()]

    @property
    def size_px(self) -> tuple[int, int]:
        """(width, height) of the PNG that :meth:`render` returns, in pixels."""
        w, h = self.canvas.get_width_height()
        return int(w), int(h)

    def _signature(self):
        return tuple(tick_signature(axis) for axis in self.watched)

    def _draw_background(self):
        """Lay out (if the figure has a layout engine), draw everything that does not move,
        keep it."""
        if self._engine is not None and hasattr(self._engine, "execute"):
            self.canvas.get_renderer()                 # text extents need a renderer
            self._engine.execute(self.fig)
        self.canvas.draw()                              # animated artists are left out
        self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        self._laid_out = self._signature()
        self._limits = {a: tuple(a.get_view_interval()) for a in self._waiting}
        self.draws += 1

    def render(self) -> bytes:
        """The picture after a change: the kept background, the moving artists drawn over
        it. First a new background when an axis of the background moved (it then joins the
        moving artists), and a new layout when a moving axis's labels changed size."""
        moved = [a for a in self._waiting if tuple(a.get_view_interval()) != self._limits.get(a)]
        if self._background is not None and moved:
            for a in moved:
                a.set_animated(True)
                self._waiting.remove(a)
        if self._background is None or moved or self._signature() != self._laid_out:
            self._draw_background()
        renderer = self.canvas.get_renderer()
        self.canvas.restore_region(self._background)
        for a in self.drawn:
            a.draw(renderer)
        self.renders += 1
        return palette_png(np.asarray(self.canvas.buffer_rgba()), self.colors, fast=True)
