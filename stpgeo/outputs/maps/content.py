"""Everything a ward map draws, as web-sized GeoJSON: wards, councils, footprints, pieces
(and, with deprivation and practices, blocks, practices and the flagged wards' names:
:mod:`.affected`).

The wards in scope are simplified as one coverage (:mod:`.geometry`); each
council's outline is dissolved from its simplified wards, so it runs exactly along
their borders; each footprint layer is simplified as its own coverage; pieces the
analysis marks ``uncertain`` are clipped to their simplified ward. All is then
reprojected to longitude/latitude with coordinates rounded for the screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from stpgeo.analysis.result import Analysis
from stpgeo.engine.verdicts import is_uncertain
from stpgeo.errors import StpgeoError
from stpgeo.outputs.maps.affected import blocks_content, practices_content, ward_labels
from stpgeo.outputs.maps.features import feature_collection, map_metadata, ward_properties
from stpgeo.outputs.maps.geometry import auto_tolerance, dissolve, simplify_coverage, to_lonlat
from stpgeo.outputs.scope import Scope
from stpgeo.progress import step


@dataclass(frozen=True)
class MapContent:
    """The GeoJSON texts of a map and what else it needs to draw them.

    Attributes
    ----------
    wards, councils
        FeatureCollections of the wards (see :func:`.features.ward_properties`) and of
        the councils' outlines (``code``, ``name``, ``focus``).
    footprints, uncertain
        Per analysis: the footprints' outlines (``code``, ``name``) and the
        uncertain pieces (``ward``, ``name``), the latter None when there are none.
    ward_codes
        The wards drawn, in order (wards without geometry are left out).
    bounds
        ``[[south, west], [north, east]]`` of the wards drawn.
    metadata
        Names and home footprints for the tooltips (:func:`.features.map_metadata`).
    tolerance
        The simplification tolerance used (metres).
    blocks, indices
        The blocks of the wards in scope with their deciles, and the indices shown (see
        :mod:`.affected`); None and [] without deprivation.
    practices, ccgs
        The GP practices of the councils in scope, and the CCGs of the legend; None and []
        without practices.
    labels
        Where to write the names of the primary analysis's flagged wards.
    """

    wards: str
    councils: str
    footprints: list[str]
    uncertain: list[str | None]
    ward_codes: list[str]
    bounds: list[list[float]]
    metadata: dict[str, Any]
    tolerance: float
    blocks: str | None = None
    indices: list[str] = field(default_factory=list)
    practices: str | None = None
    ccgs: list[dict[str, Any]] = field(default_factory=list)
    labels: list[dict[str, Any]] = field(default_factory=list)


def _geometry_of(frame: gpd.GeoDataFrame, codes: Sequence[str]) -> gpd.GeoSeries:
    """The non-empty geometries of these codes (the frame indexed by code)."""
    geometry = frame.geometry.reindex(list(codes))
    return geometry[geometry.notna() & ~geometry.is_empty]


def _uncertain(analysis: Analysis, wards: gpd.GeoSeries, *, tolerance: float) -> str | None:
    """The uncertain pieces of these wards, clipped to the simplified wards."""
    pieces = analysis.pieces_gdf
    pieces = pieces[is_uncertain(pieces) & pieces["ward_code"].isin(wards.index)]
    if pieces.empty:
        return None
    clipped = shapely.intersection(np.asarray(pieces.geometry.values, dtype=object),
                                   np.asarray(wards.loc[pieces["ward_code"]].values, dtype=object))
    clipped = shapely.simplify(clipped, tolerance / 4)
    series = gpd.GeoSeries(clipped, crs=pieces.crs)
    keep = ~series.is_empty.to_numpy()
    names = [f"{w} in {f}" for w, f in zip(pieces["ward_name"], pieces["footprint_name"],
                                            strict=True)]
    properties = [{"ward": w, "name": n} for w, n, k in
                  zip(pieces["ward_code"], names, keep, strict=True) if k]
    return feature_collection(to_lonlat(series[keep]), properties)


def map_content(analyses: Sequence[Analysis], scope: Scope, *,
                tolerance: float | None = None) -> MapContent:
    """Web-sized GeoJSON of everything in ``scope``.

    Parameters
    ----------
    analyses
        The analyses mapped, primary first (its wards are drawn).
    scope
        What the map shows (:func:`.scope.choose_scope`).
    tolerance
        Simplification tolerance in metres; by default about 1/2,500 of the diagonal
        of the area shown (:func:`.geometry.auto_tolerance`).
    """
    primary = analyses[0]
    wards_gdf = primary.wards_gdf.set_index("ward_code")
    geometry = _geometry_of(wards_gdf, scope.wards)
    if geometry.empty:
        raise StpgeoError(f"none of the {len(scope.wards):,} wards of {scope.title} has a "
                          "geometry to draw", fix="check the analysis's layers.gpkg")
    if tolerance is None:
        tolerance = auto_tolerance(tuple(geometry.total_bounds))
    elif tolerance <= 0:
        raise StpgeoError(f"the simplification tolerance {tolerance} is not positive",
                          fix="give a tolerance in metres, e.g. 20")
    with step(f"simplifying {len(geometry):,} wards for the web"):
        simple = simplify_coverage(geometry, tolerance=tolerance)
    codes = list(simple.index)
    wards_lonlat = to_lonlat(simple)
    west, south, east, north = shapely.total_bounds(wards_lonlat)

    council_codes = wards_gdf.loc[codes, "council_code"]
    known = council_codes.notna() & (council_codes != "")
    outlines = dissolve(simple[known.to_numpy()], council_codes[known])
    names = primary.councils.set_index("council_code")["council_name"]
    councils = feature_collection(
        to_lonlat(outlines),
        [{"code": c, "name": str(names.get(c, c)), "focus": c == scope.focus}
         for c in outlines.index])

    footprints = []
    for analysis, drawn in zip(analyses, scope.footprints, strict=True):
        shapes = _geometry_of(analysis.footprints_gdf.set_index("code"), drawn)
        with step(f"simplifying {len(shapes):,} footprints of {analysis.name} for the web"):
            shapes = simplify_coverage(shapes, tolerance=tolerance)
        names = analysis.footprints_gdf.set_index("code")["name"]
        footprints.append(feature_collection(
            to_lonlat(shapes),
            [{"code": c, "name": str(names[c])} for c in shapes.index]))

    blocks, indices = blocks_content(analyses, scope, tolerance=tolerance)
    practices, ccgs = practices_content(analyses, scope)
    return MapContent(
        blocks=blocks, indices=indices, practices=practices, ccgs=ccgs,
        labels=ward_labels(primary, simple),
        wards=feature_collection(wards_lonlat, ward_properties(analyses, codes)),
        councils=councils, footprints=footprints,
        uncertain=[_uncertain(a, simple, tolerance=tolerance) for a in analyses],
        ward_codes=codes, bounds=[[float(south), float(west)], [float(north), float(east)]],
        metadata=map_metadata(analyses, scope), tolerance=tolerance)
