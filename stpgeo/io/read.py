"""Reading a boundary layer from any OGR format, checked and repaired.

:func:`read_layer` opens GeoJSON, shapefiles (``.shp``, or a folder or ``.zip``
holding one anywhere inside), GeoPackages, GeoParquet and any other
format GDAL reads, rebuilding geometries GEOS refuses to parse (see
:mod:`stpgeo.io.malformed`). The features then go through
:func:`stpgeo.io.frame.layer_from_frame`, as a GeoDataFrame given to
:func:`stpgeo.analyse` does: it finds the code and name fields; recognises the kind
of area and its vintage; checks the CRS and moves the layer to British National
Grid; repairs invalid geometries; and logs all of it in the returned
:class:`~stpgeo.io.layer.Layer`.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import replace
from pathlib import Path

import fiona
import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from stpgeo._types import PathLike
from stpgeo.errors import StpgeoError, option_hint, preview
from stpgeo.io.archive import find_in_zip
from stpgeo.io.frame import layer_from_frame
from stpgeo.io.layer import Layer
from stpgeo.io.malformed import (
    no_malformed,
    read_leniently,
    read_parquet_leniently,
    unread_geojson,
)
from stpgeo.io.sniff import describe_unreadable
from stpgeo.progress import step

_SINGLE_LAYER_DRIVERS = {".geojson": "GeoJSON", ".json": "GeoJSON", ".shp": "ESRI Shapefile",
                         ".fgb": "FlatGeobuf"}
_PARQUET = {".parquet", ".geoparquet"}
#: Formats that are zip archives themselves (a zip under another name is opened as a zip).
_ZIPPED_FORMATS = {".kmz", ".xlsx", ".docx", ".ods", ".odt"}
_NOT_GEODATA = {".csv", ".txt", ".pdf", ".xlsx", ".xls", ".doc", ".docx", ".html", ".png"}


def _locate(path: Path) -> Path:
    """The file to open: the path itself, or the one shapefile in a folder (or, when it has
    none, in the folders inside it)."""
    if not path.exists():
        raise StpgeoError("the file does not exist", source=path,
                          fix="check the path and the file name")
    if path.is_dir():  # the shapefile in it, or else in one of its folders (an unzipped download)
        shapefiles = sorted(path.glob("*.shp")) or sorted(
            p for p in path.rglob("*.shp")
            if not any(part.startswith(".") or part == "__MACOSX"
                       for part in p.relative_to(path).parts))
        if len(shapefiles) == 1:
            return shapefiles[0]
        if not shapefiles:
            raise StpgeoError("the folder holds no shapefile (.shp)", source=path,
                              fix="give the boundary file itself")
        raise StpgeoError(
            "the folder holds several shapefiles: "
            f"{preview(str(p.relative_to(path)) for p in shapefiles)}",
            source=path, fix="give the .shp file you mean")
    if path.stat().st_size == 0:
        raise StpgeoError("the file is empty (0 bytes)", source=path,
                          fix="download or export the file again")
    if path.suffix.lower() == ".shp":
        missing = [ext for ext in (".shx", ".dbf")
                   if not any(path.with_suffix(e).exists() for e in (ext, ext.upper()))]
        if missing:
            raise StpgeoError(
                f"the shapefile is incomplete: {' and '.join(missing)} missing beside it",
                source=path,
                fix="copy all the shapefile's parts (.shp, .shx, .dbf, .prj) into one folder, "
                "or send it as a .zip")
    if path.suffix.lower() in _NOT_GEODATA:
        raise StpgeoError(
            f"a {path.suffix} file is not a boundary file", source=path,
            fix="give a GeoJSON, shapefile, GeoPackage or GeoParquet file of polygons"
            + ("; lookups and population tables go to their own options"
               if path.suffix.lower() == ".csv" else ""))
    return path


def _starts_as_zip(path: Path) -> bool:
    """True for a zip archive saved under another name (``download.geojson``)."""
    with path.open("rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


def _choose_layer(opened: str, suffix: str, path: Path, layer: str | int | None,
                  role: str | None) -> tuple[str | int | None, str | None]:
    """The layer to read (refusing to guess between several) and the driver name."""
    if suffix in _SINGLE_LAYER_DRIVERS and layer is None:
        return None, _SINGLE_LAYER_DRIVERS[suffix]
    try:
        layers = fiona.listlayers(opened)
        with fiona.open(opened, layer=layer if layer is not None else layers[0]) as source:
            driver = source.driver
    except (fiona.errors.FionaError, ValueError, IndexError) as error:
        if layer is not None and "layers" in locals() and layer not in layers:
            raise StpgeoError(
                f"there is no layer {layer!r}; the layers are: {preview(layers)}",
                source=path,
                fix=f"choose one of the layers listed: {option_hint('layer', 'NAME', role=role)}"
            ) from None
        raise StpgeoError(
            describe_unreadable(path, str(error)), source=path,
            fix="give a GeoJSON, shapefile, GeoPackage or GeoParquet file of polygons") from None
    if layer is None and len(layers) > 1:
        raise StpgeoError(
            f"the file holds {len(layers)} layers and none was chosen: {preview(layers, 30)}",
            source=path, fix=f"choose one with {option_hint('layer', 'NAME', role=role)}")
    return layer, driver


def _read_parquet(path: Path) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The features of a GeoParquet file and its malformed geometries."""
    try:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # shapely's, on NaN
                return gpd.read_parquet(path), no_malformed()
        except shapely.errors.GEOSException:  # a ring GEOS will not build
            return read_parquet_leniently(path)
    except (ValueError, OSError) as error:
        raise StpgeoError(f"the file cannot be read as GeoParquet ({error})", source=path,
                          fix="give a GeoParquet file written by geopandas or GDAL") from None


def _read_frame(path: Path, layer: str | int | None, role: str | None
                ) -> tuple[gpd.GeoDataFrame, str | None, str | int | None, pd.DataFrame]:
    """The features of a file: ``(frame, driver, layer read, malformed geometries)``.

    The layer read is the one asked for, or the boundary file chosen inside a zip
    archive (``folder/wards.shp``).
    """
    if path.suffix.lower() in _PARQUET:
        frame, malformed = _read_parquet(path)
        return frame, "GeoParquet", layer, malformed
    opened, suffix, name = str(path), path.suffix.lower(), layer
    if suffix == ".zip" or (suffix not in _ZIPPED_FORMATS and _starts_as_zip(path)):
        member, layer = find_in_zip(path, layer=layer, role=role)
        opened, suffix = member.opened, member.suffix
        name = member.member if layer is None else f"{member.member}:{layer}"
    chosen, driver = _choose_layer(opened, suffix, path, layer, role)
    malformed = no_malformed()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's chatter on odd files
            try:
                frame = pyogrio.read_dataframe(opened, layer=chosen, use_arrow=True)
            except shapely.errors.GEOSException:  # a ring GEOS will not build
                frame, malformed = read_leniently(opened, chosen)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError,
            pyogrio.errors.FieldError, pyogrio.errors.GeometryError, OSError) as error:
        raise StpgeoError(
            describe_unreadable(path, str(error)), source=path,
            fix="check the file is complete and is a boundary layer (GeoJSON, shapefile, "
            "GeoPackage); download or export it again") from None
    if not isinstance(frame, gpd.GeoDataFrame):
        raise StpgeoError(
            "the layer is a table without geometries", source=path,
            fix="give the boundary (polygon) layer itself"
            + ("; a .dbf holds only a shapefile's attributes: give the .shp beside it"
               if path.suffix.lower() == ".dbf" else ""))
    if driver == "GeoJSON" and opened == str(path):
        malformed = unread_geojson(path, frame, known=malformed)
    return frame, driver, name, malformed


def read_layer(
    path: PathLike,
    *,
    kind: str | None = None,
    code_field: str | None = None,
    name_field: str | None = None,
    crs: str | int | CRS | None = None,
    layer: str | int | None = None,
    names_lookup: PathLike | None = None,
    data: PathLike | None = None,
    role: str | None = None,
) -> Layer:
    """Read a boundary layer, check it, repair it and move it to British National Grid.

    Parameters
    ----------
    path
        A GeoJSON, shapefile (``.shp``, or a folder or ``.zip`` holding one in any of
        its folders), GeoPackage, GeoParquet or any other file GDAL reads.
    kind
        The kind of area expected (``"ward"``, ``"ccg"``, ``"stp"``, ``"council"``,
        ``"lsoa"``); the layer is refused when its codes are of another kind.
    code_field, name_field
        The fields holding codes and names, when the guess is wrong or unsure.
    crs
        The CRS of a file that has none (e.g. ``"EPSG:27700"``), or the right CRS for
        a file that states a wrong one.
    layer
        The layer of a file holding several (GeoPackage); in a zip archive holding
        several boundary files, the one to read (``wards_2018`` or
        ``2018/wards_2018.shp``).
    names_lookup
        For a file with names but no codes: an ONS names-and-codes CSV. By default the
        names lookups of the catalogue found in the data directory are tried.
    data
        The data directory (for the catalogue's names lookups).
    role
        What the layer is for in a command (``"wards"``, ``"footprints"``,
        ``"blocks"``): messages then name that role's options (``--wards-crs``,
        ``--wards-layer``) instead of ``--crs`` and ``--layer``.

    Returns
    -------
    Layer
        ``layer.gdf`` has columns ``code``, ``name``, the file's other fields and
        ``geometry``, in EPSG:27700; ``layer.repairs`` logs every repair.

    Raises
    ------
    StpgeoError
        For a missing or unreadable file, several layers and none chosen, a missing
        CRS, coordinates that contradict the CRS, unsure code or name fields, codes
        of the wrong kind, a layer with no polygons, or a feature whose geometry
        cannot be read or repaired (coordinates that are not numbers).

    Examples
    --------
    >>> wards = read_layer(data_dir() / "wards/wards_dec2013_england.geojson")  # doctest: +SKIP
    >>> wards.kind, wards.vintage, wards.code_field  # doctest: +SKIP
    ('ward', 2013, 'WD13CD')
    """
    if not isinstance(path, str | os.PathLike):
        raise StpgeoError(f"the layer given is a {type(path).__name__}, not a file", source=role,
                          fix="give a file (GeoJSON, shapefile, GeoPackage...), a GeoDataFrame "
                          "of polygons or a stpgeo Layer")
    path = _locate(Path(path))
    with step(f"reading {path.name}"):
        frame, driver, layer_name, malformed = _read_frame(path, layer, role)
    found = layer_from_frame(frame, source=str(path), role=role, kind=kind,
                             code_field=code_field, name_field=name_field, crs=crs,
                             names_lookup=names_lookup, data=data, malformed=malformed)
    return replace(found, layer_name=str(layer_name) if layer_name is not None else None,
                   driver=driver)
