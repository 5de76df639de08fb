"""Issue "Interactive Folium maps" on the real data: scope, size budgets, clean borders.

The expected neighbours of Birmingham come from ONS lookup 143 (LSOA → STP17 → LAD17),
never from a run of stpgeo.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from stpgeo.analysis.result import Analysis
from stpgeo.maps import choose_scope, ward_map, write_map
from stpgeo.outputs.maps.content import MapContent, map_content
from stpgeo.outputs.maps.geometry import simplify_coverage
from stpgeo.outputs.maps.ward_map import assemble

from .ons import NEIGHBOURS, ons_neighbours

pytestmark = pytest.mark.realdata

MB = 1_000_000


@pytest.fixture(scope="module")
def both(england: dict[str, Analysis]) -> list[Analysis]:
    return [england["stp17"], england["ccg17"]]


@pytest.fixture(scope="module")
def birmingham(both: list[Analysis]) -> MapContent:
    return map_content(both, choose_scope(both, council="Birmingham"))


def _web_wards(content: MapContent) -> gpd.GeoSeries:
    """The wards as the page draws them, back in British National Grid."""
    features = json.loads(content.wards)["features"]
    shapes = [shapely.geometry.shape(f["geometry"]) for f in features]
    return gpd.GeoSeries(shapes, crs=4326).to_crs(27700)


def _gaps_and_overlaps(web: gpd.GeoSeries, land: shapely.Geometry) -> tuple[float, float]:
    """Area (m²) of the land inside the wards' outer boundary that no simplified ward
    covers, and area covered twice. (Holes in the union that are not land, such as a
    river mouth pinched shut, are not gaps between neighbours.)"""
    geometries = np.asarray(web.values)
    union = shapely.union_all(geometries)
    holes = shapely.union_all([shapely.Polygon(r) for part in shapely.get_parts(union)
                               for r in part.interiors])
    return float(shapely.intersection(holes, land).area), float(
        shapely.area(geometries).sum() - union.area)


def test_birmingham_and_its_neighbours(both: list[Analysis], lookup_143: Path) -> None:
    expected = ons_neighbours(lookup_143)
    assert set(expected.values()) == NEIGHBOURS
    scope = choose_scope(both, council="Birmingham")
    assert set(scope.councils) == set(expected)
    verdicts = both[0].ward_verdicts
    assert set(scope.wards) == set(verdicts.loc[verdicts["council_code"].isin(expected),
                                                "ward_code"])
    assert scope.title == "Birmingham and its neighbours"
    black_country = choose_scope(both, footprint="E54000016")
    assert {both[0].councils.set_index("council_code").loc[c, "council_name"]
            for c in black_country.councils} == NEIGHBOURS - {"Solihull"}


def test_simplified_wards_still_tile(both: list[Analysis], birmingham: MapContent) -> None:
    web = _web_wards(birmingham)
    assert len(web) == len(choose_scope(both, council="Birmingham").wards)
    original = both[0].wards_gdf.set_index("ward_code").loc[birmingham.ward_codes].geometry
    gaps, overlaps = _gaps_and_overlaps(web, shapely.union_all(np.asarray(original.values)))
    assert gaps < 5  # m²
    assert abs(overlaps) < 5
    # simplified for real, and still where the wards are
    assert shapely.get_num_coordinates(web.values).sum() < shapely.get_num_coordinates(
        original.values).sum()
    assert abs(web.area.sum() / original.area.sum() - 1) < 0.002


def test_birmingham_map_is_small(both: list[Analysis], tmp_path: Path) -> None:
    # how long it takes is measured by the benchmarks (python -m benchmarks --only maps)
    m = ward_map(both, council="Birmingham")
    size = write_map(m, tmp_path / "birmingham.html").stat().st_size
    print(f"Birmingham and neighbours: {size / MB:.2f} MB")
    assert size < 2 * MB


def test_england_map_fits_the_budget_and_tiles(both: list[Analysis], tmp_path: Path) -> None:
    scope = choose_scope(both)
    content = map_content(both, scope)
    m = assemble(both, scope, content)  # what ward_map(both) does
    size = write_map(m, tmp_path / "england.html").stat().st_size
    print(f"England: {size / MB:.2f} MB")
    assert size < 15 * MB
    web = _web_wards(content)
    assert len(web) == len(both[0].ward_verdicts) == 7681
    land = shapely.coverage_union_all(simplify_coverage(both[0].wards_gdf.geometry,
                                                        tolerance=content.tolerance).values)
    gaps, overlaps = _gaps_and_overlaps(web, land)
    assert gaps < 5  # m²
    assert abs(overlaps) < 5
