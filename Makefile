# Qorgau — local development. `make run` runs the whole system locally; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.in requirements-dev.txt | sha256sum | cut -c1-12)

.PHONY: run test lint typecheck unit integration infra bench clean chat venv

$(STAMP): requirements.in requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*; touch $@

## venv: the virtual environment with the pinned dependencies (every other target builds it first)
venv: $(STAMP)

## run: the whole system locally (emulators, Bot API double, the four functions); Ctrl-C stops everything
run: $(STAMP)
	$(PY) -m devkit.dev_stack

## chat: a terminal chat client playing a reporter against `make run`
chat: $(STAMP)
	$(PY) -m devkit.chat $(ARGS)

## test: lint, types, infrastructure checks and every test (emulators started by the tests themselves)
test: lint typecheck infra
	$(VENV)/bin/pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy functions main.py scripts devkit bench

infra: $(STAMP)
	bash scripts/check_infra.sh

unit: $(STAMP)
	$(VENV)/bin/pytest tests/unit

integration: $(STAMP)
	$(VENV)/bin/pytest tests/integration

## bench: the benchmark scripts; they print figures (see BENCHMARKS.md)
bench: $(STAMP)
	$(PY) -m bench.webhook
	$(PY) -m bench.delivery
	$(PY) -m bench.oversight
	$(PY) -m bench.takedown
	$(PY) -m bench.load_day
	$(PY) -m bench.console

clean:
	rm -rf $(VENV) .venv-checkov .logs .mypy_cache .ruff_cache
