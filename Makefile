# Two commands do all set-up on a fresh machine (Python 3.11+):
#   make run    virtualenv, install, migrate, load the demo record, serve on http://127.0.0.1:8000
#   make test   virtualenv, install (and Chromium for the browser tests, when root), the whole suite
# and one production command (README, "Run in production"; settings from the environment):
#   make serve  migrate, collectstatic, gunicorn on GUNICORN_BIND (default 127.0.0.1:8000), DEBUG off
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test lint bench bench-api bench-pages bench-load bench-render browser clean

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

# The laptop demo runs with DEBUG on (the settings default to off); DEBUG=0 make run is allowed.
run: export DEBUG ?= 1
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo --if-empty --with-users
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Cached pages and ETags carry the release (timeline/settings.py RELEASE): from a checkout, its commit,
# so a deployment of new code never serves pages the previous code rendered.
serve: export RELEASE ?= $(shell git rev-parse --short HEAD 2>/dev/null)
serve: $(STAMP)
	$(BIN)/python manage.py check --deploy --fail-level ERROR
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	exec $(BIN)/gunicorn -c timeline/gunicorn_conf.py

browser:
	@bash scripts/ensure-chromium
	@VENV=$(VENV) bash scripts/ensure-timelinejs

test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python bench/run.py

bench-api: $(STAMP)
	$(BIN)/python bench/api.py

bench-pages: $(STAMP)
	$(BIN)/python bench/pages.py

bench-load: $(STAMP)
	$(BIN)/python bench/load.py

# Installs the peers (TimelineJS, vis-timeline, plotly.js) from npm into bench/peers/node_modules, gitignored.
bench-render: $(STAMP)
	$(BIN)/python bench/render.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
