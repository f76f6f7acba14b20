"""The gamma slider of lesson 04 works headless: moving it updates the plotted data."""
import numpy as np
import pytest

pytest.importorskip("ipywidgets")
import matplotlib
matplotlib.use("Agg")

from course_lib.averages import running_averages
from course_lib.widgets.averages import gamma_explorer


def test_slider_updates_the_lines():
    signal = np.linspace(0, 1, 50)
    box = gamma_explorer(signal, gamma=0.5)
    np.testing.assert_allclose(box.lines["average"].get_ydata(), running_averages(signal, 0.5))
    box.slider.value = 0.9
    np.testing.assert_allclose(box.lines["average"].get_ydata(), running_averages(signal, 0.9))
    assert "window 1/(1-gamma) = 10.0" in box.status.value
    box.slider.value = 0.0          # the edge: copies each input
    np.testing.assert_allclose(box.lines["average"].get_ydata(), signal)
