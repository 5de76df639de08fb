"""England's story through time, a proposal's effect, and who lives outside, in words.

Every number is read from the timeline's tables (``trend``, ``moves``,
``deprivation``), so the story and the files cannot disagree:

- per series (CCGs then sub-ICB locations; STPs then ICBs), every vintage: how many
  councils were not aligned with their home footprints and how many residents lived
  outside them — the councils named for the vintages of the latest building blocks
  (today's map) — and, where footprints changed, how many residents of which councils
  moved into or out of their home footprints;
- for each proposal, what it would change;
- for the latest vintage of each series, the share of the residents outside home
  footprints living in England's most deprived 10% of neighbourhoods.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from stpgeo.analysis.timeline.tables import ENGLAND
from stpgeo.io.deprivation import INDEX_TITLES
from stpgeo.io.vintages import FootprintVintage
from stpgeo.outputs.timeline.words import level, names, on, share

if TYPE_CHECKING:
    from stpgeo.analysis.timeline.result import Timeline


def _england(timeline: Timeline) -> pd.DataFrame:
    return timeline.trend[timeline.trend["scope_code"] == ENGLAND].set_index("vintage")


def _split(row: pd.Series) -> list[str]:
    text = row.get("not_aligned_names", "")
    return str(text).split(";") if isinstance(text, str) and text else []


def _state(row: pd.Series, vintage: FootprintVintage, *, named: bool) -> str:
    n = int(row["councils_not_aligned"])
    sentence = (f"{on(vintage)}, {n:,} of {int(row['n_councils']):,} councils "
                f"{'was' if n == 1 else 'were'} not aligned with their home {level(vintage)}, "
                f"{int(row['population_outside_home']):,} residents living outside them")
    split = _split(row)
    if named and split:
        sentence += f": {names(split, limit=15)}"
    return sentence + "."


def _changed(timeline: Timeline, before: FootprintVintage, after: FootprintVintage) -> str | None:
    """Who moved into or out of their home footprints between two vintages."""
    moves = timeline.moves[(timeline.moves["from_vintage"] == before.name)
                           & (timeline.moves["to_vintage"] == after.name)]
    parts: list[str] = []
    for direction, where in (("into_home", "into"), ("out_of_home", "out of")):
        rows = moves[moves["direction"] == direction]
        if len(rows):
            whom = (f"{int(rows['population'].sum()):,} residents of "
                    f"{names(rows['council_name'].dropna(), limit=8)}")
            parts.append(f"{whom} moved {where} their council's home {level(after)}"
                         if not parts else f"{whom} {where} them")
    if not parts:
        return None
    if before.generation != after.generation:
        when = (f"Between {before.when} and {after.when}, as the footprints were rebuilt "
                f"from the {after.generation.title} and councils were reorganised")
    else:
        when = f"With the changes of {after.when} ({after.title})"
    return f"{when}, " + ", and ".join(parts) + "."


def national_findings(timeline: Timeline) -> list[str]:
    """England, vintage by vintage, per series; then each proposal's effect and who lives
    outside home footprints in the latest vintages."""
    england = _england(timeline)
    sentences: list[str] = []
    for kind in ("ccg", "stp"):
        dated = [v for v in timeline.vintages if v.kind == kind and v.proposal is None
                 and v.name in england.index]
        if not dated:
            continue
        latest = dated[-1].generation
        for i, after in enumerate(dated):
            changed = _changed(timeline, dated[i - 1], after) if i else None
            if changed:
                sentences.append(changed)
            sentences.append(_state(england.loc[after.name], after,
                                    named=after.generation == latest))
        sentences += deprivation_findings(timeline, ENGLAND, dated[-1])
    for proposal in (v for v in timeline.vintages if v.proposal is not None):
        sentences += proposal_findings(timeline, proposal)
    return sentences


def today_findings(timeline: Timeline, kind: str = "stp") -> list[str]:
    """England on today's map: the vintages of the latest building blocks in a series (ICBs
    by default), councils named, what their changes did, who lives outside."""
    england = _england(timeline)
    dated = [v for v in timeline.vintages if v.kind == kind and v.proposal is None
             and v.name in england.index]
    if not dated:
        return []
    latest = [v for v in dated if v.generation == dated[-1].generation]
    sentences = []
    for i, after in enumerate(latest):
        changed = _changed(timeline, latest[i - 1], after) if i else None
        if changed:
            sentences.append(changed)
        sentences.append(_state(england.loc[after.name], after, named=True))
    return sentences + deprivation_findings(timeline, ENGLAND, latest[-1])


def proposal_findings(timeline: Timeline, proposal: FootprintVintage) -> list[str]:
    """What a proposal would change for England's councils (from ``moves`` and ``trend``)."""
    england = _england(timeline)
    moves = timeline.moves[timeline.moves["to_vintage"] == proposal.name]
    base = moves["from_vintage"].iloc[0] if len(moves) else next(
        (v.name for v in reversed(timeline.vintages) if v.column == proposal.column
         and v.proposal is None), proposal.name)
    now = int(england.loc[base, "councils_not_aligned"]) if base in england.index else None
    row = england.loc[proposal.name]
    after = int(row["councils_not_aligned"])
    plural = level(proposal)
    sentence = (f"Under the proposal {proposal.name} ({proposal.proposal}), {after:,} of "
                f"{int(row['n_councils']):,} councils would not be aligned with their home "
                f"{plural}" + (f" ({now:,} under {base})" if now is not None else ""))
    split = _split(row)
    found = [sentence + (f": {names(split, limit=15)}." if split else ".")]
    for direction, verb, where in (("out_of_home", "move", "out of"),
                                   ("into_home", "bring", "into")):
        rows = moves[moves["direction"] == direction]
        if len(rows):
            found.append(f"It would {verb} {int(rows['population'].sum()):,} residents of "
                         f"{names(rows['council_name'].dropna())} {where} their home {plural}.")
    if len(found) == 1:
        found.append(f"It would move no council's residents into or out of their home {plural}.")
    return found


def _index_title(index: str) -> str:
    """``'IMD2025'`` → ``'the Index of Multiple Deprivation 2025'``."""
    stem, year = index.rstrip("0123456789"), index[len(index.rstrip("0123456789")):]
    return f"the {INDEX_TITLES.get(stem, stem)} {year}".rstrip()


def deprivation_findings(timeline: Timeline, scope: str, vintage: FootprintVintage
                         ) -> list[str]:
    """The share of a scope's residents outside home footprints in England's most deprived
    10% of neighbourhoods, beside its residents' as a whole (from ``deprivation``)."""
    table = timeline.deprivation
    rows = table[(table["scope_code"] == scope) & (table["vintage"] == vintage.name)
                 & table["index"].astype(str).str.startswith("IMD")]
    if rows.empty:
        return []
    outside = float(rows["population_outside_home"].sum())
    if not outside:
        return []
    index = str(rows["index"].iloc[0])
    first = rows[rows["decile"] == 1]
    everyone = float(rows.loc[rows["decile"].notna(), "population"].sum())
    whom = "England" if scope == ENGLAND else str(table.loc[
        table["scope_code"] == scope, "scope_name"].iloc[0])
    return [f"Of the {int(outside):,} residents of {whom} living outside their council's home "
            f"{level(vintage)} on {vintage.when} ({vintage.title}), "
            f"{share(float(first['population_outside_home'].sum()), outside)} live in "
            f"England's most deprived 10% of neighbourhoods by {_index_title(index)} "
            f"(all of {whom}'s residents: "
            f"{share(float(first['population'].sum()), everyone)})."]
