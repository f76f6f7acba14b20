"""Plotting helpers: the only part of course_lib that imports matplotlib.

One module per kind of picture, each named by what it draws:

* ``style``: one colour per optimizer (``COLORS``, ``color``), fonts, ``new_axes``, legends
  outside the data;
* ``curves``: curves against the update count, measured rates against theory, overlays of
  measured points and predicted lines, spreads over seeds (lessons 01-08);
* ``contours``: paths on contour maps (``contour_paths``, ``plot_landscape``);
* ``landscapes``: lesson 09's race figures (and, re-exported, its animations and canvas);
* ``animation``: the races as animated PNGs (``race_apng``) or a JavaScript player;
* ``png``: palette PNGs and animated PNGs, written with zlib;
* ``canvas``: the explorer's figure, paths moved over a kept background;
* ``averages``: lesson 04's gamma slider; ``batchnorm``: lessons 10-11; ``training``: lesson 12.

The fitters (``loglog_slope``, ``fit_rate``) are in the core, :mod:`course_lib.rates`. The
interactive tools of ``course_lib.widgets`` draw through these modules and import no
matplotlib themselves.
"""
