"""Every optimizer of the course, one design (see :mod:`course_lib.optimizers.base`)."""
from .base import Optimizer, TorchEquivalent
from .sgd import SGD, SGDState
from .momentum import Momentum, MomentumState, AveragedMomentum, AveragedMomentumState
from .nesterov import Nesterov, NesterovFramework, NesterovState

__all__ = [
    "Optimizer", "TorchEquivalent", "SGD", "SGDState", "Momentum", "MomentumState",
    "AveragedMomentum", "AveragedMomentumState", "Nesterov", "NesterovFramework", "NesterovState",
]
