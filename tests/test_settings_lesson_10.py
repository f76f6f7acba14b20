"""Lesson 10 run with changed settings: no errors, and the figures say which settings they
show (issue 16, "safe to change"). One run changes every experiment's knobs at once."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from notebook_settings import run_with_settings  # noqa: E402

NB = pathlib.Path(__file__).resolve().parents[1] / "notebooks"


def carries(texts, *fragments):
    """The fragments that appear in no figure text (empty when all are there)."""
    return [f for f in fragments if not any(f in text for text in texts)]


def test_lesson_10_runs_with_changed_settings():
    result = run_with_settings(NB / "10_batchnorm_forward.ipynb", {
        "K": 32, "EPS": 1e-4,                                    # four units on different scales
        "GAMMA": 0.95, "K_TRAIN": 16, "MU_STAR": -1.0,           # running estimates, and a
        "T_BATCHES": 40,                                         # start not yet forgotten
        "X": 0.0,                                                # one example, many batch-mates
        "EPS_SCALE": 1e-4,                                       # where epsilon goes
        "N_SEEDS": 2,                                            # the deep dive
    })
    assert result.errors == []
    assert carries(result.figure_texts,
                   "a batch of K = 32", "eps = 0.0001",
                   r"$\gamma = 0.95$", "$K = 16$", r"$\mu_\star = -1$",
                   "x = 0 in 500 training batches of K = 16",
                   r"$\epsilon = 0.0001$") == [], result.figure_texts
    # the deep dive's prediction follows K_TRAIN, sqrt(16/15), and the weight 0.95^40 = 0.13 still
    # on v_0 = 1: sqrt(16/15 * (0.13 + 0.87 * 4) / 4) = 0.982 (unbiased); its assert holds there
    assert any("predicted sqrt(K/(K-1)) = 1.033" in text and "still on v_0: 0.982" in text
               for text in result.text_outputs), result.text_outputs


def test_the_figure_check_can_fail():
    assert carries([r"Running estimates, $\gamma = 0.9$"], r"$\gamma = 0.8$") == [r"$\gamma = 0.8$"]
