"""A compact form of a map's polygons: each shared border once, coordinates as small integers.

Wards, councils, footprints and blocks are coverages: neighbours share their borders
vertex for vertex (:mod:`.geometry` makes it so). GeoJSON writes each shared border
twice, as decimal degrees. :func:`compact` writes the polygons of a FeatureCollection
as a *topology*, as TopoJSON does: every ring is cut into arcs where it meets another
ring's border, each arc is kept once (a ring going the other way along it refers to it
reversed, as ``~index``), and an arc's coordinates are integers in millionths of a
degree (the 6 decimals kept, :data:`.geometry.DECIMALS`), each but the first the
difference from the one before. The map's script (``stpgeo.data``) turns it back into
GeoJSON with the same rings, vertex for vertex (a ring may start at another of its
vertices); features that are not polygons (points) are kept as they are. For Birmingham
and its neighbours this makes the polygons about 2.7 times smaller.

The form, as JSON: ``{"type": "Topology", "scale": 1000000, "arcs": [[x0, y0, dx1, dy1,
...], ...], "features": [{"properties": {...}, "polygons": [[[arc, ...], ...], ...]}
or {"properties": {...}, "geometry": {...}}, ...]}`` — polygons as lists of rings,
rings as lists of arc indices.

Examples
--------
>>> import json
>>> two = {"type": "FeatureCollection", "features": [
...     {"type": "Feature", "properties": {"code": "A"}, "geometry": {"type": "Polygon",
...      "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}},
...     {"type": "Feature", "properties": {"code": "B"}, "geometry": {"type": "Polygon",
...      "coordinates": [[[1, 0], [2, 0], [2, 1], [1, 1], [1, 0]]]}}]}
>>> topology = json.loads(compact(json.dumps(two)))
>>> len(topology["arcs"]), [f["polygons"] for f in topology["features"]]
(3, [[[[0, 1]]], [[[2, -1]]]])
>>> expand(topology)["features"][0]["geometry"]["coordinates"]  # A, from its junction (1, 0)
[[[1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0], [1.0, 0.0]]]
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import numpy as np
import shapely

from stpgeo.outputs.maps.geometry import DECIMALS

SCALE = 10**DECIMALS
Rings = list[list[np.ndarray]]  # polygons, each a list of closed rings of integer points


def _polygons(geometry: dict[str, Any]) -> list[list[list[list[float]]]] | None:
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"]]
    if geometry.get("type") == "MultiPolygon":
        return list(geometry["coordinates"])
    return None


def _quantised(polygons: list[list[list[list[float]]]], scale: int) -> Rings:
    return [[np.rint(np.asarray(r, dtype=float).reshape(-1, 2) * scale).astype(np.int64)
             for r in polygon] for polygon in polygons]


def _junctions(rings: list[np.ndarray]) -> list[np.ndarray]:
    """Where each ring meets another ring and parts from it: the positions of its vertices
    seen, anywhere, with two different pairs of neighbours."""
    opened = [r[:-1] for r in rings]  # rings are closed: r[-1] == r[0]
    lengths = np.array([len(r) for r in opened])
    if not lengths.sum():
        return [np.zeros(0, dtype=np.int64) for _ in rings]
    points = np.concatenate(opened)
    low, high = points.min(axis=0), points.max(axis=0)
    key = (points[:, 0] - low[0]) * (high[1] - low[1] + 1) + (points[:, 1] - low[1])
    _, vertex = np.unique(key, return_inverse=True)  # each point's number
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    where = np.arange(len(points)) - starts
    size = np.repeat(lengths, lengths)
    before = vertex[starts + (where - 1) % size]
    after = vertex[starts + (where + 1) % size]
    n = int(vertex.max()) + 1
    pair = np.minimum(before, after) * n + np.maximum(before, after)
    order = np.lexsort((pair, vertex))
    vertex_sorted, pair_sorted = vertex[order], pair[order]
    new_pair = np.ones(len(order), dtype=bool)  # a (vertex, pair) not seen before
    new_pair[1:] = (vertex_sorted[1:] != vertex_sorted[:-1]) | (pair_sorted[1:] != pair_sorted[:-1])
    seen = np.bincount(vertex_sorted[new_pair], minlength=n)
    junction = seen[vertex] > 1
    return np.split(junction, np.cumsum(lengths)[:-1])


class _Arcs:
    """The arcs kept so far, each once: an arc met again either way is referred to."""

    def __init__(self) -> None:
        self.index: dict[bytes, int] = {}
        self.arcs: list[np.ndarray] = []

    def add(self, arc: np.ndarray) -> int:
        key = arc.tobytes()
        if key in self.index:
            return self.index[key]
        back = np.ascontiguousarray(arc[::-1]).tobytes()
        if back in self.index:
            return ~self.index[back]
        self.index[key] = len(self.arcs)
        self.arcs.append(arc)
        return self.index[key]

    def ring(self, ring: np.ndarray, junction: np.ndarray) -> list[int]:
        """A closed ring as the arcs it is made of (``junction``: which of its vertices,
        but the closing one, are junctions)."""
        opened = ring[:-1]
        cuts = np.flatnonzero(junction)
        if not len(cuts):  # a ring meeting no other (an island, a hole): start at its least point
            start = int(np.lexsort((opened[:, 1], opened[:, 0]))[0])
            turned = np.concatenate([opened[start:], opened[:start], opened[start:start + 1]])
            return [self.add(turned)]
        first = int(cuts[0])
        turned = np.concatenate([opened[first:], opened[:first], opened[first:first + 1]])
        at = np.append(cuts - first, len(opened))  # the cuts, from the first, and the end
        return [self.add(turned[a:b + 1]) for a, b in itertools.pairwise(at.tolist())]

    def encoded(self) -> list[list[int]]:
        return [np.concatenate([arc[:1], np.diff(arc, axis=0)]).ravel().tolist()
                for arc in self.arcs]


def _topology(features: list[tuple[Any, Rings | None, bool, Any]], scale: int) -> str:
    """Features (properties, polygons of quantised rings or None, multi, geometry kept
    as it is when not polygonal) as a topology (text)."""
    rings = [r for _, polygons, _, _ in features if polygons for p in polygons for r in p]
    junctions = iter(_junctions(rings))
    arcs = _Arcs()
    out: list[dict[str, Any]] = []
    for properties, polygons, multi, geometry in features:
        if polygons is None:
            out.append({"properties": properties, "geometry": geometry})
            continue
        out.append({"properties": properties,
                    "polygons": [[arcs.ring(r, next(junctions)) for r in polygon]
                                 for polygon in polygons], **({"multi": True} if multi else {})})
    return json.dumps({"type": "Topology", "scale": scale, "arcs": arcs.encoded(),
                       "features": out}, ensure_ascii=False, separators=(",", ":"))


def compact(text: str, *, decimals: int = DECIMALS) -> str:
    """A GeoJSON FeatureCollection (text) as a topology (text); unchanged without polygons.

    ``decimals``: the places of degrees kept (coordinates are integers of 10^-decimals
    degrees); 5 (about a metre) is plenty for shapes simplified by tens of metres."""
    collection = json.loads(text)
    features = collection.get("features", [])
    shapes = [_polygons(f.get("geometry") or {}) for f in features]
    if collection.get("type") != "FeatureCollection" or not any(shapes):
        return text
    scale = 10**decimals
    return _topology([(f.get("properties"), None if polygons is None else
                       _quantised(polygons, scale),
                       (f.get("geometry") or {}).get("type") == "MultiPolygon",
                       f.get("geometry")) for f, polygons in zip(features, shapes, strict=True)],
                     scale)


def compact_geometries(geometries: np.ndarray, properties: list[dict[str, Any]], *,
                       decimals: int = DECIMALS) -> str:
    """Polygons (shapely, in degrees) and their properties as a topology (text): what
    :func:`compact` makes of their GeoJSON, without writing and parsing it.

    Examples
    --------
    >>> squares = np.array([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    >>> text = compact_geometries(squares, [{"code": "A"}, {"code": "B"}])
    >>> text == compact(json.dumps({"type": "FeatureCollection", "features": [
    ...     {"type": "Feature", "properties": {"code": c},
    ...      "geometry": shapely.geometry.mapping(g)} for c, g in zip("AB", squares)]}))
    True
    """
    scale = 10**decimals
    features: list[tuple[Any, Rings | None, bool, Any]] = []
    for geometry, props in zip(geometries, properties, strict=True):
        kind = shapely.get_type_id(geometry)
        if kind not in (3, 6):  # not a Polygon or MultiPolygon: kept as GeoJSON
            kept = None if geometry is None else json.loads(shapely.to_geojson(geometry))
            features.append((props, None, False, kept))
            continue
        polygons = shapely.get_parts(geometry) if kind == 6 else [geometry]
        features.append((props, [
            [np.rint(shapely.get_coordinates(r) * scale).astype(np.int64)
             for r in shapely.get_rings(p)]
            for p in polygons], kind == 6, None))
    return _topology(features, scale)


def expand(topology: dict[str, Any]) -> dict[str, Any]:
    """The FeatureCollection a topology holds (what the map's script does, in Python)."""
    scale = topology["scale"]
    arcs = []
    for flat in topology["arcs"]:
        x, y, points = 0, 0, []
        for dx, dy in zip(flat[::2], flat[1::2], strict=True):
            x, y = x + dx, y + dy
            points.append([x / scale, y / scale])
        arcs.append(points)

    def ring(indices: list[int]) -> list[list[float]]:
        points: list[list[float]] = []
        for i in indices:
            arc = arcs[i] if i >= 0 else arcs[~i][::-1]
            points += arc if not points else arc[1:]
        return points

    features = []
    for feature in topology["features"]:
        geometry = feature.get("geometry")
        if "polygons" in feature:
            polygons = [[ring(r) for r in polygon] for polygon in feature["polygons"]]
            geometry = ({"type": "MultiPolygon", "coordinates": polygons} if feature.get("multi")
                        else {"type": "Polygon", "coordinates": polygons[0]})
        features.append({"type": "Feature", "properties": feature["properties"],
                         "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}
