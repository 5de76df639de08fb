"""Checking a GeoDataFrame as a boundary layer: the checks behind every layer stpgeo reads.

:func:`layer_from_frame` is what :func:`stpgeo.read_layer` does once a file is read,
and what :func:`stpgeo.analyse` does with a GeoDataFrame it is given, so that both
are checked alike and refused with the same messages: it finds the code and name
fields (or joins codes to names), normalises the codes (stray spaces, lower case),
refuses features whose coordinates are not finite numbers (and drops a third, Z,
value, with a note), checks the CRS and moves
the layer to British National Grid, recognises the kind of area and its vintage,
repairs invalid geometries, and logs all of it in the returned
:class:`~stpgeo.io.layer.Layer`.

Examples
--------
>>> import geopandas as gpd, shapely
>>> frame = gpd.GeoDataFrame({"WD18CD": [" e05011111"], "WD18NM": ["Aston"]}, crs=27700,
...                          geometry=[shapely.box(400000, 280000, 401000, 281000)])
>>> layer = layer_from_frame(frame, source="my wards")
>>> layer.gdf["code"].tolist(), layer.kind, layer.vintage
(['E05011111'], 'ward', 2018)
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from stpgeo._types import PathLike
from stpgeo.errors import StpgeoError, preview
from stpgeo.geometry import crs as crs_module
from stpgeo.geometry.repair import REPAIR_COLUMNS, duplicate_codes, repair_geometries
from stpgeo.io.catalogue import load_catalogue
from stpgeo.io.layer import Layer
from stpgeo.io.lookups import read_lookup
from stpgeo.io.vintages import match_vintages
from stpgeo.ons.codes import (
    FIELD_KINDS,
    KIND_TITLES,
    field_kind,
    kinds_of_codes,
    normalise_codes,
    parse_ons_field,
)
from stpgeo.ons.fields import find_code_field, find_name_field, resolve_field
from stpgeo.ons.names import match_names
from stpgeo.progress import step

#: Kinds whose codes change between vintages (LSOAs and MSOAs are fixed at 2011).
_CHURNING_KINDS = {"ward", "council", "ccg", "stp"}
_GEOMETRY_FIX = ("correct the coordinates of these features (in QGIS: Vector > Geometry Tools "
                 "> Check Validity shows them), or set their geometry to null to keep them "
                 "without a shape")


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


def _fields(frame: gpd.GeoDataFrame, code_field: str | None, name_field: str | None,
            source: str) -> tuple[str | None, str | None]:
    """The code and name fields: as given (checked), else found by their contents.

    A GeoDataFrame's own ``code`` column is its code field even when it holds no GSS
    codes (a layer of any areas).
    """
    if code_field:
        code_field = resolve_field(frame, code_field, source=source, role="code")
    else:
        code_field = find_code_field(frame, source=source)
        if code_field is None and "code" in frame.columns and frame["code"].notna().any():
            code_field = "code"
    if name_field:
        name_field = resolve_field(frame, name_field, source=source, role="name")
    else:
        name_field = find_name_field(frame, code_field, source=source)
    if code_field is None and name_field is None:
        raise StpgeoError(
            f"no field holds GSS codes or names; the fields are: "
            f"{preview([c for c in frame.columns if c != frame.geometry.name], 30)}",
            source=source,
            fix="name the fields with code_field=... and name_field=... "
            "(command line: --code-field, --name-field)")
    return code_field, name_field


def _labels(frame: gpd.GeoDataFrame, field: str | None) -> np.ndarray:
    """Each feature as messages name it: its code (or name), else its row number."""
    rows = pd.Series([f"row {i + 1}" for i in range(len(frame))], dtype=object)
    if field is None:
        return rows.to_numpy()
    values = normalise_codes(frame[field])[0].reset_index(drop=True)
    return values.where(values.notna(), rows).astype(str).to_numpy()


def _refuse_malformed(malformed: pd.DataFrame, labels: np.ndarray, source: str) -> None:
    refused = malformed[malformed["refused"]]
    if refused.empty:
        return
    what = [f"{labels[row]} ({problem.removeprefix('malformed: ')})"
            for row, problem in zip(refused["row"], refused["problem"], strict=True)]
    raise StpgeoError(
        f"{len(refused)} feature{'s have' if len(refused) > 1 else ' has'} a geometry that "
        f"cannot be read or repaired: {preview(what, 5)}", source=source, fix=_GEOMETRY_FIX)


#: No CRS has coordinates this large (the Earth is 4e7 metres round).
_TOO_LARGE = 1e8


def _refuse_non_finite(frame: gpd.GeoDataFrame, labels: np.ndarray, source: str) -> None:
    """Refuse coordinates that are NaN, infinite or too large for any CRS (before the CRS
    check, whose bounds they would spoil)."""
    geometry = np.asarray(frame.geometry.values)
    with np.errstate(all="ignore"):
        area = shapely.area(geometry)  # NaN or infinite with any such coordinate
        extent = np.nanmax(np.abs(shapely.bounds(geometry)), axis=1, initial=0.0)
    bad = np.flatnonzero(~shapely.is_missing(geometry)
                         & (~np.isfinite(area) | ~(extent < _TOO_LARGE)))
    if not len(bad):
        return
    what = []
    for row in bad[:5]:
        xy = shapely.get_coordinates(geometry[row])
        odd = xy[~(np.abs(xy) < _TOO_LARGE).all(axis=1)]
        point = odd[0] if len(odd) else xy[0]
        what.append(f"{labels[row]} (e.g. {point[0]:.6g}, {point[1]:.6g})")
    raise StpgeoError(
        f"{len(bad)} feature{'s have' if len(bad) > 1 else ' has'} coordinates that are not "
        f"finite numbers (NaN or infinite) or too large for any CRS: {preview(what, 5)}"
        + (f" (and {len(bad) - 5} more)" if len(bad) > 5 else ""),
        source=source, fix=_GEOMETRY_FIX)


def _drop_z(frame: gpd.GeoDataFrame, labels: np.ndarray) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The layer without a third (Z) value in its coordinates, and a note naming the
    features that had one (a safe repair: stpgeo measures in two dimensions)."""
    geometry = np.asarray(frame.geometry.values)
    raised = np.flatnonzero(shapely.has_z(geometry))
    if not len(raised):
        return frame, []
    flat = frame.copy()
    flat[frame.geometry.name] = gpd.GeoSeries(shapely.force_2d(geometry), index=frame.index,
                                              crs=frame.crs)
    what = f"{len(raised):,} features" if len(raised) > 1 else "1 feature"
    return flat, [f"{what} had a third (Z) value in the coordinates, dropped (areas are "
                  f"measured in two dimensions): {preview(labels[raised], 5)}"]


def _check_geometries(frame: gpd.GeoDataFrame, source: str) -> None:
    """Refuse a layer with no geometries, or with no polygons among them."""
    geometry = np.asarray(frame.geometry.values)
    present = geometry[~shapely.is_missing(geometry) & ~shapely.is_empty(geometry)]
    if not len(present):
        raise StpgeoError(
            f"none of the layer's {len(frame):,} features has a geometry", source=source,
            fix="export the layer again with its shapes (not only its attribute table)")
    types = pd.Series(shapely.get_type_id(present))
    if not types.isin([3, 6]).any():
        found_types = ", ".join(sorted({g.geom_type for g in present}))
        raise StpgeoError(
            f"the layer holds {found_types} geometries, not polygons; stpgeo needs boundaries",
            source=source, fix="give the boundary (polygon) version of this layer")


def _read_log(malformed: pd.DataFrame, labels: np.ndarray, tidy: gpd.GeoDataFrame
              ) -> list[dict[str, object]]:
    """Repair-log rows for the geometries rebuilt while reading, with their areas now."""
    rows = malformed[~malformed["refused"]]
    after = tidy.geometry.iloc[rows["row"].to_numpy()].area.fillna(0.0).to_numpy()
    return [{"code": labels[row], "problem": problem, "action": action,
             "area_before_m2": np.nan, "area_after_m2": float(area)}
            for row, problem, action, area in zip(rows["row"], rows["problem"],
                                                  rows["action"], after, strict=True)]


def layer_from_frame(
    frame: gpd.GeoDataFrame,
    *,
    source: str,
    role: str | None = None,
    kind: str | None = None,
    code_field: str | None = None,
    name_field: str | None = None,
    crs: str | int | CRS | None = None,
    names_lookup: PathLike | None = None,
    data: PathLike | None = None,
    malformed: pd.DataFrame | None = None,
) -> Layer:
    """Check a GeoDataFrame as stpgeo checks a boundary file, and return it as a Layer.

    Parameters
    ----------
    frame
        The features, in any CRS stpgeo recognises, with any field names.
    source
        Where the features came from (a file name, ``"wards (GeoDataFrame)"``), for
        messages and for the layer.
    role
        What the layer is for in a command (``"wards"``): messages then name that
        role's options (``--wards-crs``, ``wards_crs=``).
    kind, code_field, name_field, crs, names_lookup, data
        As for :func:`stpgeo.read_layer`.
    malformed
        Geometries a reader found malformed (``row``, ``problem``, ``action``,
        ``refused``; see :mod:`stpgeo.io.malformed`): refused ones refuse the layer,
        the others go into the repair log.

    Returns
    -------
    Layer
        ``layer.gdf`` has columns ``code``, ``name``, the other fields and ``geometry``,
        in EPSG:27700; ``layer.repairs`` logs every repair.

    Raises
    ------
    StpgeoError
        For a layer with no features or no polygons, unsure code or name fields,
        coordinates that are not finite numbers, a missing CRS, coordinates that
        contradict the CRS, or codes of the wrong kind.
    """
    found: list[str] = []
    if not isinstance(frame, gpd.GeoDataFrame) or frame.active_geometry_name not in frame:
        raise StpgeoError(
            "the table has no geometry column: it is not a boundary layer", source=source,
            fix="give a GeoDataFrame with its polygons (geopandas: .set_geometry(column)), "
            "or the boundary file itself")
    if not all(isinstance(c, str) for c in frame.columns):
        frame = frame.rename(columns=str)
    if len(frame) == 0:
        raise StpgeoError("the layer has no features", source=source,
                          fix="check you exported the right layer, with its features")
    code_field, name_field = _fields(frame, code_field, name_field, source)
    labels = _labels(frame, code_field or name_field)
    if malformed is not None:
        _refuse_malformed(malformed, labels, source)
    _check_geometries(frame, source)
    _refuse_non_finite(frame, labels, source)
    frame, notes = _drop_z(frame, labels)

    unmatched: list[str] = []
    vintage_field = code_field
    if code_field is None:
        assert name_field is not None
        codes, vintage_field, unmatched, lookup_file = _codes_from_names(
            frame, name_field, names_lookup, data, source)
        notes.append(f"codes joined from names ({name_field!r}) with {Path(lookup_file).name} "
                     f"({vintage_field}): {int(codes.notna().sum())} of {len(frame)} matched")
        if unmatched:
            found.append(f"{len(unmatched)} names matched no code: {preview(unmatched)}")
    else:
        codes, changed = normalise_codes(frame[code_field])
        if changed:
            before = frame[code_field].astype("string")
            at = int(np.flatnonzero((before != codes.astype("string")).fillna(False))[0])
            notes.append(f"{changed:,} codes normalised (stray spaces removed, GSS codes in "
                         f"upper case), e.g. {before.iloc[at]!r} → {codes.iloc[at]!r}")
    names = frame[name_field].astype(object) if name_field else codes

    frame, source_crs = _apply_crs(frame, crs, source, found)
    frame = crs_module.to_measuring_crs(frame, source=source, role=role)

    geometry_name = frame.geometry.name
    others = [c for c in frame.columns if c not in (code_field, name_field, geometry_name)]
    tidy = gpd.GeoDataFrame(
        {"code": codes.to_numpy(), "name": names.to_numpy(),
         **{(f"{c}_src" if c in ("code", "name", "geometry") else c): frame[c].to_numpy()
            for c in others}},
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

    with step(f"checking geometries of {source.rsplit('/', 1)[-1]}"):
        tidy, log = repair_geometries(tidy)
    if malformed is not None and (~malformed["refused"]).any():
        log = pd.DataFrame(_read_log(malformed, labels, tidy) + log.to_dict("records"),
                           columns=REPAIR_COLUMNS)
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
        repairs=log, warnings=found, unmatched_names=unmatched)

