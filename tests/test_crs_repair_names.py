"""CRS checks, geometry repair and name matching, on hand-made data."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from stpgeo.errors import StpgeoError
from stpgeo.geometry.crs import check_crs, looks_like, to_measuring_crs
from stpgeo.geometry.repair import duplicate_codes, repair_geometries
from stpgeo.ons.names import match_names, normalise_name

from .shapes import frame, square


@pytest.mark.parametrize(
    ("bounds", "appearance"),
    [((397_807.7, 275_890.9, 418_493.3, 301_227.8), "british national grid"),
     ((-2.03, 52.38, -1.73, 52.61), "longitude/latitude"),
     ((52.38, -2.03, 52.61, -1.73), "latitude/longitude"),
     ((1e7, 1e7, 2e7, 2e7), "unknown")],
)
def test_looks_like(bounds: tuple[float, float, float, float], appearance: str) -> None:
    assert looks_like(bounds) == appearance


def test_no_crs_is_refused_naming_file_fix_and_appearance() -> None:
    layer = frame(["E05000001"], [square(0, 0)], crs=None)
    with pytest.raises(StpgeoError) as info:
        check_crs(layer, source="wards.shp")
    message = str(info.value)
    assert message.startswith("wards.shp: the file has no coordinate reference system")
    assert "British National Grid" in message
    assert "--crs EPSG:27700" in message


def test_no_crs_with_degrees_suggests_4326() -> None:
    layer = frame(["E05000001"], [shapely.box(-1.9, 52.4, -1.8, 52.5)], crs=None)
    with pytest.raises(StpgeoError, match=r"(?s)longitude/latitude.*--crs EPSG:4326"):
        check_crs(layer, source="wards.geojson")


def test_grid_numbers_labelled_as_degrees_are_refused() -> None:
    layer = frame(["E05000001"], [square(0, 0)], crs=4326)
    with pytest.raises(StpgeoError, match=r"longitude/latitude\) but the coordinates look like "
                                          r"British National Grid"):
        check_crs(layer, source="x.geojson")


def test_degrees_labelled_as_grid_are_refused() -> None:
    layer = frame(["E05000001"], [shapely.box(-1.9, 52.4, -1.8, 52.5)], crs=27700)
    with pytest.raises(StpgeoError, match=r"\(metres\) but the coordinates look like longitude"):
        check_crs(layer, source="x.geojson")


def test_swapped_latitude_and_longitude_are_refused() -> None:
    layer = frame(["E05000001"], [shapely.box(52.4, -1.9, 52.5, -1.8)], crs=4326)
    with pytest.raises(StpgeoError, match="latitude and longitude are swapped"):
        check_crs(layer, source="x.geojson")


def test_to_measuring_crs_projects_degrees_to_metres() -> None:
    layer = frame(["E05000001"], [shapely.box(-1.9, 52.4, -1.8, 52.5)], crs=4326)
    projected = to_measuring_crs(layer, source="x")
    assert projected.crs.to_epsg() == 27700
    # about 6.8 km by 11.1 km at this latitude
    assert 70e6 < projected.area.iloc[0] < 80e6


def test_repair_fixes_a_bowtie_and_logs_areas() -> None:
    bowtie = shapely.Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    bowtie = shapely.affinity.translate(bowtie, 400_000, 280_000)
    layer = frame(["E05000001", "E05000002"], [bowtie, square(10, 10)])
    repaired, log = repair_geometries(layer)
    assert len(repaired) == 2
    assert shapely.is_valid(repaired.geometry.values).all()
    assert log.to_dict("records") == [{
        "code": "E05000001", "problem": log.problem.iloc[0], "action": "repaired with make_valid",
        "area_before_m2": 0.0, "area_after_m2": 2.0}]
    assert log.problem.iloc[0].startswith("invalid: Self-intersection")


def test_repair_keeps_and_logs_null_and_empty_geometries() -> None:
    layer = frame(["E05000001", "E05000002", "E05000003"],
                  [None, shapely.Polygon(), square(0, 0)])
    repaired, log = repair_geometries(layer)
    assert len(repaired) == 3
    assert log.code.tolist() == ["E05000001", "E05000002"]
    assert log.problem.tolist() == ["no geometry", "empty geometry"]


def test_repair_log_names_features_without_codes() -> None:
    layer = frame([None], [None], names=["NHS BUCKINGHAMSHIRE CCG"])
    _, log = repair_geometries(layer)
    assert log.code.tolist() == ["(no code) NHS BUCKINGHAMSHIRE CCG"]


def test_repair_drops_line_parts_of_a_collapsed_polygon() -> None:
    # a square with a spike: make_valid returns the square plus a line
    spiky = shapely.Polygon([(0, 0), (10, 0), (10, 10), (10, 20), (10, 10), (0, 10)])
    spiky = shapely.affinity.translate(spiky, 400_000, 280_000)
    repaired, log = repair_geometries(frame(["E05000001"], [spiky]))
    geometry = repaired.geometry.iloc[0]
    assert geometry.geom_type in ("Polygon", "MultiPolygon")
    assert math.isclose(geometry.area, 100.0)
    assert log.area_after_m2.iloc[0] == pytest.approx(100.0)


def test_duplicate_codes_are_logged_once_each() -> None:
    table = pd.DataFrame({"code": ["a", "b", "a", "a", "c", "c"]})
    log = duplicate_codes(table)
    assert dict(zip(log.code, log.problem, strict=True)) == {
        "a": "duplicate code (3 features)", "c": "duplicate code (2 features)"}


@pytest.mark.parametrize(
    ("raw", "normal"),
    [("NHS SANDWELL AND WEST BIRMINGHAM CCG", "sandwell and west birmingham"),
     ("NHS Sandwell & West Birmingham CCG", "sandwell and west birmingham"),
     ("NHS Airedale, Wharfedale and Craven CCG", "airedale wharfedale and craven"),
     ("  nhs  Herts   Valleys ccg ", "herts valleys"),
     ("NHS Bath and North East Somerset CCG", "bath and north east somerset")],
)
def test_normalise_name(raw: str, normal: str) -> None:
    assert normalise_name(raw) == normal


def test_match_names_lists_unmatched_and_refuses_ambiguous_keys() -> None:
    lookup = pd.DataFrame({"CD": ["E38000001", "E38000002", "E38000003"],
                           "NM": ["NHS Alpha CCG", "NHS Beta & Gamma CCG", "NHS Beta and Gamma"]})
    codes, unmatched = match_names(pd.Series(["NHS ALPHA CCG", "BETA AND GAMMA", None, "Delta"]),
                                   lookup, code_column="CD", name_column="NM")
    # "Beta and Gamma" normalises to two lookup rows: it is not guessed
    assert codes.iloc[0] == "E38000001"
    assert codes.iloc[1:].isna().all()
    assert unmatched == ["BETA AND GAMMA", "Delta"]


def test_make_valid_area_units_are_metres() -> None:
    layer = gpd.GeoDataFrame({"code": ["x"]}, geometry=[square(0, 0, 500)], crs=27700)
    repaired, _ = repair_geometries(layer)
    assert np.isclose(repaired.area.iloc[0], 250_000)
