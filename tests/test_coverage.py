"""Cleaning a coverage: rounding to the millimetre first, GEOS's cleaner only where needed."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from stpgeo import Layer
from stpgeo.engine.footprints import clean_coverage
from stpgeo.geometry import coverage as coverage_module
from stpgeo.geometry import threads

from .shapes import frame, rect, square


def _noisy_grid(n: int = 8) -> list[shapely.Geometry]:
    """An n x n grid of 1 km squares whose shared vertices differ by about a micrometre."""
    rng = np.random.default_rng(7)

    def jitter(xy: np.ndarray) -> np.ndarray:
        moved = xy + rng.uniform(-1e-6, 1e-6, xy.shape)
        moved[-1] = moved[0]  # the ring stays closed
        return moved

    return [shapely.transform(square(1_000 * i, 1_000 * j), jitter)
            for i in range(n) for j in range(n)]


def _layer(geometries: list[shapely.Geometry], crs: int = 27700) -> Layer:
    codes = [f"E0100{i:04d}" for i in range(len(geometries))]
    return Layer(frame(codes, geometries, crs=crs), source="grid")


def _spy_on_cleaner(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record how many polygons each call of shapely.coverage_clean receives."""
    calls: list[int] = []
    real = shapely.coverage_clean

    def spy(geometries: np.ndarray, **options: float) -> np.ndarray:
        calls.append(len(geometries))
        return real(geometries, **options)

    monkeypatch.setattr(coverage_module.shapely, "coverage_clean", spy)
    return calls


def test_micrometre_noise_is_cleaned_by_rounding_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = _noisy_grid()
    assert not shapely.coverage_is_valid(blocks)
    calls = _spy_on_cleaner(monkeypatch)
    cleaned = np.asarray(clean_coverage(_layer(blocks)).gdf.geometry.values)
    assert calls == []
    assert shapely.coverage_is_valid(cleaned)
    np.testing.assert_allclose(shapely.area(cleaned), 1e6, rtol=1e-8)
    assert shapely.coverage_union_all(cleaned).equals(rect(0, 0, 8_000, 8_000))


def test_only_unmatched_blocks_and_their_neighbours_go_through_the_cleaner(
        monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = _noisy_grid()
    # block 27 (column 3, row 3) gets extra vertices on its edges, which its four
    # neighbours lack, and overlaps its right-hand neighbour by 5 cm
    x0, y0, x1, y1 = blocks[27].bounds
    blocks[27] = shapely.segmentize(shapely.box(x0, y0, x1 + 0.05, y1), 100)
    calls = _spy_on_cleaner(monkeypatch)
    layer = clean_coverage(_layer(blocks))
    cleaned = np.asarray(layer.gdf.geometry.values)
    assert 1 <= len(calls) <= coverage_module.MAX_ROUNDS
    assert 2 <= calls[0] < len(blocks)
    assert shapely.coverage_is_valid(cleaned)
    assert shapely.is_valid(cleaned).all()
    # the overlap went to one of the two blocks: nothing lost, nothing counted twice
    assert shapely.area(cleaned).sum() == pytest.approx(64e6, rel=1e-9)
    assert "through GEOS's coverage cleaner" in layer.notes[-1]


def test_a_coverage_that_will_not_settle_is_cleaned_whole(
        monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = _noisy_grid()
    blocks[27] = shapely.segmentize(blocks[27], 100)
    monkeypatch.setattr(coverage_module, "MAX_ROUNDS", 0)
    calls = _spy_on_cleaner(monkeypatch)
    cleaned = np.asarray(clean_coverage(_layer(blocks)).gdf.geometry.values)
    assert calls == [len(blocks)]
    assert shapely.coverage_is_valid(cleaned)


def test_degrees_are_not_rounded_to_a_metric_grid(monkeypatch: pytest.MonkeyPatch) -> None:
    # in longitude/latitude a millimetre grid would be 100 m: the cleaner does it all
    blocks = [shapely.box(-1.9, 52.4, -1.8, 52.5), shapely.box(-1.8 - 1e-12, 52.4, -1.7, 52.5)]
    calls = _spy_on_cleaner(monkeypatch)
    cleaned = np.asarray(clean_coverage(_layer(blocks, crs=4326)).gdf.geometry.values)
    assert calls == [2]
    assert shapely.coverage_is_valid(cleaned)
    assert shapely.get_coordinates(cleaned[0])[:, 0].min() == -1.9


def test_unmatched_edges_found_in_strips_are_those_of_the_whole_coverage(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Strips on both threads, each with its neighbours, give each polygon the answer the
    whole coverage gives, along the cuts between strips too."""
    monkeypatch.setattr(threads, "CHUNK", 8)  # 400 polygons: both threads, eight strips
    rng = np.random.default_rng(11)
    grid = [square(1_000 * i, 1_000 * j) for i in range(20) for j in range(20)]
    for k in rng.choice(len(grid), 40, replace=False):  # some grow into their neighbours
        grid[k] = shapely.buffer(grid[k], float(rng.uniform(0.5, 5)), join_style="mitre")
    polygons = np.array(grid, dtype=object)
    whole = ~shapely.is_empty(shapely.coverage_invalid_edges(polygons))
    assert 40 < whole.sum() < len(grid)  # the grown ones and their neighbours
    assert coverage_module._unmatched(polygons).tolist() == whole.tolist()
