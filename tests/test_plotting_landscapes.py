"""The pictures of lesson 09: frame counts, animated PNGs that are valid (chunks parsed by
hand: signature, acTL, sequence numbers, CRCs) and play untrusted, self-contained HTML
players, and size bounds.

The size bounds are what keeps notebook 09 small: the lesson stores five animations and
about ten static figures (their measured sizes: benchmarks/README.md)."""
from __future__ import annotations

import base64
import gc
import io
import re
import struct
import zlib

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
from PIL import Image   # noqa: E402  (a dependency of matplotlib)

from course_lib import landscapes as LS   # noqa: E402
from course_lib.plotting import landscapes as PL   # noqa: E402
from course_lib.plotting.png import apng, png_chunks   # noqa: E402
from course_lib.trace import minimize   # noqa: E402

#: the animations as lesson 09 makes them
ANIM = dict(frames=8, figsize=(5.6, 3.5))

FRAME = re.compile(r'frames\[(\d+)\] = "data:image/png;base64,([A-Za-z0-9+/=]*)"')
STILL = re.compile(r'<img style="background: url\(data:image/png;base64,([A-Za-z0-9+/=]*)\)')


@pytest.fixture(scope="module")
def rosenbrock_runs():
    """Lesson 09's largest race: every optimizer, 1000 updates on Rosenbrock's function."""
    L = LS.rosenbrock()
    return L, {o: minimize(opt, L.grad, L.start, L.steps) for o, opt in LS.lineup(L).items()}


@pytest.fixture(scope="module")
def race(rosenbrock_runs):
    L, runs = rosenbrock_runs
    return PL.race_html(L, runs)


def _png(b64):
    return Image.open(io.BytesIO(base64.b64decode(b64)))


@pytest.mark.parametrize("n_steps, frames", [(1000, 16), (150, 16), (10, 16), (1, 5), (0, 5)])
def test_frame_steps_start_at_zero_end_at_the_last_update_and_increase(n_steps, frames):
    ks = PL.frame_steps(n_steps, frames)
    assert ks[0] == 0 and ks[-1] == n_steps
    assert np.all(np.diff(ks) > 0) and len(ks) <= frames


@pytest.mark.filterwarnings("ignore:Animation was deleted without rendering")
def test_race_animation_has_one_frame_per_shown_step(rosenbrock_runs):
    L, runs = rosenbrock_runs
    anim = PL.race_animation(L, runs, frames=8)
    assert anim.steps_shown.tolist() == PL.frame_steps(L.steps, 8).tolist()
    width, height = anim.figure.canvas.get_width_height()
    assert anim.still.shape == (height, width, 4) and width % 2 == height % 2 == 0
    assert anim.figure.canvas.manager is None          # no pyplot: a notebook shows nothing extra
    del anim                                         # never rendered: warns here, not later
    gc.collect()


def test_race_html_frame_count(race, rosenbrock_runs):
    L, _ = rosenbrock_runs
    found = FRAME.findall(race.html)
    assert race.frames == len(found) == len(PL.frame_steps(L.steps, 16)) == len(race.frame_bytes)
    assert [int(i) for i, _ in found] == list(range(race.frames))


def test_race_html_is_self_contained(race):
    html = race.html
    # every image is inline data; nothing is fetched (no src/href/url to a file or the web)
    refs = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']*)', html) + re.findall(r"url\(([^)]*)\)",
                                                                               html)
    assert refs and all(r.startswith("data:") for r in refs), refs[:5]
    assert "<script src" not in html and "http://" not in html and "https://" not in html
    assert html.count("<script") == html.count("</script>") >= 1
    assert len(STILL.findall(html)) == 1            # the still picture, once, behind the frames


def test_race_html_frames_hold_only_what_moves(race):
    still = _png(STILL.search(race.html).group(1)).convert("RGBA")
    frames = [_png(b64) for _, b64 in FRAME.findall(race.html)]
    assert all(f.mode == "P" and f.size == still.size for f in frames)
    alpha = np.asarray(frames[-1].convert("RGBA"))[..., 3]
    assert 0.005 < (alpha > 0).mean() < 0.2          # paths and title, transparent elsewhere
    assert np.asarray(still)[..., 3].min() == 255     # the background is opaque
    assert all(len(f.getcolors(256)) <= 32 for f in frames)


def test_race_html_size_bound(race):
    """Lesson 09's Rosenbrock race (13 runs, 16 frames, 410x256 px): about 50 kB; with
    ``to_jshtml`` the same animation took 1.35 MB (2026-11-29)."""
    assert race.size < 60_000
    assert sum(race.frame_bytes) < 30_000 and race.still_bytes < 15_000
    assert max(race.frame_bytes) < 3_000
    assert repr(race) == f"<animation: {race.frames} frames, {race.size / 1e3:.0f} kB>"


@pytest.fixture(scope="module")
def apngs():
    """The five animated PNGs of lesson 09, as it makes them."""
    out = {}
    for name, L in LS.all_landscapes().items():
        runs = {o: minimize(opt, L.grad, L.start, L.steps) for o, opt in LS.lineup(L).items()}
        out[name] = (PL.race_apng(L, runs, **ANIM), len(PL.frame_steps(L.steps, ANIM["frames"])))
    return out


def _frames(chunks):
    """The control chunks in order: [(sequence, width, height, x, y, delay ms)]."""
    out = []
    for kind, data in chunks:
        if kind == b"fcTL":
            seq, w, h, x, y, num, den, _, _ = struct.unpack(">IIIIIHHBB", data)
            out.append((seq, w, h, x, y, 1000 * num / den))
    return out


@pytest.mark.parametrize("name", list(LS.all_landscapes()))
def test_each_animated_png_is_valid(apngs, name):
    anim, n_frames = apngs[name]
    chunks = png_chunks(anim.png)                     # signature and every CRC checked
    kinds = [k for k, _ in chunks]
    assert kinds[:3] == [b"IHDR", b"PLTE", b"acTL"] and kinds[-1] == b"IEND"
    w, h = struct.unpack(">II", chunks[0][1][:8])
    assert (w, h) == (anim.width, anim.height) and chunks[0][1][9] == 3      # palette colour
    num_frames, plays = struct.unpack(">II", chunks[2][1])
    assert num_frames == anim.frames == n_frames == kinds.count(b"fcTL") and plays == 0
    assert kinds.count(b"IDAT") == 1 and kinds.count(b"fdAT") == n_frames - 1
    # one sequence across fcTL and fdAT: 0, 1, 2, ... with no gap
    seqs = [struct.unpack(">I", d[:4])[0] for k, d in chunks if k in (b"fcTL", b"fdAT")]
    assert seqs == list(range(len(seqs)))
    frames = _frames(chunks)
    assert frames[0][1:5] == (w, h, 0, 0)             # frame 0 is the whole default image
    for _, fw, fh, x, y, _ in frames:                 # every region inside the canvas
        assert fw >= 1 and fh >= 1 and x + fw <= w and y + fh <= h
    assert frames[-1][5] > frames[0][5]               # the last frame is held longer


@pytest.mark.parametrize("name", list(LS.all_landscapes()))
def test_each_animated_png_plays_in_an_image_reader_and_stays_small(apngs, name):
    """What a browser does: read every frame. Lesson 09 stores five; each under 45 kB."""
    anim, n_frames = apngs[name]
    img = Image.open(io.BytesIO(anim.png))
    assert img.format == "PNG" and img.is_animated and img.n_frames == n_frames
    img.seek(n_frames - 1)
    last = np.asarray(img.convert("RGB"))
    img.seek(0)
    first = np.asarray(img.convert("RGB"))
    assert last.shape == (anim.height, anim.width, 3) and (last != first).any()
    assert anim.size < 45_000 and anim._repr_png_() == anim.png
    assert f"{n_frames} frames" in repr(anim)


def test_apng_frames_hold_only_what_changed():
    base = np.full((20, 30, 3), 255, np.uint8)
    moved = base.copy()
    moved[5:8, 10:12] = 0
    chunks = png_chunks(apng([base, moved, moved], [100, 100, 300]))
    frames = _frames(chunks)
    assert frames[1][1:5] == (2, 3, 10, 5)            # just the changed rectangle
    assert frames[2][1:3] == (1, 1)                   # nothing changed: one pixel
    assert [f[5] for f in frames] == [100, 100, 300]
    data = zlib.decompress(next(d for k, d in chunks if k == b"fdAT")[4:])
    assert len(data) == 3 * (1 + 2)                   # 3 rows of (filter byte + 2 pixels)


def test_apng_refuses_bad_input():
    f = np.zeros((4, 4, 3), np.uint8)
    with pytest.raises(ValueError, match=r"^delays_ms must give one delay per frame"):
        apng([f, f], [100])
    with pytest.raises(ValueError, match=r"^frames must all have the same size"):
        apng([f, np.zeros((5, 4, 3), np.uint8)], [100, 100])
    with pytest.raises(ValueError, match=r"^colors must be in \[2, 256\]"):
        apng([f], [100], colors=1)
    bad = bytearray(apng([f], [100]))
    bad[-5] ^= 1                                      # the IEND chunk's CRC
    with pytest.raises(ValueError, match=r"bad CRC"):
        png_chunks(bytes(bad))


def test_fewer_frames_and_colours_make_a_smaller_animation(rosenbrock_runs):
    L, runs = rosenbrock_runs
    small = PL.race_html(L, runs, frames=6, colors=16)
    assert small.frames == 6 and small.size < 40_000


def test_compact_is_a_small_palette_png(rosenbrock_runs):
    import matplotlib.pyplot as plt
    L, runs = rosenbrock_runs
    fig = PL.race_figure(L, runs)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")                    # matplotlib's own PNG, same pixels
    small = PL.compact(fig)
    assert not plt.fignum_exists(fig.number)          # closed: the notebook shows it once
    img = Image.open(io.BytesIO(small.png))
    assert img.mode == "P" and img.size == (small.width, small.height) == (693, 448)
    assert len(img.getcolors(256)) <= 96 and small.colors == 96
    assert small.size < 50_000 and small.size < len(buf.getvalue()) / 2
    assert small._repr_png_() == small.png and "693x448 px" in repr(small)


def test_race_panels_find_the_method_a_label_names():
    """A label is placed by the optimizer it names, however the lesson wrote it (as the
    colours are): "Adam, lr 0.1" and "adam" are Adam's, "RMSprop+clip" RMSprop's."""
    groups = PL.default_groups(["Adam, lr 0.1", "adam", "RMSprop+clip", "SGD",
                                "Momentum (averaged)", "a curve of no method"])
    assert groups == {"gradient and momentum": ["SGD", "Momentum (averaged)",
                                                "a curve of no method"],
                      "per-coordinate step sizes": ["RMSprop+clip"],
                      "Adam and its variants": ["Adam, lr 0.1", "adam"]}
