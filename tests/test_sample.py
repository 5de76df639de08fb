"""The bundled sample: a fresh clone runs the demo on it, and its script rebuilds it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

import stpgeo
from stpgeo.cli import main
from stpgeo.io.catalogue import MANIFEST, SAMPLE_DIR
from stpgeo.sample import DISTRICTS, build_sample

from .test_real_analysis import ons_expectation

PROJECT = Path(__file__).resolve().parents[1]
BIRMINGHAM = "E08000025"


_NOT_CLONED = {".git", ".venv", "out", "__pycache__", ".pytest_cache", ".mypy_cache",
               ".ruff_cache", ".hypothesis"}


def _fresh_clone(into: Path) -> Path:
    """The files a clone of this commit holds (tracked and new, not ignored), copied."""
    listing = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"],
                             cwd=PROJECT, capture_output=True)
    if listing.returncode == 0:
        listed = listing.stdout.decode().split("\0")
    else:  # not a git checkout (an unpacked archive): the tree, less what is never cloned
        listed = [p.relative_to(PROJECT).as_posix() for p in PROJECT.rglob("*")
                  if not _NOT_CLONED & set(p.relative_to(PROJECT).parts)]
    clone = into / "stpgeo"
    for name in filter(None, listed):
        source = PROJECT / name
        if source.is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name)
    return clone


@pytest.mark.slow
def test_quick_start_demo_runs_on_the_sample_in_a_fresh_clone(tmp_path: Path) -> None:
    """`make demo` in a clone with no data beside it writes Birmingham's report, and its
    findings agree with ONS's lookups (7 wards; 175,800 residents outside)."""
    clone = _fresh_clone(tmp_path)
    assert not (tmp_path / "shared").exists()
    env = {k: v for k, v in os.environ.items()
           if k not in {"STPGEO_DATA", "STPGEO_REQUIRE_DATA"}}
    env["PYTHONPATH"] = str(clone)  # the clone's stpgeo, with this environment's libraries
    venv = Path(sys.prefix)
    # the README's first command (-s: no echo; -o: the environment is set up already)
    done = subprocess.run(["make", "-s", "-o", f"{venv}/.installed", "demo", f"VENV={venv}"],
                          cwd=clone, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("Using the bundled sample: Birmingham, Solihull and the "
                                  "Black Country")
    assert f"({clone / 'stpgeo' / 'sample_data'})" in done.stdout  # the clone's own sample
    assert "stpgeo fetch" in done.stdout.splitlines()[1]
    out = clone / "out" / "demo"
    assert (out / "report.html").stat().st_size > 100_000
    assert (out / "map.html").is_file()

    # the expectation, from the clone's copy of ONS's lookups (not from a stpgeo run)
    sample = clone / "stpgeo" / "sample_data"
    catalogue = stpgeo.load_catalogue()
    lookup_114, lookup_143, population = (sample / catalogue.lookups["114"]["file"],
                                          sample / catalogue.lookups["143"]["file"],
                                          sample / catalogue.population["lsoa11_mid2017"]["file"])
    _, verdicts = ons_expectation(lookup_114, lookup_143, population, "STP17CD")
    flagged = set(verdicts[verdicts != "within"].index)
    assert len(flagged) == 7
    people = pd.read_csv(population).set_index("lsoa11_code")["total_population"]
    nhs = pd.read_csv(lookup_143)
    birmingham = nhs[nhs["LAD17CD"] == BIRMINGHAM]
    outside = int(people.reindex(birmingham.loc[birmingham["STP17CD"] != "E54000017",
                                                "LSOA11CD"]).sum())
    assert outside == 175_800

    verdict = pd.read_csv(out / "stp17" / "ward_verdicts.csv")
    found = verdict[(verdict["council_code"] == BIRMINGHAM) & (verdict["verdict"] != "within")]
    assert set(found["ward_code"]) == flagged
    councils = pd.read_csv(out / "stp17" / "councils.csv").set_index("council_code")
    assert councils.loc[BIRMINGHAM, "population_outside_home"] == outside
    assert f"{outside:,} of Birmingham's residents live" in done.stdout
    assert "7 of Birmingham's 40 wards" in done.stdout
    summary = json.loads((out / "stp17" / "summary.json").read_text())
    assert summary["inputs"]["wards"]["features"] == 145


def test_sample_is_a_data_directory_every_command_can_use(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert stpgeo.data_dir("sample") == SAMPLE_DIR
    catalogue = stpgeo.load_catalogue()
    lsoa = catalogue.path("layers", "lsoa_2011", "sample")
    assert lsoa.suffix == ".parquet"
    assert catalogue.path("lookups", "143", "sample") == (
        SAMPLE_DIR / "lookups/143_LSOA11_CCG17_STP17_LAD17_EN_LU.csv")
    # a path the catalogue gives for the full data names the sample's own file
    code = main(["inspect", "wards/wards_dec2013_england.geojson", "--data", "sample", "-q"])
    out = capsys.readouterr().out
    assert code == 0
    assert "WD13CD" in out
    assert "features     145" in out
    # a product the sample does not hold: one message saying where to get it
    code = main(["inspect", "--data", "sample", "-q", "ccg/ccg_apr2017_openprescribing.geojson"])
    assert code == 2


def test_sample_layers_are_compact_metre_grid_geoparquet() -> None:
    total = sum(p.stat().st_size for p in SAMPLE_DIR.rglob("*") if p.is_file())
    assert total < 4e6
    lsoa = gpd.read_parquet(SAMPLE_DIR / "lsoa/lsoa_2011_birmingham_black_country.parquet")
    assert lsoa.crs.to_epsg() == 27700
    assert len(lsoa) == 1_485
    coordinates = lsoa.get_coordinates()
    assert (coordinates == coordinates.round()).all().all()
    assert lsoa.is_valid.all()
    lookup = pd.read_csv(SAMPLE_DIR / "lookups/143_LSOA11_CCG17_STP17_LAD17_EN_LU.csv")
    assert set(lookup["LAD17CD"]) == set(DISTRICTS)
    assert set(lookup["LSOA11CD"]) == set(lsoa["LSOA11CD"])
    assert "Open Government Licence" in (SAMPLE_DIR / "README.md").read_text()


@pytest.mark.realdata
@pytest.mark.slow
def test_sample_script_rebuilds_the_committed_sample(data: Path, tmp_path: Path) -> None:
    rebuilt = build_sample(data, tmp_path / "sample")
    committed = {p.relative_to(SAMPLE_DIR) for p in SAMPLE_DIR.rglob("*")
                 if p.is_file() and p.name != "README.md"}
    made = {p.relative_to(rebuilt) for p in rebuilt.rglob("*") if p.is_file()}
    assert made == committed
    for name in sorted(committed):
        if name.suffix == ".parquet":  # value for value: Parquet metadata names library versions
            old, new = gpd.read_parquet(SAMPLE_DIR / name), gpd.read_parquet(rebuilt / name)
            pd.testing.assert_frame_equal(pd.DataFrame(old.drop(columns="geometry")),
                                          pd.DataFrame(new.drop(columns="geometry")))
            assert old.crs == new.crs
            assert list(old.geometry.to_wkb()) == list(new.geometry.to_wkb()), name
        else:  # tables and the manifest byte for byte
            assert (SAMPLE_DIR / name).read_bytes() == (rebuilt / name).read_bytes(), name
    assert (SAMPLE_DIR / MANIFEST).is_file()
