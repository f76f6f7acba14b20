# Two commands for a new user (python3 is all you need):
#   make lab    open the course in JupyterLab                 (= python3 course.py lab)
#   make test   run every check (unit tests, doctests, proofs, (= python3 course.py test)
#               nbval over every notebook, grading-tool safety tests)
# Both create .venv and install the course on first use, and skip that when it is done.
# Every target calls course.py, the one implementation (it also runs where make does not,
# e.g. `py course.py lab` on Windows); `python3 course.py help` lists the commands.

PYTHON ?= python3
COURSE := $(PYTHON) course.py

.PHONY: help lab test test-fast test-torch test-browser test-pythons notebooks card site slides figures \
        bench install release grade \
        check-exercise

help:
	@$(COURSE) help

# make card: the reference card as one printable HTML file that works offline (build/card/)
lab test test-fast test-torch test-browser test-pythons notebooks card site slides figures bench install release:
	@$(COURSE) $@

# Graded exercises (nbgrader, offline; see exercises/README.md).
#   make grade SUBMISSIONS=path/to/folder   autograde, feedback, grades.csv
#   make check-exercise PART=1              grade your own copy of part 1
SUBMISSIONS ?= exercises/submissions
grade:
	@$(COURSE) grade "$(SUBMISSIONS)"

PART ?=
check-exercise:
	@$(COURSE) check-exercise $(PART)
