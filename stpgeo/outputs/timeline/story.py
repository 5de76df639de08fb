"""What changed and when, in plain English, from a timeline's tables.

Every number is read from the tables (``trend``, ``timeline``, ``ward_timeline``,
``moves``), so the story and the files cannot disagree. For England: how many
councils were not aligned with their home footprints, first and last, in each
series; for each council asked, per series (CCGs then sub-ICB locations; STPs then
ICBs): where it started, each move of its residents into or out of its home
footprints (and from one footprint outside them to another), and where it ended;
for each proposal, what it would change.

Examples
--------
>>> names(["Soho", "Aston", "Perry Barr"])
'Aston, Perry Barr and Soho'
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from stpgeo.analysis.timeline.tables import ENGLAND
from stpgeo.engine.verdicts import FLAGGED
from stpgeo.io.vintages import FootprintVintage
from stpgeo.ons.codes import SHORT_TITLES

if TYPE_CHECKING:
    from stpgeo.analysis.timeline.result import Timeline


def names(items: Sequence[str], *, limit: int = 12, keep_order: bool = False) -> str:
    """``'A, B and C'``, alphabetically (or as given); long lists end with how many more."""
    given = list(dict.fromkeys(str(i) for i in items if i))
    ordered = given if keep_order else sorted(given)
    if len(ordered) > limit:
        ordered = [*ordered[:limit], f"{len(ordered) - limit} more"]
    if len(ordered) <= 1:
        return "".join(ordered)
    return ", ".join(ordered[:-1]) + " and " + ordered[-1]


def _plural_level(vintage: FootprintVintage, n: int = 2) -> str:
    level = SHORT_TITLES[vintage.level]
    return level if n == 1 else level + "s"


def _on(vintage: FootprintVintage) -> str:
    """``'On 1 July 2022 (ICB 2022)'``; ``'Under the proposal merger'``."""
    if vintage.proposal is not None:
        return f"Under the proposal {vintage.name}"
    return f"On {vintage.when} ({vintage.title})"


def national_findings(timeline: Timeline) -> list[str]:
    """England: councils not aligned and residents outside, first and last of each series."""
    england = timeline.trend[timeline.trend["scope_code"] == ENGLAND].set_index("vintage")
    sentences = []
    for kind in ("ccg", "stp"):
        dated = [v for v in timeline.vintages if v.kind == kind and v.proposal is None]
        if not dated:
            continue
        ends = [dated[0]] if len(dated) == 1 else [dated[0], dated[-1]]
        parts = [f"{int(england.loc[v.name, 'councils_not_aligned']):,} of "
                 f"{int(england.loc[v.name, 'n_councils']):,} councils were not aligned with "
                 f"their home {_plural_level(v)} on {v.when} ({v.title}), "
                 f"{int(england.loc[v.name, 'population_outside_home']):,} residents living "
                 "outside them" for v in ends]
        sentences.append("Across England, " + "; ".join(parts) + ".")
    for proposal in (v for v in timeline.vintages if v.proposal is not None):
        sentences += proposal_findings(timeline, proposal)
    return sentences


def proposal_findings(timeline: Timeline, proposal: FootprintVintage) -> list[str]:
    """What a proposal would change for England's councils (from ``moves`` and ``trend``)."""
    england = timeline.trend[timeline.trend["scope_code"] == ENGLAND].set_index("vintage")
    moves = timeline.moves[timeline.moves["to_vintage"] == proposal.name]
    base = moves["from_vintage"].iloc[0] if len(moves) else next(
        (v.name for v in timeline.vintages if v.column == proposal.column
         and v.proposal is None), proposal.name)
    now = int(england.loc[base, "councils_not_aligned"]) if base in england.index else None
    after = int(england.loc[proposal.name, "councils_not_aligned"])
    level = _plural_level(proposal)
    sentence = (f"Under the proposal {proposal.name} ({proposal.proposal}), {after:,} of "
                f"{int(england.loc[proposal.name, 'n_councils']):,} councils would not be "
                f"aligned with their home {level}"
                + (f" ({now:,} under {base})" if now is not None else "") + ".")
    found = [sentence]
    for direction, verb, where in (("out_of_home", "move", "out of"),
                                   ("into_home", "bring", "into")):
        rows = moves[moves["direction"] == direction]
        if len(rows):
            found.append(f"It would {verb} {int(rows['population'].sum()):,} residents of "
                         f"{names(rows['council_name'])} {where} their home {level}.")
    if len(found) == 1:
        found.append("It would move no council's residents into or out of their home "
                     f"{level}.")
    return found


def _start(timeline: Timeline, council: str, vintage: FootprintVintage) -> str | None:
    rows = timeline.timeline[(timeline.timeline["council_code"] == council)
                             & (timeline.timeline["vintage"] == vintage.name)]
    if rows.empty:
        return None
    row = rows.iloc[0]
    name, homes = row["council_name"], row["home_footprint_names"].split(";")
    level = _plural_level(vintage, len(homes))
    if row["aligned"]:
        return (f"{_on(vintage)}, all {int(row['population']):,} residents of {name} lived in "
                f"its home {level}, {names(homes)}.")
    wards = timeline.ward_timeline[(timeline.ward_timeline["council_code"] == council)
                                   & (timeline.ward_timeline["vintage"] == vintage.name)]
    flagged = wards[wards["verdict"].isin(FLAGGED)]
    where = f" ({len(flagged)} wards: {names(flagged['ward_name'])})" if len(flagged) else ""
    return (f"{_on(vintage)}, {int(row['population_outside_home']):,} of {name}'s "
            f"{int(row['population']):,} residents lived outside its home {level}, "
            f"{names(homes)}{where}.")


def _move(row: pd.Series, after: FootprintVintage) -> str:
    wards = row["ward_names"].split(";") if row["ward_names"] else []
    where = f" in {names(wards)}" if wards else ""
    verb = "would move" if after.proposal is not None else "moved"
    people = f"{int(row['population']):,} residents of {row['council_name']}{where}"
    level = _plural_level(after, 1)
    if row["direction"] == "into_home":
        tail = f", its home {level}"
    elif row["direction"] == "out_of_home":
        tail = f", outside its home {_plural_level(after)}"
    else:
        tail = f", still outside its home {_plural_level(after)}"
    return (f"{_on(after)}, {people} {verb} from {row['from_footprint_name']} to "
            f"{row['to_footprint_name']}{tail}.")


def council_findings(timeline: Timeline, council: str) -> list[str]:
    """One council's story, per series: where it started, each move, where it ended."""
    sentences: list[str] = []
    rows = timeline.timeline[timeline.timeline["council_code"] == council].set_index("vintage")
    for kind in ("ccg", "stp"):
        series = [v for v in timeline.vintages if v.kind == kind and v.name in rows.index]
        dated = [v for v in series if v.proposal is None]
        if not dated:
            continue
        start = _start(timeline, council, dated[0])
        if start:
            sentences.append(start)
        quiet: list[str] = []
        for before, after in itertools.pairwise(dated):
            moved = timeline.moves[(timeline.moves["council_code"] == council)
                                   & (timeline.moves["from_vintage"] == before.name)
                                   & (timeline.moves["to_vintage"] == after.name)]
            if moved.empty:
                quiet.append(after.title)
                continue
            if quiet:
                sentences.append(f"Its alignment did not change in "
                                 f"{names(quiet, keep_order=True)}.")
                quiet = []
            sentences += [_move(r, after) for _, r in moved.iterrows()]
        last = rows.loc[dated[-1].name]
        level = _plural_level(dated[-1], len(last["home_footprint_names"].split(";")))
        if quiet:
            sentences.append(f"Its alignment did not change in "
                             f"{names(quiet, keep_order=True)}.")
        if len(dated) > 1:
            sentences.append(
                f"Since {dated[-1].when} ({dated[-1].title}) "
                + (f"all of {last['council_name']}'s residents live in its home {level}."
                   if last["aligned"] else
                   f"{int(last['population_outside_home']):,} of {last['council_name']}'s "
                   f"residents live outside its home {level}."))
        for proposal in (v for v in series if v.proposal is not None):
            moved = timeline.moves[(timeline.moves["council_code"] == council)
                                   & (timeline.moves["to_vintage"] == proposal.name)]
            row = rows.loc[proposal.name]
            sentences += [_move(r, proposal) for _, r in moved.iterrows()]
            homes = row["home_footprint_names"].split(";")
            sentences.append(
                f"Under the proposal {proposal.name}, "
                + (f"all of {row['council_name']}'s residents would live in its home "
                   f"{_plural_level(proposal, len(homes))}, {names(homes)}."
                   if row["aligned"] else
                   f"{int(row['population_outside_home']):,} of {row['council_name']}'s "
                   f"residents would live outside its home "
                   f"{_plural_level(proposal, len(homes))}, {names(homes)}."))
    return sentences


def timeline_findings(timeline: Timeline) -> list[str]:
    """England's story, then each council asked."""
    sentences = national_findings(timeline)
    for council in timeline.councils:
        sentences += council_findings(timeline, council)
    return sentences
