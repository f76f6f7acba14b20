"""The course's notation table as data: symbol, meaning, course_lib name, PyTorch name.

Shown in ``notebooks/00_start_here.ipynb``; a test checks that every optimizer argument of
the library appears here, so the table cannot fall behind the code.
"""
from __future__ import annotations

__all__ = ["NOTATION", "notation_markdown"]

# (symbol in LaTeX, meaning, course_lib name, PyTorch name and convention)
NOTATION = [
    (r"$W$, $W_t$", r"the weights (parameters), after update $t$", r"`params`, `w`", r"`params` (the tensors)"),
    (r"$J(W)$", r"the loss being minimized (empirical risk)", r"`loss`", r"the loss tensor"),
    (r"$g_t = \nabla_W J(W_{t-1})$", r"gradient used by update $t$", r"`grads`, `g`", r"`p.grad`"),
    (r"$t$", r"update counter; the first update has $t=1$", r"`state.t`", r"`state['step']`"),
    (r"$k$", r"iteration index in convergence statements", r"—", r"—"),
    (r"$T$", r"number of training points, or of inputs averaged", r"`T`", r"—"),
    (r"$b$", r"minibatch size", r"`batch_size`", r"`DataLoader(batch_size=)`"),
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
    (r"$\epsilon$", r"guard against division by zero (where it sits is stated per method)", r"`eps`", r"`eps`"),
    (r"$\lambda$", r"weight decay (AdamW, L2)", r"`weight_decay`", r"`weight_decay`"),
    (r"$\eta^+, \eta^-$", r"Rprop: step growth and shrink factors", r"`eta_plus`, `eta_minus`",
     r"`etas = (eta_minus, eta_plus)`"),
    (r"$\Delta_{\min}, \Delta_{\max}$", r"Rprop: smallest and largest per-weight step size",
     r"`delta_min`, `delta_max`", r"`step_sizes = (delta_min, delta_max)`"),
    (r"$G_0$", r"Adagrad: starting value of the sum of squares", r"`G0`",
     r"`initial_accumulator_value`"),
    (r"$\delta$", r"Adagrad: step-size decay, $\eta_t = \eta / (1 + (t-1)\delta)$", r"`lr_decay`",
     r"`lr_decay`"),
    (r"$K$", r"batch-norm minibatch size", r"`K`", r"batch dimension"),
    (r"$n_l$", r"units in layer $l$", r"`n`", r"`num_features`"),
    (r"$Z$", r"batch-norm input, $n_l \times K$ (features by batch)", r"`Z`", r"input, batch first"),
    (r"$\mu$, $\sigma$", r"per-feature batch mean and (biased) standard deviation", r"`mu`, `sigma`",
     r"`running_mean`; `running_var` keeps the unbiased variance"),
    (r"$\bar Z$, $\hat Z$", r"normalized input; output $\hat Z = G \bar Z + B$", r"`Zbar`, `Zhat`", r"output"),
    (r"$G$, $B$", r"batch-norm gain and shift (not momentum's $\gamma$)", r"`G`, `B`", r"`weight`, `bias`"),
]


def notation_markdown() -> str:
    head = "| symbol | meaning | course_lib | PyTorch |\n|---|---|---|---|\n"
    return head + "\n".join(f"| {s} | {m} | {c} | {p} |" for s, m, c, p in NOTATION)
