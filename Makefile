# Two commands do all set-up on a fresh machine (Python 3.11+):
#   make run    virtualenv, install, migrate, load the demo record, serve on http://127.0.0.1:8000
#   make test   virtualenv, install (and Chromium for the browser tests, when root), the whole suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench bench-pages bench-render browser clean

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo --if-empty --with-users
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

browser:
	@bash scripts/ensure-chromium

test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python bench/run.py

bench-pages: $(STAMP)
	$(BIN)/python bench/pages.py

# Installs the peers (TimelineJS, vis-timeline, plotly.js) from npm into bench/peers/node_modules, gitignored.
bench-render: $(STAMP)
	$(BIN)/python bench/render.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
