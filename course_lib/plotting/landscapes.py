r"""Pictures of optimizers on the test functions of :mod:`course_lib.landscapes` [VO-1, VO-2].

* :func:`plot_landscape`: contour lines, minima (stars) and saddles (crosses);
* :func:`plot_paths`: the trajectories of several runs on those contours;
* :func:`plot_gaps`: $f(W_k) - f^*$ against the step $k$, log scale;
* :func:`race_figure`: the standard picture of lesson 09 (three panels of paths, one of gaps);
* :func:`compact`: a figure as a palette PNG, 6-9 times smaller in a notebook;
* :func:`race_animation`: the runs racing, as a ``FuncAnimation``; :func:`race_html` renders
  it as ``to_jshtml``'s player (frames embedded as PNG: it plays without a kernel, in any
  page that runs scripts), about 50 kB per animation;
* :class:`TrajectoryCanvas`: a figure drawn once whose paths are then moved, for the explorer
  of :mod:`course_lib.widgets.explorer`.

Runs are :class:`course_lib.trace.Trace` objects in a dict ``label -> trace``. A run that
diverged is drawn up to its last finite iterate, ends in a cross, and says so in the legend.
Figures are made with :class:`matplotlib.figure.Figure` (not pyplot) where they should not be
shown automatically; the others go through pyplot so that a notebook shows them inline.
"""
from __future__ import annotations

import io
import math

import numpy as np

from ..landscapes import ADAPTIVE, Landscape

__all__ = ["COLORS", "color_of", "style_of", "default_groups", "plot_landscape", "plot_paths",
           "plot_gaps", "race_figure", "race_animation", "race_html", "AnimationHTML",
           "TrajectoryCanvas", "compact", "CompactFigure"]

# One colour per optimizer, the same in every figure of the course.
_ORDER = ["SGD", "Momentum", "AveragedMomentum", "Nesterov", "NesterovFramework", "Adagrad",
          "RMSprop", "Adadelta", "Rprop", "Adam", "AdaMax", "AMSGrad", "AdamW"]
_PALETTE = ["#000000", "#1f77b4", "#7fb8e0", "#d62728", "#f4a0a0", "#8c564b", "#2ca02c",
            "#bcbd22", "#9467bd", "#ff7f0e", "#17becf", "#e377c2", "#7f7f7f"]
COLORS = dict(zip(_ORDER, _PALETTE))
# forms that give the same (or a shifted) path as their partner: dashed, drawn on top
_DASHED = {"AveragedMomentum", "NesterovFramework", "AMSGrad", "AdamW"}


def color_of(label: str, i: int = 0) -> str:
    """The course's colour for an optimizer name; a tab10 colour for anything else."""
    key = label.split(" ")[0]
    return COLORS.get(key, f"C{i % 10}")


def style_of(label: str) -> str:
    return "--" if label.split(" ")[0] in _DASHED else "-"


def default_groups(labels) -> dict:
    """Split optimizer names into the panels of :func:`race_figure`."""
    labels = list(labels)
    adam = [l for l in labels if l.split(" ")[0] in {"Adam", "AdaMax", "AMSGrad", "AdamW"}]
    adaptive = [l for l in labels if l.split(" ")[0] in ADAPTIVE and l not in adam]
    rest = [l for l in labels if l not in adam and l not in adaptive]
    groups = {"gradient and momentum": rest, "per-coordinate step sizes": adaptive,
              "Adam and its variants": adam}
    return {k: v for k, v in groups.items() if v}


def _levels(landscape: Landscape, Z, n=16):
    gap = Z - landscape.min_value
    gap = gap[np.isfinite(gap)]
    if landscape.log_levels:
        lo = max(float(np.quantile(gap, 0.002)), 1e-3)
        hi = float(np.quantile(gap, 0.97))
        return landscape.min_value + np.geomspace(lo, hi, n)
    lv = np.unique(np.quantile(gap, np.linspace(0.01, 0.9, n) ** 1.5))
    return landscape.min_value + lv


def plot_landscape(landscape: Landscape, ax=None, n: int = 120, title: str | None = None,
                   levels: int = 16):
    """Contour lines of f over the landscape's window, minima and saddles marked."""
    if ax is None:
        import matplotlib.pyplot as plt   # noqa: PLC0415
        _, ax = plt.subplots(figsize=(5, 4))
    X, Y, Z = landscape.grid(n)
    ax.contour(X, Y, Z, levels=_levels(landscape, Z, levels), cmap="Greys_r", linewidths=0.7,
               alpha=0.6, vmin=landscape.min_value,
               vmax=landscape.min_value + 3 * (np.nanquantile(Z, 0.97) - landscape.min_value))
    for i, m in enumerate(landscape.minima):
        ax.plot(*m, "*", color="gold", mec="k", ms=12, zorder=5,
                label="minimum" if i == 0 else None)
    for i, s in enumerate(landscape.saddles):
        ax.plot(*s, "X", color="w", mec="k", ms=8, zorder=5, label="saddle" if i == 0 else None)
    (x0, x1), (y0, y1) = landscape.window
    ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel="$x$", ylabel="$y$",
           title=landscape.name if title is None else title)
    return ax


def _path(trace):
    ws = np.asarray(trace.ws, dtype=float)
    return ws[:, 0], ws[:, 1]


def _label(label, trace):
    return f"{label} (diverged at {trace.diverged_at})" if trace.diverged else label


def plot_paths(landscape: Landscape, traces: dict, ax=None, title: str | None = None,
               contours: bool = True, legend: bool = True, lw: float = 1.6):
    """Contours of f with the path of every run (label -> Trace); returns the axes."""
    if ax is None:
        import matplotlib.pyplot as plt   # noqa: PLC0415
        _, ax = plt.subplots(figsize=(6, 4.5))
    if contours:
        plot_landscape(landscape, ax, title=title)
    elif title is not None:
        ax.set_title(title)
    ax.plot(*landscape_start(traces, landscape), "o", color="k", ms=5, zorder=6, label="start")
    for i, (label, tr) in enumerate(traces.items()):
        xs, ys = _path(tr)
        c = color_of(label, i)
        ax.plot(xs, ys, style_of(label), color=c, lw=lw, label=_label(label, tr), alpha=0.9)
        ax.plot(xs[-1], ys[-1], "x" if tr.diverged else "o", color=c, ms=6 if tr.diverged else 3)
    if legend:
        ax.legend(fontsize=7, loc="best", framealpha=0.8)
    return ax


def landscape_start(traces, landscape):
    for tr in traces.values():
        return np.asarray(tr.ws, dtype=float)[0]
    return landscape.start


def plot_gaps(landscape: Landscape, traces: dict, ax=None, title: str | None = None,
              legend: bool = True, floor: float = 1e-14):
    r"""$f(W_k) - f^*$ against k on a log axis (clipped below at `floor`); returns the axes."""
    if ax is None:
        import matplotlib.pyplot as plt   # noqa: PLC0415
        _, ax = plt.subplots(figsize=(6, 4))
    for i, (label, tr) in enumerate(traces.items()):
        with np.errstate(over="ignore", invalid="ignore"):
            gap = landscape.loss(np.asarray(tr.ws, dtype=float)) - landscape.min_value
        ax.semilogy(np.arange(len(gap)), np.maximum(gap, floor), style_of(label),
                    color=color_of(label, i), lw=1.4, label=_label(label, tr))
    ax.set(xlabel="update $k$", ylabel=r"$f(W_k) - f^*$",
           title=title or f"{landscape.name}: distance to the minimum value")
    if legend:
        ax.legend(fontsize=7, ncol=2)
    return ax


def race_figure(landscape: Landscape, traces: dict, groups: dict | None = None,
                figsize=(10, 6.8), dpi: int = 66):
    """The standard picture of lesson 09: one contour panel per group of optimizers
    (:func:`default_groups`) and a panel of $f(W_k) - f^*$ for every run. Returns the
    pyplot figure (shown inline by a notebook)."""
    import matplotlib.pyplot as plt   # noqa: PLC0415
    groups = groups or default_groups(traces)
    n = len(groups) + 1
    rows, cols = (2, 2) if n == 4 else (1, n)
    fig, axes = plt.subplots(rows, cols, figsize=figsize, dpi=dpi)
    axes = np.ravel(axes)
    for ax, (title, labels) in zip(axes, groups.items()):
        plot_paths(landscape, {l: traces[l] for l in labels}, ax=ax,
                   title=f"{landscape.name}: {title}")
    plot_gaps(landscape, traces, ax=axes[len(groups)], legend=False,
              title=f"{landscape.name}: $f(W_k)-f^*$, all runs")
    for ax in axes[len(groups) + 1:]:
        ax.axis("off")
    # fixed margins: tight_layout would cost more than drawing the figure
    fig.subplots_adjust(left=0.06, right=0.985, bottom=0.07, top=0.96, wspace=0.18, hspace=0.25)
    return fig


class CompactFigure:
    """A figure rendered once to a palette PNG (for lesson 09's line art 6-9 times smaller
    than matplotlib's PNG); a notebook shows it as an ordinary PNG image, with or without a
    kernel."""

    def __init__(self, png: bytes, width: int, height: int, colors: int):
        self.png, self.width, self.height, self.colors = png, width, height, colors

    @property
    def size(self) -> int:
        return len(self.png)

    def _repr_png_(self):
        return self.png

    def __repr__(self):
        return f"<figure {self.width}x{self.height} px, {self.colors} colours>"


def _palette_png(rgba, colors: int, fast: bool = False) -> bytes:
    """An RGBA array as a PNG of at most `colors` colours (transparency kept). `fast`: quick
    compression (the explorer's per-change redraw) instead of the smallest file."""
    from PIL import Image   # noqa: PLC0415  (a dependency of matplotlib)
    img = Image.fromarray(np.ascontiguousarray(rgba), "RGBA")
    if img.getextrema()[3][0] == 255:               # opaque: no alpha channel to keep
        img = img.convert("RGB")
    buf = io.BytesIO()
    img.quantize(colors, method=Image.Quantize.FASTOCTREE).save(
        buf, format="png", **({"compress_level": 1} if fast else {"optimize": True}))
    return buf.getvalue()


def compact(fig, colors: int = 48) -> CompactFigure:
    """Render `fig` once, reduce it to `colors` colours, close it (so the notebook does not
    show it twice) and return a :class:`CompactFigure`. ``PL.compact(PL.race_figure(...))``.

    Measured on lesson 09's :func:`race_figure` (660x448 px, 13 runs, 2026-11-29): 19-35 kB
    with 48 colours, against 160-220 kB for matplotlib's PNG of the same figure (Rosenbrock:
    35 kB; 40 kB with 96 colours). With 32 colours the octree palette loses the legend's
    frame and thins the contours, so 48 is the default."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg   # noqa: PLC0415
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    png = _palette_png(rgba, colors)
    try:
        import matplotlib.pyplot as plt   # noqa: PLC0415
        plt.close(fig)
    except Exception:   # noqa: BLE001 -- a Figure made without pyplot needs no closing
        pass
    return CompactFigure(png, rgba.shape[1], rgba.shape[0], colors)


# -- animation ----------------------------------------------------------------------------

def frame_steps(n_steps: int, frames: int) -> np.ndarray:
    """Which update each frame shows: about `frames` values from 0 to n_steps, spaced
    geometrically (early updates move most), always ending at n_steps.

    >>> frame_steps(100, 6).tolist()
    [0, 1, 3, 10, 32, 100]
    """
    if n_steps < 1:
        return np.array([0])
    ks = np.unique(np.round(np.geomspace(1, n_steps, max(frames - 1, 1))).astype(int))
    return np.concatenate([[0], ks])


def _contour_raster(landscape: Landscape, width: int, height: int, levels: int = 12):
    """The contour lines alone, rendered once as an RGBA array of the given pixel size."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg   # noqa: PLC0415
    from matplotlib.figure import Figure   # noqa: PLC0415
    fig = Figure(figsize=(width / 100, height / 100), dpi=100)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes([0, 0, 1, 1])
    plot_landscape(landscape, ax, n=90, levels=levels)
    for ln in list(ax.lines):            # markers are drawn live, on top of the paths
        ln.remove()
    ax.set_axis_off()
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def race_animation(landscape: Landscape, traces: dict, frames: int = 16,
                   figsize=(6.4, 4.0), dpi: int = 64, interval: int = 300):
    """A ``FuncAnimation`` of all runs moving together on the contours of f.

    Frame j shows every path up to update k_j (:func:`frame_steps`, geometric spacing), a dot
    at each run's current point and k_j in the title. The contours are rendered once and shown
    as an image behind the paths, and so are the axes and the legend: a frame draws only the
    paths, the dots and the title. That still picture is kept as ``anim.still`` (an RGBA
    array) and shown through the figure image ``anim.still_image``. The figure is a plain
    :class:`matplotlib.figure.Figure`, so a notebook does not also show its last frame.
    ``anim.to_jshtml()`` works; :func:`race_html` makes the same picture much smaller.
    """
    from matplotlib.animation import FuncAnimation   # noqa: PLC0415
    from matplotlib.backends.backend_agg import FigureCanvasAgg   # noqa: PLC0415
    from matplotlib.figure import Figure   # noqa: PLC0415

    # Even pixel sizes: the movie writers round an odd size down when they save, which
    # would shift the moving paths off the still picture by a pixel.
    w_px, h_px = (2 * round(s * dpi / 2) for s in figsize)
    fig = Figure(figsize=(w_px / dpi, h_px / dpi), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes([0.1, 0.13, 0.55, 0.77])
    (x0, x1), (y0, y1) = landscape.window
    bbox = ax.get_window_extent()
    ax.imshow(_contour_raster(landscape, int(round(bbox.width)), int(round(bbox.height))),
              extent=(x0, x1, y0, y1), aspect="auto", interpolation="nearest", zorder=0)
    for m in landscape.minima:
        ax.plot(*m, "*", color="gold", mec="k", ms=10, zorder=5)
    for sp in landscape.saddles:
        ax.plot(*sp, "X", color="w", mec="k", ms=7, zorder=5)
    ax.plot(*landscape_start(traces, landscape), "o", color="k", ms=4, zorder=6)
    ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel="$x$", ylabel="$y$")
    n_max = max(len(np.asarray(tr.ws)) - 1 for tr in traces.values())
    ks = frame_steps(n_max, frames)
    paths = {l: _path(tr) for l, tr in traces.items()}
    lines, dots = [], []
    for i, (label, tr) in enumerate(traces.items()):
        c = color_of(label, i)
        (ln,) = ax.plot([], [], style_of(label), color=c, lw=1.3, label=_label(label, tr))
        (dt,) = ax.plot([], [], "o", color=c, ms=4, zorder=7)
        lines.append(ln)
        dots.append(dt)
    legend = fig.legend(handles=lines, loc="center right", fontsize=6.5, frameon=False,
                        bbox_to_anchor=(0.995, 0.5))
    # Everything that does not move (contours, markers, axes, ticks, legend) is drawn once
    # and becomes one image behind the paths, so a frame draws only the paths and the title.
    fig.canvas.draw()
    still = np.asarray(fig.canvas.buffer_rgba()).copy()
    for a in [*ax.images, *[l for l in ax.lines if l not in lines and l not in dots], legend]:
        a.set_visible(False)
    ax.set_axis_off()
    still_image = fig.figimage(still, xo=0, yo=0, origin="upper", zorder=-10)
    title = ax.set_title("", fontsize=10)

    def draw(j):
        k = ks[j]
        for (xs, ys), ln, dt in zip(paths.values(), lines, dots):
            m = min(k, len(xs) - 1)
            ln.set_data(xs[:m + 1], ys[:m + 1])
            dt.set_data([xs[m]], [ys[m]])
        title.set_text(f"{landscape.name}: update {k}")
        return [*lines, *dots, title]

    anim = FuncAnimation(fig, draw, frames=len(ks), interval=interval, blit=False, repeat=True)
    anim.steps_shown, anim.still, anim.still_image = ks, still, still_image
    return anim


class AnimationHTML:
    """The HTML of a rendered animation; shows itself in a notebook and knows its size.

    `frame_bytes` are the sizes of the frames' PNGs and `still_bytes` that of the still
    picture behind them (bytes before base64, which adds a third)."""

    def __init__(self, html: str, frames: int, frame_bytes=(), still_bytes: int = 0):
        self.html, self.frames = html, frames
        self.frame_bytes, self.still_bytes = list(frame_bytes), still_bytes

    @property
    def size(self) -> int:
        """Bytes of HTML stored in the notebook."""
        return len(self.html.encode())

    def _repr_html_(self):
        return self.html

    def __repr__(self):
        return f"<animation: {self.frames} frames, {self.size / 1e3:.0f} kB>"


def _palette_writer(colors: int):
    """matplotlib's HTMLWriter, except that each frame is the canvas just drawn, reduced to a
    palette of `colors` colours (line art loses nothing visible), base64 without line breaks."""
    import base64   # noqa: PLC0415
    from matplotlib.animation import HTMLWriter   # noqa: PLC0415

    class PaletteHTMLWriter(HTMLWriter):
        # Animation.save has just drawn the frame on the Agg canvas (draw_idle draws at once)
        draw_again = False

        def setup(self, *args, **kwargs):
            super().setup(*args, **kwargs)
            self.frame_bytes = []

        def grab_frame(self, **savefig_kwargs):
            if not self.embed_frames:
                return super().grab_frame(**savefig_kwargs)
            canvas = self.fig.canvas
            if self.draw_again:
                canvas.draw()
            png = _palette_png(np.asarray(canvas.buffer_rgba()), colors)
            data = base64.b64encode(png).decode("ascii")
            self.frame_bytes.append(len(png))
            self._total_bytes += len(data)
            self._saved_frames.append(data)

    return PaletteHTMLWriter


# matplotlib's player draws its buttons with Font Awesome icons, fetched from a CDN: plain
# symbols instead, so the player needs nothing from the network.
_ICONS = {"fa fa-minus": "&minus;", "fa fa-plus": "+", "fa fa-fast-backward": "|&#9664;&#9664;",
          "fa fa-step-backward": "|&#9664;", "fa fa-play fa-flip-horizontal": "&#9664;",
          "fa fa-pause": "&#10074;&#10074;", "fa fa-play": "&#9654;",
          "fa fa-step-forward": "&#9654;|", "fa fa-fast-forward": "&#9654;&#9654;|"}


def _self_contained(html: str) -> str:
    """The player's HTML without its one external resource (the icon font's stylesheet)."""
    import re   # noqa: PLC0415
    html = re.sub(r'<link rel="stylesheet"\s+href="https?://[^"]*font-awesome[^"]*">', "", html)
    for cls, symbol in _ICONS.items():
        html = html.replace(f'<i class="{cls}"></i>', symbol)
    return html


def race_html(landscape: Landscape, traces: dict, frames: int = 16, colors: int = 32,
              **kwargs) -> AnimationHTML:
    """:func:`race_animation` as the HTML/JS player of ``to_jshtml``, self-contained: the
    frames are embedded as base64 PNG, no file or network access. The player needs a page
    that runs scripts (JupyterLab, nbviewer, a built site); no kernel.

    Made small in two ways. The still picture (contours, axes, legend) is embedded once, as
    the CSS background of the player's ``<img>``; each frame holds only what moves (paths,
    dots, title) on a transparent canvas. And every PNG is reduced to `colors` colours.
    The player's buttons use plain symbols instead of matplotlib's Font Awesome icons (a
    stylesheet fetched from a CDN), so the HTML needs nothing from the network.

    Measured on lesson 09's races (2026-11-29; ``.size``, ``.frame_bytes`` and
    ``.still_bytes``, printed as ``benchmarks/README.md`` shows): at the default size
    (410x256 px, 15-16 frames, 13 runs) an animation takes 50-76 kB of HTML: a still
    picture of 6-11 kB, 1.2-2.8 kB per frame (PNG bytes; base64 adds a third) and 8.5 kB of
    player code. ``anim.to_jshtml()`` of the
    same animation took 1.35 MB for Rosenbrock's function (85 kB per frame).
    ``tests/test_plotting_landscapes.py`` bounds the five at 90 kB each."""
    import base64   # noqa: PLC0415
    import tempfile   # noqa: PLC0415
    from pathlib import Path   # noqa: PLC0415
    anim = race_animation(landscape, traces, frames=frames, **kwargs)
    still = _palette_png(anim.still, colors)
    anim.still_image.set_visible(False)              # frames: the moving parts only ...
    anim._fig.patch.set_alpha(0.0)                   # ... on a transparent canvas
    writer = _palette_writer(colors)(fps=1000 / anim._interval, embed_frames=True,
                                     default_mode="once")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "race.html")
        anim.save(str(path), writer=writer)
        html = path.read_text()
    tag = '<img id="_anim_img'
    if html.count(tag) != 1:
        raise RuntimeError("matplotlib's HTML player changed: no single <img id=\"_anim_img...\">")
    style = ("background: url(data:image/png;base64," + base64.b64encode(still).decode("ascii")
             + ") no-repeat; background-size: 100% 100%;")
    html = _self_contained(html.replace(tag, f'<img style="{style}" id="_anim_img'))
    return AnimationHTML(html, len(anim.steps_shown), writer.frame_bytes, len(still))


# -- the explorer's figure ------------------------------------------------------------------

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
            self._still = [a for a in self.ax.get_children() if a not in before]
            self._shown = L
        if self.legend is not None:
            self.legend.remove()
        handles = [Line2D([], [], color=c, linestyle=ls, lw=1.6, label=lab) for lab, c, ls in keys]
        self.legend = self.fig.legend(handles=handles, loc="center right", fontsize=7,
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
        keys = []
        for i, (ln, en) in enumerate(zip(self.lines, self.ends)):
            if i < len(items):
                label, tr = items[i]
                xs, ys = _path(tr)
                c = color_of(label, i)
                ln.set_data(xs, ys)
                ln.set(color=c, linestyle=style_of(label), label=_label(label, tr))
                en.set_data([xs[-1]], [ys[-1]])
                en.set(color=c, marker="x" if tr.diverged else "o")
                keys.append((_label(label, tr), c, style_of(label)))
                if i == 0:
                    self.start_dot.set_data([xs[0]], [ys[0]])
            else:
                ln.set_data([], [])
                en.set_data([], [])
        if not items:
            self.start_dot.set_data([], [])
        if tuple(keys) != self._legend_keys or self._background is None:
            self._draw_background(tuple(keys))
            self._legend_keys = tuple(keys)
        self.message.set_text(message)

    def render(self) -> bytes:
        """The one redraw per change: background + paths + message, as PNG bytes."""
        if self._background is None:
            self._draw_background(self._legend_keys or ())
        renderer = self.canvas.get_renderer()
        self.canvas.restore_region(self._background)
        for a in [self.start_dot, *self.lines, *self.ends, self.message]:
            a.draw(renderer)
        self.renders += 1      # a palette PNG: 3 times smaller than RGBA and faster to write
        return _palette_png(np.asarray(self.canvas.buffer_rgba()), self.colors, fast=True)
