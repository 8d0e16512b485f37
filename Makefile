# Familiehub. The two commands that matter: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.installed-runtime
STAMP := $(VENV)/.installed

export HUB_TEST_POSTGRES_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test
export HUB_TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: help venv run test test-random test-parallel test-loaded lint fmt schema readme openapi bench bench-smoke clean

help:
	@echo "make run     - set up, migrate, seed the demo world and start the hub with five mock departments"
	@echo "make test    - set up and run the whole test suite (test-random: shuffled; test-parallel: N=2 workers)"
	@echo "make test-loaded - make test three times (RUNS=N) while stress-ng keeps every core busy"
	@echo "make lint    - ruff check, ruff format --check, mypy --strict"
	@echo "make schema  - regenerate schema/schema.graphql from the code"
	@echo "make readme  - regenerate the README's configuration table from hub/settings.py"
	@echo "make bench   - run the benchmark (bench/README.md); make bench-smoke for a few-second check"

# `make run` needs the runtime only; the development tools (pytest, mypy, ruff, Playwright) come with the targets
# that use them. A development install satisfies `make run` too.
$(RUNTIME): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $(RUNTIME)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP) $(RUNTIME)

venv: $(STAMP)

run: $(RUNTIME)
	$(BIN)/hub up

test: $(STAMP)
	$(BIN)/pytest

# The suite in a shuffled order (pytest-randomly); reproduce a failure with `make test-random SEED=<the seed it
# printed>`. Off in `make test` so that a failure there is always the same one.
test-random: $(STAMP)
	$(BIN)/pytest -p randomly $(if $(SEED),--randomly-seed=$(SEED))

# The suite on N pytest-xdist workers (default 2): each its own PostgreSQL database and Redis DB number.
test-parallel: $(STAMP)
	$(BIN)/pytest -n $(or $(N),2)

# `make test` RUNS times (default 3) while stress-ng keeps every core busy: the suite must not race the clock.
test-loaded: $(STAMP)
	RUNS=$(or $(RUNS),3) tests/loaded/run.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fmt: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

schema: $(STAMP)
	$(BIN)/python -m schema > schema/schema.graphql.tmp && mv schema/schema.graphql.tmp schema/schema.graphql

readme: $(STAMP)
	$(BIN)/python -m hub.settings_doc --write README.md

bench: $(STAMP)
	$(BIN)/python -m bench

bench-smoke: $(STAMP)
	$(BIN)/python -m bench --smoke

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
