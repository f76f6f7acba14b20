"""The course's polls as plain data: ``POLLS[id]`` is a :class:`course_lib.quiz.Quiz`.

Lessons show them with ``POLLS["POLL-1"].show()``; ``tests/test_quiz.py`` checks every
answer. Each poll covers the topic of the lecture slides' poll of the same number, written anew. Plain data only (no
ipywidgets import here: the widget is built lazily by ``Quiz.widget``).
"""
from __future__ import annotations

from .quiz import Quiz, Statement

__all__ = ["POLLS"]

POLLS: dict[str, Quiz] = {}

POLLS["POLL-1"] = Quiz(
    "[POLL-1] Batch updates (work each one out before you tick it): which of these are true?",
    [
        Statement(
            "On this lesson's loss L(w) = (1/2T) sum_t |w - x_t|^2, the five batch updates at "
            "eta = 0.5 run above cut the excess loss L - L* by a factor of 32",
            False,
            "Each update maps w - xbar to (1 - eta)(w - xbar): the DISTANCE to the mean halves, "
            "so after five updates it is 2^5 = 32 times smaller. The excess loss is half the "
            "squared distance, so it falls by 32^2 = 1024 (0.25 per update). Always check "
            "whether a factor applies to the weights or to the loss."),
        Statement(
            "On the same loss, batch descent converges for every step size 0 < eta < 2; at "
            "eta = 2 it jumps back and forth between two points forever",
            True,
            "The error is multiplied by 1 - eta at every update, which shrinks it exactly when "
            "|1 - eta| < 1. At eta = 1 the factor is 0 (one update lands on the mean); between "
            "1 and 2 the weights overshoot the mean but still close in; at eta = 2 the factor "
            "is -1, so w - xbar only flips its sign; beyond 2 it grows. Here the curvature is "
            "1 in every direction, so this is the rule eta < 2/curvature."),
        Statement(
            "If every training example is stored twice (2T examples, each point appearing "
            "twice), batch descent with the same step size needs twice as many updates to "
            "reach the same excess loss",
            False,
            "The doubled set has the same mean, hence the same average loss and the same "
            "gradient w - xbar: every update, and so the number of updates, is unchanged. What "
            "doubles is the price of each update, 2T per-example gradients instead of T. Batch "
            "descent pays in full for redundant data; incremental updates exploit it (later in "
            "this lesson)."),
        Statement(
            "Averaging the gradients of only the first half of the examples gives the same "
            "update as the full batch on this loss, because every per-example gradient "
            "w - x_t contains the same w",
            False,
            "The mean of w - x_t over a subset is w - (the mean of that subset), so the step "
            "heads for the subset's mean, not for xbar; they agree only when the two means "
            "coincide. That is why the exact gradient of L needs all T examples, and any subset "
            "gives an estimate of it."),
        Statement(
            "Spreading the examples out around the same mean raises the minimum loss L*, but "
            "leaves the excess loss L(w) - L* at a given w unchanged",
            True,
            "The sympy cell above showed L(w) - L(xbar) = |w - xbar|^2/2: the spread of the data "
            "enters only L* = L(xbar), the average squared distance of the examples to their "
            "mean. So the batch method's progress (its excess loss after each update) does not "
            "depend on how diverse the data are."),
        Statement(
            "Had the loss been the SUM of the T = 100 divergences instead of their mean, the "
            "step size eta = 0.5 would make batch descent diverge",
            True,
            "The gradient of the sum is T (w - xbar), so one update multiplies the error by "
            "1 - 0.5 x 100 = -49: it grows 49-fold per update. The stable range shrinks to "
            "eta < 2/T. Dividing by T, as the empirical risk does, keeps the step size "
            "meaningful whatever the size of the data set."),
    ],
    id="POLL-1",
)

POLLS["POLL-2"] = Quiz(
    "[POLL-2] Stochastic gradient descent (work each one out before you tick it): which of "
    "these are true?",
    [
        Statement(
            "For small constant steps, the spread (standard deviation) of w around w* is "
            "proportional to eta: a step four times smaller leaves a spread four times smaller",
            False,
            "For small eta the VARIANCE is about eta E[g*^2]/(2a), proportional to eta, so the "
            "standard deviation goes like sqrt(eta): a four times smaller step only halves the "
            "spread. The exact band formula of [SC-1] gives 0.101 at eta = 0.08 and 0.049 at "
            "eta = 0.02. A constant step can make the jitter small, but slowly, and never zero."),
        Statement(
            "With the lesson's schedule eta_k = 1/(a (k + 2)), the mean error E[w_k] - w* is "
            "exactly 2/(k + 2) times the starting error, about 0.0076 after 3000 updates from "
            "w0 = -10",
            True,
            "Here a eta_j = 1/(j + 2), so the product of the (1 - a eta_j) is the product of "
            "(j + 1)/(j + 2) for j = 1..k, which telescopes to 2/(k + 2). Times the starting "
            "error 11.46 that is 2 x 11.46/3002 = 0.0076, the predicted 7.64e-03 of the "
            "schedule table (measured over 200 runs: 7.88e-03)."),
        Statement(
            "A constant step cannot settle SGD on the regression because the examples' "
            "gradients at w* do not all vanish: at the optimum they only average to zero",
            True,
            "At w* the gradient of example i is -(y_i - w* x_i) x_i, which is zero only for a "
            "point exactly on the line. The batch gradient (their mean) is zero, but every SGD "
            "step uses one of them and kicks w away again, by an amount proportional to eta. "
            "On noise-free data (every point on the line) a small enough constant step would "
            "converge."),
        Statement(
            "A geometric decay eta_k = eta_1 q^(k-1) with q = 0.999 meets the first Robbins-"
            "Monro condition (the steps sum to infinity) because it shrinks so slowly",
            False,
            "The steps sum to eta_1/(1 - q) = 1000 eta_1: large, but finite, for every q < 1. "
            "With a large finite sum the mean does get close (the lesson's decay by 1.02 per "
            "step, sum 17.71, got its mean error to 3.5e-03), but the noise freezes at the level "
            "it had when the steps became tiny: its rms error stayed at 2.79e-02, against "
            "1.12e-02 for c/k."),
        Statement(
            "Shifting the schedule from c/(k + 2) to c/(k + 100) keeps both Robbins-Monro "
            "conditions, yet with c = 1/a it leaves a mean error about 48 times larger after "
            "3000 updates",
            True,
            "Shifting k drops or adds finitely many terms, which cannot change whether a sum "
            "converges: the steps still sum to infinity and their squares do not. But the "
            "product now telescopes to 100/(k + 100) instead of 2/(k + 2): after 3000 updates "
            "100/3100 = 0.032 against 2/3002 = 0.00067. The conditions say nothing about how "
            "fast."),
        Statement(
            "With eta_k = c/k and c = 0.25/a, running 100 times longer lowers the expected "
            "excess loss about 100-fold",
            False,
            "With 2ac = 0.5 the excess loss falls like k^-0.5 (measured slope -0.50), so 100 "
            "times more updates buy only 100^0.5 = 10 times less excess loss. The factor 100 "
            "needs slope -1, that is c > 1/(2a), as with c = 1/a."),
    ],
    id="POLL-2",
)

POLLS["POLL-3"] = Quiz(
    "[POLL-3] Minibatch descent (work each one out before you tick it): which of these are "
    "true?",
    [
        Statement(
            "With N = 1000 examples, a batch of b = 500 drawn without replacement has about half "
            "the loss variance of a batch of 500 drawn with replacement",
            True,
            "Without replacement the variance is s^2/b times (N - b)/(N - 1) = 500/999, about "
            "0.5. Half the training set fixes the other half, so the batch mean cannot stray as "
            "far; with replacement the same example may come up again and nothing is fixed."),
        Statement(
            "If every pair of examples had covariance sigma^2/2 (strongly correlated data), a "
            "batch of 100 would have about 1/100 of a single example's variance",
            False,
            "The double sum of covariances gives c + (sigma^2 - c)/b = sigma^2/2 + sigma^2/200, "
            "about 0.505 sigma^2: the batch barely halves the variance, and no batch size goes "
            "below c. Only the uncorrelated part of the noise is averaged away."),
        Statement(
            "If the fixed cost of a call is 50 times the cost per example (tau_call = "
            "50 tau_ex), batches of 50 process examples about 25 times faster than b = 1",
            True,
            "Per example the time is tau_call/b + tau_ex: 51 tau_ex at b = 1, 2 tau_ex at "
            "b = 50, a ratio of 25.5. Past b = tau_call/tau_ex the per-example cost cannot fall "
            "by more than half again. (The fixed cost measured in this lesson was of that size; "
            "timings vary between machines.)"),
        Statement(
            "A minibatch of b = N drawn without replacement makes the same update as batch "
            "descent, while b = N drawn with replacement does not",
            True,
            "Without replacement the batch IS the training set, in some order, and its mean "
            "gradient is the full one (variance 0). N draws with replacement miss about "
            "(1 - 1/N)^N, roughly 37%, of the examples and repeat others: its gradient is still "
            "an unbiased estimate, with variance s^2/N, but not the batch gradient."),
        Statement(
            "When the bound's second term L D^2/k (the price of starting far from the minimum) "
            "dominates, four times larger batches cut the number of updates needed about "
            "four-fold",
            False,
            "That term has no b in it: the distance D is covered by the steps, and a batch only "
            "averages away noise. Four times larger batches halve the noise term "
            "sigma D sqrt(2/(bk)) and leave L D^2/k as it was, so they help only while the noise "
            "term dominates."),
        Statement(
            "Doubling the training set (same population, batch size b fixed, batches drawn "
            "with replacement) halves the variance of each minibatch gradient",
            False,
            "A batch of b examples drawn from the training set has variance s^2/b, and s^2, the "
            "spread of the examples, stays about the same when more examples come from the same "
            "population. More data make the training loss a better estimate of the expected "
            "loss ([VM-1]) and an epoch longer, but the noise in each update is set by b alone."),
    ],
    id="POLL-3",
)

POLLS["POLL-4"] = Quiz(
    "[POLL-4] Optimizers that follow trends (work each one out before you tick it): which of "
    "these are true?",
    [
        Statement(
            "Heavy-ball momentum with velocity V_t = gamma V_{t-1} + eta g_t (capital V: lesson "
            "05's velocity, not Adam's v_t) and gamma = 0.9, fed the same gradient g at every "
            "step, ends up taking steps about 10 times as long as SGD's step eta g with the "
            "same eta",
            True,
            "The velocity V_t is a decaying SUM, not an average: unrolled, V_t = eta g (1 + "
            "gamma + ... + gamma^(t-1)) = eta g (1 - gamma^t)/(1 - gamma), which tends to "
            "eta g/(1 - gamma) = 10 eta g. The moving-average form M_t = gamma M_{t-1} + "
            "(1 - gamma) g_t tends to g instead, so its step eta' M_t matches SGD's when "
            "eta' = eta (lessons 04 and 05)."),
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
            "1 - 0^t = 1), so the step is -eta g_t/(sqrt(v_t/(1 - beta2^t)) + eps), where Adam's "
            "second moment v_t (lower-case v) is exactly RMSprop's average G_t of g^2. The only "
            "difference is the factor 1/(1 - beta2^t), which tends to 1 (lesson 04's bias "
            "correction)."),
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
            "barely changes (lesson 05 states it; 05b measures it). What does shrink the spread "
            "is a smaller step size or a larger minibatch."),
    ],
    id="POLL-4",
)
