# Two commands on a fresh machine:
#   make serve   set up, build the book and serve it on http://127.0.0.1:$(PORT)/
#   make test    set up (system packages included) and run the whole test suite
#   make hub     (as root) the course hub on http://127.0.0.1:$(PORT)/ with demo accounts
# Each bootstraps its own virtual environment in .venv from nothing.

VENV ?= .venv
PORT ?= 8000
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
#: A bare `pytest` runs only the fast unit tests (pyproject's addopts); `-m ""` runs every kind.
ALL := -m ""

.PHONY: serve test test-clock test-fast book lab lint benchmarks clean hub

#: Folders whose modules the tooling shares (the tests' helpers, the hub's and the live
#: workbook's scripts), as pyproject's [tool.pytest.ini_options] pythonpath gives them to the
#: tests: the benchmarks import them from there.
TOOLING_PATH := $(CURDIR)/tests:$(CURDIR)/deploy/hub:$(CURDIR)/deploy/lite

#: What `make serve` and `make book` need (the book and its documents), a smaller install.
BOOK_STAMP := $(VENV)/.installed-book

$(STAMP): pyproject.toml
	bash .ci/bootstrap.sh $(VENV) all
	@touch $@ $(BOOK_STAMP)

$(BOOK_STAMP): pyproject.toml
	bash .ci/bootstrap.sh $(VENV) book
	@touch $@

# The book is executed with WHOLESCHOOL_RECORDS pointing at an empty throwaway folder, so a
# lead's own records (~/wholeschool-records) can never end up in the published pages. The build
# also makes the live forms' site (_build/html/live; npm provides its Pyodide core): set
# live_pyodide in _config.yml, or WHOLESCHOOL_LIVE_PYODIDE=self|cdn|off for one build.
book: $(BOOK_STAMP)
	@bash .ci/system-deps.sh book
	@records=$$(mktemp -d); \
	WHOLESCHOOL_RECORDS=$$records $(VENV)/bin/jupyter-book build . -W -n --keep-going; \
	status=$$?; rm -rf "$$records"; exit $$status

serve: book
	$(VENV)/bin/wholeschool serve _build/html --port $(PORT)

#: Days the clock is moved ahead for the unit tests' second runs: about a month, fourteen
#: months and three years, so a test tied to today's date (or to one term, or one academic
#: year) fails on the day it is written, not on a day in the future.
CLOCK_OFFSETS ?= 33 430 1100

#: Worker processes for the whole suite (pytest-xdist; 0: none, the suite in one process).
#: `make test WORKERS=3` takes about 15 minutes instead of 22 on 2 cores (tests/work_units.py
#: decides what runs together: all hub tests on one worker; costliest first), but under that
#: load the hub's kept-warm kernel tests can time out, so CI runs the suite in one process.
WORKERS ?= 0

# Set-up: system packages, then the self-hosted Pyodide the live-form tests run on, assembled
# from PyPI and npm into _build/lite-pyodide (cached: a second run does nothing). Then the whole
# suite, and the unit tests again at each clock offset.
test: $(STAMP)
	bash .ci/system-deps.sh
	$(PY) deploy/lite/build_pyodide.py
	$(PY) -m pytest $(ALL) -n $(WORKERS)
	$(MAKE) --no-print-directory test-clock

# The unit tests with the clock moved ahead by each of CLOCK_OFFSETS days in turn.
test-clock: $(STAMP)
	@set -e; for days in $(CLOCK_OFFSETS); do \
	    echo "unit tests with the clock $$days days ahead"; \
	    WHOLESCHOOL_CLOCK_AHEAD_DAYS=$$days $(PY) -m pytest -q -n 2 tests; \
	done

# Unit tests only, spread over the machine's cores (pytest-xdist): a quick check while working.
test-fast: $(STAMP)
	$(PY) -m pytest -q -n auto tests

# The course hub (deploy/hub) on 127.0.0.1 with a trainer and three leads; needs root (it makes
# one Unix account per user). deploy/hub/setup.sh caches the users' environment and the proxy
# under the checkout's .venv/ (whatever VENV is).
hub: $(STAMP)
	bash deploy/hub/setup.sh
	$(PY) deploy/hub/hubctl.py demo --port $(PORT)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab course

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Every benchmark, after a build of the book; one of them: make bench-NAME ARGS="...", e.g.
# make bench-store, make bench-hub ARGS="--leads 30" (as root).
BENCHMARKS := build_book store widgets reports autograde site lite hub
benchmarks: book
	@set -e; for name in $(BENCHMARKS); do $(MAKE) --no-print-directory bench-$$name; done

bench-%:
	PYTHONPATH=$(TOOLING_PATH) $(PY) benchmarks/$*.py $(ARGS)

clean:
	rm -rf _build .pytest_cache .hypothesis
