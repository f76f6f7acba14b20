"""Lessons 00, 04, 09 and 12 in a real JupyterLab, run top to bottom as a student does.

The tests run in file order, lesson by lesson: each lesson is opened and run once (the
``lesson`` fixture), and only one lesson's kernel runs at a time.

For each lesson: Run > Run All Cells, then no error output (traceback or stderr), no widget
that failed to render, no MathJax error, every image loaded. Then what only a browser shows:
lesson 04's gamma slider moves its figure, lesson 09's animations play and its explorer
follows its gamma slider, lesson 12's progress bars move while the runs go and end green
(red for the run that diverges). One slider step is timed from the key press to the painted
figure (median of several steps, printed by tools/browser_test.py; never asserted: speed
goes in reports, not in pass/fail).
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from browser_support import (PROGRESS_JS, Console, lesson_problems, needs_browser, open_lesson,
                             run_all, shut_down_kernels, timed_steps)

pytestmark = needs_browser

ROOT = Path(__file__).resolve().parents[2]
LESSONS = {"00": "00_start_here", "04": "04_running_averages",
           "09": "09_visualizing_optimizers", "12": "12_training_a_network"}
#: slider steps timed per widget (the median is reported)
STEPS = 7


@dataclass
class Opened:
    """A lesson open in a page after Run All."""
    page: object
    console: Console
    seconds: dict
    progress: list = field(default_factory=list)     # lesson 12: bars sampled while running


def notebook(num: str) -> str:
    return f"notebooks/{LESSONS[num]}.ipynb"


def has_math(name: str) -> bool:
    nb = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text())
    return any("$" in "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


@pytest.fixture(scope="session")
def lesson(context):
    """lesson("04") -> the lesson open and run (one lesson open at a time: the one before is
    closed and its kernel shut down, so two kernels never compete for the cores)."""
    current: dict[str, Opened] = {}

    def get(num: str) -> Opened:
        if num in current:
            return current[num]
        for old in current.values():
            old.page.close()
        current.clear()
        shut_down_kernels()
        page = context.new_page()
        console = Console(page)
        t0 = time.time()
        open_lesson(page, notebook(num))
        opened = Opened(page, console, {"open": time.time() - t0})
        poll = (lambda p: opened.progress.append(p.evaluate(PROGRESS_JS))) if num == "12" else None
        opened.seconds["run all"] = run_all(page, on_poll=poll)
        current[num] = opened
        return opened
    yield get
    for old in current.values():
        old.page.close()
    shut_down_kernels()


def check_runs_clean(num, lesson, report):
    """Run All in lesson `num`: no error or stderr output, no broken widget, no MathJax error,
    formulas typeset, every image loaded, every code cell run, no console error."""
    opened = lesson(num)
    page = opened.page
    report.data.setdefault("lessons", {})[LESSONS[num]] = opened.seconds
    found = lesson_problems(page)
    state = page.evaluate("() => [...document.querySelectorAll("
                          "'.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')]"
                          ".map(e => e.textContent.trim())")
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").first.scroll_into_view_if_needed()
    report.shot(page, f"lab_{num}_after_run_all.png",
                f"lesson {num} in JupyterLab after Run All (top of the notebook)")
    assert found["errors"] == [], f"error or stderr outputs in lesson {num}: {found['errors']}"
    assert found["broken"] == [], f"widgets or outputs that failed to render: {found['broken']}"
    assert found["mathErrors"] == [], f"MathJax errors in lesson {num}: {found['mathErrors']}"
    if has_math(LESSONS[num]):
        assert found["math"] > 0, f"lesson {num} has formulas but MathJax rendered none"
    unloaded = [i for i in found["images"] if not (i["complete"] and i["w"] > 0)]
    assert not unloaded, f"{len(unloaded)} images did not load in lesson {num}"
    assert state and all(p[1:-2].strip().isdigit() for p in state), \
        f"cells that did not run in lesson {num}: {state}"
    assert opened.console.errors == [], f"console errors in lesson {num}: {opened.console.errors}"


def test_lesson00_runs_clean(lesson, report):
    check_runs_clean("00", lesson, report)


def test_lesson04_runs_clean(lesson, report):
    check_runs_clean("04", lesson, report)


def slider_of(root, label: str):
    """The noUiSlider handle of the slider described `label` inside `root`."""
    slider = root.locator(".widget-slider", has=root.page.locator(
        ".widget-label", has_text=label)).first
    return slider, slider.locator(".noUi-handle").first


def readout(slider) -> str:
    """The slider's value as its readout shows it."""
    return slider.locator(".widget-readout").first.text_content().strip()


def test_lesson04_gamma_slider_moves_the_figure(lesson, report):
    page = lesson("04").page
    root = page.locator(".widget-vbox", has=page.locator(".widget-image")).filter(
        has=page.locator(".widget-label", has_text="gamma")).first
    root.scroll_into_view_if_needed()
    slider, handle = slider_of(root, "gamma")
    before_value, before_src = readout(slider), root.locator("img").first.get_attribute("src")
    report.shot(root, "lab_04_gamma_slider_before.png",
                f"lesson 04's gamma slider at {before_value} with its two-panel figure")
    steps = timed_steps(page, root.element_handle(), handle, notebook("04"), STEPS)
    report.data["latency"]["lesson 04 gamma slider"] = steps
    after_value = readout(slider)
    assert float(after_value) > float(before_value), (before_value, after_value)
    assert root.locator("img").first.get_attribute("src") != before_src, "the figure did not change"
    assert f"{float(after_value):g}" in root.inner_text() or after_value in root.inner_text()
    report.shot(root, "lab_04_gamma_slider_after.png",
                f"the same after {STEPS} ArrowRight presses: gamma {after_value}")


def test_lesson09_runs_clean(lesson, report):
    check_runs_clean("09", lesson, report)


def explorer_root(page):
    return page.locator(".widget-vbox", has=page.locator(".widget-image")).filter(
        has=page.locator(".widget-label", has_text="gamma")).first


def test_lesson09_explorer_follows_its_gamma_slider(lesson, report):
    page = lesson("09").page
    root = explorer_root(page)
    root.scroll_into_view_if_needed()
    slider, handle = slider_of(root, "gamma")
    img = root.locator("img.widget-image, .widget-image img, img").first
    before_value, before_src = readout(slider), img.get_attribute("src")
    report.shot(root, "lab_09_explorer.png",
                f"lesson 09's explorer in JupyterLab (gamma {before_value}), live widgets")
    steps = timed_steps(page, root.element_handle(), handle, notebook("09"), STEPS)
    report.data["latency"]["lesson 09 explorer gamma slider"] = steps
    assert float(readout(slider)) > float(before_value)
    assert img.get_attribute("src") != before_src, "the explorer's picture did not change"
    assert "optimizer" in root.inner_text()            # the table under the picture


def test_lesson09_animation_plays(lesson, report):
    page = lesson("09").page
    cell = page.locator(".jp-CodeCell", has_text="race_apng").first
    img = cell.locator(".jp-OutputArea-output img").first
    img.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    frames = set()
    for i in range(10):                         # about 3 s of play
        shot = img.screenshot()
        if i == 3:
            report.shot(img, "lab_09_animation_frame.png",
                        "one frame of lesson 09's Beale race (an animated PNG playing in JupyterLab)")
        frames.add(shot)
        page.wait_for_timeout(300)
    assert len(frames) >= 3, f"the animation showed {len(frames)} different pictures in 3 s"


def test_lesson12_runs_clean(lesson, report):
    check_runs_clean("12", lesson, report)


def test_lesson12_progress_bars(lesson, report):
    opened = lesson("12")
    page = opened.page
    moving = [b for sample in opened.progress for b in sample
              if b["width"] is not None and 0 < b["width"] < 100]
    assert moving, "no progress bar was seen part-way while the runs went"
    bars = page.evaluate(PROGRESS_JS)
    assert len(bars) >= 10, f"expected a bar per run, found {len(bars)}"
    unfinished = [b for b in bars if b["style"] not in ("progress-bar-success", "progress-bar-danger")]
    assert not unfinished, f"bars that never finished: {unfinished}"
    short = [b for b in bars if b["style"] == "progress-bar-success" and b["width"] < 100]
    assert not short, f"green bars that are not full: {short}"
    assert any(b["style"] == "progress-bar-danger" for b in bars), "the diverging run is not red"
    assert all(b["label"] for b in bars), "a bar without its label"
    bar = page.locator(".widget-hprogress").first
    bar.scroll_into_view_if_needed()
    report.shot(page, "lab_12_progress_bars.png",
                f"lesson 12 after Run All: {len(bars)} finished progress bars "
                f"({sum(b['style'].endswith('danger') for b in bars)} red: diverged runs)")
