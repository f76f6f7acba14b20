r"""Small images for notebooks: palette PNGs and animated PNGs (APNG).

Line art needs few colours, so a figure reduced to a palette of 32-96 colours loses nothing
visible and is 6-9 times smaller than matplotlib's PNG (:func:`compact`). An animated PNG
(:func:`apng`) is a PNG whose extra chunks (``acTL``, ``fcTL``, ``fdAT``) hold further
frames: browsers play it as an ordinary ``<img>``, so it works in an untrusted notebook,
where no script runs; a viewer that knows only PNG shows its first frame.

Colour reduction uses Pillow's quantizer (Pillow comes with matplotlib); the chunks are
written here with ``zlib`` and numpy, following the PNG and APNG specifications.
"""
from __future__ import annotations

import io
import struct
import zlib

import numpy as np

__all__ = ["palette_png", "PNGImage", "CompactFigure", "compact", "render_rgba", "apng", "AnimatedPNG",
           "png_chunks"]

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _quantize(rgb, colors: int):
    """(indices, palette): an RGB array reduced to at most `colors` colours (Pillow's octree)."""
    from PIL import Image   # noqa: PLC0415  (a dependency of matplotlib)
    img = Image.fromarray(np.ascontiguousarray(rgb), "RGB").quantize(
        colors, method=Image.Quantize.FASTOCTREE)
    indices = np.asarray(img)
    n = int(indices.max()) + 1                      # palette entries in use
    return indices, np.array(img.getpalette()[:3 * n], dtype=np.uint8).reshape(-1, 3)


def palette_png(rgba, colors: int, fast: bool = False) -> bytes:
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


class PNGImage:
    """PNG bytes that a notebook shows as ``image/png`` (with or without a kernel), with their
    pixel size; ``size`` is the number of bytes stored in the notebook."""

    def __init__(self, png: bytes, width: int, height: int):
        self.png, self.width, self.height = png, width, height

    @property
    def size(self) -> int:
        return len(self.png)

    def _repr_png_(self):
        return self.png


class CompactFigure(PNGImage):
    """A figure rendered once to a palette PNG of `colors` colours (:func:`compact`)."""

    def __init__(self, png: bytes, width: int, height: int, colors: int):
        super().__init__(png, width, height)
        self.colors = colors

    def __repr__(self):
        return f"<figure {self.width}x{self.height} px, {self.colors} colours>"


def render_rgba(fig) -> np.ndarray:
    """The figure drawn on an Agg canvas, as an (height, width, 4) uint8 array (a copy)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg   # noqa: PLC0415
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def _close(fig):
    try:
        import matplotlib.pyplot as plt   # noqa: PLC0415
        plt.close(fig)
    except Exception:   # noqa: BLE001 -- a Figure made without pyplot needs no closing
        pass


def compact(fig, colors: int = 96) -> CompactFigure:
    """Render `fig` once, reduce it to `colors` colours, close it (so the notebook does not
    show it twice) and return a :class:`CompactFigure`. ``PL.compact(PL.race_figure(...))``.

    Measured on lesson 09's race figure (660x448 px, 13 runs, 2026-11-29): 19-35 kB with 48
    colours, against 160-220 kB for matplotlib's PNG of the same figure. With 32 colours the
    octree palette loses the legend's frame and thins the contours, so 48 is the default."""
    rgba = render_rgba(fig)
    _close(fig)
    return CompactFigure(palette_png(rgba, colors), rgba.shape[1], rgba.shape[0], colors)


# -- animated PNG -----------------------------------------------------------------------------

def _chunk(kind: bytes, data: bytes) -> bytes:
    """length, type, data, CRC-32 of type + data (the PNG chunk layout)."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _image_data(indices) -> bytes:
    """Palette indices (h, w) as compressed scanlines, each with filter byte 0 (none)."""
    h, w = indices.shape
    rows = np.hstack([np.zeros((h, 1), np.uint8), indices.astype(np.uint8)])
    return zlib.compress(rows.tobytes(), 9)


def _changed_box(prev, cur):
    """(x, y, w, h) of the smallest rectangle holding every pixel where cur differs from
    prev (the whole frame for the first one; one pixel if nothing changed)."""
    if prev is None:
        return 0, 0, cur.shape[1], cur.shape[0]
    diff = prev != cur
    if not diff.any():
        return 0, 0, 1, 1
    ys, xs = np.flatnonzero(diff.any(axis=1)), np.flatnonzero(diff.any(axis=0))
    return int(xs[0]), int(ys[0]), int(xs[-1] - xs[0] + 1), int(ys[-1] - ys[0] + 1)


def apng(frames, delays_ms, colors: int = 64, plays: int = 0) -> bytes:
    """An animated PNG of `frames` (RGB or RGBA uint8 arrays of one size; alpha is dropped),
    frame i shown for ``delays_ms[i]`` milliseconds, looping `plays` times (0: for ever).

    All frames share one palette of at most `colors` colours. Each frame after the first
    stores only the rectangle where it differs from the one before (``fcTL`` offsets,
    ``dispose_op`` none, ``blend_op`` source), so a frame that adds a few path segments
    costs a few hundred bytes.

    >>> f = np.zeros((4, 6, 3), np.uint8); g = f.copy(); g[1, 2] = 255
    >>> png = apng([f, g], [100, 100])
    >>> png[:8] == SIGNATURE, [k for k, _ in png_chunks(png)][:4]
    (True, [b'IHDR', b'PLTE', b'acTL', b'fcTL'])
    """
    frames = [np.asarray(f)[..., :3] for f in frames]
    if not frames or len(delays_ms) != len(frames):
        raise ValueError(f"delays_ms must give one delay per frame ({len(frames)} frames), "
                         f"got {len(delays_ms)}")
    h, w = frames[0].shape[:2]
    if any(f.shape[:2] != (h, w) for f in frames):
        raise ValueError("frames must all have the same size")
    if not 2 <= colors <= 256:
        raise ValueError(f"colors must be in [2, 256], got {colors}")
    indices, palette = _quantize(np.concatenate(frames, axis=0), colors)   # one palette
    indices = indices.reshape(len(frames), h, w)
    out = [SIGNATURE,
           _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 3, 0, 0, 0)),   # 8-bit palette
           _chunk(b"PLTE", palette.tobytes()),
           _chunk(b"acTL", struct.pack(">II", len(frames), plays))]
    seq, prev = 0, None
    for i, (cur, delay) in enumerate(zip(indices, delays_ms)):
        x, y, bw, bh = _changed_box(prev, cur)
        out.append(_chunk(b"fcTL", struct.pack(">IIIIIHHBB", seq, bw, bh, x, y,
                                               int(round(delay)), 1000, 0, 0)))
        seq += 1
        data = _image_data(cur[y:y + bh, x:x + bw])
        if i == 0:
            out.append(_chunk(b"IDAT", data))       # the default image is frame 0
        else:
            out.append(_chunk(b"fdAT", struct.pack(">I", seq) + data))
            seq += 1
        prev = cur
    out.append(_chunk(b"IEND", b""))
    return b"".join(out)


def png_chunks(png: bytes):
    """[(type, data)] of a PNG, checking the signature and every chunk's CRC."""
    if png[:8] != SIGNATURE:
        raise ValueError("png must start with the PNG signature")
    chunks, pos = [], 8
    while pos < len(png):
        (n,) = struct.unpack(">I", png[pos:pos + 4])
        kind, data = png[pos + 4:pos + 8], png[pos + 8:pos + 8 + n]
        (crc,) = struct.unpack(">I", png[pos + 8 + n:pos + 12 + n])
        if crc != zlib.crc32(kind + data):
            raise ValueError(f"png: bad CRC in the {kind.decode(errors='replace')} chunk at {pos}")
        chunks.append((kind, data))
        pos += 12 + n
    return chunks


class AnimatedPNG(PNGImage):
    """An animated PNG of `frames` frames (:func:`apng`): it plays in JupyterLab, nbviewer
    and GitHub without a kernel and without trusting the notebook."""

    def __init__(self, png: bytes, frames: int, width: int, height: int):
        super().__init__(png, width, height)
        self.frames = frames

    def __repr__(self):
        return (f"<animated PNG: {self.frames} frames, {self.width}x{self.height} px, "
                f"{self.size / 1e3:.0f} kB>")
