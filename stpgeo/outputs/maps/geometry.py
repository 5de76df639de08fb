"""Web-sized geometry: simplified with shared borders kept, in longitude/latitude.

A ward map of England drawn at full resolution would weigh tens of megabytes, and
simplifying each ward on its own opens gaps and overlaps between neighbours. So
the wards are first made into a clean coverage (:func:`shapely.coverage_clean`:
the ward files are not one, neighbours' shared edges do not share vertices), then
simplified as a coverage (:func:`shapely.coverage_simplify`), which simplifies each
shared border once, for both neighbours: no gaps, no overlaps. Only then are they
reprojected to EPSG:4326 (the one place in stpgeo that does) and their coordinates
rounded (:data:`DECIMALS`): shared vertices round to the same place, so shared
borders stay shared.

Examples
--------
>>> import geopandas as gpd, shapely
>>> left = shapely.Polygon([(0, 0), (500, 3), (1000, 0), (1000, 1000), (0, 1000)])
>>> right = shapely.Polygon([(0, 0), (500, 3), (1000, 0), (1000, -1000), (0, -1000)])
>>> wards = gpd.GeoSeries([left, right], crs=27700)
>>> simple = simplify_coverage(wards, tolerance=50)
>>> [int(shapely.get_num_coordinates(g)) for g in simple]  # the 3 m kink is gone from both
[5, 5]
>>> float(shapely.union_all(simple.values).area) == 2_000_000.0
True
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from stpgeo.errors import StpgeoError

#: Gaps narrower than this (metres) between neighbouring wards are closed when cleaning.
GAP_WIDTH_M = 1.0
#: Decimal places of degrees kept (about 0.1 m). Rounding is the last step, after the
#: coverage is simplified: shared vertices round alike, so borders stay shared, but a
#: coarser grid folds narrow strips of wards (channels, river banks). Measured on
#: England's wards simplified at 150 m: 5 places leave 12 slivers of gap about 0.2 m
#: wide (520 m² in all), 4 places 0.8 km² of gaps and 1,400 m² of overlaps; 6 none.
DECIMALS = 6
_POLYGONAL = ("Polygon", "MultiPolygon")


def auto_tolerance(bounds: tuple[float, float, float, float]) -> float:
    """A simplification tolerance (metres) for a map of an area with these bounds.

    The map opens fitted to the area; a tolerance of about 1/2,500 of its diagonal
    is below a pixel at that zoom and still fine after zooming in three or four
    levels. Kept between 5 m and 150 m.

    Examples
    --------
    >>> auto_tolerance((400_000, 270_000, 450_000, 310_000))  # a city and neighbours
    25.6...
    >>> auto_tolerance((82_672, 5_342, 655_604, 657_534))  # England
    150.0
    """
    diagonal = math.hypot(bounds[2] - bounds[0], bounds[3] - bounds[1])
    return float(min(150.0, max(5.0, diagonal / 2_500)))


def polygonal(geometries: np.ndarray) -> np.ndarray:
    """Each geometry reduced to its polygons (a repaired ward may carry stray lines)."""
    geometries = np.asarray(geometries, dtype=object)
    types = shapely.get_type_id(geometries)
    odd = np.flatnonzero(~np.isin(types, (3, 6)))  # not Polygon or MultiPolygon
    result = geometries.copy()
    for i in odd:
        parts = shapely.get_parts(geometries[i])
        polygons = [q for p in parts if p.geom_type in _POLYGONAL for q in shapely.get_parts(p)]
        result[i] = shapely.MultiPolygon(polygons) if polygons else shapely.Polygon()
    return result


def simplify_coverage(geometries: gpd.GeoSeries, *, tolerance: float,
                      clean: bool = True) -> gpd.GeoSeries:
    """Clean a set of neighbouring polygons into a coverage and simplify it as one.

    Parameters
    ----------
    geometries
        Polygons in a projected CRS in metres (EPSG:27700), e.g. wards.
    tolerance
        Roughly the square root of the area of the smallest features kept (metres),
        as for :func:`shapely.coverage_simplify`.
    clean
        False for polygons already a clean coverage (e.g. blocks from
        :func:`stpgeo.engine.footprints.clean_coverage`): GEOS's coverage cleaner, the
        dearer half of the work, is then not run again.

    Returns
    -------
    geopandas.GeoSeries
        Same index and CRS; shared borders identical in both neighbours.
    """
    if geometries.crs is None or not geometries.crs.is_projected:
        raise StpgeoError("geometry to simplify must be in a projected CRS in metres",
                          fix="pass the layers in EPSG:27700 as stpgeo's analyses keep them")
    values = polygonal(geometries.values)
    usable = ~(shapely.is_empty(values) | shapely.is_missing(values))
    result = values.copy()
    if usable.any():
        cleaned = (shapely.coverage_clean(values[usable], gap_width=GAP_WIDTH_M) if clean
                   else values[usable])
        result[usable] = shapely.coverage_simplify(cleaned, tolerance)
    return gpd.GeoSeries(result, index=geometries.index, crs=geometries.crs)


def dissolve(geometries: gpd.GeoSeries, by: pd.Series) -> gpd.GeoSeries:
    """The union of the polygons of a clean coverage, one per value of ``by`` (aligned on
    the index; polygons without a value are left out), indexed by the values, sorted.

    Examples
    --------
    >>> import shapely
    >>> squares = gpd.GeoSeries([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    >>> dissolve(squares, pd.Series(["a", "a"])).area.tolist()
    [2.0]
    """
    aligned = by if by.index.equals(geometries.index) else by.reindex(geometries.index)
    keys = aligned.to_numpy(dtype=object)
    kept = pd.notna(keys)
    values = np.asarray(geometries.values, dtype=object)[kept]
    codes, inverse = np.unique(keys[kept].astype(str), return_inverse=True)
    order = np.argsort(inverse, kind="stable")  # positions, group by group
    bounds = np.cumsum(np.bincount(inverse, minlength=len(codes)))[:-1]
    unions = []
    for parts in np.split(values[order], bounds):
        union = shapely.coverage_union_all(parts)
        unions.append(union if shapely.is_valid(union) else shapely.union_all(parts))
    return gpd.GeoSeries(unions, index=list(codes), crs=geometries.crs)


def to_lonlat(geometries: gpd.GeoSeries, *, decimals: int = DECIMALS) -> np.ndarray:
    """Reproject to EPSG:4326 and round coordinates to ``decimals`` places.

    Shared vertices round alike, so shared borders stay shared. The rare polygon that
    rounding makes invalid (two parts of a ward pressed together) is repaired.

    Examples
    --------
    >>> square = gpd.GeoSeries([shapely.box(400_000, 280_000, 401_000, 281_000)], crs=27700)
    >>> to_lonlat(square, decimals=4)[0].exterior.coords[0]
    (-1.9867, 52.418)
    """
    lonlat = np.asarray(geometries.to_crs(4326).values, dtype=object)
    rounded = shapely.transform(lonlat, lambda xy: np.round(xy, decimals))
    rounded = np.asarray(shapely.remove_repeated_points(rounded, 0.0), dtype=object)
    invalid = np.flatnonzero(~shapely.is_valid(rounded) & ~shapely.is_missing(rounded))
    rounded[invalid] = polygonal(shapely.make_valid(rounded[invalid]))
    return rounded
