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

from stpgeo.outputs.maps.geometry import DECIMALS

SCALE = 10**DECIMALS
Point = tuple[int, int]


def _quantise(ring: list[list[float]], scale: int = SCALE) -> list[Point]:
    return [(round(x * scale), round(y * scale)) for x, y in ring]


def _polygons(geometry: dict[str, Any]) -> list[list[list[list[float]]]] | None:
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"]]
    if geometry.get("type") == "MultiPolygon":
        return list(geometry["coordinates"])
    return None


def _junctions(rings: list[list[Point]]) -> set[Point]:
    """Vertices where rings meet and part: seen with different neighbours."""
    seen: dict[Point, tuple[Point, Point]] = {}
    junctions: set[Point] = set()
    for ring in rings:
        last = len(ring) - 1  # rings are closed: ring[last] == ring[0]
        for i in range(last):
            before, after = ring[i - 1] if i else ring[last - 1], ring[i + 1]
            pair = (before, after) if before < after else (after, before)
            known = seen.setdefault(ring[i], pair)
            if known != pair:
                junctions.add(ring[i])
    return junctions


class _Arcs:
    """The arcs kept so far, each once: an arc met again either way is referred to."""

    def __init__(self) -> None:
        self.index: dict[tuple[Point, ...], int] = {}
        self.arcs: list[list[Point]] = []

    def add(self, arc: list[Point]) -> int:
        key = tuple(arc)
        if key in self.index:
            return self.index[key]
        back = key[::-1]
        if back in self.index:
            return ~self.index[back]
        self.index[key] = len(self.arcs)
        self.arcs.append(arc)
        return self.index[key]

    def ring(self, ring: list[Point], junctions: set[Point]) -> list[int]:
        """A closed ring as the arcs it is made of."""
        open_ring = ring[:-1]
        cuts = [i for i, p in enumerate(open_ring) if p in junctions]
        if not cuts:  # a ring meeting no other (an island, a hole): start at its least point
            start = open_ring.index(min(open_ring))
            turned = open_ring[start:] + open_ring[:start]
            return [self.add([*turned, turned[0]])]
        turned = open_ring[cuts[0]:] + open_ring[:cuts[0]]
        turned.append(turned[0])
        cuts = [i for i, p in enumerate(turned) if p in junctions]
        return [self.add(turned[a:b + 1]) for a, b in itertools.pairwise(cuts)]

    def encoded(self) -> list[list[int]]:
        found = []
        for arc in self.arcs:
            flat = [arc[0][0], arc[0][1]]
            for (x, y), (px, py) in zip(arc[1:], arc[:-1], strict=True):
                flat += [x - px, y - py]
            found.append(flat)
        return found


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
    quantised = [[[_quantise(r, scale) for r in polygon] for polygon in polygons]
                 if polygons else None for polygons in shapes]
    junctions = _junctions([r for q in quantised if q for polygon in q for r in polygon])
    arcs = _Arcs()
    out: list[dict[str, Any]] = []
    for feature, polygons in zip(features, quantised, strict=True):
        if polygons is None:
            out.append({"properties": feature.get("properties"),
                        "geometry": feature.get("geometry")})
            continue
        out.append({"properties": feature.get("properties"),
                    "polygons": [[arcs.ring(r, junctions) for r in polygon]
                                 for polygon in polygons],
                    **({"multi": True} if feature["geometry"]["type"] == "MultiPolygon"
                       else {})})
    return json.dumps({"type": "Topology", "scale": scale, "arcs": arcs.encoded(),
                       "features": out}, ensure_ascii=False, separators=(",", ":"))


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
