"""Exact intersections of many polygon pairs: the bigger polygon first cut to the smaller's box.

The overlap engine (:mod:`stpgeo.engine.overlap`) hands over the pairs whose
polygons cross. Each intersection is exact (GEOS OverlayNG); what is saved is work
on vertices that cannot matter, and waiting:

1. Where one polygon of a pair has many more vertices than the other (an STP and a
   ward), it is first cut to the other's bounding box with
   :func:`shapely.clip_by_rect` — a cheap cut with no noding — which removes most of
   its vertices. (The rare invalid cut is redone as an exact box intersection.)
2. Cuts and intersections run together on all cores, in chunks handed out as the
   threads free up (:func:`stpgeo.geometry.threads.in_threads`).

Examples
--------
>>> import shapely
>>> big = np.array([shapely.box(0, 0, 10, 10)])
>>> small = np.array([shapely.box(9, 9, 11, 11)])
>>> shapely.area(intersect_pairs(big, small)).tolist()
[1.0]
"""

from __future__ import annotations

import numpy as np
import shapely

from stpgeo.geometry.threads import in_threads

#: The bigger polygon of a pair is cut to the smaller one's box only when it has this many
#: times the smaller one's vertices, and at least CLIP_MIN_COORDS (else the cut costs more
#: than it saves: a ward and an LSOA intersect no faster for being cut first).
CLIP_RATIO = 4
CLIP_MIN_COORDS = 500


def clip_to_boxes(big: np.ndarray, small: np.ndarray) -> np.ndarray:
    """Each big polygon cut to its partner's bounding box (exactly where the cut is dirty)."""
    boxes = shapely.bounds(small)
    clipped = np.array([shapely.clip_by_rect(g, *b) for g, b in zip(big, boxes, strict=True)],
                       dtype=object)
    dirty = ~shapely.is_valid(clipped)
    if dirty.any():
        clipped[dirty] = shapely.intersection(big[dirty], shapely.box(*boxes[dirty].T))
    return clipped


def _cut_and_intersect(big: np.ndarray, small: np.ndarray, cut: np.ndarray) -> np.ndarray:
    if cut.any():
        big = big.copy()
        big[cut] = clip_to_boxes(big[cut], small[cut])
    return np.asarray(shapely.intersection(big, small))


def intersect_pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Exact intersections of aligned pairs, the bigger polygon first cut where it pays."""
    size_a, size_b = shapely.get_num_coordinates(a), shapely.get_num_coordinates(b)
    a_bigger = size_a > size_b
    big, small = np.where(a_bigger, a, b), np.where(a_bigger, b, a)
    size_big, size_small = np.maximum(size_a, size_b), np.minimum(size_a, size_b)
    cut = (size_big >= CLIP_MIN_COORDS) & (size_big >= CLIP_RATIO * size_small)
    return in_threads(_cut_and_intersect, big, small, cut)
