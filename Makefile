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
        backup test-sqlite test-postgres browser-deps bench bench-results clean

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
test: catalogs
	$(BIN)/ruff check .
	$(FLASK) i18n check
	$(FLASK) content check
	$(BIN)/pytest -q -p no:cacheprovider

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

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
