# Two commands from a fresh clone: `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test lint typecheck clean docs docs-build

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps re-install only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[demo]"
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev,demo]"
	touch $@ $(VENV)/.installed

# The main job: the strategy comparison (10,000 runs on the Numba core), its table and charts.
run: $(VENV)/.installed
	$(BIN)/empathy-sim run configs/strategies.toml
	$(BIN)/empathy-sim plot results/strategies

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check sim tests experiments
	$(BIN)/ruff format --check sim tests experiments
	$(BIN)/mypy

# The demo's browser tests drive Debian's Chromium (Playwright for Python, no browser download).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
$(CHROMIUM):
	$(SUDO) apt-get install -y -q chromium || \
	    ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium)

test: lint $(CHROMIUM)
	$(BIN)/python -m pytest

# The documentation site (mkdocs.yml): served here with live reload, or built strictly (a broken
# link or anchor, or a docstring that cannot be read, fails it) into build/site.
docs: $(VENV)/.installed-dev
	$(BIN)/mkdocs serve

docs-build: $(VENV)/.installed-dev
	$(BIN)/mkdocs build --strict --site-dir build/site

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis build/site
