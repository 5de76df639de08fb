"""Checking and repairing geometries, with a log of everything done.

Nothing is dropped silently: invalid polygons are repaired with
:func:`shapely.make_valid` (keeping only their polygonal parts), null and empty
geometries are kept but flagged, and duplicate codes are reported. Each action is
one row of the repair log, which travels with the layer into the reports.

Examples
--------
>>> import geopandas as gpd, shapely
>>> bowtie = shapely.Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
>>> frame = gpd.GeoDataFrame({"code": ["E05000001"]}, geometry=[bowtie], crs=27700)
>>> repaired, log = repair_geometries(frame)
>>> log[["code", "action"]].to_dict("records")
[{'code': 'E05000001', 'action': 'repaired with make_valid'}]
>>> round(float(repaired.area.iloc[0]), 6)
2.0
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from stpgeo.geometry.threads import in_threads

REPAIR_COLUMNS = ["code", "problem", "action", "area_before_m2", "area_after_m2"]

_POLYGONAL = (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)


def empty_repair_log() -> pd.DataFrame:
    """A repair log with no rows."""
    return pd.DataFrame({c: pd.Series(dtype="float64" if "area" in c else "object")
                         for c in REPAIR_COLUMNS})


def polygonal_part(geometry: shapely.Geometry) -> shapely.Geometry:
    """The polygons in a geometry (a collection from make_valid may hold lines too)."""
    if shapely.get_type_id(geometry) in _POLYGONAL:
        return geometry
    parts = shapely.get_parts(geometry)
    polygons = [p for p in parts if shapely.get_type_id(p) in _POLYGONAL]
    if not polygons:
        return shapely.MultiPolygon()
    return shapely.union_all(polygons) if len(polygons) > 1 else polygons[0]


def _labels(frame: pd.DataFrame, code_column: str) -> np.ndarray:
    """What identifies each feature in the log: its code, else its name, else its row."""
    if code_column not in frame:
        return frame.index.astype(str).to_numpy()
    labels = frame[code_column].astype("object")
    if labels.isna().any():
        fallback = (("(no code) " + frame["name"].astype(str)) if "name" in frame
                    else pd.Series(frame.index.astype(str), index=frame.index))
        labels = labels.where(labels.notna(), fallback)
    return labels.to_numpy()


def _drop_empty_parts(raw: np.ndarray, present: np.ndarray, codes: np.ndarray
                      ) -> list[dict[str, object]]:
    """Remove the empty parts of multipolygons (in place); one log row per feature."""
    multi = np.flatnonzero(present & (shapely.get_type_id(raw) == 6))
    if not len(multi):
        return []
    parts, owner = shapely.get_parts(raw[multi], return_index=True)
    hollow = shapely.is_empty(parts)
    rows: list[dict[str, object]] = []
    for position in np.unique(owner[hollow]):
        index = multi[position]
        kept = parts[(owner == position) & ~hollow]
        raw[index] = shapely.MultiPolygon(list(kept)) if len(kept) else shapely.MultiPolygon()
        n = int(((owner == position) & hollow).sum())
        area = float(shapely.area(raw[index]))
        rows.append({"code": codes[index], "problem": f"{n} empty part{'s' * (n > 1)}",
                     "action": "removed the empty parts", "area_before_m2": area,
                     "area_after_m2": area})
    return rows


def repair_geometries(frame: gpd.GeoDataFrame, *, code_column: str = "code"
                      ) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Repair invalid geometries and log invalid, null and empty ones.

    Parameters
    ----------
    frame
        Layer in a projected CRS (areas in the log are in its units).
    code_column
        Column identifying features in the log.

    Returns
    -------
    repaired, log
        The layer with invalid geometries replaced by their valid polygonal part
        (same rows, same order) and the repair log (columns ``code``, ``problem``,
        ``action``, ``area_before_m2``, ``area_after_m2``).
    """
    geometry = frame.geometry.values.copy()
    codes = _labels(frame, code_column)
    rows: list[dict[str, object]] = []

    missing = shapely.is_missing(np.asarray(geometry))
    empty = ~missing & shapely.is_empty(np.asarray(geometry))
    for index in np.flatnonzero(missing):
        rows.append({"code": codes[index], "problem": "no geometry",
                     "action": "kept without geometry; left out of overlays",
                     "area_before_m2": np.nan, "area_after_m2": np.nan})
    for index in np.flatnonzero(empty):
        rows.append({"code": codes[index], "problem": "empty geometry",
                     "action": "kept without geometry; left out of overlays",
                     "area_before_m2": 0.0, "area_after_m2": 0.0})

    present = ~missing & ~empty
    raw = np.asarray(geometry)
    rows += _drop_empty_parts(raw, present, codes)
    invalid = present & ~in_threads(shapely.is_valid, raw)
    if invalid.any():
        reasons = shapely.is_valid_reason(raw[invalid])
        fixed = np.array([polygonal_part(g) for g in shapely.make_valid(raw[invalid])],
                         dtype=object)
        before = shapely.area(raw[invalid])
        after = shapely.area(fixed)
        raw[invalid] = fixed
        for index, reason, a0, a1, nothing in zip(np.flatnonzero(invalid), reasons, before,
                                                  after, shapely.is_empty(fixed), strict=True):
            rows.append({"code": codes[index], "problem": f"invalid: {reason}",
                         "action": "repaired with make_valid" + (
                             ": nothing is left (it enclosed no area); kept without "
                             "geometry; left out of overlays" if nothing else ""),
                         "area_before_m2": float(a0), "area_after_m2": float(a1)})

    kinds = shapely.get_type_id(raw[present])
    not_polygonal = ~np.isin(kinds, [int(k) for k in _POLYGONAL])
    for index in np.flatnonzero(present)[not_polygonal]:
        rows.append({"code": codes[index],
                     "problem": f"not a polygon ({raw[index].geom_type})",
                     "action": "kept; left out of overlays",
                     "area_before_m2": 0.0, "area_after_m2": 0.0})

    repaired = frame.copy()
    repaired[repaired.geometry.name] = gpd.GeoSeries(raw, index=frame.index, crs=frame.crs)
    log = pd.DataFrame(rows, columns=REPAIR_COLUMNS) if rows else empty_repair_log()
    return repaired, log


def duplicate_codes(frame: pd.DataFrame, code_column: str = "code") -> pd.DataFrame:
    """Log rows for codes that appear more than once (one row per repeated code)."""
    counts = frame[code_column].value_counts()
    repeated = counts[counts > 1]
    return pd.DataFrame(
        {"code": repeated.index.astype(object),
         "problem": [f"duplicate code ({n} features)" for n in repeated],
         "action": "kept all features; analyses refuse duplicate codes",
         "area_before_m2": np.nan, "area_after_m2": np.nan},
        columns=REPAIR_COLUMNS,
    )
