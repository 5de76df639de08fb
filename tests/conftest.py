"""Shared fixtures: the real data directory and the layers read from it once per session."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest

import stpgeo
from stpgeo.errors import StpgeoError


def _real_data() -> Path | None:
    try:
        folder = stpgeo.data_dir()
    except StpgeoError:
        return None
    return folder if (folder / "lsoa").is_dir() else None


REAL_DATA = _real_data()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip real-data tests (and the notebooks, which read England's data) when there is
    no data, unless CI demands it (then fail)."""
    if REAL_DATA is not None:
        return
    if os.environ.get("STPGEO_REQUIRE_DATA"):
        raise pytest.UsageError("STPGEO_REQUIRE_DATA is set but no boundary data was found "
                                "(expected ../shared/boundaries beside the project)")
    skip = pytest.mark.skip(reason="real boundary data not found (../shared/boundaries; "
                            "`stpgeo fetch` downloads it)")
    for item in items:
        if "realdata" in item.keywords or item.path.suffix == ".ipynb":
            item.add_marker(skip)


@pytest.fixture(scope="session")
def data() -> Path:
    assert REAL_DATA is not None
    return REAL_DATA


@pytest.fixture(scope="session")
def catalogue() -> stpgeo.io.catalogue.Catalogue:
    return stpgeo.load_catalogue()


@pytest.fixture(scope="session")
def lsoa(data: Path) -> stpgeo.Layer:
    return stpgeo.read_layer(data / "lsoa/lsoa_2011_england.geojson")


@pytest.fixture(scope="session")
def lookup_143(data: Path) -> Path:
    return data / "lookups/143_LSOA11_CCG17_STP17_LAD17_EN_LU.csv"


@pytest.fixture(scope="session")
def population_file(data: Path) -> Path:
    return data / "population/lsoa11_population_mid2017.csv"


@pytest.fixture(scope="session")
def clean_lsoa(lsoa: stpgeo.Layer) -> stpgeo.Layer:
    from stpgeo.engine.footprints import clean_coverage

    return clean_coverage(lsoa)


@pytest.fixture(scope="session")
def stp17(clean_lsoa: stpgeo.Layer, lookup_143: Path, population_file: Path) -> stpgeo.Layer:
    from stpgeo.engine.footprints import build_footprints

    return build_footprints(clean_lsoa, lookup_143, by="STP17CD", population=population_file)


@pytest.fixture(scope="session")
def ccg17(clean_lsoa: stpgeo.Layer, lookup_143: Path, population_file: Path) -> stpgeo.Layer:
    from stpgeo.engine.footprints import build_footprints

    return build_footprints(clean_lsoa, lookup_143, by="CCG17CD", population=population_file)


@pytest.fixture(scope="session")
def lookup_114(data: Path) -> Path:
    return data / "lookups/114_LSOA11_WD16_LAD16_EW_LU.csv"


@pytest.fixture(scope="session")
def population(population_file: Path):  # type: ignore[no-untyped-def]
    from stpgeo.io.population import read_population

    return read_population(population_file)


@pytest.fixture(scope="session")
def wards_2013(data: Path) -> stpgeo.Layer:
    return stpgeo.read_layer(data / "wards/wards_dec2013_england.geojson")


@pytest.fixture(scope="session")
def england(wards_2013, stp17, ccg17, clean_lsoa, lookup_143, lookup_114, population):  # type: ignore[no-untyped-def]
    """All England's wards against STP17 and CCG17, with the ONS block lookups."""
    from stpgeo.analysis.pipeline import analyse_many

    return analyse_many(wards_2013, {"stp17": stp17, "ccg17": ccg17}, councils=lookup_143,
                        blocks=clean_lsoa, population=population, block_wards=lookup_114,
                        block_footprints=lookup_143)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """``stpgeo demo`` run once per session: its output folder and what it printed."""
    from stpgeo.cli import main

    out = tmp_path_factory.mktemp("demo") / "demo"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(["demo", "--out", str(out), "-q"])
    assert code == 0
    return out, printed.getvalue()
