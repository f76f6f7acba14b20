"""How long the explorer of lesson 09 takes from a control's change to the finished picture.

    .venv/bin/python benchmarks/explorer_redraw.py [--repeat 15] [--only explorer|gamma]

Headless (Agg canvas, no kernel): set a widget's value, which runs the callback; the clock
stops when the new PNG is in the Image widget, i.e. when a front end could show it. 200 steps
per run, except after a change of function, which puts that function's own number of updates
(150 to 1000) into the explorer, as the lesson's runs have. Prints the median and the spread (wall time and CPU time: on a shared machine the
wall time also measures the neighbours), and the split between computing the runs and
drawing. The target is below 100 ms. Printed, never asserted.

The function dropdown is timed twice: the first visit of each function (a fresh explorer per
change: the runs are computed and the contours drawn) and a switch back to a function already
shown (the kept background is reused, the runs come from the explorer's cache).

Then lesson 04's gamma slider, the same way, both as it is drawn now (only the moving parts
redrawn over a kept background, :class:`course_lib.plotting.canvas.FigurePNG`, into an
``Image`` widget) and as it was until 2026-12 (the figure redrawn by the update's
``draw_idle`` and displayed again in an ``Output`` widget, which with the inline backend is
``print_figure(fig, "png", bbox_inches="tight")``: two more full draws).

The time a student waits in a browser adds the messages, decoding and painting:
``make test-browser`` measures it, key press to painted pixels.
"""
from __future__ import annotations

import argparse
import itertools
import os
import platform
import statistics
import time

import matplotlib

matplotlib.use("Agg")
import numpy as np   # noqa: E402

from course_lib.widgets.explorer import Explorer   # noqa: E402


def timed(change, repeat):
    wall, cpu = [], []
    for i in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        change(i)
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return np.array(wall) * 1e3, np.array(cpu) * 1e3


def report(label, wall, cpu):
    print(f"{label:58s} wall median {statistics.median(wall):6.1f} ms "
          f"(min {wall.min():5.1f}, max {wall.max():6.1f})   cpu median "
          f"{statistics.median(cpu):6.1f} ms")


def main(repeat: int):
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"explorer redraw, 200 steps per run, {repeat} changes each; target < 100 ms")
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
          f"python {platform.python_version()}, matplotlib {matplotlib.__version__}, "
          f"load average {load} (1, 5, 15 min)")
    ex = Explorer(selected=("SGD", "Momentum", "Adam"), function="Rosenbrock", steps=200)
    lrs = np.geomspace(2e-4, 8e-4, repeat)
    report("lr box, SGD+Momentum+Adam (2 of 3 runs recomputed)",
           *timed(lambda i: setattr(ex.lr, "value", float(lrs[i])), repeat))
    xs = np.linspace(-1.8, -1.2, repeat)
    report("start x box (all 3 runs recomputed)",
           *timed(lambda i: setattr(ex.x0, "value", float(xs[i])), repeat))
    ex1 = Explorer(selected=("Momentum",), function="Rosenbrock", steps=200)
    gs = np.linspace(0.5, 0.95, repeat)
    report("gamma slider, one optimizer (Momentum)",
           *timed(lambda i: setattr(ex1.gamma, "value", float(gs[i])), repeat))
    ex2 = Explorer(selected=("SGD",), function="Rosenbrock", steps=200)
    report("lr box to 10 on Rosenbrock (diverges at once)",
           *timed(lambda i: setattr(ex2.lr, "value", 10.0 - i * 1e-3), repeat))
    combos = list(itertools.combinations(ex.classes, 2))[:repeat]      # none seen before
    report("optimizer selection, new pair (1-2 runs + legend drawn)",
           *timed(lambda i: setattr(ex.methods, "value", combos[i]), repeat))
    report("optimizer selection, back and forth between 3 pairs",
           *timed(lambda i: setattr(ex.methods, "value", combos[i % 3]), repeat))
    ex.methods.value = ("SGD", "Momentum", "Adam")

    # first visit of a function: a fresh explorer for each change (built outside the clock)
    names = ["Beale", "Saddle", "Quadratic", "Long valley"]
    fresh = [Explorer(selected=("SGD", "Momentum", "Adam"), function="Rosenbrock", steps=200)
             for _ in range(repeat)]
    report("function dropdown, first visit (3 runs + contours drawn)",
           *timed(lambda i: setattr(fresh[i].function, "value", names[i % 4]), repeat))
    del fresh
    for name in names:                      # now every function has been shown once
        ex.function.value = name
    report("function dropdown, switch back (background and runs kept)",
           *timed(lambda i: setattr(ex.function, "value",
                                    ["Beale", "Saddle", "Quadratic"][i % 3]), repeat))

    # the split, for the 3-optimizer picture
    ex.function.value = "Rosenbrock"
    ex.steps.value = 200                    # the function's default is 1000
    run, draw = [], []
    for i in range(repeat):
        ex._cache.clear()
        c0 = time.process_time()
        traces, _ = ex.run()
        c1 = time.process_time()
        ex.canvas.set_paths(traces)
        ex.canvas.render()
        c2 = time.process_time()
        run.append(c1 - c0)
        draw.append(c2 - c1)
    print(f"split (cpu, 3 runs): computing {statistics.median(run) * 1e3:.1f} ms, "
          f"drawing + PNG {statistics.median(draw) * 1e3:.1f} ms; "
          f"PNG {len(ex.image.value) / 1e3:.0f} kB")


def gamma_slider(repeat: int):
    """Lesson 04's slider, a step of 0.001 per change, now and as it was."""
    from IPython.core.pylabtools import print_figure   # noqa: PLC0415

    from course_lib.plotting.averages import gamma_figure   # noqa: PLC0415
    from course_lib.widgets.averages import gamma_explorer   # noqa: PLC0415

    rng = np.random.default_rng(0)
    ts = np.arange(1, 201)
    signal = 2 + np.sin(ts / 30) + rng.normal(0, 0.6, size=200)     # the lesson's signal
    gs = np.round(0.9 + 0.001 * np.arange(1, repeat + 1), 3)
    box = gamma_explorer(signal, gamma=0.9)
    report("gamma slider (lesson 04), moving parts over kept background",
           *timed(lambda i: setattr(box.slider, "value", float(gs[i])), repeat))
    fig, update, _, _ = gamma_figure(signal)
    update(0.9)

    def as_before(i):
        update(float(gs[i]))                                # draw_idle: a full draw here
        print_figure(fig, "png", bbox_inches="tight")       # display(fig): two more
    report("gamma slider (lesson 04), before: redraw + display(fig)",
           *timed(as_before, repeat))
    print(f"gamma slider: {box.picture.draws} full draws (layouts) in {box.picture.renders} "
          f"pictures; PNG {len(box.image.value) / 1e3:.0f} kB")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--only", choices=["explorer", "gamma"], help="time one of the two only")
    opts = ap.parse_args()
    if opts.only != "gamma":
        main(opts.repeat)
    if opts.only != "explorer":
        gamma_slider(opts.repeat)
