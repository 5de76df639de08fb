"""A result folder holds every fact once, and Analysis.read is the inverse of Analysis.write.

The tables are the source of truth; ``layers.gpkg`` holds geometries keyed by code
(and each ward's council method), and the layers with their figures are joined
from the two. Written and read back, an analysis is the same, table for table and
layer for layer (floats to the ten significant digits the CSV files keep).
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from stpgeo.analysis.pipeline import analyse
from stpgeo.analysis.result import Analysis, _json_default

from .mapcase import map_case
from .test_analysis_blocks import RESIDENTS, _block_councils, _blocks, _footprints, _wards

TABLES = ("ward_footprints", "ward_verdicts", "councils", "footprints")
LAYERS = ("wards_gdf", "pieces_gdf", "footprints_gdf")


def _same_frame(back: pd.DataFrame, given: pd.DataFrame) -> None:
    assert list(back.columns) == list(given.columns)
    plain = [c for c in given.columns if c != "geometry"]
    pd.testing.assert_frame_equal(back[plain].reset_index(drop=True),
                                  given[plain].reset_index(drop=True),
                                  check_dtype=False, rtol=1e-9, atol=0)
    if isinstance(given, gpd.GeoDataFrame):
        assert back.crs == given.crs
        # the same shapes (GeoPackage may store a polygon as a one-part multipolygon)
        a, b = np.asarray(back.geometry.values), np.asarray(given.geometry.values)
        missing = shapely.is_missing(b)
        assert (shapely.is_missing(a) == missing).all()
        assert shapely.equals(a[~missing], b[~missing]).all()
        assert (shapely.area(a[~missing]) == shapely.area(b[~missing])).all()


def assert_round_trips(result: Analysis, folder: Path) -> Analysis:
    result.write(folder)
    back = Analysis.read(folder)
    for name in (*TABLES, *LAYERS):
        _same_frame(getattr(back, name), getattr(result, name))
    if result.blocks is None:
        assert back.blocks is None
    else:
        _same_frame(back.blocks.reset_index(), result.blocks.reset_index())
    assert back.summary == json.loads(json.dumps(result.summary, default=_json_default))
    return back


def test_a_result_without_blocks_round_trips(tmp_path: Path) -> None:
    assert_round_trips(map_case(), tmp_path / "out")


def test_a_result_with_blocks_and_population_round_trips(tmp_path: Path) -> None:
    result = analyse(_wards(), _footprints(), councils=_block_councils(), blocks=_blocks(),
                     population=RESIDENTS)
    back = assert_round_trips(result, tmp_path / "out")
    assert back.wards_gdf.set_index("ward_code")["population"].to_dict() == {
        "E05000001": 1_400, "E05000002": 2_200}


def test_the_geopackage_holds_geometries_not_figures(tmp_path: Path) -> None:
    map_case().write(tmp_path / "out")
    layers = tmp_path / "out" / "layers.gpkg"
    columns = {name: list(pyogrio.read_info(layers, layer=name)["fields"])
               for name in ("wards", "pieces", "footprints")}
    assert columns == {"wards": ["ward_code", "council_method"],
                       "pieces": ["ward_code", "footprint_code"], "footprints": ["code"]}


@pytest.mark.realdata
def test_the_demo_analysis_of_england_round_trips(england: dict[str, Analysis],
                                                  tmp_path: Path) -> None:
    assert_round_trips(england["stp17"], tmp_path / "stp17")
