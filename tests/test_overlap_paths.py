"""The overlap engine's fast paths give the same areas as a plain intersection.

Each case is built so that one path is taken: containment inside the other's
bounding box (proper, and touching the container's boundary from inside), the cut
of a polygon with many vertices to its partner's box, home pieces by complement in a
coverage, predicates spread over threads, and plain intersections.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from stpgeo.engine import intersect, overlap
from stpgeo.engine.overlap import overlap_table
from stpgeo.geometry import threads
from stpgeo.io.layer import Layer

from .shapes import X0, Y0, frame, rect, square


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
    calls = _counting(monkeypatch, intersect, "clip_to_boxes")
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


def _counting(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[int]:
    """Count the pairs ``module.name`` is called with (cut, or intersected)."""
    counted: list[int] = []
    real = getattr(module, name)

    def spy(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        counted.append(len(a))
        return real(a, b)

    monkeypatch.setattr(module, name, spy)
    return counted


def _counting_intersections(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the pairs the engine intersects (rather than getting their areas otherwise)."""
    return _counting(monkeypatch, overlap, "intersect_pairs")


# two footprints side by side (a coverage) and a third away from them
COVERAGE = [rect(0, 0, 2_000, 2_000), rect(2_000, 0, 4_000, 2_000),
            shapely.Polygon([(x + X0, y + Y0) for x, y in  # with a vertex where the others meet
                             [(0, 2_000), (2_000, 2_000), (4_000, 2_000), (4_000, 3_000),
                              (0, 3_000)]])]
WARDS = [rect(1_500, 500, 2_600, 1_000),   # inside the coverage, across a border
         rect(1_800, 1_800, 2_100, 2_400),  # across three footprints
         rect(3_500, 2_500, 4_500, 2_800),  # partly outside the coverage
         square(100, 100, 300)]             # inside one footprint


@pytest.mark.parametrize("as_layer", [False, True])
def test_home_pieces_by_complement_give_the_plain_areas(
        monkeypatch: pytest.MonkeyPatch, as_layer: bool) -> None:
    counted = _counting_intersections(monkeypatch)
    footprints = frame(["F1", "F2", "F3"], COVERAGE)
    right = Layer(footprints, source="built", coverage_clean=True) if as_layer else footprints
    # wards with many vertices beside the footprints: a GeoDataFrame is checked for being
    # a coverage only when that is cheap beside the overlay
    wards = [shapely.segmentize(w, 10) for w in WARDS]
    table = overlap_table(frame([f"W{i}" for i in range(len(WARDS))], wards), right)
    got = dict(zip(zip(table["left_index"], table["right_index"], strict=True),
                   table["area_m2"], strict=True))
    expected = _plain_areas(WARDS, COVERAGE)
    assert got.keys() == expected.keys()
    for pair, area in expected.items():
        assert got[pair] == pytest.approx(area, rel=1e-12)
    # ward 0: 2 pieces, 1 intersected; ward 1: 3 pieces, 2 intersected; ward 2 lies partly
    # outside the coverage: its piece is intersected; ward 3 lies inside F1
    assert sum(counted) == 1 + 2 + 1


def test_no_complement_where_it_would_not_be_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    counted = _counting_intersections(monkeypatch)
    wards = frame([f"W{i}" for i in range(len(WARDS))], WARDS)
    # footprints that overlap each other are no coverage
    overlapping = frame(["F1", "F2"], [rect(0, 0, 2_100, 2_000), rect(2_000, 0, 4_000, 2_000)])
    table = overlap_table(wards, overlapping)
    assert table["area_m2"].sum() == pytest.approx(sum(_plain_areas(WARDS, list(
        overlapping.geometry)).values()))
    assert sum(counted) == 4  # wards 0 and 1, both in both footprints
    # a Layer not known to be a clean coverage, and pieces asked for with their geometry
    counted.clear()
    overlap_table(wards, Layer(frame(["F1", "F2", "F3"], COVERAGE), source="file"))
    overlap_table(wards, frame(["F1", "F2", "F3"], COVERAGE), geometry=True)
    assert counted == [6, 6]


def test_blocks_touching_their_footprint_boundary_are_not_intersected(
        monkeypatch: pytest.MonkeyPatch) -> None:
    counted = _counting_intersections(monkeypatch)
    # 100 blocks on a 10 x 10 grid, two footprints made of them: every border block is
    # covered by its footprint without lying properly inside it
    blocks = [square(100 * i, 100 * j, 100) for i in range(10) for j in range(10)]
    footprints = [shapely.segmentize(f, 10) for f in (rect(0, 0, 500, 1_000),
                                                       rect(500, 0, 1_000, 1_000))]
    table = overlap_table(frame([f"B{i}" for i in range(100)], blocks),
                          frame(["F1", "F2"], footprints))
    assert len(table) == 100
    assert (table["left_share"] == 1.0).all()
    assert counted == [20]  # the blocks of one footprint touching the other
    # known to be a coverage, the footprints need no intersection at all
    counted.clear()
    overlap_table(frame([f"B{i}" for i in range(100)], blocks),
                  Layer(frame(["F1", "F2"], footprints), source="built", coverage_clean=True))
    assert counted == []
    # between layers drawn apart almost nothing is covered: the cover test is not run
    shifted = [shapely.affinity.translate(b, 0.5, 0.5) for b in blocks]
    table = overlap_table(frame([f"B{i}" for i in range(100)], shifted),
                          frame(["F1", "F2"], footprints))
    assert table["area_m2"].sum() == pytest.approx(sum(_plain_areas(shifted, footprints)
                                                       .values()))


def test_predicates_in_threads_match_the_plain_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threads, "CHUNK", 4)  # many chunks, so that both threads get work
    rng = np.random.default_rng(7)
    outer = np.array([shapely.box(x, 0, x + 10, 10) for x in range(0, 100, 10)], dtype=object)
    outer_at = rng.integers(0, len(outer), 200)
    inner = shapely.points(rng.uniform(0, 100, 200), rng.uniform(-2, 12, 200))
    expected = shapely.contains_properly(outer[outer_at], inner)
    got = threads.prepared_in_threads(shapely.contains_properly, outer, outer_at, inner)
    assert got.tolist() == expected.tolist()
    one = threads.prepared_in_threads(shapely.intersects, outer[:1], np.zeros(200, int), inner)
    assert one.tolist() == shapely.intersects(outer[0], inner).tolist()
