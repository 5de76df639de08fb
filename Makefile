# The two commands of the README's quick start:
#   make demo   set up, then run the main job on the real data
#   make test   set up, then run the tests (real-data tests included)
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
	$(BIN)/stpgeo inspect wards/wards_dec2013_england.geojson
	$(BIN)/stpgeo build --blocks lsoa/lsoa_2011_england.geojson \
	    --lookup lookups/143_LSOA11_CCG17_STP17_LAD17_EN_LU.csv --by STP17CD \
	    --population population/lsoa11_population_mid2017.csv --out $(OUT)/stp17.gpkg

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

lint: setup
	$(BIN)/ruff check stpgeo tests benchmarks
	$(BIN)/mypy stpgeo benchmarks

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
