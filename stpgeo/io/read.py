"""Reading a boundary layer from any OGR format, checked and repaired.

:func:`read_layer` opens GeoJSON, shapefiles (``.shp``, a folder holding one, or
a ``.zip``), GeoPackages, GeoParquet and any other format GDAL reads; finds the
code and name fields; recognises the kind of area and its vintage; checks the CRS
and moves the layer to British National Grid; repairs invalid geometries; and
logs all of it in the returned :class:`~stpgeo.io.layer.Layer`.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import fiona
import geopandas as gpd
import pandas as pd
import pyogrio
from pyproj import CRS

from stpgeo._types import PathLike
from stpgeo.errors import StpgeoError, option_hint, preview
from stpgeo.geometry import crs as crs_module
from stpgeo.geometry.repair import duplicate_codes, repair_geometries
from stpgeo.io.catalogue import load_catalogue
from stpgeo.io.layer import Layer
from stpgeo.io.lookups import read_lookup
from stpgeo.io.sniff import describe_unreadable
from stpgeo.io.vintages import match_vintages
from stpgeo.ons.codes import FIELD_KINDS, KIND_TITLES, field_kind, kinds_of_codes, parse_ons_field
from stpgeo.ons.fields import find_code_field, find_name_field, resolve_field
from stpgeo.ons.names import match_names
from stpgeo.progress import step

_SINGLE_LAYER_DRIVERS = {".geojson": "GeoJSON", ".json": "GeoJSON", ".shp": "ESRI Shapefile",
                         ".fgb": "FlatGeobuf"}
#: Kinds whose codes change between vintages (LSOAs and MSOAs are fixed at 2011).
_CHURNING_KINDS = {"ward", "council", "ccg", "stp"}
_PARQUET = {".parquet", ".geoparquet"}
_NOT_GEODATA = {".csv", ".txt", ".pdf", ".xlsx", ".xls", ".doc", ".docx", ".html", ".png"}


def _locate(path: Path) -> Path:
    """The file to open: the path itself, or the one shapefile inside a folder."""
    if not path.exists():
        raise StpgeoError("the file does not exist", source=path,
                          fix="check the path and the file name")
    if path.is_dir():
        shapefiles = sorted(path.glob("*.shp"))
        if len(shapefiles) == 1:
            return shapefiles[0]
        if not shapefiles:
            raise StpgeoError("the folder holds no shapefile (.shp)", source=path,
                              fix="give the boundary file itself")
        raise StpgeoError(
            f"the folder holds several shapefiles: {preview(p.name for p in shapefiles)}",
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


def _choose_layer(path: Path, layer: str | int | None, role: str | None
                  ) -> tuple[str | int | None, str | None]:
    """The layer to read (refusing to guess between several) and the driver name."""
    suffix = path.suffix.lower()
    if suffix in _SINGLE_LAYER_DRIVERS and layer is None:
        return None, _SINGLE_LAYER_DRIVERS[suffix]
    opened = f"zip://{path}" if suffix == ".zip" else str(path)
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


def _read_frame(path: Path, layer: str | int | None, role: str | None
                ) -> tuple[gpd.GeoDataFrame, str | None]:
    if path.suffix.lower() in _PARQUET:
        try:
            return gpd.read_parquet(path), "GeoParquet"
        except (ValueError, OSError) as error:
            raise StpgeoError(f"the file cannot be read as GeoParquet ({error})", source=path,
                              fix="give a GeoParquet file written by geopandas or GDAL") from None
    chosen, driver = _choose_layer(path, layer, role)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's chatter on odd files
            frame = pyogrio.read_dataframe(path, layer=chosen, use_arrow=True)
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
    return frame, driver


def _apply_crs(frame: gpd.GeoDataFrame, crs: str | int | CRS | None, source: str,
               found: list[str]) -> tuple[gpd.GeoDataFrame, str | None]:
    """Set the CRS given for a file with none, or override a wrong one (with a warning)."""
    if crs is None:
        return frame, frame.crs.to_string() if frame.crs is not None else None
    try:
        wanted = CRS.from_user_input(crs)
    except Exception as error:  # pyproj raises CRSError, a bare Exception subclass
        raise StpgeoError(f"{crs!r} is not a CRS stpgeo recognises ({error})", source=source,
                          fix="give an EPSG code such as EPSG:27700 or EPSG:4326") from None
    if frame.crs is not None and not frame.crs.equals(wanted):
        found.append(f"the file says its CRS is {frame.crs.to_string()}; "
                     f"it was overridden with {wanted.to_string()} as asked")
    return frame.set_crs(wanted, allow_override=True), wanted.to_string()


def _codes_from_names(frame: gpd.GeoDataFrame, name_field: str, names_lookup: PathLike | None,
                      data: PathLike | None, source: str
                      ) -> tuple[pd.Series, str, list[str], str]:
    """Codes joined from names: ``(codes, lookup code column, unmatched names, lookup file)``."""
    if names_lookup is not None:
        candidates = [Path(names_lookup)]
    else:
        catalogue = load_catalogue()
        candidates = []
        for key in catalogue.name_lookups():
            try:
                candidates.append(catalogue.path("lookups", key, data))
            except StpgeoError:
                continue
    best: tuple[pd.Series, str, list[str], str] | None = None
    best_score = (0, 0)
    for lookup_path in candidates:
        table = read_lookup(lookup_path, role="names lookup")
        for column in table.columns:
            parsed = parse_ons_field(column)
            if parsed is None or parsed.part != "CD":
                continue
            partner = f"{parsed.geography}{str(parsed.vintage)[2:]}NM"
            names = [c for c in table.columns if c.upper() == partner]
            if not names:
                continue
            codes, unmatched = match_names(frame[name_field], table, code_column=column,
                                           name_column=names[0])
            # most names matched wins; on a tie, the plainest names-and-codes list
            score = (int(codes.notna().sum()), -len(table.columns))
            if best is None or score > best_score:
                best, best_score = (codes, column, unmatched, str(lookup_path)), score
    if best is None or best[0].notna().sum() == 0:
        raise StpgeoError(
            f"the layer has names ({name_field!r}) but no GSS codes, and no names lookup "
            "matched them",
            source=source,
            fix="give an ONS names-and-codes lookup with names_lookup=... "
            "(command line: --names-lookup CSV), e.g. lookups/270 for the CCGs of 2017")
    return best


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
        A GeoJSON, shapefile (``.shp``, a folder holding one, or a ``.zip``),
        GeoPackage, GeoParquet or any other file GDAL reads.
    kind
        The kind of area expected (``"ward"``, ``"ccg"``, ``"stp"``, ``"council"``,
        ``"lsoa"``); the layer is refused when its codes are of another kind.
    code_field, name_field
        The fields holding codes and names, when the guess is wrong or unsure.
    crs
        The CRS of a file that has none (e.g. ``"EPSG:27700"``), or the right CRS for
        a file that states a wrong one.
    layer
        The layer of a file holding several (GeoPackage, zip of shapefiles).
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
        of the wrong kind, or a layer with no polygons.

    Examples
    --------
    >>> wards = read_layer(data_dir() / "wards/wards_dec2013_england.geojson")  # doctest: +SKIP
    >>> wards.kind, wards.vintage, wards.code_field  # doctest: +SKIP
    ('ward', 2013, 'WD13CD')
    """
    path = _locate(Path(path))
    source = str(path)
    found: list[str] = []
    with step(f"reading {path.name}"):
        frame, driver = _read_frame(path, layer, role)
    if len(frame) == 0:
        raise StpgeoError("the layer has no features", source=source,
                          fix="check you exported the right layer, with its features")
    present = frame.geometry[frame.geometry.notna() & ~frame.geometry.is_empty]
    if present.empty:
        raise StpgeoError(
            f"none of the layer's {len(frame):,} features has a geometry", source=source,
            fix="export the layer again with its shapes (not only its attribute table)")
    if not present.geom_type.isin(["Polygon", "MultiPolygon"]).any():
        found_types = ", ".join(sorted(present.geom_type.unique()))
        raise StpgeoError(
            f"the layer holds {found_types} geometries, not polygons; stpgeo needs boundaries",
            source=source, fix="give the boundary (polygon) version of this layer")

    code_field = (resolve_field(frame, code_field, source=source, role="code")
                  if code_field else find_code_field(frame, source=source))
    name_field = (resolve_field(frame, name_field, source=source, role="name")
                  if name_field else find_name_field(frame, code_field, source=source))
    unmatched: list[str] = []
    vintage_field = code_field
    if code_field is None:
        if name_field is None:
            raise StpgeoError(
                f"no field holds GSS codes or names; the fields are: "
                f"{preview([c for c in frame.columns if c != 'geometry'], 30)}",
                source=source,
                fix="name the fields with code_field=... and name_field=... "
                "(command line: --code-field, --name-field)")
        codes, vintage_field, unmatched, lookup_file = _codes_from_names(
            frame, name_field, names_lookup, data, source)
        joined = (f"codes joined from names ({name_field!r}) with {Path(lookup_file).name} "
                  f"({vintage_field}): {int(codes.notna().sum())} of {len(frame)} matched")
        if unmatched:
            found.append(f"{len(unmatched)} names matched no code: {preview(unmatched)}")
    else:
        codes = frame[code_field].astype("string").str.strip().astype(object)
    names = frame[name_field].astype(object) if name_field else codes

    frame, source_crs = _apply_crs(frame, crs, source, found)
    frame = crs_module.to_measuring_crs(frame, source=source, role=role)

    others = [c for c in frame.columns if c not in (code_field, name_field, "geometry")]
    tidy = gpd.GeoDataFrame(
        {"code": codes.to_numpy(), "name": names.to_numpy(),
         **{(f"{c}_src" if c in ("code", "name") else c): frame[c].to_numpy() for c in others}},
        geometry=frame.geometry.values, crs=frame.crs)

    kinds = kinds_of_codes(tidy["code"].dropna())
    code_kind = kinds.index[0] if len(kinds) and kinds.index[0] != "unknown" else None
    if len(kinds[kinds.index != "unknown"]) > 1:
        found.append("codes of several kinds: "
                     + ", ".join(f"{n:,} {k}" for k, n in kinds.items()))
    named_kind = field_kind(vintage_field) if vintage_field else None
    detected = code_kind or named_kind
    if code_kind and named_kind and code_kind != named_kind and kind != code_kind:
        raise StpgeoError(
            f"the field {vintage_field!r} is named for {KIND_TITLES.get(named_kind, named_kind)} "
            f"areas but holds {KIND_TITLES.get(code_kind, code_kind)} codes "
            f"(e.g. {tidy['code'].dropna().iloc[0]})", source=source,
            fix=f"check this is the file you meant; if the codes are right, rename the field "
            f"to match them (Python: read_layer(..., kind=\"{code_kind}\") accepts it)")
    if kind is not None:
        if kind not in set(FIELD_KINDS.values()):
            raise StpgeoError(f"unknown kind {kind!r}", source=source,
                              fix="use one of: ward, lsoa, council, ccg, stp")
        if detected is not None and detected != kind:
            raise StpgeoError(
                f"expected {kind} codes but the codes are {detected} codes "
                f"(e.g. {tidy['code'].dropna().iloc[0]})",
                source=source, fix=f"give a {kind} layer here")
        detected = kind
    parsed = parse_ons_field(vintage_field) if vintage_field else None
    vintage = parsed.vintage if parsed else None
    notes: list[str] = [joined] if code_field is None else []
    if detected in _CHURNING_KINDS:
        match = match_vintages(tidy["code"].dropna(), detected, data)
        if match is not None and match.best is not None:
            notes.append(f"{detected} codes matched against ONS code lists, {match.describe()}")
            if vintage is None:
                vintage = match.best
                notes.append(f"vintage {vintage} taken from the codes (the field name has none)")
            if match.mixed:
                found.append(
                    f"codes mix vintages: most match {match.best}, but "
                    + ", ".join(f"{n:,} are found only in {v}" for v, n in match.mixed.items()))

    with step(f"checking geometries of {path.name}"):
        tidy, log = repair_geometries(tidy)
    duplicates = duplicate_codes(tidy.dropna(subset=["code"]))
    missing_codes = tidy["code"].isna()
    if missing_codes.any():
        found.append(f"{int(missing_codes.sum())} features have no code")
    if len(duplicates):
        found.append(f"{len(duplicates)} codes appear more than once: "
                     f"{preview(duplicates['code'])}")
    log = pd.concat([log, duplicates], ignore_index=True) if len(duplicates) else log
    return Layer(
        gdf=tidy, source=source, kind=detected, vintage=vintage, notes=notes,
        code_field=code_field, name_field=name_field, source_crs=source_crs,
        repairs=log, warnings=found, unmatched_names=unmatched,
        layer_name=str(layer) if layer is not None else None, driver=driver)
