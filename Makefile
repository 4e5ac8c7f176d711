# OpenRTCC — two commands do all the set-up on a fresh machine:
#   make demo   server + video wall + simulated city (SQLite, embedded)
#   make test   ruff, mypy --strict, pytest (browser tests in Debian chromium)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint typecheck system-deps postgres bench clean

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
SYSTEM_DEPS := chromium:chromium mosquitto:mosquitto espeak-ng:espeak-ng sox:sox \
	pdftoppm:poppler-utils nats-server:nats-server

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

# The storage and pipeline suites also run on PostgreSQL + PostGIS (RTCC_TEST_POSTGRES_URL,
# default postgresql://postgres@127.0.0.1:5432/postgres, a role that may create databases).
# A local PostgreSQL without PostGIS gets Debian's package for its version; a server that
# cannot be reached is explained here, and in CI its tests fail rather than skip.
PG_URL ?= $(or $(RTCC_TEST_POSTGRES_URL),postgresql://postgres@127.0.0.1:5432/postgres)

postgres:
	@for dir in /usr/lib/postgresql/*/; do \
		[ -d "$$dir" ] || continue; ver=$$(basename $$dir); \
		ls /usr/share/postgresql/$$ver/extension/postgis.control >/dev/null 2>&1 && continue; \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing PostGIS for PostgreSQL $$ver"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				postgresql-$$ver-postgis-3 >/dev/null; \
		else echo "PostGIS is missing: sudo apt-get install postgresql-$$ver-postgis-3" >&2; fi; \
	done
	@$(BIN)/python -c 'import psycopg, sys; psycopg.connect(sys.argv[1], connect_timeout=3).close()' \
		"$(PG_URL)" 2>/dev/null || { \
		echo "PostgreSQL is not reachable at $(PG_URL): its tests will be skipped (failed in CI)." >&2; \
		echo "  Install: sudo apt-get install postgresql postgresql-15-postgis-3" >&2; \
		echo "  Or point RTCC_TEST_POSTGRES_URL at a server where the role may CREATE DATABASE." >&2; }

lint: $(STAMP)
	$(BIN)/ruff check rtcc tests $(wildcard bench)
	$(BIN)/ruff format --check rtcc tests $(wildcard bench)

typecheck: $(STAMP)
	$(BIN)/mypy --strict rtcc

test: $(STAMP) system-deps postgres lint typecheck
	$(BIN)/pytest

demo: $(STAMP)
	$(BIN)/rtcc demo

# Every bench, one after another (the peers they compare with, PostgreSQL/PostGIS and
# taky, must be reachable for plate_search, camera_visibility and cot_fanout).
BENCHES := ingest_sqlite ws_latency adapters alert_fanout camera_visibility plate_search \
	multilateration hotlists playbooks public_reports cot_fanout scaleout fuzz storage_size

bench: $(STAMP)
	@for b in $(BENCHES); do echo "== bench/$$b.py"; $(BIN)/python bench/$$b.py --record || exit 1; done

clean:
	rm -rf $(VENV) var test-artifacts .mypy_cache .ruff_cache .pytest_cache
