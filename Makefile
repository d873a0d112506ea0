# Relais: the words a newcomer tries. `make run` and `make test` install what they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
# Tests run on two processes when the machine has them.
PYTEST_WORKERS ?= 2

.PHONY: run test quality bench load install install-dev browser worker format clean

# Relais starts as production unless told otherwise: the developer's own commands say "development"
# (the tests run in their own environment, the bench sets its own).
run worker quality: export DJANGO_ENV = development
# Links in emails use the address the site is served on.
run worker: export SITE_URL ?= http://localhost:$(PORT)

$(VENV)/bin/python:
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
		echo "Installation du paquet Debian python3-venv…"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3-venv >/dev/null; \
		rm -rf $(VENV); $(PYTHON) -m venv $(VENV); }
	@$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed-runtime: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements-dev.txt
	@touch $@ $(VENV)/.installed-runtime

install: $(VENV)/.installed-runtime
install-dev: $(VENV)/.installed-dev

# The browser tests drive Debian's Chromium: never a downloaded browser.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installation du paquet Debian chromium pour les tests dans le navigateur…"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

run: install
	@mkdir -p var
	$(PY) manage.py prepare_database
	$(PY) manage.py seed_demo
	@echo ""
	@echo "Relais est servi sur http://localhost:$(PORT)/ (Ctrl+C pour arrêter)."
	@$(PY) manage.py db_worker --queue-name '*' >var/worker.log 2>&1 & \
		worker=$$!; trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
		$(PY) manage.py runserver $(HOST):$(PORT)

worker: install
	$(PY) manage.py db_worker --queue-name '*'

test: install-dev browser
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

quality: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install-dev
	$(PY) -m bench $(BENCH_ARGS)

# The load test: gunicorn clicked by simulated professionals (locust), on the bench database.
$(VENV)/.installed-load: bench/requirements-load.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r bench/requirements-load.txt
	@touch $@

load: $(VENV)/.installed-dev $(VENV)/.installed-load
	$(PY) -m bench.load $(LOAD_ARGS)

clean:
	rm -rf $(VENV) var staticfiles
