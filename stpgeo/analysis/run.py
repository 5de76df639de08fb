"""The state of an analysis run: the work shared by every footprint layer, and one layer's.

:class:`WardWork` is everything that does not depend on the footprint layer — the
inputs, the lookups matched to them, the block × ward overlap table, each block's
ward and each ward's council — computed once by :func:`prepare_wards` however many
footprint layers are analysed. :class:`LayerWork` holds what one footprint layer adds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from stpgeo.analysis.checks import population_coverage
from stpgeo.analysis.inputs import Inputs
from stpgeo.analysis.matching import Matches
from stpgeo.engine.assign import Assignment, assign_blocks
from stpgeo.engine.councils import ward_councils
from stpgeo.engine.overlap import overlap_table
from stpgeo.io.cache import Cache
from stpgeo.io.layer import Layer
from stpgeo.progress import Timer

if TYPE_CHECKING:
    from stpgeo.analysis.whole_blocks import Route


@dataclass(frozen=True)
class WardWork:
    """The work of a run that every footprint layer shares.

    Attributes
    ----------
    inputs, matches
        What the run was given, and how its lookups meet its layers.
    block_overlaps
        The block × ward overlap table (None without blocks).
    assignment
        Each block's ward and how it was decided (None without blocks).
    ward_council
        Indexed by ward code: ``council_code``, ``council_method``.
    notes
        On the block-ward lookup and the population table, for summary.json.
    timer
        The seconds each step of the run took.
    cache
        The run's cache (:mod:`stpgeo.io.cache`; off by default).
    """

    inputs: Inputs
    matches: Matches
    block_overlaps: pd.DataFrame | None
    assignment: Assignment | None
    ward_council: pd.DataFrame
    notes: dict[str, Any]
    timer: Timer
    cache: Cache = field(default_factory=lambda: Cache(None))

    @property
    def wards(self) -> Layer:
        return self.inputs.wards


@dataclass(frozen=True)
class LayerWork:
    """What one footprint layer adds to the shared work.

    Attributes
    ----------
    name, footprints
        The analysis's short name and its footprint layer.
    overlaps
        The ward × footprint overlap table, with each piece's geometry.
    blocks
        Each block's ward, footprint and council (:func:`stpgeo.analysis.blocks.block_table`),
        or None without blocks.
    pieces, verdicts, homes
        From :mod:`stpgeo.engine.verdicts` and :func:`stpgeo.engine.councils.home_footprints`.
    notes
        The lookup notes of this layer (the shared ones included), for summary.json.
    route
        How the ward × footprint table was made (by overlay, or summed from blocks), or
        None.
    """

    name: str
    footprints: Layer
    overlaps: gpd.GeoDataFrame
    blocks: pd.DataFrame | None
    pieces: pd.DataFrame
    verdicts: pd.DataFrame
    homes: pd.Series
    notes: dict[str, Any]
    route: Route | None = None


def cached_overlaps(cache: Cache, left: Layer, right: Layer, *,
                    geometry: bool = False) -> pd.DataFrame:
    """:func:`~stpgeo.engine.overlap.overlap_table` of two layers, through the run's cache
    (keyed by the fingerprints of both layers' codes, row labels and polygons)."""
    made_from = {"left": cache.fingerprint(left.gdf), "right": cache.fingerprint(right.gdf),
                 "geometry": geometry}
    return cache.frame("overlaps", made_from,
                       lambda: overlap_table(left, right, geometry=geometry))


def prepare_wards(inputs: Inputs, matches: Matches, timer: Timer, *,
                  cache: Cache | None = None) -> WardWork:
    """Place every block in one ward and find every ward's council, once per run."""
    cache = cache if cache is not None else Cache(None)
    notes: dict[str, Any] = {}
    overlaps = assignment = None
    if matches.block_wards is not None:
        notes["block_wards"] = matches.block_wards.notes
    if inputs.blocks is not None:
        codes = inputs.block_codes
        with timer(f"overlapping {len(codes):,} blocks with {len(inputs.wards):,} wards"):
            overlaps = cached_overlaps(cache, inputs.blocks, inputs.wards)
        lookup = matches.block_wards.mapping if matches.block_wards is not None else None
        assignment = assign_blocks(codes, overlaps, inputs.wards.gdf["code"], lookup)
        if inputs.population is not None:
            placed = assignment.table.index[assignment.table["target"].notna()]
            notes["population"] = population_coverage(inputs.population, codes, placed)
    ward_council = ward_councils(
        inputs.wards.gdf, ward_map=matches.councils.ward_map,
        block_map=matches.councils.block_map, own_kind=inputs.wards.kind,
        block_wards=assignment.table["target"].dropna() if assignment is not None else None,
        weights=inputs.population, block_areas=overlaps)
    return WardWork(inputs, matches, overlaps, assignment, ward_council, notes, timer, cache)
