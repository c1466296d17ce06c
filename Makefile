# Komek: `make run` to try it, `make test` to check it. Needs only Python 3.11+ and make.
PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
MANAGE := $(VENV)/bin/python manage.py
# uv uses the machine's Python and never downloads one.
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install run test lint format messages clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	$(MANAGE) compilemessages --ignore $(VENV) --ignore $(TOOLS) --verbosity 0

run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	$(VENV)/bin/honcho --procfile Procfile start

test: install
	# The independent credential verifier (npm, from its lock); node comes with the dev wheels.
	cd tests/verifier && PATH="$(CURDIR)/$(VENV)/bin:$$PATH" npm ci --no-audit --no-fund --silent
	$(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: install
	$(MANAGE) makemessages --locale ru --locale kk --locale en --ignore $(VENV) --ignore $(TOOLS) --ignore tests --ignore bench --no-obsolete

clean:
	rm -rf $(VENV) $(TOOLS)
