"""The training loop (course_lib/train.py) and its progress bar: every optimizer of the
course reaches a fixed held-out accuracy on the digits; schedules are applied as predicted;
divergence is reported, never raised; bad input is refused before anything runs."""
import numpy as np
import pytest

from course_lib import optimizers as O
from course_lib.digits import digits_split
from course_lib.mlp import MLP
from course_lib.schedules import ReduceOnPlateau, inverse_power
from course_lib.train import History, lr_schedule_values, train
from course_lib.widgets.progress import ProgressBar

DATA = digits_split(seed=0)
TARGET = 0.88          # held-out accuracy every optimizer must reach in 3 epochs (chance: 0.10)

OPTIMIZERS = {
    "sgd": lambda: O.SGD(lr=0.2),
    "momentum": lambda: O.Momentum(lr=0.05, gamma=0.9),
    "nesterov": lambda: O.Nesterov(lr=0.05, gamma=0.9),
    "rmsprop": lambda: O.RMSprop(lr=3e-3, gamma=0.9),
    "adam": lambda: O.Adam(lr=1e-2),
    # the rest of the course's optimizers, so that every one is trained on real data
    "averaged_momentum": lambda: O.AveragedMomentum(lr=0.5, gamma=0.9),
    "nesterov_framework": lambda: O.NesterovFramework(lr=0.05, gamma=0.9),
    "adagrad": lambda: O.Adagrad(lr=0.05),
    "adadelta": lambda: O.Adadelta(),                  # no learning rate needed
    "rprop": lambda: O.Rprop(lr=1e-3),
    "adamax": lambda: O.AdaMax(lr=1e-2),
    "amsgrad": lambda: O.AMSGrad(lr=1e-2),
    "adamw": lambda: O.AdamW(lr=1e-2),
}


def test_the_table_covers_every_optimizer_class():
    from course_lib.optimizers import optimizer_classes
    assert {type(make()).__name__ for make in OPTIMIZERS.values()} == set(optimizer_classes())


@pytest.mark.parametrize("make", OPTIMIZERS.values(), ids=OPTIMIZERS.keys())
def test_every_optimizer_reaches_the_target_accuracy(make):
    net = MLP([64, 32, 10], seed=0)
    _, h = train(net, make(), DATA, epochs=3, batch_size=64, seed=0)
    assert not h.diverged
    assert h.held_acc[0] < 0.3                        # it really learned
    assert h.final_acc >= TARGET, h.summary()


@pytest.mark.parametrize("make", [OPTIMIZERS["sgd"], OPTIMIZERS["adam"]], ids=["sgd", "adam"])
def test_with_batchnorm_too(make):
    net = MLP([64, 32, 10], batchnorm=True, seed=0)
    _, h = train(net, make(), DATA, epochs=3, batch_size=64, seed=0)
    assert h.final_acc >= TARGET, h.summary()


def test_runs_are_reproducible_and_the_seed_matters():
    runs = [train(MLP([64, 16, 10], seed=1), O.SGD(lr=0.1), DATA, epochs=2, batch_size=128,
                  seed=s)[1] for s in (5, 5, 6)]
    assert runs[0].held_loss == runs[1].held_loss
    assert runs[0].held_loss != runs[2].held_loss


def test_history_shapes():
    net = MLP([64, 16, 10], seed=0)
    params, h = train(net, O.SGD(lr=0.1), DATA, epochs=2, batch_size=100, seed=0, name="run")
    n = len(DATA.X_train) // 100
    assert h.updates_per_epoch == n and len(h.batch_losses) == 2 * n
    assert h.epochs == [0, 1, 2] and len(h.held_loss) == len(h.held_acc) == len(h.lr) == 3
    assert h.name == "run" and "2 epochs" in h.summary()
    assert [p.shape for p in params] == [(64, 16), (16,), (16, 10), (10,)]
    assert isinstance(h, History) and h.seconds > 0


def test_inverse_power_schedule_is_applied_as_predicted():
    """A 1/k schedule counts updates: the step recorded at the end of epoch e is eta_t at
    t = e * (updates per epoch)."""
    sched = inverse_power(c=0.1 * 20, p=1.0, t0=20)            # eta_t = 0.1 * 20 / (t + 20)
    _, h = train(MLP([64, 16, 10], seed=0), O.SGD(lr=sched), DATA, epochs=3, batch_size=64)
    t_end = np.array(h.epochs[1:]) * h.updates_per_epoch
    np.testing.assert_allclose(h.lr[1:], lr_schedule_values(sched, t_end), rtol=1e-12)
    np.testing.assert_allclose(h.lr[0], sched(1))



def test_adagrads_lr_decay_is_recorded_as_applied():
    """The recorded step is eta_t as the update uses it: Adagrad's lr_decay divides lr by
    1 + (t - 1) lr_decay (the constant lr would be wrong from the second update on)."""
    opt = O.Adagrad(lr=0.5, lr_decay=0.01)
    _, h = train(MLP([64, 16, 10], seed=0), opt, DATA, epochs=2, batch_size=100)
    t_end = np.array(h.epochs[1:]) * h.updates_per_epoch
    np.testing.assert_allclose(h.lr[1:], 0.5 / (1 + (t_end - 1) * 0.01), rtol=1e-12)
    assert h.lr[0] == 0.5

def test_plateau_schedule_is_fed_the_held_out_loss():
    """ReduceOnPlateau divides the step after the held-out loss stops improving; the steps
    recorded per epoch match its reductions. A demanding threshold forces reductions."""
    sched = ReduceOnPlateau(lr=0.1, factor=10, patience=0, threshold=0.3)
    _, h = train(MLP([64, 16, 10], seed=0), O.SGD(lr=sched), DATA, epochs=5, batch_size=64)
    assert sched.reductions, "the schedule was fed and reduced at least once"
    expected = [0.1]
    for e in range(1, 6):            # epoch e uses the step set after e - 1 losses were fed
        expected.append(0.1 / 10 ** sum(r <= e - 1 for r in sched.reductions))
    np.testing.assert_allclose(h.lr, expected)
    # a second run with the same schedule object starts again from lr = 0.1
    _, h2 = train(MLP([64, 16, 10], seed=0), O.SGD(lr=sched), DATA, epochs=1, batch_size=64)
    assert h2.lr[:2] == [0.1, 0.1]


def test_divergence_is_reported_not_raised():
    bar = ProgressBar(mode="widget")
    _, h = train(MLP([64, 32, 10], seed=0), O.SGD(lr=1e4), DATA, epochs=3, batch_size=64,
                 progress=bar)
    assert h.diverged and "diverged" in h.message and "smaller lr" in h.message
    assert len(h.held_loss) < 4                   # the curves stop where the run broke
    assert all(np.isfinite(h.held_loss))
    assert bar.bar.bar_style == "danger" and "diverged" in bar.label.value


def test_a_non_finite_gradient_ends_the_run_at_that_update():
    _, h = train(MLP([64, 16, 10], seed=0), O.SGD(lr=1e200), DATA, epochs=2, batch_size=64)
    assert h.diverged_at == 2 and h.epochs == [0] and len(h.batch_losses) == 1
    assert h.message == ("diverged at update 2 (epoch 1): the loss or the gradient is not "
                         "finite; try a smaller lr")


def test_the_given_params_hold_the_trained_weights():
    net = MLP([64, 16, 10], seed=0)
    params = net.init_params()
    arrays = list(params)
    out, h = train(net, O.SGD(lr=0.1), DATA, epochs=1, batch_size=200, params=params)
    assert out is params and all(a is b for a, b in zip(out, arrays))
    assert h.held_loss[-1] == net.evaluate(params, DATA.X_held, DATA.y_held)[0]


def test_bad_input_is_refused_before_anything_runs():
    net = MLP([64, 16, 10], batchnorm=True, seed=0)
    params = net.init_params()
    snapshot = [p.copy() for p in params]
    cases = [
        (dict(epochs=0), r"^epochs must be an integer >= 1"),
        (dict(batch_size=0), r"^b must be an integer in \[1, N\]"),
        (dict(batch_size=10**6), r"^b must be an integer in \[1, N\]"),
        (dict(batch_size=1), r"^batch_size must be >= 2 with batch norm"),
    ]
    for kw, pattern in cases:
        with pytest.raises(ValueError, match=pattern):
            train(net, O.SGD(lr=0.1), DATA, params=params, **kw)
    bad = DATA._replace(X_train=DATA.X_train[:, :10])
    with pytest.raises(ValueError, match=r"^X must be \(K, 64\)"):
        train(net, O.SGD(lr=0.1), bad, params=params)
    with pytest.raises(ValueError, match=r"^params\[0\] must be finite"):
        train(net, O.SGD(lr=0.1), DATA, params=[np.full_like(params[0], np.nan)] + params[1:])
    assert all(np.array_equal(a, b) for a, b in zip(params, snapshot))
    assert all(bn.t == 0 for bn in net.bns)


# -- the progress bar --------------------------------------------------------------------------

class Recorder:
    def __init__(self):
        self.calls = []

    def start(self, total, description=""):
        self.calls.append(("start", total, description))

    def update(self, done, text=""):
        self.calls.append(("update", done))

    def close(self, text="", ok=True):
        self.calls.append(("close", ok))


def test_progress_protocol_once_per_epoch():
    rec = Recorder()
    train(MLP([64, 16, 10], seed=0), O.SGD(lr=0.1), DATA, epochs=3, batch_size=200,
          progress=rec, name="sgd")
    assert rec.calls == [("start", 3, "sgd"), ("update", 1), ("update", 2), ("update", 3),
                         ("close", True)]


def test_each_run_gets_its_own_widget_bar_and_prints_nothing(capsys):
    bar = ProgressBar(mode="widget")
    for name in ("a", "b"):
        train(MLP([64, 16, 10], seed=0), O.SGD(lr=0.1), DATA, epochs=2, batch_size=200,
              progress=bar, name=name)
    assert len(bar.boxes) == 2 and bar.boxes[0] is not bar.boxes[1]   # one bar per run
    first, second = (box.children for box in bar.boxes)
    assert first[1].value.startswith("a: 2 epochs") and second[1].value.startswith("b: 2 epochs")
    assert all(b.value == b.max == 2 and b.bar_style == "success" for b, _ in (first, second))
    assert len(bar.lines) == 2 and bar.lines[1].startswith("b: 2 epochs")
    assert capsys.readouterr().out == ""      # the bars carry the summaries; no extra lines


def test_outside_a_kernel_the_bar_prints_one_line_or_nothing(capsys):
    assert ProgressBar().mode == "line"             # pytest is not a kernel
    train(MLP([64, 16, 10], seed=0), O.SGD(lr=0.1), DATA, epochs=2, batch_size=200,
          progress=ProgressBar(), name="x")
    assert capsys.readouterr().out.count("\n") == 1
    train(MLP([64, 16, 10], seed=0), O.SGD(lr=0.1), DATA, epochs=2, batch_size=200,
          progress=ProgressBar("silent"))
    train(MLP([64, 16, 10], seed=0), O.SGD(lr=0.1), DATA, epochs=2, batch_size=200)
    assert capsys.readouterr().out == ""
    with pytest.raises(ValueError, match="^mode must be one of"):
        ProgressBar("tqdm")


def test_an_optimizer_of_the_readers_own_needs_no_lr_at():
    """Lesson 12 wraps SGD in a class of its own with init, eval_point, update and lr only."""
    class Own:
        def __init__(self, inner):
            self.inner, self.lr = inner, inner.lr

        def init(self, params):
            return self.inner.init(params)

        def eval_point(self, params, state):
            return self.inner.eval_point(params, state)

        def update(self, grads, state, params):
            return self.inner.update(grads, state, params)

    _, h = train(MLP([64, 16, 10], seed=0), Own(O.SGD(lr=0.1)), DATA, epochs=1, batch_size=100)
    assert h.lr == [0.1, 0.1]
