"""The overlap engine: every overlapping pair of two polygon layers, with its area.

This table is the one expensive step of an analysis: it is computed once, and the
area shares, population shares, verdicts and coterminosity are all derived from it.

Method
------
1. A spatial index (:class:`shapely.STRtree`) on the right layer gives the pairs
   whose bounding boxes meet; a prepared-geometry ``intersects`` test, run on the
   side with more vertices, keeps those whose polygons meet.
2. Pairs where one polygon lies wholly inside the other (prepared
   ``contains_properly``, then ``covers``) need no overlay: the piece is the smaller
   polygon. Most wards lie wholly inside one footprint.
3. For the rest, the larger polygon is first clipped to the smaller one's bounding
   box (:func:`shapely.clip_by_rect`, a cheap cut that removes most of its
   vertices; the rare invalid cut is redone as an exact box intersection), then the
   exact intersection is computed, vectorised, in chunks on all cores (shapely
   releases the GIL).
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

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from stpgeo.errors import StpgeoError
from stpgeo.geometry.crs import MEASURE_CRS
from stpgeo.io.layer import Layer

#: Pairs per chunk handed to a worker thread.
CHUNK = 2_000
#: The bigger polygon of a pair is cut to the smaller one's box only when it has this many
#: times the smaller one's vertices, and at least CLIP_MIN_COORDS (else the cut costs more
#: than it saves: a ward and an LSOA intersect no faster for being cut first).
CLIP_RATIO = 4
CLIP_MIN_COORDS = 500


def _frame(layer: Layer | gpd.GeoDataFrame, side: str) -> gpd.GeoDataFrame:
    frame = layer.polygons if isinstance(layer, Layer) else layer
    if frame.crs is None or not frame.crs.equals(MEASURE_CRS):
        raise StpgeoError(
            f"the {side} layer is in {frame.crs.name if frame.crs else 'no CRS'}; overlaps are "
            "measured in British National Grid",
            source=getattr(layer, "source", None),
            fix="read it with stpgeo.read_layer, or call .to_crs(27700) first")
    return frame


def _in_threads(function: Any, *arrays: np.ndarray) -> np.ndarray:
    """Apply a vectorised shapely function to aligned arrays, chunked over all cores."""
    n = len(arrays[0])
    workers = max(1, min(os.cpu_count() or 1, n // CHUNK))
    if workers == 1:
        return np.asarray(function(*arrays))
    bounds = np.array_split(np.arange(n), max(workers, n // CHUNK))
    with ThreadPoolExecutor(workers) as pool:
        parts = list(pool.map(lambda ix: function(*(a[ix] for a in arrays)), bounds))
    return np.concatenate(parts)


def _box_within(inner: np.ndarray, outer: np.ndarray) -> np.ndarray:
    """Whether each inner bounding box lies within its outer one (rows xmin, ymin, xmax, ymax)."""
    return ((inner[:, 0] >= outer[:, 0]) & (inner[:, 1] >= outer[:, 1])
            & (inner[:, 2] <= outer[:, 2]) & (inner[:, 3] <= outer[:, 3]))


def _inside(outer: np.ndarray, inner: np.ndarray) -> np.ndarray:
    """Whether each (prepared) outer polygon covers its inner one: contains_properly, then
    covers for the rest (a polygon touching its container's boundary from inside)."""
    inside = shapely.contains_properly(outer, inner)
    rest = ~inside
    inside[rest] = shapely.covers(outer[rest], inner[rest])
    return inside


def _clip_to_box(big: np.ndarray, small: np.ndarray) -> np.ndarray:
    """Each big polygon cut to its partner's bounding box (exactly where the cut is dirty)."""
    boxes = shapely.bounds(small)
    clipped = np.array([shapely.clip_by_rect(g, *b) for g, b in zip(big, boxes, strict=True)],
                       dtype=object)
    dirty = ~shapely.is_valid(clipped)
    if dirty.any():
        clipped[dirty] = shapely.intersection(big[dirty], shapely.box(*boxes[dirty].T))
    return clipped


def _intersect(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Exact intersections of aligned pairs, the bigger polygon first cut where it pays."""
    size_a, size_b = shapely.get_num_coordinates(a), shapely.get_num_coordinates(b)
    a_bigger = size_a > size_b
    big, small = np.where(a_bigger, a, b), np.where(a_bigger, b, a)
    size_big, size_small = np.maximum(size_a, size_b), np.minimum(size_a, size_b)
    cut = (size_big >= CLIP_MIN_COORDS) & (size_big >= CLIP_RATIO * size_small)
    if cut.any():
        big = big.copy()
        big[cut] = _clip_to_box(big[cut], small[cut])
    return _in_threads(shapely.intersection, big, small)


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
    shapely.prepare(a)
    shapely.prepare(b)
    ia, ib = shapely.STRtree(b).query(a)  # bounding boxes only: fast
    order = np.lexsort((ib, ia))
    ia, ib = ia[order], ib[order]
    # the intersects test runs on the prepared side with more vertices
    b_first = shapely.get_num_coordinates(b)[ib] >= shapely.get_num_coordinates(a)[ia]
    hit = np.empty(len(ia), dtype=bool)
    # (not in threads: GEOS builds a prepared polygon's indexes lazily, on first use)
    hit[b_first] = shapely.intersects(b[ib[b_first]], a[ia[b_first]])
    hit[~b_first] = shapely.intersects(a[ia[~b_first]], b[ib[~b_first]])
    ia, ib = ia[hit], ib[hit]

    area_a = shapely.area(a)
    area_b = shapely.area(b)
    area = np.full(len(ia), np.nan)
    pieces = np.empty(len(ia), dtype=object)

    # containment is only possible where one bounding box lies within the other
    box_a, box_b = shapely.bounds(a)[ia], shapely.bounds(b)[ib]
    a_inside = _box_within(box_a, box_b)
    a_inside[a_inside] = _inside(b[ib[a_inside]], a[ia[a_inside]])
    b_inside = ~a_inside & _box_within(box_b, box_a)
    b_inside[b_inside] = _inside(a[ia[b_inside]], b[ib[b_inside]])
    rest = ~(a_inside | b_inside)

    area[a_inside] = area_a[ia[a_inside]]
    area[b_inside] = area_b[ib[b_inside]]
    pieces[a_inside] = a[ia[a_inside]]
    pieces[b_inside] = b[ib[b_inside]]
    if rest.any():
        cut = _intersect(a[ia[rest]], b[ib[rest]])
        pieces[rest] = cut
        area[rest] = shapely.area(cut)

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
