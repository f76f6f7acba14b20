"""The progress bar of lesson 12: one bar per run, red when a run fails, and a saved output
that reads as the finished bar (not ``HBox(children=...)``) where widgets cannot render."""
import pytest

from course_lib.widgets import progress as P
from course_lib.widgets.progress import ProgressBar


@pytest.fixture
def shown(monkeypatch):
    """Record what the bar displays: a list of [bundle, ...] per output (its updates appended)."""
    outputs = []

    def fake_show(data, handle=None):
        if handle is None:
            outputs.append([data])
            return len(outputs) - 1
        outputs[handle].append(data)
        return handle

    monkeypatch.setattr(ProgressBar, "_show", staticmethod(fake_show))
    return outputs


def run(bar, name, total, ok=True, steps=None):
    bar.start(total, name)
    for i in range(1, (total if steps is None else steps) + 1):
        bar.update(i, f"step {i}")
    bar.close(f"{name}: {'done' if ok else 'diverged'}", ok=ok)


def test_every_run_shows_its_own_bar_with_its_own_final_label(shown):
    bar = ProgressBar(mode="widget")
    run(bar, "SGD", 3)
    run(bar, "Adam", 5)
    assert len(shown) == 2 and len(bar.boxes) == 2            # two runs, two outputs, two bars
    ids = [out[0][P.WIDGET_VIEW]["model_id"] for out in shown]
    assert ids == [box.model_id for box in bar.boxes] and ids[0] != ids[1]
    for out, name, total in zip(shown, ("SGD", "Adam"), (3, 5)):
        assert len(out) == 2                                  # shown at start, replaced at close
        final = out[-1]
        assert final[P.WIDGET_VIEW] == out[0][P.WIDGET_VIEW]   # the same widget, kept live
        assert final["text/plain"] == f"[{'#' * P.WIDTH}] {total}/{total}  {name}: done"
        assert f"{name}: done" in final["text/html"] and P.RED not in final["text/html"]
    first = bar.boxes[0].children
    assert first[0].value == 3 and first[1].value == "SGD: done"   # not overwritten by Adam


def test_a_failed_run_is_red_in_the_widget_and_in_the_saved_form(shown):
    bar = ProgressBar(mode="widget")
    run(bar, "ok", 2)
    run(bar, "lr 30", 4, ok=False, steps=1)
    good, bad = (box.children[0] for box in bar.boxes)
    assert good.bar_style == "success" and bad.bar_style == "danger"
    final = shown[1][-1]
    assert final["text/plain"].startswith("[#####" + "." * 15 + "] 1/4  lr 30: diverged")
    assert final["text/plain"].endswith("(failed)")
    assert P.RED in final["text/html"] and P.GREEN not in final["text/html"]
    assert "HBox" not in final["text/plain"]


def test_the_static_forms_escape_and_scale():
    assert P.static_text(0, 4, "start") == "[" + "." * P.WIDTH + "] 0/4  start"
    assert P.static_text(3, 3, "x", ok=True) == "[" + "#" * P.WIDTH + "] 3/3  x"
    html = P.static_html(1, 2, "a < b", ok=False)
    assert "a &lt; b" in html and html.count("&#9608;") == P.WIDTH
    assert P.bundle(None, 1, 2, "t").keys() == {"text/plain", "text/html"}


def test_line_and_silent_modes_print_one_line_or_nothing(capsys, shown):
    run(ProgressBar(mode="line"), "a", 2)
    run(ProgressBar(mode="silent"), "b", 2)
    assert capsys.readouterr().out == "a: done\n" and shown == []


def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match=r"^mode must be one of"):
        ProgressBar("tqdm")
    bar = ProgressBar(mode="widget")
    with pytest.raises(ValueError, match=r"^total must be an integer >= 1"):
        bar.start(0, "x")
    assert bar.boxes == []                                    # nothing was built
