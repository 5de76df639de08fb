"""Web-sized geometry: simplified as a coverage, so neighbours keep their shared border."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from stpgeo.outputs.maps.geometry import polygonal, simplify_coverage, to_lonlat

from .shapes import X0, Y0


def _zigzag() -> np.ndarray:
    """A wiggly border from (0, 0) to (0, 2000): 15 m wiggles, a vertex every 25 m."""
    ys = np.arange(0, 2_025, 25)
    return np.column_stack([X0 + 15 * np.sin(ys / 37), Y0 + ys])


def _neighbours() -> gpd.GeoSeries:
    """Two wards sharing the wiggly border, drawn differently on each side (not a clean
    coverage): the right one has an extra vertex in the middle of each segment, 0.4 m
    off the line, to the left and right in turn (slivers of gap and of overlap)."""
    border = _zigzag()
    middles = (border[:-1] + border[1:]) / 2
    middles[:, 0] += np.where(np.arange(len(middles)) % 2, 0.4, -0.4)
    dense = np.empty((len(border) + len(middles), 2))
    dense[0::2], dense[1::2] = border, middles
    left = shapely.Polygon([(X0 - 1_000, Y0), *border, (X0 - 1_000, Y0 + 2_000)])
    right = shapely.Polygon([(X0 + 1_000, Y0), *dense, (X0 + 1_000, Y0 + 2_000)])
    return gpd.GeoSeries([left, right], crs=27700)


def _gaps_and_overlaps(geometries: np.ndarray) -> tuple[float, float]:
    union = shapely.union_all(geometries)
    overlaps = float(shapely.area(geometries).sum() - union.area)
    holes = [shapely.Polygon(ring) for part in shapely.get_parts(union) for ring in part.interiors]
    return sum(h.area for h in holes), overlaps


def test_neighbours_keep_their_shared_border() -> None:
    wards = _neighbours()
    simple = simplify_coverage(wards, tolerance=40)
    assert shapely.get_num_coordinates(simple.values).sum() < shapely.get_num_coordinates(
        wards.values).sum() / 2
    gaps, overlaps = _gaps_and_overlaps(np.asarray(simple.values))
    assert gaps < 1
    assert abs(overlaps) < 1
    assert bool(shapely.coverage_is_valid(np.asarray(simple.values)))
    # the measure is sensitive: the wards as drawn have gaps and overlaps
    raw_gaps, raw_overlaps = _gaps_and_overlaps(np.asarray(wards.values))
    assert raw_gaps > 50
    assert raw_overlaps > 50


def test_rounded_coordinates_keep_shared_vertices_shared() -> None:
    simple = simplify_coverage(_neighbours(), tolerance=40)
    left, right = to_lonlat(simple, decimals=5)
    shared = set(shapely.get_coordinates(left).round(9).view(complex).ravel()) & set(
        shapely.get_coordinates(right).round(9).view(complex).ravel())
    assert len(shared) >= 3
    assert all(len(f"{c:.10f}".rstrip("0").split(".")[1]) <= 5
               for c in shapely.get_coordinates(left).ravel())
    assert bool(shapely.coverage_is_valid(np.array([left, right])))


def test_stray_lines_and_empty_wards_are_tolerated() -> None:
    mixed = shapely.GeometryCollection([shapely.box(X0, Y0, X0 + 10, Y0 + 10),
                                        shapely.LineString([(X0, Y0), (X0 - 5, Y0 - 5)])])
    assert polygonal(np.array([mixed]))[0].geom_type == "MultiPolygon"
    wards = gpd.GeoSeries([mixed, shapely.Polygon(), shapely.box(X0 + 10, Y0, X0 + 20, Y0 + 10)],
                          crs=27700)
    simple = simplify_coverage(wards, tolerance=1)
    assert simple.iloc[1].is_empty
    assert simple.iloc[0].area == simple.iloc[2].area == 100
