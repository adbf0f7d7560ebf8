# listing-watch: the two commands a new user needs are `make demo` and
# `make test`; both set up everything they use (Python packages, Kafka,
# Elasticsearch) on this machine, on 127.0.0.1 only.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
LW     := $(VENV)/bin/listing-watch
STACK  := deploy/local/stack.sh

.PHONY: help install stack stop demo chaos test test-unit lint typecheck bench bench-pipeline clean

help:
	@echo "make demo    start the local stack, replay the shared listings, screen them"
	@echo "make test    start the local stack and run the whole test suite"
	@echo "make chaos   200,000 listings, three workers, kills and outages, a count"
	@echo "make stop    stop Kafka and Elasticsearch"
	@echo "make lint / typecheck / bench"

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev,bench]'
	touch $@

install: $(VENV)/.installed

stack: install
	$(STACK) start
	$(LW) setup

stop:
	$(STACK) stop

demo: stack
	$(PY) deploy/local/demo.py

chaos: stack
	$(PY) deploy/local/chaos.py

test: stack
	$(VENV)/bin/pytest

test-unit: install
	$(VENV)/bin/pytest tests/unit tests/cases

lint: install
	$(VENV)/bin/ruff check streams tests bench deploy
	$(VENV)/bin/ruff format --check streams tests bench deploy

typecheck: install
	$(VENV)/bin/mypy

bench: install
	$(PY) bench/screening_bench.py

bench-pipeline: stack
	$(PY) bench/pipeline_bench.py

clean:
	$(STACK) clean
