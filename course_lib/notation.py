"""The course's notation table as data: symbol, meaning, course_lib name, PyTorch name.

Shown in ``notebooks/00_start_here.ipynb``. Tests check that every optimizer argument of
the library appears here, and that every library argument the table names in the form
``module.function(arg=)`` really is an argument of that function, so the table cannot fall
behind the code.
"""
from __future__ import annotations

__all__ = ["NOTATION", "REUSED", "notation_markdown"]

# (symbol in LaTeX, meaning, course_lib name, PyTorch name and convention)
NOTATION = [
    (r"$W$, $W_t$", r"the weights (parameters), after update $t$", r"`params`, `w`", r"`params` (the tensors)"),
    (r"$J(W)$", r"the loss being minimized (empirical risk)", r"`loss`", r"the loss tensor"),
    (r"$g_t = \nabla_W J(W_{t-1})$", r"gradient used by update $t$", r"`grads`, `g`", r"`p.grad`"),
    (r"$t$", r"update counter; the first update has $t=1$", r"`state.t`", r"`state['step']`"),
    (r"$k$", r"iteration index in convergence statements", r"—", r"—"),
    (r"$T$", r"number of inputs averaged (lesson 04); lesson 01's number of training examples",
     r"`averages.moving_average_weights(T=)`, `data.points(T=)`", r"—"),
    # ---- Part I (lessons 01-03) ----
    (r"$N$", r"number of training examples (lessons 02-03; lesson 01 calls it $T$)",
     r"`minibatch.minibatches(N=)`, `minibatch.run_minibatch(N=)`, `data.blobs(N=)`",
     r"`len(dataset)`"),
    (r"$L(W)$, $L^*$", r"Part I's name for the training loss (empirical risk, the same as $J$) and its minimum",
     r"`data.points_loss`, `kmeans.kmeans_loss`", r"the loss tensor"),
    (r"$\operatorname{div}$", r"divergence (loss) of one example; $L$ is its mean", r"—",
     r"`reduction='none'`"),
    (r"$b$", r"minibatch size: $b = 1$ is SGD, $b = N$ batch descent",
     r"`minibatch.minibatches(b=)`, `minibatch.run_minibatch(b=)`, `kmeans.fit_kmeans(b=)`",
     r"`DataLoader(batch_size=)`"),
    (r"$E$", r"epochs: passes over the data ($N/b$ updates each)",
     r"`minibatch.minibatches(epochs=)`, `minibatch.run_minibatch(epochs=)`, `kmeans.fit_kmeans(epochs=)`",
     r"the outer training loop"),
    (r"—", r"reshuffle every epoch (SGD) or keep a fixed order; the seed of the shuffles",
     r"`minibatch.run_minibatch(shuffle=)`, `minibatch.run_minibatch(seed=)`",
     r"`DataLoader(shuffle=, generator=)`"),
    (r"$d$", r"dimension of the examples and of $w$ (lesson 01)", r"`data.points(dim=)`, `data.blobs(dim=)`",
     r"—"),
    (r"$w^*$, $\bar x$", r"the minimizer; in lesson 01 it is the mean of the examples", r"—", r"—"),
    (r"$e_k = w_k - w^*$", r"error after $k$ updates (lesson 02)", r"—", r"—"),
    (r"$a$", r"curvature $\overline{x^2}$ of the regression through the origin (lesson 02)", r"—", r"—"),
    (r"$\sigma$, $\sigma^2$", r"spread of the examples (lesson 01); $\sigma^2 = \operatorname{var}(\operatorname{div})$ (lesson 03)",
     r"`data.points(spread=)`, `data.blobs(spread=)`", r"—"),
    (r"$s^2$", r"variance of the training set's own values (divide by $N$)", r"—", r"—"),
    (r"$\eta_k = c/(k+t_0)^p$", r"a shrinking step size: scale $c$, offset $t_0$, exponent $p$",
     r"`schedules.inverse_power(c=)`, `schedules.inverse_power(t0=)`, `schedules.inverse_power(p=)`",
     r"`LambdaLR(lr_lambda=)`"),
    (r"factor", r"the number the step is DIVIDED by (> 1)",
     r"`schedules.step_decay(factor=)`, `schedules.ReduceOnPlateau(factor=)`",
     r"`StepLR(gamma=1/factor)`, `ReduceLROnPlateau(factor=1/factor)`"),
    (r"—", r"updates between two divisions of a step decay", r"`schedules.step_decay(every=)`",
     r"`StepLR(step_size=)`"),
    (r"patience", r"fed losses without improvement tolerated before dividing",
     r"`schedules.ReduceOnPlateau(patience=)`", r"`ReduceLROnPlateau(patience=)`"),
    (r"—", r"relative improvement that counts, and the floor for $\eta$",
     r"`schedules.ReduceOnPlateau(threshold=)`, `schedules.ReduceOnPlateau(min_lr=)`",
     r"`ReduceLROnPlateau(threshold=, min_lr=)`"),
    (r"$q$", r"ratio of a geometric step decay, $\eta_k = \eta_1 q^{k-1}$ (lesson 02)", r"`1 / factor`",
     r"`StepLR(gamma=)`"),
    (r"$\rho$ (Part I)", r"per-step ratio of batch descent's excess loss, $(1 - a\eta)^2$ (lesson 02)",
     r"—", r"—"),
    (r"$\bar w_k$", r"iterate average: running average of $w_1..w_k$ (uniform or polynomial decay)",
     r"`averages.IterateAverage(gamma=)`", r"`swa_utils.AveragedModel`"),
    (r"$\eta$ (Shamir-Zhang)", r"constant of polynomial-decay averaging, $\ge 0$: NOT a step size",
     r"`averages.polynomial_decay_gamma(eta=)`", r"—"),
    (r"$K$ (K-means)", r"number of K-means centres",
     r"`kmeans.fit_kmeans(K=)`, `kmeans.init_centers(K=)`, `data.blobs(K=)`",
     r"— (scikit-learn `KMeans(n_clusters=)`)"),
    (r"$c_j$, $C$", r"K-means centre $j$, all centres (the starting ones: $C_0$)",
     r"`kmeans.fit_kmeans(C0=)`", r"—"),
    (r"$n_j$, $m_j$", r"points K-means centre $j$ has received so far, and in this batch",
     r"`kmeans.count_step(counts=)`", r"—"),
    # ---- Part II onward ----
    (r"$\eta$, $\eta_t$", r"step size (learning rate), or a schedule", r"`lr`", r"`lr`"),
    (r"$\gamma$, $\gamma_t$", r"weight of the OLD value in a running average; momentum", r"`gamma`",
     r"`SGD(momentum=)`; RMSprop `alpha`; batch norm `momentum = 1 - gamma`"),
    (r"$C_t$", r"running average of inputs $c_t$", r"`running_average(...)`", r"—"),
    (r"$V_t$", r"velocity (heavy-ball momentum, undamped sum)", r"`state.V`", r"`lr * momentum_buffer`"),
    (r"$M_t$", r"running average of gradients (averaged momentum)", r"`state.M`",
     r"`momentum_buffer * (1 - gamma)` (see lesson 05)"),
    (r"$G_t$", r"running average (RMSprop) or sum (Adagrad) of $g^2$", r"`state.G`",
     r"`square_avg` / `sum`"),
    (r"$\beta_1$", r"Adam: weight of the old first moment", r"`beta1`", r"`betas[0]`"),
    (r"$\beta_2$", r"Adam: weight of the old second moment", r"`beta2`", r"`betas[1]`"),
    (r"$m_t$, $\hat m_t$", r"first moment and its bias-corrected value", r"`state.m`", r"`exp_avg`"),
    (r"$v_t$, $\hat v_t$", r"second moment and its bias-corrected value", r"`state.v`", r"`exp_avg_sq`"),
    (r"$u_t$", r"AdaMax: running max of $|g|$", r"`state.u`", r"`exp_inf`"),
    (r"$\rho$", r"Adadelta: weight of the old value in its averages", r"`rho`", r"`rho`"),
    (r"$\mu$ (RMSprop)", r"RMSprop's optional momentum: weight of the old buffer $b_t$",
     r"`optimizers.RMSprop(momentum=)`", r"`RMSprop(momentum=)`"),
    (r"$\bar g_t$, $D_t$", r"centered RMSprop: running average of $g$, and the running std it divides by",
     r"`optimizers.RMSprop(centered=)`, `state.gbar`", r"`RMSprop(centered=)`, `grad_avg`"),
    (r"$\epsilon$", r"guard against division by zero (where it sits is stated per method)", r"`eps`", r"`eps`"),
    (r"$\lambda$", r"weight decay: L2 added to g (Adagrad, RMSprop, Adadelta, Adam, AdaMax, AMSGrad) or decoupled (AdamW)", r"`weight_decay`", r"`weight_decay`"),
    (r"$\eta^+, \eta^-$", r"Rprop: step growth and shrink factors", r"`eta_plus`, `eta_minus`",
     r"`etas = (eta_minus, eta_plus)`"),
    (r"$\Delta_{\min}, \Delta_{\max}$", r"Rprop: smallest and largest per-weight step size",
     r"`delta_min`, `delta_max`", r"`step_sizes = (delta_min, delta_max)`"),
    (r"$G_0$", r"Adagrad: starting value of the sum of squares", r"`G0`",
     r"`initial_accumulator_value`"),
    (r"$\delta$", r"Adagrad: step-size decay, $\eta_t = \eta / (1 + (t-1)\delta)$", r"`lr_decay`",
     r"`lr_decay`"),
    (r"$K$ (batch norm)", r"batch-norm minibatch size (Part I writes $b$)", r"— (the columns of `Z`)",
     r"batch dimension"),
    (r"$n_l$", r"units in layer $l$", r"`batchnorm.BatchNorm(n=)`", r"`num_features`"),
    (r"$Z$", r"batch-norm input, $n_l \times K$ (features by batch)", r"`batchnorm.batchnorm_forward(Z=)`", r"input, batch first"),
    (r"$\mu$, $\sigma$", r"per-feature batch mean and (biased) standard deviation", r"`cache.mu`, `cache.sigma`",
     r"`running_mean`; `running_var` keeps the unbiased variance"),
    (r"$\bar Z$, $\hat Z$", r"normalized input; output $\hat Z = G \bar Z + B$", r"`Zbar`, `Zhat`", r"output"),
    (r"$G$, $B$", r"batch-norm gain and shift (not momentum's $\gamma$)", r"`batchnorm.batchnorm_forward(G=)`, `batchnorm.batchnorm_forward(B=)`",
     r"`weight`, `bias`"),
]


#: letters that mean two things somewhere in the course; each lesson says which it means
REUSED = [
    r"$\eta$: the step size everywhere, except in polynomial-decay averaging (lesson 02, "
    r"Shamir and Zhang's constant, `polynomial_decay_gamma(eta=)`), which is not a step size.",
    r"$\rho$: in lesson 02 the per-step ratio $(1-a\eta)^2$ of batch descent's excess loss; in "
    r"lesson 07 Adadelta's weight of the old value (`rho`).",
    r"$K$: the number of K-means centres in lesson 03 (`fit_kmeans(K=)`), the batch-norm "
    r"minibatch size in lessons 10-11 (Part I calls a batch size $b$).",
    r"$\sigma$: the spread of the examples (lesson 01) or $\sqrt{\operatorname{var}(\operatorname{div})}$ "
    r"(lesson 03); in batch norm the per-feature standard deviation. $\mu$ likewise: the "
    r"expected divergence in lesson 03, the batch mean in batch norm.",
    r"$T$: lesson 01's number of training examples (lessons 02-03 write $N$); in lesson 04 the "
    r"number of inputs averaged.",
    r"$c$: the scale of $c/k^p$ (lesson 02), a common covariance (lesson 03), an input $c_t$ of a "
    r"running average (lesson 04), a K-means centre $c_j$ (lesson 03). $C_t$ is a running "
    r"average, $C$ the set of K-means centres.",
    r"$m$, $n$: K-means' counts $m_j$, $n_j$ (lesson 03), Adam's first moment $m_t$, "
    r"the units $n_l$ of layer $l$; lesson 03 also writes $n = bk$ for examples processed.",
    r"$b$: the batch size in Part I; RMSprop's optional momentum buffer $b_t$ (lesson 07), "
    r"whose weight $\mu$ is not the mean $\mu$ of lesson 03 or of batch norm.",
    r"$q$: the ratio of a geometric decay (lesson 02), an error rate in lesson 03's sympy.stats "
    r"example.",
]


def notation_markdown() -> str:
    """The table, then the letters that are reused (one bullet each)."""
    head = "| symbol | meaning | course_lib | PyTorch |\n|---|---|---|---|\n"
    table = head + "\n".join(f"| {s} | {m} | {c} | {p} |" for s, m, c, p in NOTATION)
    notes = "\n".join(f"- {note}" for note in REUSED)
    return (table + "\n\n**Letters used twice.** Where a letter means two things, the lesson "
            "says which one it means:\n\n" + notes)
