"""The overlap engine: every overlapping pair of two polygon layers, with its area.

This table is the one expensive step of an analysis: it is computed once, and the
area shares, population shares, verdicts and coterminosity are all derived from it.

Method
------
1. The pairs whose polygons meet, and those where one polygon lies wholly inside
   the other, found with prepared predicates and no intersection
   (:mod:`stpgeo.engine.pairs`). A polygon inside the other is the piece itself:
   most wards lie inside one footprint, most blocks inside one ward.
2. When one layer is a coverage (its polygons do not overlap), a polygon inside one
   of its polygons shares no area with the others it touches, and — when only areas
   are asked for — each polygon of the other layer lying inside the coverage's union
   gets its home piece by complement: its area minus its other pieces
   (:mod:`stpgeo.engine.complement`).
3. The rest are intersected exactly, the larger polygon first cut to the smaller
   one's bounding box, on all cores (:mod:`stpgeo.engine.intersect`).
4. Pairs that only touch (zero area) are dropped.

Areas are square metres in EPSG:27700; ``left_share`` is the piece's area over the
left polygon's area, ``right_share`` over the right polygon's.

Examples
--------
>>> import geopandas as gpd, shapely
>>> wards = gpd.GeoDataFrame({"code": ["W1"]}, geometry=[shapely.box(0, 0, 2, 1)], crs=27700)
>>> footprints = gpd.GeoDataFrame({"code": ["F1", "F2"]}, crs=27700,
...                               geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 3, 1)])
>>> overlap_table(wards, footprints)[["left", "right", "area_m2", "left_share", "right_share"]]
  left right  area_m2  left_share  right_share
0   W1    F1      1.0         0.5          1.0
1   W1    F2      1.0         0.5          0.5
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from stpgeo.engine.complement import (
    MIN_SHARE,
    complement_areas,
    home_pieces,
    inside_elsewhere,
    is_coverage,
)
from stpgeo.engine.intersect import intersect_pairs
from stpgeo.engine.pairs import Pairs, meeting_pairs
from stpgeo.errors import StpgeoError
from stpgeo.geometry.crs import MEASURE_CRS
from stpgeo.io.layer import Layer


def _frame(layer: Layer | gpd.GeoDataFrame, side: str) -> gpd.GeoDataFrame:
    frame = layer.polygons if isinstance(layer, Layer) else layer
    if frame.crs is None or not frame.crs.equals(MEASURE_CRS):
        raise StpgeoError(
            f"the {side} layer is in {frame.crs.name if frame.crs else 'no CRS'}; overlaps are "
            "measured in British National Grid",
            source=getattr(layer, "source", None),
            fix="read it with stpgeo.read_layer, or call .to_crs(27700) first")
    return frame


def _areas(pairs: Pairs, a: np.ndarray, b: np.ndarray, coverage: tuple[bool, bool], *,
           geometry: bool) -> tuple[np.ndarray, np.ndarray]:
    """Each pair's shared area (0 for pairs that only touch) and, if asked, its piece."""
    ia, ib = pairs.left, pairs.right
    area_a, area_b = shapely.area(a), shapely.area(b)
    area = np.zeros(len(pairs))
    pieces = np.empty(len(pairs), dtype=object)
    area[pairs.left_inside] = area_a[ia[pairs.left_inside]]
    area[pairs.right_inside] = area_b[ib[pairs.right_inside]]
    pieces[pairs.left_inside] = a[ia[pairs.left_inside]]
    pieces[pairs.right_inside] = b[ib[pairs.right_inside]]
    crossing = pairs.crossing
    left_is, right_is = coverage
    if right_is:
        crossing &= ~inside_elsewhere(ia, pairs.left_inside, crossing)
    if left_is:
        crossing &= ~inside_elsewhere(ib, pairs.right_inside, crossing)
    home = np.zeros(len(pairs), dtype=bool)
    # home pieces where the coverage has fewer polygons than the other layer (its union,
    # needed to find the polygons inside it, then costs little beside what it saves)
    side = 0 if right_is and len(b) <= len(a) else 1 if left_is and len(a) < len(b) else None
    if not geometry and crossing.any() and side is not None:
        home = (home_pieces(a, b, ia, ib, crossing) if side == 0
                else home_pieces(b, a, ib, ia, crossing))
    todo = crossing & ~home
    if todo.any():
        pieces[todo] = intersect_pairs(a[ia[todo]], b[ib[todo]])
        area[todo] = shapely.area(pieces[todo])
    if home.any():
        polygon_at, polygon_areas = (ia, area_a) if side == 0 else (ib, area_b)
        area[home] = complement_areas(polygon_areas, area, polygon_at, home)
        # rounding can leave a sliver-sized home piece wrong: those are intersected after all
        doubtful = np.flatnonzero(home)[area[home] <= MIN_SHARE * polygon_areas[polygon_at[home]]]
        if len(doubtful):
            area[doubtful] = shapely.area(intersect_pairs(a[ia[doubtful]], b[ib[doubtful]]))
    return area, pieces


def overlap_table(
    left: Layer | gpd.GeoDataFrame,
    right: Layer | gpd.GeoDataFrame,
    *,
    code: str = "code",
    geometry: bool = False,
) -> pd.DataFrame:
    """Every overlapping pair of two polygon layers, with the area they share.

    Parameters
    ----------
    left, right
        Polygon layers in EPSG:27700 (features without polygons are left out).
    code
        The column identifying features in both layers.
    geometry
        Also return each piece's geometry (a GeoDataFrame).

    Returns
    -------
    pandas.DataFrame
        One row per pair sharing a positive area: ``left`` and ``right`` (codes),
        ``left_index`` and ``right_index`` (row labels in the inputs), ``area_m2``,
        ``left_share`` and ``right_share`` (fractions 0..1), ordered by left then
        right position.

    Notes
    -----
    ``left_share = area(L ∩ R) / area(L)`` and ``right_share = area(L ∩ R) / area(R)``.
    The table is exact (no generalisation, no representative points); see the module
    docstring for how it is made fast.
    """
    lf, rf = _frame(left, "left"), _frame(right, "right")
    a = np.asarray(lf.geometry.values)
    b = np.asarray(rf.geometry.values)
    pairs = meeting_pairs(a, b)
    coverage = (False, False)
    if pairs.crossing.any():
        coords_a = int(shapely.get_num_coordinates(a).sum())
        coords_b = int(shapely.get_num_coordinates(b).sum())
        coverage = (is_coverage(left, other_coords=coords_b),
                    is_coverage(right, other_coords=coords_a))
    area, pieces = _areas(pairs, a, b, coverage, geometry=geometry)
    ia, ib = pairs.left, pairs.right
    area_a, area_b = shapely.area(a), shapely.area(b)

    keep = area > 0
    ia, ib, area, pieces = ia[keep], ib[keep], area[keep], pieces[keep]
    table = pd.DataFrame({
        "left": lf[code].to_numpy()[ia], "right": rf[code].to_numpy()[ib],
        "left_index": lf.index.to_numpy()[ia], "right_index": rf.index.to_numpy()[ib],
        "area_m2": area,
        "left_share": np.minimum(area / area_a[ia], 1.0),
        "right_share": np.minimum(area / area_b[ib], 1.0),
    })
    if geometry:
        return gpd.GeoDataFrame(table, geometry=pieces, crs=MEASURE_CRS)
    return table
