"""The pictures of lesson 09: frame counts, self-contained HTML players, and size bounds.

The size bounds are what keeps notebook 09 small: the lesson stores five animations and
about ten static figures (their measured sizes: benchmarks/README.md)."""
from __future__ import annotations

import base64
import gc
import io
import re

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
from PIL import Image   # noqa: E402  (a dependency of matplotlib)

from course_lib import landscapes as LS   # noqa: E402
from course_lib.plotting import landscapes as PL   # noqa: E402
from course_lib.trace import minimize   # noqa: E402

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
    width, height = anim._fig.canvas.get_width_height()
    assert anim.still.shape == (height, width, 4) and width % 2 == height % 2 == 0
    assert anim._fig.canvas.manager is None          # no pyplot: a notebook shows nothing extra
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


@pytest.mark.parametrize("name", list(LS.all_landscapes()))
def test_each_animation_of_lesson_09_stays_under_90_kB(name):
    """The five animations of lesson 09 as it makes them: 50-76 kB each when measured."""
    L = LS.all_landscapes()[name]
    runs = {o: minimize(opt, L.grad, L.start, L.steps) for o, opt in LS.lineup(L).items()}
    a = PL.race_html(L, runs)
    assert a.size < 90_000 and a.frames >= 15 and max(a.frame_bytes) < 5_000


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
    assert img.mode == "P" and img.size == (small.width, small.height) == (660, 448)
    assert len(img.getcolors(256)) <= 48 and small.colors == 48
    assert small.size < 50_000 and small.size < len(buf.getvalue()) / 2
    assert small._repr_png_() == small.png and "660x448 px" in repr(small)
