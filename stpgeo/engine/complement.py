"""Pieces known from a coverage: areas that need no overlay when one layer does not overlap.

When the polygons of one layer (the *coverage*: STPs built from blocks, cleaned
LSOAs) do not overlap each other, two things are known without intersecting:

1. A polygon of the other layer lying inside one coverage polygon shares no area with
   any other: the pairs it only touches are dropped (:func:`inside_elsewhere`).
2. A polygon ``P`` lying wholly inside the coverage's union is exactly the sum of its
   pieces, ``area(P) = Σ area(P ∩ C)`` over the coverage's polygons ``C``, so one piece
   of each such polygon — its *home* piece, the one holding a point of ``P``'s
   interior (:func:`shapely.point_on_surface`) — is ``area(P)`` minus the others
   (:func:`home_pieces`, :func:`complement_areas`). Most polygons that cross a
   footprint's border lie mostly in one footprint: the home piece is usually the
   largest, and among the slowest to intersect (its boundary runs beside the border
   the whole way).

These are taken only where they are exact:

- the layer is known to be a coverage: a :class:`~stpgeo.io.layer.Layer` made by
  :func:`stpgeo.clean_coverage` or :func:`stpgeo.build_footprints`
  (``coverage_clean``), or a GeoDataFrame that :func:`shapely.coverage_is_valid`
  accepts (checked only when the layer is small beside the other one, so that the
  check costs little);
- for home pieces: ``P`` lies properly inside the coverage's union (not on the coast
  or the edge of the data), and only areas are asked for (a piece's geometry needs
  the overlay); a home piece that comes out at less than :data:`MIN_SHARE` of ``P``
  (rounding on a sliver) is intersected after all.

Examples
--------
>>> import geopandas as gpd
>>> layer = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
>>> is_coverage(layer, other_coords=100)
True
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from stpgeo.geometry.threads import prepared_in_threads
from stpgeo.io.layer import Layer

#: A layer given as a GeoDataFrame is checked for being a coverage only when it has at most
#: this share of the other layer's vertices.
CHECK_SHARE = 0.25
#: A home piece found smaller than this share of its polygon is intersected instead.
MIN_SHARE = 1e-9


def is_coverage(layer: Layer | gpd.GeoDataFrame, *, other_coords: int) -> bool:
    """Whether the layer's polygons are known not to overlap (see the module docstring)."""
    if isinstance(layer, Layer):
        return layer.coverage_clean
    geometry = np.asarray(layer.geometry.values)
    geometry = geometry[~shapely.is_missing(geometry)]
    if shapely.get_num_coordinates(geometry).sum() > CHECK_SHARE * other_coords:
        return False
    try:
        return bool(shapely.coverage_is_valid(geometry))
    except shapely.errors.GEOSException:  # not polygons, or too broken to say
        return False


def inside_elsewhere(polygon_at: np.ndarray, inside: np.ndarray, crossing: np.ndarray
                     ) -> np.ndarray:
    """Which crossing pairs belong to a polygon lying inside another coverage polygon.

    ``inside`` marks the pairs whose polygon lies inside the pair's coverage polygon;
    such a polygon shares no area with the coverage polygons it only touches.
    """
    held = np.zeros(polygon_at.max() + 1 if len(polygon_at) else 0, dtype=bool)
    held[polygon_at[inside]] = True
    return crossing & held[polygon_at]


def home_pieces(polygons: np.ndarray, cover: np.ndarray, polygon_at: np.ndarray,
                cover_at: np.ndarray, crossing: np.ndarray) -> np.ndarray:
    """Which crossing pairs are home pieces whose area can be had by complement.

    Parameters
    ----------
    polygons, cover
        The geometries of the layer whose pieces are measured and of the coverage.
    polygon_at, cover_at
        For each pair, the position of its polygon and of its coverage polygon.
    crossing
        The pairs that would otherwise be intersected.

    Returns
    -------
    numpy.ndarray
        A mask over the pairs: at most one per polygon, only for polygons lying properly
        inside the coverage's union.
    """
    home = np.zeros(len(polygon_at), dtype=bool)
    involved = np.unique(polygon_at[crossing])
    if not len(involved):
        return home
    union = np.array([shapely.coverage_union_all(cover)])
    total = shapely.area(cover).sum()
    if abs(shapely.area(union[0]) - total) > MIN_SHARE * total:  # overlaps: not a coverage
        return home
    inside = np.zeros(len(polygons), dtype=bool)
    inside[involved] = prepared_in_threads(shapely.contains_properly, union,
                                           np.zeros(len(involved), dtype=int),
                                           polygons[involved])
    candidates = np.flatnonzero(crossing & inside[polygon_at])
    points = shapely.point_on_surface(polygons[polygon_at[candidates]])
    home[candidates] = prepared_in_threads(shapely.contains, cover, cover_at[candidates],
                                           points)
    return home


def complement_areas(polygon_areas: np.ndarray, area: np.ndarray, polygon_at: np.ndarray,
                     home: np.ndarray) -> np.ndarray:
    """The areas of the home pieces: each polygon's area minus its other pieces' areas.

    ``area`` holds every other pair's area (NaN or anything at the home pairs).
    """
    others = np.where(home, 0.0, np.nan_to_num(area))
    rest = np.bincount(polygon_at, weights=others, minlength=len(polygon_areas))
    return polygon_areas[polygon_at[home]] - rest[polygon_at[home]]
