"""The course's notation table as data: symbol, meaning, course_lib name, PyTorch name.

Every row has a short stable ``key`` ("eta", "gamma", "beta1", ...). A lesson opens with
``notation_box("eta", "gamma")``: a small table of just the symbols it uses, drawn from the
same rows, so it cannot drift from the full table (``notebooks/notation_reference.ipynb``
shows all of it through :func:`notation_markdown`). :func:`keys` lists the keys. Tests check that every optimizer argument of
the library appears here, and that every library argument the table names in the form
``module.function(arg=)`` really is an argument of that function, so the table cannot fall
behind the code.
"""
from __future__ import annotations

import difflib
from typing import NamedTuple

__all__ = ["NOTATION", "REUSED", "Row", "keys", "notation_box", "notation_markdown"]


class Row(NamedTuple):
    """One symbol: LaTeX, meaning, course_lib name, PyTorch name and convention, lookup key."""
    symbol: str
    meaning: str
    course_lib: str
    pytorch: str
    key: str


_ROWS = [
    (r"$W$, $W_t$", r"the weights (parameters), after update $t$", r"`params`, `w`", r"`params` (the tensors)", "W"),
    (r"$J(W)$", r"the loss being minimized (empirical risk)", r"`loss`", r"the loss tensor", "J"),
    (r"$g_t = \nabla_W J(W_{t-1})$", r"gradient used by update $t$", r"`grads`, `g`", r"`p.grad`", "g"),
    (r"$t$", r"update counter; the first update has $t=1$", r"`state.t`", r"`state['step']`", "t"),
    (r"$k$", r"iteration index in convergence statements", r"—", r"—", "k"),
    (r"$T$", r"number of inputs averaged (lesson 04); lesson 01's number of training examples",
     r"`averages.moving_average_weights(T=)`, `data.points(T=)`", r"—", "T"),
    # ---- Part I (lessons 01-03) ----
    (r"$N$", r"number of training examples (lessons 02-03; lesson 01 calls it $T$)",
     r"`minibatch.minibatches(N=)`, `minibatch.run_minibatch(N=)`, `data.blobs(N=)`",
     r"`len(dataset)`", "N"),
    (r"$L(W)$, $L^*$", r"Part I's name for the training loss (empirical risk, the same as $J$) and its minimum",
     r"`data.points_loss`, `kmeans.kmeans_loss`", r"the loss tensor", "L"),
    (r"$\operatorname{div}$", r"divergence (loss) of one example; $L$ is its mean", r"—",
     r"`reduction='none'`", "div"),
    (r"$b$", r"minibatch size: $b = 1$ is SGD, $b = N$ batch descent",
     r"`minibatch.minibatches(b=)`, `minibatch.run_minibatch(b=)`, `kmeans.fit_kmeans(b=)`",
     r"`DataLoader(batch_size=)`", "b"),
    (r"$E$", r"epochs: passes over the data ($N/b$ updates each)",
     r"`minibatch.minibatches(epochs=)`, `minibatch.run_minibatch(epochs=)`, `kmeans.fit_kmeans(epochs=)`",
     r"the outer training loop", "E"),
    (r"—", r"reshuffle every epoch (SGD) or keep a fixed order; the seed of the shuffles",
     r"`minibatch.run_minibatch(shuffle=)`, `minibatch.run_minibatch(seed=)`",
     r"`DataLoader(shuffle=, generator=)`", "shuffle"),
    (r"$d$", r"dimension of the examples and of $w$ (lesson 01)", r"`data.points(dim=)`, `data.blobs(dim=)`",
     r"—", "d"),
    (r"$w^*$, $\bar x$", r"the minimizer; in lesson 01 it is the mean of the examples", r"—", r"—", "w_star"),
    (r"$e_k = w_k - w^*$", r"error after $k$ updates (lesson 02)", r"—", r"—", "e_k"),
    (r"$a$", r"curvature $\overline{x^2}$ of the regression through the origin (lesson 02)", r"—", r"—", "a"),
    (r"$\sigma$, $\sigma^2$", r"spread of the examples (lesson 01); $\sigma^2 = \operatorname{var}(\operatorname{div})$ (lesson 03)",
     r"`data.points(spread=)`, `data.blobs(spread=)`", r"—", "sigma"),
    (r"$s^2$", r"variance of the training set's own values (divide by $N$)", r"—", r"—", "s2"),
    (r"$\eta_k = c/(k+t_0)^p$", r"a shrinking step size: scale $c$, offset $t_0$, exponent $p$",
     r"`schedules.inverse_power(c=)`, `schedules.inverse_power(t0=)`, `schedules.inverse_power(p=)`",
     r"`LambdaLR(lr_lambda=)`", "inverse_power"),
    (r"factor", r"the number the step is DIVIDED by (> 1)",
     r"`schedules.step_decay(factor=)`, `schedules.ReduceOnPlateau(factor=)`",
     r"`StepLR(gamma=1/factor)`, `ReduceLROnPlateau(factor=1/factor)`", "factor"),
    (r"—", r"updates between two divisions of a step decay", r"`schedules.step_decay(every=)`",
     r"`StepLR(step_size=)`", "every"),
    (r"patience", r"fed losses without improvement tolerated before dividing",
     r"`schedules.ReduceOnPlateau(patience=)`", r"`ReduceLROnPlateau(patience=)`", "patience"),
    (r"—", r"relative improvement that counts, and the floor for $\eta$",
     r"`schedules.ReduceOnPlateau(threshold=)`, `schedules.ReduceOnPlateau(min_lr=)`",
     r"`ReduceLROnPlateau(threshold=, min_lr=)`", "threshold"),
    (r"$T$ (schedule)", r"updates a schedule spans (the whole run for warm-up + cosine and one-cycle)",
     r"`schedules.cosine(T=)`, `schedules.warmup_cosine(T=)`, `schedules.one_cycle(T=)`",
     r"`CosineAnnealingLR(T_max=)` (`T - warmup` after a warm-up), `OneCycleLR(total_steps=)`",
     "T_schedule"),
    (r"$\eta_{\min}$", r"floor a cosine decay ends at",
     r"`schedules.cosine(lr_min=)`, `schedules.warmup_cosine(lr_min=)`",
     r"`CosineAnnealingLR(eta_min=)`", "eta_min"),
    (r"$w$, $s$ (warm-up)", r"warm-up length in updates, and the first step as a fraction of $\eta$",
     r"`schedules.warmup_cosine(warmup=)`, `schedules.warmup_cosine(start_factor=)`",
     r"`LinearLR(total_iters=, start_factor=)`, `SequentialLR(milestones=[warmup])`", "warmup"),
    (r"$\eta_{\max}$ (one-cycle)", r"one-cycle peak; it starts at $\eta_{\max}/\text{div}$ and ends "
     r"$\text{final\_div}$ times lower still; share of the run spent rising; cosine or linear",
     r"`schedules.one_cycle(lr_max=)`, `schedules.one_cycle(div_factor=)`, "
     r"`schedules.one_cycle(final_div_factor=)`, `schedules.one_cycle(pct_start=)`, "
     r"`schedules.one_cycle(anneal=)`",
     r"`OneCycleLR(max_lr=, div_factor=, final_div_factor=, pct_start=, anneal_strategy=)`",
     "one_cycle"),
    (r"$\tau$, $\lVert g_t \rVert$", r"clipping threshold, and the global L2 norm of the whole "
     r"gradient (all arrays); $g_t$ is scaled by $\min(1, \tau/(\lVert g_t\rVert + 10^{-6}))$",
     r"`clipping.clip_by_norm(max_norm=)`, `clipping.Clipped(max_norm=)`",
     r"`clip_grad_norm_(max_norm=)`", "max_norm"),
    (r"$\eta_{\text{lo}}$, $\eta_{\text{hi}}$, $r$", r"range test: first and last step size of the ramp "
     r"$\eta_t = \eta_{\text{lo}} r^{t-1}$, and the factor $r$ between consecutive updates",
     r"`practice.lr_range_test(lr_lo=)`, `practice.lr_range_test(lr_hi=)`, `practice.lr_range_test(steps=)`",
     r"— (not in torch.optim)", "lr_range"),
    (r"$b_0$, $\eta_{b_0}$", r"reference batch size and its step size; the linear scaling rule takes "
     r"$\eta_b = \eta_{b_0}\, b / b_0$", r"`practice.run_seeds(batch_size=)`", r"`DataLoader(batch_size=)`, `lr`",
     "b0"),
    (r"$q$", r"ratio of a geometric step decay, $\eta_k = \eta_1 q^{k-1}$ (lesson 02)", r"`1 / factor`",
     r"`StepLR(gamma=)`", "q"),
    (r"$\rho$ (Part I)", r"per-step ratio of batch descent's excess loss, $(1 - a\eta)^2$ (lesson 02)",
     r"—", r"—", "rho_ratio"),
    (r"$\bar w_k$", r"iterate average: running average of $w_1..w_k$ (uniform or polynomial decay)",
     r"`averages.IterateAverage(gamma=)`", r"`swa_utils.AveragedModel`", "w_bar"),
    (r"$\eta$ (Shamir-Zhang)", r"constant of polynomial-decay averaging, $\ge 0$: NOT a step size",
     r"`averages.polynomial_decay_gamma(eta=)`", r"—", "eta_sz"),
    (r"$K$ (K-means)", r"number of K-means centres",
     r"`kmeans.fit_kmeans(K=)`, `kmeans.init_centers(K=)`, `data.blobs(K=)`",
     r"— (scikit-learn `KMeans(n_clusters=)`)", "K_kmeans"),
    (r"$c_j$, $C$", r"K-means centre $j$, all centres (the starting ones: $C_0$)",
     r"`kmeans.fit_kmeans(C0=)`", r"—", "c_j"),
    (r"$n_j$, $m_j$", r"points K-means centre $j$ has received so far, and in this batch",
     r"`kmeans.count_step(counts=)`", r"—", "n_j"),
    # ---- Part II onward ----
    (r"$\eta$, $\eta_t$", r"step size (learning rate), or a schedule", r"`lr`", r"`lr`", "eta"),
    (r"$\gamma$, $\gamma_t$", r"weight of the OLD value in a running average; momentum", r"`gamma`",
     r"`SGD(momentum=)`; RMSprop `alpha`; batch norm `momentum = 1 - gamma`", "gamma"),
    (r"$C_t$", r"running average of inputs $c_t$", r"`running_average(...)`", r"—", "C"),
    (r"$c_t$", r"lesson 04: the input averaged at step $t$ (not a K-means centre $c_j$)",
     r"`averages.running_average(x=)`", r"—", "c_t"),
    (r"$w_{T,t}$, $w_j$", r"lesson 04: weight of input $t$ in $C_T$, by age $j = T-t$ (an "
     r"averaging weight, not a parameter $W$)", r"`averages.moving_average_weights(T=)`", r"—",
     "w_avg"),
    (r"$A$, $n$", r"lesson 04: mean age $\gamma/(1-\gamma)$ of the weights, and the window "
     r"$n = A + 1 = 1/(1-\gamma)$", r"`averages.effective_window(gamma=)`", r"—", "window"),
    (r"$S_T$", r"lesson 04: sum of the weights of $C_T$, $1-\gamma^T$ (debiasing divides by it)",
     r"`averages.debias(t=)`", r"—", "S_T"),
    (r"$V_t$", r"velocity (heavy-ball momentum, undamped sum)", r"`state.V`", r"`lr * momentum_buffer`", "V"),
    (r"$M_t$", r"running average of gradients (averaged momentum)", r"`state.M`",
     r"`momentum_buffer * (1 - gamma)` (lesson 05's In PyTorch box)", "M"),
    (r"$\eta'$", r"lesson 05: the averaged form's step size (its `lr`); $\eta = \eta'(1-\gamma)$ "
     r"gives the velocity form the same iterates, and is torch's lr for it", r"—", r"—",
     "eta_prime"),
    (r"$\xi_t$, $\sigma^2$", r"lesson 05: the minibatch gradient's zero-mean noise, $g_t = \nabla "
     r"J(W_{t-1}) + \xi_t$, and its variance", r"—", r"—", "xi"),
    (r"$G_t$", r"running average (RMSprop) or sum (Adagrad) of $g^2$", r"`state.G`",
     r"`square_avg` / `sum`", "G"),
    (r"$\beta_1$", r"Adam: weight of the old first moment", r"`beta1`", r"`betas[0]`", "beta1"),
    (r"$\beta_2$", r"Adam: weight of the old second moment", r"`beta2`", r"`betas[1]`", "beta2"),
    (r"$m_t$, $\hat m_t$", r"first moment and its bias-corrected value", r"`state.m`", r"`exp_avg`", "m"),
    (r"$v_t$, $\hat v_t$", r"second moment and its bias-corrected value", r"`state.v`", r"`exp_avg_sq`", "v"),
    (r"$u_t$", r"AdaMax: running max of $\lvert g\rvert$", r"`state.u`", r"`exp_inf`", "u"),
    (r"$\rho$", r"Adadelta: weight of the old value in its averages", r"`rho`", r"`rho`", "rho"),
    (r"$\mu$ (RMSprop)", r"RMSprop's optional momentum: weight of the old buffer $b_t$",
     r"`optimizers.RMSprop(momentum=)`", r"`RMSprop(momentum=)`", "mu_rmsprop"),
    (r"$\bar g_t$, $D_t$", r"centered RMSprop: running average of $g$, and the running std it divides by",
     r"`optimizers.RMSprop(centered=)`, `state.gbar`", r"`RMSprop(centered=)`, `grad_avg`", "gbar"),
    (r"—", r"climb instead of descend: every optimizer then follows $-g_t$ (the rule is unchanged)",
     r"`maximize`", r"`maximize`", "maximize"),
    (r"$\epsilon$", r"guard against division by zero (where it sits is stated per method)", r"`eps`", r"`eps`", "eps"),
    (r"$\lambda$", r"weight decay: L2 added to g (Adagrad, RMSprop, Adadelta, Adam, AdaMax, AMSGrad) or decoupled (AdamW)", r"`weight_decay`", r"`weight_decay`", "lambda"),
    (r"$\eta^+, \eta^-$", r"Rprop: step growth and shrink factors", r"`eta_plus`, `eta_minus`",
     r"`etas = (eta_minus, eta_plus)`", "eta_pm"),
    (r"$\Delta_{\min}, \Delta_{\max}$", r"Rprop: smallest and largest per-weight step size",
     r"`delta_min`, `delta_max`", r"`step_sizes = (delta_min, delta_max)`", "delta_range"),
    (r"$G_0$", r"Adagrad: starting value of the sum of squares", r"`G0`",
     r"`initial_accumulator_value`", "G0"),
    (r"$\delta$", r"Adagrad: step-size decay, $\eta_t = \eta / (1 + (t-1)\delta)$", r"`lr_decay`",
     r"`lr_decay`", "delta"),
    (r"$K$ (batch norm)", r"batch-norm minibatch size (Part I writes $b$)", r"— (the columns of `Z`)",
     r"batch dimension", "K_bn"),
    (r"$n_l$", r"units in layer $l$", r"`batchnorm.BatchNorm(n=)`", r"`num_features`", "n_l"),
    (r"$Z$", r"batch-norm input, $n_l \times K$ (features by batch)", r"`batchnorm.batchnorm_forward(Z=)`", r"input, batch first", "Z"),
    (r"$\mu$, $\sigma$", r"per-feature batch mean and (biased) standard deviation", r"`cache.mu`, `cache.sigma`",
     r"`running_mean`; `running_var` keeps the unbiased variance", "mu_sigma_bn"),
    (r"$\bar Z$, $\hat Z$", r"normalized input; output $\hat Z = G \bar Z + B$", r"`Zbar`, `Zhat`", r"output", "Zbar"),
    (r"$s_i$", r"batch-norm denominator: $\sigma_i + \epsilon$ (`eps_mode='sigma'`) or $\sqrt{\sigma_i^2 + \epsilon}$ (`'sqrt'`)",
     r"`cache.s`", r"$\sqrt{\sigma^2 + \epsilon}$ only", "s_bn"),
    (r"$m_t$, $v_t$ (batch norm)", r"running estimates of a unit's mean and variance, used at inference",
     r"`BatchNorm.running_mean`, `BatchNorm.running_var`", r"`running_mean`, `running_var`", "mv_bn"),
    (r"$g_{ij}$ (batch norm)", r"upstream gradient $\partial L / \partial \hat Z_{ij}$ handed to the layer",
     r"`batchnorm.batchnorm_backward(dZhat=)`", r"`grad_output`", "g_bn"),
    (r"$G$, $B$", r"batch-norm gain and shift (not momentum's $\gamma$)", r"`batchnorm.batchnorm_forward(G=)`, `batchnorm.batchnorm_forward(B=)`",
     r"`weight`, `bias`", "GB"),
    # ---- quadratic models (lessons 05-09) ----
    (r"$H$", r"Hessian of a quadratic loss $J(W) = \tfrac12 W^\top H W$ (its curvatures)",
     r"`landscapes.quadratic(kappa=)` builds one", r"—", "H"),
    (r"$\lambda$, $\lambda_i$ (curvature)", r"a curvature: an eigenvalue of $H$ (1-D: $J = \lambda w^2/2$)",
     r"—", r"—", "lambda_H"),
    (r"$L$, $\mu$ (curvature)", r"the largest and smallest curvature of a quadratic",
     r"—", r"—", "L_mu"),
    (r"$\kappa$", r"condition number $L/\mu$: how elongated the bowl is",
     r"`landscapes.quadratic(kappa=)`", r"—", "kappa"),
    (r"$\rho(T)$", r"spectral radius, the largest $\lvert$eigenvalue$\rvert$ of an update matrix $T$: "
     r"the error shrinks like $\rho^t$ (lesson 05)", r"—", r"—", "rho_spec"),
]

#: the rows, in the order of the full table (a list of :class:`Row`)
NOTATION = [Row(*row) for row in _ROWS]
_BY_KEY = {row.key: row for row in NOTATION}
assert len(_BY_KEY) == len(NOTATION), "two notation rows share a key"


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
    r"$\lambda$: the weight decay (`weight_decay`) of the optimizers, or a curvature (an "
    r"eigenvalue of the Hessian $H$) in the quadratic models; $L$ and $\mu$ are then the largest "
    r"and smallest curvature, not the loss $L(W)$ of Part I or a mean.",
]


def notation_markdown() -> str:
    """The table, then the letters that are reused (one bullet each)."""
    head = "| symbol | meaning | course_lib | PyTorch |\n|---|---|---|---|\n"
    table = head + "\n".join(_table_row(row) for row in NOTATION)
    notes = "\n".join(f"- {note}" for note in REUSED)
    return (table + "\n\n**Letters used twice.** Where a letter means two things, the lesson "
            "says which one it means:\n\n" + notes)


def _table_row(row: Row) -> str:
    return f"| {row.symbol} | {row.meaning} | {row.course_lib} | {row.pytorch} |"


def keys() -> list[str]:
    """Every row's key, in table order: the names :func:`notation_box` accepts."""
    return [row.key for row in NOTATION]


class NotationBox:
    """A few rows of the table; shows as a small markdown table in a notebook."""

    def __init__(self, rows: list[Row]):
        self.rows = rows

    def _repr_markdown_(self) -> str:
        head = "**Symbols in this lesson**\n\n| symbol | meaning | course_lib | PyTorch |\n|---|---|---|---|\n"
        return head + "\n".join(_table_row(row) for row in self.rows)

    def __repr__(self) -> str:
        return "\n".join(f"{row.key}: {row.symbol} - {row.meaning} (course_lib {row.course_lib}; "
                         f"PyTorch {row.pytorch})" for row in self.rows)


def notation_box(*keys_: str) -> NotationBox:
    """The rows named by ``keys_`` (see :func:`keys`), in the order given.

    >>> print(notation_box("eta"))
    eta: $\\eta$, $\\eta_t$ - step size (learning rate), or a schedule (course_lib `lr`; PyTorch `lr`)
    """
    if not keys_:
        raise ValueError("notation_box needs at least one key, e.g. notation_box('eta', 'gamma')")
    unknown = [k for k in keys_ if k not in _BY_KEY]
    if unknown:
        hints = {k: difflib.get_close_matches(k, _BY_KEY, n=4, cutoff=0.4) for k in unknown}
        raise ValueError("unknown notation key(s): " + "; ".join(
            f"{k!r} (close: {', '.join(close) or 'none'})" for k, close in hints.items())
            + ". course_lib.notation.keys() lists them all")
    return NotationBox([_BY_KEY[k] for k in keys_])
