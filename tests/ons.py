"""Expectations computed from ONS's own lookups, never from a run of stpgeo."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

BIRMINGHAM = "E08000025"
#: As issue 4 says: Birmingham and the councils sharing its STPs.
NEIGHBOURS = {"Birmingham", "Solihull", "Sandwell", "Dudley", "Walsall", "Wolverhampton"}


def ons_neighbours(lookup_143: Path) -> dict[str, str]:
    """Councils with LSOAs in an STP holding Birmingham's LSOAs (code: name), per ONS
    lookup 143 (LSOA → CCG17 → STP17 → LAD17)."""
    table = pd.read_csv(lookup_143, usecols=["STP17CD", "LAD17CD", "LAD17NM"])
    stps = set(table.loc[table["LAD17CD"] == BIRMINGHAM, "STP17CD"])
    inside = table[table["STP17CD"].isin(stps)]
    return dict(zip(inside["LAD17CD"], inside["LAD17NM"], strict=True))


def ons_outside_home(table: pd.DataFrame, footprint: str, council: str,
                     population_file: Path) -> pd.Series:
    """Each council's residents living outside its home footprints, as an LSOA lookup and
    the population file imply: home is the footprint holding most of the council's
    residents plus any footprint whose residents live mostly in the council."""
    people = pd.read_csv(population_file).rename(columns={"lsoa11_code": "LSOA11CD",
                                                          "total_population": "residents"})
    blocks = table[["LSOA11CD", footprint, council]].merge(
        people[["LSOA11CD", "residents"]], on="LSOA11CD")
    amounts = blocks.groupby([council, footprint])["residents"].sum().rename("n").reset_index()
    amounts = amounts[amounts["n"] > 0]
    totals = blocks.groupby(footprint)["residents"].sum()
    homes = {c: {f} for c, f in amounts.sort_values("n", ascending=False)
             .drop_duplicates(council)[[council, footprint]].itertuples(index=False)}
    mostly = amounts[amounts["n"] / amounts[footprint].map(totals) > 0.5]
    for c, f in mostly[[council, footprint]].itertuples(index=False):
        homes[c].add(f)
    away = [f not in homes.get(c, set()) for c, f in zip(blocks[council], blocks[footprint],
                                                        strict=True)]
    outside = blocks[away].groupby(council)["residents"].sum()
    return outside.reindex(sorted(set(blocks[council])), fill_value=0)
