"""The bundled sample: Birmingham, Solihull and the Black Country, cut from the full data.

``python -m stpgeo.sample --from DIR`` rebuilds ``stpgeo/sample_data/`` from a full
data directory (``../shared/boundaries`` or one filled by ``stpgeo fetch``). The
sample is itself a data directory in the catalogue's layout, so ``stpgeo demo`` and
every command taking ``--data`` (``--data sample``) run on it:

- lookups, population, deprivation and GP practice tables keep the catalogue's file
  names and hold the rows of the six districts (:data:`DISTRICTS`), byte for byte as
  in the full files (header and rows unchanged, only other rows left out);
- boundary layers are GeoParquet in EPSG:27700 with coordinates rounded to the metre
  (``shapely.set_precision``, which keeps polygons valid), all their fields kept; the
  manifest ``stpgeo-data.toml`` maps each layer's catalogue key to its file.

Which rows: the 2011 LSOAs of the six districts (ONS lookup 143); their wards of
December 2013 (whose codes equal the 2016 codes here: lookup 032); Birmingham's 2018
wards; the STPs of 2017 and CCGs of 2021 holding those LSOAs; the constituencies
whose interior point lies in them; every lookup row of those LSOAs, wards or CCGs;
the GP practices of the area's CCGs (grouped by CCG) and their epraccur rows.

Examples
--------
>>> sorted(DISTRICTS.values())[:2]
['Birmingham', 'Dudley']
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely

from stpgeo.errors import StpgeoError
from stpgeo.io.catalogue import MANIFEST, SAMPLE_DIR, load_catalogue

#: The six districts of the sample: Birmingham, Solihull and the four Black Country boroughs.
DISTRICTS = {
    "E08000025": "Birmingham",
    "E08000029": "Solihull",
    "E08000027": "Dudley",
    "E08000028": "Sandwell",
    "E08000030": "Walsall",
    "E08000031": "Wolverhampton",
}

#: Lookups cut by their district column: catalogue key -> column.
_BY_DISTRICT = {
    "143": "LAD17CD", "226": "LAD17CD", "094": "LAD17CD", "047": "LAD17CD",
    "114": "LAD16CD", "211": "LAD16CD", "032": "LAD16CD", "139": "LAD16CD",
    "096": "LAD16CD", "122": "LAD17CD",
    "168": "LAD18CD", "181": "LAD18CD", "051": "LAD18CD",
    "212": "LAD15CD",
    "lsoa11_ccg21": "LAD21CD", "lsoa11_sicbl22": "LAD22CD",
}
#: Small CCG lookups cut to the area's CCGs of April 2017 (name matching uses 270).
_BY_CCG17 = ("066", "204", "222", "270")

#: Layers of the sample: catalogue key -> its file in the sample.
LAYER_FILES = {
    "wards_dec2013": "wards/wards_dec2013_birmingham_black_country.parquet",
    "birmingham_wards_2018": "wards/birmingham_wards_2018.parquet",
    "birmingham_solihull_wards_2018": "wards/birmingham_solihull_wards_2018.parquet",
    "lsoa_2011": "lsoa/lsoa_2011_birmingham_black_country.parquet",
    "stp_feb2017": "stp/stp_feb2017_birmingham_black_country.parquet",
    "ccg_apr2021": "ccg/ccg_apr2021_birmingham_black_country.parquet",
    "constituencies_west_midlands_2013":
        "constituencies/constituencies_2013_birmingham_black_country.parquet",
}

#: Grid of the sample's coordinates, in metres (EPSG:27700).
PRECISION_M = 1.0


def _rows(source: Path, column: str, keep: Callable[[str], bool]) -> list[str]:
    """The header and the lines of a CSV whose ``column`` passes ``keep``, as they are."""
    with source.open(encoding="utf-8-sig", newline="") as handle:
        lines = handle.read().splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    if column not in header:
        raise StpgeoError(f"no column {column!r} (it has {', '.join(header)})", source=source,
                          fix="give the full data directory the catalogue describes")
    at = header.index(column)
    return [lines[0]] + [line for line in lines[1:]
                         if line.strip() and keep(next(csv.reader([line]))[at])]


def _write_rows(lines: Iterable[str], target: Path, *, bom: bool) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        handle.writelines(lines)


def _cut_csv(source: Path, target: Path, column: str, keep: Callable[[str], bool], *,
             group_by: str | None = None) -> set[str]:
    """Write the rows of ``source`` that ``keep``; return their ``column`` values.

    ``group_by`` orders the rows by that column (stably): a table kept whole is then
    grouped, say by CCG, rather than a copy of the original file.
    """
    lines = _rows(source, column, keep)
    if group_by is not None:
        at = next(csv.reader([lines[0]])).index(group_by)
        lines = lines[:1] + sorted(lines[1:], key=lambda line: next(csv.reader([line]))[at])
    _write_rows(lines, target, bom=source.read_bytes().startswith(b"\xef\xbb\xbf"))
    header = next(csv.reader([lines[0]]))
    return {next(csv.reader([line]))[header.index(column)] for line in lines[1:]}


def _column_values(source: Path, column: str, where: str, values: set[str]) -> set[str]:
    """The values of ``column`` in the rows of ``source`` whose ``where`` is in ``values``."""
    lines = _rows(source, where, values.__contains__)
    header = next(csv.reader([lines[0]]))
    return {next(csv.reader([line]))[header.index(column)] for line in lines[1:]}


def _cut_layer(source: Path, target: Path, *, field: str | None = None,
               codes: set[str] | None = None,
               area: shapely.Geometry | None = None) -> gpd.GeoDataFrame:
    """Write a layer's features: all, those whose ``field`` is in ``codes``, or those whose
    interior point lies in ``area``."""
    frame = gpd.read_file(source, engine="pyogrio")
    if frame.crs is None:
        raise StpgeoError("the layer has no CRS", source=source,
                          fix="give the full data directory the catalogue describes")
    frame = frame.to_crs(27700)
    if field is not None and codes is not None:
        frame = frame[frame[field].isin(codes)]
    if area is not None:
        frame = frame[shapely.contains(area, frame.geometry.representative_point().values)]
    frame = frame.reset_index(drop=True)
    frame["geometry"] = shapely.set_precision(shapely.make_valid(frame.geometry.values),
                                              PRECISION_M)
    target.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(target, index=False, compression="zstd")
    return frame


def build_sample(source: str | Path, out: str | Path = SAMPLE_DIR) -> Path:
    """Cut the sample of Birmingham and its neighbours from a full data directory.

    Parameters
    ----------
    source
        A full data directory in the catalogue's layout (``../shared/boundaries``).
    out
        The folder to (re)write; default ``stpgeo/sample_data`` in the package. Its
        data files and manifest are replaced; its README is kept.

    Returns
    -------
    Path
        ``out``.
    """
    source, out = Path(source), Path(out)
    catalogue = load_catalogue()

    def src(section: str, key: str) -> Path:
        path = source / getattr(catalogue, section)[key]["file"]
        if not path.is_file():
            raise StpgeoError(f"{key} is missing from {source}", source=path,
                              fix="give the full data directory (--from), e.g. "
                              "../shared/boundaries")
        return path

    def dst(section: str, key: str) -> Path:
        return out / getattr(catalogue, section)[key]["file"]

    for child in [out / d for d in ("wards", "lsoa", "stp", "ccg", "constituencies", "lookups",
                                    "population", "deprivation", "gp_practices")]:
        shutil.rmtree(child, ignore_errors=True)
    in_area = set(DISTRICTS).__contains__
    lsoas = _column_values(src("lookups", "143"), "LSOA11CD", "LAD17CD", set(DISTRICTS))
    for key, column in _BY_DISTRICT.items():
        _cut_csv(src("lookups", key), dst("lookups", key), column, in_area)
    ccg17 = _column_values(src("lookups", "143"), "CCG17CD", "LAD17CD", set(DISTRICTS))
    for key in _BY_CCG17:
        _cut_csv(src("lookups", key), dst("lookups", key), "CCG17CD", ccg17.__contains__)
    for section, key, column in (("population", "lsoa11_mid2017", "lsoa11_code"),
                                 ("deprivation", "imd2015", "lsoa11_code"),
                                 ("deprivation", "imd2019", "lsoa_code")):
        _cut_csv(src(section, key), dst(section, key), column, lsoas.__contains__)
    practices = _cut_csv(src("practices", "gp_practices_2017_bbc"),
                         dst("practices", "gp_practices_2017_bbc"), "OrganisationCode",
                         lambda _code: True, group_by="Provider")
    _cut_csv(src("practices", "epraccur_2017"), dst("practices", "epraccur_2017"),
             "OrganisationCode", practices.__contains__)

    wards = _column_values(src("lookups", "032"), "WD16CD", "LAD16CD", set(DISTRICTS))
    stp17 = _column_values(src("lookups", "143"), "STP17CD", "LAD17CD", set(DISTRICTS))
    ccg21 = _column_values(src("lookups", "lsoa11_ccg21"), "CCG21CD", "LAD21CD",
                           set(DISTRICTS))
    def layer(key: str, **which: Any) -> gpd.GeoDataFrame:
        return _cut_layer(src("layers", key), out / LAYER_FILES[key], **which)

    blocks = layer("lsoa_2011", field="LSOA11CD", codes=lsoas)
    layer("wards_dec2013", field="WD13CD", codes=wards)
    layer("birmingham_wards_2018")
    layer("birmingham_solihull_wards_2018")
    layer("stp_feb2017", field="stp17cd", codes=stp17)
    layer("ccg_apr2021", field="CCG21CD", codes=ccg21)
    layer("constituencies_west_midlands_2013", area=shapely.union_all(blocks.geometry.values))
    _write_manifest(out)
    return out


def _write_manifest(out: Path) -> None:
    lines = ["# The bundled sample's own file names (its boundaries are GeoParquet), by catalogue",
             "# key; every other file is named as boundaries/catalogue.toml says.",
             "# Written by `python -m stpgeo.sample --from DIR`.", "",
             'description = "Birmingham, Solihull and the Black Country (bundled sample)"',
             f"districts = [{', '.join(repr(c).replace(chr(39), chr(34)) for c in DISTRICTS)}]",
             "", "[layers]"]
    lines += [f'{key} = "{file}"' for key, file in LAYER_FILES.items()]
    (out / MANIFEST).write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """``python -m stpgeo.sample --from DIR [--out DIR]``."""
    parser = argparse.ArgumentParser(prog="python -m stpgeo.sample", description=__doc__
                                     .split("\n\n")[0])
    parser.add_argument("--from", dest="source", required=True, type=Path,
                        help="the full data directory, e.g. ../shared/boundaries")
    parser.add_argument("--out", type=Path, default=SAMPLE_DIR,
                        help="the sample folder to write [default: stpgeo/sample_data]")
    args = parser.parse_args(argv)
    try:
        out = build_sample(args.source, args.out)
    except StpgeoError as error:
        print(f"stpgeo.sample: error: {error}", file=sys.stderr)
        return 2
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"sample written to {out} ({size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
