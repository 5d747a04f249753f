# Two commands for a newcomer: `make demo` and `make test`. Each sets itself up.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
WEBCLIENT := wechaty_puppet_web/sandbox/webclient
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup demo test lint typecheck unit sandbox bench cassettes clean

setup: $(VENV)/.installed $(WEBCLIENT)/node_modules/.installed $(CHROMIUM) /usr/share/doc/libzbar0

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

# AngularJS 1.2 and jQuery 1.x come from npm (never copied into the repository).
$(WEBCLIENT)/node_modules/.installed: $(WEBCLIENT)/package.json
	npm install --silent --no-audit --no-fund --no-package-lock --prefix $(WEBCLIENT)
	touch $@

# Debian's Chromium; a browser download (`playwright install`) is never used.
$(CHROMIUM):
	$(SUDO) apt-get update -qq
	$(SUDO) apt-get install -y -qq chromium

/usr/share/doc/libzbar0:
	$(SUDO) apt-get update -qq
	$(SUDO) apt-get install -y -qq libzbar0

demo: setup
	$(VENV)/bin/wechaty-web run examples/ding_dong.py --sandbox --auto-scan --demo

test: setup lint typecheck
	$(PY) -m pytest -q

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check --diff .

typecheck:
	$(VENV)/bin/mypy

sandbox: setup
	$(VENV)/bin/wechaty-web sandbox --auto-scan --chatter 5

bench: setup
	$(PY) -m bench

# Re-record every fixture cassette from its sandbox scenario.
cassettes: setup
	$(PY) fixtures/record_all.py

clean:
	rm -rf $(VENV) $(WEBCLIENT)/node_modules .mypy_cache .ruff_cache
