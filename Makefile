# The two commands: `make run` serves the app with demo data; `make test` runs ruff,
# the import contracts (ARCHITECTURE.md) and the whole pytest suite (browser tests
# included). Both start from nothing.

# The newest Python from 3.13 down to 3.11 that actually runs (a version manager's shim
# for a version that isn't selected exists but fails, so each is tried, not just found).
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	$$p -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 14))' 2>/dev/null \
	&& { command -v $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium
BOOTSTRAP_VERSION := 5.3.8
# uv installs exactly what uv.lock pins (hashes checked); pip only bootstraps uv itself.
UV_VERSION := 0.13.9

.PHONY: run test install lock lint chromium messages vendor clean

# The web server and the background worker (outgoing email, webhooks, scheduled jobs)
# run together; Ctrl-C stops both, and the worker also stops when the server exits.
run: $(INSTALLED)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Serving on http://127.0.0.1:8000 (Django admin for back-office staff: /admin/)"
	@echo "The worker sends email (printed here) and webhooks, and runs the scheduled jobs."
	@$(BIN)/python manage.py worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(INSTALLED) chromium
	$(BIN)/uv lock --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest

install: $(INSTALLED)

# Install exactly uv.lock (runtime and test dependencies, hashes checked) whenever it or
# pyproject.toml changes; anything else in .venv is removed.
$(INSTALLED): pyproject.toml uv.lock
	@test -n "$(PYTHON)" || { echo "Python 3.11, 3.12 or 3.13 is needed; none was found."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --frozen --extra dev --quiet
	touch $@

# After changing dependencies in pyproject.toml, or to take newer releases: re-resolve
# uv.lock (newest versions pyproject.toml allows), install it, and commit both files.
lock: $(INSTALLED)
	$(BIN)/uv lock --upgrade
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --frozen --extra dev

# Browser tests drive Debian's Chromium. As root we install it; otherwise the
# browser tests fail with a message saying how to.
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "WARNING: $(CHROMIUM) is missing; run 'sudo apt-get install -y chromium' or the browser tests fail."; \
	  fi; \
	fi

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Refresh the Korean catalogue after changing user-facing strings, translate, then compile.
messages: $(INSTALLED)
	$(BIN)/python manage.py makemessages -l ko --ignore=.venv --ignore=tests --ignore=benchmarks --ignore=static
	$(BIN)/python manage.py compilemessages -l ko --ignore=.venv

# Bootstrap is committed under static/vendor (pages work with no internet); this refreshes it.
vendor:
	tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent bootstrap@$(BOOTSTRAP_VERSION) >/dev/null && tar xzf bootstrap-*.tgz && \
	cp package/dist/css/bootstrap.min.css package/dist/css/bootstrap.min.css.map $(CURDIR)/static/vendor/bootstrap/css/ && \
	cp package/dist/js/bootstrap.bundle.min.js package/dist/js/bootstrap.bundle.min.js.map $(CURDIR)/static/vendor/bootstrap/js/ && \
	cp package/LICENSE $(CURDIR)/static/vendor/bootstrap/LICENSE && rm -rf $$tmp

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
