# The two commands of the README's quick start:
#   make demo   set up, then run the main job on the real data
#   make test   set up, then run the tests (real-data tests included)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= out/demo

.PHONY: demo test lint setup clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

demo: setup
	$(BIN)/stpgeo inspect wards/wards_dec2013_england.geojson
	$(BIN)/stpgeo build --blocks lsoa/lsoa_2011_england.geojson \
	    --lookup lookups/143_LSOA11_CCG17_STP17_LAD17_EN_LU.csv --by STP17CD \
	    --population population/lsoa11_population_mid2017.csv --out $(OUT)/stp17.gpkg

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check stpgeo tests
	$(BIN)/mypy stpgeo

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
