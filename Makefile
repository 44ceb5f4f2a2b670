# govbot: `make run` sets everything up on first use and serves; `make test` runs the whole test suite.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TF_CPP_MIN_LOG_LEVEL := 3

.PHONY: run cluster test bench lint setup clean-index

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || "$$(bash scripts/find-python310.sh)" -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools wheel
	$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)
	$(BIN)/govbot setup

run: setup
	$(BIN)/govbot run

cluster: setup
	@bash scripts/install-system-deps.sh
	$(BIN)/govbot cluster

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup
	@bash scripts/install-system-deps.sh
	$(BIN)/ruff check .
	$(BIN)/pytest -q

bench: setup
	@bash scripts/install-system-deps.sh
	$(BIN)/python -m benchmarks

clean-index:
	rm -rf var/index
