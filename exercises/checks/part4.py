"""Hidden checks, part IV: choosing and tuning (lesson 13), see __init__.py.

Each question is split into graded cells worth 1-2 points each (q1a/q1b, q2a/q2b, q3a/q3b), so
a student who gets the main case right but slips on an edge keeps the points of the main case.

The expected values come from the independent numpy references below (vectorized, written
apart from the notebook's loop-style solution): ``schedule_ref``, ``pick_lr_ref``, ``clip_ref``
and ``train_ref``. tests/test_grading_selfchecks.py checks that they agree with the notebook's
reference solution and with course_lib (schedules.warmup_cosine, clipping.clip_by_norm).
"""
from __future__ import annotations

import math

import numpy as np

from checks import Case, Mismatch, Question, array, number
from runner import Input, _input_functions

PYTORCH_EPS = 1e-6          # clip_grad_norm_ adds this to the norm before dividing


# -- independent references (numpy, vectorized) ----------------------------------------------------

def schedule_ref(ts, lr, warmup, T, lr_min=0.0, start_factor=1 / 3):
    """eta_t for every t in ts: linear warm-up from start_factor * lr, then half a cosine from
    lr at t = warmup + 1 down to lr_min at t = T + 1, then lr_min."""
    t = np.asarray(ts, dtype=float)
    ramp = lr * (start_factor + (1 - start_factor) * (t - 1) / max(warmup, 1))   # eta (s + (1-s)(t-1)/w)
    u = np.clip(t - 1 - warmup, 0, T - warmup)             # updates done after the warm-up, capped
    arc = lr_min + (lr - lr_min) * 0.5 * (1 + np.cos(np.pi * u / (T - warmup)))
    return np.where(t <= warmup, ramp, arc)


def pick_lr_ref(lrs, losses, stop_factor=4.0, divide_by=10.0):
    """The range-test rule: the test ends at the first entry that is not finite or above
    stop_factor times the lowest earlier loss; the lowest loss before that (first of ties);
    its lr / divide_by."""
    lrs, losses = np.asarray(lrs, dtype=float), np.asarray(losses, dtype=float)
    finite = np.isfinite(losses)
    best_before = np.concatenate([[np.inf], np.minimum.accumulate(np.where(finite, losses, np.inf))[:-1]])
    ended = ~finite | (losses > stop_factor * best_before)
    end = int(np.argmax(ended)) if ended.any() else len(losses)
    return float(lrs[int(np.argmin(losses[:end]))] / divide_by)


def clip_ref(g, max_norm):
    """g * min(1, tau / (||g|| + 1e-6)), ||g|| over every entry."""
    g = np.asarray(g, dtype=float)
    return g * min(1.0, max_norm / (float(np.linalg.norm(g.ravel())) + PYTORCH_EPS))


def train_ref(grad, w0, steps, lr, warmup, max_norm=None):
    """Gradient descent with eta_t = schedule_ref(t, lr, warmup, steps), clipped gradients."""
    etas = schedule_ref(np.arange(1, steps + 1), lr, warmup, steps)
    w = np.array(w0, dtype=float)
    for eta in etas:
        g = grad(w)
        w = w - eta * (g if max_norm is None else clip_ref(g, max_norm))
    return w


# -- comparisons that say where the slip is, never the expected value ---------------------------

def _is_scalar_number(x) -> bool:
    if isinstance(x, (bool, np.bool_)):
        return False
    if isinstance(x, (int, float, np.integer, np.floating)):
        return True
    return isinstance(x, np.ndarray) and x.ndim == 0 and x.dtype.kind in "iuf"


def _phase(t, warmup, T):
    if t == 1 and warmup >= 1:
        return "t = 1, the first update (start_factor * lr)"
    if t <= warmup:
        return f"t = {t}, in the warm-up"
    if t == warmup + 1:
        return f"t = {t} = warmup + 1, the first update after the warm-up (the peak lr)"
    if t <= T:
        return f"t = {t}, in the cosine phase"
    if t == T + 1:
        return f"t = {t} = T + 1, where the cosine reaches lr_min"
    return f"t = {t}, past T + 1 (the step stays at lr_min)"


def schedule_values(expected, ts, warmup, T, hint=""):
    """The student's eta_t for each t in ts, against the reference values."""
    def cmp(got, ref, what="the result"):
        if not isinstance(got, (list, tuple)) or len(got) != len(ts):
            raise Mismatch(f"{what} should be one eta_t per t")      # the glue builds this list
        for t, g, e in zip(ts, got, expected):
            if g is None:
                raise Mismatch(f"warmup_cosine returned None at t = {t} (a missing `return`?)")
            if not _is_scalar_number(g):
                raise Mismatch(f"warmup_cosine should return a number, got {type(g).__name__} at t = {t}")
            g = float(g)
            if not math.isfinite(g):
                raise Mismatch(f"warmup_cosine is not finite at t = {t}")
            if not abs(g - e) <= 1e-12 + 1e-9 * abs(e):
                raise Mismatch(f"eta_t differs from the formula at {_phase(t, warmup, T)}"
                               + (f". Hint: {hint}" if hint else ""))
    return cmp


def picked(lrs, divide_by, hint):
    """pick_lr's number, with a kind hint when it is wrong."""
    base = number(rtol=1e-9, atol=0.0)

    def cmp(got, ref, what="the result"):
        try:
            base(got, ref, what)
        except Mismatch as exc:
            if _is_scalar_number(got) and divide_by != 1 and \
                    np.any(np.isclose(float(got), np.asarray(lrs, dtype=float), rtol=1e-9, atol=0)):
                raise Mismatch(f"{what} is one of the lrs itself: return that lr divided by "
                               "divide_by") from None
            raise Mismatch(f"{exc}. Hint: {hint}") from None
    return cmp


def clipped(g, max_norm):
    """clip_by_norm's array, naming the usual slips."""
    base = array(rtol=1e-9, atol=1e-12)
    g = np.asarray(g, dtype=float)
    norm = float(np.linalg.norm(g.ravel()))
    slips = [(np.clip(g, -max_norm, max_norm), "clip the length of the whole gradient, not each entry")]
    if norm > 0:
        slips.append((g * max_norm / norm, "add 1e-6 to the norm before dividing, as PyTorch does"
                      if norm > max_norm else
                      "a gradient shorter than max_norm is left as it is: c = min(1, ...)"))
        slips.append((g * max_norm / (norm + PYTORCH_EPS),
                      "a gradient shorter than max_norm is left as it is: c = min(1, ...)"))

    def cmp(got, ref, what="the clipped gradient"):
        try:
            base(got, ref, what)
        except Mismatch as exc:
            for wrong, hint in slips:
                if isinstance(got, np.ndarray) and got.shape == wrong.shape and \
                        np.allclose(got, wrong, rtol=1e-12, atol=1e-15):
                    raise Mismatch(f"{exc}. Hint: {hint}") from None
            raise
    return cmp


def with_hint(cmp, hint):
    """cmp, with a hint added to its message."""
    def wrapped(got, ref, what="the result"):
        try:
            cmp(got, ref, what)
        except Mismatch as exc:
            raise Mismatch(f"{exc}. Hint: {hint}") from None
    return wrapped


TRAIN_HINT = ("for t = 1, ..., steps: g = grad(w), clipped when max_norm is not None, then "
              "w = w - warmup_cosine(t, lr, warmup, steps) * g, starting from a copy of w0")


def against(expected, cmp):
    """Compare with the value of the independent reference (the notebook solution's own result,
    `ref`, is checked to agree with it by the tests)."""
    def wrapped(got, ref, what="the result"):
        cmp(got, expected, what)
    return wrapped


# -- Question 1: warm-up then cosine ---------------------------------------------------------------

GLUE_Q1 = ('def _grader_schedule(ts, lr, warmup, T, lr_min, start_factor):\n'
           '    return [warmup_cosine(t, lr, warmup, T, lr_min=lr_min, start_factor=start_factor) '
           'for t in ts]\n\n\n'
           'def _grader_schedule_defaults(ts, lr, warmup, T):\n'
           '    return [warmup_cosine(t, lr, warmup, T) for t in ts]\n')
# Question 3 (b) checks the training loop only: it runs with correct versions of the two
# functions of Questions 1 and 3 (a) in place of the student's (the notebook says so), so that a
# slip there costs its points once. Their formulas are printed in the questions: nothing secret.
GLUE_Q3B = (
    'def warmup_cosine(t, lr, warmup, T, lr_min=0.0, start_factor=1 / 3):\n'
    '    if t <= warmup:\n'
    '        return lr * (start_factor + (1 - start_factor) * (t - 1) / warmup)\n'
    '    u = min(t - 1 - warmup, T - warmup)\n'
    '    return lr_min + (lr - lr_min) * (1 + np.cos(np.pi * u / (T - warmup))) / 2\n\n\n'
    'def clip_by_norm(g, max_norm):\n'
    '    return g * min(1.0, max_norm / (float(np.sqrt(np.sum(g * g))) + 1e-6))\n')
GLUE = {"q1a_schedule": GLUE_Q1, "q1b_edge_cases": GLUE_Q1, "q3b_train": GLUE_Q3B}


def _config(rng, warmup=None, T=None, lr_min=None, start_factor=None):
    w = int(rng.integers(2, 11)) if warmup is None else warmup
    T = int(rng.integers(w + 3, w + 50)) if T is None else T
    lr = float(10 ** rng.uniform(-3, 0))
    lr_min = float(lr * rng.uniform(0.01, 0.3)) if lr_min is None else lr_min * lr
    s = float(rng.uniform(0.05, 0.9)) if start_factor is None else start_factor
    return lr, w, T, lr_min, s


def _schedule_case(label, ts, lr, w, T, lr_min, s, hint=""):
    ts = [int(t) for t in ts]
    return Case(f"{label}: warmup_cosine(t, lr = {lr:.4g}, warmup = {w}, T = {T}, lr_min = {lr_min:.4g}, "
                f"start_factor = {s:.3g}) for t = {ts[0]}..{ts[-1]}" if ts == list(range(ts[0], ts[-1] + 1))
                else f"{label}: warmup_cosine at t = {', '.join(map(str, ts))} (lr = {lr:.4g}, warmup = {w}, "
                     f"T = {T}, lr_min = {lr_min:.4g}, start_factor = {s:.3g})",
                call="_grader_schedule", args=[ts, lr, w, T, lr_min, s],
                compare=schedule_values(schedule_ref(ts, lr, w, T, lr_min, s), ts, w, T, hint))


def q1a(rng):
    cases = []
    for k, (lm, sf) in enumerate([(0.0, None), (None, None), (None, 1.0)]):
        lr, w, T, lr_min, s = _config(rng, lr_min=lm, start_factor=sf)
        what = ["a random run, lr_min = 0", "a random run with a floor lr_min > 0",
                "start_factor = 1 (a flat warm-up)"][k]
        cases.append(_schedule_case(what, range(1, T + 2), lr, w, T, lr_min, s,
                                    hint="t = 1 uses start_factor * lr, t = warmup + 1 the peak lr, "
                                         "and the cosine spans the T - warmup updates after the warm-up"))
    return cases


def q1b(rng):
    lr, w, T, lr_min, s = _config(rng)
    past = sorted({T + 2, T + 3, int(rng.integers(T + 4, 2 * T + 4)), 3 * T + 1, 10 * T})
    lr0, _, T0, lr_min0, s0 = _config(rng, warmup=0)
    lr1, _, T1, lr_min1, s1 = _config(rng, warmup=1)
    lr2, _, T2, _, _ = _config(rng)
    w2 = int(rng.integers(2, 6))
    ts2 = [1, 2, w2, w2 + 1, T2, T2 + 1]
    Tn = int(rng.integers(w + 5, w + 40))
    ts_np = [np.int64(t) for t in (1, w, w + 1, Tn)]
    return [
        _schedule_case("past the end of the run", past, lr, w, T, lr_min, s,
                       hint="from t = T + 1 on the step stays at lr_min (it does not climb back as "
                            "PyTorch's cosine does)"),
        _schedule_case("warmup = 0, a plain cosine", range(1, T0 + 2), lr0, 0, T0, lr_min0, s0,
                       hint="with warmup = 0 there is no warm-up: t = 1 already uses lr (and nothing "
                            "may divide by warmup)"),
        _schedule_case("warmup = 1", range(1, T1 + 2), lr1, 1, T1, lr_min1, s1,
                       hint="with warmup = 1 only t = 1 is in the warm-up"),
        Case(f"the defaults lr_min = 0 and start_factor = 1/3: warmup_cosine(t, {lr2:.4g}, {w2}, {T2}) "
             f"at t = {', '.join(map(str, ts2))}", call="_grader_schedule_defaults", args=[ts2, lr2, w2, T2],
             compare=schedule_values(schedule_ref(ts2, lr2, w2, T2), ts2, w2, T2,
                                     hint="keep the defaults of the def line: lr_min=0.0, start_factor=1/3")),
        Case(f"t given as a numpy integer, t = 1, {w}, {w + 1}, {Tn}", call="_grader_schedule",
             args=[ts_np, lr, w, Tn, lr_min, s],
             compare=schedule_values(schedule_ref([int(t) for t in ts_np], lr, w, Tn, lr_min, s),
                                     [int(t) for t in ts_np], w, Tn)),
    ]


# -- Question 2: reading a range test --------------------------------------------------------------

def _lrs(rng, n, geometric=True):
    lo = float(rng.uniform(-6, -3))
    hi = lo + float(rng.uniform(3, 6))
    return np.geomspace(10**lo, 10**hi, n) if geometric else np.linspace(10**lo, 10**hi, n)


def _u_curve(rng, n, rise=2.5, noise=0.01):
    """Flat, falling, then rising: never more than `rise` times its running minimum."""
    x = np.linspace(0, 1, n)
    c = float(rng.uniform(0.4, 0.8))
    base = float(rng.uniform(0.5, 3.0))
    shape = 1 + (rise - 1) * np.where(x < c, ((c - x) / c) ** 2 * 0.6, ((x - c) / (1 - c)) ** 2)
    return base * shape * (1 + noise * rng.standard_normal(n)) / (1 + 2 * noise)


def _dyadic(rng, n):
    """Losses that are exact binary fractions (so `==` and `>` are exact), between 9/8 and 3."""
    return (rng.integers(9, 25, size=n) / 8.0).astype(float)


def _pick_case(label, lrs, losses, hint, **kwargs):
    extra = "".join(f", {k} = {v:g}" for k, v in kwargs.items())
    expected = pick_lr_ref(lrs, losses, **kwargs)
    return Case(f"{label} ({len(lrs)} entries{extra})", call="pick_lr", args=[lrs, losses], kwargs=kwargs,
                compare=against(expected, picked(lrs, kwargs.get("divide_by", 10.0), hint)))


def q2a(rng):
    n = int(rng.integers(60, 140))
    lrs = _lrs(rng, n)
    cases = [_pick_case("a smooth curve with noise that never blows up", lrs, _u_curve(rng, n),
                        "take the lowest loss and divide its lr by divide_by")]
    m = int(rng.integers(20, 50))
    down = np.sort(rng.uniform(1.0, 3.5, size=m))[::-1].copy()
    cases.append(_pick_case("a curve still falling at its last entry", _lrs(rng, m), down,
                            "the lowest loss can be the last entry"))
    up = np.sort(rng.uniform(1.0, 3.5, size=m)).copy()
    cases.append(_pick_case("a curve rising from its first entry (never more than 4 times)", _lrs(rng, m), up,
                            "the lowest loss can be the first entry"))
    tie = _dyadic(rng, m)
    low = float(tie.min()) - 0.25                  # at least 7/8: 3 / low < 4, the test never ends
    where = np.sort(rng.choice(np.arange(1, m), size=3, replace=False))
    tie[where] = low
    cases.append(_pick_case("a curve whose lowest value occurs three times", _lrs(rng, m), tie,
                            "of equal lowest losses take the first (the smallest lr)"))
    k = int(rng.integers(30, 60))
    cases.append(_pick_case("a curve on evenly spaced lrs with other stop_factor and divide_by",
                            _lrs(rng, k, geometric=False), _u_curve(rng, k, rise=1.6),
                            "use the arguments stop_factor and divide_by, not the defaults",
                            stop_factor=2.0, divide_by=float(rng.choice([3.0, 5.0, 20.0]))))
    return cases


def q2b(rng):
    cases = []
    n = int(rng.integers(60, 140))
    lrs = _lrs(rng, n)
    # blows up: past the end the loss jumps above stop_factor * best, then (noise) dips lower
    curve = _u_curve(rng, n, rise=1.5)
    e = int(rng.integers(n // 2, n - 5))
    best = float(np.min(curve[:e]))
    curve[e] = best * float(rng.uniform(4.5, 8.0))
    curve[e + 1:] = best * rng.uniform(0.2, 0.9, size=n - e - 1)
    cases.append(_pick_case("a curve that blows up, then dips lower (the dip comes after the end)", lrs, curve,
                            "the test ends at the first loss above stop_factor times the lowest loss "
                            "before it; later entries do not count, even lower ones"))
    for bad, what in ((np.nan, "NaN"), (np.inf, "an infinite loss")):
        m = int(rng.integers(30, 80))
        curve = _u_curve(rng, m, rise=1.5)
        e = int(rng.integers(m // 3, m - 5))
        curve[e] = bad
        curve[e + 1:] = float(np.min(curve[:e])) * rng.uniform(0.1, 0.9, size=m - e - 1)
        if bad is np.nan:
            curve[e + 1::2] = np.nan
        cases.append(_pick_case(f"a curve with {what} in the middle, lower finite values after it",
                                _lrs(rng, m), curve,
                                "a loss that is not finite (np.isfinite is False) ends the test; "
                                "np.argmin and np.nanargmin do not stop there"))
    # exactly stop_factor times the lowest earlier loss: still part of the test
    m = int(rng.integers(12, 30))
    factor = float(rng.choice([2.0, 4.0, 8.0]))
    curve = np.full(m, 4.0)
    i, j = int(rng.integers(2, m // 2)), int(rng.integers(m // 2 + 2, m - 1))
    curve[:i] = np.linspace(6.0, 4.5, i)
    curve[i] = 0.5
    curve[i + 1] = 0.5 * factor
    curve[i + 2:] = 0.5 * factor
    curve[j] = 0.25
    cases.append(_pick_case("a loss exactly stop_factor times the lowest earlier loss (not more)",
                            _lrs(rng, m), curve, "only a loss MORE than stop_factor times the lowest "
                            "earlier loss ends the test; equal to it does not", stop_factor=factor))
    # a bumpy start: high, higher (but within 4x of the running best), then the real minimum
    m = int(rng.integers(20, 50))
    curve = _u_curve(rng, m, rise=1.5) * 0.25
    first = float(rng.uniform(8.0, 12.0))
    curve[0], curve[1] = first, first * float(rng.uniform(2.5, 3.9))
    cases.append(_pick_case("a bumpy start, the lowest loss much later", _lrs(rng, m), curve,
                            "compare each loss with the lowest loss BEFORE it (a running minimum), "
                            "not with the lowest loss of the whole curve"))
    cases.append(Case("lr_picked, your pick on this part's range test (LRS, LOSSES)", value="lr_picked",
                      compare=number(rtol=1e-9, atol=0.0)))
    # a jump between 2 and 4 times the lowest loss: it ends the test at stop_factor = 2 only
    m = int(rng.integers(20, 40))
    e = int(rng.integers(m // 3, m - 5))
    jump = np.concatenate([np.linspace(2.0, 1.0, e), [float(rng.uniform(2.5, 3.5))],
                           rng.uniform(0.3, 0.9, size=m - e - 1)])
    cases.append(_pick_case("a jump to about 3 times the lowest loss, with stop_factor = 2",
                            _lrs(rng, m), jump, "the test ends at the first loss above stop_factor "
                            "times the lowest earlier loss: use the argument, not 4",
                            stop_factor=2.0))
    return cases


# -- Question 3: clipping, and training with the schedule ----------------------------------------

def q3a(rng):
    cases = []
    for shape, scale, label in [((int(rng.integers(3, 9)),), 10.0, "a long gradient vector"),
                                ((int(rng.integers(2, 5)), int(rng.integers(2, 5))), 10.0,
                                 "a long gradient matrix (the norm runs over every entry)"),
                                ((int(rng.integers(3, 9)),), 0.05, "a short gradient (left as it is)")]:
        g = rng.normal(size=shape) * scale
        tau = float(rng.uniform(0.5, 3.0))
        cases.append(Case(f"clip_by_norm on {label}, max_norm = {tau:.3g}", call="clip_by_norm",
                          args=[g, tau], compare=against(clip_ref(g, tau), clipped(g, tau)),
                          return_args=[0]))
    z = np.zeros(int(rng.integers(2, 6)))
    cases.append(Case("clip_by_norm on a zero gradient", call="clip_by_norm", args=[z, 1.0],
                      compare=against(clip_ref(z, 1.0), clipped(z, 1.0))))
    g = rng.normal(size=4)
    tau = float(np.linalg.norm(g)) * float(rng.uniform(0.6, 0.9))
    cases.append(Case("clip_by_norm just above max_norm", call="clip_by_norm", args=[g, tau],
                      compare=against(clip_ref(g, tau), clipped(g, tau))))
    return cases


def q3b(rng):
    fns = _input_functions()
    cases = []
    n = int(rng.integers(2, 5))
    A = np.diag(rng.uniform(0.5, 10, size=n))
    lam = float(A.max())
    w0 = rng.normal(size=n) * 3
    for label, lr, warmup, steps, tau in [
            ("a random quadratic, clipped at max_norm", 1.0 / lam, int(rng.integers(2, 6)),
             int(rng.integers(20, 40)), float(rng.uniform(0.5, 2.0))),
            ("a random quadratic, max_norm = None (no clipping)", 1.0 / lam, int(rng.integers(2, 6)),
             int(rng.integers(20, 40)), None),
            ("a random quadratic, warmup = 0", 1.0 / lam, 0, int(rng.integers(20, 40)), float(rng.uniform(1, 3))),
            ("a random quadratic at a peak lr above 2 / lambda_max, clipped", 3.0 / lam,
             int(rng.integers(2, 6)), int(rng.integers(40, 80)), float(rng.uniform(0.5, 2.0)))]:
        grad = fns["__matvec__"](A)
        cases.append(Case(f"train on {label} (lr = {lr:.3g}, warmup = {warmup}, {steps} steps"
                          + (f", max_norm = {tau:.3g})" if tau is not None else ")"),
                          call="train", args=[Input("__matvec__", A), w0, steps, lr, warmup, tau],
                          compare=against(train_ref(grad, w0, steps, lr, warmup, tau),
                                          with_hint(array(rtol=1e-8, atol=1e-10), TRAIN_HINT)),
                          return_args=[1]))
    N = int(rng.integers(30, 80))
    X = np.column_stack([rng.normal(size=N), 5 * rng.normal(size=N), np.ones(N)])
    y = (rng.uniform(size=N) < 0.5).astype(float)
    w0 = rng.normal(size=3) * 0.1
    steps, lr, tau = int(rng.integers(20, 50)), float(rng.uniform(0.05, 0.3)), float(rng.uniform(0.1, 0.5))
    cases.append(Case(f"train on a random logistic regression ({steps} steps, lr = {lr:.3g}, warmup = 5, "
                      f"max_norm = {tau:.3g})", call="train",
                      args=[Input("__logistic__", X, y), w0, steps, lr, 5, tau],
                      compare=against(train_ref(fns["__logistic__"](X, y), w0, steps, lr, 5, tau),
                                      with_hint(array(rtol=1e-8, atol=1e-10), TRAIN_HINT)),
                      return_args=[1]))
    return cases


QUESTIONS = [
    Question("q1a_schedule", ("q1_code",), q1a),
    Question("q1b_edge_cases", ("q1_code",), q1b),
    Question("q2a_pick_lr", ("q2_code",), q2a),
    Question("q2b_end_of_test", ("q2_code",), q2b),
    Question("q3a_clip", ("q3_code",), q3a),
    Question("q3b_train", ("q1_code", "q3_code"), q3b),
]
