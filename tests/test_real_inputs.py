"""Issue 14 on the real data: inputs a user expects to work do work, and none gives an
unexpected error.

Each case makes a file from ../shared/boundaries as users have them (a zip with the
shapefile in a folder, codes exported in lower case with spaces, wards of two
vintages, a council layer against itself, constituencies, a ring that does not
close, a coordinate that is not a number, GeoDataFrames) and runs the command line
or the API on it. Expected values come from ONS's lookups (best-fit LSOA → ward, LSOA
→ STP and council) and the original files, never from a run of stpgeo.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import stpgeo
from stpgeo import StpgeoError
from stpgeo.analysis.pipeline import analyse
from stpgeo.cli import main
from stpgeo.outputs.findings import council_findings, national_findings

pytestmark = pytest.mark.realdata

WARDS_2018 = "wards/birmingham_wards_2018.geojson"
SHAPEFILE = "wards/birmingham_wards_2018_shapefile"
STPS = ("stp/Sustainability_and_Transformation_Partnerships_February_2017_Ultra_Generalised_"
        "Clipped_Boundaries_in_England.geojson")
CONSTITUENCIES = "constituencies/westminster_constituencies_west_midlands_2013.geojson"
LADYWOOD, PERRY_BARR = "E14000564", "E14000566"
BIRMINGHAM = "E08000025"


def _run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([*map(str, args), "--quiet"])
    out, err = capsys.readouterr()
    return code, out, err


def _refused(code: int, out: str, err: str, folder: Path) -> None:
    """The CLI refused cleanly: status 2, one message, no traceback, nothing written."""
    assert code == 2, err
    assert out == ""
    assert err.startswith("stpgeo: error: ")
    assert "\n  how to fix: " in err
    assert "Traceback" not in err
    assert not folder.exists()


@pytest.fixture(scope="module")
def blocks(lsoa: stpgeo.Layer, data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The LSOAs around the West Midlands' constituencies, as a user's GeoPackage."""
    extent = stpgeo.read_layer(data / CONSTITUENCIES).gdf.total_bounds
    path = tmp_path_factory.mktemp("blocks") / "lsoa_west_midlands.gpkg"
    lsoa.gdf[lsoa.gdf.intersects(shapely.box(*extent))].to_file(path)
    return path


def test_a_shapefile_in_a_folder_of_a_zip_is_read(data: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    archive = tmp_path / "Birmingham_wards_2018.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for part in (data / SHAPEFILE).iterdir():
            bundle.write(part, f"Birmingham_wards_2018/shapefile/{part.name}")
        bundle.writestr("Birmingham_wards_2018/licence.txt", "Open Government Licence v3.0")
    out = tmp_path / "out"
    code, _, err = _run(capsys, "analyse", "--wards", archive, "--wards-crs", "EPSG:27700",
                        "--footprints", data / STPS, "--out", out)
    assert code == 0, err
    assert len(pd.read_csv(out / "ward_verdicts.csv")) == 69
    wards = json.loads((out / "summary.json").read_text())["inputs"]["wards"]
    assert wards["layer"] == "Birmingham_wards_2018/shapefile/wards.shp"


def test_a_zip_of_two_ward_files_is_refused_until_one_is_chosen(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = tmp_path / "wards.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for part in (data / SHAPEFILE).iterdir():
            bundle.write(part, f"birmingham/{part.name}")
        bundle.write(data / "wards/birmingham_solihull_wards_2018.geojson",
                     "with_solihull/wards_generalised.geojson")
    out = tmp_path / "out"
    args = ["analyse", "--wards", archive, "--wards-crs", "EPSG:27700", "--footprints",
            data / STPS, "--out", out]
    code, stdout, err = _run(capsys, *args)
    _refused(code, stdout, err, out)
    assert (f"{archive}: the zip archive holds 2 boundary files and none was chosen: "
            "birmingham/wards.shp, with_solihull/wards_generalised.geojson") in err
    assert "--wards-layer wards" in err
    code, _, err = _run(capsys, *args, "--wards-layer", "wards")
    assert code == 0, err
    assert len(pd.read_csv(out / "ward_verdicts.csv")) == 69


def test_codes_in_lower_case_with_spaces_are_read_as_codes(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    original = gpd.read_file(data / WARDS_2018)
    exported = original.assign(code=" " + original["code"].str.lower() + " ")
    path = tmp_path / "wards_export.geojson"
    exported.to_file(path)
    lookup = data / "lookups/051_WD18_LAD18_UK_LU.csv"
    councils = pd.read_csv(lookup, dtype=str).set_index("WD18CD")["LAD18CD"]
    out = tmp_path / "out"
    code, _, err = _run(capsys, "analyse", "--wards", path, "--footprints", data / STPS,
                        "--councils", lookup, "--out", out)
    assert code == 0, err
    verdicts = pd.read_csv(out / "ward_verdicts.csv")
    assert sorted(verdicts["ward_code"]) == sorted(original["code"])
    # ONS's lookup places every ward, so none is left without a council
    assert (verdicts["council_code"] == verdicts["ward_code"].map(councils)).all()
    assert set(verdicts["council_code"]) == {BIRMINGHAM}
    notes = json.loads((out / "summary.json").read_text())["inputs"]["wards"]["notes"]
    assert any(n.startswith("69 codes normalised") for n in notes)


def test_wards_of_2018_against_wards_of_2016(data: Path, tmp_path: Path, blocks: Path,
                                             wards_2013: stpgeo.Layer,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    # notebook 03's vintage question from the command line. With the ONS best-fit
    # lookups deciding, each 2018 ward's residents in each 2016 ward are exactly the
    # LSOA sums of lookups 168 (LSOA → WD18) and 114 (LSOA → WD16)
    lookup_114 = data / "lookups/114_LSOA11_WD16_LAD16_EW_LU.csv"
    lookup_168 = data / "lookups/168_LSOA11_WD18_LAD18_EW_LU_v3.csv"
    ward_16 = pd.read_csv(lookup_114, dtype=str)
    ward_18 = pd.read_csv(lookup_168, dtype=str)
    population = data / "population/lsoa11_population_mid2017.csv"
    codes_16 = set(ward_16.loc[ward_16["LAD16CD"] == BIRMINGHAM, "WD16CD"])
    wards_2016 = tmp_path / "birmingham_wards_2016.geojson"
    wards_2013.gdf[wards_2013.gdf["code"].isin(codes_16)].rename(
        columns={"code": "WD16CD", "name": "WD16NM"})[["WD16CD", "WD16NM", "geometry"]].to_file(
        wards_2016)
    out = tmp_path / "out"
    code, _, err = _run(capsys, "analyse", "--wards", data / WARDS_2018, "--footprints",
                        wards_2016, "--blocks", blocks, "--population", population,
                        "--block-wards", lookup_168, "--block-footprints", lookup_114,
                        "--out", out)
    assert code == 0, err
    assert f"warning: the footprints layer ({wards_2016}) holds electoral ward codes" in err
    pairs = ward_18.loc[ward_18["LAD18CD"] == BIRMINGHAM, ["LSOA11CD", "WD18CD"]].merge(
        ward_16[["LSOA11CD", "WD16CD"]], on="LSOA11CD")
    residents = stpgeo.read_population(population)
    pairs["residents"] = pairs["LSOA11CD"].map(residents)
    by_pair = pairs.groupby(["WD18CD", "WD16CD"])["residents"].sum()
    expected = (by_pair / by_pair.groupby(level=0).transform("sum")).rename("expected")
    pieces = pd.read_csv(out / "ward_footprints.csv").set_index(
        ["ward_code", "footprint_code"])["population_share"]
    both = pd.concat([expected, pieces], axis=1).fillna(0.0)
    assert len(expected) > 69  # 2018 wards are cut by 2016 borders
    assert (both["expected"] - both["population_share"]).abs().max() < 1e-9


def test_a_council_layer_against_itself(data: Path, tmp_path: Path, blocks: Path,
                                        lookup_143: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    councils = tmp_path / "councils.gpkg"
    code, _, err = _run(capsys, "build", "--blocks", blocks, "--lookup", lookup_143, "--by",
                        "LAD17CD", "--out", councils)
    assert code == 0, err
    out = tmp_path / "out"
    code, _, err = _run(capsys, "analyse", "--wards", councils, "--footprints", councils,
                        "--out", out)
    assert code == 0, err
    listed = set(pd.read_csv(lookup_143, usecols=["LSOA11CD", "LAD17CD"]).set_index(
        "LSOA11CD")["LAD17CD"].reindex(gpd.read_file(blocks)["code"]).dropna())
    pieces = pd.read_csv(out / "ward_footprints.csv")
    assert set(pieces["ward_code"]) == listed  # every council built from the blocks
    assert (pieces["ward_code"] == pieces["footprint_code"]).all()  # only itself
    assert pieces["area_share"].to_numpy() == pytest.approx(1.0)
    assert set(pd.read_csv(out / "ward_verdicts.csv")["verdict"]) == {"within"}


def test_constituencies_against_stps_give_each_constituencys_pieces(
        data: Path, tmp_path: Path, blocks: Path, lookup_143: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    # "West Birmingham" is Ladywood + Perry Barr. Expected shares: the residents of the
    # LSOAs whose representative point lies in the constituency, by their STP in
    # lookup 143
    population = data / "population/lsoa11_population_mid2017.csv"
    out = tmp_path / "out"
    code, _, err = _run(capsys, "analyse", "--wards", data / CONSTITUENCIES, "--footprints",
                        data / STPS, "--blocks", blocks, "--population", population,
                        "--block-footprints", lookup_143, "--out", out)
    assert code == 0, err
    constituencies = gpd.read_file(data / CONSTITUENCIES).to_crs(27700)
    lsoas = gpd.read_file(blocks)
    points = gpd.GeoDataFrame({"lsoa": lsoas["code"]}, geometry=lsoas.representative_point(),
                              crs=lsoas.crs)
    inside = gpd.sjoin(points, constituencies[["PCON13CD", "geometry"]], predicate="within")
    inside["stp"] = inside["lsoa"].map(pd.read_csv(lookup_143).set_index("LSOA11CD")["STP17CD"])
    inside["residents"] = inside["lsoa"].map(stpgeo.read_population(population))
    by_stp = inside.groupby(["PCON13CD", "stp"])["residents"].sum()
    expected = by_stp / by_stp.groupby(level=0).transform("sum")
    pieces = pd.read_csv(out / "ward_footprints.csv").set_index(
        ["ward_code", "footprint_code"])["population_share"]
    for constituency in (LADYWOOD, PERRY_BARR):
        assert sorted(pieces[constituency].index) == ["E54000016", "E54000017"]
        for stp, share in pieces[constituency].items():
            assert share == pytest.approx(expected[(constituency, stp)], abs=0.02)
    assert len(pd.read_csv(out / "ward_verdicts.csv")) == len(constituencies)


def _spoilt_wards(data: Path, tmp_path: Path, spoil: str) -> tuple[Path, str]:
    """Birmingham's 2018 wards with the first ward's outer ring spoilt; its code."""
    document = json.loads((data / WARDS_2018).read_text())
    feature = document["features"][0]
    rings = feature["geometry"]["coordinates"]
    ring = rings[0] if feature["geometry"]["type"] == "Polygon" else rings[0][0]
    if spoil == "unclosed":
        ring.pop()
    else:
        ring[len(ring) // 2][0] = spoil
    path = tmp_path / f"wards_{'unclosed' if spoil == 'unclosed' else 'typo'}.geojson"
    path.write_text(json.dumps(document))
    return path, feature["properties"]["code"]


def test_a_ring_that_does_not_close_is_closed_and_logged(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, ward = _spoilt_wards(data, tmp_path, "unclosed")
    out = tmp_path / "out"
    code, _, err = _run(capsys, "analyse", "--wards", path, "--footprints", data / STPS,
                        "--out", out)
    assert code == 0, err
    repairs = json.loads((out / "summary.json").read_text())["inputs"]["wards"]["repairs"]
    assert [(r["code"], r["action"]) for r in repairs] == [
        (ward, "closed 1 ring that did not close")]
    original = gpd.read_file(data / WARDS_2018).to_crs(27700).set_index("code").area[ward]
    assert repairs[0]["area_after_m2"] == pytest.approx(original, rel=1e-9)


@pytest.mark.parametrize("spoil", ["abc", None, float("nan")])
def test_a_coordinate_that_is_not_a_number_is_refused_with_the_ward(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        spoil: str | float | None) -> None:
    path, ward = _spoilt_wards(data, tmp_path, spoil)  # type: ignore[arg-type]
    out = tmp_path / "out"
    code, stdout, err = _run(capsys, "analyse", "--wards", path, "--footprints", data / STPS,
                             "--out", out)
    _refused(code, stdout, err, out)
    # GDAL drops text and null, and reads NaN: each is found in the JSON and named
    assert err.startswith(f"stpgeo: error: {path}: 1 feature has ")
    assert (f"cannot be read or repaired: {ward} (a coordinate is not a number: {spoil!r})"
            in err) if isinstance(spoil, str | None) else (
        f"cannot be read or repaired: {ward} (a coordinate is not a finite number: nan)"
        in err)
    assert "correct the coordinates of these features" in err


def test_a_geodataframe_is_checked_as_the_file_is(data: Path) -> None:
    # a GeoDataFrame as geopandas reads the file: CRS84, fields 'code' and 'ward_name'
    frame = gpd.read_file(data / WARDS_2018)
    first = frame.geometry.iloc[0]
    ring = list(shapely.get_exterior_ring(shapely.get_geometry(first, 0)).coords)
    ring[1], ring[2] = ring[2], ring[1]  # a vertex out of order: the ring crosses itself
    frame.loc[0, "geometry"] = shapely.Polygon(ring)
    renamed = frame.rename(columns={"code": "WD18CD"})  # no 'code' column any more
    result = analyse(renamed, data / STPS)
    repairs = result.summary["inputs"]["wards"]["repairs"]
    assert [(r["code"], r["action"]) for r in repairs] == [
        (frame.loc[0, "code"], "repaired with make_valid")]
    assert len(result.ward_verdicts) == 69
    assert result.summary["inputs"]["wards"]["vintage"] == 2018
    # the shapefile has no .prj: read as a GeoDataFrame it is refused with the file's words
    with pytest.raises(StpgeoError) as from_file:
        analyse(data / SHAPEFILE, data / STPS)
    with pytest.raises(StpgeoError) as from_frame:
        analyse(gpd.read_file(data / SHAPEFILE), data / STPS)
    assert from_frame.value.problem == from_file.value.problem
    assert from_frame.value.fix == from_file.value.fix
    assert from_frame.value.source == "wards (GeoDataFrame)"
    # a Layer is taken as read already: without a code column it is refused, not a KeyError
    with pytest.raises(StpgeoError, match="the wards layer has no 'code' or 'name' column"):
        analyse(stpgeo.Layer(renamed, source="hand-made wards"), data / STPS)


def test_findings_for_a_council_with_no_home_footprint(data: Path, lsoa: stpgeo.Layer,
                                                       wards_2013: stpgeo.Layer) -> None:
    # wards placed in councils of 2016 (lookup 032) but blocks counted in the councils of
    # 2021 (the LSOA → CCG21 → LAD21 lookup): Chiltern and Wycombe were merged into
    # Buckinghamshire in 2020, so none of their residents is counted under their codes
    ward_lookup = pd.read_csv(data / "lookups/032_WD16_LAD16_UK_LU.csv", dtype=str)
    block_lookup = data / "lookups/LSOA11_CCG21_STP21_LAD21_EN_LU.csv"
    gone = {"E07000005", "E07000007"}
    assert gone.isdisjoint(pd.read_csv(block_lookup, usecols=["LAD21CD"])["LAD21CD"])
    codes = set(ward_lookup.loc[ward_lookup["LAD16CD"].isin(gone), "WD16CD"])
    wards = stpgeo.Layer(wards_2013.gdf[wards_2013.gdf["code"].isin(codes)].reset_index(
        drop=True), source="wards of Chiltern and Wycombe", kind="ward")
    near = lsoa.gdf[lsoa.gdf.intersects(shapely.box(*wards.gdf.total_bounds))]
    result = analyse(wards, data / "ccg/Clinical_Commissioning_Groups_April_2021_EN_BUC.geojson",
                     councils=data / "lookups/032_WD16_LAD16_UK_LU.csv",
                     blocks=stpgeo.Layer(near.reset_index(drop=True), source="LSOAs",
                                         kind="lsoa"),
                     population=data / "population/lsoa11_population_mid2017.csv",
                     block_footprints=block_lookup)
    assert set(result.councils["council_code"]) == gone
    assert (result.councils["home_footprint_codes"] == "").all()
    for council, name in (("E07000005", "Chiltern"), ("E07000007", "Wycombe")):
        n = int(wards.gdf["code"].isin(
            ward_lookup.loc[ward_lookup["LAD16CD"] == council, "WD16CD"]).sum())
        assert council_findings(result, council) == [
            f"{name} has no home footprint: none of its residents or area was counted in any "
            f"footprint, so its {n} wards cannot be judged against one (are the council "
            "lookup and the block lookups of different vintages?)."]
    assert national_findings(result)[0].startswith(f"Of {len(wards)} wards")
