"""Issue 13 on the real data: who lives on the wrong side of the border, and the GP practices.

The demo analyses England's wards against the STPs and CCGs of April 2017 with the IMD 2019
and the GP practices of Birmingham, Solihull and the Black Country. Every expected value is
computed here with plain pandas (and, for the practices, a plain point-in-polygon with
geopandas) from ONS lookup 143, the IMD file, the population file and the practices file,
never from a run of stpgeo.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

import stpgeo

from .conftest import DemoRun
from .ons import BIRMINGHAM

pytestmark = pytest.mark.realdata

IMD_FILE = "deprivation/imd2019_england_lsoa11_ranks_deciles.csv"
PRACTICES_FILE = "gp_practices/gp_practices_2017_birmingham_black_country.csv"
FOOTPRINT = {"stp17": "STP17CD", "ccg17": "CCG17CD"}


def ons_homes(lookup_143: Path, population_file: Path, footprint: str) -> set[str]:
    """Birmingham's home footprints by ONS lookup 143: the one holding most of its
    residents, and any whose residents live mostly in Birmingham."""
    table = pd.read_csv(lookup_143, usecols=["LSOA11CD", footprint, "LAD17CD"]).merge(
        pd.read_csv(population_file).rename(columns={"lsoa11_code": "LSOA11CD"}),
        on="LSOA11CD")
    mine = table[table["LAD17CD"] == BIRMINGHAM].groupby(footprint)["total_population"].sum()
    totals = table.groupby(footprint)["total_population"].sum()
    return {mine.idxmax()} | {f for f, n in mine.items() if n / totals[f] > 0.5}


def ons_residents_by_decile(data: Path, lookup_143: Path, population_file: Path,
                            footprint: str, column: str) -> pd.DataFrame:
    """Birmingham's residents by decile of ``column`` of the IMD file, on each side."""
    homes = ons_homes(lookup_143, population_file, footprint)
    table = pd.read_csv(lookup_143, usecols=["LSOA11CD", footprint, "LAD17CD"])
    table = table[table["LAD17CD"] == BIRMINGHAM].merge(
        pd.read_csv(population_file).rename(columns={"lsoa11_code": "LSOA11CD"}),
        on="LSOA11CD").merge(pd.read_csv(data / IMD_FILE).rename(
            columns={"lsoa_code": "LSOA11CD"}), on="LSOA11CD")
    table["side"] = table[footprint].isin(homes).map({True: "home", False: "outside_home"})
    counts = table.groupby(["side", column])["total_population"].sum()
    return counts.unstack("side", fill_value=0).reindex(range(1, 11), fill_value=0)


@pytest.mark.parametrize("name", ["stp17", "ccg17"])
@pytest.mark.parametrize(("index", "column"), [("IMD2019", "IMD_decile"),
                                               ("Health2019", "Health_decile")])
def test_birmingham_residents_by_decile_on_each_side_match_ons(
        demo: DemoRun, data: Path, lookup_143: Path, population_file: Path, name: str,
        index: str, column: str) -> None:
    expected = ons_residents_by_decile(data, lookup_143, population_file, FOOTPRINT[name],
                                       column)
    table = pd.read_csv(demo.folder / name / "deprivation.csv", dtype={"decile": "Int64"})
    mine = table[(table["council_code"] == BIRMINGHAM) & (table["index"] == index)]
    assert mine["decile"].notna().all()  # every Birmingham LSOA has a decile
    got = mine.pivot(index="decile", columns="side", values="population")
    assert got["home"].tolist() == expected["home"].tolist()
    assert got["outside_home"].tolist() == expected["outside_home"].tolist()
    assert expected["outside_home"].sum() == 175_800  # the seed's west Birmingham


def test_the_finding_on_deprivation_reads_as_the_issue_asks(
        demo: DemoRun, data: Path, lookup_143: Path, population_file: Path) -> None:
    expected = ons_residents_by_decile(data, lookup_143, population_file, "STP17CD",
                                       "IMD_decile")
    people = pd.read_csv(population_file).merge(
        pd.read_csv(data / IMD_FILE), left_on="lsoa11_code", right_on="lsoa_code")
    england = people.loc[people["IMD_decile"] == 1, "total_population"].sum() \
        / people["total_population"].sum()
    outside, home = expected["outside_home"], expected["home"]
    sentence = (f"Of the {outside.sum():,} Birmingham residents outside Birmingham and "
                f"Solihull, {outside[1] / outside.sum():.0%} live in England's most deprived "
                "10% of neighbourhoods by the Index of Multiple Deprivation 2019 (the rest of "
                f"Birmingham: {home[1] / home.sum():.0%}; England: {england:.0%}).")
    assert sentence in demo.printed
    report = (demo.folder / "report.html").read_text(encoding="utf-8")
    assert sentence.replace("'", "&#39;") in report


def _active_practices(data: Path) -> pd.DataFrame:
    practices = pd.read_csv(data / PRACTICES_FILE, dtype=str)
    return practices[(practices["StatusCode"] == "A") & (practices["PrescribingSetting"] == "4")]


@pytest.mark.parametrize("name", ["stp17", "ccg17"])
def test_practices_of_other_ccgs_in_birmingham_match_a_plain_point_in_polygon(
        demo: DemoRun, data: Path, lsoa: stpgeo.Layer, lookup_143: Path,
        population_file: Path, name: str) -> None:
    footprint = FOOTPRINT[name]
    lookup = pd.read_csv(lookup_143, usecols=["LSOA11CD", "CCG17CDH", footprint, "LAD17CD"])
    practices = _active_practices(data).dropna(subset=["lat", "long"])
    points = gpd.GeoDataFrame(practices, crs=4326, geometry=gpd.points_from_xy(
        practices["long"].astype(float), practices["lat"].astype(float))).to_crs(27700)
    birmingham = set(lookup.loc[lookup["LAD17CD"] == BIRMINGHAM, "LSOA11CD"])
    lsoas = lsoa.gdf.loc[lsoa.gdf["code"].isin(birmingham), ["code", "geometry"]]
    inside = gpd.sjoin(points, lsoas, predicate="within")
    ccg_footprint = lookup.drop_duplicates("CCG17CDH").set_index("CCG17CDH")[footprint]
    homes = ons_homes(lookup_143, population_file, footprint)
    away = inside[~inside["Provider"].map(ccg_footprint).isin(homes)]

    table = pd.read_csv(demo.folder / name / "practices.csv", dtype=str,
                        keep_default_na=False)
    mine = table[(table["council_code"] == BIRMINGHAM)
                 & (table["commissioner_is_home"] == "false")]
    assert len(away) > 0
    assert set(mine["practice_code"]) == set(away["OrganisationCode"])
    assert set(table.loc[table["council_code"] == BIRMINGHAM, "practice_code"]) == set(
        inside["OrganisationCode"])
    if name == "stp17":  # the finding reads the same count
        swb = away[away["Provider"] == "05L"]
        assert (f"{len(swb)} GP practices in Birmingham are members of NHS Sandwell and West "
                "Birmingham CCG, in The Black Country rather than Birmingham and Solihull."
                in demo.printed)


def test_a_practice_without_coordinates_is_kept_and_reported(demo: DemoRun,
                                                             data: Path) -> None:
    active = _active_practices(data)
    unplaced = active[active["lat"].isna() | active["long"].isna()]
    assert len(unplaced) == 1  # Balsall Common & Meriden, which could not be geocoded
    code = unplaced["OrganisationCode"].iloc[0]
    table = pd.read_csv(demo.folder / "stp17" / "practices.csv", dtype=str,
                        keep_default_na=False).set_index("practice_code")
    assert set(table.index) == set(active["OrganisationCode"])  # none dropped
    row = table.loc[code]
    assert (row["ward_code"], row["council_code"], row["commissioner_is_home"]) == ("", "", "")
    assert row["commissioner_code"] == unplaced["Provider"].iloc[0]
    summary = pd.read_json(demo.folder / "stp17" / "summary.json", typ="series")
    assert any(code in w and "no coordinates" in w for w in summary["warnings"])
    report = (demo.folder / "report.html").read_text(encoding="utf-8")
    quality = report[report.index('id="data-quality"'):]
    assert re.search(rf"{code} BALSALL COMMON &amp; MERIDEN GROUP PRACTICE", quality)


def test_built_footprint_files_keep_the_ons_field_names(demo: DemoRun) -> None:
    import pyogrio

    fields = list(pyogrio.read_info(demo.folder / "stp17_footprints.gpkg")["fields"])
    assert fields[:2] == ["STP17CD", "STP17NM"]
    assert stpgeo.read_layer(demo.folder / "stp17_footprints.gpkg").code_field == "STP17CD"
