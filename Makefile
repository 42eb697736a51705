# Trygg — the two commands: `make demo` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP_RUNTIME := $(VENV)/.installed-runtime
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: demo test lint messages clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Trygg needs Python 3.11 ($(PYTHON)); set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUNTIME): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(STAMP_RUNTIME)

## demo: the app with realistic demo data on the embedded SQLite database
demo: $(STAMP_RUNTIME)
	@bash scripts/demo.sh

## test: everything the tests need, then the whole suite on SQLite and PostgreSQL
test: $(STAMP_DEV)
	@bash scripts/test.sh

lint: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## messages: extract translatable strings into the Swedish catalogue and compile it
messages: $(STAMP_DEV)
	cd trygg && ../$(BIN)/django-admin makemessages -l sv --no-obsolete --add-location file
	$(BIN)/python scripts/compile_messages.py

clean:
	rm -rf $(VENV) var .pytest_cache test-artifacts
