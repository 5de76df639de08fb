"""Giving each building block (LSOA) one ward and one footprint, ONS best-fit style.

ONS publishes best-fit lookups (e.g. LSOA → 2016 ward, lookup 114) and exact ones
(LSOA → CCG → STP, lookup 143). Where such a lookup covers a target, it decides, as
it does for ONS. Everywhere else geometry decides: a block goes to the target holding
the largest part of its area — where "outside every target" competes too, so a block
that merely grazes the analysed wards is not pulled into them.

A lookup may cover only some targets (lookup 114 has 2016 ward codes; 1,981 of
England's 7,681 wards of 2013 are not in it). A block whose lookup target is one of
the analysed targets takes it (method ``lookup``). A block whose lookup target is not
analysed — or a block missing from the lookup — goes by geometry, but only to the
targets the lookup does not cover (method ``geometry``): a covered target's blocks are
exactly those the lookup gives it. Blocks that end up outside every target are
``outside``.

Examples
--------
>>> import pandas as pd
>>> overlaps = pd.DataFrame({"left": ["b1", "b1", "b2"], "right": ["W1", "W2", "W2"],
...                          "left_share": [0.49, 0.51, 0.2]})
>>> best_fit(overlaps, ["b1", "b2"]).tolist()
['W2', None]
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

OUTSIDE = None


def best_fit(overlaps: pd.DataFrame, blocks: Sequence[str],
             candidates: Collection[str] | None = None) -> pd.Series:
    """Each block's target by largest share of its area, or None when outside wins.

    Parameters
    ----------
    overlaps
        Block × target overlap table (``left`` block, ``right`` target, ``left_share``).
    blocks
        The blocks to place (the result is aligned with them).
    candidates
        The targets a block may go to (default: all). Shares of other targets count
        neither for them nor as "outside".

    Notes
    -----
    ``outside share = 1 − Σ shares of all targets``; a block goes to the eligible
    target with the largest share if that share beats the outside share (equal shares:
    the first in a descending sort of the table, as pandas orders it).
    """
    result_index = pd.Index(blocks)
    index = pd.Index(np.asarray(result_index, dtype=object), dtype=object)
    if not index.is_unique:
        raise ValueError("best_fit needs each block once")
    at = index.get_indexer(overlaps["left"].to_numpy(dtype=object))
    share = overlaps["left_share"].to_numpy(dtype=float)
    known = at >= 0
    # summed as pandas sums groups (compensated), by block position rather than by code
    covered = (pd.Series(share[known]).groupby(at[known]).sum()
               .reindex(np.arange(len(index)), fill_value=0.0).to_numpy())
    outside = np.clip(1.0 - covered, 0.0, None)
    rows = np.arange(len(overlaps))
    if candidates is not None:
        rows = rows[overlaps["right"].isin(set(candidates)).to_numpy()]
    # the largest share of each block: the first row in a descending sort of the table
    order = rows[pd.Series(share[rows]).sort_values(ascending=False).index.to_numpy()]
    order = order[at[order] >= 0]
    placed, first = np.unique(at[order], return_index=True)
    chosen = order[first]
    target = np.full(len(index), None, dtype=object)
    target[placed] = overlaps["right"].to_numpy(dtype=object)[chosen]
    best = np.zeros(len(index))
    best[placed] = share[chosen]
    target[~(pd.notna(target) & (best > outside))] = OUTSIDE
    return pd.Series(target, index=result_index, dtype=object)


@dataclass(frozen=True)
class Assignment:
    """Each block's target and how it was decided."""

    table: pd.DataFrame
    """Indexed by block code: ``target``, ``method`` (lookup / geometry / outside),
    ``geometric`` (the geometric best fit among all targets, for comparison)."""
    covered: frozenset[str]
    """Targets the lookup covers (empty without a lookup)."""


def assign_blocks(blocks: Sequence[str], overlaps: pd.DataFrame, targets: Collection[str],
                  lookup: pd.Series | None = None) -> Assignment:
    """Give each block one target: by the lookup where it covers the target, else geometry.

    Parameters
    ----------
    blocks
        Block codes.
    overlaps
        Block × target overlap table from :func:`stpgeo.engine.overlap.overlap_table`.
    targets
        The codes of the analysed targets.
    lookup
        Optional block → target code mapping (an ONS best-fit or exact lookup).
    """
    targets = set(targets)
    geometric = best_fit(overlaps, blocks)
    if lookup is None:
        method = np.where(geometric.notna(), "geometry", "outside")
        table = pd.DataFrame({"target": geometric, "method": method, "geometric": geometric})
        return Assignment(table, frozenset())
    listed = lookup.reindex(blocks)
    covered = frozenset(targets & set(lookup.dropna().unique()))
    by_lookup = listed.isin(targets)
    fallback = best_fit(overlaps, blocks, candidates=targets - covered)
    target = pd.Series(np.where(by_lookup, listed.astype(object), fallback.to_numpy()),
                       index=pd.Index(blocks), dtype=object)
    method = np.where(by_lookup, "lookup", np.where(target.notna(), "geometry", "outside"))
    table = pd.DataFrame({"target": target, "method": method, "geometric": geometric})
    return Assignment(table, covered)
