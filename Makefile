# Two commands on a fresh machine:
#   make serve   set up, build the book and serve it on http://127.0.0.1:$(PORT)/
#   make test    set up (system packages included) and run the whole test suite
#   make hub     (as root) the course hub on http://127.0.0.1:$(PORT)/ with demo accounts
# Each bootstraps its own virtual environment in .venv from nothing.

VENV ?= .venv
PORT ?= 8000
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: serve test book lab lint benchmarks clean hub

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

test: $(STAMP)
	bash .ci/system-deps.sh
	$(PY) -m pytest

# The course hub (deploy/hub) on 127.0.0.1 with a trainer and three leads; needs root (it makes
# one Unix account per user). deploy/hub/setup.sh caches the users' environment and the proxy.
hub: $(STAMP)
	bash deploy/hub/setup.sh $(VENV)
	$(PY) deploy/hub/hubctl.py demo --port $(PORT)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab course

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

benchmarks: book
	$(PY) benchmarks/build_book.py
	$(PY) benchmarks/widgets.py
	$(PY) benchmarks/reports.py
	$(PY) benchmarks/autograde.py
	$(PY) benchmarks/site.py
	$(PY) benchmarks/hub.py

clean:
	rm -rf _build .pytest_cache .hypothesis
