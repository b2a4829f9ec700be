# Quizapp: `make run` sets everything up and serves the app; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app quizapp
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 4

.PHONY: help run serve setup dev test test-fast test-e2e test-slow lint lock db banks demo clean

## help: list these targets
help:
	@grep -E '^## [a-z0-9-]+: ' $(MAKEFILE_LIST) | sed -E 's/^## ([a-z0-9-]+): /\1\t/' | awk -F'\t' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Every install is pinned by constraints.txt (`make lock` refreshes it): the suite turns warnings
# into errors, so an unpinned dependency's new deprecation must not break a newcomer's first run.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install -q -c constraints.txt -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml constraints.txt $(VENV)/.installed
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

## lock: refresh constraints.txt from the newest versions pyproject.toml allows (then run make test)
lock: | $(BIN)/python
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install -q --upgrade pip
	.lock-venv/bin/pip install -q '.[dev]'
	( echo "# Pinned versions for make run, make test and CI; refreshed by 'make lock'."; \
	  .lock-venv/bin/pip freeze --exclude-editable | grep -v '^quizapp[ =@]' ) > constraints.txt
	rm -rf .lock-venv

setup: $(VENV)/.installed

db: setup
	$(FLASK) db upgrade

SHARED_DOCUMENTS := $(wildcard ../shared/documents)

banks: db
	$(FLASK) bank load questions $(if $(SHARED_DOCUMENTS),--documents $(SHARED_DOCUMENTS))

demo: db
	$(FLASK) demo-users

## run: install, migrate, load the built-in banks, create demo users, serve on http://127.0.0.1:5000
## (with the upload job worker beside it, stopped with it: scripts/with-worker.sh)
# The demo signs a new registrant in at once (no mail needed); set it to 1 to try the emailed link.
run: export QUIZAPP_REQUIRE_EMAIL_VERIFICATION ?= 0
run: banks demo
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	./scripts/with-worker.sh $(FLASK) -- $(FLASK) run --host $(HOST) --port $(PORT)

## serve: the same, under gunicorn with several workers (no control socket: gunicorn's default,
## ~/.gunicorn/gunicorn.ctl, is one per user and a second instance would take it over and delete it),
## and the upload job worker beside it
serve: banks demo
	./scripts/with-worker.sh $(FLASK) -- $(BIN)/gunicorn --config gunicorn.conf.py --workers $(WORKERS) --bind $(HOST):$(PORT) --no-control-socket --access-logfile - 'quizapp:create_app()'

## dev: install the app and its development dependencies into .venv
dev: $(VENV)/.dev-installed

## test: install the dev dependencies and run the whole suite, browser tests included
test: dev
	./scripts/ensure-chromium.sh
	$(BIN)/ruff check quizapp tests bench
	$(BIN)/pytest

## test-fast: the suite without the browser tests (no Chromium needed)
test-fast: dev
	$(BIN)/ruff check quizapp tests bench
	$(BIN)/pytest -m "not slow and not e2e"

## test-e2e: only the browser tests (Playwright driving /usr/bin/chromium)
test-e2e: dev
	./scripts/ensure-chromium.sh
	$(BIN)/pytest -m e2e

## test-slow: the load, crash and backup-under-load tests (.ci/run runs them)
test-slow: dev
	$(BIN)/pytest -m slow

## lint: ruff over the code, tests and benchmarks
lint: dev
	$(BIN)/ruff check quizapp tests bench

## clean: remove the virtual environment and caches
clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
