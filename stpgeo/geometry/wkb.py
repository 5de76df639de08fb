"""Rebuilding polygons that GEOS refuses to parse from their WKB.

GDAL hands over each feature's geometry as WKB as the file has it; GEOS (through
``shapely.from_wkb``) then refuses a ring that does not close ("Points of LinearRing
do not form a closed linestring") or a ring of one or two points ("Invalid number of
points in LinearRing"), and the whole read fails. :func:`rebuild_polygon` reads such
WKB itself and rebuilds the polygon: a ring that does not close is closed; a ring
left with fewer than four points encloses no area and is dropped (a polygon whose
outer ring is dropped goes with its holes). What it did is returned in sentences
for the repair log; when nothing is left the geometry is None.

A ring whose first point is not a finite number (NaN, which GDAL passes through
from a GeoPackage or FlatGeobuf) never closes, as NaN equals nothing: it reaches
:func:`rebuild_polygon` too, which refuses it with :class:`NotFiniteError` (no shape can
be rebuilt from a point that is not known).

Examples
--------
>>> import struct
>>> ring = [(0, 0), (10, 0), (10, 10), (0, 10)]  # not closed
>>> wkb = struct.pack("<BIII", 1, 3, 1, 4) + b"".join(struct.pack("<dd", *p) for p in ring)
>>> polygon, done = rebuild_polygon(wkb)
>>> polygon.area, done
(100.0, ['closed 1 ring that did not close'])
"""

from __future__ import annotations

import struct

import numpy as np
import shapely

_POLYGON, _MULTIPOLYGON = 3, 6
#: Bits of extended (PostGIS) WKB types.
_EWKB_Z, _EWKB_M, _EWKB_SRID = 0x80000000, 0x40000000, 0x20000000


class NotFiniteError(ValueError):
    """A coordinate that is NaN or infinite: the shape cannot be rebuilt."""


class _Reader:
    """Reads WKB values in order, in the byte order each geometry declares."""

    def __init__(self, data: bytes) -> None:
        self.data, self.at, self.order = data, 0, "<"

    def take(self, form: str) -> tuple[int | float, ...]:
        size = struct.calcsize(self.order + form)
        values = struct.unpack_from(self.order + form, self.data, self.at)
        self.at += size
        return values

    def count(self) -> int:
        """An unsigned 32-bit integer: a number of rings, points or parts, or a type."""
        (value,) = self.take("I")
        return int(value)

    def header(self) -> tuple[int, int]:
        """The geometry type (2D code) and the number of values per point."""
        (order,) = struct.unpack_from("B", self.data, self.at)
        self.at += 1
        self.order = "<" if order == 1 else ">"
        code = self.count()
        dims = 2 + bool(code & _EWKB_Z) + bool(code & _EWKB_M)
        if code & _EWKB_SRID:
            self.count()
        code &= 0x0FFFFFFF
        iso, kind = divmod(code, 1000)
        dims += {1: 1, 2: 1, 3: 2}.get(iso, 0)
        return kind, dims

    def points(self, dims: int) -> np.ndarray:
        count = self.count()
        values = self.take(f"{count * dims}d")
        return np.asarray(values, dtype=float).reshape(count, dims)[:, :2]


def _polygon_rings(reader: _Reader) -> list[np.ndarray]:
    kind, dims = reader.header()
    if kind != _POLYGON:
        raise ValueError(f"a part of geometry type {kind}, not a polygon")
    return [reader.points(dims) for _ in range(reader.count())]


def _check_finite(parts: list[list[np.ndarray]]) -> None:
    """Refuse the first coordinate that is not a finite number, saying where it is."""
    for p, rings in enumerate(parts, start=1):
        for r, ring in enumerate(rings, start=1):
            bad = np.flatnonzero(~np.isfinite(ring).all(axis=1))
            if len(bad):
                x, y = ring[bad[0]]
                where = f"point {bad[0] + 1} of ring {r}" + (f" of part {p}" if len(parts) > 1
                                                             else "")
                raise NotFiniteError(f"a coordinate is not a finite number: ({x:.6g}, {y:.6g}) at "
                                f"{where}")


def _fix_ring(ring: np.ndarray, done: dict[str, int]) -> np.ndarray | None:
    if len(ring) and not np.array_equal(ring[0], ring[-1]):
        ring = np.vstack([ring, ring[:1]])
        done["closed"] += 1
    if len(ring) < 4:
        done["dropped"] += 1
        return None
    return ring


def rebuild_polygon(wkb: bytes) -> tuple[shapely.Geometry | None, list[str]]:
    """A polygon or multipolygon from WKB that GEOS refuses, and what was done to it.

    Returns
    -------
    geometry, done
        The rebuilt geometry (None when no ring of four points is left: it enclosed
        no area) and sentences saying what was done.

    Raises
    ------
    NotFiniteError
        When a coordinate is NaN or infinite.
    ValueError
        When the WKB is not a polygon or multipolygon, or is cut short.
    """
    reader = _Reader(bytes(wkb))
    try:
        kind, _ = reader.header()
        reader.at = 0
        if kind == _POLYGON:
            parts = [_polygon_rings(reader)]
        elif kind == _MULTIPOLYGON:
            reader.header()
            parts = [_polygon_rings(reader) for _ in range(reader.count())]
        else:
            raise ValueError(f"a geometry of WKB type {kind}, not a polygon")
    except struct.error as error:
        raise ValueError(f"WKB cut short ({error})") from None
    _check_finite(parts)
    done = {"closed": 0, "dropped": 0}
    polygons = []
    for rings in parts:
        fixed = [_fix_ring(ring, done) for ring in rings]
        if not fixed or fixed[0] is None:  # no outer ring: the part encloses nothing
            done["dropped"] += sum(r is not None for r in fixed)
            continue
        polygons.append(shapely.Polygon(fixed[0], [r for r in fixed[1:] if r is not None]))
    said = []
    if done["closed"]:
        said.append(f"closed {done['closed']} ring{'s' * (done['closed'] > 1)} that did not close")
    if done["dropped"]:
        said.append(f"dropped {done['dropped']} ring{'s' * (done['dropped'] > 1)} of fewer than "
                    "four points (enclosing no area)")
    if not polygons:
        return None, [*said, "no ring of four or more points is left (no area)"]
    geometry = polygons[0] if kind == _POLYGON else shapely.MultiPolygon(polygons)
    return geometry, said
