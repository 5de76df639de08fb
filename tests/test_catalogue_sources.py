"""Every catalogue entry says where its publisher keeps it and how that address was checked.

The schema is the one ``boundaries/catalogue.toml``'s header documents: a ``source`` table
(the first place tried) and zero or more ``fallbacks`` of the same shape; each records its
``evidence`` and whether the address is ``confirmed``; a ``none`` says why in ``note``.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

import pytest

from stpgeo.io.catalogue import Catalogue, load_catalogue

#: The fields each kind of source needs.
NEEDS = {
    "arcgis": ("service",),
    "file": ("url",),
    "ckan": ("dataset",),
    "parts": ("url", "parts"),
    "none": ("note",),
}
#: ONS's ArcGIS Online organisation (the Open Geography Portal's services).
ONS_HOST, ONS_ORG = "services1.arcgis.com", "ESMARspQHYMw9BZ9"
_LAYER = re.compile(
    rf"^/{ONS_ORG}/arcgis/rest/services/[A-Za-z0-9_]+/(FeatureServer|MapServer)/\d+$")


def _entries() -> list[tuple[str, str, dict[str, Any]]]:
    catalogue = load_catalogue()
    return [(section, key, entry) for section in Catalogue.SECTIONS
            for key, entry in getattr(catalogue, section).items()]


def _sources(entry: dict[str, Any]) -> list[dict[str, Any]]:
    return [entry["source"], *entry.get("fallbacks", [])]


ENTRIES = _entries()
IDS = [f"{section}.{key}" for section, key, _ in ENTRIES]


@pytest.mark.parametrize(("section", "key", "entry"), ENTRIES, ids=IDS)
def test_every_entry_has_a_source_table(section: str, key: str, entry: dict[str, Any]) -> None:
    assert isinstance(entry.get("source"), dict), f"{section}.{key} has no source"
    assert isinstance(entry.get("fallbacks", []), list), f"{section}.{key}: fallbacks not a list"


@pytest.mark.parametrize(("section", "key", "entry"), ENTRIES, ids=IDS)
def test_every_source_has_a_known_kind_and_what_that_kind_needs(
        section: str, key: str, entry: dict[str, Any]) -> None:
    for i, source in enumerate(_sources(entry)):
        where = f"{section}.{key} source {i}"
        kind = source.get("kind")
        assert kind in NEEDS, f"{where}: unknown kind {kind!r}"
        for name in NEEDS[kind]:
            assert source.get(name), f"{where} ({kind}) lacks {name}"
        if kind == "parts":
            assert "{part}" in source["url"], where
            assert all(isinstance(p, str) for p in source["parts"]), where
        if kind in ("file", "parts", "ckan"):
            url = urllib.parse.urlsplit(source.get("url") or source["dataset"])
            assert url.scheme in ("http", "https"), f"{where}: not a URL"
            assert url.netloc, f"{where}: not a URL"
        if "sha256" in source:
            assert re.fullmatch(r"[0-9a-f]{64}", source["sha256"]), f"{where}: bad sha256"


@pytest.mark.parametrize(("section", "key", "entry"), ENTRIES, ids=IDS)
def test_every_address_records_its_evidence_and_whether_it_is_confirmed(
        section: str, key: str, entry: dict[str, Any]) -> None:
    for i, source in enumerate(_sources(entry)):
        where = f"{section}.{key} source {i}"
        assert "found_in" not in source, f"{where}: found_in is replaced by evidence"
        if source["kind"] == "none":
            assert i == 0, f"{where}: `none` as a fallback"
            assert not entry.get("fallbacks"), f"{where}: `none` with other sources"
            assert len(source["note"]) > 20, f"{where}: the note should say where to look"
            continue
        assert isinstance(source.get("confirmed"), bool), f"{where}: confirmed is not a boolean"
        assert isinstance(source.get("evidence"), str), f"{where}: no evidence"
        assert len(source["evidence"]) > 20, f"{where}: no evidence"


@pytest.mark.parametrize(("section", "key", "entry"), ENTRIES, ids=IDS)
def test_arcgis_services_are_layers_of_ons_organisation(
        section: str, key: str, entry: dict[str, Any]) -> None:
    for source in _sources(entry):
        if source["kind"] != "arcgis":
            continue
        url = urllib.parse.urlsplit(source["service"])
        assert (url.scheme, url.netloc) == ("https", ONS_HOST), \
            f"{section}.{key}: {source['service']} is not on ONS's host {ONS_HOST}"
        assert _LAYER.match(url.path), f"{section}.{key}: {source['service']} is not a layer URL"
        assert not url.query
        assert not url.fragment


def test_sources_point_where_the_review_found_current_ons_tables() -> None:
    catalogue = load_catalogue()
    first = {key: catalogue.lookups[key]["source"] for key in catalogue.lookups}
    for key, name in {
            "143": "LSOA11_CCG17_STP17_LAD17_EN_LU_22df3826919f4726ad20df93570178fd",
            "lsoa11_ccg21": "LSOA11_CCG21_STP21_LAD21_EN_LU_ae1a442ee397483cab1a31f2e7b24029",
            "031": "CCG20_STP20_EN_LU_23f15570782b4e388a885fe8842d0858",
            "122": "MSOA11_WD17_EW_LU_ba70140bcd834e4ebecead893fd2fdb5"}.items():
        assert first[key]["kind"] == "arcgis", key
        assert f"/services/{name}/" in first[key]["service"], key
        assert first[key]["confirmed"] is True
        # what was tried before stays, after it
        assert catalogue.lookups[key].get("fallbacks"), key
    # England only, as before
    assert catalogue.layers["lsoa_2011"]["source"]["where"] == "LSOA11CD LIKE 'E%'"


def test_the_demo_and_todays_products_each_have_a_source_with_evidence() -> None:
    from stpgeo.io.fetch import DEMO, TODAY

    catalogue = load_catalogue()
    known = {key: entry for _, key, entry in ENTRIES}
    for key in (*DEMO, *TODAY, "icb_apr2023", "sicbl_apr2023", "councils_may2024"):
        sources = _sources(known[key])
        assert sources[0]["kind"] != "none", key
        assert any(s.get("confirmed") for s in sources), key
    assert catalogue.lookups["114"]["source"]["kind"] != "none"
