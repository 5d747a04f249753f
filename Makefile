# Two commands for a newcomer: `make demo` and `make test`. Each sets itself up.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
WEBCLIENT := wechaty_puppet_web/sandbox/webclient
SERVICE := wechaty_puppet_web/service
# The real Wechaty SDKs the Puppet Service is tested with (tests/service/), never committed.
SDK_NODE := tests/service/sdk
SDK_VENV := .venv-wechaty
# Third-party web WeChat clients the sandbox must serve (tests/conformance/), never committed.
CLIENTS_NODE := tests/conformance/clients
ITCHAT_VENV := .venv-itchat
ITCHAT_FIX_VENV := .venv-itchat-fix
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup vendor sdks clients demo test test-min test-wheel docs dist lint typecheck unit sandbox \
	bench soak cassettes clean

setup: $(VENV)/.installed vendor $(SERVICE)/stubs/puppet_pb2.py $(CHROMIUM) /usr/share/doc/libzbar0

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

# AngularJS 1.2 and jQuery 1.x come from npm (`npm pack`, pinned by sha256) into a git-ignored
# folder, never copied into the repository; the wheel/sdist build fetches them the same way.
# A no-op (two hashes) when the folder is complete, so it always runs.
vendor:
	$(PYTHON) $(WEBCLIENT)/vendor.py

# The Puppet Service's .proto files come from npm wechaty-grpc (`npm pack`, pinned by sha256);
# Python modules are generated from them into a git-ignored folder that ships inside the sdist
# and the wheel. The same code as the build's; a no-op when the folder is current.
$(SERVICE)/stubs/puppet_pb2.py: $(SERVICE)/protogen.py $(VENV)/.installed
	$(PY) -m wechaty_puppet_web.service.protogen

# TypeScript wechaty 1.x + wechaty-puppet-service, and python-wechaty 0.10.7 in its own venv
# (it needs pyee<12 and urllib3<2; our package goes in too, for the in-process adapter).
sdks: $(SDK_NODE)/node_modules/.installed $(SDK_VENV)/.installed

$(SDK_NODE)/node_modules/.installed: $(SDK_NODE)/package.json
	npm install --silent --no-audit --no-fund --no-package-lock --prefix $(SDK_NODE)
	touch $@

$(SDK_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(SDK_VENV)
	$(SDK_VENV)/bin/python -m pip install -q 'wechaty==0.10.7' 'pyee<12' 'urllib3<2' -e '.[wechaty]'
	touch $@

# wechat4u 0.7.14 from npm; itchat-uos 1.4.1 and its fork itchat-uos-fix 1.5.1.dev0 each in
# their own venv (old pins, and both install the same `itchat` package: kept out of .venv).
clients: $(CLIENTS_NODE)/node_modules/.installed $(ITCHAT_VENV)/.installed \
	$(ITCHAT_FIX_VENV)/.installed

$(CLIENTS_NODE)/node_modules/.installed: $(CLIENTS_NODE)/package.json
	npm install --silent --no-audit --no-fund --no-package-lock --prefix $(CLIENTS_NODE)
	touch $@

$(ITCHAT_VENV)/.installed:
	$(PYTHON) -m venv $(ITCHAT_VENV)
	$(ITCHAT_VENV)/bin/python -m pip install -q 'itchat-uos==1.4.1'
	touch $@

$(ITCHAT_FIX_VENV)/.installed:
	$(PYTHON) -m venv $(ITCHAT_FIX_VENV)
	$(ITCHAT_FIX_VENV)/bin/python -m pip install -q 'itchat-uos-fix==1.5.1.dev0'
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

test: setup sdks clients lint typecheck
	$(PY) -m pytest -q
	$(MAKE) --no-print-directory test-min test-wheel docs

# The lowest dependency versions pyproject allows (tests/constraints-min.txt), in a separate
# virtualenv: the unit tests and one sandbox protocol module (no browser). Reuses pip's cache.
MIN_VENV := $(VENV)/min
test-min: setup
	[ -x $(MIN_VENV)/bin/python ] || $(PYTHON) -m venv $(MIN_VENV)
	$(MIN_VENV)/bin/python -m pip install -q -c tests/constraints-min.txt -e '.[testing]' pytest-timeout pyzbar
	$(MIN_VENV)/bin/python -m pip check
	$(MIN_VENV)/bin/python -m pytest -q tests/unit tests/sandbox/test_messages.py

# The sdist and the wheel in dist/ (the build fetches the sandbox page's npm scripts itself).
dist: setup
	$(PY) -m build --outdir dist .

# Build the sdist and the wheel (from the sdist, without node), install the wheel in a fresh
# virtualenv outside the checkout and run the demo and a bot author's tests from there.
test-wheel: setup
	$(PY) tests/wheel/check_wheel.py

# The API reference from the docstrings (pdoc, Google style) into a git-ignored folder; the greps
# check it really holds the public API. adapter/ is left out: it imports the optional
# python-wechaty, absent here; the generated gRPC stubs have no docstrings of ours.
DOCS := docs/api
DOC_MODULES = wechaty_puppet_web $$($(PY) -c 'import pkgutil, wechaty_puppet_web as w; \
	print(" ".join("wechaty_puppet_web." + m.name for m in pkgutil.iter_modules(w.__path__) \
	if m.name != "adapter"))') '!wechaty_puppet_web.service.stubs'
docs: setup
	$(PY) -m pip install -q 'pdoc>=15'
	rm -rf $(DOCS)
	$(PY) -m pdoc -o $(DOCS) --docformat google $(DOC_MODULES)
	grep -q 'id="PuppetWeb"' $(DOCS)/wechaty_puppet_web.html
	grep -q 'id="attach_bot"' $(DOCS)/wechaty_puppet_web/pytest_plugin.html
	@echo "API reference: $(DOCS)/index.html"

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check --diff .

typecheck:
	$(VENV)/bin/mypy

sandbox: setup
	$(VENV)/bin/wechaty-web sandbox --auto-scan --chatter 5

bench: setup
	$(PY) -m bench

# An hour of traffic with 10 % faults and random browser kills (SOAK_SECONDS=600 for less);
# prints lost / duplicated / recovered counts. Not part of `make test`.
soak: setup
	$(PY) -m bench soak

# Re-record every fixture cassette from its sandbox scenario.
cassettes: setup
	$(PY) fixtures/record_all.py

clean:
	rm -rf $(VENV) $(SDK_VENV) $(WEBCLIENT)/node_modules $(WEBCLIENT)/vendor $(SERVICE)/node_modules $(SERVICE)/stubs/*_pb2* $(SERVICE)/stubs/SOURCE \
		$(SDK_NODE)/node_modules $(ITCHAT_VENV) $(ITCHAT_FIX_VENV) $(CLIENTS_NODE)/node_modules \
		.mypy_cache .ruff_cache
