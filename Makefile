# Two commands on a fresh machine:
#   make serve   set up, build the book and serve it on http://127.0.0.1:$(PORT)/
#   make test    set up (system packages included) and run the whole test suite
# Each bootstraps its own virtual environment in .venv from nothing.

VENV ?= .venv
PORT ?= 8000
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
#: The tests that need no book build, browser, nbgrader run or office suite.
UNIT := not book and not browser and not nbgrader and not office

.PHONY: serve test test-fast book lab lint benchmarks clean

$(STAMP): pyproject.toml
	bash .ci/bootstrap.sh $(VENV)
	@touch $@

# The book is executed with WHOLESCHOOL_RECORDS pointing at an empty throwaway folder, so a
# lead's own records (~/wholeschool-records) can never end up in the published pages.
book: $(STAMP)
	@records=$$(mktemp -d); \
	WHOLESCHOOL_RECORDS=$$records $(VENV)/bin/jupyter-book build . -W -n --keep-going; \
	status=$$?; rm -rf "$$records"; exit $$status

serve: book
	$(VENV)/bin/wholeschool serve _build/html --port $(PORT)

# The whole suite, then the unit tests again with the clock moved more than a year ahead, so a
# test tied to today's date fails on the day it is written.
test: $(STAMP)
	bash .ci/system-deps.sh
	$(PY) -m pytest
	WHOLESCHOOL_CLOCK_AHEAD_DAYS=400 $(PY) -m pytest -q -n 2 -m "$(UNIT)" tests

# Unit tests only, spread over the machine's cores (pytest-xdist): a quick check while working.
test-fast: $(STAMP)
	$(PY) -m pytest -q -n auto -m "$(UNIT)" tests

lab: $(STAMP)
	$(VENV)/bin/jupyter lab course

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

benchmarks: book
	$(PY) benchmarks/build_book.py
	$(PY) benchmarks/store.py
	$(PY) benchmarks/widgets.py
	$(PY) benchmarks/reports.py
	$(PY) benchmarks/autograde.py
	$(PY) benchmarks/site.py

clean:
	rm -rf _build .pytest_cache .hypothesis
