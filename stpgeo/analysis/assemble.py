"""From the engine's tables to an :class:`~stpgeo.analysis.result.Analysis`.

The pieces, verdicts and home footprints of one footprint layer become the result's
tables with names and plain columns (``ward_footprints``, ``ward_verdicts``,
``councils``, ``footprints``, ``blocks``; with deprivation and practices the tables of
:mod:`stpgeo.analysis.affected`), its layers (joined from the tables and the
geometries by :mod:`stpgeo.analysis.layers`, as when a folder is read), the
conservation checks and ``summary.json``.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from stpgeo.analysis.affected import Affected, affected_tables
from stpgeo.analysis.layers import (
    block_layer,
    footprint_layer,
    piece_layer,
    practice_layer,
    ward_layer,
)
from stpgeo.analysis.result import WARD_FOOTPRINTS, Analysis
from stpgeo.analysis.run import LayerWork, WardWork
from stpgeo.analysis.summary import summarise
from stpgeo.engine.conservation import (
    check_conservation,
    conservation_warnings,
    ward_outside_areas,
)
from stpgeo.engine.verdicts import council_table, footprint_table
from stpgeo.geometry.crs import MEASURE_CRS
from stpgeo.io.fingerprint import text_digest


def _verdict_table(work: WardWork, layer: LayerWork) -> pd.DataFrame:
    """``ward_verdicts.csv``: one row per input ward, with names and plain text lists."""
    verdicts = layer.verdicts
    ward_names = work.wards.gdf.set_index("code")["name"]
    footprint_names = layer.footprints.gdf.set_index("code")["name"]
    council_code = work.ward_council["council_code"].reindex(verdicts.index)
    names = work.matches.councils.names.to_dict()
    return pd.DataFrame({
        "ward_code": verdicts.index,
        "ward_name": verdicts.index.map(ward_names),
        "council_code": council_code.fillna("").to_numpy(),
        "council_name": [names.get(c, c) if isinstance(c, str) else "" for c in council_code],
        "home_footprint_codes": [";".join(h) for h in verdicts["home_footprint_codes"]],
        "best_footprint_code": verdicts["best_footprint_code"].fillna("").to_numpy(),
        "best_footprint_name": verdicts["best_footprint_code"].map(footprint_names).fillna(
            "").to_numpy(),
        "best_area_share": verdicts["best_area_share"].to_numpy(),
        "best_population_share": verdicts["best_population_share"].to_numpy(),
        "verdict": verdicts["verdict"].to_numpy(),
    })


def _piece_table(work: WardWork, layer: LayerWork) -> pd.DataFrame:
    """``ward_footprints.csv``: every piece with its ward's and footprint's names."""
    pieces = layer.pieces
    return pieces.assign(
        ward_name=pieces["ward_code"].map(work.wards.gdf.set_index("code")["name"]),
        footprint_name=pieces["footprint_code"].map(
            layer.footprints.gdf.set_index("code")["name"]),
        population=pd.array(pieces["population"].round(), dtype="Int64"))[WARD_FOOTPRINTS]


def _outside_areas(work: WardWork, layer: LayerWork) -> np.ndarray:
    """Each ward's area outside every footprint, through the run's cache.

    Footprints built from the run's blocks cover exactly the union of their blocks, so
    layers built of the same blocks (the CCGs and STPs of one lookup) share one entry;
    and, dissolved from a clean coverage, they are one too, whose union is quick.
    """
    route, blocks = layer.route, work.inputs.blocks
    members = route.members if route is not None else None
    if layer.footprints.built_from is not None and members is not None and blocks is not None:
        covered = {"blocks": work.cache.fingerprint(blocks.gdf),
                   "members": text_digest(sorted(members.index))}
    else:
        covered = {"footprints": work.cache.fingerprint(layer.footprints.gdf)}
    made_from = {"wards": work.cache.fingerprint(work.wards.gdf), **covered}
    clean = layer.footprints.coverage_clean or (route is not None and route.built)
    table = work.cache.frame("outside", made_from, lambda: pd.DataFrame(
        {"outside_m2": ward_outside_areas(work.wards, layer.footprints, coverage=clean)}))
    return table["outside_m2"].to_numpy()


def assemble(work: WardWork, layer: LayerWork, *, footprint_population: np.ndarray,
             tolerance: float) -> Analysis:
    """The result of one footprint layer: tables, layers, conservation and summary.

    ``footprint_population`` gives each footprint's residents (all its blocks', in
    the order of the footprint layer; NaN without population).
    """
    council_code = work.ward_council["council_code"]
    ward_footprints = _piece_table(work, layer)
    verdicts = _verdict_table(work, layer)
    councils = council_table(layer.pieces, layer.verdicts, council_code, layer.homes,
                             work.matches.councils.names)
    footprint_rows = layer.footprints.gdf[["code", "name"]].assign(
        population=footprint_population)
    footprints = footprint_table(layer.pieces, council_code, footprint_rows)
    blocks = (layer.blocks.assign(population=pd.array(layer.blocks["population"].round(),
                                                      dtype="Int64"))
              if layer.blocks is not None else None)
    with work.timer(f"who is affected ({layer.name})"):
        affected = affected_tables(work, layer)
    if blocks is not None and affected.block_deciles is not None:
        blocks = blocks.join(affected.block_deciles)
    ward_shapes = gpd.GeoDataFrame(
        {"ward_code": work.wards.gdf["code"].to_numpy(),
         "council_method": work.ward_council["council_method"].reindex(
             work.wards.gdf["code"]).to_numpy()},
        geometry=work.wards.gdf.geometry.values, crs=MEASURE_CRS)
    overlaps = layer.overlaps
    piece_shapes = gpd.GeoDataFrame(
        {"ward_code": overlaps["left"].to_numpy(), "footprint_code": overlaps["right"].to_numpy()},
        geometry=overlaps.geometry.values, crs=MEASURE_CRS)
    footprint_shapes = gpd.GeoDataFrame({"code": layer.footprints.gdf["code"].to_numpy()},
                                        geometry=layer.footprints.gdf.geometry.values,
                                        crs=MEASURE_CRS)
    with work.timer(f"checking conservation ({layer.name})"):
        conservation = check_conservation(
            work.wards, layer.footprints, layer.pieces, verdicts, blocks=layer.blocks,
            block_layer=work.inputs.blocks, population=work.inputs.population,
            outside_m2=_outside_areas(work, layer))
    summary = summarise(work, layer, tolerance=tolerance)
    summary["conservation"] = conservation
    summary["warnings"] += conservation_warnings(conservation)
    summary.update(affected.summary)
    summary["warnings"] += affected.warnings
    return Analysis(
        ward_footprints=ward_footprints, ward_verdicts=verdicts, councils=councils,
        footprints=footprints, summary=summary,
        wards_gdf=ward_layer(verdicts, ward_footprints, blocks, ward_shapes),
        pieces_gdf=piece_layer(ward_footprints, verdicts, piece_shapes),
        footprints_gdf=footprint_layer(footprints, footprint_shapes), blocks=blocks,
        **_affected_layers(work, affected, blocks))


def _affected_layers(work: WardWork, affected: Affected, blocks: pd.DataFrame | None
                     ) -> dict[str, pd.DataFrame | gpd.GeoDataFrame | None]:
    """The tables on who is affected, and their layers: the blocks' polygons (with
    deprivation, for the map of deciles) and the practices' points."""
    found: dict[str, pd.DataFrame | gpd.GeoDataFrame | None] = {
        "deprivation": affected.deprivation, "ward_deprivation": affected.ward_deprivation,
        "practices": affected.practices}
    if affected.deprivation is not None and blocks is not None:
        assert work.inputs.blocks is not None
        polygons = work.inputs.blocks.polygons
        found["blocks_gdf"] = block_layer(blocks, gpd.GeoDataFrame(
            {"block_code": polygons["code"].to_numpy()}, geometry=polygons.geometry.values,
            crs=MEASURE_CRS))
    match = work.matches.practices
    if affected.practices is not None and match is not None:
        found["practices_gdf"] = practice_layer(affected.practices, gpd.GeoDataFrame(
            {"practice_code": match.points.index.to_numpy()}, geometry=match.points.values,
            crs=MEASURE_CRS))
    return found
