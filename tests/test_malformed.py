"""Malformed geometry of every kind is repaired and logged, or refused with its code.

Each case spoils ward E05000002 of a hand-made file (a 1 km square with a 100 m
hole, 990,000 m²) where it really fails: in the GeoJSON text (GDAL silently gives
no geometry to a coordinate that is not a number), in the WKB of a GeoPackage or
shapefile (GEOS refuses a ring that does not close or has two points), or in a
GeoDataFrame given to the API (GEOS predicates fail on NaN). The outcome is one of:
repaired (the repair log says what was done, and the area is what is left), kept
without geometry (it enclosed no area; logged), or refused with the file, the
ward's code and how to fix it.
"""

from __future__ import annotations

import json
import math
import struct
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio.raw
import pytest
import shapely

from stpgeo import StpgeoError, read_layer
from stpgeo.analysis.pipeline import analyse

from .shapes import X0, Y0, frame, rect, square

CODES = ["E05000001", "E05000002"]
OUTER = [[X0 + 1_000, Y0], [X0 + 2_000, Y0], [X0 + 2_000, Y0 + 1_000], [X0 + 1_000, Y0 + 1_000],
         [X0 + 1_000, Y0]]
HOLE = [[X0 + 1_100, Y0 + 100], [X0 + 1_100, Y0 + 200], [X0 + 1_200, Y0 + 200],
        [X0 + 1_200, Y0 + 100], [X0 + 1_100, Y0 + 100]]
Rings = list[list[list[Any]]]


def _set(ring: int, at: int, value: list[Any]) -> Callable[[Rings], None]:
    def spoil(rings: Rings) -> None:
        rings[ring][at] = value
    return spoil


def _cut(ring: int, keep: slice) -> Callable[[Rings], None]:
    def spoil(rings: Rings) -> None:
        rings[ring] = rings[ring][keep]
    return spoil


# what is done to the rings, then the outcome: ("repaired", log fragment, area left),
# ("kept", log fragment, None), ("noted", note fragment, area left) or ("refused",
# message fragment, None)
Outcome = tuple[str, str | tuple[str, ...], float | None]
NOT_FINITE = "E05000002 (", "finite number"  # GeoJSON says which; WKB shows one point
CASES: dict[str, tuple[Callable[[Rings], None], Outcome]] = {
    "outer_ring_not_closed": (_cut(0, slice(0, 4)), (
        "repaired", "closed 1 ring that did not close", 990_000.0)),
    "hole_not_closed": (_cut(1, slice(0, 4)), (
        "repaired", "closed 1 ring that did not close", 990_000.0)),
    "hole_of_two_points": (_cut(1, slice(0, 2)), (
        "repaired", "dropped 1 ring of fewer than four points", 1_000_000.0)),
    "outer_ring_of_two_points": (_cut(0, slice(0, 2)), (
        "kept", "no ring of four or more points is left", None)),
    "outer_ring_of_three_points": (lambda r: r.__setitem__(slice(None), [
        [*r[0][:2], r[0][0]]]), ("kept", "nothing is left (it enclosed no area)", None)),
    "coordinate_that_is_text": (_set(0, 2, ["abc", Y0]), (
        "refused", "E05000002 (a coordinate is not a number: 'abc')", None)),
    "coordinate_that_is_a_number_in_quotes": (_set(0, 2, [str(X0), Y0]), (
        "refused", "E05000002 (a coordinate is not a number: '400000.0')", None)),
    "coordinate_that_is_null": (_set(0, 2, [None, Y0]), (
        "refused", "E05000002 (a coordinate is not a number: None)", None)),
    "coordinate_that_is_nan": (_set(1, 2, [math.nan, Y0]), ("refused", NOT_FINITE, None)),
    "coordinate_that_is_infinite": (_set(0, 1, [math.inf, Y0]), ("refused", NOT_FINITE, None)),
    "position_of_one_number": (_set(0, 2, [X0]), (
        "refused", "E05000002 (a position has 1 number, not 2 or 3", None)),
    "coordinate_too_large": (_set(0, 2, [1e300, Y0]), (
        "refused", "E05000002 (e.g. 1e+300, 280000)", None)),
    # issue 22: NaN first never closes its ring, and GEOS's error escaped (exit 1)
    "first_coordinate_that_is_nan": (_set(0, 0, [math.nan, Y0]), (
        "refused", "E05000002 (a coordinate is not a finite number: (nan, 280000) at point 1 "
        "of ring 1)", None)),
    "first_coordinate_of_a_hole_that_is_nan": (_set(1, 0, [math.nan, Y0 + 100]), (
        "refused", "E05000002 (a coordinate is not a finite number: (nan, 280100) at point 1 "
        "of ring 2)", None)),
    "closing_coordinate_that_is_infinite": (_set(0, 4, [X0 + 1_000, -math.inf]), (
        "refused", "E05000002 (a coordinate is not a finite number: (401000, -inf) at point 5 "
        "of ring 1)", None)),
    # GDAL leaves out a hole holding such a coordinate, and the ward grew by the hole
    "coordinate_of_a_hole_that_is_text": (_set(1, 0, ["abc", Y0 + 100]), (
        "refused", "E05000002 (a coordinate is not a number: 'abc')", None)),
    "position_of_one_number_in_a_hole": (_set(1, 2, [X0 + 1_200]), (
        "refused", "E05000002 (a position has 1 number, not 2 or 3: [401200.0])", None)),
    "empty_position": (_set(0, 2, []), (
        "refused", "E05000002 (a position has 0 numbers, not 2 or 3: [])", None)),
    "third_value": (_set(0, 2, [X0 + 2_000, Y0 + 1_000, 5.0]), (
        "noted", "1 feature had a third (Z) value in the coordinates, dropped (areas are "
        "measured in two dimensions): E05000002", 990_000.0)),
}


def _good() -> gpd.GeoDataFrame:
    holed = shapely.Polygon(OUTER, [HOLE])
    return frame(CODES, [square(0, 0), holed], names=["Aston", "Soho"])


def _geojson(tmp_path: Path, spoil: Callable[[Rings], None]) -> Path:
    path = tmp_path / "wards.geojson"
    _good().to_file(path)
    document = json.loads(path.read_text())
    spoil(document["features"][1]["geometry"]["coordinates"])
    path.write_text(json.dumps(document))  # NaN and Infinity as JavaScript writes them
    return path


def _check(outcome: Outcome, path: Path, read: Callable[[], Any]) -> None:
    what, says, area = outcome
    if what == "refused":
        with pytest.raises(StpgeoError) as info:
            read()
        message = str(info.value)
        assert message.startswith(f"{path}: 1 feature has "), message
        for fragment in (says,) if isinstance(says, str) else says:
            assert fragment in message
        assert "how to fix: correct the coordinates of these features" in message
        return
    layer = read()
    assert isinstance(says, str)
    if what == "noted":
        assert says in layer.notes, layer.notes
        assert layer.repairs.empty, layer.repairs
        assert not shapely.has_z(layer.gdf.geometry.values).any()
        assert layer.gdf.geometry.iloc[1].area == pytest.approx(area)
        return
    log = layer.repairs.set_index("code")
    assert says in " ".join(log.loc[[CODES[1]], "action"]), log
    assert CODES[0] not in log.index
    geometry = layer.gdf.set_index("code").geometry
    if area is None:  # kept, without geometry: left out of overlays
        assert CODES[1] not in set(layer.polygons["code"])
        assert len(layer) == 2
    else:
        assert geometry[CODES[1]].area == pytest.approx(area)
        assert geometry[CODES[1]].is_valid


@pytest.mark.parametrize("case", list(CASES))
def test_malformed_geojson(tmp_path: Path, case: str) -> None:
    spoil, outcome = CASES[case]
    path = _geojson(tmp_path, spoil)
    _check(outcome, path, lambda: read_layer(path))


def _wkb_ring(points: list[list[float]]) -> bytes:
    return struct.pack("<I", len(points)) + b"".join(struct.pack("<dd", *p) for p in points)


def _wkb(rings: Rings, *, multi: bool = False) -> bytes:
    polygon = struct.pack("<BII", 1, 3, len(rings)) + b"".join(_wkb_ring(r) for r in rings)
    if not multi:
        return polygon
    empty = struct.pack("<BII", 1, 3, 0)
    return struct.pack("<BII", 1, 6, 2) + polygon + empty


NAN_FIRST = ["first_coordinate_that_is_nan", "first_coordinate_of_a_hole_that_is_nan",
             "closing_coordinate_that_is_infinite"]
#: The cases GDAL writes as they are into each format (it refuses NaN in shapefiles).
WKB_CASES = {"gpkg": ["outer_ring_not_closed", "hole_not_closed", "hole_of_two_points",
                      "outer_ring_of_two_points", "outer_ring_of_three_points",
                      "coordinate_that_is_nan", "coordinate_that_is_infinite",
                      "coordinate_too_large", *NAN_FIRST],
             "fgb": ["outer_ring_not_closed", "coordinate_that_is_nan", *NAN_FIRST],
             "shp": ["outer_ring_not_closed", "hole_not_closed", "hole_of_two_points"]}
DRIVERS = {"gpkg": "GPKG", "fgb": "FlatGeobuf", "shp": "ESRI Shapefile"}


@pytest.mark.parametrize(("suffix", "case"),
                         [(s, c) for s, cases in WKB_CASES.items() for c in cases])
def test_malformed_wkb(tmp_path: Path, suffix: str, case: str) -> None:
    spoil, outcome = CASES[case]
    rings: Rings = [[list(p) for p in OUTER], [list(p) for p in HOLE]]
    spoil(rings)
    good = shapely.to_wkb(square(0, 0))
    path = tmp_path / f"wards.{suffix}"
    if suffix == "shp":  # shapefiles store outer rings clockwise, holes anticlockwise
        good = shapely.to_wkb(shapely.orient_polygons(square(0, 0), exterior_cw=True))
        rings = [rings[0][::-1], rings[1][::-1]]
    pyogrio.raw.write(path, np.array([good, _wkb(rings)], dtype=object),
                      [np.array(CODES, dtype=object)], ["WD16CD"], geometry_type="Polygon",
                      crs="EPSG:27700", driver=DRIVERS[suffix])
    _check(outcome, path, lambda: read_layer(path))


def test_a_geoparquet_ring_whose_first_coordinate_is_nan_is_refused_with_its_code(
        tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "wards.parquet"
    _good().to_parquet(path)  # then the second ward's WKB replaced by one GEOS refuses
    table = pq.read_table(path)
    rings: Rings = [[list(p) for p in OUTER], [list(p) for p in HOLE]]
    _set(0, 0, [math.nan, Y0])(rings)
    column = table.schema.get_field_index("geometry")
    wkb = pa.array([shapely.to_wkb(square(0, 0)), _wkb(rings)], pa.binary())
    pq.write_table(table.set_column(column, "geometry", wkb), path)
    _check(CASES["first_coordinate_that_is_nan"][1], path, lambda: read_layer(path))


def test_an_empty_part_is_removed_and_logged(tmp_path: Path) -> None:
    path = tmp_path / "wards.gpkg"
    pyogrio.raw.write(path, np.array([shapely.to_wkb(square(0, 0)),
                                      _wkb([OUTER, HOLE], multi=True)], dtype=object),
                      [np.array(CODES, dtype=object)], ["WD16CD"],
                      geometry_type="MultiPolygon", crs="EPSG:27700", driver="GPKG")
    layer = read_layer(path)
    row = layer.repairs.set_index("code").loc[CODES[1]]
    assert (row["problem"], row["action"]) == ("1 empty part", "removed the empty parts")
    assert layer.gdf.geometry.iloc[1].area == pytest.approx(990_000.0)
    assert shapely.get_num_geometries(layer.gdf.geometry.iloc[1]) == 1


FOOTPRINTS = frame(["E54000017", "E54000016"], [rect(0, 0, 1_500, 1_000),
                                                rect(1_500, 0, 3_000, 1_000)])


def test_a_geodataframe_is_repaired_as_a_file_is() -> None:
    bowtie = shapely.Polygon([(X0 + 1_000, Y0), (X0 + 2_000, Y0 + 1_000), (X0 + 2_000, Y0),
                              (X0 + 1_000, Y0 + 1_000)])
    wards = _good().set_geometry([square(0, 0), bowtie], crs=27700)
    result = analyse(wards, FOOTPRINTS)  # GEOS's overlay fails on the bowtie unrepaired
    repairs = result.summary["inputs"]["wards"]["repairs"]
    assert [(r["code"], r["action"]) for r in repairs] == [(CODES[1], "repaired with make_valid")]
    pieces = result.ward_footprints.set_index(["ward_code", "footprint_code"])["area_m2"]
    # two triangles of 250,000 m² meeting at x = 1,500 m, one in each footprint
    assert pieces[(CODES[1], "E54000016")] == pytest.approx(250_000)
    assert pieces[(CODES[1], "E54000017")] == pytest.approx(250_000)


def test_a_geodataframe_with_a_nan_coordinate_is_refused_with_its_code() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # shapely's, building it
        spoilt = shapely.Polygon([(X0 + 1_000, Y0), (math.nan, Y0), (X0 + 2_000, Y0 + 1_000),
                                  (X0 + 1_000, Y0 + 1_000)])
    wards = _good().set_geometry([square(0, 0), spoilt], crs=27700)
    with pytest.raises(StpgeoError) as info:
        analyse(wards, FOOTPRINTS)
    assert str(info.value).startswith("wards (GeoDataFrame): 1 feature has coordinates that "
                                      "are not finite numbers")
    assert "E05000002 (e.g. nan, 280000)" in str(info.value)
