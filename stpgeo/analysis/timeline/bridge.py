"""Across the change of building blocks: each 2021 LSOA in terms of the 2011 LSOAs.

ONS's bridge (LSOA11 → LSOA21, catalogue key ``lsoa11_lsoa21``) says how each 2021
LSOA came from the 2011 ones (``CHGIND``):

- **U**, unchanged, and **S**, split (one 2011 LSOA became several): the 2021 LSOA lies
  within one 2011 LSOA, and takes its ward, footprint and council of 2022 whole;
- **M**, merged (several 2011 LSOAs became one), and **X**, redrawn irregularly: the 2021
  LSOA takes each of its 2011 LSOAs' in proportion to their mid-2017 residents (equally
  where none are known). For X this is an approximation (a 2011 LSOA of an irregular
  change is counted whole beside each 2021 LSOA it overlaps); England has a handful.

So the 2021 residents (Census 2021) of a 2021 LSOA are shared among its 2011 LSOAs by
these weights, which sum to 1 per 2021 LSOA: what moved between July 2022 (built from
the 2011 LSOAs) and April 2024 (from the 2021 LSOAs) is counted with the later
vintage's residents, each once.

Examples
--------
>>> table = pd.DataFrame({"LSOA11CD": ["a", "b", "c", "d"], "LSOA21CD": ["A", "B1", "B2", "B2"],
...                       "CHGIND": ["U", "S", "M", "M"]})
>>> bridge = bridge_from(table, pd.Series({"a": 10, "b": 20, "c": 30, "d": 90}))
>>> bridge.weights[["new", "old", "weight"]].to_numpy().tolist()
[['A', 'a', 1.0], ['B1', 'b', 1.0], ['B2', 'c', 0.25], ['B2', 'd', 0.75]]
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from stpgeo.errors import StpgeoError, preview
from stpgeo.ons.generations import LSOA11, LSOA21

#: The bridge's change indicators, in words.
CHANGES = {"U": "unchanged", "S": "split", "M": "merged", "X": "redrawn irregularly"}


@dataclass(frozen=True)
class Bridge:
    """Each 2021 LSOA's 2011 LSOAs, with the share of it each stands for.

    Attributes
    ----------
    weights
        ``new`` (2021 LSOA), ``old`` (2011 LSOA), ``weight`` (summing to 1 per new),
        ``change`` (U, S, M, X).
    source
        The bridge's file.
    """

    weights: pd.DataFrame
    source: str

    def counts(self) -> dict[str, int]:
        """How many 2021 LSOAs came from each kind of change."""
        changes = self.weights.drop_duplicates("new")["change"].value_counts()
        return {CHANGES.get(str(k), str(k)): int(v) for k, v in changes.items()}

    def identity(self, codes: pd.Index) -> pd.DataFrame:
        """Weights for blocks of one generation: each block is itself."""
        return pd.DataFrame({"new": codes, "old": codes, "weight": 1.0, "change": "U"})


def bridge_from(table: pd.DataFrame, population: pd.Series | None) -> Bridge:
    """The bridge's weights from ONS's table and the 2011 LSOAs' residents.

    Raises
    ------
    StpgeoError
        When the table lacks the ``LSOA11CD``, ``LSOA21CD`` or ``CHGIND`` columns.
    """
    source = str(table.attrs.get("source", "LSOA11 → LSOA21 lookup"))
    columns = {str(c).upper(): c for c in table.columns}
    missing = [c for c in (LSOA11.field, LSOA21.field, "CHGIND") if c not in columns]
    if missing:
        raise StpgeoError(f"the LSOA bridge has no {', '.join(missing)} column; its columns "
                          f"are: {preview(table.columns, 12)}", source=source,
                          fix="give ONS's LSOA (2011) to LSOA (2021) lookup "
                          "(LSOA11_LSOA21_LAD22_EW_LU)")
    pairs = pd.DataFrame({"new": table[columns[LSOA21.field]].astype(object),
                          "old": table[columns[LSOA11.field]].astype(object),
                          "change": table[columns["CHGIND"]].astype(object)}).dropna(
        subset=["new", "old"]).drop_duplicates(["new", "old"])
    people = (population.reindex(pairs["old"].to_numpy()).astype(float).to_numpy()
              if population is not None else 0.0)
    pairs = pairs.assign(people=people).fillna({"people": 0.0})
    totals = pairs.groupby("new")["people"].transform("sum")
    parents = pairs.groupby("new")["old"].transform("size")
    pairs["weight"] = (pairs["people"] / totals).where(totals > 0, 1.0 / parents)
    return Bridge(weights=pairs[["new", "old", "weight", "change"]].reset_index(drop=True),
                  source=source)


def predecessors(bridge: Bridge, *, old_wards: pd.Series, new_wards: pd.Series,
                 population: pd.Series | None) -> pd.Series:
    """Each ward of the later generation's ward that holds most of its residents, earlier.

    ``old_wards`` and ``new_wards`` are block → ward of each generation; ``population``
    the later generation's residents per block (areas without any count as one each).
    """
    pairs = bridge.weights
    pairs = pairs[pairs["new"].isin(new_wards.index) & pairs["old"].isin(old_wards.index)]
    people = (population.reindex(pairs["new"].to_numpy()).fillna(0).to_numpy()
              if population is not None else 1.0)
    frame = pd.DataFrame({"new_ward": new_wards.reindex(pairs["new"].to_numpy()).to_numpy(),
                          "old_ward": old_wards.reindex(pairs["old"].to_numpy()).to_numpy(),
                          "amount": pairs["weight"].to_numpy() * people + 1e-9})
    frame = frame.dropna(subset=["new_ward", "old_ward"])
    best = (frame.groupby(["new_ward", "old_ward"])["amount"].sum().sort_values(
        ascending=False, kind="stable").reset_index().drop_duplicates("new_ward"))
    return best.set_index("new_ward")["old_ward"]
