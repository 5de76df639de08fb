"""Issue 8: bad input never gives a wrong answer, a traceback, or half-written output.

Every case runs the command line on a small hand-made set of files with one thing
wrong, and checks that stpgeo exits with status 2, prints one message (no
traceback) naming the file at fault and how to fix it, and writes nothing.

The good inputs: two 1 km wards (E05000001, E05000002) side by side, two STP
footprints splitting them at x = 1.5 km, four LSOA blocks (one per half ward), an
LSOA → ward lookup, a ward → council lookup and residents per LSOA.
"""

from __future__ import annotations

import json
import math
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio.raw
import pytest
import shapely

import stpgeo
from stpgeo import StpgeoError
from stpgeo.cli import main

from .shapes import X0, Y0, frame, rect, square

WARDS = ["E05000001", "E05000002"]
STPS = ["E54000017", "E54000016"]
LSOAS = ["E01000001", "E01000002", "E01000003", "E01000004"]


@dataclass(frozen=True)
class Inputs:
    """Paths of the good input files, and the folder they are in."""

    folder: Path

    def __getattr__(self, name: str) -> Path:
        return self.folder / _FILES[name]


_FILES = {"wards": "wards.geojson", "footprints": "stps.geojson", "blocks": "lsoas.geojson",
          "block_wards": "lsoa_wards.csv", "councils": "ward_councils.csv",
          "population": "population.csv"}


def _ward_frame(crs: int = 27700) -> gpd.GeoDataFrame:
    return frame(WARDS, [square(0, 0), square(1_000, 0)], names=["Aston", "Soho"]).rename(
        columns={"code": "WD16CD", "name": "WD16NM"}).to_crs(crs)


def _footprint_frame() -> gpd.GeoDataFrame:
    return frame(STPS, [rect(0, 0, 1_500, 1_000), rect(1_500, 0, 3_000, 1_000)],
                 names=["Birmingham and Solihull", "The Black Country"]).rename(
        columns={"code": "STP17CD", "name": "STP17NM"})


def _block_frame() -> gpd.GeoDataFrame:
    halves = [rect(x, 0, x + 500, 1_000) for x in (0, 500, 1_000, 1_500)]
    return frame(LSOAS, halves, names=[f"Birmingham 00{i}A" for i in range(1, 5)]).rename(
        columns={"code": "LSOA11CD", "name": "LSOA11NM"})


@pytest.fixture
def good(tmp_path: Path) -> Inputs:
    folder = tmp_path / "inputs"
    folder.mkdir()
    files = Inputs(folder)
    _ward_frame().to_file(files.wards)
    _footprint_frame().to_file(files.footprints)
    _block_frame().to_file(files.blocks)
    pd.DataFrame({"LSOA11CD": LSOAS, "WD16CD": [WARDS[0]] * 2 + [WARDS[1]] * 2}).to_csv(
        files.block_wards, index=False)
    pd.DataFrame({"WD16CD": WARDS, "LAD16CD": ["E08000025"] * 2,
                  "LAD16NM": ["Birmingham"] * 2}).to_csv(files.councils, index=False)
    pd.DataFrame({"lsoa11_code": LSOAS, "total_population": [1_000, 1_200, 1_400, 1_600]}
                 ).to_csv(files.population, index=False)
    return files


def analyse_args(files: Inputs, **replace: Path | str) -> list[str]:
    """``stpgeo analyse`` on the good files, with some replaced (``wards=...``)."""
    given = {"wards": files.wards, "footprints": files.footprints, "councils": files.councils,
             "blocks": files.blocks, "population": files.population,
             "block_wards": files.block_wards, **replace}
    args = ["analyse"]
    for name, value in given.items():
        if value != "":
            args += [f"--{name.replace('_', '-')}", str(value)]
    return args


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([*args, "--quiet"])
    out, err = capsys.readouterr()
    return code, out, err


def _write(path: Path, layer: gpd.GeoDataFrame) -> Path:
    layer.to_file(path)
    return path


# Each case takes the good files and returns (command, the file at fault, what the
# message must say). The command gets --out added.
Case = Callable[[Inputs], tuple[list[str], Path, list[str]]]
CASES: dict[str, Case] = {}


def case(function: Case) -> Case:
    CASES[function.__name__] = function
    return function


@case
def missing_file(f: Inputs) -> tuple[list[str], Path, list[str]]:
    path = f.folder / "no_such_wards.geojson"
    return analyse_args(f, wards=path), path, ["the file does not exist"]


@case
def csv_given_as_boundaries(f: Inputs) -> tuple[list[str], Path, list[str]]:
    return (analyse_args(f, wards=f.population), f.population,
            ["a .csv file is not a boundary file", "lookups and population tables go to their"])


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n"

#: Cases that are one file with the given bytes in one role: (file name, bytes, role,
#: what the message says).
FILE_CASES: dict[str, tuple[str, bytes, str, list[str]]] = {
    "pdf_given_as_boundaries": ("wards.pdf", PDF, "wards",
                                ["a .pdf file is not a boundary file"]),
    "pdf_named_geojson": ("download.geojson", PDF, "footprints",
                          ["the file is a PDF document"]),
    "csv_named_geojson": ("wards_table.geojson",
                          b"WD16CD,WD16NM\nE05000001,Aston\nE05000002,Soho\n", "wards",
                          ["the file is a text table (CSV)"]),
    "empty_file": ("empty.geojson", b"", "footprints", ["the file is empty (0 bytes)"]),
    "empty_layer": ("no_features.geojson", b'{"type": "FeatureCollection", "features": []}',
                    "wards", ["the layer has no features"]),
}


def _file_case(name: str, content: bytes, role: str, says: list[str]) -> Case:
    def make(f: Inputs) -> tuple[list[str], Path, list[str]]:
        path = f.folder / name
        path.write_bytes(content)
        return analyse_args(f, **{role: path}), path, says

    return make


CASES.update({case_name: _file_case(*spec) for case_name, spec in FILE_CASES.items()})


@case
def truncated_geojson(f: Inputs) -> tuple[list[str], Path, list[str]]:
    path = f.folder / "cut.geojson"
    text = f.wards.read_bytes()
    path.write_bytes(text[: len(text) // 2])
    return analyse_args(f, wards=path), path, ["ends abruptly (truncated)",
                                               "check the file is complete"]


def _shapefile(f: Inputs, drop: str) -> Path:
    folder = f.folder / f"shp_without_{drop}"
    folder.mkdir()
    path = folder / "wards.shp"
    _ward_frame().to_file(path)
    if drop != "none":
        path.with_suffix(f".{drop}").unlink()
    return path


@case
def shapefile_without_prj(f: Inputs) -> tuple[list[str], Path, list[str]]:
    path = _shapefile(f, "prj")
    return analyse_args(f, wards=path.parent), path, [
        "no coordinate reference system", "look like British National Grid",
        "--wards-crs EPSG:27700"]


@case
def shapefile_without_dbf(f: Inputs) -> tuple[list[str], Path, list[str]]:
    path = _shapefile(f, "dbf")
    return analyse_args(f, wards=path), path, ["shapefile is incomplete: .dbf missing"]


@case
def shapefile_without_shx(f: Inputs) -> tuple[list[str], Path, list[str]]:
    path = _shapefile(f, "shx")
    return analyse_args(f, wards=path), path, ["shapefile is incomplete: .shx missing"]


@case
def dbf_alone(f: Inputs) -> tuple[list[str], Path, list[str]]:
    shapefile = _shapefile(f, "prj")
    shapefile.unlink()
    shapefile.with_suffix(".shx").unlink()
    path = shapefile.with_suffix(".dbf")
    return analyse_args(f, wards=path), path, ["a table without geometries", "give the .shp"]


@case
def geopackage_with_several_layers(f: Inputs) -> tuple[list[str], Path, list[str]]:
    path = f.folder / "many.gpkg"
    _footprint_frame().to_file(path, layer="stp17")
    _footprint_frame().iloc[:1].to_file(path, layer="bsol_only")
    return analyse_args(f, footprints=path), path, [
        "holds 2 layers and none was chosen", "--footprints-layer NAME"]


@case
def geopackage_layer_that_does_not_exist(f: Inputs) -> tuple[list[str], Path, list[str]]:
    path = f.folder / "one.gpkg"
    _footprint_frame().to_file(path, layer="stp17")
    return [*analyse_args(f, footprints=path), "--footprints-layer", "ccg17"], path, [
        "there is no layer 'ccg17'", "stp17"]


@case
def empty_geopackage_layer(f: Inputs) -> tuple[list[str], Path, list[str]]:
    path = f.folder / "empty.gpkg"
    _footprint_frame().iloc[:0].to_file(path, layer="stp17")
    return analyse_args(f, footprints=path), path, ["the layer has no features"]


@case
def features_without_geometry(f: Inputs) -> tuple[list[str], Path, list[str]]:
    path = f.folder / "no_shapes.geojson"
    layer = _ward_frame()
    _write(path, layer.set_geometry([None, None], crs=layer.crs))
    return analyse_args(f, wards=path), path, ["none of the layer's 2 features has a geometry"]


@case
def points_given_as_wards(f: Inputs) -> tuple[list[str], Path, list[str]]:
    path = _write(f.folder / "points.geojson", _ward_frame().set_geometry(
        _ward_frame().centroid))
    return analyse_args(f, wards=path), path, ["Point geometries, not polygons"]


@case
def lines_given_as_footprints(f: Inputs) -> tuple[list[str], Path, list[str]]:
    path = _write(f.folder / "lines.geojson", _footprint_frame().set_geometry(
        _footprint_frame().boundary))
    return analyse_args(f, footprints=path), path, ["LineString geometries, not polygons"]


@case
def grid_coordinates_labelled_wgs84(f: Inputs) -> tuple[list[str], Path, list[str]]:
    path = _write(f.folder / "labelled_4326.geojson",
                  _ward_frame().set_crs(4326, allow_override=True))
    return analyse_args(f, wards=path), path, [
        "(longitude/latitude) but the coordinates look like British National Grid",
        "--wards-crs EPSG:27700"]


@case
def degrees_labelled_british_national_grid(f: Inputs) -> tuple[list[str], Path, list[str]]:
    path = f.folder / "labelled_27700.gpkg"
    _footprint_frame().to_crs(4326).set_crs(27700, allow_override=True).to_file(path)
    return analyse_args(f, footprints=path), path, [
        "(metres) but the coordinates look like longitude/latitude",
        "--footprints-crs EPSG:4326"]


@case
def longitude_latitude_swapped(f: Inputs) -> tuple[list[str], Path, list[str]]:
    path = f.folder / "swapped.geojson"
    degrees = _ward_frame(4326)
    swapped = degrees.set_geometry(shapely.transform(degrees.geometry.values,
                                                     lambda xy: xy[:, ::-1]))
    _write(path, swapped)
    return analyse_args(f, wards=path), path, ["latitude and longitude are swapped"]


@case
def layers_that_do_not_overlap(f: Inputs) -> tuple[list[str], Path, list[str]]:
    path = f.folder / "far_away.geojson"
    far = _footprint_frame().translate(xoff=-200_000, yoff=-100_000)
    _write(path, _footprint_frame().set_geometry(far))
    return analyse_args(f, footprints=path), path, ["do not overlap at all", str(f.wards)]


@case
def duplicate_ward_codes(f: Inputs) -> tuple[list[str], Path, list[str]]:
    layer = _ward_frame()
    layer["WD16CD"] = WARDS[0]
    path = _write(f.folder / "twice.geojson", layer)
    return analyse_args(f, wards=path), path, ["1 wards codes appear more than once: E05000001",
                                               "dissolve the features"]


@case
def duplicate_footprint_codes(f: Inputs) -> tuple[list[str], Path, list[str]]:
    layer = _footprint_frame()
    layer["STP17CD"] = STPS[1]
    path = _write(f.folder / "twice.geojson", layer)
    return analyse_args(f, footprints=path), path, ["footprints codes appear more than once"]


@case
def duplicate_block_codes(f: Inputs) -> tuple[list[str], Path, list[str]]:
    layer = _block_frame()
    layer.loc[1, "LSOA11CD"] = LSOAS[0]
    path = _write(f.folder / "twice.geojson", layer)
    return analyse_args(f, blocks=path), path, ["blocks codes appear more than once"]


@case
def lsoa_codes_given_as_wards(f: Inputs) -> tuple[list[str], Path, list[str]]:
    return analyse_args(f, wards=f.blocks), f.blocks, [
        "the wards layer holds LSOA (building block) codes (e.g. E01000001)",
        "give them with --blocks"]


@case
def ward_codes_given_as_blocks(f: Inputs) -> tuple[list[str], Path, list[str]]:
    return analyse_args(f, blocks=f.wards), f.wards, [
        "the blocks layer holds electoral ward codes", "LSOAs, E01"]


def _zipped(f: Inputs, name: str, folders: list[str], drop: str | None = None) -> Path:
    """The ward shapefile in each folder of a zip archive (without its ``drop`` part)."""
    shapefile = _shapefile(f, "none")
    archive = f.folder / name
    with zipfile.ZipFile(archive, "w") as bundle:
        for folder in folders:
            for part in shapefile.parent.iterdir():
                if part.suffix != drop:
                    bundle.write(part, f"{folder}/{part.name}")
    return archive


@case
def zip_of_several_shapefiles(f: Inputs) -> tuple[list[str], Path, list[str]]:
    path = _zipped(f, "wards_2016_and_2018.zip", ["download/2016", "download/2018"])
    return analyse_args(f, wards=path), path, [
        "the zip archive holds 2 boundary files and none was chosen: download/2016/wards.shp, "
        "download/2018/wards.shp", "--wards-layer download/2016/wards.shp"]


@case
def zip_of_a_shapefile_without_dbf(f: Inputs) -> tuple[list[str], Path, list[str]]:
    path = _zipped(f, "wards.zip", ["download"], drop=".dbf")
    return analyse_args(f, wards=path), path, [
        "the shapefile download/wards.shp in the zip archive is incomplete: .dbf missing"]


@case
def coordinate_that_is_not_a_number(f: Inputs) -> tuple[list[str], Path, list[str]]:
    path = f.folder / "typo.geojson"
    document = json.loads(f.footprints.read_text())
    document["features"][1]["geometry"]["coordinates"][0][2][0] = "40l500"
    path.write_text(json.dumps(document))
    return analyse_args(f, footprints=path), path, [
        "1 feature has a geometry that cannot be read or repaired: E54000016 (a coordinate "
        "is not a number: '40l500')", "correct the coordinates of these features"]


@case
def ring_whose_first_coordinate_is_nan(f: Inputs) -> tuple[list[str], Path, list[str]]:
    # issue 22: NaN never equals the closing point, and GEOS's error escaped (exit 1)
    path = f.folder / "stps.gpkg"
    ring = [(X0 + 1_500, Y0), (X0 + 3_000, Y0), (X0 + 3_000, Y0 + 1_000), (X0 + 1_500, Y0 + 1_000)]
    ring = [(math.nan, Y0), *ring[1:], ring[0]]
    spoilt = struct.pack("<BIII", 1, 3, 1, 5) + b"".join(struct.pack("<dd", *p) for p in ring)
    pyogrio.raw.write(path, np.array([shapely.to_wkb(rect(0, 0, 1_500, 1_000)), spoilt]),
                      [np.array(STPS, dtype=object)], ["STP17CD"], geometry_type="Polygon",
                      crs="EPSG:27700", driver="GPKG")
    return analyse_args(f, footprints=path), path, [
        "1 feature has a geometry that cannot be read or repaired: E54000016 (a coordinate "
        "is not a finite number: (nan, 280000) at point 1 of ring 1)",
        "correct the coordinates of these features"]


@case
def stp_codes_labelled_as_ccgs(f: Inputs) -> tuple[list[str], Path, list[str]]:
    path = _write(f.folder / "ccgs.geojson", _footprint_frame().rename(
        columns={"STP17CD": "CCG17CD", "STP17NM": "CCG17NM"}))
    return analyse_args(f, footprints=path), path, [
        "the field 'CCG17CD' is named for clinical commissioning group (CCG) areas but holds "
        "STP / ICS footprint codes (e.g. E54000017)"]


@case
def lookup_without_the_named_column(f: Inputs) -> tuple[list[str], Path, list[str]]:
    lookup = f.folder / "lsoa_stp.csv"
    pd.DataFrame({"LSOA11CD": LSOAS, "STP17CD": [STPS[0]] * 3 + [STPS[1]]}).to_csv(
        lookup, index=False)
    return (["build", "--blocks", str(f.blocks), "--lookup", str(lookup), "--by", "CCG17CD"],
            lookup, ["there is no lookup column field 'CCG17CD'", "LSOA11CD, STP17CD"])


@case
def lookup_column_of_the_wrong_kind(f: Inputs) -> tuple[list[str], Path, list[str]]:
    lookup = f.folder / "lsoa_ccg.csv"
    pd.DataFrame({"LSOA11CD": LSOAS, "CCG17CD": [STPS[0]] * 3 + [STPS[1]]}).to_csv(
        lookup, index=False)
    return (["build", "--blocks", str(f.blocks), "--lookup", str(lookup), "--by", "CCG17CD"],
            lookup, ["the column 'CCG17CD' is named for clinical commissioning group (CCG) "
                     "areas but holds STP / ICS footprint codes"])


@case
def block_ward_lookup_of_another_vintage(f: Inputs) -> tuple[list[str], Path, list[str]]:
    lookup = f.folder / "lsoa_wards_2018.csv"
    pd.DataFrame({"LSOA11CD": LSOAS, "WD18CD": ["E05011111"] * 2 + ["E05011112"] * 2}
                 ).to_csv(lookup, index=False)
    return analyse_args(f, block_wards=lookup), lookup, [
        "the block-ward lookup covers none of the 2 wards: 0 of their codes are in it",
        "its WD18CD column lists 2 other ward codes of 2018; the wards are of 2016",
        "leave out --block-wards"]


@case
def block_footprint_lookup_of_another_vintage(f: Inputs) -> tuple[list[str], Path, list[str]]:
    lookup = f.folder / "lsoa_stp_2020.csv"
    pd.DataFrame({"LSOA11CD": LSOAS, "STP20CD": ["E54000055"] * 4}).to_csv(lookup, index=False)
    return analyse_args(f, block_footprints=lookup), lookup, [
        "the block-footprint lookup covers none of the 2 footprints",
        "its STP20CD column lists 1 other stp codes of 2020; the footprints are of 2017",
        "leave out --block-footprints"]


@case
def block_ward_lookup_of_other_blocks(f: Inputs) -> tuple[list[str], Path, list[str]]:
    lookup = f.folder / "msoa_wards.csv"
    pd.DataFrame({"MSOA11CD": ["E02000001"], "WD16CD": [WARDS[0]]}).to_csv(lookup, index=False)
    return analyse_args(f, block_wards=lookup), lookup, [
        "no column of the block-ward lookup (for the blocks) holds the codes"]


@case
def council_lookup_of_another_vintage(f: Inputs) -> tuple[list[str], Path, list[str]]:
    lookup = f.folder / "ward_councils_2018.csv"
    pd.DataFrame({"WD18CD": ["E05011111"], "LAD18CD": ["E08000025"]}).to_csv(lookup,
                                                                              index=False)
    return analyse_args(f, councils=lookup), lookup, [
        "the council lookup places none of the analysed areas: none of the 2 wards' codes "
        "nor of the 4 blocks' is in it"]


@case
def lookup_that_is_not_a_table(f: Inputs) -> tuple[list[str], Path, list[str]]:
    lookup = f.folder / "lookup.csv"
    lookup.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x00")
    return analyse_args(f, councils=lookup), lookup, ["cannot be read as a CSV table"]


def _population(f: Inputs, counts: list[str], codes: list[str] = LSOAS) -> Path:
    path = f.folder / "residents.csv"
    path.write_text("lsoa11_code,total_population\n"
                    + "".join(f"{c},{n}\n" for c, n in zip(codes, counts, strict=True)))
    return path


@case
def population_with_a_missing_value(f: Inputs) -> tuple[list[str], Path, list[str]]:
    path = _population(f, ["1000", "", "1400", "1600"])
    return analyse_args(f, population=path), path, [
        "1 rows have a missing, non-numeric or negative count in 'total_population': "
        "E01000002=(empty)", "fill in a whole number"]


@case
def population_with_text(f: Inputs) -> tuple[list[str], Path, list[str]]:
    path = _population(f, ["1000", "1200", "n/a", "1600"])
    return analyse_args(f, population=path), path, ["E01000003='n/a'"]


@case
def population_with_a_repeated_code(f: Inputs) -> tuple[list[str], Path, list[str]]:
    path = _population(f, ["1000", "1200", "1400", "1600"], codes=[*LSOAS[:3], LSOAS[0]])
    return analyse_args(f, population=path), path, ["1 codes appear more than once: E01000001"]


@case
def population_of_another_geography(f: Inputs) -> tuple[list[str], Path, list[str]]:
    path = _population(f, ["7000", "8000"], codes=["E02000001", "E02000002"])
    return analyse_args(f, population=path), path, [
        "the population table has a figure for none of the 4 blocks"]


@case
def population_covering_too_few_blocks(f: Inputs) -> tuple[list[str], Path, list[str]]:
    path = _population(f, ["1000"], codes=LSOAS[:1])
    return analyse_args(f, population=path), path, [
        "3 of the 4 blocks in the analysed wards have no population figure",
        "at least 50%"]


# Who is affected: deprivation per block, GP practices and their CCGs (issue 13).
CCG_LOOKUP = "CCG17CD,CCG17CDH,CCG17NM,STP17CD\nE38000220,13P,NHS Birmingham CrossCity CCG," \
    "E54000017\nE38000144,05L,NHS Sandwell and West Birmingham CCG,E54000016\n"


def _deprivation(f: Inputs, text: str) -> Path:
    path = f.folder / "imd2019_lsoa.csv"
    path.write_text(text)
    return path


def _practices_args(f: Inputs, rows: str, *, lookup: str = CCG_LOOKUP
                    ) -> tuple[list[str], Path]:
    """``stpgeo analyse`` with GP practices (and a CCG lookup for their commissioners)."""
    practices = f.folder / "epraccur.csv"
    practices.write_text("OrganisationCode,Name,StatusCode,Provider,PrescribingSetting,lat,long\n"
                         + rows)
    commissioners = f.folder / "ccg_lookup.csv"
    commissioners.write_text(lookup)
    return analyse_args(f, practices=practices, commissioners=commissioners), practices


#: A practice in Aston (the first ward) and one in Soho, in degrees.
ASTON, SOHO = "52.4225,-1.9941", "52.4225,-1.9794"


@case
def deprivation_without_a_decile_column(f: Inputs) -> tuple[list[str], Path, list[str]]:
    path = _deprivation(f, "lsoa_code,IMD_score,IMD_rank\n" + "".join(
        f"{c},20.5,{i}\n" for i, c in enumerate(LSOAS, 1)))
    return analyse_args(f, deprivation=path), path, [
        "no column holds deciles of an index of deprivation", "IMD_decile"]


@case
def deprivation_deciles_that_are_not_deciles(f: Inputs) -> tuple[list[str], Path, list[str]]:
    path = _deprivation(f, "lsoa_code,IMD_decile\n" + "".join(
        f"{c},{d}\n" for c, d in zip(LSOAS, ["1", "12", "3", "most"], strict=True)))
    return analyse_args(f, deprivation=path), path, [
        "2 rows have a decile in 'IMD_decile' that is not a whole number from 1 to 10: "
        "E01000002='12', E01000004='most'"]


@case
def deprivation_of_other_blocks(f: Inputs) -> tuple[list[str], Path, list[str]]:
    path = _deprivation(f, "lsoa_code,IMD_decile\nE01032001,1\nE01032002,2\n")
    return analyse_args(f, deprivation=path), path, [
        "the deprivation table has deciles for none of the 4 blocks", "same geography"]


@case
def practices_without_a_commissioner(f: Inputs) -> tuple[list[str], Path, list[str]]:
    path = f.folder / "practices.csv"
    path.write_text(f"OrganisationCode,Name,lat,long\nM85001,ASTON SURGERY,{ASTON}\n")
    return analyse_args(f, practices=path), path, [
        "the practices file has no column for the commissioner code", "Provider"]


@case
def practices_with_coordinates_swapped(f: Inputs) -> tuple[list[str], Path, list[str]]:
    args, path = _practices_args(f, "M85001,ASTON SURGERY,A,13P,4,-1.9941,52.4225\n")
    return args, path, ["latitude and longitude are swapped"]


@case
def practices_of_unknown_ccgs(f: Inputs) -> tuple[list[str], Path, list[str]]:
    args, path = _practices_args(f, f"M85001,ASTON SURGERY,A,99X,4,{ASTON}\n"
                                    f"M85002,SOHO SURGERY,A,98Y,4,{SOHO}\n")
    return args, path, ["2 of the 2 active GP practices have a commissioner code that is no "
                        "CCG in ccg_lookup.csv's CCG17CDH (e.g. 98Y, 99X)", "of the same year"]


@case
def practices_elsewhere(f: Inputs) -> tuple[list[str], Path, list[str]]:
    args, path = _practices_args(f, "M85001,A LONDON SURGERY,A,13P,4,51.5072,-0.1276\n")
    return args, path, ["none of the 1 practices with coordinates lies in the blocks"]


@case
def commissioner_lookup_without_ods_codes(f: Inputs) -> tuple[list[str], Path, list[str]]:
    args, _ = _practices_args(f, f"M85001,ASTON SURGERY,A,13P,4,{ASTON}\n",
                              lookup="CCG17CD,STP17CD\nE38000220,E54000017\n")
    return args, f.folder / "epraccur.csv", [
        "no lookup holds the CCGs' ODS codes (a column such as CCG17CDH)", "--commissioners"]


@case
def output_folder_is_a_file(f: Inputs) -> tuple[list[str], Path, list[str]]:
    # the only case where --out itself is at fault: it exists as a file and stays one
    return analyse_args(f), f.folder.parent / "out", ["the output path exists and is not a folder"]


@case
def build_output_of_unknown_format(f: Inputs) -> tuple[list[str], Path, list[str]]:
    lookup = f.folder / "lsoa_stp.csv"
    pd.DataFrame({"LSOA11CD": LSOAS, "STP17CD": [STPS[0]] * 3 + [STPS[1]]}).to_csv(
        lookup, index=False)
    return (["build", "--blocks", str(f.blocks), "--lookup", str(lookup), "--by", "STP17CD"],
            f.folder.parent / "out.txt", ["cannot write .txt", "use .gpkg"])


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".out"))


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_refused_cleanly(name: str, good: Inputs,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    args, culprit, says = CASES[name](good)
    out = good.folder.parent / ("out.txt" if name == "build_output_of_unknown_format" else
                                "out.gpkg" if args[0] == "build" else "out")
    if name == "output_folder_is_a_file":
        out.write_text("not a folder")
    code, stdout, err = run(capsys, *args, "--out", str(out))
    assert code == 2, err
    assert stdout == ""
    assert err.startswith("stpgeo: error: ")
    assert str(culprit) in err  # which file
    assert "\n  how to fix: " in err  # how to fix it
    for fragment in says:  # what is wrong
        assert fragment in err
    assert "Traceback" not in err
    assert out.exists() == (name == "output_folder_is_a_file")  # nothing written
    if out.is_file() and name == "output_folder_is_a_file":
        assert out.read_text() == "not a folder"
    assert _leftovers(good.folder.parent) == []


def test_debug_shows_the_traceback_of_a_bad_input(good: Inputs,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    args, _, _ = CASES["lsoa_codes_given_as_wards"](good)
    code, _, err = run(capsys, *args, "--out", str(good.folder / "out"), "--debug")
    assert code == 2
    assert "Traceback" in err
    assert "StpgeoError" in err


def test_good_inputs_pass(good: Inputs, capsys: pytest.CaptureFixture[str]) -> None:
    # the baseline every case above spoils one thing of
    out = good.folder.parent / "out"
    code, _, err = run(capsys, *analyse_args(good), "--out", str(out))
    assert code == 0, err
    assert "warning" not in err
    assert json.loads((out / "summary.json").read_text())["conservation"]["holds"]
    pieces = pd.read_csv(out / "ward_footprints.csv").set_index(["ward_code", "footprint_code"])
    assert pieces.loc[(WARDS[1], STPS[0]), "population"] == 1_400


def test_good_deprivation_and_practices_pass(good: Inputs,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    # the baseline of the cases on deprivation and practices. Both STPs are Birmingham's
    # home here (the Black Country's residents all live in Birmingham), so every block and
    # practice is on the home side
    args, _ = _practices_args(good, f"M85001,ASTON SURGERY,A,13P,4,{ASTON}\n"
                                    f"M85002,SOHO SURGERY,A,05L,4,{SOHO}\n"
                                    "M85003,NOWHERE SURGERY,A,05L,4,,\n")
    path = _deprivation(good, "lsoa_code,IMD_decile\n" + "".join(
        f"{c},{d}\n" for c, d in zip(LSOAS, [1, 2, 3, 4], strict=True)))
    out = good.folder.parent / "out"
    code, _, err = run(capsys, *args, "--deprivation", str(path), "--out", str(out))
    assert code == 0, err
    assert "NOWHERE SURGERY" in err  # the practice without coordinates is reported
    deprivation = pd.read_csv(out / "deprivation.csv")
    assert list(deprivation.columns) == ["council_code", "council_name", "side", "index",
                                         "decile", "population"]
    assert set(deprivation["side"]) == {"home"}
    assert deprivation.set_index("decile")["population"][[1, 2, 3, 4]].tolist() == [
        1_000, 1_200, 1_400, 1_600]
    assert list(pd.read_csv(out / "ward_deprivation.csv").columns) == [
        "ward_code", "index", "population", "share_decile_1", "share_deciles_1_2"]
    practices = pd.read_csv(out / "practices.csv", dtype=str, keep_default_na=False)
    assert list(practices.columns)[:7] == [
        "practice_code", "practice_name", "ward_code", "council_code", "commissioner_code",
        "commissioner_name", "commissioner_is_home"]
    assert practices["commissioner_is_home"].tolist() == ["true", "true", ""]
    assert practices["ward_code"].tolist() == [*WARDS, ""]


def test_lookup_of_another_vintage_covering_some_wards_goes_on_and_says_so(
        good: Inputs, capsys: pytest.CaptureFixture[str]) -> None:
    # the lookup knows Aston (2016 code) but has Soho under a 2018 code: Aston's blocks
    # follow the lookup, Soho's go by geometry, and the counts are reported
    lookup = good.folder / "mixed_vintages.csv"
    pd.DataFrame({"LSOA11CD": LSOAS, "WD16CD": [WARDS[0]] * 2 + ["E05011112"] * 2}).to_csv(
        lookup, index=False)
    out = good.folder.parent / "out"
    code, _, err = run(capsys, *analyse_args(good, block_wards=lookup), "--out", str(out))
    assert code == 0, err
    assert f"warning: the block-ward lookup ({lookup}) covers 1 of the 2 wards; the other 1" \
        in err
    summary = json.loads((out / "summary.json").read_text())
    notes = summary["inputs"]["lookups"]["block_wards"]
    assert (notes["targets_covered"], notes["targets_not_covered"]) == (1, 1)
    assert summary["blocks"]["ward_methods"] == {"lookup": 2, "geometry": 2}
    assert summary["conservation"]["holds"]


def test_population_missing_for_some_blocks_goes_on_and_says_so(
        good: Inputs, capsys: pytest.CaptureFixture[str]) -> None:
    path = _population(good, ["1000", "1200", "1400"], codes=LSOAS[:3])
    out = good.folder.parent / "out"
    code, _, err = run(capsys, *analyse_args(good, population=path), "--out", str(out))
    assert code == 0, err
    assert "1 of the 4 blocks in the analysed wards have no figure in the population table" \
        in err
    assert str(path) in err
    summary = json.loads((out / "summary.json").read_text())
    assert summary["inputs"]["lookups"]["population"]["blocks_in_wards_without_figure"] == 1
    verdicts = pd.read_csv(out / "ward_footprints.csv").set_index(
        ["ward_code", "footprint_code"])
    # Soho's known residents: 1,400 in Birmingham and Solihull; E01000004 is unknown, not 0
    assert verdicts.loc[(WARDS[1], STPS[0]), "population_share"] == 1.0
    assert summary["conservation"]["blocks"]["residents"] == 3_600


def test_wards_given_as_footprints_are_overlaid_with_a_warning(
        good: Inputs, capsys: pytest.CaptureFixture[str]) -> None:
    # two layers of wards (of two vintages, say): each ward's pieces in the other's wards
    out = good.folder.parent / "out"
    code, _, err = run(capsys, *analyse_args(good, footprints=good.wards, blocks="",
                                             population="", block_wards=""), "--out", str(out))
    assert code == 0, err
    warning = (f"warning: the footprints layer ({good.wards}) holds electoral ward codes (e.g. "
               "E05000001), not CCGs, STPs or councils: the two layers are overlaid all the "
               "same")
    assert warning in err
    assert "if --wards and --footprints are swapped, give each layer to the other option" in err
    summary = json.loads((out / "summary.json").read_text())
    assert any(w.startswith(warning[len("warning: "):])
               for w in summary["inputs"]["footprints"]["warnings"])
    pieces = pd.read_csv(out / "ward_footprints.csv")
    assert sorted(zip(pieces["ward_code"], pieces["footprint_code"], strict=True)) == [
        (WARDS[0], WARDS[0]), (WARDS[1], WARDS[1])]


def test_footprints_given_as_wards_say_they_may_be_swapped(
        good: Inputs, capsys: pytest.CaptureFixture[str]) -> None:
    out = good.folder.parent / "out"
    code, _, err = run(capsys, *analyse_args(good, wards=good.footprints, footprints=good.wards,
                                             councils="", blocks="", population="",
                                             block_wards=""), "--out", str(out))
    assert code == 0, err
    assert (f"warning: the wards layer ({good.footprints}) holds STP / ICS footprint codes "
            "(e.g. E54000017), which are usually the footprints; if --wards and --footprints "
            "are swapped") in err


def test_zip_without_a_shapefile_is_refused(good: Inputs,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    archive = good.folder / "wards.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("readme.txt", "no boundaries here")
    code, _, err = run(capsys, "inspect", str(archive))
    assert code == 2
    assert str(archive) in err
    assert "how to fix" in err


def test_inspect_names_its_own_options(good: Inputs, capsys: pytest.CaptureFixture[str]) -> None:
    # read alone, a layer's messages name --crs and --layer, not an analysis's options
    path = _shapefile(good, "prj")
    code, _, err = run(capsys, "inspect", str(path))
    assert code == 2
    assert "--crs EPSG:27700" in err
    assert "--wards-crs" not in err


def test_layer_and_crs_options_fix_what_they_say(good: Inputs,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    # following the advice of the messages above gives a result
    shapefile = _shapefile(good, "prj")
    several = good.folder / "many.gpkg"
    _footprint_frame().to_file(several, layer="stp17")
    _footprint_frame().iloc[:1].to_file(several, layer="bsol_only")
    out = good.folder.parent / "out"
    code, _, err = run(capsys, *analyse_args(good, wards=shapefile, footprints=several),
                       "--wards-crs", "EPSG:27700", "--footprints-layer", "stp17",
                       "--out", str(out))
    assert code == 0, err
    assert len(pd.read_csv(out / "ward_verdicts.csv")) == 2


def test_features_without_code_or_shape_are_left_out_of_footprints(good: Inputs) -> None:
    # OpenPrescribing's CCG file has two such features; they do not stop an analysis
    from stpgeo.analysis.pipeline import analyse

    footprints = pd.concat([_footprint_frame(), _footprint_frame().iloc[:1].assign(
        STP17CD=None, STP17NM="NHS NOWHERE", geometry=None)], ignore_index=True)
    path = _write(good.folder / "with_blank.geojson", gpd.GeoDataFrame(footprints, crs=27700))
    result = analyse(good.wards, path)
    assert result.summary["counts"]["footprints"] == 2
    assert any("neither a code nor a polygon" in w
               for w in result.summary["inputs"]["footprints"]["warnings"])
    blank = footprints.assign(geometry=[*footprints.geometry[:2], square(0, 0)])
    path = _write(good.folder / "with_uncoded.geojson", gpd.GeoDataFrame(blank, crs=27700))
    with pytest.raises(StpgeoError, match="1 footprints have no code"):
        analyse(good.wards, path)


def test_wards_far_outside_britain_are_refused(good: Inputs) -> None:
    from stpgeo import read_layer

    path = _write(good.folder / "far.geojson", _ward_frame().translate(xoff=-X0 * 10,
                                                                       yoff=-Y0 * 10))
    with pytest.raises(StpgeoError, match=str(path)):
        read_layer(path)


def test_population_cut_inside_its_last_count_is_flagged(
        good: Inputs, capsys: pytest.CaptureFixture[str]) -> None:
    # "1600" cut to "16" still parses: the missing line break at the end gives it away
    path = good.folder / "cut.csv"
    path.write_bytes(good.population.read_bytes().rstrip(b"\n")[:-2])
    out = good.folder.parent / "out"
    code, _, err = run(capsys, *analyse_args(good, population=path), "--out", str(out))
    assert code == 0, err
    assert (f"warning: {path} does not end with a line break: it may have been cut short, "
            "and its last row (E01000004: 16 residents) may be incomplete") in err
    assert any("cut short" in w for w in
               json.loads((out / "summary.json").read_text())["warnings"])


# The same refusals on the real files.
ULTRA_STPS = ("stp/Sustainability_and_Transformation_Partnerships_February_2017_Ultra_"
              "Generalised_Clipped_Boundaries_in_England.geojson")


@pytest.mark.realdata
def test_real_shapefile_without_prj(data: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code, _, err = run(capsys, "analyse", "--wards",
                       str(data / "wards/birmingham_wards_2018_shapefile"), "--footprints",
                       str(data / ULTRA_STPS), "--out", str(out))
    assert code == 2
    assert "birmingham_wards_2018_shapefile/wards.shp: the file has no coordinate reference" in err
    assert "--wards-crs EPSG:27700" in err
    assert not out.exists()
    code, _, err = run(capsys, "analyse", "--wards",
                       str(data / "wards/birmingham_wards_2018_shapefile"), "--footprints",
                       str(data / ULTRA_STPS), "--wards-crs", "EPSG:27700", "--out", str(out))
    assert code == 0, err
    assert len(pd.read_csv(out / "ward_verdicts.csv")) == 69


@pytest.mark.realdata
def test_real_lookup_of_another_vintage(data: Path, lsoa: stpgeo.Layer) -> None:
    from stpgeo.analysis.pipeline import analyse

    wards = data / "wards/birmingham_wards_2018.geojson"
    lookup_114 = data / "lookups/114_LSOA11_WD16_LAD16_EW_LU.csv"
    ward_codes = set(pd.read_csv(lookup_114, usecols=["WD16CD"])["WD16CD"])
    blocks = stpgeo.Layer(lsoa.gdf.cx[400_000:420_000, 275_000:300_000], source="LSOAs",
                          kind="lsoa")
    with pytest.raises(StpgeoError) as info:
        analyse(wards, data / ULTRA_STPS, blocks=blocks, block_wards=lookup_114)
    message = str(info.value)
    assert message.startswith(f"{lookup_114}: the block-ward lookup covers none of the 69 wards")
    # Birmingham's 69 wards of 2018 are all in the ward lists of 2018 (lookup 051) and of
    # 2024 (the WD24 lookup): the latest is theirs
    assert (f"its WD16CD column lists {len(ward_codes):,} other ward codes of 2016; the wards "
            "are of 2024") in message
    assert "leave out --block-wards" in message


@pytest.mark.realdata
def test_real_lookup_covering_some_wards_is_reported(
        england: dict[str, stpgeo.analysis.result.Analysis], wards_2013: stpgeo.Layer,
        lookup_114: Path) -> None:
    listed = set(pd.read_csv(lookup_114, usecols=["WD16CD"])["WD16CD"])
    covered = int(wards_2013.gdf["code"].isin(listed).sum())
    summary = england["stp17"].summary
    assert summary["inputs"]["lookups"]["block_wards"]["targets_covered"] == covered
    assert any(f"covers {covered:,} of the 7,681 wards; the other {7_681 - covered:,}" in w
               for w in summary["warnings"])
