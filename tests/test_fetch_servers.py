"""``stpgeo fetch`` against the stand-in publishers misbehaving as real ArcGIS servers do
(tests/publishers.py, :class:`~tests.publishers.Fault`): errors as HTTP 200, a moved
source and its fallback, transient failures retried, servers that ignore
``resultOffset``, do not page or do not answer GeoJSON, layers in British National Grid.

Each test checks the documented outcome, that the fetch ends (within a time limit,
with a bounded number of requests) and that nothing half-written is left in the layout.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import pyogrio
import pytest
import shapely

from stpgeo.errors import StpgeoError
from stpgeo.io import web
from stpgeo.io.catalogue import PARTIAL_DIR, Catalogue
from stpgeo.io.fetch import fetch

from .publishers import Publishers
from .test_fetch import catalogue, published, waits  # noqa: F401  (shared fixtures)

T = TypeVar("T")
LSOA = "LSOA_Dec_2011_Boundaries_Generalised_Clipped_BGC_EW_V3/FeatureServer/0"
RETIRED = ("https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services/"
           "LSOA_Dec_2011_Boundaries_Retired/FeatureServer/0")


def _within(call: Callable[[], T], seconds: float = 60) -> T:
    """``call()``, failing the test if it has not ended within ``seconds`` (a loop)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(call).result(timeout=seconds)


@pytest.fixture
def server(published: Path, catalogue: Catalogue) -> Iterator[Publishers]:  # noqa: F811
    with Publishers(published, catalogue, max_records=500) as running:
        yield running


def _with(base: Catalogue, section: str, key: str, **changes: Any) -> Catalogue:
    """The catalogue with one entry changed."""
    entries = getattr(base, section)
    return dataclasses.replace(base, **{section: {**entries, key: {**entries[key],
                                                                         **changes}}})


def _fetch(names: list[str], data: Path, server: Publishers, chosen: Catalogue) -> Any:
    return _within(lambda: fetch(names, data=data, mirror=server.url, catalogue=chosen))


def _same_shapes(fetched: Path, original: Path, tolerance: float = 1e-8) -> None:
    a = pyogrio.read_dataframe(fetched).sort_values("LSOA11CD").reset_index(drop=True)
    b = pyogrio.read_dataframe(original).sort_values("LSOA11CD").reset_index(drop=True)
    assert a["LSOA11CD"].tolist() == b["LSOA11CD"].tolist()
    assert shapely.equals_exact(shapely.normalize(a.geometry.values),
                                shapely.normalize(b.geometry.values), tolerance=tolerance).all()


def _nothing_half_written(data: Path, chosen: Catalogue) -> None:
    assert not (data / chosen.layers["lsoa_2011"]["file"]).exists()
    assert not any(p for p in data.rglob("*") if p.is_file()
                   and PARTIAL_DIR not in p.relative_to(data).parts)


def test_a_moved_service_is_reported_and_the_fallback_fetched(
        server: Publishers, catalogue: Catalogue, published: Path,  # noqa: F811
        tmp_path: Path) -> None:
    entry = catalogue.layers["lsoa_2011"]
    moved = _with(catalogue, "layers", "lsoa_2011",
                  source={**entry["source"], "service": RETIRED},
                  fallbacks=[entry["source"]])
    data = tmp_path / "data"
    report = _fetch(["lsoa_2011"], data, server, moved)
    assert report.items[0].records == 1_485
    # ArcGIS Online's answer to a service it no longer has: HTTP 200 and "Invalid URL"
    assert server.log[0][0].endswith("Retired/FeatureServer/0")
    assert len(server.requests("Retired")) == 1  # not retried: it is not transient
    _same_shapes(data / entry["file"], published / entry["file"])
    assert not (data / PARTIAL_DIR).exists()


def test_when_every_source_fails_the_message_names_each_and_what_it_answered(
        server: Publishers, catalogue: Catalogue, tmp_path: Path) -> None:  # noqa: F811
    entry = catalogue.layers["lsoa_2011"]
    both = _with(catalogue, "layers", "lsoa_2011",
                 source={**entry["source"], "service": RETIRED},
                 fallbacks=[entry["source"]])
    server.fail(LSOA, "withdrawn", times=100)
    data = tmp_path / "data"
    with pytest.raises(StpgeoError) as raised:
        _fetch(["lsoa_2011"], data, server, both)
    text = str(raised.value)
    assert "could not fetch lsoa_2011 (Lower Layer Super Output Areas (2011), England) from " \
           "any of its 2 sources:" in text
    assert f"1. arcgis {server.url}/ESMARspQHYMw9BZ9/arcgis/rest/services/" \
           "LSOA_Dec_2011_Boundaries_Retired/FeatureServer/0?f=json: the service's error 400: " \
           "Invalid URL" in text
    assert "2. arcgis " in text
    assert "the service's error 499: Token Required" in text
    assert "the publisher may have moved or withdrawn it" in text
    assert len(server.log) == 2  # one answer each: neither is retried
    assert not data.exists()


@pytest.mark.parametrize(("mode", "said", "moved"), [
    ("withdrawn", "the service's error 499: Token Required", True),
    ("forbidden", "the service's error 403: You do not have permissions", True),
    ("invalid-url", "the service's error 400: Invalid URL", True),
    ("invalid-query", "the service's error 400: Unable to complete operation.", False),
])
def test_errors_given_as_http_200_get_their_message(
        server: Publishers, catalogue: Catalogue, tmp_path: Path,  # noqa: F811
        mode: str, said: str, moved: bool) -> None:
    server.fail("returnCountOnly" if mode == "invalid-query" else f"{LSOA}?f=json", mode)
    data = tmp_path / "data"
    with pytest.raises(StpgeoError, match="could not fetch lsoa_2011") as raised:
        _fetch(["lsoa_2011"], data, server, catalogue)
    assert said in str(raised.value)
    assert ("the publisher may have moved or withdrawn it" in str(raised.value)) is moved
    assert len(server.log) <= 2
    assert not data.exists()


@pytest.mark.parametrize("mode", ["429", "502", "503", "504", "reset", "cut", "stall",
                                  "error-500"])
def test_transient_failures_are_retried_with_back_off_from_the_page_kept(
        server: Publishers, catalogue: Catalogue, published: Path, tmp_path: Path,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch, waits: list[float], mode: str) -> None:  # noqa: F811
    server.warm()
    monkeypatch.setattr(web, "TIMEOUT_S", 0.5)
    server.stall_s = 2.0
    server.fail("resultOffset=500", mode, times=2)
    data = tmp_path / "data"
    _fetch(["lsoa_2011"], data, server, catalogue)
    offsets = [q["resultOffset"] for _, q, _ in server.requests("resultOffset=")]
    assert offsets == ["0", "500", "500", "500", "1000"]  # page 0 was not asked again
    assert waits == ([3.0, 4.0] if mode == "429" else [2.0, 4.0])  # Retry-After: 3
    _same_shapes(data / catalogue.layers["lsoa_2011"]["file"],
                 published / catalogue.layers["lsoa_2011"]["file"])
    assert not (data / PARTIAL_DIR).exists()


@pytest.mark.parametrize(("mode", "refusal", "pages"), [
    # a server that ignores resultOffset: refused at the second page, not looped on
    ("ignores-offset", r"again at offset 500: the server ignores resultOffset", 2),
    # polygons whose area is not the service's own figure
    ("wrong-area", r"total area is [\d,.]+ km² where the service's Shape__Area adds up to "
                   r"[\d,.]+ km² \(4\.76% apart", 3),
])
def test_a_layer_that_misbehaves_is_refused_and_nothing_is_written(
        server: Publishers, catalogue: Catalogue, tmp_path: Path,  # noqa: F811
        mode: str, refusal: str, pages: int) -> None:
    server.fail(LSOA, mode, times=1000)
    data = tmp_path / "data"
    with pytest.raises(StpgeoError, match=refusal):
        _fetch(["lsoa_2011"], data, server, catalogue)
    assert len(server.requests("resultOffset=")) == pages
    _nothing_half_written(data, catalogue)


def test_a_layer_that_does_not_page_is_read_by_object_ids(
        server: Publishers, catalogue: Catalogue, published: Path, tmp_path: Path) -> None:  # noqa: F811
    server.fail(LSOA, "no-pagination", times=1000)
    data = tmp_path / "data"
    _fetch(["lsoa_2011"], data, server, catalogue)
    assert server.requests("resultOffset=") == []
    assert len(server.requests("returnIdsOnly=true")) == 1
    batches = [q["objectIds"].split(",") for _, q, _ in server.requests("objectIds=")]
    assert [len(b) for b in batches] == [500, 500, 485]  # maxRecordCount ids at a time
    _same_shapes(data / catalogue.layers["lsoa_2011"]["file"],
                 published / catalogue.layers["lsoa_2011"]["file"])


@pytest.mark.parametrize("mode", ["no-geojson", "geojson-fails"])
def test_a_layer_without_geojson_is_read_as_esri_json(
        server: Publishers, catalogue: Catalogue, published: Path, tmp_path: Path,  # noqa: F811
        mode: str) -> None:
    server.fail(LSOA, mode, times=1000)
    data = tmp_path / "data"
    _fetch(["lsoa_2011"], data, server, catalogue)
    formats = [q["f"] for _, q, _ in server.requests("resultOffset=")]
    assert formats == (["json"] * 3 if mode == "no-geojson" else ["geojson", "json", "json",
                                                                  "json"])
    _same_shapes(data / catalogue.layers["lsoa_2011"]["file"],
                 published / catalogue.layers["lsoa_2011"]["file"])


def test_british_national_grid_is_asked_for_and_reprojected_here(
        published: Path, catalogue: Catalogue, tmp_path: Path) -> None:  # noqa: F811
    data = tmp_path / "data"
    with Publishers(published, catalogue, max_records=500, wkid=27700) as server:
        _fetch(["lsoa_2011"], data, server, catalogue)
        pages = server.requests("resultOffset=")
    assert {q["outSR"] for _, q, _ in pages} == {"27700"}  # no datum shift left to the server
    fetched = data / catalogue.layers["lsoa_2011"]["file"]
    assert pyogrio.read_info(fetched)["crs"] == "EPSG:4326"
    # there and back through the grid: within a centimetre (1e-7 degrees)
    _same_shapes(fetched, published / catalogue.layers["lsoa_2011"]["file"], tolerance=1e-7)


def test_a_count_that_is_not_the_catalogues_tries_the_next_source(
        server: Publishers, catalogue: Catalogue, tmp_path: Path) -> None:  # noqa: F811
    entry = catalogue.layers["lsoa_2011"]
    wrong = _with(catalogue, "layers", "lsoa_2011", features=32_844)
    data = tmp_path / "data"
    with pytest.raises(StpgeoError, match="1,485 records where the catalogue expects 32,844"):
        _fetch(["lsoa_2011"], data, server, wrong)
    assert server.requests("resultOffset=") == []  # refused before any page
    assert entry == catalogue.layers["lsoa_2011"]
    assert not data.exists()


def test_a_lookup_published_as_an_arcgis_table_has_the_csvs_content(
        server: Publishers, catalogue: Catalogue, published: Path, tmp_path: Path) -> None:  # noqa: F811
    entry = catalogue.lookups["143"]
    table = ("https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services/"
             "LSOA11_CCG17_STP17_LAD17_EN_LU_22df3826919f4726ad20df93570178fd/FeatureServer/0")
    as_table = _with(catalogue, "lookups", "143", source={"kind": "arcgis", "service": table},
                     fallbacks=[entry["source"]])
    data = tmp_path / "data"
    with Publishers(published, as_table, max_records=500) as tables:
        _fetch(["143"], data, tables, as_table)
        assert tables.requests("package_show") == []  # the table answered: no fallback
    fetched = pd.read_csv(data / entry["file"], dtype=str)
    original = pd.read_csv(published / entry["file"], dtype=str, encoding="utf-8-sig")
    assert set(original.columns) <= set(fetched.columns)
    pd.testing.assert_frame_equal(fetched[original.columns], original)
