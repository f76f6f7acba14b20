"""Plotting helpers: the only part of course_lib that imports matplotlib.

One submodule per area (for example ``plotting.landscapes`` for lesson 09 and the explorer's
canvas, ``plotting.averages`` for lesson 04's gamma slider). The interactive tools of
``course_lib.widgets`` draw through these modules and import no matplotlib themselves.
"""
