# The two commands: `make demo` (build the release, grade a demo class) and `make test` (every test).
# Each creates the virtualenv in .venv and installs what is missing, so a fresh machine needs nothing else.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# nbgrader runs the `alembic` executable from the virtualenv, so its bin/ must be on PATH. Grading and tests run
# one process per core, so each keeps one BLAS thread (two threads per process on two cores thrash).
RUN    := PATH="$(abspath $(BIN)):$$PATH" MPLBACKEND=Agg OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

.PHONY: demo test release install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(STAMP)

demo: $(STAMP)
	$(RUN) $(BIN)/python -m autograder demo

release: $(STAMP)
	$(RUN) $(BIN)/python -m autograder release

test: $(STAMP)
	$(RUN) $(BIN)/python -m pytest

clean:
	rm -rf build
