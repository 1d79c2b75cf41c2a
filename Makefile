# The README's two commands: `make run` and `make test`. Both set up everything they need.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

# `make serve`: gunicorn (the production server) with the job consumer; WORKERS × THREADS requests at once.
WORKERS ?= 2
THREADS ?= 4
JOB_WORKERS ?= 1

.PHONY: run serve worker test install install-test translations browser postgres db clean mutation lock audit lint

# Exact versions of every dependency, direct and indirect, come from the lock files (pip-tools, compiled from
# setup.cfg by `make lock`); the package itself is installed without resolving anything further.
$(STAMP): setup.cfg pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11 (python3.11)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

install: $(STAMP)

$(TEST_STAMP): $(STAMP) requirements-test.lock
	$(BIN)/pip install --quiet -r requirements-test.lock
	$(BIN)/pip install --quiet --no-deps -e '.[test]'
	touch $@

lock: install-test
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --output-file requirements.lock setup.cfg
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --extra test --output-file requirements-test.lock setup.cfg

# Known vulnerabilities in the locked versions, when a vulnerability service answers (skipped with a note when
# this machine cannot reach one, so `make test` keeps working offline).
audit: install-test
	@if $(BIN)/python -c "import urllib.request; urllib.request.urlopen('https://pypi.org/pypi/pip/json', timeout=5)" >/dev/null 2>&1; then \
	  $(BIN)/pip-audit --progress-spinner off --disable-pip --no-deps -r requirements-test.lock; \
	else echo "pip-audit skipped: no vulnerability service reachable from this machine (PyPI JSON API)"; fi

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

# The web server and, beside it, the job queue's consumer (round runs and publications, the daily jobs); the
# consumer stops with the server (Ctrl-C or any exit).
run: db
	@$(BIN)/housing-security worker --workers $(JOB_WORKERS) & consumer=$$!; \
	trap 'kill $$consumer 2>/dev/null; wait $$consumer 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask --app housing_security run --host $(HOST) --port $(PORT)

serve: db
	@$(BIN)/housing-security worker --workers $(JOB_WORKERS) & consumer=$$!; \
	trap 'kill $$consumer 2>/dev/null; wait $$consumer 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --workers $(WORKERS) --threads $(THREADS) --bind $(HOST):$(PORT) \
	  --access-logfile - --forwarded-allow-ips "$${FORWARDED_ALLOW_IPS:-127.0.0.1}" 'housing_security:create_app()'

worker: install
	$(BIN)/housing-security worker --workers $(JOB_WORKERS)

# Lint (ruff) and types (mypy: strict on policy/ and allocation/); settings in pyproject.toml.
lint: install-test
	$(BIN)/ruff check housing_security tests benchmarks migrations
	$(BIN)/mypy

test: install-test translations browser postgres audit lint
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
