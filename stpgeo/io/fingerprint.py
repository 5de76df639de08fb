"""Fingerprints of content: files, tables and layers, to recognise the same input again.

A fingerprint is a SHA-256 digest of the content itself — a file's bytes, a table's
values, a layer's codes and polygons (as WKB) — never of a name or a time, so two
inputs share one only when they hold the same data. The cache
(:mod:`stpgeo.io.cache`) keys its entries by them, and a footprint layer built from
blocks remembers the fingerprint of those blocks (:class:`~stpgeo.io.layer.BlockBuild`).

Fingerprinting a national layer takes a fraction of a second; within a session the
fingerprint of a GeoDataFrame is remembered, and checked against a cheap signature
(its length, its codes, its polygons' total area and extent) before it is reused,
so that a frame edited in place is fingerprinted afresh.

Examples
--------
>>> import geopandas as gpd, shapely
>>> frame = gpd.GeoDataFrame({"code": ["A"]}, geometry=[shapely.box(0, 0, 1, 1)], crs=27700)
>>> frame_digest(frame) == frame_digest(frame.copy())
True
>>> frame_digest(frame) == frame_digest(frame.assign(code=["B"]))
False
"""

from __future__ import annotations

import json
import weakref
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from stpgeo.io.digest import file_digest, hasher, text_digest

__all__ = ["file_digest", "frame_digest", "remember", "table_digest", "text_digest"]

#: Remembered fingerprints of GeoDataFrames: id → (weak reference, signature, digest).
_REMEMBERED: dict[int, tuple[weakref.ref[Any], tuple[object, ...], str]] = {}


def table_digest(table: pd.DataFrame | pd.Series) -> str:
    """The fingerprint of a table's (or Series') columns, index and values.

    The table is seen as Arrow holds it: its schema (names and types) and the bytes of
    every column's buffers (values, offsets, missing-value bitmaps).
    """
    frame = table.to_frame() if isinstance(table, pd.Series) else table
    arrow = pa.Table.from_pandas(frame, preserve_index=True)
    digest = hasher()
    digest.update(arrow.schema.remove_metadata().to_string().encode())
    digest.update(json.dumps([str(n) for n in frame.index.names]).encode())
    for column in arrow.columns:
        for chunk in column.chunks:
            for buffer in chunk.buffers():
                digest.update(b"-" if buffer is None else memoryview(buffer))
    return digest.hexdigest()


def _signature(frame: gpd.GeoDataFrame) -> tuple[object, ...]:
    geometry = np.asarray(frame.geometry.values)
    codes = tuple(frame["code"].tolist()) if "code" in frame else ()
    return (len(frame), tuple(frame.columns), hash(codes),
            float(np.nansum(shapely.area(geometry))),
            tuple(shapely.total_bounds(geometry).round(6)), _crs(frame))


def _crs(frame: gpd.GeoDataFrame) -> str:
    """The frame's CRS, written the same however it was read (EPSG code, else WKT)."""
    if frame.crs is None:
        return "none"
    epsg = frame.crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else frame.crs.to_wkt()


def _compute(frame: gpd.GeoDataFrame) -> str:
    digest = hasher()
    digest.update(_crs(frame).encode())
    codes = frame["code"].astype(object).tolist() if "code" in frame else []
    digest.update(json.dumps(codes, default=str).encode())
    digest.update(pd.util.hash_array(np.asarray(frame.index, dtype=object)).tobytes())
    for wkb in shapely.to_wkb(np.asarray(frame.geometry.values)):
        digest.update(wkb if wkb is not None else b"-")
    return digest.hexdigest()


def remember(frame: gpd.GeoDataFrame, digest: str) -> None:
    """Remember a frame's fingerprint, known from where it came from (a cache entry whose
    file was checked), so that it need not be computed."""
    key = id(frame)
    _REMEMBERED[key] = (weakref.ref(frame, lambda _: _REMEMBERED.pop(key, None)),
                        _signature(frame), digest)


def frame_digest(frame: gpd.GeoDataFrame) -> str:
    """The fingerprint of a GeoDataFrame's codes (``code`` column), row labels, polygons and
    CRS."""
    known = _REMEMBERED.get(id(frame))
    if known is not None and known[0]() is frame and known[1] == _signature(frame):
        return known[2]
    digest = _compute(frame)
    remember(frame, digest)
    return digest
