"""The command line: output, exit codes, and no tracebacks for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from stpgeo.cli import main

from .conftest import DemoRun
from .shapes import frame, square


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def wards_file(tmp_path: Path) -> Path:
    path = tmp_path / "wards.geojson"
    frame(["E05011111", "E05011112"], [square(0, 0), square(1_000, 0)],
          names=["Aston", "Soho"]).rename(
        columns={"code": "WD18CD", "name": "WD18NM"}).to_file(path)
    return path


def test_inspect_prints_a_readable_block(capsys: pytest.CaptureFixture[str],
                                         wards_file: Path) -> None:
    code, out, err = _run(capsys, "inspect", str(wards_file), "--quiet")
    assert code == 0
    lines = dict(line.split(None, 1) if " " in line else (line, "") for line in out.splitlines()
                 if not line.startswith(" "))
    assert "electoral ward" in out
    assert "vintage      2018" in out
    assert "code field   WD18CD" in out
    assert "name field   WD18NM" in out
    assert "features     2 (2 with polygons)" in out
    assert "repairs      none needed" in out
    assert lines["CRS"].startswith("EPSG:27700")
    assert err == ""


def test_bad_input_exits_2_without_traceback(capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path) -> None:
    code, out, err = _run(capsys, "inspect", str(tmp_path / "missing.geojson"))
    assert code == 2
    assert out == ""
    assert "stpgeo: error:" in err
    assert "does not exist" in err
    assert "how to fix" in err
    assert "Traceback" not in err


def test_debug_shows_the_traceback(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _run(capsys, "inspect", str(tmp_path / "missing.geojson"), "--debug")
    assert code == 2
    assert "Traceback" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "build", "--by", "STP17CD")
    assert code == 2
    assert "Missing option" in err


def test_build_writes_the_footprints(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    blocks = tmp_path / "blocks.geojson"
    frame(["E01000001", "E01000002", "E01000003"],
          [square(0, 0), square(1_000, 0), square(2_000, 0)]).rename(
        columns={"code": "LSOA11CD", "name": "LSOA11NM"}).to_file(blocks)
    lookup = tmp_path / "lookup.csv"
    pd.DataFrame({"LSOA11CD": ["E01000001", "E01000002", "E01000003"],
                  "CCG17CD": ["E38000144", "E38000144", "E38000220"],
                  "CCG17NM": ["NHS Sandwell and West Birmingham CCG"] * 2
                  + ["NHS Birmingham CrossCity CCG"]}).to_csv(lookup, index=False)
    population = tmp_path / "population.csv"
    pd.DataFrame({"lsoa11_code": ["E01000001", "E01000002", "E01000003"],
                  "total_population": [1_500, 1_600, 1_700]}).to_csv(population, index=False)
    out = tmp_path / "ccgs.gpkg"
    code, stdout, _ = _run(capsys, "build", "--blocks", str(blocks), "--lookup", str(lookup),
                           "--by", "CCG17CD", "--population", str(population), "--out", str(out),
                           "-q")
    assert code == 0
    assert "built 2 footprints (CCG17CD) from 3 blocks" in stdout
    written = gpd.read_file(out).set_index("CCG17CD")  # the ONS field names, for QGIS
    assert written["CCG17NM"]["E38000220"] == "NHS Birmingham CrossCity CCG"
    assert written.crs.to_epsg() == 27700
    assert written["population"].to_dict() == {"E38000144": 3_100, "E38000220": 1_700}
    assert written.area.round().to_dict() == {"E38000144": 2e6, "E38000220": 1e6}
    assert not list(tmp_path.glob(".ccgs*"))  # no temporary files left behind


def test_analyse_writes_the_five_files_with_their_exact_columns(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    wards = tmp_path / "wards.geojson"
    frame(["E05000001", "E05000002"], [square(0, 0), square(1_500, 0)],
          names=["Aston", "Soho"]).to_file(wards)
    footprints = tmp_path / "stps.geojson"
    frame(["E54000017", "E54000016"], [square(0, 0, 2_000), square(2_000, 0, 2_000)],
          names=["Birmingham and Solihull", "The Black Country"]).rename(
        columns={"code": "stp17cd", "name": "stp17nm"}).to_file(footprints)
    councils = tmp_path / "councils.csv"
    pd.DataFrame({"WD16CD": ["E05000001", "E05000002"], "LAD16CD": ["E08000025"] * 2,
                  "LAD16NM": ["Birmingham"] * 2}).to_csv(councils, index=False)
    out = tmp_path / "out"
    code, stdout, _ = _run(capsys, "analyse", "--wards", str(wards), "--footprints",
                           str(footprints), "--councils", str(councils), "--out", str(out), "-q")
    assert code == 0
    assert "Of 2 wards, 1 lie within" in stdout
    columns = {name: pd.read_csv(out / name, nrows=0).columns.tolist() for name in
               ("ward_footprints.csv", "ward_verdicts.csv", "councils.csv", "footprints.csv")}
    assert columns == {
        "ward_footprints.csv": ["ward_code", "ward_name", "footprint_code", "footprint_name",
                                "area_m2", "area_share", "population", "population_share",
                                "kind", "confidence"],
        "ward_verdicts.csv": ["ward_code", "ward_name", "council_code", "council_name",
                              "home_footprint_codes", "best_footprint_code",
                              "best_footprint_name", "best_area_share",
                              "best_population_share", "verdict"],
        "councils.csv": ["council_code", "council_name", "home_footprint_codes", "n_wards",
                         "n_wards_outside_home", "n_wards_split", "population_outside_home",
                         "footprint_codes"],
        "footprints.csv": ["footprint_code", "footprint_name", "councils_whole",
                           "councils_partial", "population"]}
    verdicts = pd.read_csv(out / "ward_verdicts.csv").set_index("ward_name")["verdict"]
    assert verdicts.to_dict() == {"Aston": "within", "Soho": "split"}
    pieces = pd.read_csv(out / "ward_footprints.csv", keep_default_na=False)
    assert (pieces["population"] == "").all()  # empty without population
    summary = json.loads((out / "summary.json").read_text())
    assert summary["parameters"]["tolerance"] == 0.05
    assert summary["counts"]["verdicts"]["split"] == 1


@pytest.mark.realdata
def test_demo_runs_the_seed_case(demo: DemoRun) -> None:
    out, stdout = demo.folder, demo.printed
    assert "7 of Birmingham's 40 wards" in stdout
    assert "The Black Country rather than Birmingham and Solihull" in stdout
    for name in ("stp17", "ccg17"):
        folder = out / name
        assert {p.name for p in folder.iterdir()} >= {
            "ward_footprints.csv", "ward_verdicts.csv", "councils.csv", "footprints.csv",
            "summary.json", "layers.gpkg", "blocks.csv"}
        assert len(pd.read_csv(folder / "ward_verdicts.csv")) == 7681
    assert (out / "map.html").is_file()  # checked in a browser by test_browser_map.py


@pytest.mark.realdata
def test_the_demo_reads_each_input_file_once(demo: DemoRun, data: Path) -> None:
    inputs = ["lsoa/lsoa_2011_england.geojson", "wards/wards_dec2013_england.geojson",
              "lookups/143_LSOA11_CCG17_STP17_LAD17_EN_LU.csv",
              "lookups/114_LSOA11_WD16_LAD16_EW_LU.csv",
              "population/lsoa11_population_mid2017.csv"]
    for name in inputs:
        assert demo.reads[str((data / name).resolve())] == 1, name
    # nothing else either: ONS code lists (vintages) included, each file at most once
    read_twice = {path: n for path, n in demo.reads.items() if n > 1}
    assert read_twice == {}
