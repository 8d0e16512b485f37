# Familiehub. The two commands that matter: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export HUB_TEST_POSTGRES_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test
export HUB_TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: help venv run test lint fmt schema openapi bench bench-smoke clean

help:
	@echo "make run     - set up, migrate, seed the demo world and start the hub with five mock departments"
	@echo "make test    - set up and run the whole test suite"
	@echo "make lint    - ruff check, ruff format --check, mypy --strict"
	@echo "make schema  - regenerate schema/schema.graphql from the code"
	@echo "make bench   - run the benchmark (bench/README.md); make bench-smoke for a few-second check"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/hub up

test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fmt: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

schema: $(STAMP)
	$(BIN)/python -m schema > schema/schema.graphql

bench: $(STAMP)
	$(BIN)/python -m bench

bench-smoke: $(STAMP)
	$(BIN)/python -m bench --smoke

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
