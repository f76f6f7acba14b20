r"""The look of every figure of the course: one colour per optimizer, readable fonts, legends
outside the data, and the one :func:`new_axes`.

``COLORS`` maps each optimizer's ``color_key`` (see :mod:`course_lib.optimizers.registry`) to a
colour; :func:`color` looks an optimizer name up there. The 13 colours were chosen from the
colour-blind-safe sets of Okabe & Ito and of Paul Tol so that every pair stays apart (CIELAB
distance at least 17) for normal vision and under simulated deuteranopia and protanopia;
``tests/test_plotting_style.py`` checks it. A form that gives its partner's path (the averaged
momentum, Nesterov's framework form, AMSGrad, AdamW) is drawn dashed, on top.

:func:`use_course_style` sets a few ``rcParams`` once (fonts of 11-12 pt, legends of 10 pt),
so a figure projected in a lecture room stays readable; every plotting module that draws calls
it (importing this module alone loads no matplotlib: the explorer's widgets import it).
"""
from __future__ import annotations

import re

__all__ = ["COLORS", "OTHER_COLORS", "color", "color_of", "colors_for", "method_of",
           "linestyle_of", "new_axes", "axes_or_new", "legend_outside", "use_course_style", "RC"]

#: one colour per optimizer colour key, the same in every figure of the course
COLORS = {
    "SGD": "#000000",               # black
    "Momentum": "#0072b2",          # blue
    "AveragedMomentum": "#88ccee",  # light blue (dashed: heavy ball's path)
    "Nesterov": "#d55e00",          # vermillion
    "NesterovFramework": "#ee3377",  # magenta (dashed)
    "Adagrad": "#882255",           # wine
    "RMSprop": "#117733",           # green
    "Adadelta": "#ddcc77",          # sand
    "Rprop": "#009988",             # teal
    "Adam": "#e69f00",              # orange
    "AdaMax": "#332288",            # indigo
    "AMSGrad": "#6699cc",           # grey-blue (dashed)
    "AdamW": "#bbbbbb",             # grey (dashed)
}
#: colours for curves that are not an optimizer's run (a setting, a seed, a feature)
OTHER_COLORS = ["#4477aa", "#ee6677", "#228833", "#aa3377", "#777777", "#997700", "#ccbb44",
                "#66ccee"]
#: how lessons name some optimizers in their labels
ALIASES = {"gd": "SGD", "gradient descent": "SGD", "heavy ball": "Momentum",
           "heavy-ball": "Momentum"}

#: the rcParams set once (:func:`use_course_style`): readable when projected
RC = {"font.size": 11, "axes.titlesize": 12, "axes.labelsize": 11, "xtick.labelsize": 10,
      "ytick.labelsize": 10, "legend.fontsize": 10, "legend.title_fontsize": 10,
      "figure.titlesize": 12, "legend.framealpha": 0.85}
_styled = False


def use_course_style():
    """Set :data:`RC` in matplotlib's rcParams, once (a lesson may change them after)."""
    global _styled
    if not _styled:
        import matplotlib as mpl   # noqa: PLC0415
        mpl.rcParams.update(RC)
        _styled = True


def _registered() -> dict:
    """name -> colour key of every registered optimizer."""
    from ..optimizers.registry import OPTIMIZERS   # noqa: PLC0415 (the core; numpy only)
    return {name: cls.color_key for name, cls in OPTIMIZERS.items()}


def _names() -> list:
    """(what a label may start with, optimizer name): class names, display names and the
    lessons' aliases, longest first ("Momentum (averaged)" before "Momentum")."""
    from ..optimizers.registry import OPTIMIZERS   # noqa: PLC0415
    pairs = {name.lower(): name for name in OPTIMIZERS}
    pairs.update({cls.display_name.lower(): name for name, cls in OPTIMIZERS.items()})
    pairs.update(ALIASES)
    return sorted(pairs.items(), key=lambda p: -len(p[0]))


def color(name: str) -> str:
    """The course's colour for an optimizer (its class name or colour key).

    >>> color("Adam")
    '#e69f00'
    """
    key = _registered().get(name, name)
    if key not in COLORS:
        raise ValueError(f"name must be an optimizer of the registry ({', '.join(COLORS)}), "
                         f"got {name!r}")
    return COLORS[key]


def method_of(label: str) -> str | None:
    """The optimizer a plot label names, or None: a label that is, or starts with, a class
    name, a display name or a lesson's alias ("Adam, measured" -> Adam; "heavy ball" ->
    Momentum; "Momentum (averaged)" -> AveragedMomentum)."""
    text = re.sub(r"\$[^$]*\$", "", str(label)).strip().lower()
    for prefix, name in _names():
        if text == prefix or (text.startswith(prefix) and not text[len(prefix)].isalnum()):
            return name
    return None


def color_of(label: str, i: int = 0) -> str:
    """:func:`color` of the optimizer that `label` names; otherwise the `i`-th of
    ``OTHER_COLORS`` (for curves that are not an optimizer's run)."""
    name = method_of(label)
    return color(name) if name else OTHER_COLORS[i % len(OTHER_COLORS)]


def colors_for(labels) -> list:
    """One colour per label for curves drawn together: an optimizer's own colour the first
    time a label names it; ``OTHER_COLORS`` in turn for the rest (another curve of the same
    optimizer, or a curve that names none), so no two curves share a colour."""
    out, used, other = [], set(), 0
    for label in labels:
        name = method_of(label)
        if name is not None and name not in used:
            used.add(name)
            out.append(color(name))
        else:
            out.append(OTHER_COLORS[other % len(OTHER_COLORS)])
            other += 1
    return out


def linestyle_of(label: str) -> str:
    """Dashed for a form that gives its partner's path (so both stay visible; the
    optimizer's ``partner`` in the registry), else solid."""
    from ..optimizers.registry import OPTIMIZERS   # noqa: PLC0415
    name = method_of(label)
    return "--" if name and OPTIMIZERS[name].partner else "-"


def new_axes(ncols: int = 1, width: float = 7.0, height: float = 3.5, nrows: int = 1, **kw):
    """A small figure (dpi 80, constrained layout) with ``nrows`` x ``ncols`` axes; returns
    (fig, axes) as ``plt.subplots`` does."""
    import matplotlib.pyplot as plt   # noqa: PLC0415
    use_course_style()
    kw.setdefault("layout", "constrained")
    kw.setdefault("dpi", 80)
    return plt.subplots(nrows, ncols, figsize=(width, height), **kw)


def axes_or_new(ax=None, width: float = 7.0, height: float = 4.0):
    """`ax` itself, or the axes of a new figure of :func:`new_axes` (for helpers that draw on
    a given axes or make their own)."""
    return ax if ax is not None else new_axes(width=width, height=height)[1]


def legend_outside(ax, where: str | None = None, **kw):
    """The legend of `ax` beside the data (``where="right"``) or under it (``"below"``), so
    it never covers a curve; by default right of a lone panel, below a panel that has
    neighbours. Returns the legend (None if nothing is labelled)."""
    if where is None:
        where = "right" if len(ax.figure.axes) == 1 else "below"
    if where not in ("right", "below"):
        raise ValueError(f"where must be 'right', 'below' or None, got {where!r}")
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None
    if where == "right":
        kw = {"loc": "upper left", "bbox_to_anchor": (1.02, 1.0), **kw}
    else:
        # under the tick labels and the axis label: about 3 font sizes below the axes
        kw = {"loc": "upper center", "bbox_to_anchor": (0.5, 0.0), "borderaxespad": 3.3,
              "ncol": min(len(handles), 2), **kw}
    kw.setdefault("borderaxespad", 0.0)
    return ax.legend(handles, labels, **kw)
