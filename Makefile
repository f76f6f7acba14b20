# Two commands for a new user (python3 is all you need):
#   make lab    open the course in JupyterLab
#   make test   run every check (unit tests, doctests, proofs, nbval over every notebook,
#               grading-tool safety tests)
# Both create .venv and install the course on first use, and skip that when it is done.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PYTEST := $(BIN)/python -m pytest
NBVAL  := --nbval-lax --nbval-current-env --nbval-sanitize-with tools/nbval_sanitize.cfg
# Run notebooks two at a time, each notebook whole on one worker.
XDIST  := -n 2 --dist loadfile

.PHONY: lab test test-fast test-torch notebooks bench install release grade help

help:
	@echo "make lab | make test | make test-torch | make notebooks | make bench"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installs once; again only when pyproject.toml changes. uv when it can be had (fast;
# --compile-bytecode: with no .pyc files every kernel re-compiles sympy and matplotlib,
# 7.7 s instead of 2.0 s per notebook start on this machine),
# pip otherwise.
$(STAMP): pyproject.toml | $(BIN)/python
	@$(BIN)/python -m pip install -q --disable-pip-version-check uv >/dev/null 2>&1 || true
	@if [ -x $(BIN)/uv ]; then \
	  $(BIN)/uv pip install --python $(BIN)/python -q --compile-bytecode -e ".[lab,test]"; \
	else \
	  $(BIN)/python -m pip install -q --disable-pip-version-check -e ".[lab,test]"; \
	fi
	@touch $(STAMP)
	@echo "course installed in $(VENV)"

install: $(STAMP)

lab: install
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" \
	  --LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb \
	  --ServerApp.open_browser=$(if $(or $(DISPLAY),$(filter Darwin,$(shell uname))),True,False) \
	  $(if $(filter 0,$(shell id -u)),--allow-root)

test: install
	MPLBACKEND=Agg $(PYTEST) $(XDIST) tests course_lib notebooks $(NBVAL)

# Unit tests and doctests only (no notebooks): seconds.
test-fast: install
	MPLBACKEND=Agg $(PYTEST) -p no:nbval tests course_lib

# Optional cross-checks against torch.optim / torch autograd (CPU torch, about 200 MB).
# pip, not uv: the CPU build of torch 2.13.0 is served from this machine's disk.
test-torch: install
	@$(BIN)/python -c "import torch" 2>/dev/null || \
	  $(BIN)/python -m pip install -q --disable-pip-version-check "torch==2.13.0"
	MPLBACKEND=Agg $(PYTEST) -p no:nbval -m torch tests

# Re-execute every notebook in place from the current library, then clean metadata.
notebooks: install
	MPLBACKEND=module://matplotlib_inline.backend_inline $(BIN)/python tools/run_notebooks.py notebooks/*.ipynb

# Graded exercises (nbgrader, offline; see exercises/README.md).
#   make release                          student version -> exercises/release/
#   make grade SUBMISSIONS=path/to/folder  autograde, feedback, grades.csv
release: install
	$(BIN)/python exercises/grade.py release

SUBMISSIONS ?= exercises/submissions
grade: install
	$(BIN)/python exercises/grade.py autograde $(SUBMISSIONS)

# Speed figures (printed, never asserted).
bench: install
	$(BIN)/python benchmarks/optim_step.py
	MPLBACKEND=Agg $(BIN)/python benchmarks/explorer_redraw.py
