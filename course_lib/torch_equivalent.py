"""How an optimizer, a schedule or a layer maps onto torch, as plain data (no torch import).

It sits on its own, below the optimizers, so that batch norm and the schedules can declare
their torch twins without loading every optimizer."""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TorchEquivalent"]


@dataclass(frozen=True)
class TorchEquivalent:
    """How an optimizer or a layer maps onto torch, as plain data (no torch import).

    cls: the torch class name, e.g. "SGD" (torch.optim) or "BatchNorm1d" (torch.nn); None
    when torch has no such class.
    kwargs: its constructor arguments, computed from our hyperparameters.
    exact_when: the conditions under which the results coincide ("always", "constant lr").
    change_of_variables: for forms that track a different point, how to map ours onto torch's.
    """
    cls: str | None
    kwargs: dict
    exact_when: str = "always"
    change_of_variables: str = ""
    notes: str = ""
