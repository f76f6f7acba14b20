"""Hidden checks, part II (see __init__.py)."""
from __future__ import annotations

import numpy as np
import sympy as sp

from checks import Case, Question, array, lib, number, pair, sequence, symbolic, symbolic_list
from runner import Input

LIB = {"running_average": lib("running average"), "debias": lib("bias correction"),
       "running_averages": lib("running averages")}


def q1(rng):
    xs = list(rng.normal(size=(6, 3)))
    g = float(np.round(rng.uniform(0.55, 0.95), 3))
    c = list(sp.symbols("c1:4"))
    gam = sp.Symbol("gamma")
    return [
        Case(f"running_averages of 6 random vectors, gamma = {g}", call="running_averages",
             args=[xs, g], compare=sequence(array(require_ndarray=False))),
        Case("running_averages with gamma = 0 (each C_t is the latest input)", call="running_averages",
             args=[xs, 0.0], compare=sequence(array(require_ndarray=False))),
        Case("running_averages with gamma_t = (t - 1)/t given as a function", call="running_averages",
             args=[xs, Input("__gamma_mean__")], compare=sequence(array(require_ndarray=False))),
        Case("running_averages with gamma_t = t/(t + 1) given as a function", call="running_averages",
             args=[xs, Input("__gamma_slow__")], compare=sequence(array(require_ndarray=False))),
        Case("running_averages on sympy symbols c1..c3 with a symbolic gamma", call="running_averages",
             args=[c, gam], compare=symbolic_list()),
    ]


def q2(rng):
    gs = list(sp.symbols("h1:6"))
    eta, gamma, eta_prime = sp.Symbol("eta", positive=True), sp.Symbol("gamma", positive=True), \
        sp.Symbol("eta_prime", positive=True)
    num = list(rng.normal(size=(5, 2)))
    lr, gm = float(rng.uniform(0.01, 0.5)), float(rng.uniform(0.5, 0.95))
    return [
        Case("momentum_steps on five symbolic gradients", call="momentum_steps", args=[gs, eta, gamma],
             compare=symbolic_list()),
        Case("averaged_steps on five symbolic gradients", call="averaged_steps",
             args=[gs, eta_prime, gamma], compare=symbolic_list()),
        Case("momentum_steps on random vectors", call="momentum_steps", args=[num, lr, gm],
             compare=sequence(array(require_ndarray=False))),
        Case("averaged_steps on random vectors", call="averaged_steps", args=[num, lr, gm],
             compare=sequence(array(require_ndarray=False))),
        Case("eta_equivalent", value="eta_equivalent", compare=symbolic()),
    ]


def q3(rng):
    cases = []
    for k in range(3):
        n = int(rng.integers(2, 5))
        A = np.diag(rng.uniform(0.5, 10, size=n))
        cases.append(Case(f"nesterov_step on a random {n}-dimensional quadratic (case {k + 1})",
                          call="nesterov_step",
                          args=[rng.normal(size=n), rng.normal(size=n), Input("__matvec__", A),
                                float(rng.uniform(0.01, 0.1)), float(rng.uniform(0.5, 0.95))],
                          compare=pair(array(), array(), names=["w_new", "V_new"])))
    return cases


def q4(rng):
    cases = []
    for k, (gscale, eps) in enumerate([(1.0, 1e-8), (1e-3, 1e-3), (3.0, 0.1)]):
        n = int(rng.integers(3, 6))
        args = [rng.normal(size=n), rng.uniform(0, 2, size=n) * gscale**2, rng.normal(size=n) * gscale,
                float(rng.uniform(0.001, 0.1)), float(rng.uniform(0.5, 0.99)), eps]
        cases.append(Case(f"rmsprop_step on random inputs, gradients of size {gscale:g}, eps = {eps:g}",
                          call="rmsprop_step", args=args,
                          compare=pair(array(), array(), names=["w_new", "G_new"])))
    return cases


def q5(rng):
    cases = []
    for t, gscale, eps in [(1, 1.0, 1e-8), (int(rng.integers(2, 6)), 1.0, 1e-8), (int(rng.integers(7, 30)), 1e-3, 1e-3)]:
        n = int(rng.integers(2, 5))
        args = [rng.normal(size=n), rng.normal(size=n) * gscale, rng.uniform(0, 1, size=n) * gscale**2, t,
                rng.normal(size=n) * gscale, float(rng.uniform(0.001, 0.1)), float(rng.uniform(0.7, 0.95)),
                float(rng.uniform(0.99, 0.9999)), eps]
        cases.append(Case(f"adam_step at t = {t}, gradients of size {gscale:g}, eps = {eps:g}", call="adam_step",
                          args=args, compare=pair(array(), array(), array(), names=["w_new", "m_new", "v_new"])))
    lr, g1 = float(rng.uniform(0.001, 0.5)), float(rng.choice([-1, 1]) * 10 ** rng.uniform(-3, 3))
    cases.append(Case("first_step_predicted(lr, g1) for a random lr and g1", call="first_step_predicted",
                      args=[lr, g1], compare=number()))
    return cases


def q6(rng):
    ts = sorted({int(t) for t in rng.integers(2, 12, size=3)} | {1})
    return [Case(f"gamma_hat({t})", call="gamma_hat", args=[t], compare=symbolic()) for t in ts]


def q7(rng):
    N = int(rng.integers(30, 80))
    scale = float(10 ** rng.uniform(1, 2.5))
    X = np.column_stack([rng.normal(size=N), scale * rng.normal(size=N), np.ones(N)])
    y = (rng.uniform(size=N) < 0.5).astype(float)
    A = np.diag(rng.uniform(0.5, 50, size=3))
    w0 = rng.normal(size=3) * 0.1
    steps = int(rng.integers(20, 60))
    b1, b2 = float(rng.uniform(0.8, 0.95)), float(rng.uniform(0.99, 0.9999))
    return [
        Case(f"train_adam on a random badly scaled logistic regression, {steps} steps", call="train_adam",
             args=[Input("__logistic__", X, y), w0, steps, float(rng.uniform(0.01, 0.1))],
             compare=array(rtol=1e-8, atol=1e-10), return_args=[1]),
        Case(f"train_adam on a random quadratic with beta1 = {b1:.3f}, beta2 = {b2:.4f}, eps = 1e-3",
             call="train_adam", args=[Input("__matvec__", A), w0, steps, 0.05],
             kwargs={"beta1": b1, "beta2": b2, "eps": 1e-3}, compare=array(rtol=1e-8, atol=1e-10)),
        Case(f"train_gd on the same logistic regression, {steps} steps", call="train_gd",
             args=[Input("__logistic__", X, y), w0, steps, float(rng.uniform(1e-5, 1e-4))],
             compare=array(rtol=1e-8, atol=1e-12), return_args=[1]),
    ]


QUESTIONS = [
    Question("q1_running_averages", ("q1_code",), q1, forbidden=LIB),
    Question("q2_momentum_forms", ("q2_code",), q2, forbidden=LIB),
    Question("q3_nesterov", ("q3_code",), q3, forbidden=LIB),
    Question("q4_rmsprop", ("q4_code",), q4, forbidden=LIB),
    Question("q5_adam", ("q5_code",), q5, forbidden=LIB),
    Question("q6_debiased_average", ("q6_code",), q6, forbidden=LIB),
    Question("q7_train", ("q5_code", "q7_code"), q7,
             forbidden={**LIB, "Adam": lib("Adam"), "SGD": lib("SGD"), "minimize": lib("optimization loop")}),
]
