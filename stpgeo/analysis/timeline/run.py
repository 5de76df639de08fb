"""Alignment through time: every footprint vintage against the councils and wards of its time.

:func:`timeline` builds, for each footprint vintage the data directory can build (CCG15
… ICB22 from the 2011 LSOAs, SICBL24 … ICB26 from the 2021 LSOAs) and for each proposal,
which councils and wards lie outside their home footprints — from tables, not overlays:

1. inputs read once per generation of blocks (:mod:`.inputs`): its wards, LSOAs,
   residents, block → ward lookup and deprivation; each vintage's exact LSOA lookup
   (:mod:`.maps`); proposals checked (:mod:`.proposals`) — all before any overlay;
2. per generation, the block × ward overlap table and each block's ward, once
   (:func:`~stpgeo.analysis.run.prepare_wards`). With ``council`` and without
   ``england`` only the wards of those councils (followed through their predecessors
   and successors, :mod:`.succession`) and of the councils sharing a footprint with them
   in any vintage are overlaid;
3. per vintage, the pieces, councils, home footprints and verdicts by aggregation
   (:mod:`.vintage`), kept in the cache (:mod:`.kept`): a timeline run again reads them;
4. the tables (:mod:`.tables`, :mod:`.moves`, :mod:`.affected`), across the change of
   blocks through ONS's LSOA bridge (:mod:`.bridge`), and the
   :class:`~stpgeo.analysis.timeline.result.Timeline` holding them.

Footprint geometry is built only for maps, and only for the area shown
(:mod:`.as_analysis`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from stpgeo._types import LayerInput, LookupInput, PathLike, PopulationInput, TableInput
from stpgeo._version import __version__
from stpgeo.analysis.inputs import Inputs
from stpgeo.analysis.matching import match_inputs
from stpgeo.analysis.options import AnalysisOptions
from stpgeo.analysis.run import WardWork, prepare_wards
from stpgeo.analysis.timeline.affected import DEPRIVATION, deprivation_rows
from stpgeo.analysis.timeline.bridge import Bridge, bridge_from, predecessors
from stpgeo.analysis.timeline.inputs import GenerationInputs, Given, read_generations
from stpgeo.analysis.timeline.kept import kept_vintage, work_digest
from stpgeo.analysis.timeline.maps import VintageMap, neighbours, resolve_councils, vintage_map
from stpgeo.analysis.timeline.moves import moves_table
from stpgeo.analysis.timeline.proposals import (
    Proposal,
    ProposalInput,
    proposal_map,
    read_proposal,
)
from stpgeo.analysis.timeline.result import Timeline, TimelineState
from stpgeo.analysis.timeline.succession import Succession, council_succession
from stpgeo.analysis.timeline.tables import (
    changes_table,
    council_rows,
    trend_rows,
    vintage_rows,
    ward_rows,
)
from stpgeo.analysis.timeline.vintage import VintageResult, ward_areas, ward_blocks
from stpgeo.errors import StpgeoError, preview
from stpgeo.io.cache import Cache
from stpgeo.io.cached import read_lookup_cached
from stpgeo.io.catalogue import load_catalogue
from stpgeo.io.generations import generation_defaults
from stpgeo.io.layer import Layer
from stpgeo.io.lookups import name_column
from stpgeo.io.vintages import FootprintVintage, choose_vintages, order_key
from stpgeo.io.write import check_destination
from stpgeo.ons.generations import LSOA11, LSOA21, Generation
from stpgeo.progress import Timer, announce


def _vintages(given: str | Sequence[str | FootprintVintage] | None, data: PathLike | None
              ) -> list[FootprintVintage]:
    if given is not None and not isinstance(given, str) \
            and all(isinstance(v, FootprintVintage) for v in given):
        return sorted(given, key=order_key)  # type: ignore[arg-type]
    names = given if given is None or isinstance(given, str) else [str(v) for v in given]
    return choose_vintages(names, data=data)


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
    """The work on a generation's wards, once: restricted to the area's, matched, overlaid."""
    assert inputs.blocks is not None
    if area is not None:
        codes = {b for m in maps for b, c in m.councils.items() if c in area}
        inputs = replace(inputs, wards=area_wards(inputs.wards, inputs.blocks, codes))
    matches = match_inputs(inputs, council_field=None)
    return prepare_wards(inputs, matches, timer, cache=cache)


def _residents(source: GenerationInputs) -> str:
    """The name of a generation's population table, for the outputs."""
    population = source.inputs.population
    assert population is not None
    return Path(str(population.attrs.get("source", "population table"))).name


def _summary(works: Mapping[Generation, WardWork], sources: Mapping[Generation,
             GenerationInputs], maps: Sequence[VintageMap],
             results: Mapping[str, VintageResult], *, councils: Sequence[str],
             succession: Succession, area: Mapping[Generation, set[str] | None],
             england: bool, tolerance: float, bridge: Bridge | None,
             timer: Timer) -> dict[str, Any]:
    warnings = [f"{m.name}: {m.notes['blocks_not_in_lookup']:,} blocks are not in its lookup "
                f"({Path(m.source).name}) and belong to no footprint"
                for m in maps if m.notes["blocks_not_in_lookup"]]
    warnings += [f"{r.name}: {r.checks['blocks_without_population']:,} blocks of the lookup "
                 "have no population figure (counted as 0)"
                 for r in results.values() if r.checks["blocks_without_population"]]
    unknown = {n: int((r.ward_council["council_method"] == "unknown").sum())
               for n, r in results.items()}
    warnings += [f"{n}: {k:,} wards have no known council" for n, k in unknown.items() if k]
    generations = {}
    for generation, work in works.items():
        inputs = work.inputs
        assert inputs.population is not None
        assert inputs.blocks is not None
        deprivation = sources[generation].deprivation
        generations[generation.key] = {
            "title": generation.title, "wards": work.wards.summary(),
            "blocks": inputs.blocks.summary(),
            "population": {"source": str(inputs.population.attrs.get("source", "Series")),
                           "blocks": len(inputs.population),
                           "residents": int(inputs.population.sum())},
            "deprivation": None if deprivation is None else {
                "source": str(deprivation.attrs.get("source", "table")),
                "indices": [str(c) for c in deprivation.columns]},
            "lookups": work.notes, "given": sources[generation].notes["given"],
            "area_councils": _sorted(area[generation]), "wards_analysed": len(work.wards)}
    return {
        "stpgeo_version": __version__,
        "scope": {"england": england, "councils": list(councils),
                  "lineages": {c: succession.lineage(c) for c in councils}},
        "inputs": {
            "generations": generations,
            "vintages": {m.name: {"title": m.vintage.title, "level": m.vintage.level,
                                  "date": m.vintage.date.isoformat() if m.vintage.date else None,
                                  "generation": m.vintage.generation.key,
                                  "reconstructed": m.vintage.reconstructed,
                                  "proposal": m.vintage.proposal, **m.notes} for m in maps},
            "bridge": None if bridge is None else {"file": bridge.source,
                                                   "lsoa21_from": bridge.counts()},
            "successions": {c: {"became": s, "when": succession.when[c]}
                            for c, s in succession.became.items()},
        },
        "parameters": {"tolerance": tolerance, "tolerance_measure": "population",
                       "crs": "EPSG:27700"},
        "checks": {n: r.checks for n, r in results.items()},
        "warnings": warnings,
        "timings_s": dict(timer.seconds),
    }


def _sorted(codes: set[str] | None) -> list[str] | None:
    return sorted(codes) if codes is not None else None


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


def _between(sources: Mapping[Generation, GenerationInputs], data: PathLike | None,
             cache: Cache) -> tuple[Bridge | None, pd.Series | None, str | None]:
    """How the generations meet, when both are built: the LSOA bridge, and the councils of
    2022 → 2023 with the date they took effect."""
    if not {LSOA11, LSOA21} <= set(sources):
        return None, None, None
    keys, catalogue = generation_defaults(LSOA21), load_catalogue()
    table = read_lookup_cached(catalogue.path("lookups", keys["bridge"], data), cache=cache)
    bridge = bridge_from(table, sources[LSOA11].inputs.population)
    entry = catalogue.lookups.get(keys.get("successors", ""), {})
    try:
        path = catalogue.path("lookups", keys["successors"], data)
    except (StpgeoError, KeyError):
        return bridge, None, None
    successors = read_lookup_cached(path, cache=cache)
    mapping = successors.drop_duplicates("LAD22CD").set_index("LAD22CD")["LAD23CD"]
    date = entry.get("date")
    return bridge, mapping, (f"{date.day} {date:%B %Y}" if date is not None else None)


def _scopes(councils: Sequence[str], succession: Succession
            ) -> dict[str, tuple[str, list[str]]]:
    """Each council asked → (its name, its lineage)."""
    return {c: (succession.names.get(c, c), succession.lineage(c)) for c in councils}


def _assemble(works: dict[Generation, WardWork], sources: dict[Generation, GenerationInputs],
              maps: Sequence[VintageMap], results: dict[str, VintageResult],
              shared: dict[Generation, pd.DataFrame], *, councils: list[str],
              succession: Succession, area: dict[Generation, set[str] | None],
              england: bool, tolerance: float, bridge: Bridge | None,
              timer: Timer) -> Timeline:
    """The timeline's tables from each vintage's results."""
    scopes = _scopes(councils, succession)
    members = None if england else {c for _, lineage in scopes.values() for c in lineage}
    names = {g: w.wards.gdf.drop_duplicates("code").set_index("code")["name"]
             for g, w in works.items()}
    ward_table = pd.concat([ward_rows(r, names[r.map.vintage.generation], members)
                            for r in results.values()], ignore_index=True)
    residents = {}
    for generation, table in shared.items():
        placed = table.dropna(subset=["ward"])
        residents[generation] = placed["population"].groupby(placed["ward"]).sum(min_count=1)
    previous = None
    if bridge is not None:
        previous = predecessors(bridge, old_wards=shared[LSOA11]["ward"].dropna(),
                                new_wards=shared[LSOA21]["ward"].dropna(),
                                population=works[LSOA21].inputs.population)
    titles = {g: _residents(s) for g, s in sources.items()}
    deprivation = [deprivation_rows(r, sources[r.map.vintage.generation].deprivation, scopes)
                   for r in results.values()
                   if sources[r.map.vintage.generation].deprivation is not None]
    return Timeline(
        timeline=pd.concat([council_rows(r, members) for r in results.values()],
                           ignore_index=True),
        ward_timeline=ward_table,
        changes=changes_table(ward_table, [m.vintage for m in maps], residents,
                              predecessors=previous),
        trend=pd.concat([trend_rows(r, scopes, residents=titles[r.map.vintage.generation])
                         for r in results.values()], ignore_index=True),
        moves=moves_table(list(results.values()),
                          wards={g: t["ward"] for g, t in shared.items()},
                          ward_names=names, bridge=bridge),
        deprivation=(pd.concat(deprivation, ignore_index=True) if deprivation
                     else pd.DataFrame(columns=DEPRIVATION)),
        vintage_table=vintage_rows(maps, titles),
        vintages=[m.vintage for m in maps], councils=councils, england=england,
        summary=_summary(works, sources, maps, results, councils=councils,
                         succession=succession, area=area, england=england,
                         tolerance=tolerance, bridge=bridge, timer=timer),
        state=TimelineState(works=works, results=results, maps={m.name: m for m in maps},
                            tolerance=tolerance, succession=succession, blocks=shared,
                            deciles={g: s.deprivation for g, s in sources.items()}))


def _maps(vintages: Sequence[FootprintVintage], tables: Mapping[str, pd.DataFrame],
          sources: Mapping[Generation, GenerationInputs],
          proposals: Sequence[Proposal]) -> list[VintageMap]:
    """Each vintage's maps (each lookup's block column found once), then the proposals'."""
    columns: dict[str, str] = {}
    maps = []
    for vintage in vintages:
        blocks = sources[vintage.generation].inputs.block_codes
        maps.append(vintage_map(tables[vintage.lookup], vintage, block_codes=blocks,
                                block_column=columns.get(vintage.lookup)))
        columns[vintage.lookup] = maps[-1].block_column
    maps = with_council_names(maps, sources)
    return maps + [proposal_map(p, maps) for p in proposals]


def with_council_names(maps: list[VintageMap],
                       sources: Mapping[Generation, GenerationInputs]) -> list[VintageMap]:
    """The maps with the names of their councils, from the other vintages' lookups and the
    block → ward lookups where a lookup has none (the April 2026 one has no LAD24NM)."""
    pool: dict[str, str] = {}
    for source in sources.values():
        table = source.inputs.block_wards
        if table is not None:
            for column in table.columns:
                named = name_column(table, column) if str(column).upper().startswith(
                    "LAD") else None
                if named:
                    pool.update(zip(table[column], table[named], strict=True))
    for vmap in maps:
        pool.update({str(k): str(v) for k, v in vmap.council_names.items()})
    found = []
    for vmap in maps:
        codes = vmap.councils.dropna().unique()
        missing = [c for c in codes if c not in vmap.council_names.index]
        if missing:
            names = pd.concat([vmap.council_names, pd.Series(
                {c: pool[c] for c in missing if c in pool}, dtype=object)])
            vmap = replace(vmap, council_names=names)
        found.append(vmap)
    return found


def timeline(council: str | Sequence[str] | None = None, *, england: bool = False,
             vintages: str | Sequence[str | FootprintVintage] | None = None,
             proposals: ProposalInput | Sequence[ProposalInput] = (),
             wards: LayerInput | None = None, blocks: LayerInput | None = None,
             population: PopulationInput | None = None, block_wards: LookupInput | None = None,
             deprivation: TableInput | bool | None = None,
             lookups: Mapping[str, pd.DataFrame] | None = None, tolerance: float = 0.05,
             data: PathLike | None = None, out: PathLike | None = None,
             cache: bool = True, every_council: bool = False) -> Timeline:
    """How councils and their wards line up with every footprint vintage, and proposals.

    Parameters
    ----------
    council
        Councils to follow (codes or names, e.g. ``"Birmingham"``), each through its
        predecessors and successors (a council of 2022 merged in 2023 is followed as
        part of its successor). Without ``england`` only their wards and their
        neighbours' are analysed.
    england
        Tables for every council and ward of England.
    vintages
        Names (``"CCG17,STP17,ICB24"``) or :class:`~stpgeo.io.vintages.FootprintVintage`
        objects; by default every vintage the data directory's catalogue can build.
    proposals
        Proposed footprint maps (CSV files, tables or
        :class:`~stpgeo.analysis.timeline.proposals.Proposal`), each one more vintage.
    wards, blocks, population, block_wards, deprivation
        Inputs (layers, files or tables) of one generation of blocks, replacing its
        defaults (see :mod:`stpgeo.analysis.timeline.inputs`; wards given alone serve
        every generation). By default each generation's: the 2013 wards, 2011 LSOAs,
        mid-2017 population, ONS lookup 114 and IMD 2019; the 2024 wards, 2021 LSOAs,
        Census 2021, the best-fit LSOA21 → WD24 lookup and the IoD 2025.
        ``deprivation=False``: none.
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
        layers read and cleaned, the lookups, the wards × blocks overlap, each vintage's
        tables (:mod:`stpgeo.analysis.timeline.kept`); False computes
        everything afresh.
    every_council
        Follow every council of the area — the councils asked and their neighbours, or
        without ``council`` every council of England — as if each were asked (its trend
        rows, lineage and story: what :func:`stpgeo.atlas` needs).

    Returns
    -------
    Timeline
        ``timeline``, ``ward_timeline``, ``changes``, ``trend``, ``moves`` and
        ``deprivation`` as DataFrames (see :mod:`stpgeo.analysis.timeline.tables`).

    Raises
    ------
    StpgeoError
        For inputs of the two generations mixed (2021 LSOAs with a mid-2017 population
        of the 2011 LSOAs, a lookup of the 2011 LSOAs for a vintage of the 2021 ones), a
        proposal whose codes are of neither generation, and every other input that does
        not fit — before any overlay.

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
    sources = read_generations(chosen, Given(wards, blocks, population, block_wards,
                                             deprivation), data=data, timer=timer, cache=store)
    tables = _lookup_tables(chosen, lookups or {}, data, timer, store)
    maps = _maps(chosen, tables, sources, given)
    bridge, successors, when = _between(sources, data, store)
    succession = council_succession(
        maps, populations={g: s.inputs.population for g, s in sources.items()},
        successors=successors, successors_when=when, bridge=bridge)
    asked = resolve_councils([council] if isinstance(council, str) else list(council or []),
                             maps)
    codes = list(dict.fromkeys(succession.final(c) for c in asked))
    lineage = {m for c in codes for m in succession.lineage(c)}
    area: dict[Generation, set[str] | None] = {
        g: None if england or not codes else neighbours(
            [m for m in maps if m.vintage.generation == g], lineage) for g in sources}
    if every_council:  # the area's councils (or England's), each followed
        latest = set([m for m in maps if m.vintage.proposal is None][-1].councils.dropna())
        within = latest if england or not codes else set().union(
            *(a for a in area.values() if a is not None))
        codes = sorted({succession.final(c) for c in within} & latest)
        england = england or not asked
        if not england:  # each council followed has its wards analysed in every generation
            lineage = {m for c in codes for m in succession.lineage(c)}
            area = {g: neighbours([m for m in maps if m.vintage.generation == g], lineage)
                    for g in sources}
    works: dict[Generation, WardWork] = {}
    shared: dict[Generation, pd.DataFrame] = {}
    areas: dict[Generation, pd.Series] = {}
    for generation, source in sources.items():
        own = [m for m in maps if m.vintage.generation == generation]
        works[generation] = _prepare(source.inputs, area=area[generation], maps=own,
                                     timer=timer, cache=store)
        shared[generation] = ward_blocks(works[generation])
        areas[generation] = ward_areas(works[generation])
    digests = {g: work_digest(works[g], shared[g], areas[g]) if store.enabled else ""
               for g in works}
    results: dict[str, VintageResult] = {}
    for i, vmap in enumerate(maps, 1):
        generation = vmap.vintage.generation
        announce(f"vintage {i} of {len(maps)}: {vmap.vintage.title} ({vmap.name})")
        with timer(f"vintage {vmap.name}"):
            results[vmap.name] = kept_vintage(store, digests[generation], works[generation],
                                              vmap, shared[generation], areas[generation],
                                              tolerance=tolerance)
    result = _assemble(works, sources, maps, results, shared, councils=codes,
                       succession=succession, area=area, england=england or not codes,
                       tolerance=tolerance, bridge=bridge, timer=timer)
    if out is not None:
        result.write(out)
    return result
