"""One vintage of a timeline as an :class:`~stpgeo.analysis.result.Analysis`, for maps.

The timeline's tables need no footprint geometry. Maps do: for the area shown (a
council and its neighbours, or all of England) the blocks of every footprint its
wards touch, in any vintage, are made a clean coverage once
(:func:`stpgeo.engine.footprints.clean_coverage`), and each vintage's footprints are
dissolved from them (:func:`stpgeo.engine.footprints.build_footprints`). The
vintage's tables restricted to the area's wards, with these footprints, make an
ordinary :class:`~stpgeo.analysis.result.Analysis` (assembled, summarised and
checked for conservation as any other), which stpgeo's maps and report draw. Pieces
carry no geometry: none is computed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from stpgeo.analysis.assemble import assemble
from stpgeo.analysis.council_sources import CouncilSources
from stpgeo.analysis.result import Analysis
from stpgeo.analysis.run import LayerWork, WardWork
from stpgeo.analysis.timeline.maps import VintageMap
from stpgeo.analysis.timeline.vintage import VintageResult
from stpgeo.engine.footprints import build_footprints, clean_coverage
from stpgeo.geometry.crs import MEASURE_CRS
from stpgeo.io.layer import Layer


def touched_blocks(results: Mapping[str, VintageResult], wards: Collection[str]) -> set[str]:
    """Every block of every footprint, in any vintage, that some of these wards touch."""
    wards = set(wards)
    found: set[str] = set()
    for result in results.values():
        touched = set(result.pieces.loc[result.pieces["ward_code"].isin(wards),
                                        "footprint_code"])
        footprints = result.map.footprints
        found |= set(footprints.index[footprints.isin(touched).to_numpy()])
    return found


def clean_blocks(blocks: Layer, codes: Collection[str]) -> Layer:
    """Some of the blocks, made a clean coverage (see :func:`clean_coverage`)."""
    subset = blocks.gdf[blocks.gdf["code"].isin(set(codes))]
    return clean_coverage(replace(blocks, gdf=subset))


def vintage_footprints(vmap: VintageMap, codes: Collection[str], blocks: Layer,
                       population: pd.Series | None) -> Layer:
    """The footprints ``codes`` of a vintage, dissolved from clean ``blocks`` (which hold
    all their blocks), named and labelled with the vintage."""
    wanted = vmap.footprints[vmap.footprints.isin(set(codes))]
    wanted = wanted[wanted.index.isin(set(blocks.gdf["code"]))]
    lookup = pd.DataFrame({vmap.block_column: wanted.index.to_numpy(),
                           "footprint_code": wanted.to_numpy()}, dtype=object)
    lookup.attrs["source"] = vmap.source
    built = build_footprints(replace(blocks, gdf=blocks.gdf[blocks.gdf["code"].isin(
        set(wanted.index))]), lookup, by="footprint_code", population=population)
    frame = built.gdf.assign(name=built.gdf["code"].map(vmap.footprint_names).fillna(
        built.gdf["code"]))
    vintage = vmap.vintage
    return replace(built, gdf=frame, kind=vintage.kind, vintage=vintage.year,
                   code_field=vintage.column, source=f"{vintage.title} built from blocks",
                   warnings=[])


def vintage_analysis(work: WardWork, result: VintageResult, *, wards: Collection[str],
                     blocks: Layer, tolerance: float) -> Analysis:
    """The vintage's tables for some wards as an :class:`Analysis` (with its footprints).

    Parameters
    ----------
    work
        The timeline's work on the wards.
    result
        The vintage's tables.
    wards
        The wards of the area shown.
    blocks
        Clean blocks holding every block of the footprints these wards touch
        (:func:`touched_blocks`, :func:`clean_blocks`).
    tolerance
        The timeline's sliver tolerance.
    """
    wards = set(wards)
    layer = replace(work.wards, gdf=work.wards.gdf[work.wards.gdf["code"].isin(wards)])
    codes = pd.Index(layer.gdf["code"])
    pieces = result.pieces[result.pieces["ward_code"].isin(wards)].reset_index(drop=True)
    table = result.blocks.assign(ward=result.blocks["ward"].where(
        result.blocks["ward"].isin(wards)))
    footprints = vintage_footprints(result.map, set(pieces["footprint_code"]), blocks,
                                    work.inputs.population)
    vmap = result.map
    sources = CouncilSources(block_map=vmap.councils, names=vmap.council_names,
                             described=[f"blocks → councils from {vmap.source} "
                                        f"({vmap.notes['council_column']})"])
    area_work = replace(work, inputs=replace(work.inputs, wards=layer),
                        matches=replace(work.matches, councils=sources),
                        ward_council=result.ward_council.reindex(codes))
    overlaps = gpd.GeoDataFrame(
        {"left": pieces["ward_code"].to_numpy(), "right": pieces["footprint_code"].to_numpy()},
        geometry=np.full(len(pieces), shapely.Polygon(), dtype=object), crs=MEASURE_CRS)
    notes = {**work.notes, "block_footprints": {
        "file": vmap.source, "block_column": vmap.block_column,
        "target_column": vmap.notes["footprint_column"], "rows": vmap.notes["rows"],
        "targets_covered": len(footprints), "targets_not_covered": 0,
        "lookup_codes_not_analysed": 0,
        "blocks_not_in_lookup": vmap.notes["blocks_not_in_lookup"]}}
    work_layer = LayerWork(name=vmap.name.lower(), footprints=footprints, overlaps=overlaps,
                           blocks=table, pieces=pieces, verdicts=result.verdicts.reindex(codes),
                           homes=result.homes, notes=notes)
    population = result.footprint_population.reindex(footprints.gdf["code"]).to_numpy()
    return assemble(area_work, work_layer, footprint_population=population, tolerance=tolerance)
