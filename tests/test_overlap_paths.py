"""The overlap engine's fast paths give the same areas as a plain intersection.

Each case is built so that one path is taken: containment inside the other's
bounding box (proper, and touching the container's boundary from inside), the cut
of a polygon with many vertices to its partner's box, and plain intersections.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from stpgeo.engine import overlap
from stpgeo.engine.overlap import overlap_table

from .shapes import frame, rect, square


def _plain_areas(left: list[shapely.Geometry], right: list[shapely.Geometry]) -> dict:
    areas = {}
    for i, a in enumerate(left):
        for j, b in enumerate(right):
            area = shapely.intersection(a, b).area
            if area > 0:
                areas[(i, j)] = area
    return areas


def _table_areas(left: list[shapely.Geometry], right: list[shapely.Geometry]) -> dict:
    table = overlap_table(frame([f"L{i}" for i in range(len(left))], left),
                          frame([f"R{j}" for j in range(len(right))], right))
    return dict(zip(zip(table["left_index"], table["right_index"], strict=True),
                    table["area_m2"], strict=True))


def test_every_path_gives_the_plain_intersection_areas(monkeypatch: pytest.MonkeyPatch) -> None:
    # a big footprint with many vertices (cut to each partner's box) and a neighbour
    big = shapely.segmentize(rect(0, 0, 4_000, 4_000), 10)
    neighbour = rect(4_000, 0, 8_000, 4_000)
    wards = [square(100, 100, 500),            # properly inside the big one
             rect(0, 1_000, 500, 1_500),       # inside, touching its boundary
             rect(3_500, 2_000, 4_500, 2_500),  # split between the two
             rect(7_900, 3_900, 9_000, 5_000),  # partly outside everything
             rect(-2_000, -2_000, -1_000, -1_000)]  # touches nothing
    footprints = [big, neighbour, square(8_000, 4_000)]  # the last touches ward 3 only
    calls: list[int] = []
    real_cut = overlap._clip_to_box

    def spy(big_: np.ndarray, small: np.ndarray) -> np.ndarray:
        calls.append(len(big_))
        return real_cut(big_, small)

    monkeypatch.setattr(overlap, "_clip_to_box", spy)
    got = _table_areas(wards, footprints)
    expected = _plain_areas(wards, footprints)
    assert got.keys() == expected.keys()
    for pair, area in expected.items():
        assert got[pair] == pytest.approx(area, rel=1e-12)
    assert calls == [1]  # only the split ward's piece of the big footprint was cut
    # each ward's shares add up to the part of it inside the footprints
    assert got[(0, 0)] == pytest.approx(500 * 500)
    assert got[(1, 0)] == pytest.approx(500 * 500)
    assert got[(2, 0)] + got[(2, 1)] == pytest.approx(1_000 * 500)


def test_the_cut_of_a_polygon_with_a_hole_keeps_the_exact_area() -> None:
    # the partner's box cuts through the hole of a polygon with many vertices
    outer = shapely.segmentize(shapely.Polygon(
        [(0, 0), (4_000, 0), (4_000, 4_000), (0, 4_000)],
        [[(1_000, 1_000), (2_000, 1_000), (2_000, 2_000), (1_000, 2_000)]]), 10)
    outer = shapely.transform(outer, lambda xy: xy + np.array([400_000, 280_000]))
    partner = rect(900, 900, 2_000, 1_500)
    assert _table_areas([partner], [outer]) == pytest.approx(
        {(0, 0): shapely.intersection(partner, outer).area})
