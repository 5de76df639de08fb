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

from .conftest import DemoRun
from .mapcase import map_case
from .test_analysis_blocks import RESIDENTS, _block_councils, _blocks, _footprints, _wards

TABLES = ("ward_footprints", "ward_verdicts", "councils", "footprints")
LAYERS = ("wards_gdf", "pieces_gdf", "footprints_gdf")
#: Tables and layers of who is affected, when deprivation and practices were given.
AFFECTED = ("deprivation", "ward_deprivation", "practices", "blocks_gdf", "practices_gdf")


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
    for name in AFFECTED:
        if getattr(result, name) is None:
            assert getattr(back, name) is None, name
        else:
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


def _affected() -> Analysis:
    from .test_deprivation import _deciles
    from .test_practices import CCGS, _practices

    return analyse(_wards(), _footprints(), councils=_block_councils(), blocks=_blocks(),
                   population=RESIDENTS, deprivation=_deciles(), practices=_practices(),
                   commissioners=CCGS)


def test_a_result_with_deprivation_and_practices_round_trips(tmp_path: Path) -> None:
    result = _affected()
    back = assert_round_trips(result, tmp_path / "out")
    assert back.practices is not None
    assert back.practices["commissioner_is_home"].dtype == "boolean"
    assert back.blocks_gdf is not None
    assert back.blocks_gdf["decile_IMD2019"].notna().all()
    # the practice without coordinates keeps its row and has no point
    assert back.practices_gdf.set_index("practice_code").geometry["M85003"] is None


def test_the_geopackage_holds_the_blocks_and_practices_geometries(tmp_path: Path) -> None:
    _affected().write(tmp_path / "out")
    layers = tmp_path / "out" / "layers.gpkg"
    assert list(pyogrio.read_info(layers, layer="blocks")["fields"]) == ["block_code"]
    assert list(pyogrio.read_info(layers, layer="practices")["fields"]) == ["practice_code"]
    assert pyogrio.read_info(layers, layer="practices")["geometry_type"] == "Point"


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


@pytest.mark.realdata
def test_the_demo_result_with_who_is_affected_round_trips(demo: DemoRun, tmp_path: Path) -> None:
    # deprivation, practices, the blocks' polygons and the practices' points included
    result = Analysis.read(demo.folder / "stp17")
    assert result.deprivation is not None
    assert result.practices_gdf is not None
    assert_round_trips(result, tmp_path / "stp17")
