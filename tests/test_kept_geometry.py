"""Polygons kept by reference: a result folder without the input files' polygons.

Hand-made wards and footprints (tests/mapcase.py) are written to files and analysed
from them; the folder then keeps their polygons by reference (checked by
fingerprint), makes the pieces again, and reads back to the same analysis. A changed
or missing input file is refused with the fix; ``geometry="embedded"`` keeps all.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

from stpgeo.analysis.kept_geometry import geometry_digest, piece_geometry
from stpgeo.analysis.pipeline import analyse
from stpgeo.analysis.result import Analysis
from stpgeo.errors import StpgeoError

from .conftest import DemoRun
from .mapcase import council_lookup, footprints_layer, wards_layer
from .test_result_folder import assert_round_trips

MB = 1_000_000


def _inputs(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    wards = wards_layer().gdf.rename(columns={"code": "WD16CD", "name": "WD16NM"})
    footprints = footprints_layer().gdf.rename(columns={"code": "STP17CD", "name": "STP17NM"})
    wards.to_file(folder / "wards.gpkg")
    footprints.to_file(folder / "stps.gpkg")
    return folder / "wards.gpkg", folder / "stps.gpkg"


def _from_files(folder: Path) -> Analysis:
    wards, footprints = _inputs(folder)
    return analyse(wards, footprints, councils=council_lookup(), cache=False)


def test_polygons_from_files_are_kept_by_reference_and_read_back(tmp_path: Path) -> None:
    result = _from_files(tmp_path / "inputs")
    back = assert_round_trips(result, tmp_path / "out")
    layers = dict(pyogrio.list_layers(tmp_path / "out" / "layers.gpkg"))
    assert set(layers) == {"ward_methods"}  # attributes only: no polygon kept again
    assert layers["ward_methods"] is None
    kept = json.loads((tmp_path / "out" / "summary.json").read_text())["layers"]
    assert kept["wards"]["read"]["file"] == str(tmp_path / "inputs" / "wards.gpkg")
    assert kept["wards"]["features"] == 8
    assert kept["footprints"]["digest"] == geometry_digest(result.footprints_gdf, "code")
    assert "made_again" in kept["pieces"]
    # the split ward's pieces are made again exactly: 2/3 and 1/3 of A3
    a3 = back.pieces_gdf[back.pieces_gdf["ward_name"] == "A3"]
    assert sorted(a3.area.round(6)) == [500_000.0, 1_000_000.0]


def test_a_changed_input_file_is_refused_with_the_fix(tmp_path: Path) -> None:
    _from_files(tmp_path / "inputs").write(tmp_path / "out")
    wards = gpd.read_file(tmp_path / "inputs" / "wards.gpkg")
    wards.loc[0, "geometry"] = shapely.box(0, 0, 900, 1_000)
    wards.to_file(tmp_path / "inputs" / "wards.gpkg")
    with pytest.raises(StpgeoError, match="has changed since the analysis") as error:
        Analysis.read(tmp_path / "out", cache=False)
    assert "--self-contained" in str(error.value)


def test_a_missing_input_file_is_refused_with_the_fix(tmp_path: Path) -> None:
    _from_files(tmp_path / "inputs").write(tmp_path / "out")
    (tmp_path / "inputs" / "stps.gpkg").unlink()
    with pytest.raises(StpgeoError, match=r"stps\.gpkg.*cannot be read") as error:
        Analysis.read(tmp_path / "out", cache=False)
    assert "put the input files back" in str(error.value)


def test_a_self_contained_folder_opens_without_its_input_files(tmp_path: Path) -> None:
    result = _from_files(tmp_path / "inputs")
    result.write(tmp_path / "out", geometry="embedded")
    shutil.rmtree(tmp_path / "inputs")
    layers = set(pyogrio.list_layers(tmp_path / "out" / "layers.gpkg")[:, 0])
    assert layers == {"wards", "pieces", "footprints"}
    back = Analysis.read(tmp_path / "out", cache=False)
    assert list(back.ward_verdicts["verdict"]) == list(result.ward_verdicts["verdict"])
    assert shapely.equals(np.asarray(back.pieces_gdf.geometry.values),
                          np.asarray(result.pieces_gdf.geometry.values)).all()


def test_polygons_made_in_python_stay_in_the_folder(tmp_path: Path) -> None:
    analyse(wards_layer(), footprints_layer(), councils=council_lookup()).write(tmp_path / "o")
    layers = set(pyogrio.list_layers(tmp_path / "o" / "layers.gpkg")[:, 0])
    assert layers == {"wards", "pieces", "footprints"}
    assert "layers" not in json.loads((tmp_path / "o" / "summary.json").read_text())


def test_a_polygon_and_its_one_part_multipolygon_have_one_fingerprint() -> None:
    square = shapely.box(0, 0, 1, 1)
    one = gpd.GeoDataFrame({"code": ["a"]}, geometry=[square], crs=27700)
    multi = gpd.GeoDataFrame({"code": ["a"]}, geometry=[shapely.MultiPolygon([square])],
                             crs=27700)
    moved = gpd.GeoDataFrame({"code": ["a"]}, geometry=[shapely.box(0, 0, 1, 2)], crs=27700)
    assert geometry_digest(one, "code") == geometry_digest(multi, "code")
    assert geometry_digest(one, "code") != geometry_digest(moved, "code")


def test_pieces_are_their_ward_or_the_exact_intersection() -> None:
    import pandas as pd

    wards = gpd.GeoDataFrame({"ward_code": ["W1", "W2"]}, crs=27700,
                             geometry=[shapely.box(0, 0, 2, 1), shapely.box(2, 0, 3, 1)])
    footprints = gpd.GeoDataFrame({"code": ["F1", "F2"]}, crs=27700,
                                  geometry=[shapely.box(0, 0, 1.5, 1), shapely.box(1.5, 0, 4, 1)])
    pieces = pd.DataFrame({"ward_code": ["W1", "W1", "W2"],
                           "footprint_code": ["F1", "F2", "F2"],
                           "area_share": [0.75, 0.25, 1.0]})
    made = piece_geometry(pieces, wards, footprints)
    assert list(np.round(made.area, 9)) == [1.5, 0.5, 1.0]
    assert made.geometry.iloc[2] is wards.geometry.iloc[1]  # a whole ward is its own piece


@pytest.mark.realdata
def test_the_demo_result_folders_are_light(demo: DemoRun) -> None:
    for name in ("stp17", "ccg17"):
        folder = demo.folder / name
        size = sum(f.stat().st_size for f in folder.iterdir())
        assert size < 10 * MB, (name, size)
        kept = json.loads((folder / "summary.json").read_text())["layers"]
        assert {"wards", "footprints", "blocks"} <= {n for n, v in kept.items() if "digest" in v}


def test_references_are_checked_with_what_the_analysis_read_not_read_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Writing the folder reads no file and builds no footprints again: the references are
    made the way the analysis made its layers (the wards read as they were, whatever the
    role they were read in; the footprints built without residents as they were), which
    the cache holds."""
    import stpgeo.engine.footprints as footprints_module
    import stpgeo.io.cached as cached
    from stpgeo.engine.footprints import build_footprints
    from stpgeo.io.cache import forget_in_memory

    from .test_whole_blocks import _files as grid_files

    monkeypatch.setenv("STPGEO_CACHE_DIR", str(tmp_path / "cache"))
    forget_in_memory()
    files = grid_files(tmp_path / "in")
    stps = build_footprints(files["blocks"], files["lookup"], by="STP17CD")
    result = analyse(files["wards"], stps, blocks=files["blocks"],
                     population=files["population"], councils=files["councils"])
    reads: list[str] = []
    builds: list[str] = []
    read, build = cached.read_layer, footprints_module._build
    monkeypatch.setattr(cached, "read_layer",
                        lambda path, **kw: reads.append(str(path)) or read(path, **kw))
    monkeypatch.setattr(footprints_module, "_build",
                        lambda *a, **kw: builds.append(kw["by"]) or build(*a, **kw))
    result.write(tmp_path / "out")
    kept = json.loads((tmp_path / "out" / "summary.json").read_text())["layers"]
    assert {"wards", "footprints"} <= set(kept)
    assert kept["footprints"]["build"]["population"] is None  # built without residents
    assert (reads, builds) == ([], [])
    forget_in_memory()
    assert_round_trips(result, tmp_path / "again")  # and it reads back
