"""One vintage's pieces, verdicts, home footprints and council figures — by aggregation.

The work on the wards is done once per timeline (:func:`stpgeo.analysis.run.prepare_wards`:
the block × ward overlap table and each block's ward). A vintage then adds only its
lookup (:class:`~stpgeo.analysis.timeline.maps.VintageMap`), and everything follows
from tables, with the engine's own rules:

- the ward × footprint pieces are summed from the block × ward table
  (:func:`stpgeo.engine.aggregate.overlaps_from_blocks`: footprints made of whole
  blocks need no overlay), their residents from the blocks
  (:func:`stpgeo.engine.verdicts.piece_table`: each block lies wholly in its footprint);
- each ward's council is the vintage's council of most of its blocks' residents
  (:func:`stpgeo.engine.councils.ward_councils` with the vintage's council column);
- home footprints and council figures come from every block of the lookup, exact
  (:func:`~stpgeo.engine.councils.block_homes`,
  :func:`~stpgeo.engine.councils.council_residents`);
- verdicts by :func:`stpgeo.engine.verdicts.ward_verdicts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from stpgeo.analysis.blocks import BLOCK_COLUMNS
from stpgeo.analysis.run import WardWork
from stpgeo.analysis.timeline.maps import VintageMap
from stpgeo.engine.aggregate import overlaps_from_blocks
from stpgeo.engine.councils import block_homes, council_residents, ward_councils
from stpgeo.engine.verdicts import piece_table, ward_verdicts


@dataclass(frozen=True)
class VintageResult:
    """What one vintage gives: the engine's tables for its footprints.

    Attributes
    ----------
    map
        The vintage's block → footprint and block → council maps.
    blocks
        One row per block with a polygon (:data:`~stpgeo.analysis.blocks.BLOCK_COLUMNS`):
        its ward, footprint (from the lookup: ``footprint_share`` 1) and council.
    pieces
        Every ward × footprint piece (:func:`~stpgeo.engine.verdicts.piece_table`).
    ward_council
        Indexed by ward code: ``council_code`` (of this vintage), ``council_method``.
    verdicts
        Indexed by ward code (:func:`~stpgeo.engine.verdicts.ward_verdicts`).
    homes, footprint_population
        Council code → home footprint codes; each footprint's residents.
    councils
        Indexed by council code (:func:`~stpgeo.engine.councils.council_residents`).
    every
        Every block of the lookup: ``footprint``, ``council``, ``population``.
    checks
        Residents counted once: the lookup's blocks, summed by council and by footprint.
    """

    map: VintageMap
    blocks: pd.DataFrame
    pieces: pd.DataFrame
    ward_council: pd.DataFrame
    verdicts: pd.DataFrame
    homes: pd.Series
    footprint_population: pd.Series
    councils: pd.DataFrame
    every: pd.DataFrame
    checks: dict[str, Any]

    @property
    def name(self) -> str:
        return self.map.name


def ward_blocks(work: WardWork) -> pd.DataFrame:
    """The part of the block table every vintage shares: each block's ward and residents.

    Indexed by the codes of the blocks with a polygon: ``ward``, ``ward_method``,
    ``ward_geometric`` and ``population`` (NaN where the population table has none).
    """
    assert work.assignment is not None, "a timeline needs blocks"
    placed = work.assignment.table
    table = pd.DataFrame({"ward": placed["target"], "ward_method": placed["method"],
                          "ward_geometric": placed["geometric"]})
    population = work.inputs.population
    table["population"] = (population.reindex(table.index).astype(float)
                           if population is not None else np.nan)
    table.index.name = "block_code"
    return table


def ward_areas(work: WardWork) -> pd.Series:
    """Each analysed ward's area (m²), for the pieces' area shares."""
    polygons = work.wards.polygons
    return pd.Series(polygons.geometry.area.to_numpy(), index=polygons["code"].to_numpy())


def vintage_blocks(shared: pd.DataFrame, vmap: VintageMap) -> pd.DataFrame:
    """The block table of a vintage (:data:`~stpgeo.analysis.blocks.BLOCK_COLUMNS`): the
    shared part (:func:`ward_blocks`) with each block's footprint and council."""
    footprint = vmap.footprints.reindex(shared.index)
    return shared.assign(
        footprint=footprint, footprint_method=np.where(footprint.notna(), "lookup", "outside"),
        # a block lies wholly in the footprint its lookup gives: the geometric best fit
        footprint_geometric=footprint, footprint_share=np.where(footprint.notna(), 1.0, 0.0),
        council=vmap.councils.reindex(shared.index))[BLOCK_COLUMNS]


def lookup_blocks(vmap: VintageMap, population: pd.Series | None) -> pd.DataFrame:
    """Every block of the lookup: its footprint, council and residents."""
    codes = vmap.footprints.index.union(vmap.councils.index)
    people = (population.reindex(codes).astype(float) if population is not None
              else pd.Series(np.nan, index=codes))
    return pd.DataFrame({"footprint": vmap.footprints.reindex(codes),
                         "council": vmap.councils.reindex(codes), "population": people})


def run_vintage(work: WardWork, vmap: VintageMap, shared: pd.DataFrame, areas: pd.Series, *,
                tolerance: float, overlaps: pd.DataFrame | None = None) -> VintageResult:
    """One vintage's tables from the shared work (:func:`ward_blocks`, :func:`ward_areas`).

    Parameters
    ----------
    work
        The timeline's work on the wards (block × ward table, each block's ward).
    vmap
        The vintage's lookup maps.
    shared, areas
        :func:`ward_blocks` and :func:`ward_areas` of ``work``, computed once.
    tolerance
        Pieces under this share of a ward's residents (else area) are slivers.
    overlaps
        The ward × footprint overlap table (``left``, ``right``, ``area_m2``,
        ``left_share``) when it was made otherwise (the benchmark overlays each
        vintage's dissolved footprints); by default it is summed from the blocks.
    """
    assert work.block_overlaps is not None, "a timeline needs blocks"
    blocks = vintage_blocks(shared, vmap)
    if overlaps is None:
        overlaps = overlaps_from_blocks(work.block_overlaps, vmap.footprints, areas)
    pieces = piece_table(overlaps, blocks, tolerance=tolerance)
    population = work.inputs.population
    ward_council = ward_councils(
        work.wards.gdf, ward_map=None, block_map=vmap.councils, own_kind=work.wards.kind,
        block_wards=shared["ward"].dropna(), weights=population,
        block_areas=work.block_overlaps)
    every = lookup_blocks(vmap, population)
    homes, totals = block_homes(every)
    verdicts = ward_verdicts(pieces, pd.Index(work.wards.gdf["code"]),
                             ward_council["council_code"], homes)
    councils = council_residents(every, homes)
    residents = float(every["population"].sum())
    in_councils = float(councils["population"].sum())
    in_footprints = float(totals.sum())
    checks = {"residents": round(residents), "residents_in_councils": round(in_councils),
              "residents_in_footprints": round(in_footprints),
              "blocks_without_population": int(every["population"].isna().sum()),
              "blocks_without_council": int(every["council"].isna().sum()),
              "blocks_without_footprint": int(every["footprint"].isna().sum())}
    checks["holds"] = (abs(in_councils + _without(every, "council") - residents) < 0.5
                       and abs(in_footprints + _without(every, "footprint") - residents) < 0.5)
    return VintageResult(map=vmap, blocks=blocks, pieces=pieces, ward_council=ward_council,
                         verdicts=verdicts, homes=homes, footprint_population=totals,
                         councils=councils, every=every, checks=checks)


def _without(blocks: pd.DataFrame, column: str) -> float:
    """The residents of the blocks with nothing in ``column``."""
    return float(blocks.loc[blocks[column].isna(), "population"].sum())
