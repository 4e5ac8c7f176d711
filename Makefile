# OpenRTCC — two commands do all the set-up on a fresh machine:
#   make demo   server + video wall + simulated city (SQLite, embedded)
#   make test   ruff, mypy --strict, pytest (browser tests in Debian chromium)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint typecheck system-deps bench clean

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

# Tests drive Debian's chromium (never a downloaded browser build) and start their own
# private mosquitto broker for the MQTT feed test; both come from Debian's packages.
SYSTEM_DEPS := chromium:chromium mosquitto:mosquitto espeak-ng:espeak-ng sox:sox pdftoppm:poppler-utils

system-deps:
	@missing=""; for pair in $(SYSTEM_DEPS); do \
		cmd=$${pair%%:*}; pkg=$${pair##*:}; \
		command -v $$cmd >/dev/null 2>&1 || [ -x /usr/sbin/$$cmd ] || missing="$$missing $$pkg"; \
	done; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian packages for the tests:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
		echo "The tests need these Debian packages:$$missing. Install them with:" >&2; \
		echo "    sudo apt-get install$$missing" >&2; \
		exit 1; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check rtcc tests $(wildcard bench)
	$(BIN)/ruff format --check rtcc tests $(wildcard bench)

typecheck: $(STAMP)
	$(BIN)/mypy --strict rtcc

test: $(STAMP) system-deps lint typecheck
	$(BIN)/pytest

demo: $(STAMP)
	$(BIN)/rtcc demo

# Every bench, one after another (the peers they compare with, PostgreSQL/PostGIS and
# taky, must be reachable for plate_search, camera_visibility and cot_fanout).
BENCHES := ingest_sqlite ws_latency adapters alert_fanout camera_visibility plate_search \
	multilateration hotlists playbooks public_reports cot_fanout

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev]'
	@for b in $(BENCHES); do echo "== bench/$$b.py"; $(BIN)/python bench/$$b.py --record || exit 1; done

clean:
	rm -rf $(VENV) var test-artifacts .mypy_cache .ruff_cache .pytest_cache
