"""The course's polls as plain data: ``POLLS[id]`` is a :class:`course_lib.quiz.Quiz`.

Lessons show them with ``POLLS["POLL-1"].show()``; ``tests/test_quiz.py`` checks every
answer. The statements follow the polls of seed 004 in our own words. Plain data only (no
ipywidgets import here: the widget is built lazily by ``Quiz.widget``).
"""
from __future__ import annotations

from .quiz import Quiz, Statement

__all__ = ["POLLS"]

POLLS: dict[str, Quiz] = {}

POLLS["POLL-1"] = Quiz(
    "[POLL-1] Batch updates: which of these are true?",
    [
        Statement(
            "The loss we really want to minimize, the average over all training examples, "
            "can only be computed (and differentiated) exactly by a batch pass",
            True,
            "The empirical risk is a mean over all T examples; its exact gradient needs every "
            "one of them. Anything less is an estimate."),
        Statement(
            "A batch update lowers the total (equivalently, average) loss over the whole "
            "training set",
            True,
            "Its direction is minus the gradient of exactly that loss, so a small enough step "
            "decreases it."),
        Statement(
            "Batch gradient descent follows the gradient of the actual training loss rather "
            "than an estimate of it",
            True,
            "There is no sampling: the gradient it uses is the true gradient of the training "
            "loss (which is why it has no variance)."),
        Statement(
            "Before a batch method can change the weights even once, it must look at every "
            "training example",
            True,
            "One update costs a full pass over the data: T gradient evaluations for one step. "
            "This is the cost that incremental methods attack [IU-1]."),
    ],
    id="POLL-1",
)

POLLS["POLL-2"] = Quiz(
    "[POLL-2] Stochastic gradient descent: which of these are true?",
    [
        Statement(
            "SGD is the online (one example at a time) counterpart of batch gradient descent",
            True,
            "It updates after each example with that example's gradient, an unbiased estimate "
            "of the batch gradient."),
        Statement(
            "If the examples are always presented in the same order, SGD can fall into a "
            "repeating, oscillating pattern",
            True,
            "A fixed order is a periodic input, and the iterates follow it around a cycle; "
            "reshuffling every epoch breaks the pattern (measured in lesson 01)."),
        Statement(
            "SGD can get to a good loss sooner than batch descent, yet end at a worse optimum",
            True,
            "Many cheap updates make early progress fast, but the noise of single-example "
            "gradients keeps it from settling, or lets it settle somewhere poorer (the K-means "
            "runs of lesson 03)."),
        Statement(
            "Convergence of SGD to the global optimum (of a convex loss) is guaranteed only if "
            "the steps shrink over time while their sum still grows without bound",
            True,
            "These are the Robbins-Monro conditions: sum of eta_k infinite, sum of eta_k^2 "
            "finite (lesson 02). A constant step keeps chasing the latest example."),
    ],
    id="POLL-2",
)

POLLS["POLL-3"] = Quiz(
    "[POLL-3] Minibatch descent: which of these are true?",
    [
        Statement(
            "Minibatch descent is an online version of batch updates, fed a small batch of "
            "examples at a time",
            True,
            "Each update uses the mean gradient of b examples, an unbiased estimate of the "
            "batch gradient, and the batches stream past one after another."),
        Statement(
            "With a batch size of 1, minibatch descent is faster than SGD",
            False,
            "With b = 1 it IS SGD: same updates, same cost."),
        Statement(
            "The larger the batch, the smaller the variance of the minibatch update",
            True,
            "The variance of the batch-mean gradient is var/b (slightly less when sampling "
            "without replacement), measured in lesson 03 [VM-2]."),
        Statement(
            "With vector hardware and large batches, minibatch descent gets close to batch "
            "descent in variance while keeping much of SGD's efficiency",
            True,
            "Large b gives low variance, and vectorized code evaluates b gradients for far less "
            "than b times the cost of one, so updates stay cheap [VM-3]."),
    ],
    id="POLL-3",
)

POLLS["POLL-4"] = Quiz(
    "[POLL-4] Optimizers that follow trends: which of these are true?",
    [
        Statement(
            "Plain (vanilla) SGD takes the long-run trend of the gradients into account when it "
            "steps",
            False,
            "Each SGD step uses only the current (minibatch) gradient and forgets all earlier "
            "ones; it has no state that could hold a trend."),
        Statement(
            "Momentum methods step along a long-run average of the derivatives",
            True,
            "The velocity (or averaged momentum M_t) is a running average of past gradients "
            "(lessons 04 and 05), so steps follow the persistent direction."),
        Statement(
            "RMSprop uses the second moment of the derivatives (their running mean square) but "
            "not their average direction",
            True,
            "Its state G_t averages g^2 only; the step is the CURRENT gradient divided by the "
            "root of G_t (lesson 07). The trend of g itself is not tracked."),
        Statement(
            "Adam uses both the average trend (first moment) and the second moment of the "
            "derivatives",
            True,
            "m_t is momentum's running average of g, v_t is RMSprop's running average of g^2, "
            "and the step is m-hat / (sqrt(v-hat) + eps)."),
        Statement(
            "Trend-following optimizers such as momentum, RMSprop and Adam help to damp the "
            "noise (variance) of SGD and minibatch updates",
            True,
            "A running average of noisy gradients has variance (1 - gamma)/(1 + gamma) times "
            "theirs (lesson 05), and dividing by the RMS evens out the step size across "
            "coordinates."),
    ],
    id="POLL-4",
)
