# The two commands: `make run` (install, migrate, seed demo data, serve on :8000)
# and `make test` (the whole suite). Everything else here serves them.
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-dev browser lint format migrations messages clean

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Starting Daphne on http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	$(VENV)/bin/daphne -b $(HOST) -p $(PORT) portal.asgi:application

test: install-dev browser
	DJANGO_SETTINGS_MODULE=portal.settings.test $(VENV)/bin/pytest $(PYTEST_ARGS)

install:
	@scripts/bootstrap.sh requirements.txt
	$(PY) manage.py compile_translations

install-dev:
	@scripts/bootstrap.sh requirements-dev.txt
	$(PY) manage.py compile_translations

browser:
	@scripts/install-browser.sh

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations: install
	$(PY) manage.py makemigrations

# Needs GNU gettext (xgettext) on the developer's machine; installs never do.
messages: install
	$(PY) manage.py makemessages -l fa --ignore=.venv --ignore=staticfiles --no-obsolete
	$(PY) manage.py compile_translations

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
