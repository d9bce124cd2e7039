# dxday: `make run` serves the demo campaign; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
# Where links in messages point when CANONICAL_URL is unset: the address served (loopback for a wildcard HOST).
LOCAL_URL ?= http://$(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST)):$(PORT)

.PHONY: run test install install-dev translations extract lint browser zbar serve-prod bench wrk clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Compiled catalogues are build output (git ignores them); the .po files are the source.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))
translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -i $< -o $@
translations: $(MO_FILES)

# After changing interface strings: refresh the catalogues, then translate the new entries.
extract: $(VENV)/.installed
	$(BIN)/pybabel extract --no-location --sort-by-file -F babel.cfg -k _l -o translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i translations/messages.pot -d translations

run: install translations
	$(BIN)/flask init-db
	$(BIN)/flask seed-demo
	@echo "dxday is at http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	LOCAL_URL=$(LOCAL_URL) SCHEDULER_AUTOSTART=1 $(BIN)/flask run --host $(HOST) --port $(PORT) --no-reload

# Debian's Chromium for the browser tests (Playwright cannot download its own browser here).
browser:
	@if ! command -v /usr/bin/chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "!!! /usr/bin/chromium is missing: install Debian's chromium package (browser tests will fail)"; fi; \
	fi

# The QR decoder the tests read every drawn ticket with (pyzbar loads Debian's libzbar0).
zbar: install-dev
	@if ! $(BIN)/python -c "import pyzbar.pyzbar" 2>/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libzbar0 >/dev/null; \
	  else echo "!!! libzbar0 is missing: install Debian's libzbar0 package (QR decoding tests will fail)"; fi; \
	fi

test: install-dev translations browser zbar
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n auto --dist loadfile $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

serve-prod: install translations
	$(BIN)/flask init-db
	LOCAL_URL=$(LOCAL_URL) $(BIN)/gunicorn --workers 4 --bind $(HOST):$(PORT) wsgi:app

# Debian's wrk drives the load runs; the profilers of bench/requirements.txt are for reading the slow pages.
$(VENV)/.installed-bench: bench/requirements.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r bench/requirements.txt
	touch $@

wrk:
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "!!! wrk is missing: install Debian's wrk package"; exit 1; fi; \
	fi

# Load runs against PostgreSQL and SQLite beside the bare-stack ceiling (BENCH_QUICK=1: within 10 minutes).
bench: install translations wrk $(VENV)/.installed-bench
	$(BIN)/python -m bench.runner

clean:
	rm -rf $(VENV) instance translations/*/LC_MESSAGES/*.mo .pytest_cache tests/artifacts bench/.work
