"""A layer's features, as a service gave them in its own spatial reference, written in
the catalogue file's, and its total area checked against the service's own figures.

ONS stores its boundaries in British National Grid (EPSG:27700). Asking the service
for longitude/latitude would leave the datum transformation to the server, whose
choice (or lack of one) can shift boundaries by about 100 m; stpgeo asks for the
layer's own spatial reference and reprojects here, with pyproj. The catalogue's
GeoJSON files are in longitude/latitude (EPSG:4326, RFC 7946), as are its GeoPackages
unless the entry says ``crs``.

The check: ONS layers carry each polygon's area, in square metres of their own
spatial reference (``Shape__Area``, ``st_area(shape)``...). The sum of the
polygons' areas measured in EPSG:27700 must be within :data:`AREA_TOLERANCE` of the
sum of that field; a layer with no such field is not checked (the log says so).

Examples
--------
>>> features = [{"type": "Feature", "properties": {"Shape__Area": 100.0}, "geometry": {
...     "type": "Polygon", "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]]}}]
>>> areas = Areas()
>>> [f["geometry"]["coordinates"][0][2] for f in reproject(features, 27700, 27700, areas,
...                                                          "Shape__Area")]
[[10, 10]]
>>> areas.measured, areas.published
(100.0, 100.0)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import shapely.geometry

from stpgeo.io.web import ServiceError
from stpgeo.progress import logger

#: The largest relative difference allowed between the measured and published total area.
AREA_TOLERANCE = 0.001
_BNG = 27700


@cache
def _transformer(source: int, target: int) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(source, target, always_xy=True)


def _moved(coordinates: Any, source: int, target: int) -> Any:
    """GeoJSON coordinates (nested lists) from ``source`` to ``target``."""
    if source == target:
        return coordinates
    if coordinates and isinstance(coordinates[0], int | float):
        x, y = _transformer(source, target).transform(coordinates[0], coordinates[1])
        return [float(x), float(y)]
    if coordinates and isinstance(coordinates[0], list) and coordinates[0] and \
            isinstance(coordinates[0][0], int | float):
        xy = np.asarray(coordinates, dtype=float)[:, :2]
        x, y = _transformer(source, target).transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y]).tolist()
    return [_moved(part, source, target) for part in coordinates]


@dataclass
class Areas:
    """The total area measured (m², in EPSG:27700) and the service's own total."""

    measured: float = 0.0
    published: float = 0.0

    def check(self, url: str, field: str | None) -> None:
        """Refuse a total area that is not the service's (:data:`AREA_TOLERANCE`)."""
        if field is None:
            logger.info("%s: no area field, so the total area is not checked", url)
            return
        if self.published <= 0:
            return
        difference = abs(self.measured - self.published) / self.published
        if difference > AREA_TOLERANCE:
            raise ServiceError(url, f"polygons whose total area is {self.measured / 1e6:,.1f} "
                               f"km² where the service's {field} adds up to "
                               f"{self.published / 1e6:,.1f} km² ({difference:.2%} apart, more "
                               f"than the {AREA_TOLERANCE:.1%} allowed)", kind="refused")


def reproject(features: Iterable[dict[str, Any]], source: int, target: int, areas: Areas,
              area_field: str | None) -> Iterator[dict[str, Any]]:
    """The features in ``target``, adding their areas (and the service's) to ``areas``."""
    for feature in features:
        geometry = feature.get("geometry")
        if geometry and "coordinates" in geometry:
            if area_field is not None:
                in_bng = _moved(geometry["coordinates"], source, _BNG)
                areas.measured += shapely.geometry.shape(
                    {"type": geometry["type"], "coordinates": in_bng}).area
                areas.published += float((feature.get("properties") or {}).get(area_field)
                                         or 0)
            geometry = {"type": geometry["type"],
                        "coordinates": _moved(geometry["coordinates"], source, target)}
        yield {"type": "Feature", "properties": feature.get("properties") or {},
               "geometry": geometry}


def write_features(path: Path, features: Iterable[dict[str, Any]]) -> int:
    """Write a FeatureCollection, one feature a line; return how many."""
    n = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write('{"type":"FeatureCollection","features":[\n')
        for feature in features:
            handle.write(("," if n else "") + json.dumps(feature, separators=(",", ":"),
                                                         ensure_ascii=False) + "\n")
            n += 1
        handle.write("]}\n")
    return n
