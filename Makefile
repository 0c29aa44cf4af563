# The two quick-start commands of the README. Both work on a fresh Debian machine with
# Python 3.11 (run as root, or drop the apt-get step and install Chromium yourself).
PYTHON ?= python3
PYTEST_ARGS ?= -n 2

.PHONY: demo test install install-test chromium

demo: install
	consult demo --serve

test: install-test chromium
	$(PYTHON) -m pytest $(PYTEST_ARGS)

install:
	$(PYTHON) -m pip install -q -e .

install-test:
	$(PYTHON) -m pip install -q -e '.[test]'

# Browser tests drive Debian's Chromium through its chromedriver.
chromium:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver)
