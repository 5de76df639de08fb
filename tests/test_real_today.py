"""Issue 20, "Today's map", on the real data: the vintages built from the 2021 LSOAs.

Every expectation is computed here with plain pandas from ONS's lookups (the April 2024
LSOA21 → SICBL24 → ICB24 → LAD24 lookup, the reconstructed April 2026 one, LAD22 →
LAD23, the LSOA bridge), Census 2021 and the IoD 2025 (:func:`_outside_home`, the
project's home-footprint rule written out again), never from a run of stpgeo.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import stpgeo
from stpgeo import StpgeoError
from stpgeo.analysis.timeline.result import Timeline

from .ons import BIRMINGHAM

pytestmark = pytest.mark.realdata

LOOKUP_24 = "lookups/LSOA21_SICBL24_ICB24_LAD24_EN_LU.csv"
LOOKUP_26 = "proposals/LSOA21_SICBL26_ICB26_EN_reconstructed.csv"
CENSUS = "population/lsoa21_population_census2021.csv"
#: vintage: (lookup, footprint column); the councils are LAD24CD in both
TODAY = {"SICBL24": (LOOKUP_24, "SICBL24CD"), "ICB24": (LOOKUP_24, "ICB24CD"),
         "SICBL26": (LOOKUP_26, "SICBL26CD"), "ICB26": (LOOKUP_26, "ICB26CD")}
WESTMORLAND = "E06000064"
#: Barrow-in-Furness, Eden, South Lakeland (LAD22_LAD23_EW_LU: they became E06000064)
CUMBRIA_SOUTH = {"E07000027", "E07000030", "E07000031"}


@pytest.fixture(scope="module")
def census(data: Path) -> pd.Series:
    table = pd.read_csv(data / CENSUS, dtype={"LSOA21CD": str})
    return table.set_index("LSOA21CD")["total_population"]


@pytest.fixture(scope="module")
def lookups(data: Path) -> dict[str, pd.DataFrame]:
    return {file: pd.read_csv(data / file, dtype=str) for file in (LOOKUP_24, LOOKUP_26)}


def _blocks(lookups: dict[str, pd.DataFrame], census: pd.Series, vintage: str) -> pd.DataFrame:
    file, footprint = TODAY[vintage]
    table = lookups[file]
    return pd.DataFrame({"footprint": table[footprint].to_numpy(),
                         "council": table["LAD24CD"].to_numpy(),
                         "residents": table["LSOA21CD"].map(census).to_numpy()},
                        index=table["LSOA21CD"].to_numpy())


def _homes(blocks: pd.DataFrame) -> dict[str, set[str]]:
    """The home-footprint rule: the footprint holding most of a council's residents, and
    every footprint whose residents live mostly in the council."""
    amounts = blocks.groupby(["council", "footprint"])["residents"].sum()
    totals = blocks.groupby("footprint")["residents"].sum()
    homes: dict[str, set[str]] = {}
    for (council, footprint), n in amounts.sort_values(ascending=False).items():
        if council not in homes:
            homes[council] = {footprint}
        elif n / totals[footprint] > 0.5:
            homes[council].add(footprint)
    return homes


def _outside_home(blocks: pd.DataFrame) -> pd.Series:
    homes = _homes(blocks)
    away = [f not in homes[c] for c, f in zip(blocks["council"], blocks["footprint"],
                                              strict=True)]
    return blocks[away].groupby("council")["residents"].sum().reindex(
        sorted(homes), fill_value=0)


def test_every_council_of_england_in_every_2021_based_vintage(
        national_timeline: Timeline, lookups: dict[str, pd.DataFrame],
        census: pd.Series) -> None:
    trend = national_timeline.trend
    england = trend[trend["scope_code"] == "E92000001"].set_index("vintage")
    for vintage in TODAY:
        expected = _outside_home(_blocks(lookups, census, vintage))
        rows = national_timeline.timeline[national_timeline.timeline["vintage"] == vintage]
        found = rows.set_index("council_code")["population_outside_home"].sort_index()
        assert found.to_dict() == expected.astype("int64").to_dict(), vintage
        assert england.loc[vintage, "councils_not_aligned"] == int((expected > 0).sum())
        assert england.loc[vintage, "population_outside_home"] == int(expected.sum())
        assert england.loc[vintage, "n_councils"] == 296
        assert england.loc[vintage, "residents"] == Path(CENSUS).name
        assert england.loc[vintage, "generation"] == "lsoa21"
        assert bool(england.loc[vintage, "reconstructed"]) == vintage.endswith("26")
        named = set(england.loc[vintage, "not_aligned_codes"].split(";"))
        assert named == set(expected[expected > 0].index)


def test_birmingham_is_aligned_with_its_icb_today(national_timeline: Timeline) -> None:
    rows = national_timeline.timeline
    mine = rows[(rows["council_code"] == BIRMINGHAM)].set_index("vintage")
    assert mine.loc["ICB24", "aligned"]
    assert mine.loc["ICB24", "home_footprint_codes"] == "E54000055"
    assert mine.loc["ICB26", "aligned"]


def test_the_2026_mergers_fix_some_councils_not_all(national_timeline: Timeline,
                                                    lookups: dict[str, pd.DataFrame],
                                                    census: pd.Series) -> None:
    before = _outside_home(_blocks(lookups, census, "ICB24"))
    after = _outside_home(_blocks(lookups, census, "ICB26"))
    fixed = set(before[(before > 0) & (after == 0)].index)
    still = set(after[after > 0].index)
    assert WESTMORLAND in still
    assert fixed
    story = " ".join(national_timeline.findings())
    names = national_timeline.timeline.drop_duplicates("council_code").set_index(
        "council_code")["council_name"]
    sentence = next(s for s in national_timeline.findings()
                    if s.startswith("On 1 April 2026 (ICB 2026, reconstructed)"))
    assert f"{len(still)} of 296 councils were not aligned" in sentence
    assert all(names[c] in sentence for c in still)
    assert "With the changes of 1 April 2026 (ICB 2026, reconstructed)" in story


@pytest.fixture(scope="module")
def westmorland(wards_2013: stpgeo.Layer, clean_lsoa: stpgeo.Layer, population: pd.Series,
                lookup_114: Path) -> Timeline:
    """Westmorland and Furness alone (its wards and its neighbours'), every vintage."""
    return stpgeo.timeline("Westmorland and Furness", wards=wards_2013, blocks=clean_lsoa,
                           population=population, block_wards=lookup_114)


def test_westmorland_and_furness_has_one_history(national_timeline: Timeline,
                                                 westmorland: Timeline, data: Path,
                                                 tmp_path: Path) -> None:
    successors = pd.read_csv(data / "lookups/LAD22_LAD23_EW_LU.csv", dtype=str)
    predecessors = set(successors.loc[successors["LAD23CD"] == WESTMORLAND, "LAD22CD"])
    assert predecessors == CUMBRIA_SOUTH
    people = pd.read_csv(data / "population/lsoa11_population_mid2017.csv",
                         dtype={"lsoa11_code": str}).set_index("lsoa11_code")["total_population"]
    lookup_22 = pd.read_csv(data / "lookups/LSOA11_SICBL22_ICB22_LAD22_EN_LU.csv", dtype=str)
    residents_22 = int(lookup_22.loc[lookup_22["LAD22CD"].isin(predecessors), "LSOA11CD"]
                       .map(people).sum())
    trend = national_timeline.trend
    mine = trend[trend["scope_code"] == WESTMORLAND].set_index("vintage")
    assert list(mine.index) == [v.name for v in national_timeline.vintages]  # every vintage
    assert mine.loc["ICB22", "n_councils"] == 3
    assert mine.loc["ICB22", "population"] == residents_22
    assert mine.loc["ICB24", "n_councils"] == 1
    assert mine.loc["CCG15", "n_councils"] == 3
    assert set(mine["scope_name"]) == {"Westmorland and Furness"}
    alone = westmorland.trend[westmorland.trend["scope_code"] == WESTMORLAND]
    pd.testing.assert_frame_equal(alone.set_index("vintage"),  # the same figures alone
                                  mine.loc[alone["vintage"]])
    out = westmorland.write(tmp_path / "timeline")
    written = pd.read_csv(out / "trend.csv")
    assert (written["scope_code"] == WESTMORLAND).sum() == len(westmorland.vintages)
    html = (out / "timeline.html").read_text(encoding="utf-8")
    assert ("Westmorland and Furness was formed on 1 April 2023 from Barrow-in-Furness, Eden "
            "and South Lakeland") in html
    assert 'data-council="E06000064"' in html
    for vintage in ("CCG15", "ICB22", "ICB24", "ICB26"):
        assert f'<figure data-vintage="{vintage}">' in html


def test_moves_across_the_change_of_blocks(national_timeline: Timeline,
                                           lookups: dict[str, pd.DataFrame],
                                           census: pd.Series) -> None:
    # Eden's residents in the North East and North Cumbria ICB: home for Eden in 2022, not
    # for Westmorland and Furness (whose home is Lancashire and South Cumbria) in 2024
    blocks = _blocks(lookups, census, "ICB24")
    homes = _homes(blocks)[WESTMORLAND]
    mine = blocks[(blocks["council"] == WESTMORLAND) & ~blocks["footprint"].isin(homes)]
    moves = national_timeline.moves
    moved = moves[(moves["council_code"] == WESTMORLAND) & (moves["to_vintage"] == "ICB24")]
    assert moved["direction"].tolist() == ["out_of_home"]
    assert moved["population"].tolist() == [int(mine["residents"].sum())]
    assert set(moved["to_footprint"]) == set(mine["footprint"])
    changes = national_timeline.changes
    across = changes[(changes["from_vintage"] == "ICB22") & (changes["to_vintage"] == "ICB24")
                     & (changes["council_code"] == WESTMORLAND)]
    assert set(across["to_verdict"]) == {"outside_home"}
    assert set(across["from_verdict"]) == {"within"}
    assert across["from_ward_code"].notna().all()


def test_who_lives_outside_today_by_imd_2025(national_timeline: Timeline, data: Path,
                                             lookups: dict[str, pd.DataFrame],
                                             census: pd.Series) -> None:
    deciles = pd.read_csv(data / "deprivation/imd2025_england_lsoa21.csv",
                          dtype={"lsoa21_code": str}).set_index("lsoa21_code")["IMD_decile"]
    blocks = _blocks(lookups, census, "ICB26")
    homes = _homes(blocks)
    away = blocks[[f not in homes[c] for c, f in zip(blocks["council"], blocks["footprint"],
                                                     strict=True)]]
    expected = away["residents"].groupby(away.index.map(deciles).astype(int)).sum()
    table = national_timeline.deprivation
    rows = table[(table["scope_code"] == "E92000001") & (table["vintage"] == "ICB26")
                 & (table["index"] == "IMD2025")].set_index("decile")
    found = rows["population_outside_home"]
    assert found[found > 0].to_dict() == expected.to_dict()
    assert set(table.loc[table["vintage"] == "ICB26", "index"]) == {"IMD2025", "Health2025"}


def test_the_2026_map_as_a_proposal_on_2024_equals_the_2026_vintage(
        national_timeline: Timeline) -> None:
    rows = national_timeline.timeline.set_index(["vintage", "council_code"])
    proposal = rows.loc["icb26_on_icb24", "population_outside_home"].sort_index()
    vintage = rows.loc["ICB26", "population_outside_home"].sort_index()
    assert proposal.to_dict() == vintage.to_dict()
    base = next(v for v in national_timeline.vintages if v.name == "icb26_on_icb24")
    assert base.generation.key == "lsoa21"


def test_a_merger_on_todays_map(national_timeline: Timeline, lookups: dict[str, pd.DataFrame],
                                census: pd.Series) -> None:
    # Frimley and Surrey Heartlands (E54000063 since 2023) merged: the latest map holding
    # both codes is April 2024's (Frimley is gone in 2026)
    blocks = _blocks(lookups, census, "ICB24")
    merged = blocks.assign(footprint=blocks["footprint"].replace(
        {"E54000034": "P01", "E54000063": "P01"}))
    expected = _outside_home(merged)
    rows = national_timeline.timeline[national_timeline.timeline["vintage"]
                                      == "surrey_frimley_24"].set_index("council_code")
    assert rows["population_outside_home"].sort_index().to_dict() == expected.to_dict()
    proposal = national_timeline.vintage("surrey_frimley_24")
    assert proposal.base == "ICB24"
    assert proposal.title == "proposal surrey_frimley_24 (ICBs, on ICB24)"


def test_mixed_generations_are_refused(data: Path, clean_lsoa: stpgeo.Layer) -> None:
    lsoa21 = data / "lsoa/lsoa21_ew_bsc_v4.gpkg"
    mid2017 = data / "population/lsoa11_population_mid2017.csv"
    with pytest.raises(StpgeoError, match=r"blocks \(lsoa21_ew_bsc_v4.gpkg\) are of the 2021 "
                       r"LSOAs but the population table \(lsoa11_population_mid2017.csv\) is "
                       r"of the 2011 LSOAs"):
        stpgeo.timeline("Birmingham", vintages="ICB24", blocks=lsoa21, population=mid2017)
    with pytest.raises(StpgeoError, match=r"2021 LSOAs.*2011 LSOAs"):
        stpgeo.analyse(data / "wards/wd24_uk_bsc_may2024.gpkg",
                       data / "icb/icb23_en_bsc_apr2023.geojson", blocks=lsoa21,
                       population=mid2017)
    # a lookup of the 2011 LSOAs with blocks of 2021
    with pytest.raises(StpgeoError, match=r"are of the 2021 LSOAs, but the vintages asked "
                       r"\(ICB22\) are built from the 2011 LSOAs"):
        stpgeo.timeline("Birmingham", vintages="ICB22", blocks=lsoa21)
    with pytest.raises(StpgeoError, match=r"lookup \(143_LSOA11.*\) is of the 2011 LSOAs"):
        stpgeo.build_footprints(lsoa21, data / "lookups/143_LSOA11_CCG17_STP17_LAD17_EN_LU.csv",
                                by="STP17CD")
    # a proposal of LSOA codes of neither generation
    bogus = pd.DataFrame({"code": ["E01099998", "E01099999"], "proposed_code": ["P1", "P1"],
                          "proposed_name": ["Nowhere", "Nowhere"]})
    with pytest.raises(StpgeoError, match="LSOAs of neither the 2011 LSOAs nor the 2021 LSOAs"):
        stpgeo.timeline("Birmingham", vintages="ICB22,ICB24", blocks=clean_lsoa,
                        proposals=[stpgeo.read_proposal(bogus, name="bogus")])


def test_an_analysis_and_a_build_on_the_2021_lsoas(data: Path, lookups: dict[str, pd.DataFrame],
                                                  census: pd.Series) -> None:
    lsoa21 = stpgeo.read_layer(data / "lsoa/lsoa21_ew_bsc_v4.gpkg")
    assert (lsoa21.kind, lsoa21.vintage, lsoa21.code_field) == ("lsoa", 2021, "LSOA21CD")
    lookup = data / LOOKUP_24
    icbs = stpgeo.build_footprints(lsoa21, lookup, by="ICB24CD", population=data / CENSUS)
    assert (len(icbs), icbs.kind, icbs.vintage) == (42, "stp", 2024)
    wards = stpgeo.read_layer(data / "wards/wd24_uk_bsc_may2024.gpkg")
    england = stpgeo.Layer(wards.gdf[wards.gdf["code"].str.startswith("E")], source=wards.source,
                           kind="ward", code_field="WD24CD", vintage=2024)
    result = stpgeo.analyse(england, icbs, councils=lookup, blocks=lsoa21,
                            population=data / CENSUS,
                            block_wards=data / "lookups/LSOA21_WD24_LAD24_EW_LU.csv",
                            block_footprints=lookup)
    expected = _outside_home(_blocks(lookups, census, "ICB24"))
    councils = result.councils.set_index("council_code")["population_outside_home"]
    assert councils.round().astype("int64").sort_index().to_dict() == expected.to_dict()
    assert result.councils.set_index("council_code").loc[BIRMINGHAM,
                                                         "population_outside_home"] == 0
