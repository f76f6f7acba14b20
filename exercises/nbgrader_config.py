"""nbgrader configuration for the course's graded exercises (see README.md here).

Read by `python exercises/grade.py ...` and by the `nbgrader` command when it runs from
this folder. Paths are relative to this folder: source/<part>/<part>.ipynb holds the
instructor's version (with the solutions; the hidden checks are in checks/), release/ the
students' version; autograded/, feedback/, gradebook.db and the grade CSVs are generated
while grading.
"""
c = get_config()  # noqa: F821 (traitlets provides it when it loads this file)

c.CourseDirectory.course_id = "optimizing-neural-networks"
c.CourseDirectory.root = "."  # grade.py replaces this with the absolute path of this folder

# What a student sees where a solution was: a stub that fails loudly until replaced.
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\nraise NotImplementedError()",
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Student code is NOT run by nbgrader's autograder (it would run the hidden tests inside the
# student's own kernel): grade.py runs it in a sandbox and writes the scores into this
# gradebook itself (see README.md, "How grading works"). Its time limits are grade.py's
# --timeout (per cell and per check, default 30 s) and a 300 s budget per notebook.

c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.csv"]

# (Deleted or edited locked cells cannot dodge anything: grade.py rebuilds every submission
# onto the release before grading.)
