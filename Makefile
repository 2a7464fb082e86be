# The one entry point for install, infrastructure, run, test, lint and bench.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PYTEST := $(VENV)/bin/pytest
SRC := shared services tests bench demo

.PHONY: install lock lock-upgrade lock-files lock-check infra infra-rabbit infra-tools infra-font run stop stop-all test test-unit test-integration test-e2e test-chaos \
        lint fmt bench bench-quick demo clean

install: $(VENV)/.installed .venv-secantus/.installed

# Locked (#16): requirements/dev.txt pins every package .venv gets (all services' groups,
# the demo's and dev), each with its hashes; the project itself goes on top without deps.
$(VENV)/.installed: pyproject.toml requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --require-hashes -r requirements/dev.txt
	$(VENV)/bin/pip install -q --no-deps -e .
	touch $@

# SecantusDB is GPL-2.0: it lives in its own virtualenv and runs as a separate process.
.venv-secantus/.installed:
	$(PYTHON) -m venv .venv-secantus
	.venv-secantus/bin/pip install -q 'SecantusDB==0.7.0b3'
	touch $@

# The lock files, from pyproject.toml (pip-compile, in .venv through the dev group):
#   requirements/dev.txt         .venv: every group (make install)
#   requirements/all.txt         the one image carrying all five services (SERVICE=all)
#   requirements/<service>.txt   core + that service's group: its image (Dockerfile ARG SERVICE)
# `make lock` after changing pyproject.toml keeps every version already pinned and adds or
# drops what changed; `make lock-upgrade` moves dev.txt to the newest allowed versions. The
# service files always take dev.txt's versions (--constraint), so all locks agree.
# `make lock-check` regenerates them in a temporary directory and diffs.
LOCK_SERVICES := drafting review publisher feedback reporting gateway audience
LOCK_DIR ?= .
PIP_COMPILE_BIN ?= $(abspath $(VENV))/bin/pip-compile
PIP_COMPILE := $(PIP_COMPILE_BIN) -q --generate-hashes --allow-unsafe --strip-extras \
               --no-emit-index-url --no-emit-find-links

lock: $(VENV)/.installed
	$(MAKE) --no-print-directory lock-files

lock-upgrade: $(VENV)/.installed
	$(MAKE) --no-print-directory lock-files LOCK_UPGRADE=--upgrade

lock-files:
	cd $(LOCK_DIR) && $(PIP_COMPILE) $(LOCK_UPGRADE) --all-extras \
	    --output-file=requirements/dev.txt pyproject.toml
	cd $(LOCK_DIR) && $(PIP_COMPILE) --upgrade --constraint=requirements/dev.txt \
	    $(foreach s,$(LOCK_SERVICES),--extra=$(s)) --output-file=requirements/all.txt pyproject.toml
	cd $(LOCK_DIR) && for s in $(LOCK_SERVICES); do \
	    $(PIP_COMPILE) --upgrade --constraint=requirements/dev.txt --extra=$$s \
	        --output-file=requirements/$$s.txt pyproject.toml || exit 1; done

lock-check: $(VENV)/.installed
	tmp=$$(mktemp -d) && cp pyproject.toml $$tmp/ && cp -r requirements $$tmp/ \
	    && $(MAKE) --no-print-directory lock-files LOCK_DIR=$$tmp \
	    && diff -ru requirements $$tmp/requirements; rc=$$?; rm -rf $$tmp; \
	    if [ $$rc -ne 0 ]; then echo "requirements/ is not what pyproject.toml locks to: run make lock"; fi; \
	    exit $$rc

infra: install
	PYTHON=$(PY) bash deploy/local/infra.sh all

infra-rabbit:
	PYTHON=$(PYTHON) bash deploy/local/infra.sh rabbit

# promtool, which the deploy tests run (tests/unit/deploy), and chromium, which the
# offline docs browser test drives: installed when missing.
infra-tools:
	PYTHON=$(PYTHON) bash deploy/local/infra.sh tools

# The CJK font reporting's charts and audience's posters are drawn with (by path).
infra-font:
	PYTHON=$(PYTHON) bash deploy/local/infra.sh font

run: infra
	bash deploy/local/run.sh

# Stops the five services only: the store (SecantusDB) and RabbitMQ keep running, and
# stop.sh says so; `make stop-all` stops the store too.
stop:
	bash deploy/local/stop.sh

# Two weeks of the plan on an accelerated clock (DEMO_DAYS, DEMO_SPEED), then the same run
# goes on at real speed from where the simulation ended (DEMO_AFTER=stop: the services
# stop instead); the last lines say which and how to stop. See deploy/local/demo.sh.
demo: infra
	bash deploy/local/demo.sh

# The five services and the store make started. RabbitMQ is the system's broker (infra.sh
# starts it when it is not running, other programs may use it): make never stops it.
stop-all:
	bash deploy/local/stop.sh all

# Tests start their own SecantusDB on a free port and use unique names on the running
# RabbitMQ, so they never touch what `make run` uses.
test: install infra-rabbit infra-tools
	$(VENV)/bin/lint-imports --no-cache
	$(PYTEST) -q -p no:cacheprovider tests

test-unit: install infra-tools
	$(PYTEST) -q -p no:cacheprovider tests/unit

test-integration: install infra-rabbit infra-font
	$(PYTEST) -q -p no:cacheprovider tests/integration

test-e2e: install infra-rabbit infra-font
	$(PYTEST) -q -p no:cacheprovider tests/e2e

# Chaos (#11): CHAOS_RUNS runs in a row of tests/chaos (own RabbitMQ node and store, the
# services as processes killed at random moments), each printing its seed and counts.
CHAOS_RUNS ?= 3
test-chaos: install
	@for run in $$(seq 1 $(CHAOS_RUNS)); do \
	    CHAOS=1 CHAOS_RUN=$$run $(PYTEST) -q -s -p no:cacheprovider -m chaos tests/chaos || exit 1; \
	done

lint: install
	$(VENV)/bin/ruff check $(SRC)
	$(VENV)/bin/ruff format --check $(SRC)
	$(VENV)/bin/mypy shared services demo
	$(VENV)/bin/lint-imports --no-cache

fmt: install
	$(VENV)/bin/ruff check --fix $(SRC)
	$(VENV)/bin/ruff format $(SRC)

# Every bench on one harness (#15): warm-up, median of 3 runs with min and max, peak RSS of
# the service under test, one table of figure | value | goal | met. bench-quick: small N,
# one run each, to check that they work (not a measurement).
bench: install infra-rabbit infra-font
	$(PY) bench/run_all.py

bench-quick: install infra-rabbit infra-font
	BENCH_QUICK=1 $(PY) bench/run_all.py

clean:
	rm -rf var/log var/run
