"""Features whose geometry GDAL or GEOS cannot read as the file has it.

Three things go wrong below stpgeo, and each is caught where it happens:

- GEOS refuses the WKB GDAL hands over for a ring that does not close or has one or
  two points, and the whole read fails. :func:`read_leniently` then reads the layer
  again with those geometries left out, takes their WKB from GDAL, and rebuilds them
  (:func:`stpgeo.geometry.wkb.rebuild_polygon`). A ring whose first point is NaN
  never closes (NaN equals nothing) and comes here too: it is refused, saying which
  point. :func:`read_parquet_leniently` does the same for GeoParquet.
- GDAL's GeoJSON reader silently gives no geometry to a feature with a coordinate
  that is not a number (``"abc"``, ``null``) or a position of one number or none in
  its outer ring, and silently leaves out a hole holding one, so that the ward
  grows by the hole. :func:`unread_geojson` finds such features by reading the file
  with Python's json module, and says which coordinate is wrong; it reads the whole
  file only when a scan of its bytes (:func:`may_hold_bad_coordinates`, 0.1-0.4 s for
  England's LSOAs) finds a coordinates array that is not all numbers.

All return a table with one row per feature (``row`` is its position in the
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
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.raw
import shapely
from pyproj import CRS

from stpgeo.geometry.wkb import NotFiniteError, rebuild_polygon

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


def _rebuild_refused(geometry: np.ndarray, wkb: Sequence[bytes | None]) -> list[dict[str, Any]]:
    """Rebuild, in place, each missing geometry that has WKB GEOS refused; one row each."""
    rows: list[dict[str, Any]] = []
    for row in map(int, np.flatnonzero(shapely.is_missing(geometry))):
        refused = wkb[row]
        if refused is None:
            continue
        try:
            rebuilt, done = rebuild_polygon(refused)
        except NotFiniteError as error:  # NaN first: the ring never closes
            rows.append({"row": row, "problem": f"malformed: {error}",
                         "action": "refused: the shape cannot be recovered", "refused": True})
            continue
        except (ValueError, shapely.errors.GEOSException) as error:
            rows.append({"row": row, "problem": f"malformed: {_geos_reason(refused)}",
                         "action": f"refused: cannot be rebuilt ({error})", "refused": True})
            continue
        geometry[row] = rebuilt  # None when nothing is left: logged again as "no geometry"
        rows.append({"row": row, "problem": f"malformed: {_geos_reason(refused)}",
                     "action": "; ".join(done), "refused": False})
    return rows


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
    rows = _rebuild_refused(geometry, wkb)
    frame = frame.set_geometry(gpd.GeoSeries(geometry, index=frame.index, crs=frame.crs))
    return frame, _table(rows)


def _parquet_crs(column: dict[str, Any]) -> CRS | None:
    """A GeoParquet column's CRS: PROJJSON, or OGC:CRS84 when the metadata gives none."""
    if "crs" not in column:
        return CRS.from_user_input("OGC:CRS84")
    found = column["crs"]
    if found is None:
        return None
    return CRS.from_json_dict(found) if isinstance(found, dict) else CRS.from_user_input(found)


def read_parquet_leniently(path: Path) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Read a GeoParquet file whose WKB GEOS refuses, as :func:`read_leniently` does.

    Raises
    ------
    ValueError
        When the file is not GeoParquet with WKB geometries (no ``geo`` metadata).
    """
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    metadata = json.loads((table.schema.metadata or {}).get(b"geo", b"null"))
    if not isinstance(metadata, dict) or "primary_column" not in metadata:
        raise ValueError("no GeoParquet metadata")
    name = metadata["primary_column"]
    wkb = table.column(name).to_pylist()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # shapely's, on what it ignores
        geometry = np.asarray(shapely.from_wkb(wkb, on_invalid="ignore"), dtype=object)
    rows = _rebuild_refused(geometry, wkb)
    crs = _parquet_crs(metadata["columns"][name])
    frame = gpd.GeoDataFrame(table.drop_columns([name]).to_pandas(),
                             geometry=gpd.GeoSeries(geometry, crs=crs), crs=crs)
    return frame.rename_geometry(name) if name != "geometry" else frame, _table(rows)


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


#: How deep in a geometry's ``coordinates`` its positions are.
_POSITION_DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2,
                   "Polygon": 2, "MultiPolygon": 3}


def bad_coordinate(geometry: Any) -> str | None:
    """What is wrong with a GeoJSON geometry's coordinates, or None when nothing is.

    An empty ring or part is no problem (GDAL leaves it out: it encloses nothing); an
    empty position is.

    Examples
    --------
    >>> bad_coordinate({"type": "Polygon", "coordinates": [[[0, 0], [], [1, 1], [0, 0]]]})
    'a position has 0 numbers, not 2 or 3: []'
    >>> bad_coordinate({"type": "Polygon", "coordinates": [[], [[0, 0], [1, 0], [0, 0]]]})
    """
    if not isinstance(geometry, dict):
        return f"the geometry is not an object: {str(geometry)[:40]!r}"
    if geometry.get("type") == "GeometryCollection":
        for part in geometry.get("geometries") or []:
            if (found := bad_coordinate(part)) is not None:
                return found
        return None
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if coordinates is None:
        return f"the geometry ({kind!r}) has no coordinates"
    depth = _POSITION_DEPTH.get(str(kind))  # None: guess from the nesting
    stack: list[tuple[Any, int]] = [(coordinates, 0)]
    while stack:
        value, level = stack.pop()
        nested = isinstance(value, list) and level != depth and (
            depth is not None or not value or isinstance(value[0], list))
        if nested:
            stack.extend((item, level + 1) for item in reversed(value))
        elif (found := _bad_position(value)) is not None:
            return found
    return None


#: What a coordinates array of numbers is made of, besides brackets and commas.
_NUMBER_BYTES = b"0123456789.eE+- \t\r\n"
#: A ``"coordinates"`` key (its e's removed with the numbers) and the brackets after it.
_COORDINATES = re.compile(rb'"coordinats":([\[\],]*)')


def may_hold_bad_coordinates(data: bytes) -> bool:
    """Whether a GeoJSON text may have a coordinate that is not a number, or a position
    of fewer than two (a cheap scan of its bytes; True may be a false alarm).

    With the numbers taken out, each coordinates array must be brackets and commas
    that balance, with no ``[]`` (an empty or one-number position, or an empty ring).

    Examples
    --------
    >>> may_hold_bad_coordinates(b'{"coordinates": [[[0, 1.5e3], [2, -3]]]}')
    False
    >>> may_hold_bad_coordinates(b'{"coordinates": [[[0, 1], [NaN, 3]]]}')
    True
    >>> may_hold_bad_coordinates(b'{"coordinates": [[[0, 1], [2]]]}')
    True
    """
    for found in _COORDINATES.finditer(data.translate(None, _NUMBER_BYTES)):
        brackets = found.group(1)
        if brackets.count(b"[") != brackets.count(b"]") or b"[]" in brackets:
            return True
    return False


def _geojson_features(path: Path, count: int) -> list[Any] | None:
    """The features of a GeoJSON file by Python's json module (None: not as GDAL read it)."""
    try:
        document = json.loads(path.read_bytes())
    except (ValueError, RecursionError):
        return None
    features = document.get("features") if isinstance(document, dict) else None
    return features if isinstance(features, list) and len(features) == count else None


def unread_geojson(path: Path, frame: gpd.GeoDataFrame, *, known: pd.DataFrame
                   ) -> pd.DataFrame:
    """``known`` malformed features and those of a GeoJSON file that GDAL read as no
    geometry, or read without a ring holding a coordinate that is not a number.

    Looked for when some features came back without geometry, other than those
    ``known`` already (rebuilt by :func:`read_leniently`), or when the file's bytes
    may hold a bad coordinate (:func:`may_hold_bad_coordinates`); a ``null``
    geometry in the file is no problem (it is kept and logged as such).
    """
    if not path.is_file():
        return known
    missing = np.flatnonzero(shapely.is_missing(np.asarray(frame.geometry.values)))
    suspect = may_hold_bad_coordinates(path.read_bytes())
    check = np.arange(len(frame)) if suspect else missing
    check = check[~np.isin(check, known["row"].to_numpy())]
    if not len(check) or (features := _geojson_features(path, len(frame))) is None:
        return known
    rows = known.to_dict("records")
    for row in check:
        feature = features[row]
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if geometry is None:
            continue
        reason = bad_coordinate(geometry)
        if reason is None and row in missing:
            reason = f"GDAL cannot read its geometry (type {geometry.get('type')!r})"
        if reason is not None:
            rows.append({"row": int(row), "problem": f"malformed: {reason}",
                         "action": "refused: the shape cannot be recovered", "refused": True})
    return _table(rows)
