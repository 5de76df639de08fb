# The two commands of the README's quick start:
#   make demo   set up, then run the main job on the real data
#   make test   set up, then lint (ruff, mypy, import-linter) and run the tests
#               (real-data tests included)
#   make bench  set up, then time stpgeo against geopandas and tobler on all England
#               (about 10 minutes; writes benchmarks/results.md)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= out/demo

.PHONY: demo test bench lint setup clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	touch $@

demo: setup
	$(BIN)/stpgeo demo --out $(OUT)

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

lint: setup
	$(BIN)/ruff check stpgeo tests benchmarks
	$(BIN)/mypy stpgeo benchmarks
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
