# The one entry point for install, infrastructure, run, test, lint and bench.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PYTEST := $(VENV)/bin/pytest
SRC := shared services tests bench demo

.PHONY: install infra infra-rabbit infra-tools run stop stop-all test test-unit test-integration test-e2e \
        lint fmt bench demo clean

install: $(VENV)/.installed .venv-secantus/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

# SecantusDB is GPL-2.0: it lives in its own virtualenv and runs as a separate process.
.venv-secantus/.installed:
	$(PYTHON) -m venv .venv-secantus
	.venv-secantus/bin/pip install -q 'SecantusDB==0.7.0b3'
	touch $@

infra: install
	PYTHON=$(PY) bash deploy/local/infra.sh all

infra-rabbit:
	PYTHON=$(PYTHON) bash deploy/local/infra.sh rabbit

# promtool, which the deploy tests run (tests/unit/deploy), and chromium, which the
# offline docs browser test drives: installed when missing.
infra-tools:
	PYTHON=$(PYTHON) bash deploy/local/infra.sh tools

run: infra
	bash deploy/local/run.sh

stop:
	bash deploy/local/stop.sh

# Two weeks of the plan on an accelerated clock (DEMO_DAYS, DEMO_SPEED); the services
# keep running afterwards until `make stop`. See deploy/local/demo.sh.
demo: infra
	bash deploy/local/demo.sh

stop-all:
	bash deploy/local/stop.sh all

# Tests start their own SecantusDB on a free port and use unique names on the running
# RabbitMQ, so they never touch what `make run` uses.
test: install infra-rabbit infra-tools
	$(VENV)/bin/lint-imports --no-cache
	$(PYTEST) -q -p no:cacheprovider tests

test-unit: install infra-tools
	$(PYTEST) -q -p no:cacheprovider tests/unit

test-integration: install infra-rabbit
	$(PYTEST) -q -p no:cacheprovider tests/integration

test-e2e: install infra-rabbit
	$(PYTEST) -q -p no:cacheprovider tests/e2e

lint: install
	$(VENV)/bin/ruff check $(SRC)
	$(VENV)/bin/ruff format --check $(SRC)
	$(VENV)/bin/mypy shared services demo
	$(VENV)/bin/lint-imports --no-cache

fmt: install
	$(VENV)/bin/ruff check --fix $(SRC)
	$(VENV)/bin/ruff format $(SRC)

bench: install infra-rabbit
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf var/log var/run
