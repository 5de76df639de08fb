"""What changed and when, in plain English, from a timeline's tables.

Every number is read from the tables (``trend``, ``timeline``, ``ward_timeline``,
``moves``, ``deprivation``) and ``summary`` (the lineage of each council asked), so the
story and the files cannot disagree. England's story is :mod:`.national`'s; for each
council asked, per series (CCGs then sub-ICB locations; STPs then ICBs): the councils it
was formed from, if any (their figures told together before then); where it started;
each move of its residents into or out of its home footprints (and from one footprint
outside them to another, or — when councils were reorganised — into or out of the new
council's home without any footprint changing); where it ended; and what each proposal
would change.

Examples
--------
>>> names(["Soho", "Aston", "Perry Barr"])
'Aston, Perry Barr and Soho'
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import pandas as pd

from stpgeo.engine.verdicts import FLAGGED
from stpgeo.io.vintages import FootprintVintage
from stpgeo.outputs.timeline.national import deprivation_findings, national_findings
from stpgeo.outputs.timeline.words import level, names, on

if TYPE_CHECKING:
    from stpgeo.analysis.timeline.result import Timeline

__all__ = ["council_findings", "names", "national_findings", "timeline_findings"]


def lineage(timeline: Timeline, council: str) -> list[str]:
    """The council and those it was formed from (summary.json → scope → lineages)."""
    found = timeline.summary.get("scope", {}).get("lineages", {}).get(council)
    return list(found) if found else [council]


def _formed(timeline: Timeline, council: str, members: list[str]) -> list[str]:
    """``'Westmorland and Furness was formed on 1 April 2023 from ...'``."""
    earlier = [c for c in members if c != council]
    if not earlier:
        return []
    rows = timeline.timeline.drop_duplicates("council_code", keep="last").set_index(
        "council_code")["council_name"]
    successions = timeline.summary.get("inputs", {}).get("successions", {})
    when = [successions[c]["when"] for c in earlier if c in successions]
    date = max(set(when), key=when.count) if when else "later"
    name = rows.get(council, council)
    return [f"{name} was formed {'on ' if date[0].isdigit() else ''}{date} from "
            f"{names(rows.get(c, c) for c in earlier)}; before then their figures are told "
            "together."]


def _wards(timeline: Timeline, members: list[str], vintage: FootprintVintage) -> str:
    wards = timeline.ward_timeline[timeline.ward_timeline["council_code"].isin(members)
                                   & (timeline.ward_timeline["vintage"] == vintage.name)]
    flagged = wards[wards["verdict"].isin(FLAGGED)]
    if flagged.empty:
        return ""
    return f" ({len(flagged)} ward{'s' if len(flagged) > 1 else ''}: {names(flagged['ward_name'])})"


def _state(timeline: Timeline, members: list[str], vintage: FootprintVintage, *,
           verb: str = "lived") -> str | None:
    """Where the council's residents (its lineage's, in that vintage) lived."""
    rows = timeline.timeline[timeline.timeline["council_code"].isin(members)
                             & (timeline.timeline["vintage"] == vintage.name)]
    if rows.empty:
        return None
    if len(rows) == 1:
        row = rows.iloc[0]
        name, homes = row["council_name"], row["home_footprint_names"].split(";")
        plural = level(vintage, len(homes))
        if row["aligned"]:
            return (f"{on(vintage)}, all {int(row['population']):,} residents of {name} "
                    f"{verb} in its home {plural}, {names(homes)}.")
        return (f"{on(vintage)}, {int(row['population_outside_home']):,} of {name}'s "
                f"{int(row['population']):,} residents {verb} outside its home {plural}, "
                f"{names(homes)}{_wards(timeline, members, vintage)}.")
    total, outside = int(rows["population"].sum()), int(rows["population_outside_home"].sum())
    councils = names(rows["council_name"])
    if not outside:
        return (f"{on(vintage)}, all {total:,} residents of {councils} {verb} in their "
                f"councils' home {level(vintage)}.")
    split = rows[~rows["aligned"]]
    each = "; ".join(f"{int(r['population_outside_home']):,} of {r['council_name']}'s, outside "
                     f"{names(r['home_footprint_names'].split(';'))}"
                     for _, r in split.iterrows())
    return (f"{on(vintage)}, {outside:,} of the {total:,} residents of {councils} {verb} "
            f"outside their council's home {level(vintage)} ({each}).")


def _homes(timeline: Timeline, council: str, vintage: FootprintVintage) -> list[str]:
    rows = timeline.timeline[(timeline.timeline["council_code"] == council)
                             & (timeline.timeline["vintage"] == vintage.name)]
    return rows["home_footprint_names"].iloc[0].split(";") if len(rows) else []


def _move(timeline: Timeline, row: pd.Series, after: FootprintVintage) -> str:
    wards = row["ward_names"].split(";") if isinstance(row["ward_names"], str) else []
    where = f" in {names(wards)}" if wards else ""
    people = f"{int(row['population']):,} residents of {row['council_name']}{where}"
    proposed = after.proposal is not None
    if row["from_footprint"] == row["to_footprint"]:  # their council changed, not their footprint
        homes = _homes(timeline, row["council_code"], after)
        state = (f"its home {level(after, 1)}" if row["direction"] == "into_home"
                 else f"outside its home {level(after, len(homes))}, {names(homes)}")
        stay = "would stay" if proposed else "stayed"
        return (f"{on(after)}, {people} {stay} in {row['to_footprint_name']}, now {state}: "
                "their council changed.")
    verb = "would move" if proposed else "moved"
    if row["from_footprint_name"] == row["to_footprint_name"]:
        journey = (f"from {row['from_footprint_name']} ({row['from_footprint']}) to the "
                   f"footprint of the same name with another code ({row['to_footprint']})")
    else:
        journey = f"from {row['from_footprint_name']} to {row['to_footprint_name']}"
    if row["direction"] == "into_home":
        tail = f", its home {level(after, 1)}"
    elif row["direction"] == "out_of_home":
        tail = f", outside its home {level(after)}"
    else:
        tail = f", still outside its home {level(after)}"
    return f"{on(after)}, {people} {verb} {journey}{tail}."


def _series(timeline: Timeline, council: str, members: list[str], kind: str) -> list[str]:
    present = set(timeline.timeline.loc[timeline.timeline["council_code"].isin(members),
                                        "vintage"])
    series = [v for v in timeline.vintages if v.kind == kind and v.name in present]
    dated = [v for v in series if v.proposal is None]
    if not dated:
        return []
    sentences = [s for s in [_state(timeline, members, dated[0])] if s]
    quiet: list[str] = []
    moves = timeline.moves[timeline.moves["council_code"].isin(members)]
    between = {(str(a), str(b)): rows for (a, b), rows in
               moves.groupby(["from_vintage", "to_vintage"], sort=False, observed=True)}
    for before, after in itertools.pairwise(dated):
        moved = between.get((before.name, after.name), moves.iloc[0:0])
        if moved.empty:
            quiet.append(after.title)
            continue
        if quiet:
            sentences.append(f"Its alignment did not change in {names(quiet, keep_order=True)}.")
            quiet = []
        sentences += [_move(timeline, r, after) for _, r in moved.iterrows()]
    if quiet:
        sentences.append(f"Its alignment did not change in {names(quiet, keep_order=True)}.")
    if len(dated) > 1:
        last = _state(timeline, members, dated[-1], verb="live")
        if last:
            sentences.append("Since" + last[2:])
    sentences += deprivation_findings(timeline, council, dated[-1])
    for proposal in (v for v in series if v.proposal is not None):
        moved = moves[moves["to_vintage"] == proposal.name]
        sentences += [_move(timeline, r, proposal) for _, r in moved.iterrows()]
        state = _state(timeline, members, proposal, verb="would live")
        if state:
            sentences.append(state)
    return sentences


def council_findings(timeline: Timeline, council: str) -> list[str]:
    """One council's story, per series: what it was formed from, where it started, each
    move, where it ended, and each proposal."""
    members = lineage(timeline, council)
    sentences = _formed(timeline, council, members)
    for kind in ("ccg", "stp"):
        sentences += _series(timeline, council, members, kind)
    return sentences


def timeline_findings(timeline: Timeline) -> list[str]:
    """England's story, then each council asked."""
    sentences = national_findings(timeline)
    for council in timeline.councils:
        sentences += council_findings(timeline, council)
    return sentences
