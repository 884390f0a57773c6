# Developer entry points. `make run` needs no servers (SQLite + filesystem broker under
# var/); `make test` and `make bench` start PostgreSQL and Redis under .local/.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Directories make and compilemessages never descend into.
NOT_SOURCE := .venv .local var node_modules

export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export VIRTUAL_ENV := $(CURDIR)/$(VENV)
export PYTHONUNBUFFERED := 1
export PORT

SERVICES_ENV = eval "$$(scripts/services.sh env)"

.PHONY: help bootstrap run test bench lint fmt services-up services-down messages \
	compilemessages

help:
	@echo "make run            migrate, load demo data, start web + worker + beat on 127.0.0.1:$(PORT)"
	echo "make test           lint, layers, mypy, Django checks and pytest on local PostgreSQL + Redis"
	echo "make bench          run bench/*.py against local PostgreSQL + Redis"
	echo "make lint | fmt     ruff, import layers and mypy | apply ruff fixes and formatting"
	echo "make messages       update and compile the zh_Hans translations"
	echo "make services-up | services-down   start | stop local PostgreSQL and Redis"

bootstrap:
	@scripts/bootstrap.sh

run: bootstrap
	mkdir -p "$${VAR_DIR:-var}"
	$(PY) manage.py migrate --noinput
	$(MAKE) --no-print-directory compilemessages
	$(PY) manage.py load_demo
	exec scripts/run.sh

test: bootstrap services-up
	$(SERVICES_ENV)
	export DJANGO_ENV=test
	ruff check .
	ruff format --check .
	# The layers of the apps (docs/architecture.md) and the typed files (pyproject.toml).
	lint-imports
	mypy
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check
	DJANGO_ENV=production ALLOWED_HOSTS=example.com \
		SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
		FIELD_ENCRYPTION_KEYS="$$($(PY) -c 'from core.crypto import generate_key as g; print(g())')" \
		BLIND_INDEX_KEY="$$($(PY) -c 'from core.crypto import generate_key as g; print(g())')" \
		$(PY) manage.py check --deploy --fail-level WARNING
	$(MAKE) --no-print-directory compilemessages
	# pytest exits 5 when it collects nothing; any non-zero status fails the target.
	pytest

bench: bootstrap services-up
	@$(SERVICES_ENV)
	export PYTHONPATH="$(CURDIR)"
	shopt -s nullglob
	benches=(bench/[!_]*.py)
	if [ "$${#benches[@]}" -eq 0 ]; then echo "no benchmarks in bench/ yet"; exit 0; fi
	for bench in "$${benches[@]}"; do
		echo "== $$bench"
		$(PY) "$$bench"
	done

lint: bootstrap
	ruff check .
	ruff format --check .
	lint-imports
	mypy

fmt: bootstrap
	ruff check --fix .
	ruff format .

services-up:
	scripts/services.sh up

services-down:
	scripts/services.sh down

messages: bootstrap
	scripts/services.sh deps gettext
	$(PY) manage.py makemessages -l zh_Hans $(addprefix --ignore=,$(NOT_SOURCE) tests bench)
	$(MAKE) --no-print-directory compilemessages

# Compiles .po files when there are any (needs GNU gettext's msgfmt).
compilemessages:
	@prune=( $(foreach d,$(NOT_SOURCE),-path ./$(d) -o) -false )
	if [ -z "$$(find . \( "$${prune[@]}" \) -prune -o -name '*.po' -print -quit)" ]; then
		echo "no .po files; nothing to compile"
		exit 0
	fi
	scripts/services.sh deps gettext
	$(PY) manage.py compilemessages $(addprefix --ignore=,$(NOT_SOURCE))
