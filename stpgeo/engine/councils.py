"""Which council each ward belongs to, and each council's home footprints.

A ward's council comes, in order, from: the ward layer itself when it holds
councils; a ward → council map (from a lookup such as ONS 032, WD16CD → LAD16CD, or
a council column of the ward file); otherwise from its blocks — the council holding
most of its blocks' residents (or area) by a block → council map (e.g. from ONS 143,
LSOA11CD → LAD17CD). A ward none of these place keeps an unknown council and is
reported, never dropped. Where the maps come from is decided by
:mod:`stpgeo.analysis.council_sources`.

A council's home footprints are the footprint holding most of its residents (else
most of its area) plus every other footprint whose residents live mostly in this
council. In 2017 Birmingham's home CCGs are CrossCity and South and Central; Sandwell
and West Birmingham CCG, mostly in Sandwell, is not home. A footprint's residents
are counted from all of its blocks, not only those in the analysed wards.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def ward_councils(wards: pd.DataFrame, *, ward_map: pd.Series | None,
                  block_map: pd.Series | None, own_kind: str | None,
                  block_wards: pd.Series | None, weights: pd.Series | None,
                  block_areas: pd.DataFrame | None) -> pd.DataFrame:
    """Each ward's council and how it was found.

    Parameters
    ----------
    wards
        ``code`` (and ``name``) of the analysed wards.
    ward_map, block_map
        Ward code → council code and block code → council code (either may be None),
        from the council lookups (see :mod:`stpgeo.analysis.council_sources`).
    own_kind
        The kind of the ward layer; a layer of councils is its own council.
    block_wards
        Each block's ward (from :mod:`stpgeo.engine.assign`), to place wards missing from
        the ward map by their blocks.
    weights
        Residents per block (None: use area).
    block_areas
        Block × ward overlap table (``left`` block, ``right`` ward, ``area_m2``), used
        for the area fallback.

    Returns
    -------
    pandas.DataFrame
        Indexed by ward code: ``council_code``, ``council_method``
        (self / lookup / blocks / unknown).
    """
    codes = wards["code"]
    council = pd.Series(np.nan, index=codes.to_numpy(), dtype=object)
    method = pd.Series("unknown", index=codes.to_numpy(), dtype=object)
    if own_kind == "council":
        council[:] = codes.to_numpy()
        method[:] = "self"
    elif ward_map is not None:
        found = ward_map.reindex(council.index)
        council = found.astype(object)
        method[found.notna()] = "lookup"
    missing = council.isna()
    if missing.any() and block_map is not None and block_wards is not None:
        by_blocks = _council_by_blocks(block_wards, block_map, weights, block_areas)
        fill = by_blocks.reindex(council.index[missing])
        council[missing] = fill.to_numpy()
        method[missing & council.notna()] = "blocks"
    return pd.DataFrame({"council_code": council, "council_method": method})


def _council_by_blocks(block_wards: pd.Series, block_map: pd.Series, weights: pd.Series | None,
                       block_areas: pd.DataFrame | None) -> pd.Series:
    """Each ward's council by the most residents of its blocks (or, lacking any, area)."""
    frame = pd.DataFrame({"ward": block_wards, "council": block_map.reindex(block_wards.index)})
    frame = frame.dropna()
    frame["weight"] = weights.reindex(frame.index).fillna(0).to_numpy() if weights is not None \
        else 0.0
    by_people = (frame[frame["weight"] > 0].groupby(["ward", "council"])["weight"].sum()
                 .sort_values(ascending=False).reset_index().drop_duplicates("ward")
                 .set_index("ward")["council"])
    if block_areas is None:
        return by_people
    pieces = block_areas.assign(council=block_map.reindex(block_areas["left"]).to_numpy())
    by_area = (pieces.dropna(subset=["council"]).groupby(["right", "council"])["area_m2"].sum()
               .sort_values(ascending=False).reset_index().drop_duplicates("right")
               .set_index("right")["council"])
    return by_people.combine_first(by_area)


def home_footprints(council_footprint: pd.DataFrame, footprint_totals: pd.Series) -> pd.Series:
    """Each council's home footprints, as sorted lists of codes.

    Parameters
    ----------
    council_footprint
        ``council``, ``footprint``, ``amount`` (residents, or m² when there are none).
    footprint_totals
        Each footprint's total amount (all its residents, or its whole area).

    Notes
    -----
    ``home(C) = {argmax_f amount(C, f)} ∪ {f : amount(C, f) / total(f) > 1/2}``.
    """
    table = council_footprint[council_footprint["amount"] > 0]
    main = (table.sort_values("amount", ascending=False).drop_duplicates("council")
            .set_index("council")["footprint"])
    share = table["amount"] / footprint_totals.reindex(table["footprint"]).to_numpy()
    mostly = table[share > 0.5].groupby("council")["footprint"].agg(set)
    homes = {c: sorted({f} | mostly.get(c, set())) for c, f in main.items()}
    return pd.Series(homes, dtype=object)


def block_homes(blocks: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Each council's home footprints from its blocks' residents, and each footprint's.

    Parameters
    ----------
    blocks
        One row per block — every block of every footprint, not only those of the
        analysed wards: ``council``, ``footprint`` and ``population``.

    Returns
    -------
    homes, totals
        Council code → sorted home footprint codes (:func:`home_footprints`), and each
        footprint's residents.

    Examples
    --------
    >>> blocks = pd.DataFrame({"council": ["C1", "C1", "C2", "C2"],
    ...                        "footprint": ["F1", "F2", "F2", "F2"],
    ...                        "population": [900, 100, 50, 60]})
    >>> homes, totals = block_homes(blocks)
    >>> homes.to_dict(), totals.to_dict()
    ({'C1': ['F1'], 'C2': ['F2']}, {'F1': 900, 'F2': 210})
    """
    placed = blocks.dropna(subset=["footprint"])
    amounts = placed.dropna(subset=["council"]).groupby(["council", "footprint"])[
        "population"].sum()
    totals = placed.groupby("footprint")["population"].sum()
    table = amounts.rename("amount").rename_axis(["council", "footprint"]).reset_index()
    return home_footprints(table, totals), totals


def council_residents(blocks: pd.DataFrame, homes: pd.Series) -> pd.DataFrame:
    """Each council's residents, and those of them living outside its home footprints.

    Exact, from the blocks: a council's blocks are those its lookup column gives it,
    whichever wards they lie in. Blocks in no footprint are left out of
    ``population_outside_home`` (they are in no footprint at all).

    Parameters
    ----------
    blocks
        ``council``, ``footprint`` and ``population`` of every block.
    homes
        Council code → its home footprint codes.

    Returns
    -------
    pandas.DataFrame
        Indexed by council code, sorted: ``population``, ``population_outside_home``
        and ``population_in_no_footprint``.

    Notes
    -----
    ``outside(C) = Σ residents(b)`` over the blocks ``b`` of ``C`` whose footprint is not
    one of ``C``'s home footprints.

    Examples
    --------
    >>> blocks = pd.DataFrame({"council": ["C1", "C1", "C1"], "footprint": ["F1", "F2", None],
    ...                        "population": [900, 100, 7]})
    >>> council_residents(blocks, pd.Series({"C1": ["F1"]})).loc["C1"].tolist()
    [1007, 100, 7]
    """
    placed = blocks.dropna(subset=["council"])
    home_pairs = pd.MultiIndex.from_tuples(
        [(c, f) for c, codes in homes.items() for f in codes], names=["council", "footprint"])
    pairs = pd.MultiIndex.from_arrays([placed["council"].astype(object),
                                       placed["footprint"].astype(object)])
    in_home = pairs.isin(home_pairs) if len(home_pairs) else np.zeros(len(placed), dtype=bool)
    people = placed["population"].fillna(0)
    in_footprint = placed["footprint"].notna().to_numpy()
    table = pd.DataFrame({
        "population": people,
        "population_outside_home": people.where(in_footprint & ~in_home, 0),
        "population_in_no_footprint": people.where(~in_footprint, 0),
    }).groupby(placed["council"].to_numpy()).sum()
    table.index.name = "council_code"
    return table.sort_index()
