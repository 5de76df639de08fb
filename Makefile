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
	$(BIN)/stpgeo demo --out $(OUT)

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check stpgeo tests
	$(BIN)/mypy stpgeo

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
