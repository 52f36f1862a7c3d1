# Two commands do everything on a fresh Debian machine:
#   make run   — install what is missing, migrate, seed a demo account, start web + workers + beat
#   make test  — the same set-up, then the whole test suite
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT

.PHONY: run test setup system python node frontend i18n lint clean

run: setup
	@bash scripts/run.sh

test: setup
	@bash scripts/test.sh

setup: system python node frontend i18n

system:
	@bash scripts/install-system.sh

python: $(VENV)/.installed

$(VENV)/.installed: requirements.txt clients/python/pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
	@$(VENV)/bin/pip install --quiet --disable-pip-version-check -e clients/python
	@touch $@

node: node_modules/.installed clients/typescript/node_modules/.installed

node_modules/.installed: package.json package-lock.json
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

clients/typescript/node_modules/.installed: clients/typescript/package.json clients/typescript/package-lock.json
	@npm ci --prefix clients/typescript --no-audit --no-fund --loglevel=error
	@touch $@

frontend: node
	@npm run --silent build
	@npm run --silent build:sdk

i18n: python
	@$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

lint: python
	@$(VENV)/bin/ruff check .

clean:
	rm -rf static/dist staticfiles node_modules/.installed $(VENV)/.installed
