"""``stpgeo fetch --check`` and ``--list`` against the stand-in publishers: a moved
service, a withdrawn one and a count that differs, each reported in plain words,
without downloading anything."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from stpgeo.cli import main
from stpgeo.io import check as check_module
from stpgeo.io.catalogue import Catalogue
from stpgeo.io.check import check, describe
from stpgeo.io.fetch import product_table

from .publishers import Publishers
from .test_fetch import catalogue, published, waits  # noqa: F401  (shared fixtures)

RETIRED = ("https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services/"
           "LSOA_Dec_2011_Boundaries_Retired/FeatureServer/0")
TABLE = ("https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services/"
         "LSOA11_CCG17_STP17_LAD17_EN_LU_22df3826919f4726ad20df93570178fd/FeatureServer/0")


@pytest.fixture
def changed(catalogue: Catalogue) -> Catalogue:  # noqa: F811
    """lsoa_2011 moved (its fallback answers), 143 an ArcGIS table, lsoa11_ccg21 with a
    count the service does not have, confirmed sources marked so."""
    layers, lookups = dict(catalogue.layers), dict(catalogue.lookups)
    lsoa = layers["lsoa_2011"]
    layers["lsoa_2011"] = {**lsoa, "source": {**lsoa["source"], "service": RETIRED},
                           "fallbacks": [{**lsoa["source"], "confirmed": True}]}
    lookups["143"] = {**lookups["143"], "source": {"kind": "arcgis", "service": TABLE,
                                                   "confirmed": True},
                      "fallbacks": [next(f for f in lookups["143"]["fallbacks"]
                                         if f["kind"] == "ckan")]}
    lookups["lsoa11_ccg21"] = {**lookups["lsoa11_ccg21"], "rows": 32_844}
    return dataclasses.replace(catalogue, layers=layers, lookups=lookups)


@pytest.fixture
def server(published: Path, changed: Catalogue) -> Iterator[Publishers]:  # noqa: F811
    with Publishers(published, changed, max_records=500) as running:
        running.fail("Retired", "invalid-url", times=100)  # as ArcGIS answers a deleted one
        yield running


def test_check_reports_each_source_in_plain_words_and_downloads_nothing(
        server: Publishers, changed: Catalogue) -> None:
    server.fail("22df3826919f4726ad20df93570178fd/FeatureServer/0?f=json", "withdrawn")
    checks = check(["lsoa_2011", "143", "lsoa11_ccg21", "imd2019", "wards_dec2013"],
                   mirror=server.url, catalogue=changed)
    table = {(c.product, c.number): c for c in checks}
    assert [(c.product, c.number, c.outcome) for c in checks] == [
        ("lsoa_2011", 1, "moved"), ("lsoa_2011", 2, "answers"),
        ("143", 1, "moved"), ("143", 2, "answers"),
        ("lsoa11_ccg21", 1, "count differs"), ("lsoa11_ccg21", 2, "count differs"),
        ("imd2019", 1, "answers"), ("wards_dec2013", 1, "answers")]
    assert table["lsoa_2011", 2].source == \
        "arcgis services1.arcgis.com/…/LSOA_Dec_2011_Boundaries_Generalised_Clipped_BGC_EW_V3"
    text = describe(checks)
    assert "moved or withdrawn: the service's error 400: Invalid URL" in text
    assert "moved or withdrawn: the service's error 499: Token Required" in text
    assert "answers (1,485 records)" in text
    count = next(c.said for c in checks if c.product == "lsoa11_ccg21")
    assert "count differs: " + count in text
    assert count.startswith("service has ")
    assert count.endswith(", catalogue expects 32,844")
    assert "answers (a CSV resource; a file (" in text
    assert "answers (326 parts; the first: a file (" in text
    assert "4 of 8 sources answer; 4 do not" in text
    assert not server.requests("resultOffset=")  # no page, no whole file was asked
    assert {h.get("Range") for p, _, h in server.log if not p.endswith(("/0", "/query"))
            and "package_show" not in p} == {"bytes=0-511"}


def test_the_cli_prints_the_table_and_exits_1_when_a_source_does_not_answer(
        server: Publishers, changed: Catalogue, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(check_module, "load_catalogue", lambda: changed)
    assert main(["fetch", "--check", "imd2019", "--mirror", server.url]) == 0
    assert "1 of 1 sources answer" in capsys.readouterr().out
    assert main(["fetch", "--check", "lsoa_2011", "birmingham_wards_2018",
                 "--mirror", server.url]) == 1
    out, err = capsys.readouterr()
    assert "moved or withdrawn" in out
    assert "no address known (" in out
    assert "Traceback" not in out + err


def test_list_says_which_sources_are_confirmed(changed: Catalogue, tmp_path: Path) -> None:
    lines = {line.split()[0].lstrip("*"): line for line in
             product_table(data=tmp_path, catalogue=changed).splitlines()}
    assert "arcgis+ confirmed" in lines["143"]  # a fallback too; the first is confirmed
    assert "unconfirmed" in lines["114"]  # data.gov.uk, seen in June 2021 only
    assert "none known" in lines["birmingham_wards_2018"]
    assert "(no source known: " in lines["birmingham_wards_2018"]
