"""Which polygons of two layers meet, and which of those lie one inside the other.

The first half of the overlap engine (:mod:`stpgeo.engine.overlap`): every pair
whose polygons meet, found without computing a single intersection.

1. A spatial index (:class:`shapely.STRtree`) on the right layer gives the pairs
   whose bounding boxes meet.
2. Where one bounding box lies within the other, a prepared ``contains_properly``
   test finds the polygons lying wholly inside the other one (most wards inside one
   footprint; most blocks inside one ward).
3. The others must meet: a prepared ``intersects`` test, run on the side with more
   vertices, keeps those that do.
4. A polygon touching its container's boundary from inside is not *properly* inside
   it; ``covers`` finds those — tried on a sample first, as it finds them all along a
   footprint's border for the blocks it was built from, and almost never between
   layers drawn apart (wards and STPs), where it would only cost time. Pairs it does
   not try are intersected instead, with the same result.

All the predicates run on all cores (:func:`stpgeo.geometry.threads.prepared_in_threads`).

Examples
--------
>>> import shapely
>>> a = np.array([shapely.box(0, 0, 1, 1), shapely.box(5, 5, 6, 6)])
>>> b = np.array([shapely.box(0, 0, 3, 3), shapely.box(2, 0, 4, 1)])
>>> found = meeting_pairs(a, b)
>>> found.left.tolist(), found.right.tolist(), found.left_inside.tolist()
([0], [0], [True])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from stpgeo.geometry.threads import prepared_in_threads

#: Pairs tried with ``covers`` before deciding whether trying the rest pays.
COVERS_SAMPLE = 64
#: The share of the sample that must be covered for the rest to be tried.
COVERS_MIN_SHARE = 0.125


@dataclass(frozen=True)
class Pairs:
    """The pairs whose polygons meet, ordered by left then right position.

    Attributes
    ----------
    left, right
        Positions of each pair's polygons in the two layers.
    left_inside, right_inside
        Whether the left polygon lies inside the right one (or the right inside the left).
    """

    left: np.ndarray
    right: np.ndarray
    left_inside: np.ndarray
    right_inside: np.ndarray

    @property
    def crossing(self) -> np.ndarray:
        """The pairs whose shared area needs working out (neither lies inside the other)."""
        return ~(self.left_inside | self.right_inside)

    def __len__(self) -> int:
        return len(self.left)


def _box_within(inner: np.ndarray, outer: np.ndarray) -> np.ndarray:
    """Whether each inner bounding box lies within its outer one (rows xmin, ymin, xmax, ymax)."""
    return ((inner[:, 0] >= outer[:, 0]) & (inner[:, 1] >= outer[:, 1])
            & (inner[:, 2] <= outer[:, 2]) & (inner[:, 3] <= outer[:, 3]))


def _covering(outer: np.ndarray, outer_at: np.ndarray, inner: np.ndarray) -> np.ndarray:
    """Whether each outer polygon covers its inner one, tried only where it pays."""
    n = len(outer_at)
    covered = np.zeros(n, dtype=bool)
    sample = np.unique(np.linspace(0, n - 1, min(n, COVERS_SAMPLE)).astype(int))
    if not len(sample):
        return covered
    covered[sample] = prepared_in_threads(shapely.covers, outer, outer_at[sample], inner[sample])
    if covered[sample].mean() >= COVERS_MIN_SHARE:
        rest = np.setdiff1d(np.arange(n), sample)
        covered[rest] = prepared_in_threads(shapely.covers, outer, outer_at[rest], inner[rest])
    return covered


def meeting_pairs(a: np.ndarray, b: np.ndarray) -> Pairs:
    """Every pair of polygons of ``a`` and ``b`` that meet, and which lie inside the other."""
    ia, ib = shapely.STRtree(b).query(a)  # bounding boxes only: fast
    order = np.lexsort((ib, ia))
    ia, ib = ia[order], ib[order]
    # containment is only possible where one bounding box lies within the other
    box_a, box_b = shapely.bounds(a)[ia], shapely.bounds(b)[ib]
    a_in = _box_within(box_a, box_b)
    a_in[a_in] = prepared_in_threads(shapely.contains_properly, b, ib[a_in], a[ia[a_in]])
    b_in = ~a_in & _box_within(box_b, box_a)
    b_in[b_in] = prepared_in_threads(shapely.contains_properly, a, ia[b_in], b[ib[b_in]])
    # the others must meet; the test runs on the prepared side with more vertices
    hit = a_in | b_in
    b_first = shapely.get_num_coordinates(b)[ib] >= shapely.get_num_coordinates(a)[ia]
    for test, outer, inner, o, i in ((~hit & b_first, b, a, ib, ia),
                                     (~hit & ~b_first, a, b, ia, ib)):
        hit[test] = prepared_in_threads(shapely.intersects, outer, o[test], inner[i[test]])
    ia, ib, a_in, b_in = ia[hit], ib[hit], a_in[hit], b_in[hit]
    box_a, box_b = box_a[hit], box_b[hit]
    # a polygon touching its container's boundary from inside is not properly inside it
    test = ~(a_in | b_in) & _box_within(box_a, box_b)
    a_in[test] = _covering(b, ib[test], a[ia[test]])
    test = ~(a_in | b_in) & _box_within(box_b, box_a)
    b_in[test] = _covering(a, ia[test], b[ib[test]])
    return Pairs(ia, ib, a_in, b_in)
