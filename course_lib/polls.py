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
    "[POLL-4] Optimizers that follow trends (work each one out before you tick it): which of "
    "these are true?",
    [
        Statement(
            "Heavy-ball momentum V_t = gamma V_{t-1} + eta g_t with gamma = 0.9, fed the same "
            "gradient g at every step, ends up taking steps about 10 times as long as SGD's "
            "step eta g with the same eta",
            True,
            "V_t is a decaying SUM, not an average: unrolled, V_t = eta g (1 + gamma + ... + "
            "gamma^(t-1)) = eta g (1 - gamma^t)/(1 - gamma), which tends to eta g/(1 - gamma) = "
            "10 eta g. The moving-average form M_t = gamma M_{t-1} + (1 - gamma) g_t tends to g "
            "instead, so its step eta' M_t matches SGD's when eta' = eta (lessons 04 and 05)."),
        Statement(
            "With gamma = 0.9 and gradients that flip sign at every step (+g, -g, +g, ...), the "
            "running average M_t of the gradients settles at about g/19 in size, alternating "
            "in sign",
            True,
            "In the steady state M_t = -M_{t-1} = m after a +g input, so m = -0.9 m + 0.1 g and "
            "m = g (1 - gamma)/(1 + gamma) = g/19. Averaging cancels a direction whose sign keeps "
            "flipping, while a steady direction keeps its full size g: that is what momentum "
            "exploits in a narrow valley (lesson 05)."),
        Statement(
            "On the same flipping coordinate (+g, -g, ...), RMSprop's steps also shrink toward "
            "zero, because it divides by a running average of the gradients",
            False,
            "RMSprop averages g^2, not g: every input is g^2, so G_t tends to g^2 and each step "
            "is eta g/(sqrt(G_t) + eps), about eta in size, flipping sign forever. It rescales "
            "the current gradient and keeps no trend of g at all (lesson 07), so it cannot "
            "cancel an oscillation the way an average of g does."),
        Statement(
            "Adam with beta1 = 0 takes the same steps as RMSprop with gamma = beta2 once the "
            "bias correction has faded",
            True,
            "With beta1 = 0 the first moment is m_t = g_t (and its correction divides by "
            "1 - 0^t = 1), so the step is -eta g_t/(sqrt(v_t/(1 - beta2^t)) + eps), where v_t is "
            "exactly RMSprop's G_t. The only difference is the factor 1/(1 - beta2^t), which "
            "tends to 1 (lesson 04's bias correction)."),
        Statement(
            "Multiplying every gradient by 100 (say, by scaling the loss) makes Adam's steps "
            "100 times longer",
            False,
            "m-hat grows by 100 and sqrt(v-hat) grows by 100, so their ratio, and the step, do "
            "not change (as long as eps is negligible next to sqrt(v-hat)). SGD's and "
            "momentum's steps, by contrast, would grow 100-fold (lesson 08)."),
        Statement(
            "Because momentum with gamma = 0.9 averages about 10 minibatch gradients in each "
            "step, the weights settle much closer to the minimum than SGD's at the same "
            "long-run step size",
            False,
            "Averaging makes consecutive STEPS point nearly the same way, but the noise left in "
            "them is correlated over about 1/(1 - gamma) steps and adds up to the same random "
            "walk: at the same long-run step size the spread of the weights around the minimum "
            "barely changes (lesson 05 measures it). What does shrink the spread is a smaller "
            "step size or a larger minibatch."),
    ],
    id="POLL-4",
)
