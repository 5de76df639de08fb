"""Making a set of building blocks into a clean coverage, and dissolving it fast.

ONS builds CCGs and STPs from whole 2011 LSOAs, so a footprint is exactly the
union of its LSOAs. The LSOA file published for England is not a properly noded
coverage: neighbours' shared edges do not share vertices, and they overlap or
leave gaps of square millimetres. A plain union of such polygons is slow (GEOS
must node every edge against its neighbours) and :func:`shapely.coverage_union_all`
refuses them or returns invalid, undissolved multipolygons.

So the blocks are first cleaned once with GEOS's coverage cleaner
(:func:`shapely.coverage_clean`: vertices snapped together, slivers of overlap
given to one neighbour, shared edges made identical), after which each
footprint is a fast coverage union. The result is checked: every footprint
valid, its area equal to the sum of its blocks' original areas.
"""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import numpy as np
import shapely

from .errors import StpgeoError
from .layer import Layer
from .progress import step


def clean_coverage(blocks: Layer) -> Layer:
    """The blocks with their shared edges made identical (a clean polygonal coverage).

    Blocks without polygons are kept as they are. Each block's area before cleaning
    is kept in the column ``original_area_m2`` (footprints built from the blocks are
    checked against it) and the largest change is recorded in the layer's notes.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> frame = gpd.GeoDataFrame({"code": ["a", "b"], "name": ["a", "b"]}, crs=27700,
    ...     geometry=[shapely.box(0, 0, 1, 1), shapely.box(0.9999999, 0, 2, 1)])
    >>> cleaned = clean_coverage(Layer(frame, source="two boxes"))
    >>> bool(shapely.coverage_is_valid(cleaned.gdf.geometry.values))
    True
    """
    if blocks.coverage_clean:
        return blocks
    frame = blocks.gdf
    usable = frame.index.isin(blocks.polygons.index)
    geometry = frame.geometry.values.copy()
    with step(f"cleaning the coverage of {len(blocks.polygons):,} blocks"):
        try:
            cleaned = shapely.coverage_clean(np.asarray(geometry[usable]))
        except shapely.errors.GEOSException as error:
            raise StpgeoError(
                f"the blocks could not be made into a clean coverage ({error})",
                source=blocks.source,
                fix="check the block layer is a set of non-overlapping polygons (e.g. LSOAs)",
            ) from None
    before = shapely.area(np.asarray(geometry[usable]))
    after = shapely.area(cleaned)
    change = np.abs(after - before) / np.where(before > 0, before, 1.0)
    geometry[usable] = cleaned
    result = frame.copy()
    result["original_area_m2"] = shapely.area(np.asarray(frame.geometry.values))
    result[result.geometry.name] = gpd.GeoSeries(geometry, index=frame.index, crs=frame.crs)
    note = (f"coverage cleaned (shared edges snapped together); the largest change in a "
            f"block's area is {change.max():.2e} of its area" if len(change) else
            "coverage cleaned")
    return replace(blocks, gdf=result, notes=[*blocks.notes, note], coverage_clean=True)


def dissolve_coverage(geometries: np.ndarray) -> shapely.Geometry:
    """The union of some polygons of a clean coverage, valid and fully dissolved.

    :func:`shapely.coverage_union_all` is exact and fast on a clean coverage; if
    it ever returns an invalid result the slower overlay union is used instead.
    """
    if len(geometries) == 1:
        return geometries[0]
    union = shapely.coverage_union_all(geometries)
    if not shapely.is_valid(union):
        union = shapely.union_all(geometries)
    return union
