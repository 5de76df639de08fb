"""Shared fixtures: the real data directory and the layers read from it once per session."""

from __future__ import annotations

import contextlib
import io
import os
from collections import Counter
from dataclasses import dataclass
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


#: Session fixtures that read or analyse the national files: the tests using them share one
#: worker when the tests run in parallel (pytest -n, --dist loadgroup), so that each is
#: computed once per run, not once per worker.
NATIONAL_FIXTURES = frozenset({"lsoa", "clean_lsoa", "stp17", "ccg17", "wards_2013", "england",
                               "demo", "national_timeline", "england_atlas"})


def _group(item: pytest.Item) -> str | None:
    """The xdist group of a test: "national" (shared national fixtures), "benchmarks"."""
    if NATIONAL_FIXTURES & set(getattr(item, "fixturenames", ())):
        return "national"
    if item.nodeid.startswith("tests/test_benchmarks_smoke.py"):
        return "benchmarks"
    return None


def pytest_configure(config: pytest.Config) -> None:
    """Point stpgeo's cache at a folder of this session's own: the tests neither depend on
    nor fill the user's cache (child processes inherit the variable)."""
    import shutil
    import tempfile

    from stpgeo.io.cache import ENV_VAR

    folder = tempfile.mkdtemp(prefix="stpgeo-test-cache-")
    os.environ[ENV_VAR] = folder
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Group tests for parallel runs; skip real-data tests (and the notebooks, which read
    England's data) when there is no data, unless CI demands it (then fail)."""
    for item in items:
        group = _group(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
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


#: The proposals of the national timeline: the Frimley and Surrey Heartlands ICBs merged,
#: on the map of July 2022 and on the map of April 2024 (where Surrey Heartlands has a new
#: code, E54000063: the latest map holding both codes is chosen by default); and the
#: reconstructed April 2026 lookup given as a proposal changing the map of April 2024.
FRIMLEY, SURREY, SURREY_24, MERGED = "E54000034", "E54000052", "E54000063", "P01"


@pytest.fixture(scope="session")
def proposals(tmp_path_factory: pytest.TempPathFactory, data: Path) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("proposals")
    merger = folder / "surrey_frimley.csv"
    merger_24 = folder / "surrey_frimley_24.csv"
    for path, surrey in ((merger, SURREY), (merger_24, SURREY_24)):
        path.write_text(f"code,proposed_code,proposed_name\n{FRIMLEY},{MERGED},Surrey and "
                        f"Frimley\n{surrey},{MERGED},Surrey and Frimley\n", encoding="utf-8")
    return {
        "surrey_frimley": stpgeo.read_proposal(merger, base="ICB22"),
        "surrey_frimley_24": stpgeo.read_proposal(merger_24),
        "icb26_on_icb24": stpgeo.read_proposal(
            data / "proposals/LSOA21_SICBL26_ICB26_EN_reconstructed.csv",
            name="icb26_on_icb24", base="ICB24"),
    }


@pytest.fixture(scope="session")
def national_timeline(wards_2013, clean_lsoa, population, lookup_114, proposals):  # type: ignore[no-untyped-def]
    """England through every default vintage (2015 to 2026), following every council (as
    the atlas does), with the session's inputs of the 2011 LSOAs and the catalogue's of the
    2021 LSOAs, and the proposals above."""
    return stpgeo.timeline(england=True, every_council=True,
                           proposals=list(proposals.values()), wards=wards_2013,
                           blocks=clean_lsoa, population=population, block_wards=lookup_114)


@pytest.fixture(scope="session")
def england_atlas(national_timeline, tmp_path_factory: pytest.TempPathFactory) -> Path:  # type: ignore[no-untyped-def]
    """The atlas of England, from the national timeline."""
    from stpgeo.outputs.atlas.site import write_atlas

    return write_atlas(national_timeline, tmp_path_factory.mktemp("atlas") / "england")


@dataclass(frozen=True)
class DemoRun:
    """``stpgeo demo`` as the session ran it: its folder, what it printed, what it read."""

    folder: Path
    printed: str
    reads: Counter[str]  # resolved path → times a reader opened it


def _counting(patch: pytest.MonkeyPatch, reads: Counter[str], module: object,
              name: str) -> None:
    """Count the files ``module.name`` (a reader such as pandas.read_csv) is called on."""
    real = getattr(module, name)

    def reader(source: object, *args: object, **kwargs: object) -> object:
        if isinstance(source, str | os.PathLike):
            reads[str(Path(source).resolve())] += 1
        return real(source, *args, **kwargs)

    patch.setattr(module, name, reader)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """``stpgeo demo`` run once per session, counting the files it reads."""
    import geopandas
    import pandas
    import pyogrio

    from stpgeo.cli import main

    out = tmp_path_factory.mktemp("demo") / "demo"
    printed = io.StringIO()
    reads: Counter[str] = Counter()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(printed):
        # a first run: a cache of its own, empty (other tests fill the session's)
        patch.setenv("STPGEO_CACHE_DIR", str(tmp_path_factory.mktemp("demo-cache")))
        for module, name in ((pyogrio, "read_dataframe"), (pandas, "read_csv"),
                             (geopandas, "read_parquet"), (geopandas, "read_file")):
            _counting(patch, reads, module, name)
        code = main(["demo", "--out", str(out), "-q"])
    assert code == 0
    return DemoRun(out, printed.getvalue(), reads)
