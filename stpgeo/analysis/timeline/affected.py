"""``deprivation.csv``: who lives outside their council's home footprints, by decile.

For each vintage whose generation has deciles of deprivation (by default the IMD 2019
for the 2011 LSOAs, the Indices of Deprivation 2025 for the 2021 LSOAs), the residents
of England and of each council asked, by index (the IMD and its Health domain) and
decile (1 = England's most deprived 10% of LSOAs): ``scope_code, scope_name, vintage,
index, decile, population, population_outside_home``. Exact, from the blocks
(:func:`stpgeo.engine.deprivation.deprivation_table`); residents of blocks without a
decile are counted under an empty decile.

Examples
--------
>>> import pandas as pd
>>> from types import SimpleNamespace
>>> every = pd.DataFrame({"council": ["C", "C"], "footprint": ["F1", "F2"],
...                       "population": [100.0, 50.0]}, index=["b1", "b2"])
>>> result = SimpleNamespace(every=every, homes=pd.Series({"C": ["F1"]}), name="ICB24")
>>> deciles = pd.DataFrame({"IMD2025": [3, 1]}, index=["b1", "b2"])
>>> rows = deprivation_rows(result, deciles, {})
>>> rows[rows["decile"] == 1][["population", "population_outside_home"]].to_numpy().tolist()
[[50, 50]]
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import pandas as pd

from stpgeo.analysis.timeline.tables import ENGLAND
from stpgeo.engine.deprivation import deprivation_table

DEPRIVATION = ["scope_code", "scope_name", "vintage", "index", "decile", "population",
               "population_outside_home"]
#: The indices the timeline reports (the IMD and its Health domain, of any year).
INDICES = ("IMD", "Health")


def deprivation_rows(result: Any, deciles: pd.DataFrame,
                     scopes: Mapping[str, tuple[str, Collection[str]]]) -> pd.DataFrame:
    """One vintage's rows: England, then each council asked (summing its lineage).

    ``result`` is a :class:`~stpgeo.analysis.timeline.vintage.VintageResult` (``every``,
    ``homes``, ``name``); ``scopes`` as :func:`~.tables.trend_rows` takes them.
    """
    indices = [c for c in deciles.columns if str(c).startswith(INDICES)]
    every = result.every.dropna(subset=["council"])
    table = deprivation_table(every, deciles[indices], result.homes,
                              councils=set(every["council"]))
    table["outside"] = table["population"].where(table["side"] == "outside_home", 0)
    keys = ["index", "decile"]
    england = table.groupby(keys, dropna=False, sort=False)[["population", "outside"]].sum()
    rows = [england.reset_index().assign(scope_code=ENGLAND, scope_name="England")]
    # each council belongs to one scope (the lineages of different councils asked are
    # disjoint): one groupby for all of them
    scope_of = {c: code for code, (_, lineage) in scopes.items() for c in lineage}
    mine = table.assign(scope_code=table["council_code"].map(scope_of)).dropna(
        subset=["scope_code"])
    if len(mine):
        summed = mine.groupby(["scope_code", *keys], dropna=False, sort=False)[
            ["population", "outside"]].sum().reset_index()
        names = {code: name for code, (name, _) in scopes.items()}
        rows.append(summed.assign(scope_name=summed["scope_code"].map(names)))
    rows = [r.assign(vintage=result.name) for r in rows]
    if not rows:
        return pd.DataFrame(columns=DEPRIVATION)
    found = pd.concat(rows, ignore_index=True).rename(
        columns={"outside": "population_outside_home"})
    found["decile"] = found["decile"].astype("Int64")
    for column in ("population", "population_outside_home"):
        found[column] = found[column].astype("int64")
    return found[DEPRIVATION]
