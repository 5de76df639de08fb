"""Each building block's ward, footprint and council, for one footprint layer.

The blocks' wards come from the shared work (:mod:`stpgeo.analysis.run`); here each
block is also placed in one footprint — by the block-footprint lookup where it
covers the footprint, else by geometry (:mod:`stpgeo.engine.assign`) — and given
its council: from a block → council map where there is one, else its ward's.
The table is ``blocks.csv`` of the result folder.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from stpgeo.analysis.run import WardWork, cached_overlaps
from stpgeo.engine.assign import assign_blocks
from stpgeo.io.layer import Layer

#: Columns of the block table (indexed by ``block_code``).
BLOCK_COLUMNS = ["ward", "ward_method", "ward_geometric", "footprint", "footprint_method",
                 "footprint_geometric", "footprint_share", "population", "council"]


def block_overlaps(work: WardWork, name: str, footprints: Layer) -> pd.DataFrame:
    """The block × footprint overlap table, by overlay (through the run's cache)."""
    assert work.inputs.blocks is not None
    with work.timer(f"overlapping blocks with footprints ({name})"):
        return cached_overlaps(work.cache, work.inputs.blocks, footprints)


def block_table(work: WardWork, name: str, footprints: Layer, *,
                overlaps: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per block with a polygon: its ward, footprint and council, and how each was
    decided (columns :data:`BLOCK_COLUMNS`).

    ``footprint_share`` is the share of the block's area inside its footprint;
    ``population`` its residents (NaN when unknown or not given). ``overlaps`` is the
    block × footprint overlap table when it is already known (:func:`block_overlaps`).
    """
    assert work.inputs.blocks is not None
    assert work.assignment is not None
    codes = work.inputs.block_codes
    if overlaps is None:
        overlaps = block_overlaps(work, name, footprints)
    match = work.matches.block_footprints.get(name)
    placed = assign_blocks(codes, overlaps, footprints.gdf["code"],
                           match.mapping if match is not None else None).table
    wards = work.assignment.table
    table = pd.DataFrame({
        "ward": wards["target"], "ward_method": wards["method"],
        "ward_geometric": wards["geometric"], "footprint": placed["target"],
        "footprint_method": placed["method"], "footprint_geometric": placed["geometric"],
    })
    table.index.name = "block_code"
    # each block's share in its own footprint (the pair is in the table at most once)
    blocks = overlaps["left"].to_numpy(dtype=object)
    own = overlaps["right"].to_numpy(dtype=object) == table["footprint"].reindex(
        blocks).to_numpy(dtype=object)
    share = pd.Series(overlaps["left_share"].to_numpy()[own],
                      index=pd.Index(blocks[own], dtype=object))
    table["footprint_share"] = share.reindex(table.index).fillna(0.0).to_numpy()
    population = work.inputs.population
    table["population"] = (population.reindex(table.index).astype(float)
                           if population is not None else np.nan)
    by_ward = table["ward"].map(work.ward_council["council_code"].dropna())
    block_map = work.matches.councils.block_map
    council = (block_map.reindex(table.index) if block_map is not None
               else pd.Series(np.nan, index=table.index, dtype=object))
    table["council"] = council.astype(object).where(council.notna(), by_ward)
    return table
