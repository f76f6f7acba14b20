"""Hidden checks, part I. Inputs come from the instructor's seed; expected values from the
reference solution in the grader's process (see __init__.py)."""
from __future__ import annotations

import numpy as np
import sympy as sp

from checks import Case, Question, array, boolean, lib, number, symbolic
from runner import Input

LIB = {"SGD": lib("SGD optimizer"), "minimize": lib("optimization loop")}


def q1(rng):
    n, dim = int(rng.integers(6, 10)), int(rng.integers(2, 5))
    X, d = rng.normal(size=(n, dim)), rng.normal(size=n)
    order = [int(i) for i in rng.permutation(n)]
    lr = float(rng.uniform(0.02, 0.1))
    start = rng.normal(size=dim)
    return [
        Case(f"sgd_epoch on a random {n}x{dim} problem, points in a shuffled order", call="sgd_epoch",
             args=[start, X, d, lr, order], compare=array(), return_args=[0]),
        Case("sgd_epoch with the order given as a numpy array, some points twice", call="sgd_epoch",
             args=[start, X, d, lr, np.array(order[:3] + order[:2])], compare=array()),
    ]


def q2(rng):
    ps = [sp.Rational(int(a), int(b)) for a, b in
          [(rng.integers(51, 99), 100), (rng.integers(101, 149), 100), (rng.integers(1, 49), 100),
           (rng.integers(2, 5), 1), (1, 1), (1, 2)]]
    cases = [Case("harmonic, the sum of 1/k", value="harmonic", compare=_is_oo),
             Case("basel, the sum of 1/k^2", value="basel", compare=symbolic())]
    cases += [Case(f"robbins_monro({p})", call="robbins_monro", args=[p], compare=boolean()) for p in ps]
    return cases


def _is_oo(got, ref, what="the result"):
    from checks import Mismatch
    if not isinstance(got, sp.Basic) or got != ref:
        raise Mismatch(f"{what} is not the right sympy value (a sum that diverges is sp.oo)")


def q3(rng):
    rho = sp.Symbol("rho", positive=True)
    bs = sorted({int(b) for b in rng.integers(1, 7, size=3)} | {2})
    cases = [Case(f"minibatch_variance({b})".replace("minimi", "mini"), call="minibatch_variance",
                  args=[b], compare=symbolic()) for b in bs]
    cases += [Case(f"minibatch_variance({b}, rho) with a symbolic rho", call="minibatch_variance",
                   args=[b, rho], compare=symbolic()) for b in bs]
    return cases


def q4(rng):
    samples = rng.normal(loc=float(rng.uniform(-1, 1)), scale=float(rng.uniform(0.5, 3)), size=3000)
    cases = [Case("predicted_std(sigma, b) for random sigma and b", call="predicted_std",
                  args=[float(rng.uniform(0.5, 4)), int(rng.integers(2, 50))], compare=number())]
    for b in (1, int(rng.integers(3, 9)), int(rng.integers(20, 90))):
        seed = int(rng.integers(2**31))
        cases.append(Case(f"measured_std(samples, b={b}, trials=700, rng) against the exact "
                          "measurement for a fixed seed", call="measured_std",
                          args=[samples, b, 700, Input("__rng__", seed)], compare=number(rtol=1e-9)))
    return cases


def q5(rng):
    cases = [Case("lr_max_predicted", value="lr_max_predicted", compare=number())]
    A = np.diag([1.0, 10.0])
    picked, agree, disagree = [], 0, 0
    while agree < 3 or disagree < 3:               # near the limit, finite runs part from the prediction
        lr = float(np.round(rng.uniform(0.17, 0.26), 4))
        steps = int(rng.integers(1, 40))
        w = np.array([1.0, 1.0])
        for _ in range(steps):
            w = w - lr * (A @ w)
        measured = bool(np.linalg.norm(w) > np.sqrt(2))
        if measured == (lr > 0.2) and agree < 3:
            agree += 1
            picked.append((lr, steps))
        elif measured != (lr > 0.2) and disagree < 3:
            disagree += 1
            picked.append((lr, steps))
    picked.append((float(np.round(rng.uniform(2, 6), 3)), 300))
    for lr, steps in picked:
        cases.append(Case(f"diverges({lr}, steps={steps})", call="diverges", args=[lr],
                          kwargs={"steps": steps}, compare=boolean()))
    return cases


QUESTIONS = [
    Question("q1_sgd_epoch", ("q1_code",), q1, forbidden=LIB),
    Question("q2_robbins_monro", ("q2_code",), q2, forbidden=LIB),
    Question("q3_minibatch_variance", ("q3_code",), q3, forbidden=LIB),
    Question("q4_predict_measure", ("q4_code",), q4, forbidden=LIB),
    Question("q5_stability", ("q5_code",), q5, allowed_modules=("course_lib.optimizers", "course_lib.trace")),
]
