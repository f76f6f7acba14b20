"""The one table of optimizers that every shared check (test_optimizers.py, test_adaptive.py)
runs over.

A row says how to build the optimizer with fixed hyperparameters (for hand-computed first
steps), how to draw random hyperparameters (for the torch cross-check), which arguments are
out of range, how to map our iterate onto the point torch tracks and our state onto torch's,
which other settings to run (options, schedules), and which properties the rule has
(scale invariance, the kind of weight decay, a kernel that is bit for bit or to rounding).
Add a row here and every shared check covers the new optimizer.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from course_lib import optimizers as O


@dataclass
class Case:
    id: str
    make: Callable[[], object]                      # fixed hyperparameters
    by_hand: Callable[[np.ndarray, np.ndarray], list]  # (g1, g2) -> [step1, step2]
    bad: dict                                       # argument -> values that must be refused
    kwargs: dict                                    # the fixed hyperparameters, for bad-input rebuilds
    random: Callable[[np.random.Generator, float], object]  # (rng, L) -> optimizer for torch check
    torch_point: Callable = lambda opt, w, state: w  # our iterate -> the point torch tracks
    converge_steps: int = 300
    symbolic: bool = True                           # the rule runs on sympy symbols
    # the hyperparameters the shared convergence check uses (None: `kwargs`)
    converge_kwargs: Optional[dict] = None
    # more settings every shared check runs: options off in `make`, schedules
    variants: list = field(default_factory=list)
    # our state field -> torch.optim's state key, for the step-by-step torch check (None: skip)
    torch_state: Optional[dict] = None
    # settings under which the steps do not change when the gradients are scaled (None: none)
    scale_free: Optional[Callable[[], object]] = None
    # weight_decay: "coupled" (L2 added to the gradient), "decoupled" (AdamW) or "none"
    decay: str = "coupled"
    # the blocked kernel gives the rule's W and state bit for bit (False: to rounding)
    fast_exact: bool = True


def _momentum_by_hand(lr, gamma):
    def f(g1, g2):
        V1 = lr * g1
        V2 = gamma * V1 + lr * g2
        return [-V1, -V2]
    return f


def _nesterov_fw_by_hand(lr, gamma):
    def f(g1, g2):
        V1 = lr * g1
        V2 = gamma * V1 + lr * g2
        return [-(lr * g1 + gamma * V1), -(lr * g2 + gamma * V2)]
    return f


CASES = [
    Case("sgd", lambda: O.SGD(lr=0.1),
         lambda g1, g2: [-0.1 * g1, -0.1 * g2],
         bad={"lr": [-0.1, 0.0, np.inf, np.nan], "weight_decay": [-0.1, np.nan]},
         kwargs={"lr": 0.1},
         random=lambda rng, L: O.SGD(lr=rng.uniform(0.1, 1.5) / L,
                                     weight_decay=_maybe(rng, 0.01, 0.5)),
         variants=[lambda: O.SGD(lr=lambda k: 0.5 / k, weight_decay=0.3)]),
    Case("momentum", lambda: O.Momentum(lr=0.1, gamma=0.9),
         _momentum_by_hand(0.1, 0.9),
         bad={"lr": [-0.1, 0.0], "gamma": [-0.1, 1.0, 1.5, np.nan], "weight_decay": [-1e-3]},
         kwargs={"lr": 0.1, "gamma": 0.9},
         random=lambda rng, L: O.Momentum(lr=rng.uniform(0.05, 0.5) / L,
                                          gamma=rng.uniform(0.0, 0.95),
                                          weight_decay=_maybe(rng, 0.01, 0.5)),
         variants=[lambda: O.Momentum(lr=0.05, gamma=0.5, weight_decay=0.2)]),
    Case("averaged_momentum", lambda: O.AveragedMomentum(lr=1.0, gamma=0.9),
         lambda g1, g2: [-(0.1 * g1), -(0.9 * 0.1 * g1 + 0.1 * g2)],
         bad={"lr": [-1.0], "gamma": [-0.5, 1.0], "weight_decay": [-0.5, np.inf]},
         kwargs={"lr": 1.0, "gamma": 0.9},
         random=lambda rng, L: O.AveragedMomentum(lr=rng.uniform(0.05, 0.5) / L,
                                                  gamma=rng.uniform(0.0, 0.95),
                                                  weight_decay=_maybe(rng, 0.01, 0.5)),
         variants=[lambda: O.AveragedMomentum(lr=0.3, gamma=0.8, weight_decay=0.2)]),
    Case("nesterov", lambda: O.Nesterov(lr=0.1, gamma=0.9),
         _momentum_by_hand(0.1, 0.9),   # same rule; only where g is taken differs
         bad={"lr": [0.0], "gamma": [1.0, -1e-9], "weight_decay": [-0.1]},
         kwargs={"lr": 0.1, "gamma": 0.9},
         random=lambda rng, L: O.Nesterov(lr=rng.uniform(0.05, 0.5) / L,
                                          gamma=rng.uniform(0.0, 0.95),
                                          weight_decay=_maybe(rng, 0.01, 0.5)),
         torch_point=lambda opt, w, state: w - opt.gamma * state.V,
         # L2 at the look-ahead point: the kernel takes it there too
         variants=[lambda: O.Nesterov(lr=0.1, gamma=0.5, weight_decay=0.3)]),
    Case("nesterov_framework", lambda: O.NesterovFramework(lr=0.1, gamma=0.9),
         _nesterov_fw_by_hand(0.1, 0.9),
         bad={"lr": [-2.0], "gamma": [1.0], "weight_decay": [-0.1]},
         kwargs={"lr": 0.1, "gamma": 0.9},
         random=lambda rng, L: O.NesterovFramework(lr=rng.uniform(0.05, 0.5) / L,
                                                   gamma=rng.uniform(0.0, 0.95),
                                                   weight_decay=_maybe(rng, 0.01, 0.5)),
         variants=[lambda: O.NesterovFramework(lr=lambda k: 0.1 / k, gamma=0.7),
                   lambda: O.NesterovFramework(lr=0.1, gamma=0.7, weight_decay=0.2)]),
]


# --- adaptive step sizes and Adam (issue 4): by-hand rules written out independently ---------

_W0 = np.array([0.3, -0.2, 1.0])   # the starting weights test_first_steps_by_hand uses


def _adagrad_by_hand(lr, eps, G0, lr_decay):
    def f(g1, g2):
        G1 = G0 + g1 ** 2
        G2 = G1 + g2 ** 2
        return [-lr * g1 / (np.sqrt(G1) + eps),
                -(lr / (1 + lr_decay)) * g2 / (np.sqrt(G2) + eps)]
    return f


def _rmsprop_by_hand(lr, gamma, eps):
    def f(g1, g2):
        G1 = (1 - gamma) * g1 ** 2
        G2 = gamma * G1 + (1 - gamma) * g2 ** 2
        return [-lr * g1 / (np.sqrt(G1) + eps), -lr * g2 / (np.sqrt(G2) + eps)]
    return f


def _rmsprop_flags_by_hand(lr, gamma, eps, lam, mu):
    """weight_decay = lam, centered, momentum = mu, as torch.optim.RMSprop computes them."""
    def f(g1, g2):
        g1 = g1 + lam * _W0                           # L2: g_t + lambda W_{t-1}
        G1, gbar1 = (1 - gamma) * g1 ** 2, (1 - gamma) * g1
        b1 = g1 / (np.sqrt(G1 - gbar1 ** 2) + eps)    # b_0 = 0; centered: root of the variance
        g2 = g2 + lam * (_W0 - lr * b1)
        G2, gbar2 = gamma * G1 + (1 - gamma) * g2 ** 2, gamma * gbar1 + (1 - gamma) * g2
        b2 = mu * b1 + g2 / (np.sqrt(G2 - gbar2 ** 2) + eps)
        return [-lr * b1, -lr * b2]
    return f


def _adadelta_by_hand(rho, eps, lr):
    def f(g1, g2):
        E1 = (1 - rho) * g1 ** 2
        dx1 = -np.sqrt(0.0 + eps) / np.sqrt(E1 + eps) * g1
        D1 = (1 - rho) * dx1 ** 2                     # the UNSCALED update is averaged
        E2 = rho * E1 + (1 - rho) * g2 ** 2
        dx2 = -np.sqrt(D1 + eps) / np.sqrt(E2 + eps) * g2
        return [lr * dx1, lr * dx2]
    return f


def _rprop_by_hand(lr, eta_minus, eta_plus):
    def f(g1, g2):
        s = np.sign(g1 * g2)
        delta2 = lr * np.where(s > 0, eta_plus, np.where(s < 0, eta_minus, 1.0))
        return [-lr * np.sign(g1), -np.where(s < 0, 0.0, np.sign(g2)) * delta2]
    return f


def _adam_by_hand(lr, b1, b2, eps, amsgrad=False, decoupled=0.0):
    def f(g1, g2):
        m1, v1 = (1 - b1) * g1, (1 - b2) * g1 ** 2
        m2, v2 = b1 * m1 + (1 - b1) * g2, b2 * v1 + (1 - b2) * g2 ** 2
        if amsgrad:
            v2 = np.maximum(v1, v2)
        step1 = -lr * (m1 / (1 - b1)) / (np.sqrt(v1 / (1 - b2)) + eps)
        step2 = -lr * (m2 / (1 - b1 ** 2)) / (np.sqrt(v2 / (1 - b2 ** 2)) + eps)
        if decoupled:
            step1 = step1 - lr * decoupled * _W0
            step2 = step2 - lr * decoupled * (_W0 + step1)
        return [step1, step2]
    return f


def _adamax_by_hand(lr, b1, b2, eps):
    def f(g1, g2):
        m1 = (1 - b1) * g1
        u1 = np.abs(g1) + eps
        m2 = b1 * m1 + (1 - b1) * g2
        u2 = np.maximum(b2 * u1, np.abs(g2) + eps)
        return [-lr / (1 - b1) * m1 / u1, -lr / (1 - b1 ** 2) * m2 / u2]
    return f


_RMSPROP_STATE = {"G": "square_avg", "gbar": "grad_avg", "b": "momentum_buffer"}


def _log_uniform(rng, lo, hi):
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))


def _betas(rng):
    return {"beta1": rng.uniform(0.0, 0.95), "beta2": rng.uniform(0.9, 0.9999)}


def _maybe(rng, lo, hi):
    """An option's value for the torch check: 0 (off) or uniform in [lo, hi), even odds."""
    return rng.uniform(lo, hi) if rng.random() < 0.5 else 0.0


def _contracting(rng, L, **more):
    """lr and eps for the 200-step torch comparison of the methods that divide by a root.

    With eps >= lr L the effective step lr / (sqrt(v) + eps) stays below 1/L, so the run
    contracts and last-bit rounding differences (torch computes lerp and addcmul in another
    order) do not grow. With tiny eps a coordinate whose gradient crosses zero gets a huge
    effective step, the dynamics amplify rounding by ~1e5 per 20 steps, and two correct
    implementations part after ~100 steps (measured: 7 to 13 of 30 seeds). The per-step
    comparison in tests/test_adaptive.py covers that regime (PyTorch's defaults) instead.
    """
    lr = _log_uniform(rng, 1e-3, 0.1)
    return {"lr": lr, "eps": lr * L * rng.uniform(1.0, 10.0), **more}


CASES += [
    Case("adagrad", lambda: O.Adagrad(lr=0.5, eps=1e-10, G0=0.1, lr_decay=0.1),
         _adagrad_by_hand(0.5, 1e-10, 0.1, 0.1),
         bad={"lr": [-0.1, 0.0, np.nan], "eps": [-1e-8, np.inf], "G0": [-0.1],
              "lr_decay": [-0.1, np.nan], "weight_decay": [-0.1, np.nan]},
         kwargs={"lr": 0.5, "eps": 1e-10, "G0": 0.1, "lr_decay": 0.1},
         random=lambda rng, L: O.Adagrad(lr=rng.uniform(0.05, 1.0), eps=_log_uniform(rng, 1e-10, 1e-3),
                                         G0=rng.uniform(0.0, 1.0), lr_decay=rng.uniform(0.0, 0.05),
                                         weight_decay=_maybe(rng, 0.01, 0.5)),
         converge_kwargs={"lr": 0.5},
         variants=[lambda: O.Adagrad(lr=lambda k: 0.5 / k, eps=1e-6, G0=0.2, lr_decay=0.3),
                   lambda: O.Adagrad(lr=0.5, lr_decay=0.01, weight_decay=0.3)],
         torch_state={"G": "sum"},
         scale_free=lambda: O.Adagrad(lr=0.1, eps=0.0)),
    Case("rmsprop", lambda: O.RMSprop(lr=0.1, gamma=0.9, eps=1e-8),
         _rmsprop_by_hand(0.1, 0.9, 1e-8),
         bad={"lr": [-0.1, 0.0], "gamma": [-0.1, 1.0, np.nan], "eps": [-1e-8],
              "weight_decay": [-0.01, np.inf], "momentum": [-0.1, 1.0, 1.5, np.nan]},
         kwargs={"lr": 0.1, "gamma": 0.9, "eps": 1e-8},
         random=lambda rng, L: O.RMSprop(**_contracting(rng, L, gamma=rng.uniform(0.8, 0.999)),
                                         weight_decay=_maybe(rng, 0.01, 0.5),
                                         momentum=_maybe(rng, 0.1, 0.9),
                                         centered=bool(rng.random() < 0.5)),
         converge_kwargs={"lr": 0.01},
         variants=[lambda: O.RMSprop(lr=0.05, gamma=0.8, weight_decay=0.2),
                   lambda: O.RMSprop(lr=0.05, centered=True),                  # generic path
                   lambda: O.RMSprop(lr=0.01, momentum=0.9),                   # generic path
                   lambda: O.RMSprop(lr=lambda k: 0.05 / k, momentum=0.9)],    # generic path
         torch_state=_RMSPROP_STATE,
         scale_free=lambda: O.RMSprop(lr=0.01, eps=0.0)),
    # every option on at once, so each shared check (lists, sympy, schedules, torch) meets them
    Case("rmsprop_flags", lambda: O.RMSprop(lr=0.1, gamma=0.9, eps=1e-8, weight_decay=0.1,
                                            momentum=0.5, centered=True),
         _rmsprop_flags_by_hand(0.1, 0.9, 1e-8, 0.1, 0.5),
         bad={"momentum": [1.0], "weight_decay": [-0.1]},   # centered: test_adaptive.py
         kwargs={"lr": 0.1, "gamma": 0.9, "eps": 1e-8, "weight_decay": 0.1, "momentum": 0.5,
                 "centered": True},
         random=lambda rng, L: O.RMSprop(**_contracting(rng, L, gamma=rng.uniform(0.8, 0.999)),
                                         weight_decay=rng.uniform(0.01, 0.5),
                                         momentum=rng.uniform(0.1, 0.9), centered=True),
         converge_kwargs={"lr": 0.01, "momentum": 0.5, "centered": True, "weight_decay": 0.1},
         torch_state=_RMSPROP_STATE,
         scale_free=lambda: O.RMSprop(lr=0.01, eps=0.0, centered=True, momentum=0.5)),
    # Adadelta with a constant factor keeps oscillating on a deterministic quadratic (its
    # effective step grows as the gradients shrink; lesson 07 shows it): converge with a 1/t factor
    Case("adadelta", lambda: O.Adadelta(rho=0.9, eps=1e-6, lr=0.5),
         _adadelta_by_hand(0.9, 1e-6, 0.5),
         bad={"rho": [-0.1, 1.0, 2.0], "eps": [0.0, -1e-6], "lr": [-1.0, 0.0],
              "weight_decay": [-0.01]},
         kwargs={"rho": 0.9, "eps": 1e-6, "lr": 0.5},
         random=lambda rng, L: O.Adadelta(rho=rng.uniform(0.8, 0.99), eps=_log_uniform(rng, 1e-6, 1e-2),
                                          lr=rng.uniform(0.05, 0.3), weight_decay=_maybe(rng, 0.01, 0.5)),
         converge_kwargs={"rho": 0.9, "eps": 1e-2, "lr": lambda t: 100 / (100 + t)},
         variants=[lambda: O.Adadelta(rho=0.7, eps=1e-3, lr=lambda k: 1.0 / k),
                   lambda: O.Adadelta(rho=0.9, eps=1e-4, weight_decay=0.3)],
         torch_state={"Eg2": "square_avg", "Edx2": "acc_delta"},
         fast_exact=False),
    Case("rprop", lambda: O.Rprop(lr=0.1, eta_minus=0.5, eta_plus=1.2),
         _rprop_by_hand(0.1, 0.5, 1.2),
         bad={"lr": [-0.1, 0.0], "eta_minus": [0.0, 1.0, -0.5], "eta_plus": [1.0, 0.5, np.inf],
              "delta_min": [-1e-6], "delta_max": [0.0, 1e-7]},
         kwargs={"lr": 0.1, "eta_minus": 0.5, "eta_plus": 1.2, "delta_min": 1e-6, "delta_max": 50.0},
         random=lambda rng, L: O.Rprop(lr=rng.uniform(0.01, 0.2), eta_minus=rng.uniform(0.3, 0.7),
                                       eta_plus=rng.uniform(1.05, 1.5),
                                       delta_min=_log_uniform(rng, 1e-7, 1e-4),
                                       delta_max=rng.uniform(0.5, 50.0)),
         symbolic=False,
         variants=[lambda: O.Rprop(lr=0.1, eta_minus=0.3, eta_plus=1.7, delta_min=0.05,
                                   delta_max=0.2)],
         torch_state={"delta": "step_size", "g_prev": "prev"},
         scale_free=lambda: O.Rprop(lr=0.01),
         decay="none"),
    Case("adam", lambda: O.Adam(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8),
         _adam_by_hand(0.1, 0.9, 0.999, 1e-8),
         bad={"lr": [-0.1, 0.0], "beta1": [-0.1, 1.0, np.nan], "beta2": [1.0, 1.5],
              "eps": [-1e-8, np.nan], "weight_decay": [-0.01]},
         kwargs={"lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
         random=lambda rng, L: O.Adam(**_contracting(rng, L, **_betas(rng)),
                                      weight_decay=_maybe(rng, 0.01, 0.1)),
         converge_kwargs={"lr": 0.05},
         variants=[lambda: O.Adam(lr=0.05, beta1=0.8, beta2=0.99, eps=1e-3, weight_decay=0.1),
                   lambda: O.Adam(lr=0.05, weight_decay=0.01)],
         torch_state={"m": "exp_avg", "v": "exp_avg_sq"},
         scale_free=lambda: O.Adam(lr=0.01, eps=0.0),
         fast_exact=False),
    Case("amsgrad", lambda: O.AMSGrad(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8),
         _adam_by_hand(0.1, 0.9, 0.999, 1e-8, amsgrad=True),
         bad={"lr": [0.0], "beta1": [1.0], "beta2": [-0.5, 1.0], "eps": [-1.0],
              "weight_decay": [-0.01]},
         kwargs={"lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
         random=lambda rng, L: O.AMSGrad(**_contracting(rng, L, **_betas(rng)),
                                         weight_decay=_maybe(rng, 0.01, 0.1)),
         converge_kwargs={"lr": 0.05},
         variants=[lambda: O.AMSGrad(lr=0.05, beta2=0.9, weight_decay=0.2)],
         torch_state={"m": "exp_avg", "v": "exp_avg_sq", "v_max": "max_exp_avg_sq"},
         scale_free=lambda: O.AMSGrad(lr=0.01, eps=0.0),
         fast_exact=False),
    Case("adamax", lambda: O.AdaMax(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8),
         _adamax_by_hand(0.1, 0.9, 0.999, 1e-8),
         bad={"lr": [-0.002], "beta1": [1.0, -0.1], "beta2": [1.0], "eps": [-1e-8],
              "weight_decay": [-0.01]},
         kwargs={"lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
         random=lambda rng, L: O.AdaMax(**_contracting(rng, L, **_betas(rng)),
                                        weight_decay=_maybe(rng, 0.01, 0.1)),
         converge_kwargs={"lr": 0.05},
         variants=[lambda: O.AdaMax(lr=0.05, eps=1e-3, weight_decay=0.2)],
         torch_state={"m": "exp_avg", "u": "exp_inf"},
         scale_free=lambda: O.AdaMax(lr=0.01, eps=0.0),
         fast_exact=False),
    # the shared sympy check substitutes only g; AdamW's step also holds w, so
    # tests/test_adaptive.py runs AdamW on symbols itself
    Case("adamw", lambda: O.AdamW(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.1),
         _adam_by_hand(0.1, 0.9, 0.999, 1e-8, decoupled=0.1),
         bad={"lr": [0.0], "beta1": [1.0], "beta2": [1.0], "eps": [-1e-8],
              "weight_decay": [-0.1, np.nan]},
         kwargs={"lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.1},
         random=lambda rng, L: O.AdamW(**_contracting(rng, L, **_betas(rng)),
                                       weight_decay=rng.uniform(0.001, 0.2)),
         converge_kwargs={"lr": 0.05, "weight_decay": 0.01},
         symbolic=False,
         variants=[lambda: O.AdamW(lr=lambda k: 0.05 / k, weight_decay=0.5)],
         torch_state={"m": "exp_avg", "v": "exp_avg_sq"},
         scale_free=lambda: O.AdamW(lr=0.01, eps=0.0),    # the decay acts on W, not on g
         decay="decoupled",
         fast_exact=False),
]
