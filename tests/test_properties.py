"""Properties of the analysis on generated polygon coverages (hypothesis).

Footprints and wards are Voronoi coverages of random points on a 100 m grid inside
10 km boxes near Birmingham; the ward box may stick out of the footprint box.
Blocks are 1 km squares with random residents. For every generated case:

- area and population shares lie in [0, 1];
- a ward's area shares sum to 1 when the footprints cover it, and to at most 1
  otherwise; its population shares sum to 1 when all its blocks lie in footprints;
- conservation holds (summary.json's checks) and every ward is reported once;
- the results do not change when the rings start at another vertex, run the other
  way round, the features come in another order, or the layers make a round trip
  through longitude/latitude (EPSG:27700 → 4326 → 27700), within tolerance.
"""

from __future__ import annotations

from collections.abc import Callable
from unittest import mock

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stpgeo.engine.conservation
from stpgeo.analysis.pipeline import analyse
from stpgeo.analysis.result import Analysis
from stpgeo.engine.conservation import outside_area
from stpgeo.io.layer import Layer

from .shapes import X0, Y0

SIZE = 10_000.0
BOX = shapely.box(X0, Y0, X0 + SIZE, Y0 + SIZE)
TOLERANCE = 0.05
COUNCILS = ["E08000025", "E08000028"]

PROPERTIES = settings(max_examples=20, deadline=None, derandomize=True,
                      suppress_health_check=[HealthCheck.too_slow])


def _voronoi(points: list[tuple[int, int]], box: shapely.Polygon) -> list[shapely.Geometry]:
    seeds = shapely.MultiPoint([(box.bounds[0] + 100 * x, box.bounds[1] + 100 * y)
                                for x, y in points])
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=box, ordered=True))
    return [shapely.intersection(cell, box) for cell in cells]


def _points(n_min: int, n_max: int) -> st.SearchStrategy[list[tuple[int, int]]]:
    return st.lists(st.tuples(st.integers(0, 100), st.integers(0, 100)), min_size=n_min,
                    max_size=n_max, unique=True)


@st.composite
def cases(draw: st.DrawFn) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """(wards, footprints): two coverages, the wards possibly shifted out of the footprints."""
    footprint_cells = _voronoi(draw(_points(2, 6)), BOX)
    dx, dy = draw(st.sampled_from([(0, 0), (0, 0), (2_500, 0), (1_300, -700)]))
    ward_box = shapely.affinity.translate(BOX, dx, dy)
    ward_cells = _voronoi(draw(_points(3, 12)), ward_box)
    councils = draw(st.lists(st.sampled_from(COUNCILS), min_size=len(ward_cells),
                             max_size=len(ward_cells)))
    wards = gpd.GeoDataFrame({"code": [f"E050000{i:02d}" for i in range(len(ward_cells))],
                              "name": [f"W{i}" for i in range(len(ward_cells))],
                              "council": councils}, geometry=ward_cells, crs=27700)
    footprints = gpd.GeoDataFrame(
        {"code": [f"E540000{i:02d}" for i in range(len(footprint_cells))],
         "name": [f"F{i}" for i in range(len(footprint_cells))]},
        geometry=footprint_cells, crs=27700)
    return wards, footprints


def _run(wards: gpd.GeoDataFrame, footprints: gpd.GeoDataFrame, **options: object) -> Analysis:
    return analyse(Layer(wards, source="wards", kind="ward"),
                   Layer(footprints, source="footprints", kind="stp"),
                   council_field="council", **options)  # type: ignore[arg-type]


@PROPERTIES
@given(cases())
def test_area_shares_lie_in_0_1_and_sum_to_1_where_covered(
        case: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]) -> None:
    wards, footprints = case
    result = _run(wards, footprints)
    shares = result.ward_footprints["area_share"]
    assert shares.between(0, 1).all()
    total = shares.groupby(result.ward_footprints["ward_code"]).sum()
    covered = wards.set_index("code").geometry.covered_by(BOX)
    for code, is_covered in covered.items():
        if is_covered:
            assert total[code] == pytest.approx(1, abs=1e-9)
        else:
            assert total.get(code, 0) <= 1 + 1e-9
    assert result.summary["conservation"]["holds"]
    assert sorted(result.ward_verdicts["ward_code"]) == sorted(wards["code"])


@st.composite
def cases_with_residents(draw: st.DrawFn
                         ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, Layer, pd.Series]:
    """Wards and footprints over the same box, 1 km blocks with random residents."""
    footprint_cells = _voronoi(draw(_points(2, 5)), BOX)
    ward_cells = _voronoi(draw(_points(3, 8)), BOX)
    wards = gpd.GeoDataFrame({"code": [f"E050000{i:02d}" for i in range(len(ward_cells))],
                              "name": [f"W{i}" for i in range(len(ward_cells))],
                              "council": COUNCILS[0]}, geometry=ward_cells, crs=27700)
    footprints = gpd.GeoDataFrame({"code": [f"E540000{i:02d}" for i in range(len(footprint_cells))],
                                   "name": "F"}, geometry=footprint_cells, crs=27700)
    squares = [shapely.box(X0 + x, Y0 + y, X0 + x + 1_000, Y0 + y + 1_000)
               for x in range(0, 10_000, 1_000) for y in range(0, 10_000, 1_000)]
    codes = [f"E0100{i:04d}" for i in range(len(squares))]
    blocks = Layer(gpd.GeoDataFrame({"code": codes, "name": codes}, geometry=squares,
                                    crs=27700), source="blocks", kind="lsoa")
    residents = draw(st.lists(st.integers(0, 3_000), min_size=len(codes), max_size=len(codes)))
    return wards, footprints, blocks, pd.Series(residents, index=codes)


@PROPERTIES
@given(cases_with_residents())
def test_population_shares_lie_in_0_1_and_sum_to_1(
        case: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, Layer, pd.Series]) -> None:
    wards, footprints, blocks, residents = case
    result = _run(wards, footprints, blocks=blocks, population=residents)
    pieces = result.ward_footprints
    shares = pieces["population_share"].dropna()
    assert shares.between(0, 1).all()
    people = pieces.groupby("ward_code")["population"].sum()
    sums = pieces.groupby("ward_code")["population_share"].sum()
    for code in people[people > 0].index:  # every block lies in a footprint here
        assert sums[code] == pytest.approx(1, abs=1e-12)
    conservation = result.summary["conservation"]
    assert conservation["holds"]
    assert conservation["blocks"]["residents"] == residents.sum()
    assert conservation["residents"]["ward_residents"] == residents.sum()


def _rotate_rings(geometry: shapely.Geometry, k: int) -> shapely.Geometry:
    """The same polygon with each ring starting k vertices later."""
    def ring(coords: np.ndarray) -> np.ndarray:
        open_ring = coords[:-1]
        rolled = np.roll(open_ring, -(k % len(open_ring)), axis=0)
        return np.vstack([rolled, rolled[:1]])

    parts = [shapely.Polygon(ring(np.asarray(p.exterior.coords)),
                             [ring(np.asarray(i.coords)) for i in p.interiors])
             for p in shapely.get_parts(geometry)]
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def _comparable(result: Analysis) -> tuple[pd.DataFrame, pd.DataFrame]:
    pieces = result.ward_footprints
    pieces = pieces[pieces["area_share"] > 1e-7].set_index(["ward_code", "footprint_code"])
    verdicts = result.ward_verdicts.set_index("ward_code")
    return pieces.sort_index(), verdicts.sort_index()


TRANSFORMS: dict[str, Callable[[gpd.GeoDataFrame, int], gpd.GeoDataFrame]] = {
    "vertex order": lambda frame, k: frame.set_geometry(
        [_rotate_rings(g, k) for g in frame.geometry]),
    "ring orientation": lambda frame, k: frame.set_geometry(
        shapely.reverse(frame.geometry.values)),
    "feature order": lambda frame, k: frame.sample(frac=1, random_state=k),
    "CRS round trip": lambda frame, k: frame.to_crs(4326).to_crs(27700),
}


@PROPERTIES
@given(cases(), st.integers(1, 50), st.sampled_from(sorted(TRANSFORMS)))
def test_results_do_not_depend_on_representation(
        case: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame], k: int, transform: str) -> None:
    wards, footprints = case
    change = TRANSFORMS[transform]
    base_pieces, base_verdicts = _comparable(_run(wards, footprints))
    pieces, verdicts = _comparable(_run(change(wards, k), change(footprints, k + 1)))
    # a CRS round trip moves vertices by micrometres; the rest change nothing at all
    tolerance = 1e-6 if transform == "CRS round trip" else 1e-9
    assert pieces.index.equals(base_pieces.index)
    assert np.allclose(pieces["area_share"], base_pieces["area_share"], atol=tolerance, rtol=0)
    assert np.allclose(pieces["area_m2"], base_pieces["area_m2"], rtol=tolerance, atol=1e-3)
    # verdicts agree wherever no share lies within the tolerance of the sliver threshold
    near = base_pieces["area_share"].sub(TOLERANCE).abs() < 10 * tolerance
    steady = ~base_verdicts.index.isin(base_pieces[near].index.get_level_values(0))
    assert verdicts.loc[steady, "verdict"].equals(base_verdicts.loc[steady, "verdict"])
    assert verdicts.loc[steady, "best_footprint_code"].equals(
        base_verdicts.loc[steady, "best_footprint_code"])


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, 90), st.integers(0, 90), st.integers(5, 40)),
                min_size=1, max_size=5),
       st.lists(st.tuples(st.integers(0, 95), st.integers(0, 95), st.integers(1, 20)),
                min_size=1, max_size=8))
def test_outside_area_matches_a_plain_difference(discs: list[tuple[int, int, int]],
                                                 boxes: list[tuple[int, int, int]]) -> None:
    # footprints: overlapping discs; tiles forced small so that the tiling is exercised
    footprints = np.array([shapely.Point(100 * x, 100 * y).buffer(100 * r, quad_segs=64)
                           for x, y, r in discs], dtype=object)
    wards = np.array([shapely.box(100 * x, 100 * y, 100 * (x + s), 100 * (y + s))
                      for x, y, s in boxes], dtype=object)
    with mock.patch.object(stpgeo.engine.conservation, "TILE_VERTICES", 24):
        found = outside_area(wards, footprints)
    expected = shapely.area(shapely.difference(wards, shapely.union_all(footprints)))
    assert np.allclose(found, expected, rtol=1e-9, atol=1e-6)
