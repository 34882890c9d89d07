# The two commands: `make demo` (build the release, grade a demo class) and `make test` (every test).
# Each creates the virtualenv in .venv and installs what is missing, so a fresh machine needs nothing else.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# nbgrader runs the `alembic` executable from the virtualenv, so its bin/ must be on PATH. Grading and tests run
# one process per core, so each keeps one BLAS thread (two threads per process on two cores thrash).
RUN    := PATH="$(abspath $(BIN)):$$PATH" MPLBACKEND=Agg OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

.PHONY: demo test check release install clean system-tools grader-user hub hub-users

# The Debian packages some tests use (bubblewrap for the sandbox, chromium for the browser tests, PostgreSQL and its
# user for the gradebook test). Tests never install anything: a test whose tool is missing skips and says why.
# Needs root and apt-get; `make test` runs it first when it can.
SYSTEM_PACKAGES := bubblewrap chromium postgresql
system-tools:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing $$missing"; \
		apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null; \
	fi
	@id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
	@$(MAKE) --no-print-directory grader-user
	@$(MAKE) --no-print-directory hub-users

# An ordinary user (no root) with a copy of this checkout and a virtualenv of Debian's Python, both its own: the
# tests grade the demo class as that user too, in the same sandbox (tests/grader/test_as_user.py).
GRADER_USER ?= coursegrader
grader-user:
	@id $(GRADER_USER) >/dev/null 2>&1 || useradd --create-home --shell /bin/sh $(GRADER_USER)
	@dpkg-query -W -f='$${Status}\n' python3-venv 2>/dev/null | grep -q "ok installed" || \
		(apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >/dev/null)
	@home=$$(getent passwd $(GRADER_USER) | cut -d: -f6); mkdir -p $$home/checkout; \
	git ls-files -z | tar --null -cf - -T - | tar -xf - -C $$home/checkout; \
	chown -R $(GRADER_USER): $$home/checkout; \
	runuser -u $(GRADER_USER) -- $(MAKE) --no-print-directory -C $$home/checkout install PYTHON=/usr/bin/python3

# The course on a JupyterHub (docs/jupyterhub.md): `make hub` installs the hub's environment for all users
# (/opt/nn-course-hub), Debian's configurable-http-proxy and nbgrader's exchange (/srv/nbgrader/exchange).
# `make hub-users` adds the browser test's accounts (tests/browser/test_jupyterhub.py): an instructor and two
# students with the password below, for a test machine only. Both need root.
HUB_INSTRUCTOR ?= hubinstructor
HUB_STUDENTS   ?= hubstudent1 hubstudent2
HUB_PASSWORD   ?= nn-course-hub-test
hub:
	@sh hub/setup.sh install

hub-users: hub
	@for u in $(HUB_INSTRUCTOR) $(HUB_STUDENTS); do \
		id $$u >/dev/null 2>&1 || useradd --create-home --shell /bin/bash $$u; \
		echo "$$u:$(HUB_PASSWORD)" | chpasswd; \
	done
	@sh hub/setup.sh instructor $(HUB_INSTRUCTOR)
	@sh hub/setup.sh student $(HUB_STUDENTS)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(STAMP)

demo: $(STAMP)
	$(TOOLS)
	$(RUN) $(BIN)/python -m autograder demo

release: $(STAMP)
	$(RUN) $(BIN)/python -m autograder release

# `make system-tools` first, where it can run (root with apt-get)
TOOLS := @if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then $(MAKE) --no-print-directory system-tools; fi

test: $(STAMP)
	$(TOOLS)
	$(RUN) $(BIN)/python -m pytest

# The contributor's fast loop (under a minute): the linter, then every test that grades no class, executes no
# notebook and drives no browser.
check: $(STAMP)
	$(BIN)/ruff check .
	$(RUN) $(BIN)/python -m pytest -q -m "not slow"

clean:
	rm -rf build
