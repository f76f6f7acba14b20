"""course_lib.practice (range test, runs over seeds, grid search, the update log) and its
figures, course_lib.plotting.practice. Each check is small; each can fail (some are shown
failing on a wrong rule)."""
import math

import numpy as np
import pytest

from course_lib import optimizers as O
from course_lib.averages import debias, running_average
from course_lib.mlp import MLP
from course_lib.practice import (Grid, Logged, RangeTest, ahead, final, geometric_ramp, grid_search,
                                 lr_range_test, run_seeds, smooth, split_for, spread)
from course_lib.train import History, train


# ---------------------------------------------------------------- the ramp and the smoothing
def test_the_ramp_is_geometric_from_lo_to_hi():
    ramp = geometric_ramp(1e-4, 10.0, steps=100)
    lrs = np.array([ramp(t) for t in range(1, 101)])
    assert lrs[0] == 1e-4 and lrs[-1] == 10.0
    assert np.allclose(lrs[1:] / lrs[:-1], 10 ** (5 / 99))          # the same factor r each update
    assert round(ramp.ratio, 4) == 1.1233


@pytest.mark.parametrize("args, name", [((0.0, 1.0, 10), "lr_lo"), ((1.0, 1.0, 10), "lr_hi"),
                                        ((1.0, 0.5, 10), "lr_hi"), ((1e-3, 1.0, 1), "steps"),
                                        ((1e-3, 1.0, 2.5), "steps")])
def test_the_ramp_refuses_bad_arguments_by_name(args, name):
    with pytest.raises(ValueError, match=name):
        geometric_ramp(*args)


def test_the_ramp_refuses_updates_outside_it():
    ramp = geometric_ramp(1e-3, 1.0, steps=5)
    for t in (0, 6):
        with pytest.raises(ValueError, match="t must be in"):
            ramp(t)


def test_smoothing_is_the_debiased_running_average():
    J = [2.3, 2.0, 1.5, 1.7, 0.9]
    C, expected = 0.0, []
    for t, j in enumerate(J, start=1):
        C = running_average(C, j, 0.9)
        expected.append(debias(C, 0.9, t))
    assert np.allclose(smooth(J, 0.9), expected)
    assert smooth(J, 0.9)[0] == pytest.approx(J[0])              # corrected: no pull towards 0
    raw = [0.9 ** (t - 1) * 0.1 * sum(0.9 ** -(k - 1) * J[k - 1] for k in range(1, t + 1))
           for t in range(1, 6)]                                 # the uncorrected average
    assert not np.allclose(smooth(J, 0.9), raw)                  # ... which the check tells apart
    with pytest.raises(ValueError, match="gamma"):
        smooth(J, 1.0)


# ---------------------------------------------------------------- the readout rule
def synthetic(smoothed, lrs=None):
    lrs = np.logspace(-4, 1, len(smoothed)) if lrs is None else np.asarray(lrs)
    return RangeTest(lrs=lrs, losses=np.asarray(smoothed), smoothed=np.asarray(smoothed))


def test_the_readout_rule_on_a_curve_with_a_known_shape():
    lrs = np.logspace(-4, 1, 51)                                  # ten points per decade
    x = np.log10(lrs)
    smoothed = 2.3 - 2.0 / (1 + np.exp(-4 * (x + 2))) + np.where(x > -0.5, 20 * (x + 0.5) ** 2, 0)
    rt = synthetic(smoothed, lrs)
    assert rt.lr_at_min == pytest.approx(lrs[np.argmin(smoothed)])
    assert rt.suggestion == pytest.approx(rt.lr_at_min / 10)      # one decade below the top
    assert rt.lr_start == pytest.approx(lrs[np.argmax(smoothed < 0.95 * smoothed[0])])
    assert rt.steepest == pytest.approx(1e-2, rel=0.3)            # the logistic falls fastest at 1e-2
    assert rt.lr_start < rt.steepest < rt.lr_at_min


def test_a_wrong_readout_rule_would_be_caught():
    rt = synthetic([2.3, 2.2, 1.5, 0.8, 0.5, 0.9, 3.0])
    assert rt.suggestion != rt.lr_at_min                          # "run at the lowest point" is not it
    assert rt.lr_start == rt.lrs[2]                               # the first value 5% below 2.3


def test_a_curve_that_never_falls_has_no_start_and_no_steepest_point():
    rt = synthetic([2.3, 2.3, 2.4, 2.6])
    assert math.isnan(rt.lr_start) and math.isnan(rt.steepest)


# ---------------------------------------------------------------- the range test itself
def tiny_data(seed=0, n=96):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return X, (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)


def test_the_range_test_falls_then_climbs_and_stops():
    rt = lr_range_test(MLP([2, 8, 2], seed=0), lambda lr: O.SGD(lr=lr), tiny_data(), lr_lo=1e-3,
                       lr_hi=1e3, steps=80, batch_size=16)
    assert rt.stopped and len(rt.lrs) < 80                        # cut short by the climb
    assert rt.smoothed.min() < 0.9 * rt.smoothed[0]               # it fell ...
    assert rt.smoothed[-1] > 4 * rt.smoothed.min()                # ... then climbed past 4x
    assert np.allclose(rt.lrs, [geometric_ramp(1e-3, 1e3, 80)(t) for t in range(1, len(rt.lrs) + 1)])
    assert np.allclose(rt.smoothed, smooth(rt.losses, 0.9))


def test_the_range_test_loss_is_taken_before_each_update_from_the_start():
    net = MLP([2, 8, 2], seed=3)
    X, y = tiny_data()
    rt = lr_range_test(net, lambda lr: O.SGD(lr=lr), (X, y), lr_lo=1e-6, lr_hi=1e-5, steps=3,
                       batch_size=96)                             # full batch, steps too small to matter
    assert rt.losses[0] == pytest.approx(net.loss(net.init_params(), X, y, training=True))
    assert not rt.stopped and len(rt.lrs) == 3


@pytest.mark.parametrize("kwargs, name", [({"stop_factor": 0.0}, "stop_factor"),
                                          ({"gamma": 1.0}, "gamma"), ({"drop": 0.0}, "drop"),
                                          ({"batch_size": 0}, "b must be"),
                                          ({"lr_lo": 1.0, "lr_hi": 0.1}, "lr_hi")])
def test_the_range_test_refuses_bad_arguments_by_name(kwargs, name):
    with pytest.raises(ValueError, match=name):
        lr_range_test(MLP([2, 8, 2]), lambda lr: O.SGD(lr=lr), tiny_data(), **kwargs)


# ---------------------------------------------------------------- runs over seeds
class CountingSGD(O.SGD):
    made = 0

    def __init__(self, lr):
        type(self).made += 1
        super().__init__(lr)


def test_run_seeds_trains_one_run_per_seed_and_keeps_what_made_it():
    runs = run_seeds(lambda: O.SGD(lr=0.3), seeds=[0, 2], epochs=1, batch_size=128,
                     sizes=(64, 8, 10))
    assert [h.seed for h in runs] == [0, 2] and all(isinstance(h, History) for h in runs)
    assert all(h.epochs == [0, 1] for h in runs)
    again, _ = train(MLP([64, 8, 10], seed=2), O.SGD(lr=0.3), split_for(2), epochs=1,
                     batch_size=128, seed=2)                     # the same seed: the same run
    assert np.allclose(runs[1].params[0], again[0])
    assert runs[0].held_loss != runs[1].held_loss                # another seed: another run


def test_the_cache_reuses_only_identical_settings():
    cache = {}
    CountingSGD.made = 0
    first = run_seeds(lambda: CountingSGD(lr=0.3), seeds=[0], epochs=1, batch_size=256,
                      sizes=(64, 4, 10), cache=cache)
    made = CountingSGD.made
    assert run_seeds(lambda: CountingSGD(lr=0.3), seeds=[0], epochs=1, batch_size=256,
                     sizes=(64, 4, 10), cache=cache) is first
    assert CountingSGD.made == made + 1                          # only built for the key, not trained
    for other in ({"epochs": 2}, {"batch_size": 128}, {"seeds": [1]}):
        kwargs = {"seeds": [0], "epochs": 1, "batch_size": 256, **other}
        assert run_seeds(lambda: CountingSGD(lr=0.3), sizes=(64, 4, 10), cache=cache,
                         **kwargs) is not first
    assert run_seeds(lambda: CountingSGD(lr=0.1), seeds=[0], epochs=1, batch_size=256,
                     sizes=(64, 4, 10), cache=cache) is not first


def test_run_seeds_refuses_no_seeds():
    with pytest.raises(ValueError, match="seeds"):
        run_seeds(lambda: O.SGD(lr=0.1), seeds=[])


def fake(losses, accs, diverged=False):
    h = History(held_loss=list(losses), held_acc=list(accs), epochs=list(range(len(losses))))
    h.diverged_at = 3 if diverged else None
    return h


def test_final_reports_nan_for_a_diverged_run():
    runs = [fake([2.3, 0.5], [0.1, 0.9]), fake([2.3, 9.0], [0.1, 0.2], diverged=True)]
    assert np.allclose(final(runs), [0.5, np.nan], equal_nan=True)
    assert np.allclose(final(runs, "acc"), [90.0, np.nan], equal_nan=True)
    with pytest.raises(ValueError, match="what"):
        final(runs, "accuracy")


def test_spread_reads_like_lesson_12():
    assert spread([0.1, 0.2, 0.3]) == "0.200 ± 0.100 (0.100 to 0.300)"
    assert spread([0.5]) == "0.500 (one seed)"
    assert spread([np.nan, np.nan]) == "diverged in 2 of 2"
    assert spread([1e7, 3e7]).startswith("2.00e+07 ± ")


def test_ahead_needs_every_seed():
    assert ahead([0.1, 0.2, 0.3], [0.2, 0.3, 0.4])
    assert not ahead([0.1, 0.2, 0.5], [0.2, 0.3, 0.4])            # one seed disagrees
    assert not ahead([0.1, np.nan], [0.2, 0.3])                   # a diverged seed: no ranking
    assert not ahead([0.2, 0.3], [0.2, 0.3])                      # a tie is not ahead
    with pytest.raises(ValueError, match="one value per seed"):
        ahead([0.1, 0.2], [0.3])


def test_the_grid_reads_best_good_and_nearest():
    loss = {0.01: [0.5, 0.6, 0.55], 0.03: [0.2, 0.3, 0.25], 0.1: [0.25, 0.28, 0.3],
            0.3: [np.nan, 2.0, 3.0]}
    grid = Grid(list(loss), [[fake([2.3, v], [0.1, 0.9]) if np.isfinite(v) else
                              fake([2.3, 9.0], [0.1, 0.1], diverged=True) for v in vals]
                             for vals in loss.values()])
    assert grid.best == 0.03
    assert grid.good == [0.03, 0.1]                                # 0.1 wins one seed: not separated
    assert grid.nearest(0.05) == 0.03 and grid.nearest(0.06) == 0.1   # on a log axis
    assert np.isnan(grid.values()[-1, 0])


def test_grid_search_names_each_step_size():
    g = grid_search(lambda lr: O.SGD(lr=lr), [0.1, 0.3], seeds=[0], epochs=1, batch_size=256,
                    sizes=(64, 4, 10), name="SGD")
    assert g.lrs == [0.1, 0.3] and [r[0].name for r in g.runs] == ["SGD, lr 0.1", "SGD, lr 0.3"]
    with pytest.raises(ValueError, match="lr"):
        grid_search(lambda lr: O.SGD(lr=lr), [0.1, -1.0], seeds=[0])


# ---------------------------------------------------------------- the update log
def test_logged_changes_no_step_and_records_each_update():
    net = MLP([64, 8, 10], seed=0)
    data = split_for(0)
    p_plain, h_plain = train(net, O.Adam(lr=0.01), data, epochs=1, batch_size=128, seed=0)
    log = Logged(O.Adam(lr=0.01))
    p_log, h_log = train(MLP([64, 8, 10], seed=0), log, data, epochs=1, batch_size=128, seed=0)
    assert all(np.array_equal(a, b) for a, b in zip(p_plain, p_log))
    assert h_log.held_loss == h_plain.held_loss and h_log.name == "Adam"
    k = h_log.updates_per_epoch
    assert len(log.grad_norms) == len(log.step_norms) == len(log.lrs) == len(log.active) == k
    # Adam's first step: eta per active weight (the bias correction), to within eps
    rms = log.step_norms[0] / (log.lrs[0] * math.sqrt(log.active[0]))
    assert 0.999 < rms <= 1.0
    assert log.active[0] < net.n_params(p_plain)                 # blank pixels: zero gradients


def test_logged_measures_what_clipping_measures():
    from course_lib.clipping import Clipped, global_norm
    g = [np.array([[3.0, 0.0]]), np.array([4.0])]
    log, clip = Logged(O.SGD(lr=1.0)), Clipped(O.SGD(lr=1.0), 1e9, keep_norms=True)
    log.update(g, log.init([np.zeros((1, 2)), np.zeros(1)]))
    clip.update(g, clip.init([np.zeros((1, 2)), np.zeros(1)]))
    assert log.grad_norms == clip.norms == [global_norm(g)] == [5.0]
    assert log.active == [2] and log.step_norms == [5.0]


def test_logged_refuses_what_is_not_an_optimizer():
    with pytest.raises(TypeError, match="optimizer"):
        Logged(0.1)


# ---------------------------------------------------------------- the figures
@pytest.fixture
def plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    yield plt
    plt.close("all")


def test_range_test_figure_draws_bands_and_suggestions(plt):
    from course_lib.plotting import practice as PP
    from course_lib.plotting.style import color
    tests = [synthetic([2.3, 2.0, 1.0, 0.5, 1.5]), synthetic([2.3, 2.1, 1.1, 0.6, 0.9, 3.0])]
    fig = PP.range_tests({"Adam": tests}, title="range")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_title() == "range"
    labels = ax.get_legend().get_texts()
    assert [t.get_text() for t in labels][0] == "Adam: smoothed loss (2 seeds)"
    assert ax.lines[0].get_color() == color("Adam")
    assert len(ax.lines[0].get_xdata()) == 6                      # the longer test sets the axis


def test_spread_vs_marks_diverged_seeds_and_takes_colours(plt):
    from course_lib.plotting import practice as PP
    V = np.array([[0.2, 0.3], [np.nan, 0.5], [np.nan, np.nan]])
    fig = PP.spread_vs([1, 2, 4], {"runs": V}, colors={"runs": "#123456"}, how="")
    ax = fig.axes[0]
    notes = [t.get_text() for t in ax.texts]
    assert notes == ["1/2 diverged", "2/2 diverged"]
    assert ax.get_legend().get_texts()[0].get_text() == "runs"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "4"]
    line = ax.containers[0].lines[0]
    assert line.get_color() == "#123456" and len(line.get_xdata()) == 2   # all-NaN: no point


def test_traces_pad_runs_of_different_lengths(plt):
    from course_lib.plotting import practice as PP
    fig = PP.traces({"SGD, lr 3": [[1.0, 2.0, 4.0], [1.0, 3.0]]}, ylabel="norm")
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and list(ax.lines[0].get_xdata()) == [1, 2, 3]
    assert np.allclose(ax.lines[0].get_ydata(), [1.0, 2.5, 4.0])   # the mean of the seeds still there
