# The README's two commands: `make run` and `make test`. Both set up everything they need.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test install install-test translations browser postgres db clean mutation

$(STAMP): setup.cfg pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11 (python3.11)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

install: $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install-test: $(TEST_STAMP)

translations: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d translations -f >/dev/null

# Debian's Chromium and its driver for the end-to-end tests (Playwright/Selenium cannot download browsers here).
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null; \
	fi

# Debian's PostgreSQL server: the web and service suites run a second time on it.
postgres:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; \
	fi

db: install translations
	$(BIN)/housing-security init-db
	$(BIN)/housing-security seed-demo

run: db
	$(BIN)/flask --app housing_security run --host $(HOST) --port $(PORT)

test: install-test translations browser postgres
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)
	tests/with-postgres.sh $(BIN)/pytest -n 2 -q tests/web tests/services $(PYTEST_ARGS)

# Mutation testing of the pure core (not part of `make test`): mutmut mutates the modules listed in setup.cfg's
# [mutmut] section, runs tests/policy and tests/allocation against each mutant, and the report prints killed /
# survived per module. Low priority, one child by default (MUTATION_JOBS=2 on a machine of your own).
MUTATION_JOBS ?= 1
mutation: install-test
	$(BIN)/pip install --quiet -e '.[test,mutation]'
	nice -n 15 $(BIN)/mutmut run --max-children $(MUTATION_JOBS) 2>&1 | tr '\r' '\n' | tail -n 2
	$(BIN)/python benchmarks/mutation_report.py

clean:
	rm -rf $(VENV) instance/housing.sqlite* .pytest_cache mutants
