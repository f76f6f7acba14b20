r"""An interactive explorer of the optimizers on the test functions  [VO-2].

Pick a function, one or several optimizers, the step sizes, the momentum $\gamma$, Adam's
$\beta_1, \beta_2$, the number of steps and the start point; the picture follows each change
with one redraw. Every run goes through :func:`course_lib.trace.minimize`, which stops at
divergence and says so: the explorer then shows the path up to the last finite point, a cross
at its end and a message. No callback raises, whatever the sliders say.

How a change becomes a picture: all drawing is done by
:class:`course_lib.plotting.landscapes.TrajectoryCanvas` (this module imports no
matplotlib). The background (contours, axes, legend) is drawn once per function and legend
and kept, so switching back to a function costs no drawing; a change only moves the lines'
data (``set_data``) and redraws them over the kept background, then the PNG (a 64-colour
palette PNG, about 20 kB) goes into an ``ipywidgets.Image``. This needs no interactive
matplotlib backend (ipympl), works headless (the tests set widget values and read the
model), and ``benchmarks/explorer_redraw.py`` times it (figures in ``benchmarks/README.md``).

Two step-size sliders, because the two families read ``lr`` differently:

==================  ==============================================  =========================
slider              goes to                                         meaning of lr
==================  ==============================================  =========================
``lr``              SGD, Momentum (both forms), Nesterov (both)     multiplies the gradient
``lr (adaptive)``   Adagrad, RMSprop, Rprop, Adam, AdaMax, AMSGrad,  about the distance moved
                    AdamW (every name in ``landscapes.ADAPTIVE``)    per coordinate and step
==================  ==============================================  =========================

``gamma`` goes to every optimizer that takes a ``gamma`` (momentum, and RMSprop's averaging
weight), ``beta1``/``beta2`` to the Adam family; Adadelta keeps Zeiler's form (no step size).
"""
from __future__ import annotations

import base64
import contextlib
import html

import numpy as np

from ..landscapes import ADAPTIVE, accepted_kwargs, all_landscapes, optimizer_classes
from ..trace import minimize

__all__ = ["Explorer", "build_optimizer"]

#: optimizers that get no step size from the sliders (Zeiler's Adadelta has none)
NO_LR = frozenset({"Adadelta"})


def build_optimizer(cls, name: str, lr: float, lr_adaptive: float, gamma: float,
                    beta1: float, beta2: float):
    """An optimizer of class `cls` from the explorer's slider values: each argument goes to the
    optimizers whose constructor takes it (see the module docstring)."""
    kw = {"gamma": gamma, "beta1": beta1, "beta2": beta2}
    if name not in NO_LR:
        kw["lr"] = lr_adaptive if name in ADAPTIVE else lr
    return cls(**accepted_kwargs(cls, **kw))


class Explorer:
    """The explorer: ``Explorer()`` in a notebook cell shows it.

    Parameters: `landscapes` (name -> Landscape; default the five of lesson 09), `optimizers`
    (name -> optimizer class; default every class of :mod:`course_lib.optimizers`), the
    initially `selected` optimizer names, the starting `function`, and `steps`.

    For tests and scripts the parts are attributes: the widgets (``function``, ``methods``,
    ``lr``, ``lr_adaptive``, ``gamma``, ``beta1``, ``beta2``, ``steps``, ``x0``, ``y0``), the
    outputs (``image``, ``message``), the runs of the last redraw (``traces``), the figure
    (``canvas``), a count of redraws (``redraws``) and of optimizer runs computed (``runs``;
    a change reruns only the optimizers whose hyperparameters it touched).
    """

    def __init__(self, landscapes=None, optimizers=None, selected=("SGD", "Momentum", "Adam"),
                 function: str = "Rosenbrock", steps: int = 200, figsize=(6.4, 4.2),
                 dpi: int = 80):
        import ipywidgets as w   # noqa: PLC0415 (only the live part needs widgets)
        from ..plotting.landscapes import TrajectoryCanvas   # noqa: PLC0415

        self.landscapes = dict(landscapes or all_landscapes())
        self.classes = dict(optimizers or optimizer_classes())
        if function not in self.landscapes:
            raise ValueError(f"function must be one of {', '.join(self.landscapes)}, "
                             f"got {function!r}")
        unknown = [s for s in selected if s not in self.classes]
        if unknown or not selected:
            raise ValueError(f"selected must name optimizers among {', '.join(self.classes)}, "
                             f"got {list(selected)!r}")
        steps = int(steps)
        if not 1 <= steps <= 5000:
            raise ValueError(f"steps must be in [1, 5000], got {steps}")
        L = self.landscapes[function]
        self.traces, self.redraws, self.runs, self._holding = {}, 0, 0, False
        self._cache = {}
        style = {"description_width": "95px"}
        lay = w.Layout(width="330px")

        self.function = w.Dropdown(options=list(self.landscapes), value=function,
                                   description="function", style=style, layout=lay)
        self.methods = w.SelectMultiple(options=list(self.classes), value=tuple(selected),
                                        rows=7, description="optimizers", style=style,
                                        layout=lay)
        self.lr = w.FloatLogSlider(value=L.lr_gd, base=10, min=-5, max=1, step=0.05,
                                   description="lr", readout_format=".2e", style=style,
                                   layout=lay)
        self.lr_adaptive = w.FloatLogSlider(value=L.lr_adaptive, base=10, min=-4, max=1,
                                            step=0.05, description="lr (adaptive)",
                                            readout_format=".2e", style=style, layout=lay)
        self.gamma = w.FloatSlider(value=0.9, min=0.0, max=0.99, step=0.01, description="gamma",
                                   style=style, layout=lay)
        self.beta1 = w.FloatSlider(value=0.9, min=0.0, max=0.99, step=0.01, description="beta1",
                                   style=style, layout=lay)
        self.beta2 = w.FloatSlider(value=0.999, min=0.9, max=0.9999, step=0.0001,
                                   readout_format=".4f", description="beta2", style=style,
                                   layout=lay)
        self.steps = w.IntSlider(value=steps, min=1, max=2000, description="steps",
                                 style=style, layout=lay)
        self.x0 = w.FloatSlider(description="start x", style=style, layout=lay)
        self.y0 = w.FloatSlider(description="start y", style=style, layout=lay,
                                readout_format=".3f")
        self.reset = w.Button(description="defaults for this function", layout=lay)
        self.message = w.HTML()
        self.image = w.Image(format="png")
        self.canvas = TrajectoryCanvas(figsize=figsize, dpi=dpi)

        with self._hold():
            self._apply_defaults(L)
        self.canvas.set_landscape(L)

        self.function.observe(self._on_function, names="value")
        for wd in (self.methods, self.lr, self.lr_adaptive, self.gamma, self.beta1, self.beta2,
                   self.steps, self.x0, self.y0):
            wd.observe(self._on_change, names="value")
        self.reset.on_click(self._on_reset)
        controls = w.VBox([self.function, self.methods, self.lr, self.lr_adaptive, self.gamma,
                           self.beta1, self.beta2, self.steps, self.x0, self.y0, self.reset])
        self.widget = w.VBox([w.HBox([controls, self.image]), self.message])
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
    def _set_range(slider, lo, hi, value):
        slider.min = min(lo, slider.min)      # widen first: ipywidgets refuses max < min
        slider.max = hi
        slider.min = lo
        slider.step = (hi - lo) / 400
        slider.value = float(np.clip(value, lo, hi))

    def _apply_defaults(self, L):
        (xa, xb), (ya, yb) = L.window
        self._set_range(self.x0, xa, xb, L.start[0])
        self._set_range(self.y0, ya, yb, L.start[1])
        self.lr.value = L.lr_gd
        self.lr_adaptive.value = L.lr_adaptive

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
            self.gamma.value, self.beta1.value, self.beta2.value = 0.9, 0.9, 0.999
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
                opt = build_optimizer(self.classes[name], name, self.lr.value,
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
        return ("<details><summary>Static snapshot of the explorer (for readers without a "
                "kernel)</summary>"
                f"<img src='data:image/png;base64,{data}' alt='explorer snapshot'/></details>")

    def show(self):
        """Display the live explorer and, for static readers, a folded snapshot."""
        from IPython.display import HTML, display   # noqa: PLC0415
        display(self.widget)
        display(HTML(self.snapshot_html()))
