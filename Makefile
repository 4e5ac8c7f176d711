# OpenRTCC — two commands do all the set-up on a fresh machine:
#   make demo   server + video wall + simulated city (SQLite, embedded)
#   make test   ruff, mypy --strict, pytest (browser tests in Debian chromium)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint typecheck browser bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else \
		"OpenRTCC needs Python 3.11 or newer; found " + sys.version.split()[0])'
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || { echo "python3-venv is missing: \
		apt-get install python3-venv" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# Browser tests drive Debian's chromium (never a downloaded browser build).
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian chromium for the browser tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "The browser tests need Debian's chromium. Install it with:" >&2; \
		echo "    sudo apt-get install chromium" >&2; \
		exit 1; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check rtcc tests $(wildcard bench)
	$(BIN)/ruff format --check rtcc tests $(wildcard bench)

typecheck: $(STAMP)
	$(BIN)/mypy --strict rtcc

test: $(STAMP) browser lint typecheck
	$(BIN)/pytest

demo: $(STAMP)
	$(BIN)/rtcc demo

bench: $(STAMP)
	$(BIN)/python bench/ingest_sqlite.py --record
	$(BIN)/python bench/ws_latency.py --record

clean:
	rm -rf $(VENV) var test-artifacts .mypy_cache .ruff_cache .pytest_cache
