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
            "With a small enough step size, a batch update lowers the total (equivalently, "
            "average) loss over the whole training set",
            True,
            "Its direction is minus the gradient of exactly that loss, so unless that gradient "
            "is already zero a small enough step decreases it (for a gradient that is "
            "L-Lipschitz, any step below 2/L does). Too large a step can raise the loss."),
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
            "of the batch gradient when the example is drawn at random."),
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
            "For SGD to converge to the optimum of a convex loss (with gradient noise that does "
            "not vanish there, from any start), the steps must shrink toward zero while their "
            "sum still grows without bound",
            True,
            "Both are necessary: a step that does not shrink keeps chasing the latest example, "
            "and steps with a finite sum stall short of the optimum (both measured in lesson "
            "02). The Robbins-Monro conditions add sum of eta_k^2 < infinity; with that, the "
            "classical theorems guarantee convergence. The added condition makes them "
            "sufficient, not necessary: eta_k = c/sqrt(k) breaks it and still converges in "
            "lesson 02."),
    ],
    id="POLL-2",
)

POLLS["POLL-3"] = Quiz(
    "[POLL-3] Minibatch descent: which of these are true?",
    [
        Statement(
            "Minibatch descent streams through the data like SGD, but updates the weights once "
            "per small group of examples instead of once per example",
            True,
            "Each update uses the mean gradient of b examples, an unbiased estimate of the "
            "full-data gradient; the groups follow one another, so there are N/b updates per "
            "pass instead of batch descent's single one."),
        Statement(
            "With a batch size of 1, minibatch descent runs faster than SGD",
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
            "than b times the cost of one: the fixed cost of each call is shared by the b "
            "examples, so the cost per example falls until b reaches a size lesson 03 "
            "measures [VM-3]."),
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
            "In the moving-average form the step is eta' M_t, and M_t is a running average of "
            "the past gradients (lesson 04). The heavy-ball velocity V_t is not an average: its "
            "weights add up to eta/(1 - gamma), not to eta, so it is a decaying sum; with "
            "eta = eta' (1 - gamma) it equals eta' M_t and both forms take the same steps "
            "(lesson 05). Either way the steps follow the persistent direction."),
        Statement(
            "RMSprop uses the second moment of the derivatives (their running mean square) but "
            "not their average direction",
            True,
            "Its state G_t averages g^2 only; the step is the CURRENT gradient divided by the "
            "root of G_t (lesson 07). The trend of g itself is not tracked. (This is RMSprop as "
            "defined in the lectures; PyTorch's momentum option adds a running average of the "
            "steps, and its centered option keeps an average of g, but only to turn the mean "
            "square into a variance.)"),
        Statement(
            "Adam uses both the average trend (first moment) and the second moment of the "
            "derivatives",
            True,
            "m_t is momentum's running average of g, v_t is RMSprop's running average of g^2, "
            "and the step is -eta m-hat / (sqrt(v-hat) + eps)."),
        Statement(
            "Averaging the gradients, as momentum and Adam do, makes consecutive minibatch "
            "steps point more nearly the same way than SGD's steps do",
            True,
            "True of the steps: one step carries a running average of about 1/(1 - gamma) "
            "minibatch gradients, whose variance is (1 - gamma)/(1 + gamma) times theirs, so "
            "consecutive steps are strongly aligned where SGD's are nearly independent "
            "(lesson 05 measures both). It is not true of where the weights settle: at the same "
            "long-run step size the averaged noise stays correlated over about 1/(1 - gamma) "
            "steps and adds up to the same random walk, so the spread around the minimum "
            "barely changes (lesson 05). The slides also count RMSprop among the methods that "
            "smooth out minibatch variance; that is not right, because RMSprop keeps no average "
            "of g at all (statement 3): it rescales each coordinate's current, noisy gradient."),
    ],
    id="POLL-4",
)
