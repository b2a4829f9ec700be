# Quizapp: `make run` sets everything up and serves the app; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app quizapp
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 4

.PHONY: run serve setup dev test test-fast test-e2e test-slow lint db banks demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

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
run: banks demo
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	./scripts/with-worker.sh $(FLASK) -- $(FLASK) run --host $(HOST) --port $(PORT)

## serve: the same, under gunicorn with several workers (no control socket: gunicorn's default,
## ~/.gunicorn/gunicorn.ctl, is one per user and a second instance would take it over and delete it),
## and the upload job worker beside it
serve: banks demo
	./scripts/with-worker.sh $(FLASK) -- $(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --no-control-socket --access-logfile - 'quizapp:create_app()'

dev: $(VENV)/.dev-installed

## test: install the dev dependencies and run the whole suite, browser tests included
test: dev
	./scripts/ensure-chromium.sh
	$(BIN)/ruff check quizapp tests bench
	$(BIN)/pytest

test-slow: dev
	$(BIN)/pytest -m slow

lint: dev
	$(BIN)/ruff check quizapp tests bench

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
