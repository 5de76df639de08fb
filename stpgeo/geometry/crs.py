"""Coordinate reference systems: everything is measured in British National Grid.

Areas and shares are computed in EPSG:27700 (metres), never in degrees. Layers
are checked on the way in: a layer with no CRS, or whose coordinates do not fit
the CRS it claims (British National Grid numbers labelled as longitude/latitude,
or latitude and longitude swapped), is refused with a message that says what the
coordinates look like and how to fix it.

Examples
--------
>>> looks_like((400000.0, 280000.0, 410000.0, 290000.0))
'british national grid'
>>> looks_like((-1.9, 52.4, -1.8, 52.5))
'longitude/latitude'
"""

from __future__ import annotations

from typing import Literal

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from stpgeo.errors import StpgeoError, option_hint
from stpgeo.geometry.threads import in_threads

#: The CRS every measurement is made in.
MEASURE_CRS = CRS.from_epsg(27700)

Appearance = Literal[
    "british national grid", "longitude/latitude", "latitude/longitude", "unknown"
]

# Generous boxes around Great Britain and its waters.
_BNG_BOX = (-120_000.0, -20_000.0, 800_000.0, 1_300_000.0)
_LONLAT_BOX = (-11.0, 49.0, 3.5, 61.5)


def _inside(bounds: tuple[float, float, float, float], box: tuple[float, ...]) -> bool:
    xmin, ymin, xmax, ymax = bounds
    return xmin >= box[0] and ymin >= box[1] and xmax <= box[2] and ymax <= box[3]


def looks_like(bounds: tuple[float, float, float, float]) -> Appearance:
    """What a layer's coordinates look like, judged from its bounds."""
    xmin, ymin, xmax, ymax = bounds
    if _inside(bounds, _LONLAT_BOX):
        return "longitude/latitude"
    if _inside((ymin, xmin, ymax, xmax), _LONLAT_BOX):
        return "latitude/longitude"
    if _inside(bounds, _BNG_BOX) and max(abs(xmax), abs(ymax)) > 1_000:
        return "british national grid"
    return "unknown"


_TITLES: dict[str, str] = {
    "british national grid": "British National Grid (EPSG:27700) metres",
    "longitude/latitude": "longitude/latitude degrees",
    "latitude/longitude": "latitude/longitude degrees (swapped)",
}

_SUGGESTED: dict[str, str] = {
    "british national grid": "EPSG:27700",
    "longitude/latitude": "EPSG:4326",
}


def _suggestion(appearance: Appearance) -> str:
    return _SUGGESTED.get(appearance, "EPSG:27700")


def _has_shapes(frame: gpd.GeoDataFrame) -> bool:
    """True when some feature has a non-empty geometry (whose bounds mean something)."""
    geometry = np.asarray(frame.geometry.values)
    return bool((~shapely.is_missing(geometry) & ~shapely.is_empty(geometry)).any())


def _bounds(frame: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    xmin, ymin, xmax, ymax = (float(v) for v in frame.total_bounds)
    return xmin, ymin, xmax, ymax


def check_crs(frame: gpd.GeoDataFrame, *, source: str, role: str | None = None) -> None:
    """Refuse a layer with no CRS, or whose coordinates contradict its CRS.

    ``role`` (``"wards"``...) makes the messages name that role's option (``--wards-crs``).

    Raises
    ------
    StpgeoError
        With the file name, what the coordinates look like and the option that fixes it.
    """
    if not _has_shapes(frame):
        return
    bounds = _bounds(frame)
    appearance = looks_like(bounds)
    described = f"the coordinates look like {_TITLES[appearance]}" if appearance != "unknown" else (
        "the coordinates do not look like British National Grid or longitude/latitude"
    )
    if frame.crs is None:
        suggestion = _suggestion(appearance)
        raise StpgeoError(
            f"the file has no coordinate reference system (CRS); {described} "
            f"(bounds {bounds[0]:.6g}, {bounds[1]:.6g}, {bounds[2]:.6g}, {bounds[3]:.6g})",
            source=source,
            fix=f"say which CRS it is in: {option_hint('crs', suggestion, role=role)}",
        )
    if frame.crs.is_geographic and appearance == "british national grid":
        raise StpgeoError(
            f"the file says its CRS is {frame.crs.name} (longitude/latitude) but {described}",
            source=source,
            fix=f"override the CRS: {option_hint('crs', 'EPSG:27700', role=role)}",
        )
    if frame.crs.is_geographic and appearance == "latitude/longitude":
        raise StpgeoError(
            f"latitude and longitude are swapped: the file says {frame.crs.name} but x holds "
            f"latitudes ({bounds[0]:.4g} to {bounds[2]:.4g}) and y longitudes",
            source=source,
            fix="re-export the file with longitude first (x) and latitude second (y): in "
            "QGIS the 'Swap X and Y coordinates' tool; in Python "
            "shapely.ops.transform(lambda x, y: (y, x), geometry)",
        )
    if frame.crs.is_projected and appearance in ("longitude/latitude", "latitude/longitude"):
        raise StpgeoError(
            f"the file says its CRS is {frame.crs.name} (metres) but {described}",
            source=source,
            fix=f"override the CRS: {option_hint('crs', 'EPSG:4326', role=role)}",
        )


def reproject(frame: gpd.GeoDataFrame, crs: CRS) -> gpd.GeoDataFrame:
    """``frame.to_crs(crs)`` on all cores: geopandas' own reprojection, run on chunks of
    the geometries in threads (pyproj's transformers are thread-safe, and PROJ runs
    without the GIL).

    Examples
    --------
    >>> lonlat = gpd.GeoDataFrame(geometry=[shapely.Point(-1.9, 52.48)], crs=4326)
    >>> bng = reproject(lonlat, MEASURE_CRS)
    >>> bool(bng.geometry.geom_equals_exact(lonlat.to_crs(27700).geometry, 0).all())
    True
    """
    values = frame.geometry.values
    source = values.crs

    def moved(part: np.ndarray) -> np.ndarray:
        return np.asarray(gpd.array.from_shapely(part, crs=source).to_crs(crs))

    result = frame.copy()
    result[frame.geometry.name] = gpd.GeoSeries(in_threads(moved, np.asarray(values)),
                                                index=frame.index, crs=crs)
    return result


def to_measuring_crs(frame: gpd.GeoDataFrame, *, source: str, role: str | None = None
                     ) -> gpd.GeoDataFrame:
    """Reproject a checked layer to British National Grid and check it lands in Britain."""
    check_crs(frame, source=source, role=role)
    projected = frame if frame.crs.equals(MEASURE_CRS) else reproject(frame, MEASURE_CRS)
    if _has_shapes(projected) and not _inside(_bounds(projected), _BNG_BOX):
        raise StpgeoError(
            f"in British National Grid the layer falls outside Great Britain "
            f"(bounds {', '.join(f'{v:.0f}' for v in _bounds(projected))}); its CRS "
            f"{frame.crs.name} is probably wrong",
            source=source,
            fix=f"give the right CRS: {option_hint('crs', 'EPSG:...', role=role)}",
        )
    return projected
