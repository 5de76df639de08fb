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
