"""Lesson 09's claims about the races (and those of its deep dive, 09b), checked again on the
library's own code, and each shown to FAIL when the claim is changed [VO-1].

* At eta = 1/L (the library's suggested ``lr_gd`` for the long valley and the quadratic) SGD and
  Nesterov remove the steep direction's error in one update: an artefact of that step size.
  At 0.8/L the swing across the valley shrinks by sqrt(gamma (1 - h)) per update (Nesterov),
  sqrt(gamma) (momentum) and |1 - h| (SGD).
* RMSprop's late spikes on Beale's function come from G forgetting (its step size grows by
  gamma^-1/2 per update until P_t H passes 2), not from the missing bias correction.
* AdamW's miss on Beale's function is the decay's bias: its resting point
  grad f(W) + lambda W (sqrt(v_hat) + eps) = 0 is outside the tolerance at update 600.
* The stored outputs stay readable: no math block of a proof is longer than MathJax handles
  (issue 16: one 10 kB block failed with "internal buffer size exceeded"); the figures keep
  one colour per method (with the library's default palette of 48 colours, Momentum's blue is
  drawn in Rprop's teal); the animations are large enough to read when projected.
"""
from __future__ import annotations

import dataclasses
import json
import pathlib
import re

import numpy as np
import pytest
import sympy as sp

from course_lib import landscapes as LS
from course_lib.optimizers import SGD, Adam, Nesterov
from course_lib.optimizers.registry import adaptive_names
from course_lib.proofs import ProofError, check_equal
from course_lib.trace import minimize

TOL = 1e-3
lam, w0, gam = sp.symbols("lambda w_0 gamma", positive=True)


# -- the step-size coincidence ----------------------------------------------------------------

def claim_solved_in_one_update(opt):
    ws = minimize(opt, grad=lambda w: lam * w, w0=w0, steps=3).ws     # the library, on symbols
    for k in (1, 2, 3):
        check_equal(ws[k], 0, f"{type(opt).__name__}: W_{k} = 0")


def test_at_one_over_L_sgd_and_nesterov_solve_the_steep_direction_at_once():
    claim_solved_in_one_update(SGD(lr=1 / lam))
    claim_solved_in_one_update(Nesterov(lr=1 / lam, gamma=gam))


def test_below_one_over_L_they_do_not():
    with pytest.raises(ProofError, match="W_1 = 0"):
        claim_solved_in_one_update(SGD(lr=sp.Rational(4, 5) / lam))
    with pytest.raises(ProofError, match="W_1 = 0"):
        claim_solved_in_one_update(Nesterov(lr=sp.Rational(4, 5) / lam, gamma=gam))


def valley_runs(frac):
    V = LS.long_valley()
    V = dataclasses.replace(V, lr_gd=frac / V.params["k"])
    return V, {o: minimize(opt, V.grad, V.start, V.steps)
               for o, opt in LS.lineup(V, ["SGD", "Momentum", "Nesterov"]).items()}


def test_library_suggests_exactly_one_over_L_for_valley_and_quadratic():
    V, Q = LS.long_valley(), LS.quadratic()
    assert V.lr_gd * V.params["k"] == 1 and Q.lr_gd * Q.params["kappa"] == 1


def test_nesterov_zero_swing_is_an_artefact_of_eta_one_over_L():
    _, at_one = valley_runs(1.0)
    assert np.all(at_one["Nesterov"].ws[1:, 1] == 0)              # |y| = 0 at once: the artefact
    _, below = valley_runs(0.8)
    assert np.abs(below["Nesterov"].ws[10:, 1]).max() > 1e-6      # a real, fast-decaying swing


def test_swing_across_the_valley_shrinks_at_the_predicted_rates():
    V, runs = valley_runs(0.8)
    h, g = 0.8, 0.9
    predicted = {"SGD": abs(1 - h), "Momentum": np.sqrt(g), "Nesterov": np.sqrt(g * (1 - h))}
    for o, rho in predicted.items():
        ys = np.abs(runs[o].ws[:, 1])
        measured = (ys[15:25].max() / ys[5:15].max()) ** (1 / 10)
        assert measured == pytest.approx(rho, rel=0.02), o
    # the claim "damps at once" fails: Nesterov's factor is 0.42, not 0
    ys = np.abs(runs["Nesterov"].ws[:, 1])
    assert (ys[15:25].max() / ys[5:15].max()) ** (1 / 10) > 0.3


# -- RMSprop's spikes ------------------------------------------------------------------------------

def hessians(L, ws, h=1e-5):
    return np.stack([(L.grad(ws + h * e) - L.grad(ws - h * e)) / (2 * h) for e in np.eye(2)], axis=-1)


def exits_from_tolerance(gap):
    k_in = int(np.argmax(gap <= TOL))
    return k_in, [k for k in range(k_in + 1, len(gap)) if gap[k] > TOL >= gap[k - 1]]


@pytest.fixture(scope="module")
def rmsprop_on_beale():
    B = LS.beale()
    rms = LS.lineup(B, ["RMSprop"])["RMSprop"]
    tr = minimize(rms, B.grad, B.start, B.steps, keep_states=True)
    P = np.array([rms.lr / (np.sqrt(s.G) + rms.eps) for s in tr.states[1:]])
    sq = np.sqrt(P)
    lam_max = np.linalg.eigvalsh(sq[:, :, None] * hessians(B, tr.ws[:-1]) * sq[:, None, :])[:, -1]
    return B, rms, tr, P, lam_max


def test_rmsprop_spikes_follow_the_stability_limit(rmsprop_on_beale):
    B, rms, tr, P, lam_max = rmsprop_on_beale
    gap = B.loss(tr.ws) - B.min_value
    k_in, exits = exits_from_tolerance(gap)
    k_cross = 100 + int(np.argmax(lam_max[100:] > 2)) + 1
    assert k_in < k_cross < exits[0]
    assert all(lam_max[k - 31:k - 1].max() > 2 for k in exits)
    growth = (P[k_cross - 1] / P[199]) ** (1 / (k_cross - 200))
    np.testing.assert_allclose(growth, rms.gamma ** -0.5, rtol=1e-4)   # G forgets at rate gamma


def test_bias_correction_is_not_the_cause(rmsprop_on_beale):
    B, rms, *_ = rmsprop_on_beale
    assert 1 / np.sqrt(1 - rms.gamma ** 300) < 1.03          # nothing left to correct late on
    corrected = Adam(lr=rms.lr, beta1=0.0, beta2=rms.gamma, eps=rms.eps)   # RMSprop, debiased
    tr = minimize(corrected, B.grad, B.start, B.steps)
    _, exits = exits_from_tolerance(B.loss(tr.ws) - B.min_value)
    assert exits                                             # it spikes too
    # and the explanation "the step stays bounded" fails: P_t grows without limit here
    P = rmsprop_on_beale[3]
    assert P[350:].max() > 2 * P[200:250].max()


# -- AdamW's bias ------------------------------------------------------------------------------------

def resting_gap(L, opt, state, t, w_start):
    d = np.sqrt(state.v / (1 - opt.beta2 ** t)) + opt.eps
    w = np.array(w_start, dtype=float)
    for _ in range(20):
        F = L.grad(w) + opt.weight_decay * w * d
        w = w - np.linalg.solve(hessians(L, w[None])[0] + opt.weight_decay * np.diag(d), F)
    return L.loss(w) - L.min_value, w


def test_adamw_misses_beale_by_the_decays_bias():
    B = LS.beale()
    aw = LS.lineup(B, ["AdamW"])["AdamW"]
    tr = minimize(aw, B.grad, B.start, 600, keep_states=True)
    gap = B.loss(tr.ws) - B.min_value
    rest, _ = resting_gap(B, aw, tr.states[600], 600, B.minima[0])
    assert rest > TOL and 0.7 < rest / gap[600] <= 1
    # without the decay the resting point is the minimum (Adam reaches the tolerance)
    adam = LS.lineup(B, ["Adam"])["Adam"]
    assert LS.steps_to_reach(minimize(adam, B.grad, B.start, 600), B, TOL) is not None


def test_adamw_has_no_bias_when_the_minimum_is_the_origin():
    Q = LS.quadratic()
    aw = LS.lineup(Q, ["AdamW"])["AdamW"]
    tr = minimize(aw, Q.grad, Q.start, 200, keep_states=True)
    rest, w = resting_gap(Q, aw, tr.states[200], 200, [0.3, -0.2])
    assert rest < 1e-20 and np.abs(w).max() < 1e-10


# -- the stored notebooks: small math blocks, the registry's families -----------------------------

NOTEBOOKS = [pathlib.Path(__file__).resolve().parents[1] / "notebooks" / name
             for name in ("09_visualizing_optimizers.ipynb", "09b_landscapes_deep_dive.ipynb")]
MATH_LIMIT = 2500          # characters of LaTeX in one $$...$$ block


def math_blocks(nb: dict) -> list[str]:
    """Every $$...$$ block in the markdown and LaTeX outputs of a notebook."""
    return [block for cell in nb["cells"] for out in cell.get("outputs", [])
            for mime in ("text/markdown", "text/latex")
            for block in re.findall(r"\$\$.*?\$\$", "".join(out.get("data", {}).get(mime, "")), re.S)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_math_block_is_too_long_for_mathjax(path):
    blocks = math_blocks(json.loads(path.read_text()))
    assert max(map(len, blocks), default=0) <= MATH_LIMIT


def test_the_math_block_check_can_fail():
    long_proof = {"cells": [{"outputs": [{"data": {"text/markdown": "$$" + "x + " * 700 + "$$"}}]}]}
    assert max(map(len, math_blocks(long_proof))) > MATH_LIMIT


def test_the_lesson_splits_the_line_up_as_the_registry_does():
    assert {"Adagrad", "RMSprop", "Rprop", "Adam", "AdaMax", "AMSGrad", "AdamW"} <= adaptive_names()
    assert not {"SGD", "Momentum", "AveragedMomentum", "Nesterov", "NesterovFramework"} & adaptive_names()


# -- the stored figures: one colour per method, animations large enough to read ---------------

def notebook_constant(path: pathlib.Path, name: str):
    """The value a notebook's code assigns to `name` (a literal or a dict(...) of literals)."""
    code = "\n".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"]
                     if c["cell_type"] == "code")
    (expr,) = re.findall(rf"^{name} = (.+?)(?:\s+#.*)?$", code, re.M)
    return eval(expr, {"dict": dict})           # noqa: S307 (the notebook's own literal)


def seen_colour(raw, quantized, hex_colour):
    """The colour a reader sees where the raw render draws `hex_colour`: the most common
    quantized colour over pixels that are that colour blended with at least 60 % of it over
    white (antialiased lines are mostly such blends)."""
    c = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)], float)
    raw = raw[..., :3].reshape(-1, 3).astype(float)
    a = ((255 - raw) @ (255 - c)) / ((255 - c) ** 2).sum()
    off = np.linalg.norm((255 - raw) - a[:, None] * (255 - c), axis=1)
    sel = (a > 0.6) & (a < 1.05) & (off < 6)
    values, counts = np.unique(quantized.reshape(-1, 3)[sel], axis=0, return_counts=True)
    return tuple(values[counts.argmax()])


@pytest.fixture(scope="module")
def beale_race_render():
    import io

    from PIL import Image

    from course_lib.plotting import landscapes as PL
    from course_lib.plotting.png import palette_png, render_rgba
    from course_lib.plotting.style import color
    B = LS.beale()
    runs = {o: minimize(opt, B.grad, B.start, B.steps) for o, opt in LS.lineup(B).items()}
    raw = render_rgba(PL.race_figure(B, runs))

    def seen(colors):
        q = np.array(Image.open(io.BytesIO(palette_png(raw, colors))).convert("RGB"))
        return {o: seen_colour(raw, q, color(o)) for o in ("Momentum", "Rprop")}
    return seen


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_figures_keep_momentum_and_rprop_apart(path, beale_race_render):
    seen = beale_race_render(notebook_constant(path, "PALETTE"))
    assert seen["Momentum"] != seen["Rprop"], seen


def test_the_colour_check_can_fail(beale_race_render):
    seen = beale_race_render(48)           # the library's default palette: one teal for both
    assert seen["Momentum"] == seen["Rprop"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_animations_are_large_enough_to_read(path):
    import base64
    import struct
    anim = notebook_constant(path, "ANIM")
    assert anim.get("colors", 64) >= 128            # fewer: the shared palette merges two methods
    sizes = []
    for cell in json.loads(path.read_text())["cells"]:
        for out in cell.get("outputs", []):
            png = base64.b64decode(out.get("data", {}).get("image/png", ""))
            if b"acTL" in png[:1024]:             # an animated PNG (acTL follows IHDR and PLTE)
                sizes.append(struct.unpack(">II", png[16:24]))        # IHDR: width, height
    assert sizes and all(w >= 500 and h >= 280 for w, h in sizes), sizes
