# Tandem — `make run` and `make test` are all a newcomer needs; the rest are chores.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
PORT ?= 5000
export TANDEM_BASE_URL ?= http://127.0.0.1:$(PORT)
WORKERS ?= 2
STAMP := $(VENV)/.installed

.PHONY: run test install catalogs migrate content-check serve lint i18n i18n-check demo \
        backup test-sqlite test-postgres browser-deps bench bench-results bench-analytics test-faults load a11y-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

catalogs: install
	$(FLASK) i18n compile

migrate: install
	$(FLASK) db upgrade

content-check: install
	$(FLASK) content check

## run: install, compile catalogs, migrate SQLite, check content, serve on 127.0.0.1:$(PORT)
run: catalogs migrate content-check
	$(FLASK) setup-link
	$(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers $(WORKERS) --access-logfile - app:app

## test: lint, catalogs, content, the whole suite (PostgreSQL too when TEST_DATABASE_URL is set)
test: catalogs a11y-deps
	$(BIN)/ruff check .
	$(BIN)/bandit -q -ll -r learning app.py
	$(FLASK) i18n check
	$(FLASK) content check
	$(BIN)/pytest -q -p no:cacheprovider --ignore=tests/faults

## test-faults: kill -9 during saves and submissions, outages, migrations and backups under load
test-faults: catalogs
	$(BIN)/pytest -q -p no:cacheprovider tests/faults

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

## i18n: extract messages and update the catalogs after changing strings
i18n: install
	$(FLASK) i18n extract

i18n-check: install
	$(FLASK) i18n check

## demo: load the fictitious demo programme (never runs by itself)
demo: migrate
	$(FLASK) demo

backup: install
	$(FLASK) backup

## a11y-deps: axe-core from the npm registry, for the accessibility checks in Chromium
AXE_VERSION := 4.11.0
AXE := $(VENV)/axe-core/axe.min.js
$(AXE): | $(BIN)/python
	mkdir -p $(VENV)/axe-core
	cd $(VENV)/axe-core && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null && \
	  tar -xzf axe-core-$(AXE_VERSION).tgz --strip-components=1 package/axe.min.js && \
	  rm axe-core-$(AXE_VERSION).tgz

a11y-deps: $(AXE)

## browser-deps: Debian's Chromium for the browser journeys (never a downloaded browser)
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## bench: section page vs bare Flask page throughput, same gunicorn setup (median of runs)
bench: install
	$(BIN)/python benchmarks/pages.py

## bench-results: cohort results for 2,000 participants × 60 items (median of 7 runs)
bench-results: install
	$(BIN)/python benchmarks/assessment_results.py

## bench-analytics: every dashboard at 10,000 and 100,000 participants, SQLite and PostgreSQL
bench-analytics: install
	$(BIN)/python benchmarks/analytics.py

## load: 50 learners for 5 minutes against gunicorn (DB=sqlite or DB=postgresql)
load: catalogs
	$(BIN)/python benchmarks/load/run.py --database $(or $(DB),sqlite)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
