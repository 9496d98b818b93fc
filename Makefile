# make run  - set up and analyse the bundled example with the local engine
# make test - set up and run every check: lint, types, unit, server, CLI, editor and browser end-to-end tests
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed

.PHONY: run test install dev lint format typecheck pytest chromium python3.13 vscode vscode-e2e clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(RUNTIME_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[dev]'
	touch $@ $(RUNTIME_STAMP)

install: $(RUNTIME_STAMP)
dev: $(DEV_STAMP)

run: install
	$(BIN)/trace-advisor analyze examples/ --output build/report.md --output build/report.html

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: dev
	$(BIN)/mypy

# Headless Chromium for the HTML report and VS Code end-to-end tests (Debian's package; root or sudo).
chromium:
	@command -v chromium >/dev/null || .ci/apt-install "headless browser tests" chromium

# CPython 3.13 with pytest for the tests of the sys.monitoring recorder and of newer syntax: built once from Debian
# trixie's source into ~/.cache/trace-advisor-dev/python3.13 (about 5 minutes of CPU: 3 to 4 on two idle cores), then reused.
python3.13:
	@.ci/python3.13 >/dev/null

pytest: dev chromium python3.13
	$(BIN)/pytest -q

vscode:
	$(MAKE) -C vscode-client test

vscode-e2e: dev chromium
	$(MAKE) -C vscode-client e2e

test: lint typecheck pytest vscode vscode-e2e

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
