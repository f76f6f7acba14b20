"""Hidden checks, part III (see __init__.py)."""
from __future__ import annotations

import numpy as np

from checks import Case, Mismatch, Question, array, lib, number, pair, symbolic
from runner import Input

LIB = {"numerical_gradient": lib("finite-difference gradient"), "rel_error": lib("error measure"),
       "batchnorm_forward": lib("batch-norm forward pass"), "batchnorm_backward": lib("batch-norm backward pass")}

# run after the student's cells, so that the backward pass uses the student's own forward cache
GLUE = {"q3_backward": "def _grader_backward(Z, G, B, eps, dZhat):\n"
                       "    return bn_backward(dZhat, bn_forward(Z, G, B, eps=eps)[1])\n"}


def _forward(got, ref, what="the result"):
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Mismatch(f"{what} should be a pair (Zhat, cache)")
    array()(got[0], ref[0], "Zhat")
    cache, rcache = got[1], ref[1]
    if not isinstance(cache, dict) or "Zbar" not in cache or "s" not in cache:
        raise Mismatch("cache should be a dict with at least the keys 'Zbar' and 's'")
    array()(cache["Zbar"], rcache["Zbar"], "cache['Zbar']")
    array()(cache["s"], rcache["s"], "cache['s']")


def _batch(rng, n, K, spread=True):
    scale = np.array([[0.01], [1.0], [30.0], [3.0], [0.3]])[:n] if spread else 1.0
    return rng.normal(size=(n, K)) * scale + float(rng.uniform(-5, 5))


def q1(rng):
    cases = []
    for eps in (1e-5, float(rng.uniform(0.05, 0.5))):
        n, K = int(rng.integers(3, 6)), int(rng.integers(4, 9))
        cases.append(Case(f"bn_forward on a random {n}x{K} batch with features of very different "
                          f"scales, eps = {eps:.3g}", call="bn_forward",
                          args=[_batch(rng, n, K), rng.normal(size=n), rng.normal(size=n)],
                          kwargs={"eps": eps}, compare=_forward))
    return cases


def q2(rng):
    cases = []
    for k in range(2):
        n, K = int(rng.integers(2, 6)), int(rng.integers(3, 8))
        cases.append(Case(f"bn_param_grads on a random {n}x{K} batch", call="bn_param_grads",
                          args=[rng.normal(size=(n, K)), rng.normal(size=(n, K))],
                          compare=pair(array(), array(), names=["dG", "dB"])))
    return cases


def q3(rng):
    cases = []
    for eps in (0.0, 1e-5, float(rng.uniform(0.2, 0.8))):
        n, K = int(rng.integers(3, 6)), int(rng.integers(4, 9))
        cases.append(Case(f"bn_backward after your bn_forward, random {n}x{K} batch, eps = {eps:.3g}",
                          call="_grader_backward",
                          args=[_batch(rng, n, K), rng.normal(size=n), rng.normal(size=n), eps,
                                rng.normal(size=(n, K))],
                          compare=array(rtol=1e-8, atol=1e-10)))
    n = int(rng.integers(3, 5))
    cases.append(Case(f"bn_backward on a square {n}x{n} batch (a transposed result has the right shape)",
                      call="_grader_backward",
                      args=[_batch(rng, n, n, spread=False), rng.normal(size=n), rng.normal(size=n), 1e-5,
                            rng.normal(size=(n, n))], compare=array(rtol=1e-8, atol=1e-10)))
    return cases


def q4(rng):
    cases = []
    for j in range(4):
        cases.append(Case(f"dmu_dZ({j})", call="dmu_dZ", args=[j], compare=symbolic()))
        cases.append(Case(f"dsigma_dZ({j})", call="dsigma_dZ", args=[j], compare=symbolic()))
    return cases


def q5(rng):
    sig = rng.uniform(1e-3, 1.0, size=5)
    eps = float(10 ** rng.uniform(-6, -3))
    cases = [Case("predicted_output_std on an array of sigmas", call="predicted_output_std",
                  args=[sig, float(rng.uniform(-3, 3)), eps], compare=array())]
    for k in range(3):
        s = float(np.sqrt(eps) * rng.uniform(0.3, 3))
        K = int(rng.integers(8, 64))
        cases.append(Case(f"measured_output_std(sigma, G, eps, K={K}, rng) against the exact "
                          "measurement for a fixed seed", call="measured_output_std",
                          args=[s, float(rng.uniform(0.5, 3)), eps, K, Input("__rng__", int(rng.integers(2**31)))],
                          compare=number(rtol=1e-9)))
    return cases


def q6(rng):
    cases = []
    for k in range(2):
        n, K = int(rng.integers(2, 6)), int(rng.integers(3, 9))
        mom = float(rng.uniform(0.01, 0.4))
        cases.append(Case(f"update_running_stats on a random {n}x{K} batch, momentum = {mom:.3g}",
                          call="update_running_stats",
                          args=[rng.normal(size=n), rng.uniform(0.5, 2, size=n), _batch(rng, n, K), mom],
                          compare=pair(array(), array(), names=["new_mean", "new_var"]), return_args=[0, 1]))
    mom = float(rng.uniform(0.01, 0.99))
    cases.append(Case(f"gamma_from_momentum({mom:.3g})", call="gamma_from_momentum", args=[mom], compare=number()))
    return cases


_DIFF = "the question asks for a closed form derived by hand, not sympy's derivative"

QUESTIONS = [
    Question("q1_forward", ("q1_code",), q1, forbidden=LIB),
    Question("q2_param_grads", ("q2_code",), q2, forbidden=LIB),
    Question("q3_backward", ("q1_code", "q3_code"), q3, forbidden=LIB),
    Question("q4_sympy_derivatives", ("q4_code",), q4, forbidden={**LIB, "Derivative": _DIFF, "diff": _DIFF},
             forbid_calls={"diff": _DIFF}),
    Question("q5_eps_effect", ("q1_code", "q5_code"), q5, forbidden=LIB),
    Question("q6_running_stats", ("q6_code",), q6,
             forbidden={**LIB, "BatchNorm": lib("batch-norm layer"), "running_average": lib("running average")}),
]
