"""Alignment through time: every footprint vintage against the same councils and wards.

:func:`timeline` builds, for each footprint vintage the data directory can build
(CCG15, CCG16, CCG17, STP17, CCG18, STP18, CCG21, STP21, SICBL22, ICB22) and for
each proposal, which councils and wards lie outside their home footprints — from
tables, not overlays:

1. inputs read once: the wards, the 2011 LSOAs, one population table for every
   vintage (so that vintages are comparable), the block → ward lookup (ONS 114 for
   the default wards) and each vintage's exact LSOA lookup
   (:mod:`~stpgeo.analysis.timeline.maps`); proposals checked
   (:mod:`~stpgeo.analysis.timeline.proposals`) — all before any overlay;
2. the block × ward overlap table and each block's ward, once
   (:func:`~stpgeo.analysis.run.prepare_wards`). With ``council`` and without
   ``england`` only the wards of those councils and of the councils sharing a
   footprint with them in any vintage are overlaid;
3. per vintage, the pieces, councils, home footprints and verdicts by aggregation
   (:mod:`~stpgeo.analysis.timeline.vintage`);
4. the tables (:mod:`~stpgeo.analysis.timeline.tables`) and the
   :class:`~stpgeo.analysis.timeline.result.Timeline` holding them.

Footprint geometry is built only for maps, and only for the area shown
(:mod:`~stpgeo.analysis.timeline.as_analysis`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import shapely

from stpgeo._types import LayerInput, LookupInput, PathLike, PopulationInput
from stpgeo._version import __version__
from stpgeo.analysis.inputs import Inputs, read_inputs
from stpgeo.analysis.matching import match_inputs
from stpgeo.analysis.options import AnalysisOptions
from stpgeo.analysis.run import WardWork, prepare_wards
from stpgeo.analysis.timeline.maps import VintageMap, neighbours, resolve_councils, vintage_map
from stpgeo.analysis.timeline.proposals import Proposal, ProposalInput, proposal_map, read_proposal
from stpgeo.analysis.timeline.result import Timeline, TimelineState
from stpgeo.analysis.timeline.tables import (
    changes_table,
    council_rows,
    moves_table,
    trend_rows,
    ward_rows,
)
from stpgeo.analysis.timeline.vintage import VintageResult, run_vintage, ward_areas, ward_blocks
from stpgeo.errors import StpgeoError, preview
from stpgeo.io.cache import Cache
from stpgeo.io.cached import read_lookup_cached
from stpgeo.io.catalogue import load_catalogue
from stpgeo.io.layer import Layer
from stpgeo.io.vintages import FootprintVintage, choose_vintages, order_key
from stpgeo.io.write import check_destination
from stpgeo.progress import Timer, announce

#: The catalogue's default inputs: (section, key).
DEFAULTS = {"wards": ("layers", "wards_dec2013"), "blocks": ("layers", "lsoa_2011"),
            "population": ("population", "lsoa11_mid2017"), "block_wards": ("lookups", "114")}


def _vintages(given: str | Sequence[str | FootprintVintage] | None, data: PathLike | None
              ) -> list[FootprintVintage]:
    if given is not None and not isinstance(given, str) \
            and all(isinstance(v, FootprintVintage) for v in given):
        return sorted(given, key=order_key)  # type: ignore[arg-type]
    names = given if given is None or isinstance(given, str) else [str(v) for v in given]
    return choose_vintages(names, data=data)


def _default(value: Any, role: str, data: PathLike | None) -> Any:
    """A value given, else the catalogue's product for the role (its path)."""
    if value is not None:
        return value
    section, key = DEFAULTS[role]
    return load_catalogue().path(section, key, data)


def _lookup_tables(vintages: Sequence[FootprintVintage], given: Mapping[str, pd.DataFrame],
                   data: PathLike | None, timer: Timer, cache: Cache) -> dict[str, pd.DataFrame]:
    """Each vintage's lookup, read once (or as given, by catalogue key)."""
    tables = dict(given)
    catalogue = load_catalogue()
    for key in dict.fromkeys(v.lookup for v in vintages):
        if key not in tables:
            path = catalogue.path("lookups", key, data)
            with timer(f"reading {path.name}"):
                tables[key] = read_lookup_cached(path, cache=cache)
    return tables


def area_wards(wards: Layer, blocks: Layer, block_codes: set[str]) -> Layer:
    """The wards meeting some blocks (all of a few councils' blocks): those to overlay."""
    polygons = blocks.polygons
    chosen = np.asarray(polygons.geometry.values[polygons["code"].isin(block_codes).to_numpy()])
    ward_polygons = wards.polygons
    tree = shapely.STRtree(np.asarray(ward_polygons.geometry.values))
    hits = np.unique(tree.query(chosen, predicate="intersects")[1])
    keep = wards.gdf.index.isin(ward_polygons.index[hits])
    return replace(wards, gdf=wards.gdf[keep],
                   notes=[*wards.notes, f"{int(keep.sum()):,} of {len(wards):,} wards meeting "
                          "the blocks of the councils asked and their neighbours"])


def _prepare(inputs: Inputs, *, area: set[str] | None, maps: Sequence[VintageMap],
             timer: Timer, cache: Cache) -> WardWork:
    """The work on the wards, once: restricted to the area's wards, matched, overlaid."""
    assert inputs.blocks is not None
    if area is not None:
        codes = {b for m in maps for b, c in m.councils.items() if c in area}
        inputs = replace(inputs, wards=area_wards(inputs.wards, inputs.blocks, codes))
    matches = match_inputs(inputs, council_field=None)
    return prepare_wards(inputs, matches, timer, cache=cache)


def _summary(work: WardWork, maps: Sequence[VintageMap], results: Mapping[str, VintageResult],
             *, councils: Sequence[str], area: set[str] | None, england: bool,
             tolerance: float, timer: Timer) -> dict[str, Any]:
    population = work.inputs.population
    assert population is not None
    assert work.inputs.blocks is not None
    warnings = [f"{m.name}: {m.notes['blocks_not_in_lookup']:,} blocks are not in its lookup "
                f"({m.source}) and belong to no footprint"
                for m in maps if m.notes["blocks_not_in_lookup"]]
    warnings += [f"{r.name}: {r.checks['blocks_without_population']:,} blocks of the lookup "
                 "have no population figure (counted as 0)"
                 for r in results.values() if r.checks["blocks_without_population"]]
    unknown = {n: int((r.ward_council["council_method"] == "unknown").sum())
               for n, r in results.items()}
    warnings += [f"{n}: {k:,} wards have no known council" for n, k in unknown.items() if k]
    return {
        "stpgeo_version": __version__,
        "scope": {"england": england, "councils": list(councils),
                  "area_councils": sorted(area) if area is not None else None,
                  "wards_analysed": len(work.wards)},
        "inputs": {
            "wards": work.wards.summary(), "blocks": work.inputs.blocks.summary(),
            "population": {"source": str(population.attrs.get("source", "Series")),
                           "blocks": len(population), "residents": int(population.sum())},
            "lookups": work.notes,
            "vintages": {m.name: {"title": m.vintage.title, "level": m.vintage.level,
                                  "date": m.vintage.date.isoformat() if m.vintage.date else None,
                                  "proposal": m.vintage.proposal, **m.notes} for m in maps},
        },
        "parameters": {"tolerance": tolerance, "tolerance_measure": "population",
                       "crs": "EPSG:27700"},
        "checks": {n: r.checks for n, r in results.items()},
        "warnings": warnings,
        "timings_s": dict(timer.seconds),
    }


def _proposals(proposals: ProposalInput | Sequence[ProposalInput],
               vintages: Sequence[FootprintVintage]) -> list[Proposal]:
    """The proposals read and checked, their names unlike each other's and the vintages'."""
    listed: Sequence[ProposalInput] = (
        proposals if isinstance(proposals, Sequence) and not isinstance(proposals, str)
        else [proposals])
    given = [read_proposal(p) for p in listed]
    taken = {v.name.upper() for v in vintages}
    names = [p.name for p in given]
    clash = [n for n in names if n.upper() in taken]
    if clash or len({n.upper() for n in names}) < len(names):
        raise StpgeoError(f"proposal names must differ from each other and from the vintages: "
                          f"{preview(clash or names)}", fix="rename the proposal files")
    return given


def _read(wards: LayerInput | None, blocks: LayerInput | None,
          population: PopulationInput | None, block_wards: LookupInput | None,
          lookups: Mapping[str, pd.DataFrame], *, vintages: Sequence[FootprintVintage],
          data: PathLike | None, timer: Timer, cache: Cache
          ) -> tuple[Inputs, dict[str, pd.DataFrame]]:
    """Every input read once (the catalogue's by default), and each vintage's lookup."""
    if block_wards is None and wards is None:  # lookup 114 fits the default wards only
        block_wards = lookups.get("114", _default(None, "block_wards", data))
    tables = _lookup_tables(vintages, lookups, data, timer, cache)
    options = AnalysisOptions(blocks=_default(blocks, "blocks", data),
                              population=_default(population, "population", data),
                              block_wards=block_wards)
    with timer("reading inputs"):
        inputs = read_inputs(_default(wards, "wards", data), {}, options, cache=cache)
    return inputs, tables


def _assemble(work: WardWork, maps: Sequence[VintageMap], results: dict[str, VintageResult],
              shared: pd.DataFrame, *, councils: list[str], area: set[str] | None,
              england: bool, tolerance: float, timer: Timer) -> Timeline:
    """The timeline's tables from each vintage's results."""
    scope = None if england else councils
    ward_names = work.wards.gdf.set_index("code")["name"]
    ward_table = pd.concat([ward_rows(r, ward_names, scope) for r in results.values()],
                           ignore_index=True)
    placed = shared.dropna(subset=["ward"])
    residents = placed["population"].groupby(placed["ward"]).sum(min_count=1)
    return Timeline(
        timeline=pd.concat([council_rows(r, scope) for r in results.values()],
                           ignore_index=True),
        ward_timeline=ward_table,
        changes=changes_table(ward_table, [m.vintage for m in maps], residents),
        trend=pd.concat([trend_rows(r, councils) for r in results.values()],
                        ignore_index=True),
        moves=moves_table(list(results.values()), wards=shared["ward"], ward_names=ward_names),
        vintages=[m.vintage for m in maps], councils=councils, england=england,
        summary=_summary(work, maps, results, councils=councils, area=area, england=england,
                         tolerance=tolerance, timer=timer),
        state=TimelineState(work=work, results=results, maps={m.name: m for m in maps},
                            tolerance=tolerance))


def timeline(council: str | Sequence[str] | None = None, *, england: bool = False,
             vintages: str | Sequence[str | FootprintVintage] | None = None,
             proposals: ProposalInput | Sequence[ProposalInput] = (),
             wards: LayerInput | None = None, blocks: LayerInput | None = None,
             population: PopulationInput | None = None, block_wards: LookupInput | None = None,
             lookups: Mapping[str, pd.DataFrame] | None = None, tolerance: float = 0.05,
             data: PathLike | None = None, out: PathLike | None = None,
             cache: bool = True) -> Timeline:
    """How councils and their wards line up with every footprint vintage, and proposals.

    Parameters
    ----------
    council
        Councils to follow (codes or names, e.g. ``"Birmingham"``). Without
        ``england`` only their wards and their neighbours' are analysed.
    england
        Tables for every council and ward of England.
    vintages
        Names (``"CCG17,STP17,ICB22"``) or :class:`~stpgeo.io.vintages.FootprintVintage`
        objects; by default every vintage the data directory's catalogue can build.
    proposals
        Proposed footprint maps (CSV files, tables or
        :class:`~stpgeo.analysis.timeline.proposals.Proposal`), each one more vintage.
    wards, blocks, population, block_wards
        The inputs (layers, files or tables); by default the catalogue's 2013 wards,
        2011 LSOAs, mid-2017 population and, for the default wards, ONS lookup 114.
    lookups
        Lookups already read, by catalogue key (``{"143": table}``): not read again.
    tolerance
        Pieces under this share of a ward's residents are slivers.
    data
        The data directory (default: see :func:`stpgeo.data_dir`).
    out
        Also write the result folder here (see :meth:`Timeline.write`).
    cache
        Reuse the work of earlier runs on the same files (:mod:`stpgeo.io.cache`): the
        layers read and cleaned, the lookups, the wards × blocks overlap; False computes
        everything afresh.

    Returns
    -------
    Timeline
        ``timeline``, ``ward_timeline``, ``changes``, ``trend`` and ``moves`` as
        DataFrames (see :mod:`stpgeo.analysis.timeline.tables`).

    Examples
    --------
    >>> history = timeline("Birmingham")  # doctest: +SKIP
    >>> history.timeline[["vintage", "population_outside_home"]]  # doctest: +SKIP
    """
    if out is not None:
        check_destination(out, folder=True)
    AnalysisOptions(tolerance=tolerance)  # checked at once: a tolerance outside 0..0.5
    chosen = _vintages(vintages, data)
    given = _proposals(proposals, chosen)
    timer, store = Timer(), Cache.open(cache)
    inputs, tables = _read(wards, blocks, population, block_wards, lookups or {},
                           vintages=chosen, data=data, timer=timer, cache=store)
    columns: dict[str, str] = {}  # each lookup's column of block codes, found once
    maps = []
    for vintage in chosen:
        maps.append(vintage_map(tables[vintage.lookup], vintage, block_codes=inputs.block_codes,
                                block_column=columns.get(vintage.lookup)))
        columns[vintage.lookup] = maps[-1].block_column
    maps += [proposal_map(p, maps) for p in given]
    codes = resolve_councils([council] if isinstance(council, str) else list(council or []),
                             maps)
    area = None if england or not codes else neighbours(maps, codes)
    work = _prepare(inputs, area=area, maps=maps, timer=timer, cache=store)
    shared, areas = ward_blocks(work), ward_areas(work)
    results: dict[str, VintageResult] = {}
    for i, vmap in enumerate(maps, 1):
        announce(f"vintage {i} of {len(maps)}: {vmap.vintage.title} ({vmap.name})")
        with timer(f"vintage {vmap.name}"):
            results[vmap.name] = run_vintage(work, vmap, shared, areas, tolerance=tolerance)
    result = _assemble(work, maps, results, shared, councils=codes, area=area,
                       england=england or not codes, tolerance=tolerance, timer=timer)
    if out is not None:
        result.write(out)
    return result
