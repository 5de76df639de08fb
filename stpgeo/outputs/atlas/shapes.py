"""The atlas's polygons, each kept once for every page: the wards of each generation of
blocks and the footprints of each vintage, simplified as coverages, as topologies.

The wards of a generation (2013 for the vintages built from the 2011 LSOAs, 2024 for
those built from the 2021 LSOAs) are one shared asset: every council's page draws its
wards (and, lighter, its neighbours') from it, the index its national map; a page names
wards by their position in it. Council outlines need no polygons of their own: they are
the borders between wards of different councils, found by the pages' script from the
shared arcs. Each vintage's footprints (for the area shown) are one more asset, loaded
when that vintage is shown: dissolved from the cleaned LSOAs of their generation,
simplified once for all its vintages.

Simplified for maps (:func:`stpgeo.outputs.maps.geometry.simplify_coverage`: neighbours
keep one shared border, no gaps, no overlaps), coordinates to 5 decimals of a degree
(about a metre).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd

from stpgeo.ons.generations import Generation
from stpgeo.outputs.maps.geometry import dissolve, simplify_coverage, to_lonlat
from stpgeo.outputs.maps.topology import compact_geometries

if TYPE_CHECKING:
    from stpgeo.analysis.timeline.result import Timeline

#: Simplification of the wards and of the footprints (metres).
WARD_TOLERANCE = 40.0
FOOTPRINT_TOLERANCE = 100.0
DECIMALS = 5


def _topology(codes: list[str], simplified: gpd.GeoSeries,
              names: list[str] | None = None) -> str:
    properties = ([{"c": c} for c in codes] if names is None
                  else [{"c": c, "n": n} for c, n in zip(codes, names, strict=True)])
    return compact_geometries(to_lonlat(simplified, decimals=DECIMALS), properties,
                              decimals=DECIMALS)


def ward_shapes(timeline: Timeline, generation: Generation) -> tuple[list[str], str]:
    """A generation's wards: their codes, in the order the topology holds them, and the
    topology (JSON text)."""
    work = timeline.kept(to="write an atlas").works[generation]
    polygons = work.wards.polygons.drop_duplicates("code")
    codes = [str(c) for c in polygons["code"]]
    return codes, _topology(codes, simplify_coverage(polygons.geometry,
                                                     tolerance=WARD_TOLERANCE))


def footprint_shapes(timeline: Timeline, generation: Generation) -> dict[str, str]:
    """The footprints of each vintage of a generation, of the area shown, as topologies
    (JSON text) with each footprint's code and name, by vintage.

    The clean blocks of the area's footprints (:meth:`Timeline.footprint_blocks`) are
    simplified once, as one coverage, and each vintage's footprints dissolved from them:
    one simplification for all the generation's vintages rather than one each, and a
    border two vintages share is drawn the same in both.
    """
    found = {}
    simplified = None
    for vintage in (v for v in timeline.vintages if v.generation == generation):
        blocks, footprint_of = timeline.footprint_blocks(vintage.name, council=None)
        if simplified is None:  # the same blocks for every vintage of the generation
            simplified = simplify_coverage(
                blocks.gdf.geometry.set_axis(blocks.gdf["code"].to_numpy()),
                tolerance=FOOTPRINT_TOLERANCE, clean=False)
        layer = dissolve(simplified, footprint_of)
        names = timeline.kept(to="write an atlas").results[vintage.name].map.footprint_names
        codes = [str(c) for c in layer.index]
        found[vintage.name] = _topology(codes, layer, names=[str(names.get(c, c))
                                                             for c in codes])
    return found
