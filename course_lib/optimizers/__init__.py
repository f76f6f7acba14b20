"""Every optimizer of the course, one design (see :mod:`course_lib.optimizers.base`), and
the registry that lists them (:mod:`course_lib.optimizers.registry`)."""
from .base import Optimizer, TorchEquivalent
from .sgd import SGD, SGDState
from .momentum import Momentum, MomentumState, AveragedMomentum, AveragedMomentumState
from .nesterov import Nesterov, NesterovFramework, NesterovState
from .adaptive import (Adagrad, AdagradState, RMSprop, RMSpropState, Adadelta, AdadeltaState,
                       Rprop, RpropState)
from .adam import Adam, AdamState, AdaMax, AdaMaxState, AMSGrad, AMSGradState, AdamW
from .registry import OPTIMIZERS, accepted_kwargs, adaptive_names, build, optimizer_classes

__all__ = [
    "Optimizer", "TorchEquivalent", "SGD", "SGDState", "Momentum", "MomentumState",
    "AveragedMomentum", "AveragedMomentumState", "Nesterov", "NesterovFramework", "NesterovState",
    "Adagrad", "AdagradState", "RMSprop", "RMSpropState", "Adadelta", "AdadeltaState",
    "Rprop", "RpropState", "Adam", "AdamState", "AdaMax", "AdaMaxState", "AMSGrad",
    "AMSGradState", "AdamW",
    "OPTIMIZERS", "optimizer_classes", "adaptive_names", "build", "accepted_kwargs",
]
