"""Ward × footprint tables summed from the ward × block table, for footprints of whole blocks.

A footprint built from whole blocks (a CCG, STP, sub-ICB location or ICB is a set
of whole 2011 LSOAs) needs no overlay of its own: the part of a ward inside it is
the sum of the parts of the ward inside each of its blocks, which the block × ward
overlap table (:func:`stpgeo.engine.overlap.overlap_table`, computed once per run)
already holds. Every vintage of footprints, and any proposed one, is then a
group-by of that table with the vintage's block → footprint lookup.

Examples
--------
>>> import pandas as pd
>>> blocks = pd.DataFrame({"left": ["b1", "b2", "b2"], "right": ["W1", "W1", "W2"],
...                        "area_m2": [3.0, 1.0, 4.0]})
>>> overlaps_from_blocks(blocks, pd.Series({"b1": "F1", "b2": "F2"}),
...                      pd.Series({"W1": 4.0, "W2": 5.0}))
  left right  area_m2  left_share
0   W1    F1      3.0        0.75
1   W1    F2      1.0        0.25
2   W2    F2      4.0        0.80
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def overlaps_from_blocks(block_overlaps: pd.DataFrame, block_footprints: pd.Series,
                         ward_areas: pd.Series) -> pd.DataFrame:
    """The ward × footprint overlap table of footprints made of whole blocks.

    Parameters
    ----------
    block_overlaps
        The block × ward overlap table: ``left`` (block), ``right`` (ward), ``area_m2``.
    block_footprints
        Block code → footprint code (blocks missing or NaN are in no footprint).
    ward_areas
        Each ward's area (m²), for the shares.

    Returns
    -------
    pandas.DataFrame
        One row per ward × footprint pair sharing a positive area: ``left`` (ward),
        ``right`` (footprint), ``area_m2`` and ``left_share`` (of the ward's area),
        ordered by ward then footprint — the columns
        :func:`stpgeo.engine.verdicts.piece_table` reads.

    Notes
    -----
    ``area(W ∩ F) = Σ area(W ∩ b)`` over the blocks ``b`` of ``F``, exact when ``F`` is
    the union of its blocks and the blocks do not overlap one another.
    """
    footprint = block_footprints.reindex(block_overlaps["left"].to_numpy()).to_numpy()
    known = pd.notna(footprint)
    pairs = pd.DataFrame({"left": block_overlaps["right"].to_numpy()[known],
                          "right": footprint[known],
                          "area_m2": block_overlaps["area_m2"].to_numpy()[known]})
    table = pairs.groupby(["left", "right"], as_index=False, sort=True)["area_m2"].sum()
    table = table[table["area_m2"] > 0].reset_index(drop=True)
    area = ward_areas.reindex(table["left"].to_numpy()).to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["left_share"] = np.minimum(table["area_m2"].to_numpy() / area, 1.0)
    return table
