# The two quick-start commands of the README. Both work on a fresh Debian machine with
# Python 3.11: they create and use a project virtualenv in .venv/ (Debian's own python3 is
# "externally managed" and refuses pip installs), so nothing has to be prepared by hand.
#
#   make demo   install consult and serve the Deventer demo (HOST=, PORT= to change)
#   make test   install the test dependencies and run the suite
#
# PYTHON is the interpreter the virtualenv is made from; VENV is where it lives.
PYTHON ?= python3
VENV ?= .venv
PYTEST_ARGS ?= -n 2
HOST ?= 127.0.0.1
PORT ?= 5000

BIN := $(VENV)/bin
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y -qq

.PHONY: demo test install install-test chromium venv clean-venv

demo: install
	$(BIN)/consult demo --serve --host $(HOST) --port $(PORT)

test: install-test chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

venv: $(BIN)/python

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# Debian ships the venv module separately (python3-venv); install it when we may.
$(BIN)/python:
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && $(APT_INSTALL) python3-venv; \
	  else echo "make: Python's venv module is missing: install it with 'sudo apt-get install python3-venv' and run make again" >&2; exit 1; fi; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Stamps: reinstall only when the package metadata changes.
$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install -q -e .
	@touch $@

$(VENV)/.installed-test: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@ $(VENV)/.installed

# Browser tests drive Debian's Chromium through its chromedriver. Installing them needs
# root; without it, say what to install instead of failing halfway through the suite.
chromium:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && $(APT_INSTALL) chromium chromium-driver; \
	  else echo "make: the browser tests need Chromium: run 'sudo apt-get install chromium chromium-driver' and make test again" >&2; exit 1; fi; }

clean-venv:
	rm -rf $(VENV)
