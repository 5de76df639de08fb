"""Each vintage's tables kept in the cache, so that a timeline run again reads them.

A vintage's tables (:class:`~stpgeo.analysis.timeline.vintage.VintageResult`: the pieces,
verdicts, councils, home footprints...) follow from two things only: the work on the
wards that every vintage of a generation shares (the block × ward overlap table, each
block's ward and residents, the wards' codes and areas) and the vintage's own maps (each
block's footprint and council). :func:`work_digest` fingerprints the first once per
generation; :func:`kept_vintage` adds the second and the tolerance, and reads the
tables from the cache (:mod:`stpgeo.io.cache`) or makes them with
:func:`~stpgeo.analysis.timeline.vintage.run_vintage` and keeps them. A changed input,
lookup, tolerance or stpgeo finds no entry and is computed afresh.

Examples
--------
>>> from stpgeo.io.cache import Cache
>>> cache = Cache(None)  # no cache: the tables are made, as run_vintage makes them
>>> kept_vintage(cache, "work", work, vmap, shared, areas, tolerance=0.05)  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import numpy as np
import pandas as pd

from stpgeo.analysis.run import WardWork
from stpgeo.analysis.timeline.maps import VintageMap
from stpgeo.analysis.timeline.vintage import (
    VintageResult,
    lookup_blocks,
    run_vintage,
    vintage_blocks,
)
from stpgeo.io.cache import Cache, Frames
from stpgeo.io.fingerprint import table_digest, text_digest

#: The tables of a result kept as frames, and those kept as Series. The two tables of
#: one row per block (``blocks``, ``every``) are not kept: they are the vintage's maps
#: beside the shared block table, made again in milliseconds, and as read from Parquet
#: their codes would be new strings for every block of every vintage (hundreds of MB).
FRAMES = ("pieces", "ward_council", "verdicts", "councils")
SERIES = ("homes", "footprint_population")
#: Columns (or Series) holding lists of codes, which Parquet gives back as arrays.
LISTS = {"verdicts": "home_footprint_codes", "homes": "values"}
assert {f.name for f in fields(VintageResult)} == {"map", "checks", "blocks", "every",
                                                   *FRAMES, *SERIES}


def work_digest(work: WardWork, shared: pd.DataFrame, areas: pd.Series) -> str:
    """The fingerprint of what every vintage of a generation shares: the block × ward
    table, each block's ward and residents (``shared``), the wards' codes, kind and areas,
    and the population of every block."""
    assert work.block_overlaps is not None, "a timeline needs blocks"
    population = work.inputs.population
    return text_digest({
        "block_overlaps": table_digest(work.block_overlaps), "shared": table_digest(shared),
        "areas": table_digest(areas), "wards": table_digest(work.wards.gdf["code"]),
        "kind": work.wards.kind,
        "population": None if population is None else table_digest(population)})


def kept_vintage(cache: Cache, shared_digest: str, work: WardWork, vmap: VintageMap,
                 shared: pd.DataFrame, areas: pd.Series, *, tolerance: float) -> VintageResult:
    """One vintage's tables (:func:`~stpgeo.analysis.timeline.vintage.run_vintage`), read
    from the cache when it holds them.

    Parameters
    ----------
    cache
        The run's cache (off: the tables are made).
    shared_digest
        :func:`work_digest` of ``work``, ``shared`` and ``areas``.
    work, vmap, shared, areas, tolerance
        As :func:`~stpgeo.analysis.timeline.vintage.run_vintage` takes them.
    """
    made: list[VintageResult] = []  # the result itself, when it is made here

    def make() -> tuple[Frames, dict[str, Any]]:
        result = run_vintage(work, vmap, shared, areas, tolerance=tolerance)
        made.append(result)
        frames: Frames = {name: getattr(result, name) for name in FRAMES}
        frames.update({name: getattr(result, name).to_frame("values") for name in SERIES})
        names = {name: getattr(result, name).name for name in SERIES}
        return frames, {"checks": result.checks, "names": names}

    if not cache.enabled:
        return run_vintage(work, vmap, shared, areas, tolerance=tolerance)
    made_from = {"work": shared_digest, "footprints": table_digest(vmap.footprints),
                 "councils": table_digest(vmap.councils), "tolerance": tolerance}
    frames, meta = cache.entry("vintage", made_from, make)
    if made:
        return made[0]
    for part, column in LISTS.items():
        frames[part] = frames[part].assign(**{column: _as_lists(frames[part][column])})
    series = {name: frames[name]["values"].rename(meta["names"][name]) for name in SERIES}
    return VintageResult(map=vmap, checks=meta["checks"], blocks=vintage_blocks(shared, vmap),
                         every=lookup_blocks(vmap, work.inputs.population),
                         **{name: frames[name] for name in FRAMES}, **series)


def _as_lists(values: pd.Series) -> pd.Series:
    """A column of lists as run_vintage makes it (Parquet gives lists back as arrays)."""
    return pd.Series([list(v) if isinstance(v, np.ndarray | list) else v for v in values],
                     index=values.index, dtype=object)
