"""Interactive tools: the only part of course_lib that imports ipywidgets.

One submodule per tool. Every callback catches divergence and shows it; none raises.
"""
