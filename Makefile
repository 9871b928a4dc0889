# The two commands of the README:
#   make demo  — set up, initialise the demo cell under ./var and serve the web UI on 127.0.0.1:8000
#   make test  — install the test dependencies and run the whole suite (SQLite, PostgreSQL, Chromium)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install install-test browser proxy lint bench clean-demo messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

demo: install
	$(BIN)/fusioncell demo

# Debian's chromium for the browser tests (never `playwright install`: no browser downloads here).
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

# Debian's nginx, to run deploy/nginx.conf in front of a live cell (tests/operations/test_reverse_proxy.py).
proxy:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || (apt-get update -qq && apt-get install -y -qq nginx >/dev/null)

test: install-test browser proxy
	$(BIN)/python -m pytest

lint: install-test
	$(BIN)/ruff check src tests bench

bench: install-test
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/ledger.py

# After adding or changing words in templates or code: refresh the template and merge it into the ar and he
# catalogs (new entries arrive empty; tests/web/test_i18n.py fails until each is translated).
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext -k ngettext:1,2 --no-location -o src/fusioncell/i18n/messages.pot .
	$(BIN)/pybabel update -i src/fusioncell/i18n/messages.pot -d src/fusioncell/i18n/locales --ignore-obsolete -w 120

clean-demo:
	rm -rf var
