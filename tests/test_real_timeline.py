"""Issue 12, "Alignment through time", on the real data.

Every expectation is computed here from ONS's own LSOA lookups and the mid-2017
population with plain pandas (:func:`tests.ons.ons_outside_home`), never from a run of
stpgeo: Birmingham per vintage, every council of England per vintage, the west
Birmingham wards that moved in 2022, and a real proposal (the Frimley and Surrey
Heartlands ICBs merged).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import stpgeo
from stpgeo import StpgeoError
from stpgeo.analysis.timeline.maps import vintage_map
from stpgeo.analysis.timeline.proposals import proposal_map, read_proposal
from stpgeo.analysis.timeline.result import Timeline
from stpgeo.io.layer import Layer
from stpgeo.io.vintages import footprint_vintages

from .conftest import FRIMLEY, MERGED, SURREY, DemoRun
from .ons import BIRMINGHAM, ons_outside_home

pytestmark = pytest.mark.realdata

#: vintage: (lookup file, footprint column, council column), as the data's README lists them
LOOKUPS = {
    "CCG15": ("212_LSOA11_CCG15_LAD15_EN_LU.csv", "CCG15CD", "LAD15CD"),
    "CCG16": ("211_LSOA11_CCG16_LAD16_EN_LU.csv", "CCG16CD", "LAD16CD"),
    "CCG17": ("143_LSOA11_CCG17_STP17_LAD17_EN_LU.csv", "CCG17CD", "LAD17CD"),
    "STP17": ("143_LSOA11_CCG17_STP17_LAD17_EN_LU.csv", "STP17CD", "LAD17CD"),
    "CCG18": ("181_LSOA11_CCG18_STP18_LAD18_EN_LU_v3.csv", "CCG18CD", "LAD18CD"),
    "STP18": ("181_LSOA11_CCG18_STP18_LAD18_EN_LU_v3.csv", "STP18CD", "LAD18CD"),
    "CCG21": ("LSOA11_CCG21_STP21_LAD21_EN_LU.csv", "CCG21CD", "LAD21CD"),
    "STP21": ("LSOA11_CCG21_STP21_LAD21_EN_LU.csv", "STP21CD", "LAD21CD"),
    "SICBL22": ("LSOA11_SICBL22_ICB22_LAD22_EN_LU.csv", "SICBL22CD", "LAD22CD"),
    "ICB22": ("LSOA11_SICBL22_ICB22_LAD22_EN_LU.csv", "ICB22CD", "LAD22CD"),
}
#: The vintages built from the 2021 LSOAs (tests/test_real_today.py checks them).
TODAY = ["SICBL24", "ICB24", "SICBL26", "ICB26"]


@pytest.fixture(scope="module")
def ons(data: Path) -> dict[str, pd.DataFrame]:
    """Each vintage's lookup columns, read with plain pandas."""
    files: dict[str, pd.DataFrame] = {}
    tables = {}
    for vintage, (file, footprint, council) in LOOKUPS.items():
        if file not in files:
            files[file] = pd.read_csv(data / "lookups" / file, dtype=str)
        tables[vintage] = files[file][["LSOA11CD", footprint, council]]
    return tables


@pytest.fixture(scope="module")
def england(national_timeline: Timeline) -> Timeline:
    return national_timeline


def _expected(ons: dict[str, pd.DataFrame], vintage: str, population_file: Path,
              table: pd.DataFrame | None = None) -> pd.Series:
    _, footprint, council = LOOKUPS[vintage]
    return ons_outside_home(ons[vintage] if table is None else table, footprint, council,
                            population_file)


def test_every_default_vintage_is_built(england: Timeline) -> None:
    assert [v.name for v in england.vintages] == [*LOOKUPS, *TODAY, "surrey_frimley",
                                                  "surrey_frimley_24", "icb26_on_icb24"]
    assert [v.name for v in footprint_vintages()] == [*LOOKUPS, *TODAY]


def test_birmingham_outside_home_is_what_the_lookups_imply(
        england: Timeline, ons: dict[str, pd.DataFrame], population_file: Path) -> None:
    rows = england.timeline[england.timeline["council_code"] == BIRMINGHAM].set_index("vintage")
    expected = {v: int(_expected(ons, v, population_file)[BIRMINGHAM]) for v in LOOKUPS}
    assert list(expected.values()) == [175_800] * 8 + [0, 0]  # the figures
    assert rows["population_outside_home"].reindex(list(LOOKUPS)).to_dict() == expected
    assert rows.loc["ICB22", "home_footprint_names"] == (
        "NHS Birmingham and Solihull Integrated Care Board")
    assert rows.loc["STP21", "home_footprint_codes"] == "E54000017"
    assert not rows.loc["STP21", "aligned"]
    assert rows.loc["ICB22", "aligned"]


def test_every_council_of_england_per_vintage(england: Timeline, ons: dict[str, pd.DataFrame],
                                              population_file: Path) -> None:
    trend = england.trend[england.trend["scope_code"] == "E92000001"].set_index("vintage")
    for vintage in LOOKUPS:
        expected = _expected(ons, vintage, population_file)
        rows = england.timeline[england.timeline["vintage"] == vintage].set_index(
            "council_code")
        assert rows["population_outside_home"].sort_index().to_dict() == expected.to_dict(), \
            vintage
        assert int((~rows["aligned"]).sum()) == int((expected > 0).sum()), vintage
        assert trend.loc[vintage, "councils_not_aligned"] == int((expected > 0).sum())
        council = LOOKUPS[vintage][2]
        assert trend.loc[vintage, "n_councils"] == ons[vintage][council].nunique()
    assert trend["n_councils"].reindex(list(LOOKUPS)).tolist() == [326] * 6 + [309] * 4
    assert set(trend.loc[list(LOOKUPS), "residents"]) == {"lsoa11_population_mid2017.csv"}
    assert trend["councils_not_aligned"].reindex(list(LOOKUPS)).tolist() == [
        int((_expected(ons, v, population_file) > 0).sum()) for v in LOOKUPS]


def test_every_ward_is_counted_once_per_vintage(england: Timeline, wards_2013: Layer) -> None:
    wards = england.ward_timeline
    for vintage in LOOKUPS:
        assert len(wards[wards["vintage"] == vintage]) == len(wards_2013)
        counted = england.timeline.loc[england.timeline["vintage"] == vintage, "n_wards"].sum()
        unknown = (wards[wards["vintage"] == vintage]["council_code"] == "").sum()
        assert counted + unknown == len(wards_2013)


def test_changes_name_the_west_birmingham_wards_moving_in_2022(
        england: Timeline, ons: dict[str, pd.DataFrame], population_file: Path,
        lookup_114: Path) -> None:
    # from the lookups: Birmingham's wards with at least 5% of their residents in the Black
    # Country and West Birmingham STP of 2021
    wards = pd.read_csv(lookup_114, usecols=["LSOA11CD", "WD16CD", "LAD16CD"], dtype=str)
    people = pd.read_csv(population_file).rename(columns={"lsoa11_code": "LSOA11CD"})
    blocks = wards[wards["LAD16CD"] == BIRMINGHAM].merge(ons["STP21"], on="LSOA11CD").merge(
        people, on="LSOA11CD")
    share = (blocks[blocks["STP21CD"] == "E54000016"].groupby("WD16CD")["total_population"]
             .sum() / blocks.groupby("WD16CD")["total_population"].sum())
    west = set(share[share >= 0.05].index)
    assert len(west) == 7
    changes = england.changes
    moved = changes[(changes["to_vintage"] == "ICB22") & (changes["from_vintage"] == "STP21")
                    & (changes["council_code"] == BIRMINGHAM)
                    & (changes["from_verdict"] != changes["to_verdict"])]
    assert set(moved["ward_code"]) == west
    assert set(moved["to_footprint_name"]) == {
        "NHS Birmingham and Solihull Integrated Care Board"}
    assert set(moved["to_verdict"]) == {"within"}
    assert {"Aston", "Soho", "Perry Barr", "Handsworth Wood"} <= set(moved["ward_name"])
    story = " ".join(england.findings())
    assert ("On 1 July 2022 (ICB 2022), 175,800 residents of Birmingham in Aston, Handsworth "
            "Wood") in story
    assert "moved from The Black Country and West Birmingham to NHS Birmingham and Solihull " \
           "Integrated Care Board, its home ICB." in story


def test_a_real_proposal_merging_two_icbs(england: Timeline, ons: dict[str, pd.DataFrame],
                                          population_file: Path) -> None:
    merged = ons["ICB22"].assign(ICB22CD=ons["ICB22"]["ICB22CD"].replace(
        {FRIMLEY: MERGED, SURREY: MERGED}))
    expected = _expected(ons, "ICB22", population_file, table=merged)
    before = _expected(ons, "ICB22", population_file)
    rows = england.timeline[england.timeline["vintage"] == "surrey_frimley"].set_index(
        "council_code")
    assert rows["population_outside_home"].sort_index().to_dict() == expected.to_dict()
    fixed = set(before[(before > 0) & (expected == 0)].index)
    assert fixed == {"E07000209", "E07000212", "E07000214", "E07000216"}  # the Surrey four
    assert rows.loc[sorted(fixed), "aligned"].all()
    trend = england.trend.set_index(["scope_code", "vintage"])
    assert trend.loc[("E92000001", "surrey_frimley"), "councils_not_aligned"] == int(
        (expected > 0).sum())
    sentences = " ".join(england.findings())
    assert f"{int((expected > 0).sum())} of 309 councils would not be aligned" in sentences
    assert "Guildford" in sentences


def test_real_proposals_are_refused_with_their_faults(data: Path) -> None:
    table = stpgeo.read_lookup(data / "lookups" / LOOKUPS["ICB22"][0])
    vintages = {v.name: v for v in footprint_vintages()}
    maps = [vintage_map(table, vintages[n], block_codes=table["LSOA11CD"])
            for n in ("SICBL22", "ICB22")]
    # a CCG of 2017 and a ward: neither is an area of the sub-ICB map of 2022
    stale = pd.DataFrame({"code": ["E38000144", "E05001179"], "proposed_code": ["P1", "P1"],
                          "proposed_name": ["West Birmingham", "West Birmingham"]})
    with pytest.raises(StpgeoError, match=r"2 codes of the proposal are not .* of sub-ICB "
                                          "location 2022") as e:
        proposal_map(read_proposal(stale, name="stale"), maps)
    assert "E38000144, E05001179" in str(e.value)
    with pytest.raises(StpgeoError, match="E54000999"):
        proposal_map(read_proposal(stale.assign(code=["E54000055", "E54000999"]),
                                   name="unknown"), maps)
    # a sub-ICB location moved into another ICB is fine; and the base is the ICB map
    moved = proposal_map(read_proposal(pd.DataFrame({
        "code": ["E38000258"], "proposed_code": ["E54000062"],
        "proposed_name": ["NHS Black Country Integrated Care Board"]}), name="west"), maps)
    assert moved.vintage.level == "icb"
    assert moved.notes["blocks_moved"] == int((table["SICBL22CD"] == "E38000258").sum())


def test_the_demo_follows_birmingham_through_time(demo: DemoRun, england: Timeline) -> None:
    folder = demo.folder / "timeline"
    demo_rows = pd.read_csv(folder / "timeline.csv", dtype={"council_code": str})
    mine = england.timeline[england.timeline["council_code"] == BIRMINGHAM]
    assert demo_rows["vintage"].tolist() == [*LOOKUPS, *TODAY]
    # the demo overlays only Birmingham's neighbourhood: the same figures as all England
    columns = ["vintage", "population", "population_outside_home", "n_wards",
               "n_wards_outside_home", "n_wards_split", "aligned"]
    pd.testing.assert_frame_equal(demo_rows[columns].reset_index(drop=True),
                                  mine[mine["vintage"].isin([*LOOKUPS, *TODAY])][
                                      columns].reset_index(drop=True), check_dtype=False)
    trend = pd.read_csv(folder / "trend.csv")
    assert set(trend["scope_name"]) == {"England", "Birmingham"}
    assert "Since 1 April 2026 (ICB 2026, reconstructed), all" in demo.printed
    assert "175,800 residents of Birmingham in Aston" in demo.printed
