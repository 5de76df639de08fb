"""Every command that writes (analyse, build, demo) writes atomically.

A failure before or during writing leaves no partial output and the previous
output untouched; a re-run replaces the previous output as a whole. Failures
during writing are simulated by making the writer fail half-way (a full disk).
"""

from __future__ import annotations

import errno
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import stpgeo.analysis.result
import stpgeo.demo
import stpgeo.io.write
from stpgeo.cli import main
from stpgeo.io.catalogue import load_catalogue

from .shapes import X0, Y0, frame, rect, square
from .test_bad_input import LSOAS, WARDS, Inputs, analyse_args, good  # noqa: F401 (fixture)


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main([*args, "--quiet"])
    return code, capsys.readouterr().err


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder (or the file itself), with its bytes."""
    if folder.is_file():
        return {folder.name: folder.read_bytes()}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def _hidden(folder: Path) -> list[str]:
    """Temporary files or folders left behind (their names start with a dot)."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def _failing_after(calls: int, real: Callable[..., Any]) -> Callable[..., Any]:
    """A writer that works ``calls`` times, then fails as a full disk does."""
    count = {"n": 0}

    def writer(*args: Any, **kwargs: Any) -> Any:
        count["n"] += 1
        if count["n"] > calls:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args, **kwargs)

    return writer


def test_analyse_failing_mid_write_leaves_nothing(good: Inputs,  # noqa: F811
                                                  capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    out = good.folder.parent / "out"
    # the CSVs and summary.json are written, then layers.gpkg fails (the polygons of
    # the input files are kept by reference: it holds the wards' council methods)
    monkeypatch.setattr(stpgeo.analysis.result.pyogrio, "write_dataframe",
                        _failing_after(0, stpgeo.analysis.result.pyogrio.write_dataframe))
    code, err = _run(capsys, *analyse_args(good), "--out", str(out))
    assert code == 2
    assert f"{out}: the results could not be written (No space left on device)" in err
    assert "nothing was changed" in err
    assert not out.exists()
    assert _hidden(out.parent) == []


def test_analyse_rerun_replaces_and_failure_keeps_the_old_results(
        good: Inputs, capsys: pytest.CaptureFixture[str],  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    out = good.folder.parent / "out"
    code, err = _run(capsys, *analyse_args(good), "--out", str(out))
    assert code == 0, err
    assert (out / "blocks.csv").is_file()
    (out / "my_notes.txt").write_text("written by hand into the output folder")

    # a re-run without blocks replaces the folder as a whole: no stale blocks.csv
    code, err = _run(capsys, *analyse_args(good, blocks="", population="", block_wards=""),
                     "--out", str(out))
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == [
        "councils.csv", "footprints.csv", "layers.gpkg", "summary.json", "ward_footprints.csv",
        "ward_verdicts.csv"]
    assert json.loads((out / "summary.json").read_text())["inputs"]["blocks"] is None
    before = _snapshot(out)

    # bad input: refused before any work, the old results stay as they were
    code, _ = _run(capsys, *analyse_args(good, wards=good.blocks), "--out", str(out))
    assert code == 2
    assert _snapshot(out) == before

    # a failure while writing: the old results stay as they were (--rerun: the first
    # run's outputs would otherwise be copied from the cache)
    monkeypatch.setattr(stpgeo.analysis.result.pyogrio, "write_dataframe",
                        _failing_after(0, stpgeo.analysis.result.pyogrio.write_dataframe))
    code, err = _run(capsys, *analyse_args(good), "--out", str(out), "--rerun")
    assert code == 2
    assert _snapshot(out) == before
    assert _hidden(out.parent) == []


def test_interrupted_write_leaves_nothing(good: Inputs,  # noqa: F811
                                          capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    out = good.folder.parent / "out"

    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(stpgeo.analysis.result.pyogrio, "write_dataframe", interrupted)
    code, _ = _run(capsys, *analyse_args(good), "--out", str(out))
    assert code == 130
    assert not out.exists()
    assert _hidden(out.parent) == []


def _lookup(tmp_path: Path) -> Path:
    path = tmp_path / "lsoa_stp.csv"
    pd.DataFrame({"LSOA11CD": LSOAS, "STP17CD": ["E54000017"] * 3 + ["E54000016"]}).to_csv(
        path, index=False)
    return path


@pytest.mark.parametrize("suffix", [".gpkg", ".shp"])
@pytest.mark.filterwarnings("ignore:Column names longer than 10 characters")  # shapefiles
@pytest.mark.filterwarnings("ignore:Normalized/laundered field name")
def test_build_failing_mid_write_keeps_the_old_file(
        good: Inputs, capsys: pytest.CaptureFixture[str],  # noqa: F811
        monkeypatch: pytest.MonkeyPatch, suffix: str) -> None:
    out = good.folder.parent / f"stps{suffix}"
    args = ["build", "--blocks", str(good.blocks), "--lookup", str(_lookup(good.folder)),
            "--by", "STP17CD", "--out", str(out)]
    code, err = _run(capsys, *args)
    assert code == 0, err
    before = _snapshot(out.parent / "stps.gpkg") if suffix == ".gpkg" else {
        p.name: p.read_bytes() for p in out.parent.glob("stps.*")}

    def half_written(frame: Any, path: Path, **kwargs: Any) -> None:
        path.write_bytes(b"half a file")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(stpgeo.io.write, "write_frame", half_written)
    code, err = _run(capsys, *args, "--rerun")  # (else copied from the first run)
    assert code == 2
    assert "No space left on device" in err
    after = _snapshot(out.parent / "stps.gpkg") if suffix == ".gpkg" else {
        p.name: p.read_bytes() for p in out.parent.glob("stps.*")}
    assert after == before
    assert _hidden(out.parent) == []
    assert not list(out.parent.glob("*.parts"))


def _fake_data(folder: Path) -> Path:
    """A tiny data directory with the files the demo reads, under their catalogue names."""
    catalogue = load_catalogue()

    def place(section: str, key: str) -> Path:
        path = folder / getattr(catalogue, section)[key]["file"]
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    halves = [rect(x, 0, x + 500, 1_000) for x in (0, 500, 1_000, 1_500)]
    frame(LSOAS, halves, names=[f"Birmingham 00{i}A" for i in range(1, 5)]).rename(
        columns={"code": "LSOA11CD", "name": "LSOA11NM"}).to_file(place("layers", "lsoa_2011"))
    frame(WARDS, [square(0, 0), square(1_000, 0)], names=["Aston", "Soho"]).rename(
        columns={"code": "WD13CD", "name": "WD13NM"}).to_file(place("layers", "wards_dec2013"))
    pd.DataFrame({"LSOA11CD": LSOAS, "CCG17CD": ["E38000220"] * 3 + ["E38000144"],
                  "CCG17CDH": ["13P"] * 3 + ["05L"],
                  "CCG17NM": ["NHS Birmingham CrossCity CCG"] * 3
                  + ["NHS Sandwell and West Birmingham CCG"],
                  "STP17CD": ["E54000017"] * 3 + ["E54000016"],
                  "STP17NM": ["Birmingham and Solihull"] * 3 + ["The Black Country"],
                  "LAD17CD": ["E08000025"] * 4, "LAD17NM": ["Birmingham"] * 4}).to_csv(
        place("lookups", "143"), index=False)
    pd.DataFrame({"LSOA11CD": LSOAS, "WD16CD": [WARDS[0]] * 2 + [WARDS[1]] * 2,
                  "LAD16CD": ["E08000025"] * 4}).to_csv(place("lookups", "114"), index=False)
    pd.DataFrame({"lsoa11_code": LSOAS, "total_population": [1_000, 1_200, 1_400, 1_600]}
                 ).to_csv(place("population", "lsoa11_mid2017"), index=False)
    pd.DataFrame({"lsoa_code": LSOAS, "IMD_decile": [1, 2, 1, 5], "Health_decile": [3, 1, 1, 2]}
                 ).to_csv(place("deprivation", "imd2019"), index=False)
    where = gpd.GeoSeries([shapely.Point(X0 + 250, Y0 + 500), shapely.Point(X0 + 1_750, Y0 + 500)],
                          crs=27700).to_crs(4326)
    pd.DataFrame({"OrganisationCode": ["M85001", "M85002"], "Name": ["ASTON", "SOHO"],
                  "StatusCode": ["A", "A"], "Provider": ["13P", "05L"],
                  "PrescribingSetting": ["4", "4"], "lat": where.y, "long": where.x}).to_csv(
        place("practices", "gp_practices_2017_bbc"), index=False)
    return folder


def test_demo_writes_atomically_and_replaces_cleanly(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    data = _fake_data(tmp_path / "data")
    out = tmp_path / "demo"
    code, err = _run(capsys, "demo", "--data", str(data), "--out", str(out))
    assert code == 0, err
    assert {p.name for p in out.iterdir()} == {"stp17", "ccg17", "stp17_footprints.gpkg",
                                              "ccg17_footprints.gpkg", "map.html",
                                              "report.html", "map.png", "export",
                                              "summary.md", "timeline", "atlas"}
    summary = json.loads((out / "stp17" / "summary.json").read_text())
    assert summary["conservation"]["holds"]
    before = _snapshot(out)

    # the ccg17 footprints fail to write after stp17 was complete: nothing changes
    monkeypatch.setattr(stpgeo.demo, "write_frame",
                        _failing_after(1, stpgeo.demo.write_frame))
    code, err = _run(capsys, "demo", "--data", str(data), "--out", str(out))
    assert code == 2
    assert "No space left on device" in err
    assert _snapshot(out) == before
    assert _hidden(tmp_path) == []
    monkeypatch.undo()

    # a bad data directory: refused, nothing changes
    (data / load_catalogue().lookups["114"]["file"]).unlink()
    code, err = _run(capsys, "demo", "--data", str(data), "--out", str(out))
    assert code == 2
    assert "114" in err
    assert _snapshot(out) == before
