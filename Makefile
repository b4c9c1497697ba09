# Two commands to start: `make demo` (install, build a demo organization, show it) and
# `make test` (install with test extras, run the whole suite). Both work on a fresh machine
# with Python 3.11+ and nothing else: the embedded database is SQLite.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DB ?= trellis-demo.db
PYTEST_ARGS ?=
# pytest-xdist: one worker per core (PYTEST_XDIST_AUTO_NUM_WORKERS=N to choose); each test
# file runs whole on one worker, so its module fixtures are built once; files go out in
# collection order, the long ones first (tests/conftest.py: LONG_FILES).
TEST_WORKERS ?= -n auto --dist loadfile --no-loadscope-reorder

.PHONY: demo test test-all lint bench clean install install-test monzo-frameworks

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[postgres]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	$(BIN)/trellis --db $(DEMO_DB) demo --replace

test: install-test
	$(BIN)/python -m pytest -m "not slow" $(TEST_WORKERS) $(PYTEST_ARGS)

test-all: install-test
	$(BIN)/python -m pytest $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

bench: install-test
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

# regenerate src/trellis/frameworks/monzo-*.yaml from ../shared/data/frameworks/monzo
monzo-frameworks: install
	$(BIN)/python tools/convert_monzo.py

clean:
	rm -rf $(VENV) $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(DEMO_DB)-import .pytest_cache
