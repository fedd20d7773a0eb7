# Two commands on a fresh machine:
#   make serve   set up, build the book and serve it on http://127.0.0.1:$(PORT)/
#   make test    set up (system packages included) and run the whole test suite
# Each bootstraps its own virtual environment in .venv from nothing.

VENV ?= .venv
PORT ?= 8000
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: serve test book lab lint benchmarks clean

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
	@echo ""
	@echo "  The course is at  http://127.0.0.1:$(PORT)/   (press Ctrl+C to stop)"
	@echo ""
	$(PY) -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

test: $(STAMP)
	bash .ci/system-deps.sh
	$(PY) -m pytest

lab: $(STAMP)
	$(VENV)/bin/jupyter lab course

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

benchmarks: $(STAMP)
	$(PY) benchmarks/build_book.py
	$(PY) benchmarks/autograde.py

clean:
	rm -rf _build .pytest_cache .hypothesis
