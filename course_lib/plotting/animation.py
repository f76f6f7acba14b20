r"""Lesson 09's races as animations: every run moving at once on the contours of f.

* :func:`race_apng`: an animated PNG (:class:`~course_lib.plotting.png.AnimatedPNG`), the
  default. A notebook shows it as ``image/png``: it plays in a notebook that was just opened
  and not trusted, in nbviewer and on GitHub, with no kernel and no script;
* :func:`race_html`: the same frames in matplotlib's JavaScript player (step, pause, speed),
  an extra for a trusted notebook or a built site;
* :func:`race_animation`: the ``FuncAnimation`` behind both.

Frame j shows every path up to update k_j (:func:`frame_steps`, geometric spacing: early
updates move most). Everything that does not move (contours, markers, axes, legend) is drawn
once as a still picture; a frame draws only the paths, the dots and the title.
"""
from __future__ import annotations

import numpy as np

from ..landscapes import Landscape
from .contours import path_xy, plot_landscape, run_label
from .png import AnimatedPNG, apng, palette_png, render_rgba
from .style import colors_for, linestyle_of, use_course_style

__all__ = ["frame_steps", "race_animation", "race_apng", "race_html", "AnimationHTML",
           "AnimatedPNG"]


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
    from matplotlib.figure import Figure   # noqa: PLC0415

    fig = Figure(figsize=(width / 100, height / 100), dpi=100)
    ax = fig.add_axes([0, 0, 1, 1])
    plot_landscape(landscape, ax, n=90, levels=levels)
    for ln in list(ax.lines):            # markers are drawn live, on top of the paths
        ln.remove()
    ax.set_axis_off()
    return render_rgba(fig)


def race_animation(landscape: Landscape, traces: dict, frames: int = 16,
                   figsize=(6.4, 4.0), dpi: int = 64, interval: int = 300):
    """A ``FuncAnimation`` of all runs moving together on the contours of f.

    The still picture (contours, markers, axes, legend) is kept as ``anim.still`` (an RGBA
    array) and shown through the figure image ``anim.still_image``; ``anim.steps_shown`` are
    the updates of the frames; ``anim.figure`` and ``anim.interval_ms`` are the figure and the
    time between frames, and ``anim.drawn_by_hand()`` says its frames were drawn without
    matplotlib's player (so deleting it does not warn). The figure is a plain
    :class:`matplotlib.figure.Figure`, so a notebook does not also show its last frame.
    """
    from matplotlib.animation import FuncAnimation   # noqa: PLC0415
    from matplotlib.backends.backend_agg import FigureCanvasAgg   # noqa: PLC0415
    from matplotlib.figure import Figure   # noqa: PLC0415
    use_course_style()

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
    start = path_xy(next(iter(traces.values())))[0] if traces else landscape.start
    ax.plot(*start, "o", color="k", ms=4, zorder=6)
    ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel="$x$", ylabel="$y$")
    ax.tick_params(labelsize=8)
    n_max = max(len(path_xy(tr)) - 1 for tr in traces.values())
    ks = frame_steps(n_max, frames)
    paths = [path_xy(tr) for tr in traces.values()]
    lines, dots = [], []
    for c, (label, tr) in zip(colors_for(traces), traces.items()):
        (ln,) = ax.plot([], [], linestyle_of(label), color=c, lw=1.3, label=run_label(label, tr))
        (dt,) = ax.plot([], [], "o", color=c, ms=4, zorder=7)
        lines.append(ln)
        dots.append(dt)
    legend = fig.legend(handles=lines, loc="center right", fontsize=7, frameon=False,
                        bbox_to_anchor=(0.995, 0.5))
    fig.canvas.draw()
    still = np.asarray(fig.canvas.buffer_rgba()).copy()
    for a in [*ax.images, *[l for l in ax.lines if l not in lines and l not in dots], legend]:
        a.set_visible(False)
    ax.set_axis_off()
    still_image = fig.figimage(still, xo=0, yo=0, origin="upper", zorder=-10)
    title = ax.set_title("", fontsize=10)

    def draw(j):
        k = ks[j]
        for ws, ln, dt in zip(paths, lines, dots):
            m = min(k, len(ws) - 1)
            ln.set_data(ws[:m + 1, 0], ws[:m + 1, 1])
            dt.set_data([ws[m, 0]], [ws[m, 1]])
        title.set_text(f"{landscape.name}: update {k}")
        return [*lines, *dots, title]

    anim = FuncAnimation(fig, draw, frames=len(ks), interval=interval, blit=False, repeat=True)
    anim.steps_shown, anim.still, anim.still_image, anim.draw_frame = ks, still, still_image, draw
    anim.figure, anim.interval_ms = fig, interval

    def drawn_by_hand():
        """Tell matplotlib the frames were drawn by us, so deleting it does not warn."""
        anim._draw_was_started = True
    anim.drawn_by_hand = drawn_by_hand
    return anim


def race_apng(landscape: Landscape, traces: dict, frames: int = 16, colors: int = 128,
              hold_last: float = 4.0, **kwargs) -> AnimatedPNG:
    """The race as an animated PNG, shown as ``image/png`` (plays untrusted, no kernel).

    Each frame is :func:`race_animation`'s frame drawn over its still picture; the last one
    stays `hold_last` times longer, so the end of the race can be read. The frames share one
    palette of `colors` colours and each stores only what changed since the one before
    (:func:`course_lib.plotting.png.apng`). ``kwargs`` go to :func:`race_animation`
    (``figsize``, ``dpi``, ``interval`` in ms). Sizes: ``benchmarks/README.md``."""
    anim = race_animation(landscape, traces, frames=frames, **kwargs)
    fig, interval = anim.figure, anim.interval_ms
    moving = anim.draw_frame(0)                # the paths, the dots and the title
    for a in moving:
        a.set_animated(True)                   # a full draw skips them: the still picture
    canvas = fig.canvas
    canvas.draw()
    still = canvas.copy_from_bbox(fig.bbox)
    pictures = []
    for j in range(len(anim.steps_shown)):     # blit: the still picture, then what moves
        anim.draw_frame(j)
        canvas.restore_region(still)
        for a in moving:
            fig.draw_artist(a)
        pictures.append(np.asarray(canvas.buffer_rgba()).copy())
    anim.drawn_by_hand()               # no "deleted without rendering" warning
    delays = [interval] * (len(pictures) - 1) + [interval * hold_last]
    h, w = pictures[0].shape[:2]
    return AnimatedPNG(apng(pictures, delays, colors=colors), len(pictures), w, h)


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
            png = palette_png(np.asarray(canvas.buffer_rgba()), colors)
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
    that runs scripts (a trusted notebook, nbviewer, a built site); :func:`race_apng` does not.

    Made small in two ways. The still picture (contours, axes, legend) is embedded once, as
    the CSS background of the player's ``<img>``; each frame holds only what moves (paths,
    dots, title) on a transparent canvas. And every PNG is reduced to `colors` colours.
    The player's buttons use plain symbols instead of matplotlib's Font Awesome icons.
    Measured on lesson 09's races (410x256 px, 15-16 frames, 13 runs): 50-76 kB of HTML;
    ``anim.to_jshtml()`` of the same animation took 1.35 MB for Rosenbrock's function."""
    import base64   # noqa: PLC0415
    import tempfile   # noqa: PLC0415
    from pathlib import Path   # noqa: PLC0415
    anim = race_animation(landscape, traces, frames=frames, **kwargs)
    still = palette_png(anim.still, colors)
    anim.still_image.set_visible(False)              # frames: the moving parts only ...
    anim.figure.patch.set_alpha(0.0)                 # ... on a transparent canvas
    writer = _palette_writer(colors)(fps=1000 / anim.interval_ms, embed_frames=True,
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
