"""Every footprint vintage recognised: levels beside kinds, the catalogue's vintages, choosing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

import stpgeo
from stpgeo import StpgeoError
from stpgeo.io.vintages import buildable_vintages, choose_vintages, footprint_vintages
from stpgeo.ons.codes import field_kind, field_level, footprint_level, kind_title, short_title

from . import timeline_case as case
from .shapes import frame, square

DEFAULT = ["CCG15", "CCG16", "CCG17", "STP17", "CCG18", "STP18", "CCG21", "STP21", "SICBL22",
           "ICB22", "SICBL24", "ICB24", "SICBL26", "ICB26"]


@pytest.mark.parametrize(("field", "kind", "level", "title"), [
    ("CCG15CD", "ccg", "ccg", "CCG 2015"), ("ccg21nm", "ccg", "ccg", "CCG 2021"),
    ("SICBL22CD", "ccg", "sicbl", "sub-ICB location 2022"),
    ("sicbl22cd", "ccg", "sicbl", "sub-ICB location 2022"),
    ("STP17CD", "stp", "stp", "STP 2017"), ("STP21CD", "stp", "stp", "STP 2021"),
    ("ICB22CD", "stp", "icb", "ICB 2022"), ("Icb22Nm", "stp", "icb", "ICB 2022"),
    ("LAD22CD", "council", None, "Council 2022"), ("SICBL22CDH", None, None, None),
    # today's geography: councils of 2023-2024, wards of 2023-2025, SICBL/ICB 2023-2026
    ("LAD23CD", "council", None, "Council 2023"), ("LAD24CD", "council", None, "Council 2024"),
    ("WD23CD", "ward", None, "Ward 2023"), ("wd25cd", "ward", None, "Ward 2025"),
    ("SICBL23CD", "ccg", "sicbl", "sub-ICB location 2023"),
    ("SICBL26CD", "ccg", "sicbl", "sub-ICB location 2026"),
    ("ICB24CD", "stp", "icb", "ICB 2024"), ("ICB26NM", "stp", "icb", "ICB 2026"),
])
def test_fields_name_a_kind_and_a_level(field: str, kind: str | None, level: str | None,
                                        title: str | None) -> None:
    assert field_kind(field) == kind
    assert field_level(field) == level
    parsed = stpgeo.ons.codes.parse_ons_field(field)
    assert short_title(kind, parsed.vintage if parsed else None) == title


def test_codes_of_2022_are_sub_icb_locations_and_icbs() -> None:
    # the kind (role) follows the GSS entity; the level what the NHS called it then
    assert footprint_level("ccg", 2021) == "ccg"
    assert footprint_level("ccg", 2022) == "sicbl"
    assert footprint_level("stp", 2022) == "icb"
    assert footprint_level("council", 2022) is None
    assert kind_title("stp", 2022) == "integrated care board (ICB)"
    assert kind_title("ccg", 2022) == "sub-ICB location (SICBL)"
    assert kind_title("stp", 2017) == "STP / ICS footprint"


def test_an_icb_layer_reads_as_icbs(tmp_path: Path) -> None:
    path = tmp_path / "icb22.geojson"
    frame([case.G1, case.G2], [square(0, 0), square(1_000, 0)],
          names=["NHS Birmingham and Solihull ICB", "NHS Black Country ICB"]).rename(
        columns={"code": "ICB22CD", "name": "ICB22NM"}).to_file(path)
    layer = stpgeo.read_layer(path)
    assert (layer.kind, layer.vintage, layer.code_field) == ("stp", 2022, "ICB22CD")
    assert "integrated care board (ICB) 2022" in layer.title
    assert "kind         integrated care board (ICB)" in layer.describe()


def test_footprints_built_from_an_icb_column_are_labelled_icbs() -> None:
    built = stpgeo.build_footprints(case.blocks(), case.lookup_2022(), by="ICB22CD",
                                    population=case.population())
    assert (built.kind, built.vintage, len(built)) == ("stp", 2022, 2)
    assert built.gdf.set_index("code")["population"].to_dict() == {case.G1: 1_000,
                                                                   case.G2: 1_100}


def test_the_catalogue_lists_the_buildable_vintages() -> None:
    catalogue = stpgeo.load_catalogue()
    vintages = footprint_vintages(catalogue)
    assert [v.name for v in vintages] == DEFAULT
    for vintage in vintages:
        columns = catalogue.lookups[vintage.lookup]["columns"]
        assert vintage.column in columns, vintage.name
        assert vintage.councils in columns, vintage.name
        assert field_level(vintage.column) == vintage.level
    by_name = {v.name: v for v in vintages}
    icb = by_name["ICB22"]
    assert (icb.date, icb.kind, icb.title, icb.when) == (dt.date(2022, 7, 1), "stp", "ICB 2022",
                                                         "1 July 2022")
    assert vintages[0].when == "1 July 2015"
    # each vintage knows its generation of blocks; the 2026 lookup is a reconstruction
    assert {v.name for v in vintages if v.generation.key == "lsoa21"} == {
        "SICBL24", "ICB24", "SICBL26", "ICB26"}
    assert [v.name for v in vintages if v.reconstructed] == ["SICBL26", "ICB26"]
    assert by_name["ICB26"].title == "ICB 2026, reconstructed"
    assert by_name["ICB24"].when == "1 April 2024"
    assert all(v.councils == "LAD24CD" for v in vintages if v.generation.key == "lsoa21")


def test_choosing_vintages(tmp_path: Path) -> None:
    data = case.write_data(tmp_path / "data")  # holds lookups 143 and the July 2022 one
    assert [v.name for v in buildable_vintages(data)] == ["CCG17", "STP17", "SICBL22", "ICB22"]
    assert [v.name for v in choose_vintages(None, data=data)] == [
        "CCG17", "STP17", "SICBL22", "ICB22"]
    assert [v.name for v in choose_vintages("icb22, ccg17", data=data)] == ["CCG17", "ICB22"]
    with pytest.raises(StpgeoError, match="unknown footprint vintage: CCG19") as raised:
        choose_vintages("CCG17,CCG19", data=data)
    assert "CCG15, CCG16" in str(raised.value.fix)
    with pytest.raises(StpgeoError, match=r"CCG15 is built with .* which is missing") as raised:
        choose_vintages(["CCG15"], data=data)
    assert "212_LSOA11_CCG15" in str(raised.value.source)
    empty = tmp_path / "empty"
    (empty / "wards").mkdir(parents=True)
    (empty / "wards" / "x.txt").write_text("x")
    with pytest.raises(StpgeoError, match="holds none of the lookups"):
        choose_vintages(None, data=empty)


def test_codes_without_a_vintage_in_their_field_get_it_from_the_code_lists(
        tmp_path: Path) -> None:
    data = case.write_data(tmp_path / "data")
    extra = pd.DataFrame({"LSOA11CD": ["E01000099"], "CCG21CD": ["E38000250"],
                          "CCG21NM": ["x"], "STP21CD": [case.S1], "STP21NM": ["x"],
                          "LAD21CD": [case.C1], "LAD21NM": ["Birmingham"]})
    path = data / stpgeo.load_catalogue().lookups["lsoa11_ccg21"]["file"]
    extra.to_csv(path, index=False)
    layer_file = tmp_path / "footprints.geojson"
    frame([case.G1, case.G2], [square(0, 0), square(1_000, 0)]).to_file(layer_file)
    layer = stpgeo.read_layer(layer_file, data=data)
    assert (layer.kind, layer.vintage) == ("stp", 2022)  # both codes are ICB22 codes only
    assert "vintage 2022 taken from the codes" in " ".join(layer.notes)
