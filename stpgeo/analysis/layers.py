"""The GeoDataFrames of a result, made from its tables and its geometries.

A result folder keeps every fact once: the tables (``ward_verdicts.csv``,
``ward_footprints.csv``, ``footprints.csv``, ``blocks.csv``) hold the figures, and
``layers.gpkg`` only the geometries, keyed by code (plus each ward's
``council_method``, which no table holds). The GeoDataFrames maps and GIS exports
use — wards with their verdicts, pieces, footprints — are joined from the two here,
by the same functions whether the analysis has just run or was read from its
folder, so that reading a folder gives back what was written.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from stpgeo.engine.verdicts import share_outside_home
from stpgeo.geometry.crs import MEASURE_CRS

#: Layers of ``layers.gpkg`` and their key columns (besides ``geometry``).
GEOMETRY_LAYERS = {"wards": ["ward_code", "council_method"],
                   "pieces": ["ward_code", "footprint_code"],
                   "footprints": ["code"]}
#: Layers of ``layers.gpkg`` written only when an analysis has them: the blocks' polygons
#: (with deprivation, for the map of deciles) and the GP practices' points.
OPTIONAL_LAYERS = {"blocks": ["block_code"], "practices": ["practice_code"]}


def _homes(verdicts: pd.DataFrame) -> pd.Series:
    """Ward code → its council's home footprint codes (NaN where the council is unknown)."""
    homes = [[c for c in codes.split(";") if c] if council else np.nan
             for codes, council in zip(verdicts["home_footprint_codes"].tolist(),
                                       verdicts["council_code"].tolist(), strict=True)]
    return pd.Series(homes, index=pd.Index(verdicts["ward_code"]), dtype=object)


def ward_population(blocks: pd.DataFrame | None, wards: pd.Index) -> pd.array:
    """Each ward's residents: the sum over its blocks (NA for wards without known residents)."""
    if blocks is None:
        return pd.array([pd.NA] * len(wards), dtype="Int64")
    placed = blocks.dropna(subset=["ward"])
    people = placed["population"].astype("Float64").groupby(placed["ward"]).sum(min_count=1)
    return pd.array(people.reindex(wards).round(), dtype="Int64")


def ward_layer(verdicts: pd.DataFrame, pieces: pd.DataFrame, blocks: pd.DataFrame | None,
               geometry: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The wards with their verdicts: ``ward_verdicts`` plus ``share_outside_home``,
    ``population``, ``area_m2`` and ``council_method``, in EPSG:27700.

    Parameters
    ----------
    verdicts, pieces, blocks
        The tables ``ward_verdicts``, ``ward_footprints`` and ``blocks`` (or None).
    geometry
        ``ward_code``, ``council_method`` and ``geometry`` of every ward.
    """
    codes = pd.Index(verdicts["ward_code"])
    shapes = geometry.set_index("ward_code").reindex(codes)
    area = shapely.area(np.asarray(shapes.geometry.values))
    return gpd.GeoDataFrame(
        verdicts.assign(
            share_outside_home=share_outside_home(pieces, _homes(verdicts)).to_numpy(),
            population=ward_population(blocks, codes),
            area_m2=np.where(np.isnan(area), np.nan, area),
            council_method=shapes["council_method"].to_numpy()).reset_index(drop=True),
        geometry=shapes.geometry.values, crs=MEASURE_CRS)


def piece_layer(pieces: pd.DataFrame, verdicts: pd.DataFrame, geometry: gpd.GeoDataFrame
                ) -> gpd.GeoDataFrame:
    """The ward × footprint pieces: ``ward_footprints`` plus ``best`` (the ward's best-fit
    piece) and each piece's geometry."""
    best = verdicts.set_index("ward_code")["best_footprint_code"]
    shapes = geometry.set_index(["ward_code", "footprint_code"]).geometry
    keys = pd.MultiIndex.from_arrays([pieces["ward_code"], pieces["footprint_code"]])
    return gpd.GeoDataFrame(
        pieces.assign(best=(pieces["ward_code"].map(best) == pieces["footprint_code"])
                      .to_numpy()).reset_index(drop=True),
        geometry=shapes.reindex(keys).to_numpy(), crs=MEASURE_CRS)


def footprint_layer(footprints: pd.DataFrame, geometry: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The footprints: ``code``, ``name``, the columns of ``footprints.csv`` and geometry."""
    table = footprints.rename(columns={"footprint_code": "code", "footprint_name": "name"})
    shapes = geometry.set_index("code").geometry.reindex(table["code"])
    return gpd.GeoDataFrame(table.reset_index(drop=True), geometry=shapes.to_numpy(),
                            crs=MEASURE_CRS)


def keyed_layer(table: pd.DataFrame, key: str, geometry: gpd.GeoDataFrame
                ) -> gpd.GeoDataFrame:
    """A table with the geometry of each of its rows' ``key`` (blocks, practices)."""
    shapes = geometry.set_index(key).geometry.reindex(table[key])
    return gpd.GeoDataFrame(table.reset_index(drop=True), geometry=shapes.to_numpy(),
                            crs=MEASURE_CRS)


def block_layer(blocks: pd.DataFrame, geometry: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The blocks: ``block_code``, the columns of ``blocks.csv`` (deciles included) and
    each block's polygon."""
    return keyed_layer(blocks.reset_index(), "block_code", geometry)


def practice_layer(practices: pd.DataFrame, geometry: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The GP practices: the columns of ``practices.csv`` and each one's point (None
    without coordinates)."""
    return keyed_layer(practices, "practice_code", geometry)


def geometry_layers(wards: gpd.GeoDataFrame, pieces: gpd.GeoDataFrame,
                    footprints: gpd.GeoDataFrame, *, blocks: gpd.GeoDataFrame | None = None,
                    practices: gpd.GeoDataFrame | None = None) -> dict[str, gpd.GeoDataFrame]:
    """What ``layers.gpkg`` keeps of the layers: keys and geometry only."""
    given = (("wards", wards), ("pieces", pieces), ("footprints", footprints),
             ("blocks", blocks), ("practices", practices))
    keys = {**GEOMETRY_LAYERS, **OPTIONAL_LAYERS}
    return {name: gpd.GeoDataFrame(frame[keys[name]], geometry=frame.geometry.values,
                                   crs=frame.crs)
            for name, frame in given if frame is not None}
