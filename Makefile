# OpenIOP — two commands:
#   make run    install, migrate the embedded SQLite database under ./var, load the demo
#               provider on first start, print the demo sign-ins, serve http://127.0.0.1:8000
#   make test   install the dev lock, then ruff, import contracts and the whole test suite
#   make lock   regenerate requirements-run.lock and requirements.lock (pip-tools, with hashes)
#
# Installs are pinned and hash-checked (`pip install --require-hashes`), and repeat only when
# a lock file or pyproject.toml changed (the stamp files in .venv record the last install).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo runs on the embedded database under ./var with the dev secret; never real data.
DEMO_ENV := OPENIOP_DATA_DIR=var OPENIOP_DEV_MODE=1

.PHONY: run test lock

run: $(VENV)/.installed-run
	@$(DEMO_ENV) $(BIN)/openiop db upgrade
	@$(DEMO_ENV) $(BIN)/openiop demo-data
	@echo "Open http://$(HOST):$(PORT) and sign in with one of the accounts above (Ctrl-C stops)."
	@$(DEMO_ENV) $(BIN)/openiop serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests
	$(BIN)/lint-imports
	$(BIN)/pytest -q

lock: $(BIN)/python
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras $(if $(UPGRADE),--upgrade) \
		--output-file=requirements-run.lock pyproject.toml
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --extra dev $(if $(UPGRADE),--upgrade) \
		--output-file=requirements.lock pyproject.toml

$(VENV)/.installed-run: requirements-run.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-run.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.installed-dev: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { \
		echo "OpenIOP needs Python 3.11 or newer, and '$(PYTHON)' was not found."; \
		echo "Install Python 3.11+ and run again, e.g.: make run PYTHON=python3.12"; \
		exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
		echo "OpenIOP needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
		echo "Install Python 3.11+ and run again, e.g.: make run PYTHON=python3.12"; \
		exit 1; }
	$(PYTHON) -m venv $(VENV)
