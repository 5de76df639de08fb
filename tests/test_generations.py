"""The two generations of building blocks: recognised from field names and from the codes
only one of them has, and mixtures refused (hand-made tables)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import stpgeo
from stpgeo import StpgeoError
from stpgeo.io.generations import (
    check_same_generation,
    generation_of_codes,
    lookup_generation,
    population_generation,
)
from stpgeo.ons.generations import LSOA11, LSOA21, generation, generation_of_field

from . import timeline_case as case


@pytest.mark.parametrize(("field", "found"), [
    ("LSOA11CD", LSOA11), ("lsoa21cd", LSOA21), ("lsoa11_code", LSOA11),
    ("LSOA21_CODE", LSOA21), ("lsoa_2021_code", LSOA21), ("LSOA21NM", None), ("code", None),
    ("WD24CD", None), ("LSOA01CD", None)])
def test_a_field_name_says_its_generation(field: str, found: object) -> None:
    assert generation_of_field(field) == found


def test_generations_by_key_and_year() -> None:
    assert generation("lsoa11") is LSOA11 or generation("lsoa11") == LSOA11
    assert generation(2021) == generation("21") == LSOA21
    assert (LSOA21.key, LSOA21.field, LSOA21.title) == ("lsoa21", "LSOA21CD", "2021 LSOAs")
    assert LSOA11 < LSOA21
    with pytest.raises(StpgeoError, match="no generation of building blocks 'lsoa01'"):
        generation("lsoa01")


def _bridge(folder: Path) -> Path:
    """A data directory with a bridge: E01000001 unchanged, E01000002 split in two new
    codes, E01000003 and E01000004 merged into E01000005."""
    path = folder / stpgeo.load_catalogue().lookups["lsoa11_lsoa21"]["file"]
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"LSOA11CD": ["E01000001", "E01000002", "E01000002", "E01000003", "E01000004"],
                  "LSOA21CD": ["E01000001", "E01000010", "E01000011", "E01000005", "E01000005"],
                  "CHGIND": ["U", "S", "S", "M", "M"]}).to_csv(path, index=False)
    return folder


def test_codes_say_their_generation_where_only_one_has_them(tmp_path: Path) -> None:
    data = _bridge(tmp_path / "data")
    assert generation_of_codes(["E01000001", "E01000010"], data) == LSOA21
    assert generation_of_codes(["E01000001", "E01000002"], data) == LSOA11
    assert generation_of_codes(["E01000001"], data) is None  # common to both
    population = pd.Series([5, 6], index=["E01000003", "E01000004"])
    assert population_generation(population, data) == LSOA11
    population.attrs["code_column"] = "LSOA21CD"  # the column's name wins
    assert population_generation(population, data) == LSOA21


def test_mixed_generations_are_refused_naming_both() -> None:
    assert lookup_generation(pd.DataFrame({"LSOA11CD": [], "LSOA21CD": []})) is None  # a bridge
    check_same_generation([("blocks", "a.gpkg", LSOA21), ("population table", "b.csv", None)])
    with pytest.raises(StpgeoError) as raised:
        check_same_generation([("blocks", "lsoa21.gpkg", LSOA21),
                               ("population table", "mid2017.csv", LSOA11)])
    message = str(raised.value)
    assert ("the blocks (lsoa21.gpkg) are of the 2021 LSOAs but the population table "
            "(mid2017.csv) is of the 2011 LSOAs") in message
    assert "lsoa21_population_census2021.csv" in message  # the fix names the right file


def test_an_analysis_refuses_a_lookup_of_the_other_generation() -> None:
    lookup = case.lookup_2017().rename(columns={"LSOA11CD": "LSOA21CD"})
    with pytest.raises(StpgeoError, match=r"block-footprint lookup .* is of the 2021 LSOAs"):
        stpgeo.analyse(case.wards(), stpgeo.build_footprints(case.blocks(), case.lookup_2017(),
                                                             by="STP17CD"),
                       blocks=stpgeo.Layer(case.blocks().gdf, source="blocks", kind="lsoa",
                                           code_field="LSOA11CD"),
                       block_footprints=lookup)


def test_a_vintage_refuses_a_lookup_of_the_other_generation() -> None:
    lookup = case.lookup_2022().rename(columns={"LSOA11CD": "LSOA21CD"})
    with pytest.raises(StpgeoError, match="the lookup of ICB22 lists the 2021 LSOAs, but ICB22 "
                                          "is built from the 2011 LSOAs"):
        stpgeo.timeline(vintages=case.VINTAGES, wards=case.wards(), blocks=case.blocks(),
                        population=case.population(), block_wards=case.block_wards(),
                        lookups={**case.lookups(), "lsoa11_sicbl22": lookup})
