# Kontaktstelle: the two commands of the README are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint audit format check migrate messages bench bench-http

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

.env:
	cp .env.example .env
	@echo "Created .env from .env.example (debug on, SQLite under var/, e-mails to the console)."

migrate: $(STAMP) .env
	$(BIN)/python manage.py migrate --noinput

run: migrate
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "Kontaktstelle runs on http://$(HOST):$(PORT)/  (stop with Ctrl+C)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP) audit
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/bandit -q -c pyproject.toml -r kontaktstelle groups starters

# Known vulnerabilities of the installed packages (needs pip-audit's online service).
audit: $(STAMP)
	BIN=$(BIN) bash .ci/audit-dependencies

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Consistency checks CI runs besides the tests.
check: $(STAMP)
	DJANGO_SETTINGS_MODULE=tests.settings $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=tests.settings $(BIN)/python manage.py check

# Update the German catalogue after changing texts, then translate and compile.
messages: $(STAMP)
	DJANGO_SETTINGS_MODULE=tests.settings $(BIN)/python manage.py makemessages -l de --no-obsolete --ignore=.venv --ignore=var
	DJANGO_SETTINGS_MODULE=tests.settings $(BIN)/python manage.py compilemessages -l de --ignore=.venv

# Performance at national scale (README: "Performance benchmark"): generates the data
# once into its own PostgreSQL databases (small and large), then times the key pages.
# BENCH_ARGS passes options, e.g. BENCH_ARGS="--regenerate" or "--scales small".
# The cache is the Redis database 15 on this machine, as a production setup would have
# one; BENCH_REDIS_URL= (empty) uses each process's local memory instead.
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/15
bench: $(STAMP)
	REDIS_URL=$(BENCH_REDIS_URL) $(BIN)/python -m tests.bench $(BENCH_ARGS)

# The HTTP load run on the large database: gunicorn and wrk (installed from Debian when
# missing), 32 connections for 60 s on directory searches and group pages, and on a
# minimal view for comparison.
bench-http: $(STAMP)
	REDIS_URL=$(BENCH_REDIS_URL) $(BIN)/python -m tests.bench http $(BENCH_ARGS)
