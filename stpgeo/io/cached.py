"""Inputs in the cache: a :class:`~stpgeo.io.layer.Layer` as a cache entry and back, and
reading a layer file, a lookup or a population table through the cache.

A layer is kept as its features (GeoParquet), its repair log and, for footprints
built from blocks, their members (Parquet), with everything else it knows — where
it came from, its kind and vintage, warnings, notes — in the entry's manifest. A
layer read back from the cache is the layer that was kept, field for field, and
remembers the fingerprint of its features (:func:`stpgeo.io.fingerprint.remember`).

Examples
--------
>>> import tempfile
>>> from stpgeo.io.cache import Cache
>>> cache = Cache(Path(tempfile.mkdtemp()))
>>> wards = read_layer_cached(data_dir() / "wards/wards_dec2013_england.geojson",  # doctest: +SKIP
...                           cache=cache)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
from pyproj import CRS

from stpgeo._types import PathLike
from stpgeo.io.cache import Cache, Frames
from stpgeo.io.deprivation import read_deprivation
from stpgeo.io.fingerprint import file_digest, frame_digest, remember, text_digest
from stpgeo.io.layer import BlockBuild, Layer
from stpgeo.io.lookups import read_lookup
from stpgeo.io.population import read_population
from stpgeo.io.read import read_layer
from stpgeo.io.vintages import catalogued_lookups, code_list_files

#: The fields of a Layer kept in the manifest as they are.
_PLAIN = ("source", "kind", "vintage", "code_field", "name_field", "source_crs", "warnings",
          "unmatched_names", "notes", "layer_name", "driver", "coverage_clean")

#: The kind of the cache entries recording a file written from footprints built from blocks.
_WRITTEN_BUILD = "written-build"


def layer_entry(layer: Layer) -> tuple[Frames, dict[str, Any]]:
    """A layer as a cache entry: ``({"gdf", "repairs"[, "members"]}, metadata)``."""
    frames: Frames = {"gdf": layer.gdf, "repairs": layer.repairs}
    meta: dict[str, Any] = {name: getattr(layer, name) for name in _PLAIN}
    meta["digest"] = frame_digest(layer.gdf)
    if layer.built_from is not None:
        frames["members"], meta["built_from"] = _build_entry(layer.built_from)
    return frames, meta


def layer_from_entry(frames: Frames, meta: Mapping[str, Any]) -> Layer:
    """The layer a cache entry holds (the inverse of :func:`layer_entry`)."""
    built = None
    if "built_from" in meta:
        built = _build_from_entry(frames["members"], meta["built_from"],
                                  digest=meta["built_from"]["digest"])
    layer = Layer(gdf=frames["gdf"], repairs=frames["repairs"], built_from=built,
                  **{name: meta[name] for name in _PLAIN})
    remember(layer.gdf, meta["digest"])
    return layer


def _build_entry(built: BlockBuild) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A build's members (a frame) and what else it knows (JSON)."""
    members = built.members.rename("footprint").rename_axis("block").reset_index()
    return members, {"blocks_digest": built.blocks_digest, "digest": built.digest,
                     "name": built.members.name, "provenance": built.provenance}


def _build_from_entry(members: pd.DataFrame, meta: Mapping[str, Any], *,
                      digest: str) -> BlockBuild:
    return BlockBuild(
        members=pd.Series(members["footprint"].to_numpy(dtype=object),
                          index=pd.Index(members["block"].to_numpy(dtype=object), dtype=object),
                          dtype=object, name=meta["name"]),
        blocks_digest=meta["blocks_digest"], digest=digest,
        provenance=dict(meta.get("provenance", {})))


def remember_written_build(path: PathLike, layer: Layer, cache: Cache) -> None:
    """Remember that the file ``path`` (as it is now) holds footprints built from blocks.

    ``stpgeo build`` writes its footprints to a file, which loses the layer's
    :class:`~stpgeo.io.layer.BlockBuild`. Kept in the cache under the file's
    fingerprint, it is given back to the layer when that very file is read again
    (:func:`read_layer_cached`), so that an analysis with the same blocks sums the
    wards' pieces from its ward × block table instead of overlaying the footprints and
    measuring them against the blocks (:mod:`stpgeo.analysis.whole_blocks`). A file
    changed since gives another fingerprint, and is overlaid.
    """
    if layer.built_from is None or not cache.enabled:
        return
    members, meta = _build_entry(layer.built_from)
    cache.keep(_WRITTEN_BUILD, {"file": input_digest(Path(path))}, {"members": members}, meta)


def is_written_build(path: PathLike, cache: Cache) -> bool:
    """Whether the file ``path`` (as it is now) was written by ``stpgeo build`` (see
    :func:`remember_written_build`)."""
    path = Path(path)
    return (cache.enabled and path.is_file()
            and cache.find(_WRITTEN_BUILD, {"file": input_digest(path)}) is not None)


def _with_written_build(layer: Layer, file: str, cache: Cache) -> Layer:
    """The layer read from a file :func:`remember_written_build` recorded, with its build
    (fingerprinted as the layer is now: the file is byte for byte the one written)."""
    found = cache.find(_WRITTEN_BUILD, {"file": file})
    if found is None or "members" not in found[0]:
        return layer
    frames, meta = found
    built = _build_from_entry(frames["members"], meta, digest=frame_digest(layer.gdf))
    if not set(layer.gdf["code"].dropna()) <= set(built.members.to_numpy()):
        return layer  # (not the footprints of that build: never taken for them)
    return replace(layer, built_from=built)


def cached_layer(cache: Cache, kind: str, made_from: Mapping[str, object],
                 make: Callable[[], Layer]) -> Layer:
    """A layer from the cache, else made (and kept)."""
    if not cache.enabled:
        return make()
    frames, meta = cache.entry(kind, made_from, lambda: layer_entry(make()))
    return layer_from_entry(frames, meta)


def input_digest(path: Path) -> str:
    """The fingerprint of a layer file as given: a file (with a shapefile's parts), or
    every file of a folder."""
    if path.is_dir():
        return text_digest([(p.name, file_digest(p)) for p in sorted(path.iterdir())
                            if p.is_file()])
    return file_digest(path)


def read_layer_cached(path: PathLike, *, cache: Cache, kind: str | None = None,
                      code_field: str | None = None, name_field: str | None = None,
                      crs: str | int | CRS | None = None, layer: str | int | None = None,
                      names_lookup: PathLike | None = None, data: PathLike | None = None,
                      role: str | None = None,
                      then: tuple[str, Callable[[Layer], Layer]] | None = None) -> Layer:
    """:func:`stpgeo.read_layer` through the cache: the layer read, checked, reprojected and
    repaired once per content of the file (and reading options).

    Layers whose codes had to be joined from their names are not kept (which names
    lookup matches depends on other files). A layer's vintage notes come from the ONS
    code lists of the data directory: the entry is keyed by the catalogued lookups
    present there (and their sizes), and remembers the fingerprints of those it used,
    so a changed code list gives a fresh read. ``role`` only names the options in error
    messages (never kept), so a file read in another role is the same entry.

    ``then`` names a step applied to the layer read (``("clean", clean_coverage)``): the
    layer it makes is kept instead, under the same key and the step's name, so that a
    re-run loads only what it needs.
    """
    path = Path(path)

    def read() -> Layer:
        found = read_layer(path, kind=kind, code_field=code_field, name_field=name_field,
                           crs=crs, layer=layer, names_lookup=names_lookup, data=data,
                           role=role)
        return then[1](found) if then is not None else found

    if not cache.enabled or not path.exists():
        return read()
    made_from = {"path": str(path), "file": input_digest(path), "kind": kind,
                 "code_field": code_field, "name_field": name_field,
                 "crs": None if crs is None else str(crs), "layer": layer,
                 "lookups": catalogued_lookups(data), "then": then[0] if then else None}

    def make() -> tuple[Frames, dict[str, Any]]:
        frames, meta = layer_entry(read())
        meta["depends_on"] = _code_lists(meta["kind"], data)
        return frames, meta

    frames, meta = cache.entry(
        "layer", made_from, make, keep=lambda _, meta: meta["code_field"] is not None,
        fresh=lambda meta: meta["depends_on"] == _code_lists(meta["kind"], data))
    found = layer_from_entry(frames, meta)
    if found.built_from is None and role in (None, "footprints"):
        return _with_written_build(found, str(made_from["file"]), cache)
    return found


def _code_lists(kind: str | None, data: PathLike | None) -> dict[str, str]:
    """The fingerprints of the ONS code lists a layer's vintage notes were made from."""
    if kind is None:
        return {}
    return {str(path): file_digest(path) for path in code_list_files(kind, data)}


def read_table_cached(path: PathLike, *, cache: Cache, kind: str,
                      read: Callable[[Path], pd.DataFrame | pd.Series]
                      ) -> pd.DataFrame | pd.Series:
    """A lookup (:func:`~stpgeo.io.lookups.read_lookup`) or population table
    (:func:`~stpgeo.io.population.read_population`) read once per content of the file.

    The table comes back as it was read: its values and types, and its ``attrs`` (the
    file's name, its warnings, which columns hold codes).
    """
    path = Path(path)
    if not cache.enabled or not path.is_file():
        return read(path)

    def make() -> tuple[Frames, dict[str, Any]]:
        table = read(path)
        series = isinstance(table, pd.Series)
        frame = table.to_frame() if series else table
        return {"table": frame}, {"attrs": table.attrs, "series": series}

    frames, meta = cache.entry(kind, {"path": str(path), "file": file_digest(path)}, make)
    table = frames["table"]
    if meta["series"]:
        table = table.iloc[:, 0]
    table.attrs = dict(meta["attrs"])
    return table


def read_lookup_cached(path: PathLike, *, cache: Cache, role: str = "lookup") -> pd.DataFrame:
    """:func:`stpgeo.io.lookups.read_lookup` through the cache."""
    table = read_table_cached(path, cache=cache, kind="lookup",
                              read=lambda p: read_lookup(p, role=role))
    assert isinstance(table, pd.DataFrame)
    return table


def read_deprivation_cached(path: PathLike, *, cache: Cache) -> pd.DataFrame:
    """:func:`stpgeo.io.deprivation.read_deprivation` through the cache."""
    table = read_table_cached(path, cache=cache, kind="deprivation", read=read_deprivation)
    assert isinstance(table, pd.DataFrame)
    return table


def read_population_cached(path: PathLike, *, cache: Cache) -> pd.Series:
    """:func:`stpgeo.io.population.read_population` through the cache."""
    table = read_table_cached(path, cache=cache, kind="population", read=read_population)
    assert isinstance(table, pd.Series)
    return table
