r"""An interactive explorer of the optimizers on the test functions  [VO-2].

Pick a function, one or several optimizers, the step sizes, the momentum $\gamma$, Adam's
$\beta_1, \beta_2$, the number of steps and the start point; the picture follows each change
with one redraw. Every run goes through :func:`course_lib.trace.minimize`, which stops at
divergence and says so: the explorer then shows the path up to the last finite point, a cross
at its end and a message. No callback raises, whatever the sliders say.

How a change becomes a picture: all drawing is done by
:class:`course_lib.plotting.canvas.TrajectoryCanvas` (this module imports no
matplotlib). The background (contours, axes, legend) is drawn once per function and legend
and kept, so switching back to a function costs no drawing; a change only moves the lines'
data (``set_data``) and redraws them over the kept background, then the PNG (a 64-colour
palette PNG, about 20 kB) goes into an ``ipywidgets.Image`` shown at the PNG's own pixel
size (never stretched). This needs no interactive
matplotlib backend (ipympl), works headless (the tests set widget values and read the
model), and ``benchmarks/explorer_redraw.py`` times it (figures in ``benchmarks/README.md``).

Two step sizes, because the two families read ``lr`` differently:

==================  ==============================================  =========================
box                 goes to                                         meaning of lr
==================  ==============================================  =========================
``lr``              SGD, Momentum (both forms), Nesterov (both)     multiplies the gradient
``lr (adaptive)``   Adagrad, RMSprop, Rprop, Adam, AdaMax, AMSGrad,  about the distance moved
                    AdamW (the classes with ``adaptive = True``)     per coordinate and step
==================  ==============================================  =========================

``gamma`` goes to every optimizer that takes a ``gamma`` (momentum, and RMSprop's averaging
weight), ``beta1``/``beta2`` to the Adam family; a class with ``takes_lr = False`` (Zeiler's
Adadelta) gets no step size. :func:`course_lib.optimizers.registry.build` sorts this out.

The step sizes and the start point are number boxes, not sliders: a slider keeps only the
values of its grid, and the browser moves a starting value onto the nearest one (Rosenbrock's
step 8.33e-4 became 7.94e-4, Beale's start (1, 1.4) became (0.99, 1.397); the saddle's
start y = 1e-3 lies far between the points of a grid 0.015 apart), so the live runs would
differ from the lesson's. Choosing a function, or the button "defaults for this function",
puts exactly that function's start, step sizes and number of updates into the boxes.
"""
from __future__ import annotations

import base64
import contextlib
import html

import numpy as np

from ..landscapes import all_landscapes
from ..optimizers.registry import OPTIMIZERS, build
from ..trace import minimize

__all__ = ["Explorer", "build_optimizer", "DEFAULTS"]

#: the explorer's hyperparameters other than the step sizes, as the button resets them
DEFAULTS = {"gamma": 0.9, "beta1": 0.9, "beta2": 0.999}


def build_optimizer(cls, lr: float, lr_adaptive: float, gamma: float, beta1: float,
                    beta2: float):
    """An optimizer of class `cls` from the explorer's values: ``lr_adaptive`` for a class
    with ``adaptive = True``, else ``lr``; every other value to the classes that take it
    (:func:`course_lib.optimizers.registry.build` drops the rest, and lr where
    ``takes_lr`` is False)."""
    step = lr_adaptive if getattr(cls, "adaptive", False) else lr
    return build(cls, lr=step, gamma=gamma, beta1=beta1, beta2=beta2)


class Explorer:
    """The explorer: ``Explorer()`` in a notebook cell shows it.

    Parameters: `landscapes` (name -> Landscape; default the five of lesson 09), `optimizers`
    (name -> optimizer class; default the registry's), the initially `selected` optimizer
    names, the starting `function`, and `steps` (default: the function's own ``steps``).

    For tests and scripts the parts are attributes: the widgets (``function``, ``methods``,
    ``lr``, ``lr_adaptive``, ``gamma``, ``beta1``, ``beta2``, ``steps``, ``x0``, ``y0``), the
    outputs (``image``, ``message``), the runs of the last redraw (``traces``), the figure
    (``canvas``), a count of redraws (``redraws``) and of optimizer runs computed (``runs``;
    a change reruns only the optimizers whose hyperparameters it touched).
    """

    def __init__(self, landscapes=None, optimizers=None, selected=("SGD", "Momentum", "Adam"),
                 function: str = "Rosenbrock", steps: int | None = None, figsize=(6.4, 4.2),
                 dpi: int = 80):
        import ipywidgets as w   # noqa: PLC0415 (only the live part needs widgets)
        from ..plotting.canvas import TrajectoryCanvas   # noqa: PLC0415

        self.landscapes = dict(landscapes or all_landscapes())
        self.classes = dict(optimizers or OPTIMIZERS)
        if function not in self.landscapes:
            raise ValueError(f"function must be one of {', '.join(self.landscapes)}, "
                             f"got {function!r}")
        unknown = [s for s in selected if s not in self.classes]
        if unknown or not selected:
            raise ValueError(f"selected must name optimizers among {', '.join(self.classes)}, "
                             f"got {list(selected)!r}")
        L = self.landscapes[function]
        steps = int(L.steps if steps is None else steps)
        if not 1 <= steps <= 5000:
            raise ValueError(f"steps must be in [1, 5000], got {steps}")
        self.traces, self.redraws, self.runs, self._holding = {}, 0, 0, False
        self._cache = {}
        style = {"description_width": "95px"}
        lay = w.Layout(width="330px")

        self.function = w.Dropdown(options=list(self.landscapes), value=function,
                                   description="function", style=style, layout=lay)
        self.methods = w.SelectMultiple(options=list(self.classes), value=tuple(selected),
                                        rows=7, description="optimizers", style=style,
                                        layout=lay)
        self.lr = w.BoundedFloatText(value=L.lr_gd, min=1e-6, max=10.0, step=1e-4,
                                     description="lr", style=style, layout=lay)
        self.lr_adaptive = w.BoundedFloatText(value=L.lr_adaptive, min=1e-6, max=10.0,
                                              step=1e-3, description="lr (adaptive)",
                                              style=style, layout=lay)
        self.gamma = w.FloatSlider(value=DEFAULTS["gamma"], min=0.0, max=0.99, step=0.01,
                                   description="gamma", style=style, layout=lay)
        self.beta1 = w.FloatSlider(value=DEFAULTS["beta1"], min=0.0, max=0.99, step=0.01,
                                   description="beta1", style=style, layout=lay)
        self.beta2 = w.FloatSlider(value=DEFAULTS["beta2"], min=0.9, max=0.9999, step=0.0001,
                                   readout_format=".4f", description="beta2", style=style,
                                   layout=lay)
        self.steps = w.IntSlider(value=steps, min=1, max=5000, description="steps",
                                 style=style, layout=lay)
        self.x0 = w.BoundedFloatText(description="start x", style=style, layout=lay)
        self.y0 = w.BoundedFloatText(description="start y", style=style, layout=lay)
        self.reset = w.Button(description="defaults for this function", layout=lay)
        self.message = w.HTML()
        self.canvas = TrajectoryCanvas(figsize=figsize, dpi=dpi)
        width, height = self.canvas.size_px          # shown at the PNG's own size
        self.image = w.Image(format="png", width=width, height=height,
                             layout=w.Layout(width=f"{width}px", height=f"{height}px",
                                             min_width=f"{width}px", object_fit="none",
                                             flex="0 0 auto"))

        with self._hold():
            self._apply_defaults(L, steps)
        self.canvas.set_landscape(L)

        self.function.observe(self._on_function, names="value")
        for wd in (self.methods, self.lr, self.lr_adaptive, self.gamma, self.beta1, self.beta2,
                   self.steps, self.x0, self.y0):
            wd.observe(self._on_change, names="value")
        self.reset.on_click(self._on_reset)
        controls = w.VBox([self.function, self.methods, self.lr, self.lr_adaptive, self.gamma,
                           self.beta1, self.beta2, self.steps, self.x0, self.y0, self.reset])
        self.widget = w.VBox([w.HBox([controls, self.image],
                                     layout=w.Layout(align_items="flex-start")), self.message])
        self.update()

    # -- callbacks ------------------------------------------------------------------------
    @contextlib.contextmanager
    def _hold(self):
        """Programmatic changes inside this block trigger no redraw."""
        old, self._holding = self._holding, True
        try:
            yield
        finally:
            self._holding = old

    @staticmethod
    def _set_box(box, lo, hi, value):
        """Bounds first (widened so the old value stays legal), then exactly `value`."""
        box.min, box.max = min(lo, box.min), max(hi, box.max)
        box.value = float(value)
        box.min, box.max = lo, hi
        box.step = (hi - lo) / 100

    def _apply_defaults(self, L, steps=None):
        """Exactly the landscape's start, step sizes and number of updates."""
        (xa, xb), (ya, yb) = L.window
        self._set_box(self.x0, xa, xb, L.start[0])
        self._set_box(self.y0, ya, yb, L.start[1])
        self.lr.value = L.lr_gd
        self.lr_adaptive.value = L.lr_adaptive
        self.steps.value = int(L.steps if steps is None else steps)

    def _on_function(self, change):
        L = self.landscapes[change["new"]]
        with self._hold():
            self._apply_defaults(L)
        self.canvas.set_landscape(L)
        self.update()

    def _on_reset(self, _button=None):
        L = self.landscapes[self.function.value]
        with self._hold():
            self._apply_defaults(L)
            for name, value in DEFAULTS.items():
                getattr(self, name).value = value
        self.update()

    def _on_change(self, change):
        if not self._holding:
            self.update()

    # -- the one redraw -------------------------------------------------------------------
    def run(self):
        """Run every selected optimizer; returns (traces, notes). Never raises: a refused
        hyperparameter or a failing run becomes a note."""
        L = self.landscapes[self.function.value]
        w0 = np.array([self.x0.value, self.y0.value], dtype=float)
        traces, notes = {}, []
        for name in self.methods.value:
            try:
                opt = build_optimizer(self.classes[name], self.lr.value,
                                      self.lr_adaptive.value, self.gamma.value,
                                      self.beta1.value, self.beta2.value)
                # a run depends only on what its optimizer takes: moving beta2 does not
                # recompute SGD (the cache keeps the last runs)
                key = (self.function.value, name, repr(opt), tuple(w0), int(self.steps.value))
                tr = self._cache.get(key)
                if tr is None:
                    tr = minimize(opt, L.grad, w0, int(self.steps.value))
                    self._cache[key] = tr
                    self.runs += 1
                    while len(self._cache) > 64:
                        self._cache.pop(next(iter(self._cache)))
            except Exception as exc:   # noqa: BLE001 -- shown, never raised
                notes.append(f"{name}: {exc}")
                continue
            traces[name] = tr
            if tr.diverged:
                notes.append(f"{name} {tr.message}; path shown up to update "
                             f"{tr.diverged_at - 1}")
        return traces, notes

    def update(self):
        """Recompute the runs and redraw once (called by every widget change)."""
        L = self.landscapes[self.function.value]
        try:
            traces, notes = self.run()
            short = [f"{n}: diverged at update {t.diverged_at}" for n, t in traces.items()
                     if t.diverged]
            if len(short) > 3:
                short = short[:2] + [f"... and {len(short) - 2} more"]
            self.canvas.set_paths(traces, message="\n".join(short))
            self.image.value = self.canvas.render()
            rows = []
            for name, tr in traces.items():
                ws = np.asarray(tr.ws, dtype=float)
                gap = float(L.loss(ws[-1]) - L.min_value)
                rows.append(f"<tr><td>{html.escape(name)}</td><td>{len(ws) - 1}</td>"
                            f"<td>{gap:.3g}</td><td>{'diverged' if tr.diverged else ''}</td></tr>")
            table = ("<table><tr><th>optimizer</th><th>updates</th><th>f(W) - f*</th><th></th>"
                     "</tr>" + "".join(rows) + "</table>")
            warn = "".join(f"<div style='color:#b00'>&#9888; {html.escape(n)}</div>"
                           for n in notes)
            self.message.value = warn + table
        except Exception as exc:   # noqa: BLE001 -- the explorer never dies on a slider
            traces = {}
            self.message.value = (f"<div style='color:#b00'>&#9888; could not draw: "
                                  f"{html.escape(repr(exc))}</div>")
        self.traces = traces
        self.redraws += 1

    # -- display ----------------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def snapshot_html(self) -> str:
        """The current picture as an <img> inside a folded <details>, for static readers."""
        data = base64.b64encode(self.image.value).decode("ascii")
        width, height = self.canvas.size_px
        return ("<details><summary>Static snapshot of the explorer (for readers without a "
                "kernel)</summary>"
                f"<img src='data:image/png;base64,{data}' width='{width}' height='{height}' "
                "alt='explorer snapshot'/></details>")

    def show(self):
        """Display the live explorer and, for static readers, a folded snapshot."""
        from IPython.display import HTML, display   # noqa: PLC0415
        display(self.widget)
        display(HTML(self.snapshot_html()))
