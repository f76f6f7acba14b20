"""Plotting helpers: the only part of course_lib that imports matplotlib.

One submodule per area (for example ``plotting.landscapes``, ``plotting.averages``).
"""
