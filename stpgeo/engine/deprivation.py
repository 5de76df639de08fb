"""Who lives on each side of the border: residents by decile of deprivation.

Each block (LSOA) has residents, a council, a footprint and, from the English Indices of
Deprivation, a decile per index (1 = England's most deprived 10% of LSOAs). A block is on
its council's **home** side when its footprint is one of the council's home footprints
(:func:`stpgeo.engine.councils.home_footprints`), else **outside_home** (a block in no
footprint too). These functions count residents by council, side, index and decile,
and per ward the share in the most deprived 10% and 20%.

Residents of blocks without a figure are unknown and not counted; residents of blocks
without a decile are counted under an empty (missing) decile, never dropped.

Examples
--------
>>> import pandas as pd
>>> blocks = pd.DataFrame({"council": ["C", "C", "C"], "footprint": ["F1", "F1", "F2"],
...                        "population": [100.0, 300.0, 600.0], "ward": ["W", "W", "W"]},
...                       index=["b1", "b2", "b3"])
>>> deciles = pd.DataFrame({"IMD2019": [1, 5, 1]}, index=["b1", "b2", "b3"])
>>> table = deprivation_table(blocks, deciles, pd.Series({"C": ["F1"]}), councils=["C"])
>>> table[(table["decile"] == 1)][["side", "population"]].to_numpy().tolist()
[['home', 100], ['outside_home', 600]]
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

#: The sides of a council's border, and the deciles of an index.
SIDES = ("home", "outside_home")
DECILES = tuple(range(1, 11))
#: Columns of the tables made here.
DEPRIVATION_COLUMNS = ["council_code", "side", "index", "decile", "population"]
WARD_DEPRIVATION_COLUMNS = ["ward_code", "index", "population", "share_decile_1",
                            "share_deciles_1_2"]


def block_sides(blocks: pd.DataFrame, homes: pd.Series) -> pd.Series:
    """Each block's side of its council's border: ``home``, ``outside_home``, or NaN
    for a block of unknown council.

    Parameters
    ----------
    blocks
        ``council`` and ``footprint`` of each block (NaN when none).
    homes
        Council code → list of its home footprint codes.
    """
    homes_of = homes.to_dict()  # a dict: Series.get per block is slow on all of England
    home = [isinstance(c, str) and isinstance(f, str) and f in homes_of.get(c, ())
            for c, f in zip(blocks["council"].tolist(), blocks["footprint"].tolist(),
                            strict=True)]
    side = np.where(home, SIDES[0], SIDES[1]).astype(object)
    return pd.Series(np.where(blocks["council"].notna(), side, np.nan), index=blocks.index,
                     name="side", dtype=object)


def _decile(deciles: pd.DataFrame, index: str, blocks: pd.Index) -> pd.Series:
    return deciles[index].reindex(blocks).astype("Int64")


def deprivation_table(blocks: pd.DataFrame, deciles: pd.DataFrame, homes: pd.Series, *,
                      councils: Collection[str]) -> pd.DataFrame:
    """Residents of each council by side of its border, index and decile.

    Parameters
    ----------
    blocks
        One row per block: ``council``, ``footprint``, ``population`` (NaN when unknown).
    deciles
        A column of deciles per index, indexed by block code (from
        :func:`stpgeo.io.deprivation.read_deprivation`).
    homes
        Council code → list of its home footprint codes.
    councils
        The councils to count (e.g. those of the analysed wards).

    Returns
    -------
    pandas.DataFrame
        :data:`DEPRIVATION_COLUMNS`, sorted: every decile 1..10 of each side a council
        has residents on (zeros included), and a row of missing decile for residents
        whose block has none (only where there are some).
    """
    chosen = blocks[blocks["council"].isin(set(councils)) & blocks["population"].notna()]
    side = block_sides(chosen, homes)
    rows = []
    for index in deciles.columns:
        frame = pd.DataFrame({"council_code": chosen["council"], "side": side,
                              "decile": _decile(deciles, index, chosen.index),
                              "population": chosen["population"].astype(float)})
        counted = frame.groupby(["council_code", "side", "decile"], dropna=False)[
            "population"].sum()
        present = frame.groupby(["council_code", "side"])["population"].sum()
        present = present[present > 0].index
        full = pd.MultiIndex.from_tuples([(c, s, d) for c, s in present for d in DECILES],
                                         names=["council_code", "side", "decile"])
        unknown = counted[counted.index.get_level_values("decile").isna() & (counted > 0)]
        table = pd.concat([counted.reindex(full, fill_value=0.0), unknown]).reset_index()
        rows.append(table.assign(index=index))
    if not rows:
        return pd.DataFrame(columns=DEPRIVATION_COLUMNS)
    table = pd.concat(rows, ignore_index=True)
    table["decile"] = table["decile"].astype("Int64")
    table["population"] = pd.array(table["population"].round(), dtype="Int64")
    order = {i: n for n, i in enumerate(deciles.columns)}
    table = table.assign(order=table["index"].map(order)).sort_values(
        ["council_code", "side", "order", "decile"], na_position="last")
    return table[DEPRIVATION_COLUMNS].reset_index(drop=True)


def ward_deprivation(blocks: pd.DataFrame, deciles: pd.DataFrame, wards: pd.Index
                     ) -> pd.DataFrame:
    """Per ward and index: its residents with a decile, and the shares of them in
    England's most deprived 10% (decile 1) and 20% (deciles 1 and 2).

    Parameters
    ----------
    blocks
        ``ward`` (NaN for blocks in no ward) and ``population`` of each block.
    deciles
        A column of deciles per index, indexed by block code.
    wards
        Every analysed ward: each gets one row per index (shares NaN for a ward with
        no residents of known decile).

    Notes
    -----
    ``share_decile_1(W) = Σ residents of W's blocks in decile 1 / Σ residents of W's
    blocks with a decile``; likewise for deciles 1 and 2.
    """
    placed = blocks.dropna(subset=["ward", "population"])
    rows = []
    for index in deciles.columns:
        decile = _decile(deciles, index, placed.index)
        known = decile.notna().to_numpy()
        people = placed["population"].astype(float)[known]
        ward = placed["ward"][known]
        level = decile[known].astype(int)
        total = people.groupby(ward).sum().reindex(wards, fill_value=0.0)
        first = people[level == 1].groupby(ward[level == 1]).sum().reindex(wards, fill_value=0)
        two = people[level <= 2].groupby(ward[level <= 2]).sum().reindex(wards, fill_value=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            rows.append(pd.DataFrame({
                "ward_code": wards, "index": index,
                "population": pd.array(total.round().to_numpy(), dtype="Int64"),
                "share_decile_1": np.where(total > 0, first / total, np.nan),
                "share_deciles_1_2": np.where(total > 0, two / total, np.nan)}))
    if not rows:
        return pd.DataFrame(columns=WARD_DEPRIVATION_COLUMNS)
    return pd.concat(rows, ignore_index=True)[WARD_DEPRIVATION_COLUMNS]


def residents_by_decile(deciles: pd.DataFrame, population: pd.Series) -> dict[str, list[int]]:
    """All the residents of the blocks ranked, per index: a list of residents in deciles
    1 to 10 (the reference a council's share is compared with).

    Examples
    --------
    >>> deciles = pd.DataFrame({"IMD2019": [1, 10]}, index=["b1", "b2"])
    >>> residents_by_decile(deciles, pd.Series({"b1": 5, "b2": 7}))["IMD2019"][:2]
    [5, 0]
    """
    people = population.reindex(deciles.index)
    known = people.notna()
    return {index: [round(people[known & (deciles[index] == d)].sum()) for d in DECILES]
            for index in deciles.columns}
