"""A cache for repeated runs: work done on the same inputs is kept and not done again.

An analysis of England spends most of its time on work that depends only on its
inputs: reading, reprojecting and repairing the layers, cleaning the blocks'
coverage, building footprints, the ward × block overlap. stpgeo keeps the results
in the user's cache directory (:func:`cache_dir`: ``STPGEO_CACHE_DIR``, else
platformdirs' user cache folder, e.g. ``~/.cache/stpgeo``) as (Geo)Parquet files,
so that a second run on the same inputs takes seconds.

Each entry is keyed by what it was made from — the fingerprint of each input's
content (:mod:`stpgeo.io.fingerprint`, never a file's name or time alone), every
option that changes it, stpgeo's version, the fingerprint of stpgeo's own code and
the cache format — so a changed input or option simply finds no entry, and a new (or
edited) stpgeo starts afresh.
An entry is two files: ``KIND-KEY.parquet`` (the table; more parts as
``KIND-KEY.PART.parquet``) and ``KIND-KEY.json``, the manifest: what the entry was
made from, the fingerprint and size of every part, and any small metadata. Both
are written to temporary files and moved into place, manifest last, so a reader
never sees half an entry.

Within one process, the last few entries read of the kinds in :data:`IN_MEMORY` (the
layers, footprints and tables that a run reads again: an API call's inputs, then the
references checked when its results are written) are also kept in memory, and come
back as copies without their files being read and checked again.

Nothing the cache does can give a wrong answer or stop a run: an entry whose
manifest or parts are missing, truncated, corrupt or of another version is
ignored (with a :class:`CacheWarning` where something was wrong), removed, and
the work done afresh; a cache directory that cannot be written gives one warning
and the run goes on without it. ``--no-cache`` (``cache=False``) bypasses the
cache; ``stpgeo cache`` shows its size and ``stpgeo cache --clear`` empties it.

Examples
--------
>>> import pandas as pd, tempfile
>>> cache = Cache(Path(tempfile.mkdtemp()))
>>> make = lambda: pd.DataFrame({"a": [1, 2]})
>>> cache.frame("demo", {"input": "abc"}, make).equals(make())
True
>>> cache.size().entries
1
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import os
import shutil
import tempfile
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import shapely

from stpgeo._version import __version__
from stpgeo.io.cache_folder import ENV_VAR, CacheWarning, cache_dir
from stpgeo.io.digest import tree_digest
from stpgeo.io.fingerprint import file_digest, frame_digest, text_digest

__all__ = ["ENV_VAR", "Cache", "CacheSize", "CacheWarning", "cache_dir", "code_digest",
           "forget_in_memory"]

#: Bumped whenever the layout of entries changes: older entries are then ignored.
FORMAT = 2

Frames = dict[str, pd.DataFrame]
Entry = tuple[Frames, dict[str, Any]]

#: How many entries of each kind a process keeps in memory (the most recently used: for
#: layers, an analysis's wards, blocks and footprint file, which writing it reads again).
IN_MEMORY = {"layer": 3, "footprints": 4, "lookup": 4, "population": 2}
_MEMORY: OrderedDict[tuple[str, str, str], Entry] = OrderedDict()
_MEMORY_LOCK = threading.Lock()


def forget_in_memory() -> None:
    """Forget the entries this process holds in memory: the next reads go to the files, as
    in a new process."""
    with _MEMORY_LOCK:
        _MEMORY.clear()


def _copied(entry: Entry) -> Entry:
    """An entry's frames and metadata copied (polygons are shared: shapely's are immutable),
    so that what one caller changes another never sees."""
    frames, meta = entry
    return {name: frame.copy() for name, frame in frames.items()}, copy.deepcopy(meta)


@functools.cache
def code_digest() -> str:
    """The fingerprint of stpgeo's own Python files (computed once per process)."""
    package = Path(__file__).resolve().parents[1]
    return tree_digest(package, "*.py")


@dataclass(frozen=True)
class CacheSize:
    """How much the cache holds."""

    folder: Path
    entries: int
    bytes: int

    def __str__(self) -> str:
        return f"{self.folder}: {self.entries:,} entries, {self.bytes / 1e6:,.1f} MB"


@dataclass
class Cache:
    """The cache of one run (``folder`` None: no cache).

    Attributes
    ----------
    folder
        The cache directory, or None when the cache is off.
    hits, misses
        The kinds of entries found and made during the run, for summary.json.
    """

    folder: Path | None
    hits: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    _fingerprints: dict[int, tuple[pd.DataFrame, str]] = field(default_factory=dict,
                                                                repr=False)

    @classmethod
    def open(cls, enabled: bool = True) -> Cache:
        """The user's cache (:func:`cache_dir`), or no cache."""
        return cls(cache_dir() if enabled else None)

    @classmethod
    def of(cls, option: bool | Cache) -> Cache:
        """The cache a ``cache=`` argument asks for: the one given, the user's, or none."""
        return option if isinstance(option, Cache) else cls.open(option)

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def fingerprint(self, frame: gpd.GeoDataFrame) -> str:
        """The fingerprint of one of the run's frames (:func:`~stpgeo.io.fingerprint.frame_digest`),
        computed once per run: a run does not change its inputs."""
        known = self._fingerprints.get(id(frame))
        if known is None or known[0] is not frame:
            known = (frame, frame_digest(frame))
            self._fingerprints[id(frame)] = known
        return known[1]

    # -- keys and paths -------------------------------------------------------------
    @staticmethod
    def key(kind: str, parts: Mapping[str, object]) -> str:
        """The digest naming an entry: its kind, what it was made from, stpgeo's version and
        the fingerprint of its code (so that an edited stpgeo never reads what an earlier
        one kept, whatever its version number says)."""
        return text_digest({"kind": kind, "parts": dict(parts), "stpgeo": __version__,
                            "code": code_digest(), "format": FORMAT})

    def _paths(self, kind: str, key: str) -> tuple[Path, Path]:
        assert self.folder is not None
        stem = f"{kind}-{key}"
        return self.folder / f"{stem}.json", self.folder / stem

    # -- in memory ------------------------------------------------------------------
    def _recalled(self, kind: str, key: str) -> Entry | None:
        """A copy of the entry if this process holds it in memory."""
        with _MEMORY_LOCK:
            found = _MEMORY.get((str(self.folder), kind, key))
            if found is not None:
                _MEMORY.move_to_end((str(self.folder), kind, key))
        return None if found is None else _copied(found)

    def _memorise(self, kind: str, key: str, entry: Entry) -> None:
        """Hold a copy of an entry in memory, forgetting the least recently used of its kind
        beyond :data:`IN_MEMORY`."""
        if kind not in IN_MEMORY:
            return
        kept = _copied(entry)
        with _MEMORY_LOCK:
            _MEMORY[(str(self.folder), kind, key)] = kept
            same = [k for k in _MEMORY if k[1] == kind]
            for old in same[:-IN_MEMORY[kind]]:
                del _MEMORY[old]

    # -- reading --------------------------------------------------------------------
    def _read(self, kind: str, key: str) -> tuple[Frames, dict[str, Any]] | None:
        manifest_path, stem = self._paths(kind, key)
        try:
            if not manifest_path.is_file():
                return None
        except OSError as error:  # the directory cannot even be looked into
            self._give_up(f"cannot be read ({error})")
            return None
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            if manifest.get("format") != FORMAT or manifest.get("key") != key:
                raise ValueError("the manifest is of another entry or format")
            frames: Frames = {}
            for part, expected in manifest["parts"].items():
                path = stem.with_name(f"{stem.name}.{part}.parquet")
                if path.stat().st_size != expected["bytes"] or file_digest(path) != expected[
                        "digest"]:
                    raise ValueError(f"{path.name} is not the file the manifest describes")
                frames[part] = _read_frame(path, expected)
        except Exception as error:  # a broken entry must never stop a run
            self._drop(kind, key)
            warnings.warn(f"a cache entry was damaged and is computed afresh "
                          f"({manifest_path.name}: {error})", CacheWarning, stacklevel=4)
            return None
        return frames, manifest.get("meta", {})

    def _give_up(self, why: str) -> None:
        warnings.warn(f"the cache directory {self.folder} {why}; this run goes on without the "
                      "cache", CacheWarning, stacklevel=5)
        self.folder = None

    # -- writing --------------------------------------------------------------------
    def _write(self, kind: str, key: str, frames: Frames, meta: Mapping[str, Any],
               made_from: Mapping[str, object]) -> None:
        manifest_path, stem = self._paths(kind, key)
        staged: list[tuple[Path, Path]] = []
        try:
            stem.parent.mkdir(parents=True, exist_ok=True)
            described = {}
            for part, frame in frames.items():
                target = stem.with_name(f"{stem.name}.{part}.parquet")
                temporary = _temporary(target)
                _write_frame(frame, temporary)
                described[part] = {"bytes": temporary.stat().st_size,
                                   "digest": file_digest(temporary),
                                   "geo": _geo(frame),
                                   "object_columns": _object_columns(frame),
                                   "object_index": frame.index.dtype == object}
                staged.append((temporary, target))
            manifest = {"format": FORMAT, "key": key, "kind": kind, "stpgeo": __version__,
                        "made_from": {k: str(v) for k, v in made_from.items()},
                        "parts": described, "meta": dict(meta)}
            temporary = _temporary(manifest_path)
            temporary.write_text(json.dumps(manifest, default=str), encoding="utf-8")
            staged.append((temporary, manifest_path))
            for source, target in staged:  # parts first, the manifest last
                source.replace(target)
        except OSError as error:
            for source, _ in staged:
                source.unlink(missing_ok=True)
            self._give_up(f"cannot be written ({error})")

    def _drop(self, kind: str, key: str) -> None:
        manifest_path, stem = self._paths(kind, key)
        for path in [manifest_path, *stem.parent.glob(f"{stem.name}.*.parquet")]:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)

    # -- the interface --------------------------------------------------------------
    def entry(self, kind: str, made_from: Mapping[str, object],
              make: Callable[[], tuple[Frames, dict[str, Any]]], *,
              keep: Callable[[Frames, dict[str, Any]], bool] | None = None,
              fresh: Callable[[dict[str, Any]], bool] | None = None
              ) -> tuple[Frames, dict[str, Any]]:
        """The frames and metadata of an entry: from the cache, else made and kept.

        Parameters
        ----------
        kind
            What the entry is (``"layer"``, ``"overlaps"``...): a word in its file name.
        made_from
            What it is made from: fingerprints of inputs and every option that changes
            it (JSON-serialisable values).
        make
            Makes the entry: ``({part name: frame}, metadata)``; metadata must be
            JSON-serialisable.
        keep
            Whether an entry just made is worth keeping (default: always).
        fresh
            Whether an entry found is still valid, from its metadata (for entries that
            depend on files found only while making them); a stale one is made again.
        """
        if self.folder is None:
            return make()
        key = self.key(kind, made_from)
        recalled = self._recalled(kind, key)
        found = recalled if recalled is not None else self._read(kind, key)
        if found is not None and (fresh is None or fresh(found[1])):
            self.hits.append(kind)
            if recalled is None:
                self._memorise(kind, key, found)
            return found
        made = make()
        self.misses.append(kind)
        if self.folder is not None and (keep is None or keep(*made)):
            self._write(kind, key, made[0], made[1], made_from)
            if self.folder is not None:  # (written: what a read would give)
                self._memorise(kind, key, made)
        return made

    def find(self, kind: str, made_from: Mapping[str, object]
             ) -> tuple[Frames, dict[str, Any]] | None:
        """The frames and metadata of an entry if the cache holds it, else None (nothing
        is made: for entries another run leaves, such as a build's record)."""
        if self.folder is None:
            return None
        return self._read(kind, self.key(kind, made_from))

    def keep(self, kind: str, made_from: Mapping[str, object], frames: Frames,
             meta: Mapping[str, Any]) -> None:
        """Keep an entry made elsewhere (replacing one of the same key)."""
        if self.folder is not None:
            self._write(kind, self.key(kind, made_from), frames, meta, made_from)

    def frame(self, kind: str, made_from: Mapping[str, object],
              make: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """One (Geo)DataFrame: from the cache, else made and kept (see :meth:`entry`)."""
        frames, _ = self.entry(kind, made_from, lambda: ({"table": make()}, {}))
        return frames["table"]

    def size(self) -> CacheSize:
        """How many entries the cache holds and how many bytes."""
        folder = self.folder or cache_dir()
        try:
            files = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
        except OSError:
            files = []
        # an entry: a table's manifest, or a replayable command's (stpgeo.io.replay)
        manifests = [p for p in files if p.suffix == ".json" and (
            p.parent == folder or p.name == "manifest.json")]
        return CacheSize(folder, len(manifests), sum(p.stat().st_size for p in files))

    def clear(self) -> CacheSize:
        """Remove every entry (and forget those held in memory); return what was removed."""
        with _MEMORY_LOCK:
            for held in [k for k in _MEMORY if k[0] == str(self.folder or cache_dir())]:
                del _MEMORY[held]
        size = self.size()
        if size.folder.is_dir():
            for path in size.folder.iterdir():
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
        return size


def _temporary(target: Path) -> Path:
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    return Path(name)


def _write_frame(frame: pd.DataFrame, path: Path) -> None:
    frame.to_parquet(path, index=True)  # GeoParquet for a GeoDataFrame


def _object_columns(frame: pd.DataFrame) -> dict[str, str]:
    """The columns of plain Python objects, and how each writes a missing value (Parquet
    has one null: both come back as None)."""
    found = {}
    for column in frame.columns:
        if frame[column].dtype == object and column != getattr(frame, "_geometry_column_name",
                                                              None):
            values = frame[column]
            missing = values[values.isna()].tolist()
            found[str(column)] = ("nan" if any(isinstance(v, float) for v in missing)
                                  else "none")
    return found


def _geo(frame: pd.DataFrame) -> dict[str, Any] | None:
    """For a GeoDataFrame: its geometry column, CRS and column order."""
    if not isinstance(frame, gpd.GeoDataFrame):
        return None
    crs = frame.crs
    return {"column": frame.geometry.name, "columns": [str(c) for c in frame.columns],
            "crs": None if crs is None else (f"EPSG:{crs.to_epsg()}" if crs.to_epsg()
                                             else crs.to_wkt())}


def _read_frame(path: Path, described: Mapping[str, Any]) -> pd.DataFrame:
    table = pq.read_table(path)
    geo = described.get("geo")
    if geo:  # (GeoParquet, its geometries decoded here: faster than geopandas.read_parquet)
        name = geo["column"]
        geometry = shapely.from_wkb(table.column(name).to_numpy(zero_copy_only=False))
        rest = table.drop_columns([name]).to_pandas()
        frame: pd.DataFrame = gpd.GeoDataFrame(
            rest, geometry=gpd.GeoSeries(geometry, index=rest.index, crs=geo["crs"], name=name),
            crs=geo["crs"])[geo["columns"]]
    else:
        frame = table.to_pandas()
    if described.get("object_index"):
        frame.index = frame.index.astype(object)
    for column, missing in described.get("object_columns", {}).items():
        values = frame[column].astype(object)
        frame[column] = values.where(values.notna(), np.nan) if missing == "nan" else values
    return frame
