"""``stpgeo fetch --mirror`` against a local stand-in for the publishers (tests/publishers.py).

The stand-in serves the bundled sample laid out as the full data (boundaries as
GeoJSON at the catalogue's paths), with the catalogue's real sources: ONS's ArcGIS
REST layers and tables, data.gov.uk's CKAN API, GOV.UK's files, ONS's population
workbook, per-district ward files.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from stpgeo.cli import main
from stpgeo.errors import StpgeoError
from stpgeo.io import web
from stpgeo.io.catalogue import PARTIAL_DIR, SAMPLE_DIR, Catalogue, load_catalogue, manifest
from stpgeo.io.fetch import DEMO, fetch

from .publishers import Publishers

# England's counts do not hold for the sample: the service's own counts are checked
_COUNTS = ("rows", "features")


def _path(catalogue: Catalogue, key: str) -> str:
    return next(getattr(catalogue, s)[key]["file"] for s in Catalogue.SECTIONS
                if key in getattr(catalogue, s))


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    real = load_catalogue()
    return dataclasses.replace(real, **{
        section: {k: {f: v for f, v in e.items() if f not in _COUNTS}
                  for k, e in getattr(real, section).items()}
        for section in Catalogue.SECTIONS})


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue) -> Path:
    """The sample as its publishers hold it: tables as they are, boundaries as GeoJSON."""
    folder = tmp_path_factory.mktemp("publishers")
    for table in SAMPLE_DIR.rglob("*.csv"):
        (folder / table.relative_to(SAMPLE_DIR)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(table, folder / table.relative_to(SAMPLE_DIR))
    for key, own in manifest(SAMPLE_DIR)["layers"].items():
        layer = gpd.read_parquet(SAMPLE_DIR / own).to_crs(4326)
        (folder / catalogue.layers[key]["file"]).parent.mkdir(parents=True, exist_ok=True)
        pyogrio.write_dataframe(layer, folder / catalogue.layers[key]["file"], driver="GeoJSON")
    return folder


@pytest.fixture(autouse=True)
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The back-off's waits, recorded instead of slept."""
    waited: list[float] = []
    monkeypatch.setattr(web, "_sleep", waited.append)
    return waited


@pytest.fixture
def server(published: Path, catalogue: Catalogue) -> Iterator[Publishers]:
    with Publishers(published, catalogue, max_records=500) as running:
        yield running


def _same_layer(fetched: Path, original: Path, code: str) -> None:
    """Same codes and rows, geometry within a millimetre (1e-8 degrees)."""
    a = pyogrio.read_dataframe(fetched).sort_values(code).reset_index(drop=True)
    b = pyogrio.read_dataframe(original).sort_values(code).reset_index(drop=True)
    assert a[code].tolist() == b[code].tolist()
    assert set(b.columns) <= set(a.columns)
    pd.testing.assert_frame_equal(pd.DataFrame(a[b.columns.drop("geometry")]),
                                  pd.DataFrame(b.drop(columns="geometry")))
    assert shapely.equals_exact(a.geometry.values, b.geometry.values, tolerance=1e-8).all()


def test_fetch_demo_fills_an_empty_folder_that_the_demo_then_uses(
        server: Publishers, catalogue: Catalogue, published: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    report = fetch([], data=data, mirror=server.url, catalogue=catalogue)
    assert [i.product.key for i in report.items] == list(DEMO)
    assert {i.status for i in report.items} == {"fetched"}
    for key in ("143", "114", "lsoa11_mid2017"):  # CKAN's CSV; the workbook converted
        assert (data / _path(catalogue, key)).read_bytes() == \
            (published / _path(catalogue, key)).read_bytes(), key
    _same_layer(data / _path(catalogue, "lsoa_2011"), published / _path(catalogue, "lsoa_2011"),
                "LSOA11CD")
    _same_layer(data / _path(catalogue, "wards_dec2013"),
                published / _path(catalogue, "wards_dec2013"), "WD13CD")
    assert not (data / PARTIAL_DIR).exists()
    # the protocol: metadata, the count, then pages of maxRecordCount ordered by object id
    pages = [q for p, q, _ in server.log if p.endswith("LSOA_Dec_2011_Boundaries_Generalised_"
                                                       "Clipped_BGC_EW_V3/FeatureServer/0/query")]
    assert pages[0]["returnCountOnly"] == "true"
    assert [q["resultOffset"] for q in pages[1:]] == ["0", "500", "1000"]
    assert {(q["orderByFields"], q["outSR"], q["f"], q["where"]) for q in pages[1:]} == {
        ("FID ASC", "4326", "geojson", "LSOA11CD LIKE 'E%'")}
    # and the demo gives the same tables on what was fetched as on the publishers' files
    assert main(["demo", "--data", str(data), "--out", str(tmp_path / "demo"), "-q"]) == 0
    assert main(["demo", "--data", str(published), "--out", str(tmp_path / "ref"), "-q"]) == 0
    for table in ("stp17/ward_verdicts.csv", "stp17/councils.csv", "stp17/footprints.csv",
                  "stp17/ward_footprints.csv", "ccg17/ward_footprints.csv"):
        fetched = pd.read_csv(tmp_path / "demo" / table)
        sample = pd.read_csv(tmp_path / "ref" / table)
        key = list(fetched.columns[:2])
        pd.testing.assert_frame_equal(fetched.sort_values(key).reset_index(drop=True),
                                      sample.sort_values(key).reset_index(drop=True),
                                      check_exact=False, rtol=1e-6)


def test_lookup_tables_and_deprivation_files_come_back_as_stpgeo_reads_them(
        server: Publishers, catalogue: Catalogue, published: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    fetch(["lsoa11_ccg21", "imd2015", "imd2019"], data=data, mirror=server.url,
          catalogue=catalogue)
    table = pd.read_csv(data / _path(catalogue, "lsoa11_ccg21"), dtype=str)
    original = pd.read_csv(published / _path(catalogue, "lsoa11_ccg21"), dtype=str)
    assert list(table.columns) == [*original.columns, "FID"]  # ONS's names, its object id too
    pd.testing.assert_frame_equal(table[original.columns], original)
    for key in ("imd2015", "imd2019"):  # GOV.UK's File 7, columns picked and renamed
        assert (data / _path(catalogue, key)).read_bytes() == \
            (published / _path(catalogue, key)).read_bytes(), key


def test_an_interrupted_paged_download_resumes(server: Publishers, catalogue: Catalogue,
                                               tmp_path: Path, waits: list[float]) -> None:
    data = tmp_path / "data"
    server.fail("resultOffset=1000", "cut", times=5)  # as often as it is tried
    with pytest.raises(StpgeoError, match=r"could not fetch lsoa_2011 .*connection was cut"
                                          r".*\(still after 5 tries\)"):
        fetch(["lsoa_2011"], data=data, mirror=server.url, catalogue=catalogue)
    assert waits == [2.0, 4.0, 8.0, 16.0]  # exponential back-off, bounded
    target = data / _path(catalogue, "lsoa_2011")
    assert not target.exists()  # nothing half-written in the layout
    assert sorted(p.name for p in (data / PARTIAL_DIR / "lsoa_2011" / "1-arcgis").glob(
        "page-*")) == ["page-000000000.json", "page-000000500.json"]
    fetch(["lsoa_2011"], data=data, mirror=server.url, catalogue=catalogue)
    assert pyogrio.read_info(target)["features"] == 1_485
    offsets = [q.get("resultOffset") for _, q, _ in server.requests("resultOffset=")]
    assert offsets == ["0", "500", *["1000"] * 5, "1000"]  # 0 and 500 were not asked again
    assert not (data / PARTIAL_DIR).exists()


def test_an_interrupted_file_download_resumes_with_a_range_request(
        server: Publishers, catalogue: Catalogue, published: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    server.fail("sape20dt1mid2017", "cut", times=5)
    with pytest.raises(StpgeoError, match=r"lsoa11_mid2017 .*cut after [\d,]+ of [\d,]+ bytes"):
        fetch(["lsoa11_mid2017"], data=data, mirror=server.url, catalogue=catalogue)
    partial = data / PARTIAL_DIR / "lsoa11_mid2017" / "1-file" / "download.part"
    have = partial.stat().st_size
    assert have > 0
    asked = len(server.requests("sape20dt1mid2017"))
    fetch(["lsoa11_mid2017"], data=data, mirror=server.url, catalogue=catalogue)
    ranges = [h.get("Range") for _, _, h in server.requests("sape20dt1mid2017")]
    assert asked == 5  # each try went on from what it had
    assert ranges[0] is None
    assert ranges[1:] == sorted(ranges[1:], key=lambda r: int(r[6:-1]))
    assert ranges[-1] == f"bytes={have}-"
    assert (data / _path(catalogue, "lsoa11_mid2017")).read_bytes() == \
        (published / _path(catalogue, "lsoa11_mid2017")).read_bytes()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(("fault", "what"), [
    ("offline", r"no answer \(.*refused"),
    ("404", r"HTTP 404"),
    ("html", r"an answer that is not JSON: '<!DOCTYPE html>"),
])
def test_each_refusal_is_one_message_exit_2_and_nothing_written(
        server: Publishers, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        fault: str, what: str) -> None:
    data = tmp_path / "data"
    mirror = f"http://127.0.0.1:{_closed_port()}" if fault == "offline" else server.url
    if fault != "offline":
        server.fail("LSOA_Dec_2011_Boundaries_Generalised_Clipped_BGC_EW_V3/FeatureServer/0?f=json",
                    fault)
    code = main(["fetch", "lsoa_2011", "--data", str(data), "--mirror", mirror, "-q"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("stpgeo: error:") == 1
    assert "could not fetch lsoa_2011 (Lower Layer Super Output Areas (2011), England)" in err
    assert f"{mirror}/ESMARspQHYMw9BZ9/arcgis/rest/services/LSOA_Dec_2011" in err  # the URL
    assert re.search(what, err), err
    assert "how to fix:" in err
    assert "--data DIR" in err
    assert "Traceback" not in err
    assert not data.exists()


def test_checksums_and_unknown_addresses_are_refused(server: Publishers, catalogue: Catalogue,
                                                     tmp_path: Path) -> None:
    data = tmp_path / "data"
    entry = catalogue.deprivation["imd2015"]
    wrong = dataclasses.replace(catalogue, deprivation={**catalogue.deprivation, "imd2015": {
        **entry, "source": {**entry["source"], "sha256": "0" * 64}}})
    with pytest.raises(StpgeoError, match=r"imd2015 .*SHA-256 is [0-9a-f]{64}, not "):
        fetch(["imd2015"], data=data, mirror=server.url, catalogue=wrong)
    assert not data.exists()
    with pytest.raises(StpgeoError, match="knows no download address for birmingham_wards_2018"):
        fetch(["birmingham_wards_2018"], data=data, mirror=server.url, catalogue=catalogue)
    with pytest.raises(StpgeoError, match="no product 'lsoa'"):
        fetch(["lsoa"], data=data, catalogue=catalogue)


def test_list_shows_sizes_and_what_is_present(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    assert main(["fetch", "--list", "--data", str(data)]) == 0
    listed = {line.split()[0].lstrip("*"): line for line in capsys.readouterr().out.splitlines()}
    assert listed["lsoa_2011"].startswith("*")  # needed by the demo
    assert "no" in listed["lsoa_2011"].split()
    assert "~78.2 MB" in listed["lsoa_2011"]
    assert "arcgis" in listed["lsoa_2011"]
    assert "arcgis" in listed["143"]  # ONS's table of July 2022 first, data.gov.uk after it
    assert "ckan" in listed["114"]
    assert "none" in listed["birmingham_wards_2018"]
    (data / "stp").mkdir(parents=True)
    shutil.copy(SAMPLE_DIR / "stp/stp_feb2017_birmingham_black_country.parquet",
                data / load_catalogue().layers["stp_feb2017"]["file"])
    assert main(["fetch", "--list", "--data", str(data)]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith(" stp_feb2017"))
    assert "yes" in line.split()
