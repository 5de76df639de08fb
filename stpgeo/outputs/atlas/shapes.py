"""The atlas's polygons, each kept once for every page: the wards of each generation of
blocks and the footprints of each vintage, simplified as coverages, as topologies.

The wards of a generation (2013 for the vintages built from the 2011 LSOAs, 2024 for
those built from the 2021 LSOAs) are one shared asset: every council's page draws its
wards (and, lighter, its neighbours') from it, the index its national map; a page names
wards by their position in it. Council outlines need no polygons of their own: they are
the borders between wards of different councils, found by the pages' script from the
shared arcs. Each vintage's footprints (dissolved from the cleaned LSOAs, for the area
shown) are one more asset, loaded when that vintage is shown.

Simplified for maps (:func:`stpgeo.outputs.maps.geometry.simplify_coverage`: neighbours
keep one shared border, no gaps, no overlaps), coordinates to 5 decimals of a degree
(about a metre).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd

from stpgeo.io.vintages import FootprintVintage
from stpgeo.ons.generations import Generation
from stpgeo.outputs.maps.geometry import simplify_coverage, to_lonlat
from stpgeo.outputs.maps.topology import compact

if TYPE_CHECKING:
    from stpgeo.analysis.timeline.result import Timeline

#: Simplification of the wards and of the footprints (metres).
WARD_TOLERANCE = 40.0
FOOTPRINT_TOLERANCE = 100.0
DECIMALS = 5


def _topology(codes: list[str], geometries: gpd.GeoSeries, tolerance: float,
              names: list[str] | None = None) -> str:
    simplified = simplify_coverage(geometries, tolerance=tolerance)
    frame = gpd.GeoDataFrame({"c": codes, **({"n": names} if names is not None else {})},
                             geometry=to_lonlat(simplified, decimals=DECIMALS), crs=4326)
    return compact(frame.to_json(drop_id=True), decimals=DECIMALS)


def ward_shapes(timeline: Timeline, generation: Generation) -> tuple[list[str], str]:
    """A generation's wards: their codes, in the order the topology holds them, and the
    topology (JSON text)."""
    work = timeline.kept(to="write an atlas").works[generation]
    polygons = work.wards.polygons.drop_duplicates("code")
    codes = [str(c) for c in polygons["code"]]
    return codes, _topology(codes, polygons.geometry, WARD_TOLERANCE)


def footprint_shapes(timeline: Timeline, vintage: FootprintVintage) -> str:
    """A vintage's footprints of the area shown, as a topology (JSON text) with each
    footprint's code and name."""
    layer = timeline.footprints(vintage.name, council=None).gdf
    return _topology([str(c) for c in layer["code"]], layer.geometry, FOOTPRINT_TOLERANCE,
                     names=[str(n) for n in layer["name"]])
