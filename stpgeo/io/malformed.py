"""Features whose geometry GDAL or GEOS cannot read as the file has it.

Two things go wrong below stpgeo, and each is caught where it happens:

- GEOS refuses the WKB GDAL hands over for a ring that does not close or has one or
  two points, and the whole read fails. :func:`read_leniently` then reads the layer
  again with those geometries left out, takes their WKB from GDAL, and rebuilds them
  (:func:`stpgeo.geometry.wkb.rebuild_polygon`).
- GDAL's GeoJSON reader silently gives no geometry to a feature with a coordinate
  that is not a number (``"abc"``, ``null``, ``NaN``, ``Infinity``) or a position of
  one number. :func:`unread_geojson` finds such features by reading the file with
  Python's json module, and says which coordinate is wrong.

Both return a table with one row per feature (``row`` is its position in the
layer): ``problem``, ``action`` and ``refused`` (True when the shape is lost and the
layer must be refused).

Examples
--------
>>> bad_coordinate({"type": "Polygon", "coordinates": [[[0, 0], [1, "abc"], [1, 1], [0, 0]]]})
"a coordinate is not a number: 'abc'"
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.raw
import shapely

from stpgeo.geometry.wkb import rebuild_polygon

MALFORMED_COLUMNS = ["row", "problem", "action", "refused"]


def no_malformed() -> pd.DataFrame:
    """A table of malformed features with no rows."""
    return pd.DataFrame({"row": pd.Series(dtype="int64"), "problem": pd.Series(dtype=object),
                         "action": pd.Series(dtype=object), "refused": pd.Series(dtype=bool)})


def _table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=MALFORMED_COLUMNS) if rows else no_malformed()


def _geos_reason(wkb: bytes) -> str:
    """GEOS's own words for why it refuses a WKB geometry."""
    try:
        shapely.from_wkb(wkb)
    except shapely.errors.GEOSException as error:
        return str(error).split(": ", 1)[-1]
    return "GEOS could not read it"


def read_leniently(opened: str | Path, layer: str | int | None
                   ) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Read a layer whose WKB GEOS refuses, rebuilding the geometries it refused.

    Returns
    -------
    frame, malformed
        The layer, with each refused geometry rebuilt (None when nothing could be), and
        one row per refused geometry saying what was done.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        frame = pyogrio.read_dataframe(opened, layer=layer, use_arrow=True, on_invalid="ignore")
        _, _, wkb, _ = pyogrio.raw.read(opened, layer=layer, columns=[])
    geometry = np.asarray(frame.geometry.values, dtype=object).copy()
    rows: list[dict[str, Any]] = []
    for row in np.flatnonzero(shapely.is_missing(geometry)):
        if wkb[row] is None:
            continue
        reason = _geos_reason(wkb[row])
        try:
            rebuilt, done = rebuild_polygon(wkb[row])
        except ValueError as error:
            rows.append({"row": int(row), "problem": f"malformed: {reason}",
                         "action": f"refused: cannot be rebuilt ({error})", "refused": True})
            continue
        geometry[row] = rebuilt  # None when nothing is left: logged again as "no geometry"
        rows.append({"row": int(row), "problem": f"malformed: {reason}",
                     "action": "; ".join(done), "refused": False})
    frame = frame.set_geometry(gpd.GeoSeries(geometry, index=frame.index, crs=frame.crs))
    return frame, _table(rows)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _bad_position(position: Any) -> str | None:
    if not isinstance(position, list):
        return f"a position is not a list of numbers: {position!r}"
    if len(position) < 2:
        return f"a position has {len(position)} number{'s' * (len(position) != 1)}, not 2 " \
            f"or 3: {position!r}"
    for value in position:
        if not _is_number(value):
            return f"a coordinate is not a number: {value!r}"
        if not math.isfinite(value):
            return f"a coordinate is not a finite number: {value!r}"
    return None


def bad_coordinate(geometry: Any) -> str | None:
    """What is wrong with a GeoJSON geometry's coordinates, or None when nothing is."""
    if not isinstance(geometry, dict):
        return f"the geometry is not an object: {str(geometry)[:40]!r}"
    if geometry.get("type") == "GeometryCollection":
        for part in geometry.get("geometries") or []:
            if (found := bad_coordinate(part)) is not None:
                return found
        return None
    stack = [geometry.get("coordinates")]
    if stack[0] is None:
        return f"the geometry ({geometry.get('type')!r}) has no coordinates"
    while stack:
        value = stack.pop()
        if isinstance(value, list) and value and isinstance(value[0], list):
            stack.extend(reversed(value))
        elif isinstance(value, list) and not value:
            continue
        elif (found := _bad_position(value)) is not None:
            return found
    return None


def unread_geojson(path: Path, frame: gpd.GeoDataFrame, *, known: pd.DataFrame
                   ) -> pd.DataFrame:
    """``known`` malformed features and those of a GeoJSON file whose geometry GDAL read
    as none.

    Only looked for when some features came back without geometry, other than those
    ``known`` already (rebuilt by :func:`read_leniently`); a ``null`` geometry in the
    file is no problem (it is kept and logged as such).
    """
    missing = np.flatnonzero(shapely.is_missing(np.asarray(frame.geometry.values)))
    missing = missing[~np.isin(missing, known["row"].to_numpy())]
    if not len(missing) or not path.is_file():
        return known
    try:
        document = json.loads(path.read_bytes())
    except (ValueError, RecursionError):
        return known
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list) or len(features) != len(frame):
        return known
    rows = known.to_dict("records")
    for row in missing:
        feature = features[row]
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if geometry is None:
            continue
        reason = bad_coordinate(geometry) or (
            f"GDAL cannot read its geometry (type {geometry.get('type')!r})")
        rows.append({"row": int(row), "problem": f"malformed: {reason}",
                     "action": "refused: the shape cannot be recovered", "refused": True})
    return _table(rows)
