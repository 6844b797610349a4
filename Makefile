# Two commands for a fresh machine: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint fuzz bench bench-http chaos venv clean check-migrations protos protos-check browser

# Says what it is doing and how long it took: the first install takes a few minutes.
$(STAMP): requirements/base.txt requirements/dev.txt
	@set -e; echo "==> Installing dependencies into $(VENV) (the first run takes a few minutes) ..."; \
	  start=$$(date +%s); \
	  test -x $(PY) || $(PYTHON) -m venv $(VENV); \
	  $(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip; \
	  $(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt; \
	  echo "    Installing dependencies: done in $$(( $$(date +%s) - start )) s"
	@touch $(STAMP)

venv: $(STAMP)

## Serve API, docs and admin on http://127.0.0.1:$APP_PORT (default 8000) with embedded defaults.
run: $(STAMP)
	@$(PY) -m community_service.devtools run

## Static checks: the import-layer contracts in .importlinter, ruff (lint and import order),
## vulture (dead code) and mypy with django-stubs/djangorestframework-stubs (configured in pyproject.toml).
lint: $(STAMP)
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/ruff check .
	$(VENV)/bin/vulture
	$(VENV)/bin/mypy

# The coverage floor (.coveragerc) holds for the whole suite; a run narrowed with PYTEST_ARGS skips it.
COVERAGE = $(if $(PYTEST_ARGS),,--cov --cov-report=term:skip-covered)

## Headless Chromium for the console's browser test (Debian packages; needs root, else the test skips).
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null \
	  || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	       && (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver) >/dev/null \
	       || echo "chromium/chromedriver not installed: the browser test will be skipped"; }

## Run the whole suite against this machine's PostgreSQL, Redis, RabbitMQ and a Tansu broker.
test: lint browser
	$(PY) -m community_service.devtools preflight
	$(PY) manage.py makemigrations --check --dry-run --settings=community_service.settings_test
	$(PY) -m pytest $(COVERAGE) $(PYTEST_ARGS)

## Schemathesis against the live schema of a test server (no 5xx, no schema violations).
fuzz: $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/fuzz.txt
	$(PY) -m community_service.devtools fuzz $(FUZZ_ARGS)

## Regenerate the gRPC code (community_service/grpc_api/gen/) from the .proto files.
protos: $(STAMP)
	$(PY) -m community_service.grpc_api.codegen

## Fail when the checked-in gRPC code differs from the protos (also a test in `make test`).
protos-check: $(STAMP)
	$(PY) -m community_service.grpc_api.codegen --check

bench: $(STAMP)
	$(PY) -m pytest bench $(PYTEST_ARGS)
	$(PY) bench/bench_http.py

## The request path under wrk (issue 12): the server as shipped (granian), 100,000 communities; prints the table.
bench-http: $(STAMP)
	$(PY) bench/bench_http.py

## The fault drill (issue 40, docs/reliability.md): its own stack under load, parts killed; prints the table.
chaos: $(STAMP)
	$(PY) -m bench.chaos $(CHAOS_ARGS)

clean:
	rm -rf $(VENV) staticfiles var
