"""The course's notation table as data: symbol, meaning, course_lib name, PyTorch name.

Shown in ``notebooks/00_start_here.ipynb``; a test checks that every optimizer argument of
the library appears here, so the table cannot fall behind the code.
"""
from __future__ import annotations

__all__ = ["NOTATION", "notation_markdown"]

# (symbol in LaTeX, meaning, course_lib name, PyTorch name and convention)
NOTATION = [
    (r"$W$, $W_t$", "the weights (parameters), after update $t$", "`params`, `w`", "`params` (the tensors)"),
    (r"$J(W)$", "the loss being minimized (empirical risk)", "`loss`", "the loss tensor"),
    (r"$g_t = \nabla_W J(W_{t-1})$", "gradient used by update $t$", "`grads`, `g`", "`p.grad`"),
    (r"$t$", "update counter; the first update has $t=1$", "`state.t`", "`state['step']`"),
    (r"$k$", "iteration index in convergence statements", "—", "—"),
    (r"$T$", "number of training points, or of inputs averaged", "`T`", "—"),
    (r"$b$", "minibatch size", "`batch_size`", "`DataLoader(batch_size=)`"),
    (r"$\eta$, $\eta_t$", "step size (learning rate), or a schedule", "`lr`", "`lr`"),
    (r"$\gamma$, $\gamma_t$", "weight of the OLD value in a running average; momentum", "`gamma`",
     "`SGD(momentum=)`; RMSprop `alpha`; batch norm `momentum = 1 - gamma`"),
    (r"$C_t$", "running average of inputs $c_t$", "`running_average(...)`", "—"),
    (r"$V_t$", "velocity (heavy-ball momentum, undamped sum)", "`state.V`", "`lr * momentum_buffer`"),
    (r"$M_t$", "running average of gradients (averaged momentum)", "`state.M`",
     "`momentum_buffer * (1 - gamma)` (see lesson 05)"),
    (r"$G_t$", "running average (RMSprop) or sum (Adagrad) of $g^2$", "`state.G`",
     "`square_avg` / `sum`"),
    (r"$\beta_1$", "Adam: weight of the old first moment", "`beta1`", "`betas[0]`"),
    (r"$\beta_2$", "Adam: weight of the old second moment", "`beta2`", "`betas[1]`"),
    (r"$m_t$, $\hat m_t$", "first moment and its bias-corrected value", "`state.m`", "`exp_avg`"),
    (r"$v_t$, $\hat v_t$", "second moment and its bias-corrected value", "`state.v`", "`exp_avg_sq`"),
    (r"$u_t$", "AdaMax: running max of $|g|$", "`state.u`", "`exp_inf`"),
    (r"$\rho$", "Adadelta: weight of the old value in its averages", "`rho`", "`rho`"),
    (r"$\epsilon$", "guard against division by zero (where it sits is stated per method)", "`eps`", "`eps`"),
    (r"$\lambda$", "weight decay (AdamW, L2)", "`weight_decay`", "`weight_decay`"),
    (r"$\eta^+, \eta^-$", "Rprop: step growth and shrink factors", "`etas`", "`etas`"),
    (r"$K$", "batch-norm minibatch size", "`K`", "batch dimension"),
    (r"$n_l$", "units in layer $l$", "`n`", "`num_features`"),
    (r"$Z$", "batch-norm input, $n_l \times K$ (features by batch)", "`Z`", "input, batch first"),
    (r"$\mu$, $\sigma$", "per-feature batch mean and (biased) standard deviation", "`mu`, `sigma`",
     "`running_mean`; `running_var` keeps the unbiased variance"),
    (r"$\bar Z$, $\hat Z$", "normalized input; output $\hat Z = G \bar Z + B$", "`Zbar`, `Zhat`", "output"),
    (r"$G$, $B$", "batch-norm gain and shift (not momentum's $\gamma$)", "`G`, `B`", "`weight`, `bias`"),
]


def notation_markdown() -> str:
    head = "| symbol | meaning | course_lib | PyTorch |\n|---|---|---|---|\n"
    return head + "\n".join(f"| {s} | {m} | {c} | {p} |" for s, m, c, p in NOTATION)
