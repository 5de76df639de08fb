"""Esri JSON features as GeoJSON, for ArcGIS layers that do not answer ``f=geojson``.

An Esri JSON polygon is a flat list of ``rings``: outer rings run clockwise, holes
counter-clockwise, and which hole belongs to which outer ring is not said. As
arcgis2geojson does, each hole goes to the first outer ring that contains it, a hole
that no outer ring contains becomes an outer ring, and the result is a GeoJSON
``Polygon`` (one outer ring) or ``MultiPolygon`` whose rings follow RFC 7946 (outer
rings counter-clockwise, holes clockwise). Points (``x``, ``y``) and lines
(``paths``) are converted too.

Examples
--------
>>> square = [[0, 0], [0, 2], [2, 2], [2, 0], [0, 0]]        # clockwise: outer
>>> hole = [[0.5, 0.5], [1, 0.5], [1, 1], [0.5, 1], [0.5, 0.5]]  # counter-clockwise
>>> polygon = esri_geometry({"rings": [square, hole]})
>>> polygon["type"], len(polygon["coordinates"]), polygon["coordinates"][0][1]
('Polygon', 2, [2, 0])
"""

from __future__ import annotations

from typing import Any

import shapely


def esri_feature(feature: dict[str, Any], object_id: str) -> dict[str, Any]:
    """A GeoJSON feature from an Esri JSON one (``attributes``, ``geometry``)."""
    properties = dict(feature.get("attributes") or {})
    geometry = feature.get("geometry")
    return {"type": "Feature", "id": properties.get(object_id),
            "geometry": esri_geometry(geometry) if geometry else None,
            "properties": properties}


def esri_geometry(geometry: dict[str, Any]) -> dict[str, Any] | None:
    """A GeoJSON geometry from an Esri JSON one (None for an empty one)."""
    if "rings" in geometry:
        return _polygons(geometry["rings"])
    if "paths" in geometry:
        paths = geometry["paths"]
        if len(paths) == 1:
            return {"type": "LineString", "coordinates": paths[0]}
        return {"type": "MultiLineString", "coordinates": paths}
    if "x" in geometry and geometry["x"] is not None:
        return {"type": "Point", "coordinates": [geometry["x"], geometry["y"]]}
    if "points" in geometry:
        return {"type": "MultiPoint", "coordinates": geometry["points"]}
    return None


def _polygons(rings: list[list[list[float]]]) -> dict[str, Any] | None:
    outers: list[list[list[list[float]]]] = []  # GeoJSON polygons: outer ring, holes
    holes: list[list[list[float]]] = []
    for ring in rings:
        if len(ring) < 4:
            continue
        if shapely.LinearRing(ring).is_ccw:  # counter-clockwise in Esri JSON: a hole
            holes.append(ring)
        else:
            outers.append([ring[::-1]])
    shapes = [shapely.Polygon(polygon[0]) for polygon in outers]
    for hole in holes:
        inside = shapely.Polygon(hole)
        owner = next((i for i, s in enumerate(shapes) if s.contains(inside.representative_point())
                      and s.covers(inside)), None)
        if owner is None:  # a hole of no outer ring: an outer ring written the wrong way
            outers.append([hole])
            shapes.append(shapely.Polygon(hole))
        else:
            outers[owner].append(hole[::-1])
    if not outers:
        return None
    if len(outers) == 1:
        return {"type": "Polygon", "coordinates": outers[0]}
    return {"type": "MultiPolygon", "coordinates": outers}
