"""Recognising ONS codes, field names, kinds and vintages (hand-made tables)."""

from __future__ import annotations

import pandas as pd
import pytest

from stpgeo.errors import StpgeoError
from stpgeo.ons.codes import field_kind, kind_of_code, kinds_of_codes, parse_ons_field
from stpgeo.ons.fields import find_code_field, find_name_field, resolve_field


@pytest.mark.parametrize(
    ("code", "kind"),
    [("E05011111", "ward"), ("E01008899", "lsoa"), ("E02001234", "msoa"),
     ("E06000001", "council"), ("E07000001", "council"), ("E08000025", "council"),
     ("E09000001", "council"), ("E38000144", "ccg"), ("E54000016", "stp"),
     ("E12000005", "region"), ("W05000001", "ward"), ("E99000001", None), ("02N", None),
     ("E0500001", None)],
)
def test_kind_of_code(code: str, kind: str | None) -> None:
    assert kind_of_code(code) == kind


@pytest.mark.parametrize(
    ("field", "parsed", "kind"),
    [("WD13CD", ("WD", 2013, "CD"), "ward"), ("wd16cd", ("WD", 2016, "CD"), "ward"),
     ("stp17nm", ("STP", 2017, "NM"), "stp"), ("CCG21CD", ("CCG", 2021, "CD"), "ccg"),
     ("LSOA11CD", ("LSOA", 2011, "CD"), "lsoa"), ("LAD17NM", ("LAD", 2017, "NM"), "council"),
     ("WD13CDO", None, None), ("WD13NMW", None, None), ("code", None, None)],
)
def test_parse_ons_field(field: str, parsed: tuple[str, int, str] | None,
                         kind: str | None) -> None:
    result = parse_ons_field(field)
    assert (tuple(result) if result else None) == parsed
    assert field_kind(field) == kind


def test_kinds_of_codes_counts_each_kind() -> None:
    counts = kinds_of_codes(["E05000001", "E05000002", "E01000001", "junk"])
    assert counts.to_dict() == {"ward": 2, "lsoa": 1, "unknown": 1}


@pytest.mark.parametrize(
    ("columns", "code", "name"),
    [
        ({"WD13CD": ["E05000001", "E05000002"], "WD13CDO": ["00AA", "00AB"],
          "WD13NM": ["A", "B"], "WD13NMW": [None, None]}, "WD13CD", "WD13NM"),
        ({"objectid": [1, 2], "stp17cd": ["E54000016", "E54000017"],
          "stp17nm": ["The Black Country", "Birmingham and Solihull"]}, "stp17cd", "stp17nm"),
        ({"f_area": [1.0, 2.0], "code": ["E05011111", "E05011112"],
          "ward_name": ["Aston", "Soho"], "authority": ["Birmingham", "Birmingham"]},
         "code", "ward_name"),
        ({"Ward": ["Aston", "Soho"], "WardCode": ["E05011111", "E05011112"]}, "WardCode", "Ward"),
        ({"name": ["Birmingham and Solihull STP", "The Black Country STP"],
          "ons_code": ["E54000017", "E54000016"]}, "ons_code", "name"),
        ({"ons_code": [None, None], "name": ["NHS A CCG", "NHS B CCG"], "org_type": ["CCG", "CCG"]},
         None, "name"),
    ],
    ids=["ons-2013", "ons-lower-case", "code-ward_name", "WardCode-Ward", "ons_code-name",
         "names-only"],
)
def test_finds_code_and_name_fields(columns: dict[str, list[object]], code: str | None,
                                    name: str) -> None:
    table = pd.DataFrame(columns)
    found = find_code_field(table)
    assert found == code
    assert find_name_field(table, found) == name


def test_code_field_prefers_the_unique_codes() -> None:
    # an LSOA layer carrying its council's code too: the LSOA codes are the layer's own
    table = pd.DataFrame({"LAD17CD": ["E08000025", "E08000025"],
                          "LSOA11CD": ["E01000001", "E01000002"]})
    assert find_code_field(table) == "LSOA11CD"


def test_ambiguous_code_fields_are_refused_with_the_columns() -> None:
    table = pd.DataFrame({"WD16CD": ["E05000001", "E05000002"],
                          "WD17CD": ["E05000001", "E05000003"]})
    with pytest.raises(StpgeoError, match=r"several fields hold GSS codes.*WD16CD.*WD17CD") as info:
        find_code_field(table, source="wards.geojson")
    assert "wards.geojson" in str(info.value)
    assert "code_field" in str(info.value)


def test_ambiguous_name_fields_are_refused_with_the_columns() -> None:
    table = pd.DataFrame({"code": ["E05000001"], "name": ["Aston"], "ward": ["Aston ward"]})
    with pytest.raises(StpgeoError, match=r"several fields could hold the names.*name.*ward"):
        find_name_field(table, "code")


def test_resolve_field_ignores_case_and_lists_columns_when_missing() -> None:
    table = pd.DataFrame({"WD16CD": ["E05000001"], "WD16NM": ["Aston"]})
    assert resolve_field(table, "wd16cd", source="t", role="code") == "WD16CD"
    with pytest.raises(StpgeoError, match=r"no code field 'WD18CD'.*WD16CD, WD16NM"):
        resolve_field(table, "WD18CD", source="t", role="code")
