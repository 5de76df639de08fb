"""read_layer on hand-made files in every format it promises to read."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from stpgeo import StpgeoError, read_layer

from .shapes import frame, square

WARDS = frame(["E05011111", "E05011112", "E05011113"],
              [square(0, 0), square(1_000, 0), square(0, 1_000)],
              names=["Aston", "Soho & Jewellery Quarter", "Ladywood"])


def _ons_named(layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return layer.rename(columns={"code": "WD16CD", "name": "WD16NM"})


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".parquet", ".fgb"])
def test_reads_each_format_to_british_national_grid(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"wards{suffix}"
    source = _ons_named(WARDS).to_crs(4326)
    if suffix == ".parquet":
        source.to_parquet(path)
    else:
        source.to_file(path)
    layer = read_layer(path)
    assert (layer.kind, layer.vintage, layer.code_field, layer.name_field) == (
        "ward", 2016, "WD16CD", "WD16NM")
    assert layer.gdf.crs.to_epsg() == 27700
    assert layer.gdf.columns[:2].tolist() == ["code", "name"]
    # FlatGeobuf stores features in spatial-index order
    assert sorted(layer.gdf["name"]) == ["Aston", "Ladywood", "Soho & Jewellery Quarter"]
    assert layer.gdf.area.round(0).tolist() == [1_000_000.0] * 3


def _shapefile(folder: Path, *, prj: bool = True) -> Path:
    folder.mkdir()
    path = folder / "wards.shp"
    WARDS.to_file(path)
    if not prj:
        path.with_suffix(".prj").unlink()
    return path


def test_reads_a_shapefile_as_file_folder_and_zip(tmp_path: Path) -> None:
    path = _shapefile(tmp_path / "shp")
    archive = tmp_path / "wards.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for part in path.parent.iterdir():
            bundle.write(part, part.name)
    for source in (path, path.parent, archive):
        layer = read_layer(source)
        assert layer.code_field == "code"
        assert len(layer) == 3
        assert layer.driver == "ESRI Shapefile"


def test_shapefile_without_prj_is_refused_then_read_with_crs(tmp_path: Path) -> None:
    path = _shapefile(tmp_path / "shp", prj=False)
    with pytest.raises(StpgeoError) as info:
        read_layer(path)
    message = str(info.value)
    assert str(path) in message
    assert "no coordinate reference system" in message
    assert "British National Grid" in message
    assert "--crs EPSG:27700" in message
    layer = read_layer(path, crs="EPSG:27700")
    assert layer.source_crs == "EPSG:27700"
    assert layer.gdf.total_bounds.tolist() == WARDS.total_bounds.tolist()


def test_shapefile_missing_dbf_is_refused(tmp_path: Path) -> None:
    path = _shapefile(tmp_path / "shp")
    path.with_suffix(".dbf").unlink()
    with pytest.raises(StpgeoError, match=r"shapefile is incomplete: \.dbf missing"):
        read_layer(path)


def test_geopackage_with_several_layers_lists_them(tmp_path: Path) -> None:
    path = tmp_path / "many.gpkg"
    WARDS.to_file(path, layer="wards")
    WARDS.iloc[:1].to_file(path, layer="just_aston")
    with pytest.raises(StpgeoError, match=r"holds 2 layers and none was chosen: "
                                          r"(wards, just_aston|just_aston, wards)"):
        read_layer(path)
    assert len(read_layer(path, layer="just_aston")) == 1
    with pytest.raises(StpgeoError, match=r"no layer 'nope'"):
        read_layer(path, layer="nope")


def test_missing_file_and_folder_without_shapefile(tmp_path: Path) -> None:
    with pytest.raises(StpgeoError, match="does not exist"):
        read_layer(tmp_path / "nothing.geojson")
    with pytest.raises(StpgeoError, match="holds no shapefile"):
        read_layer(tmp_path)


def test_names_only_layer_gets_codes_from_a_names_lookup(tmp_path: Path) -> None:
    lookup = tmp_path / "names.csv"
    pd.DataFrame({"CCG17CD": ["E38000144", "E38000220"],
                  "CCG17NM": ["NHS Sandwell and West Birmingham CCG",
                              "NHS Birmingham CrossCity CCG"]}).to_csv(lookup, index=False)
    ccgs = frame([None, None, None], [square(0, 0), square(1_000, 0), None],
                 names=["NHS SANDWELL & WEST BIRMINGHAM CCG", "NHS BIRMINGHAM CROSSCITY CCG",
                        "NHS ATLANTIS CCG"]).rename(columns={"code": "ons_code"})
    path = tmp_path / "ccgs.geojson"
    ccgs.to_file(path)
    layer = read_layer(path, names_lookup=lookup)
    assert layer.gdf["code"].tolist()[:2] == ["E38000144", "E38000220"]
    assert pd.isna(layer.gdf["code"].iloc[2])
    assert len(layer) == 3  # the feature with no code and no geometry is kept
    assert (layer.kind, layer.vintage, layer.code_field) == ("ccg", 2017, None)
    assert layer.unmatched_names == ["NHS ATLANTIS CCG"]
    assert layer.repairs["problem"].tolist() == ["no geometry"]


def test_expected_kind_is_enforced(tmp_path: Path) -> None:
    lsoas = frame(["E01000001", "E01000002"], [square(0, 0), square(1_000, 0)])
    path = tmp_path / "lsoa.geojson"
    lsoas.to_file(path)
    with pytest.raises(StpgeoError, match=r"expected ward codes but the codes are lsoa codes"):
        read_layer(path, kind="ward")


def test_mixed_kinds_and_duplicates_are_reported(tmp_path: Path) -> None:
    mixed = frame(["E05000001", "E01000001", "E05000001"],
                  [square(0, 0), square(1_000, 0), square(2_000, 0)])
    path = tmp_path / "mixed.geojson"
    mixed.to_file(path)
    layer = read_layer(path)
    assert layer.kind == "ward"
    assert any("codes of several kinds" in w for w in layer.warnings)
    assert any("appear more than once" in w for w in layer.warnings)
    assert "duplicate code (2 features)" in layer.repairs["problem"].tolist()


def test_points_are_refused(tmp_path: Path) -> None:
    points = frame(["E05000001"], [shapely.Point(400_000, 280_000)])
    path = tmp_path / "points.geojson"
    points.to_file(path)
    with pytest.raises(StpgeoError, match="Point geometries, not polygons"):
        read_layer(path)


def test_a_csv_is_not_a_boundary_file(tmp_path: Path) -> None:
    path = tmp_path / "lookup.csv"
    path.write_text("WD16CD,LAD16CD\nE05000001,E08000025\n")
    with pytest.raises(StpgeoError, match=r"a \.csv file is not a boundary file"):
        read_layer(path)


def test_crs_override_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "mislabelled.geojson"
    WARDS.set_crs(4326, allow_override=True).to_file(path)
    with pytest.raises(StpgeoError, match="look like British National Grid"):
        read_layer(path)
    layer = read_layer(path, crs="EPSG:27700")
    assert any("overridden with EPSG:27700" in w for w in layer.warnings)
    assert layer.gdf.area.round(0).tolist() == [1_000_000.0] * 3


def _zip(archive: Path, files: dict[str, Path | bytes]) -> Path:
    """A zip holding each file (a path to copy, or bytes) under the name given."""
    with zipfile.ZipFile(archive, "w") as bundle:
        for name, content in files.items():
            if isinstance(content, Path):
                bundle.write(content, name)
            else:
                bundle.writestr(name, content)
    return archive


def _parts(path: Path, folder: str) -> dict[str, Path | bytes]:
    return {f"{folder}{part.name}": part for part in path.parent.iterdir()}


def test_a_shapefile_in_a_folder_of_a_zip_is_found(tmp_path: Path) -> None:
    # downloads put the shapefile in a folder, beside a readme and a metadata .json
    path = _shapefile(tmp_path / "shp")
    archive = _zip(tmp_path / "download.zip", {
        **_parts(path, "Wards_2016/shapefile/"), "Wards_2016/readme.txt": b"OGL v3",
        "Wards_2016/metadata.json": b'{"title": "Wards"}', "__MACOSX/Wards_2016/._wards.shp": b"",
    })
    layer = read_layer(archive)
    assert (len(layer), layer.driver, layer.code_field) == (3, "ESRI Shapefile", "code")
    assert layer.layer_name == "Wards_2016/shapefile/wards.shp"


def test_a_zip_of_several_boundary_files_is_refused_until_one_is_chosen(tmp_path: Path) -> None:
    path = _shapefile(tmp_path / "shp")
    package = tmp_path / "aston.gpkg"
    WARDS.iloc[:1].to_file(package)
    archive = _zip(tmp_path / "both.zip", {**_parts(path, "2016/"), **_parts(path, "2018/"),
                                           "extra/aston.gpkg": package})
    with pytest.raises(StpgeoError) as info:
        read_layer(archive, role="wards")
    message = str(info.value)
    assert message.startswith(f"{archive}: the zip archive holds 3 boundary files and none was "
                              "chosen: 2016/wards.shp, 2018/wards.shp, extra/aston.gpkg")
    assert '--wards-layer 2016/wards.shp (Python: wards_layer="2016/wards.shp")' in message
    assert len(read_layer(archive, layer="2018/wards.shp")) == 3
    assert len(read_layer(archive, layer="aston")) == 1  # a name without its folder will do
    with pytest.raises(StpgeoError, match="there is no boundary file 'nope' in the zip"):
        read_layer(archive, layer="nope")


def test_a_zip_with_an_incomplete_shapefile_or_none_is_refused(tmp_path: Path) -> None:
    path = _shapefile(tmp_path / "shp")
    parts = {k: v for k, v in _parts(path, "w/").items() if not k.endswith(".dbf")}
    with pytest.raises(StpgeoError, match=r"the shapefile w/wards.shp in the zip archive is "
                                          r"incomplete: \.dbf missing"):
        read_layer(_zip(tmp_path / "cut.zip", parts))
    with pytest.raises(StpgeoError, match=r"holds no boundary file .*; it holds: notes/a.txt"):
        read_layer(_zip(tmp_path / "none.zip", {"notes/a.txt": b"nothing"}))
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(StpgeoError, match="cannot be read as a zip archive"):
        read_layer(broken)


def test_codes_with_spaces_or_in_lower_case_are_normalised_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "export.geojson"
    _ons_named(WARDS).assign(WD16CD=[" e05011111", "E05011112\u00a0", "E05011113"]).to_file(path)
    layer = read_layer(path)
    assert layer.gdf["code"].tolist() == ["E05011111", "E05011112", "E05011113"]
    assert (layer.kind, layer.code_field) == ("ward", "WD16CD")
    assert "2 codes normalised (stray spaces removed, GSS codes in upper case), " \
        "e.g. ' e05011111' → 'E05011111'" in layer.notes


def test_lookups_and_population_tables_exported_in_lower_case_match(tmp_path: Path) -> None:
    from stpgeo import read_lookup, read_population

    lookup = tmp_path / "lookup.csv"
    lookup.write_text("WD16CD,WD16NM,LAD16CD\n e05011111 ,Aston,e08000025\n")
    table = read_lookup(lookup)
    assert table.iloc[0].tolist() == ["E05011111", "Aston", "E08000025"]
    population = tmp_path / "population.csv"
    population.write_text("lsoa11_code,total_population\ne01000001 ,1465\n")
    assert read_population(population).to_dict() == {"E01000001": 1465}


def test_an_unzipped_download_and_a_zip_under_another_name_are_read(tmp_path: Path) -> None:
    path = _shapefile(tmp_path / "shp")
    unzipped = tmp_path / "download"
    (unzipped / "Wards_2016" / "shapefile").mkdir(parents=True)
    for part in path.parent.iterdir():
        (unzipped / "Wards_2016" / "shapefile" / part.name).write_bytes(part.read_bytes())
    assert len(read_layer(unzipped)) == 3
    misnamed = _zip(tmp_path / "wards.geojson", _parts(path, "folder/"))
    assert read_layer(misnamed).layer_name == "folder/wards.shp"


def test_what_is_not_a_layer_is_refused_through_the_api() -> None:
    from stpgeo import analyse, layer_from_frame

    no_geometry = gpd.GeoDataFrame({"code": ["E05011111"], "shape": [square(0, 0)]})
    with pytest.raises(StpgeoError, match=r"wards \(GeoDataFrame\): the table has no geometry"):
        analyse(no_geometry, WARDS)
    for value, what in ((pd.DataFrame({"code": ["E05011111"]}), "DataFrame"), (42, "int")):
        with pytest.raises(StpgeoError, match=f"wards: the layer given is a {what}, not a file"):
            analyse(value, WARDS)  # type: ignore[arg-type]
    numbered = WARDS.rename(columns={"code": 0})  # columns not named by text
    assert layer_from_frame(numbered, source="mine").gdf["code"].tolist() == WARDS["code"].tolist()
