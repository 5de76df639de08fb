"""What the atlas says of each council and footprint, from a timeline's tables.

Every figure comes from the timeline's tables (``timeline``, ``trend``, ``ward_timeline``,
``deprivation``), its story (:mod:`stpgeo.outputs.timeline.story`) and, for who lives
where, each vintage's blocks (their council, footprint and residents); GP practices from
analyses given (``practices.csv`` of a CCG analysis). A council is followed through its
lineage (the councils it was formed from): its page is its final successor's, and its
figures in a vintage are those of its lineage's councils present then, summed — as
``trend.csv`` has them.

- :func:`prepare`: what every page shares, computed once (each page's rows of the
  tables, its states, its neighbours);
- :func:`council_index`: one row per council (of the latest vintage): its status per
  vintage, residents outside its home footprints now and at the worst vintage, and what
  the index's search matches (its name, former councils, wards, footprints);
- :func:`council_page`: one council's page;
- :func:`footprint_pages`: one page per footprint of the latest vintage of each series.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from stpgeo.analysis.timeline.tables import ENGLAND
from stpgeo.engine.verdicts import FLAGGED
from stpgeo.io.vintages import FootprintVintage
from stpgeo.outputs.timeline.story import council_findings, lineage

if TYPE_CHECKING:
    from stpgeo.analysis.result import Analysis
    from stpgeo.analysis.timeline.result import Timeline

#: One letter per verdict, for the pages' data.
VERDICT_LETTERS = {"within": "w", "split": "s", "outside_home": "o", "no_footprint": "n",
                   "unknown_council": "u"}


def series(timeline: Timeline, kind: str) -> list[FootprintVintage]:
    """The vintages of a series (``ccg``: CCGs then sub-ICB locations; ``stp``), dated
    first, proposals last."""
    return [v for v in timeline.vintages if v.kind == kind]


@dataclass(frozen=True)
class Atlas:
    """The timeline and what every page of the atlas is built from, computed once.

    Attributes
    ----------
    timeline
        The timeline (every council followed, see :func:`stpgeo.timeline`).
    names
        Every council code of any vintage → its name.
    page_of
        Every council code of any vintage → the code of the council whose page tells its
        story (its final successor).
    council_footprints
        ``vintage, council_code, footprint_code, population``: each council's residents in
        each footprint, from the blocks (exact).
    footprint_names
        ``(vintage, footprint code)`` → name.
    scoped
        Each council with a page → the timeline narrowed to its lineage's rows
        (:func:`narrowed`): what its page reads, split from the national tables once.
    states
        Each council with a page → its state in each vintage (:func:`council_states`).
    neighbours
        Each council with a page → the pages of its neighbours (:func:`neighbours`).
    """

    timeline: Timeline
    names: dict[str, str]
    page_of: dict[str, str]
    council_footprints: pd.DataFrame
    footprint_names: dict[tuple[str, str], str]
    scoped: dict[str, Timeline]
    states: dict[str, dict[str, dict[str, Any] | None]]
    neighbours: dict[str, list[str]]

    @property
    def councils(self) -> list[str]:
        """The councils with a page, by name."""
        return sorted(self.timeline.councils, key=lambda c: self.names.get(c, c))

    def name(self, code: str) -> str:
        return self.names.get(code, code)


#: The tables a council's page reads, and the column naming each row's council.
_COUNCIL_COLUMNS = {"timeline": "council_code", "ward_timeline": "council_code",
                    "changes": "council_code", "moves": "council_code",
                    "trend": "scope_code", "deprivation": "scope_code"}


def narrowed(timeline: Timeline, page_of: dict[str, str]) -> dict[str, Timeline]:
    """The timeline narrowed to each page's councils (its lineage), table by table.

    Each table is split by page once (a group-by), rather than searched again for every
    page; a narrowed timeline has the rows of the page's councils only, and shares
    everything else (vintages, summary, polygons) with the whole.
    """
    groups = {}
    for name, column in _COUNCIL_COLUMNS.items():
        table = getattr(timeline, name)
        page = table[column].astype(object).map(page_of)
        groups[name] = {str(k): rows for k, rows in table.groupby(page, sort=False)}
    found = {}
    for code in timeline.councils:
        scoped = copy.copy(timeline)  # no __post_init__: the tables are conformed already
        for name in _COUNCIL_COLUMNS:
            table = getattr(timeline, name)
            setattr(scoped, name, groups[name].get(code, table.iloc[0:0]))
        found[code] = scoped
    return found


def prepare(timeline: Timeline) -> Atlas:
    """Everything the pages share, from a timeline that followed every council."""
    names: dict[str, str] = {}
    rows = []
    footprint_names: dict[tuple[str, str], str] = {}
    for name, result in timeline.kept(to="write an atlas").results.items():
        names.update({str(k): str(v) for k, v in result.map.council_names.items()})
        every = result.every.dropna(subset=["council", "footprint"])
        summed = every.groupby(["council", "footprint"])["population"].sum().reset_index()
        rows.append(summed.assign(vintage=name))
        footprint_names.update({(name, str(k)): str(v)
                                for k, v in result.map.footprint_names.items()})
    table = pd.concat(rows, ignore_index=True).rename(
        columns={"council": "council_code", "footprint": "footprint_code"})
    page_of = {}
    for code in timeline.councils:
        for member in lineage(timeline, code):
            page_of[member] = code
    shares = table[["vintage", "council_code", "footprint_code", "population"]]
    return Atlas(timeline=timeline, names=names, page_of=page_of, council_footprints=shares,
                 footprint_names=footprint_names, scoped=narrowed(timeline, page_of),
                 states=council_states(timeline, page_of),
                 neighbours=neighbours(timeline, shares, page_of, names))


def council_states(timeline: Timeline, page_of: dict[str, str]
                   ) -> dict[str, dict[str, dict[str, Any] | None]]:
    """Each page's council's state in every vintage: aligned, residents, outside, homes,
    its lineage's councils present then (None where none of them existed).

    One pass over ``timeline``'s rows; a vintage's state sums the rows of the lineage's
    councils, as ``trend.csv`` does.
    """
    found: dict[str, dict[str, dict[str, Any] | None]] = {
        code: dict.fromkeys((v.name for v in timeline.vintages), None)
        for code in timeline.councils}
    for row in timeline.timeline.itertuples(index=False):
        states = found.get(page_of.get(row.council_code, ""))
        if states is None or row.vintage not in states:
            continue
        state = states[row.vintage]
        if state is None:
            state = states[row.vintage] = {
                "aligned": True, "population": 0, "outside": 0, "homes": [], "councils": [],
                "n_wards_outside": 0, "n_wards_split": 0}
        state["aligned"] = state["aligned"] and bool(row.aligned)
        state["population"] += int(row.population)
        state["outside"] += int(row.population_outside_home)
        state["homes"] += [h for h in str(row.home_footprint_names).split(";")
                           if h not in state["homes"]]
        state["councils"].append(str(row.council_name))
        state["n_wards_outside"] += int(row.n_wards_outside_home)
        state["n_wards_split"] += int(row.n_wards_split)
    return found


def _latest(timeline: Timeline, kind: str) -> FootprintVintage | None:
    dated = [v for v in series(timeline, kind) if v.proposal is None]
    return dated[-1] if dated else None


def council_index(atlas: Atlas) -> list[dict[str, Any]]:
    """One row per council: its states, now and at worst, and its search words."""
    timeline = atlas.timeline
    now = _latest(timeline, "stp")
    wards = timeline.ward_timeline
    ward_names = wards.groupby(wards["council_code"].map(atlas.page_of))["ward_name"].agg(
        lambda n: sorted(set(n)))
    shares = atlas.council_footprints
    shares = shares.assign(page=shares["council_code"].map(atlas.page_of))
    found = []
    for code in atlas.councils:
        states = atlas.states[code]
        dated = {v: s for v, s in states.items() if s is not None
                 and timeline.vintage(v).proposal is None}
        worst_vintage = max(dated, key=lambda v: dated[v]["outside"], default=None)
        footprints = {atlas.footprint_names.get((v, f), f) for v, f in
                      shares.loc[shares["page"] == code, ["vintage", "footprint_code"]]
                      .itertuples(index=False)}
        former = [atlas.name(c) for c in lineage(timeline, code) if c != code]
        found.append({
            "code": code, "name": atlas.name(code), "former": former, "states": states,
            "now": states.get(now.name) if now is not None else None,
            "worst": None if worst_vintage is None else {
                "vintage": worst_vintage, "outside": dated[worst_vintage]["outside"]},
            "search": " ".join([atlas.name(code), code, *former,
                                *ward_names.get(code, []), *sorted(footprints)]).lower()})
    return found


def _ward_table(atlas: Atlas, code: str) -> list[dict[str, Any]]:
    """The council's wards ever outside home or split, per generation of blocks: their
    verdict in each vintage, residents and share in England's most deprived 10%."""
    timeline = atlas.scoped[code]
    state = timeline.kept(to="write an atlas")
    tables = []
    for generation, blocks in state.blocks.items():
        names = [v.name for v in timeline.vintages if v.generation == generation]
        rows = timeline.ward_timeline[timeline.ward_timeline["vintage"].isin(names)]
        flagged = sorted(set(rows.loc[rows["verdict"].isin(FLAGGED), "ward_code"]))
        if not flagged:
            continue
        placed = blocks[blocks["ward"].isin(flagged)]
        people = placed.groupby("ward")["population"].sum(min_count=1)
        deciles = state.deciles.get(generation)
        index = next((c for c in deciles.columns if str(c).startswith("IMD")), None) \
            if deciles is not None else None
        poorest = pd.Series(dtype=float)
        if index is not None and deciles is not None:
            first = deciles[index].reindex(placed.index) == 1
            poorest = placed["population"].where(first.to_numpy(), 0).groupby(
                placed["ward"]).sum() / people
        verdicts = rows.pivot_table(index="ward_code", columns="vintage", values="verdict",
                                    aggfunc="first")
        ward_names = rows.drop_duplicates("ward_code").set_index("ward_code")["ward_name"]
        tables.append({
            "generation": generation.key, "title": generation.title,
            "index": index, "vintages": [n for n in names if n in verdicts.columns],
            "rows": [{"code": w, "name": ward_names.get(w, w),
                      "residents": None if pd.isna(people.get(w)) else int(people[w]),
                      "poorest": None if pd.isna(poorest.get(w, np.nan))
                      else float(poorest[w]),
                      "verdicts": [str(verdicts.loc[w, n]) if pd.notna(verdicts.loc[w, n])
                                   else "" for n in names if n in verdicts.columns]}
                     for w in sorted(flagged, key=lambda w: ward_names.get(w, w))]})
    return tables


def _practices(analyses: Sequence[Analysis], members: set[str]) -> list[dict[str, Any]]:
    """GP practices of the council whose commissioner is not its home (from analyses)."""
    found = []
    for analysis in analyses:
        table = analysis.practices
        if table is None or table.empty:
            continue
        away = table[table["council_code"].isin(members)
                     & (table["commissioner_is_home"].astype(str).str.lower() == "false")]
        found += [{"analysis": analysis.label, "code": r["practice_code"],
                   "name": r["practice_name"], "commissioner": r["commissioner_name"]}
                  for _, r in away.sort_values("practice_name").iterrows()]
    return found


def neighbours(timeline: Timeline, council_footprints: pd.DataFrame,
               page_of: dict[str, str], names: dict[str, str]) -> dict[str, list[str]]:
    """Each page's councils sharing a footprint with it in the latest vintages (codes of
    their pages), by name."""
    latest = {v.name for kind in ("ccg", "stp") if (v := _latest(timeline, kind))}
    table = council_footprints[council_footprints["vintage"].isin(latest)]
    table = table.assign(page=table["council_code"].astype(object).map(page_of)).dropna(
        subset=["page"])
    pairs = table.merge(table, on=["vintage", "footprint_code"])
    found: dict[str, set[str]] = {code: set() for code in timeline.councils}
    for mine, theirs in zip(pairs["page_x"], pairs["page_y"], strict=True):
        if mine != theirs and mine in found:
            found[mine].add(theirs)
    return {code: sorted(others, key=lambda c: names.get(c, c))
            for code, others in found.items()}


def council_page(atlas: Atlas, code: str, analyses: Sequence[Analysis] = ()) -> dict[str, Any]:
    """Everything one council's page shows."""
    timeline = atlas.scoped[code]
    members = lineage(timeline, code)
    trend = timeline.trend[timeline.trend["scope_code"] == code].set_index("vintage")
    return {
        "code": code, "name": atlas.name(code),
        "former": [{"code": c, "name": atlas.name(c),
                    "when": timeline.summary["inputs"].get("successions", {}).get(
                        c, {}).get("when")} for c in members if c != code],
        "states": atlas.states[code],
        "trend": [{"vintage": v.name, "title": v.title, "when": v.when,
                   **{k: (None if v.name not in trend.index else
                          int(trend.loc[v.name, k]))
                      for k in ("n_councils", "councils_not_aligned", "population",
                                "population_outside_home")}}
                  for v in timeline.vintages],
        "story": council_findings(timeline, code),
        "wards": _ward_table(atlas, code),
        "practices": _practices(analyses, set(members)),
        "neighbours": [{"code": c, "name": atlas.name(c)} for c in atlas.neighbours[code]]}


def footprint_pages(atlas: Atlas) -> list[dict[str, Any]]:
    """One page per footprint of the latest vintage of each series: the councils it
    covers (all their residents are in it) and those it splits."""
    timeline = atlas.timeline
    found = []
    for kind in ("ccg", "stp"):
        vintage = _latest(timeline, kind)
        if vintage is None:
            continue
        result = timeline.kept(to="write an atlas").results[vintage.name]
        table = atlas.council_footprints[atlas.council_footprints["vintage"] == vintage.name]
        totals = result.councils["population"]
        homes = result.homes.to_dict()
        shown = set(atlas.page_of)  # the councils of the area (and their predecessors)
        for footprint, rows in table.groupby("footprint_code"):
            if not set(rows["council_code"]) & shown:
                continue  # outside the area of the atlas
            councils = []
            for _, row in rows.sort_values("population", ascending=False).iterrows():
                council = str(row["council_code"])
                share = float(row["population"]) / float(totals.get(council, np.nan))
                councils.append({
                    "code": council, "name": atlas.name(council),
                    "page": atlas.page_of.get(council, council),
                    "residents": round(float(row["population"])), "share": share,
                    "home": footprint in homes.get(council, []),
                    "whole": share > 1 - 1e-9})
            found.append({"code": str(footprint), "vintage": vintage.name,
                          "title": vintage.title, "level": vintage.level,
                          "name": atlas.footprint_names.get((vintage.name, str(footprint)),
                                                            str(footprint)),
                          "residents": round(float(rows["population"].sum())),
                          "councils": councils,
                          "splits": [c for c in councils if not c["whole"]]})
    return found


def england_trend(timeline: Timeline) -> list[dict[str, Any]]:
    """England's row of the trend, per vintage."""
    england = timeline.trend[timeline.trend["scope_code"] == ENGLAND].set_index("vintage")
    return [{"vintage": v.name, "title": v.title, "when": v.when,
             "n_councils": int(england.loc[v.name, "n_councils"]),
             "not_aligned": int(england.loc[v.name, "councils_not_aligned"]),
             "outside": int(england.loc[v.name, "population_outside_home"])}
            for v in timeline.vintages if v.name in england.index]
