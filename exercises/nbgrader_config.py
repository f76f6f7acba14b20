"""nbgrader configuration for the course's graded exercises (see README.md here).

Read by `python exercises/grade.py ...` and by the `nbgrader` command when it runs from
this folder. Paths are relative to this folder: source/<part>/<part>.ipynb holds the
instructor's version (solutions and hidden tests), release/ the students' version,
submitted/ autograded/ feedback/ and gradebook.db are generated while grading.
"""
c = get_config()  # noqa: F821 (traitlets provides it when it loads this file)

c.CourseDirectory.course_id = "optimizing-neural-networks"
c.CourseDirectory.root = "."  # grade.py replaces this with the absolute path of this folder

# What a student sees where a solution was: a stub that fails loudly until replaced.
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\nraise NotImplementedError()",
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Autograding: every cell gets at most this many seconds; an infinite loop is interrupted
# (KeyboardInterrupt, recorded as the cell's error) and grading carries on with the next cell.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True

# Keep feedback and autograded copies small: long outputs (a student printing in a loop)
# are cut.
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 60

c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.csv"]

# A student who deletes a test cell gets it back at grading time (with a note), so deleting
# tests never dodges them.
c.OverwriteCells.add_missing_cells = True
