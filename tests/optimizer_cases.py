"""The one table of optimizers that every shared check in test_optimizers.py runs over.

A row says how to build the optimizer with fixed hyperparameters (for hand-computed first
steps), how to draw random hyperparameters (for the torch cross-check), which arguments are
out of range, and how to map our iterate onto the point torch tracks.
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
         bad={"lr": [-0.1, 0.0, np.inf, np.nan]}, kwargs={"lr": 0.1},
         random=lambda rng, L: O.SGD(lr=rng.uniform(0.1, 1.5) / L)),
    Case("momentum", lambda: O.Momentum(lr=0.1, gamma=0.9),
         _momentum_by_hand(0.1, 0.9),
         bad={"lr": [-0.1, 0.0], "gamma": [-0.1, 1.0, 1.5, np.nan]},
         kwargs={"lr": 0.1, "gamma": 0.9},
         random=lambda rng, L: O.Momentum(lr=rng.uniform(0.05, 0.5) / L,
                                          gamma=rng.uniform(0.0, 0.95))),
    Case("averaged_momentum", lambda: O.AveragedMomentum(lr=1.0, gamma=0.9),
         lambda g1, g2: [-(0.1 * g1), -(0.9 * 0.1 * g1 + 0.1 * g2)],
         bad={"lr": [-1.0], "gamma": [-0.5, 1.0]},
         kwargs={"lr": 1.0, "gamma": 0.9},
         random=lambda rng, L: O.AveragedMomentum(lr=rng.uniform(0.05, 0.5) / L,
                                                  gamma=rng.uniform(0.0, 0.95))),
    Case("nesterov", lambda: O.Nesterov(lr=0.1, gamma=0.9),
         _momentum_by_hand(0.1, 0.9),   # same rule; only where g is taken differs
         bad={"lr": [0.0], "gamma": [1.0, -1e-9]},
         kwargs={"lr": 0.1, "gamma": 0.9},
         random=lambda rng, L: O.Nesterov(lr=rng.uniform(0.05, 0.5) / L,
                                          gamma=rng.uniform(0.0, 0.95)),
         torch_point=lambda opt, w, state: w - opt.gamma * state.V),
    Case("nesterov_framework", lambda: O.NesterovFramework(lr=0.1, gamma=0.9),
         _nesterov_fw_by_hand(0.1, 0.9),
         bad={"lr": [-2.0], "gamma": [1.0]},
         kwargs={"lr": 0.1, "gamma": 0.9},
         random=lambda rng, L: O.NesterovFramework(lr=rng.uniform(0.05, 0.5) / L,
                                                   gamma=rng.uniform(0.0, 0.95))),
]
