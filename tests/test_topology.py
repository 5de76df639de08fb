"""The topology of a map's polygons (stpgeo.outputs.maps.topology), on hand-made shapes.

Each shared border is kept once, the polygons come back vertex for vertex, and the form
made straight from shapely geometries is the one made from their GeoJSON.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import mapping

from stpgeo.outputs.maps.geometry import dissolve
from stpgeo.outputs.maps.topology import compact, compact_geometries, expand

# A 2x1 strip of two squares; a third square with a square hole holding an island;
# a two-part polygon; all in whole units so the rings are exact at any scale.
LEFT = shapely.box(0, 0, 1, 1)
RIGHT = shapely.box(1, 0, 2, 1)
HOLED = shapely.Polygon([(5, 0), (8, 0), (8, 3), (5, 3)], [[(6, 1), (7, 1), (7, 2), (6, 2)]])
ISLAND = shapely.box(6, 1, 7, 2)
TWO_PARTS = shapely.MultiPolygon([shapely.box(10, 0, 11, 1), shapely.box(12, 0, 13, 1)])
SHAPES = [LEFT, RIGHT, HOLED, ISLAND, TWO_PARTS, shapely.Point(20, 0)]


def _collection(geometries: list[shapely.Geometry]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"i": i}, "geometry": mapping(g)}
        for i, g in enumerate(geometries)]})


def _topology() -> dict:
    return json.loads(compact_geometries(np.array(SHAPES, dtype=object),
                                         [{"i": i} for i in range(len(SHAPES))], decimals=0))


def test_the_form_from_geometries_is_the_form_from_geojson() -> None:
    text = compact_geometries(np.array(SHAPES, dtype=object),
                              [{"i": i} for i in range(len(SHAPES))], decimals=0)
    assert text == compact(_collection(SHAPES), decimals=0)


def test_each_shared_border_is_kept_once() -> None:
    topology = _topology()
    # The strip: left's other three sides (one arc), right's (one), the shared side once.
    # The holed square: its outer ring (1 arc), its hole which is the island's ring (1 arc,
    # met once each way). The two parts: one arc each. The point keeps its geometry.
    assert len(topology["arcs"]) == 3 + 2 + 2
    left, right = topology["features"][0]["polygons"], topology["features"][1]["polygons"]
    shared = {abs(~a) if a < 0 else a for a in left[0][0]} & \
        {abs(~a) if a < 0 else a for a in right[0][0]}
    assert len(shared) == 1
    hole = topology["features"][2]["polygons"][0][1]
    island = topology["features"][3]["polygons"][0][0]
    assert len(hole) == len(island) == 1
    assert hole[0] in (~island[0], island[0])
    assert topology["features"][4]["multi"] is True
    assert topology["features"][5]["geometry"]["type"] == "Point"


def test_the_polygons_come_back_vertex_for_vertex() -> None:
    back = expand(_topology())["features"]
    for original, feature in zip(SHAPES, back, strict=True):
        shape = shapely.geometry.shape(feature["geometry"])
        assert shape.geom_type == original.geom_type
        assert shapely.equals(shape, original)
        assert shapely.get_num_coordinates(shape) == shapely.get_num_coordinates(original)


def test_rounding_joins_vertices_that_meet_on_the_grid() -> None:
    # Right's left side is a hair off left's right side; at 0 decimals they are one
    # border, so it is kept once (3 arcs, as for exact squares).
    nudged = shapely.box(1.0004, 0, 2, 1)
    topology = json.loads(compact(_collection([LEFT, nudged]), decimals=0))
    assert len(topology["arcs"]) == 3


def test_no_polygons_leaves_the_text_unchanged() -> None:
    text = _collection([shapely.Point(0, 0)])
    assert compact(text) == text


def test_dissolve_groups_by_value_and_leaves_out_what_has_none() -> None:
    squares = gpd.GeoSeries([LEFT, RIGHT, shapely.box(2, 0, 3, 1)], index=["a", "b", "c"])
    by = pd.Series(["Y", "X"], index=["b", "a"])  # aligned on the index; c has no value
    found = dissolve(squares, by)
    assert list(found.index) == ["X", "Y"]
    assert found.area.tolist() == pytest.approx([1.0, 1.0])
    assert shapely.equals(found["X"], LEFT)
    assert shapely.equals(found["Y"], RIGHT)
    whole = dissolve(squares, pd.Series(["Z"] * 3, index=squares.index))
    assert whole.area.tolist() == pytest.approx([3.0])
