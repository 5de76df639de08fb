"""Councils followed through time: which council each one became when it ended.

Councils are reorganised: Bournemouth, Christchurch and Poole became one council in
2019; on 1 April 2023 Cumbria's six districts became Cumberland and Westmorland and
Furness, North Yorkshire's seven one council, Somerset's four one council. A timeline
names each vintage's councils as its lookup does, and follows a council asked for
through its predecessors and successors, so that its history does not break:

- between two vintages of one generation of blocks, a council that ended became the
  council of the later vintage holding most of its residents (its blocks are the same);
- between the generations, the councils of 2022 become those of 2023 by ONS's
  lookup (LAD22 → LAD23, catalogue key ``lad22_lad23``), else by the LSOA bridge.

A council's *lineage* is itself, every council that became it (at any remove) and
every council it became: its figures in a vintage are the sum of its lineage's
councils present then.

Examples
--------
>>> succession = Succession(became={"E07000030": "E06000064", "E07000031": "E06000064"},
...                         when={"E07000030": "1 April 2023", "E07000031": "1 April 2023"},
...                         names={"E07000030": "Eden", "E07000031": "South Lakeland",
...                                "E06000064": "Westmorland and Furness"})
>>> succession.final("E07000030"), succession.lineage("E07000030")
('E06000064', ['E07000030', 'E07000031', 'E06000064'])
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from stpgeo.analysis.timeline.bridge import Bridge
from stpgeo.analysis.timeline.maps import VintageMap
from stpgeo.ons.generations import Generation


@dataclass(frozen=True)
class Succession:
    """Which council each ended council became, and when.

    Attributes
    ----------
    became
        Ended council code → the council it became in the next vintage.
    when
        Ended council code → when, in words (``'1 April 2023'``; ``'by 1 April 2021 (CCG
        2021)'`` where only the vintages say).
    names
        Council code → name, from every vintage.
    """

    became: dict[str, str]
    when: dict[str, str]
    names: dict[str, str] = field(default_factory=dict)

    def final(self, code: str) -> str:
        """The council a council finally became (itself if it did not end)."""
        seen = {code}
        while code in self.became and self.became[code] not in seen:
            code = self.became[code]
            seen.add(code)
        return code

    def lineage(self, code: str) -> list[str]:
        """The council's lineage: its predecessors (earliest first, by name), then its
        final successor's line down to it."""
        last = self.final(code)
        members = [c for c in self.became if self.final(c) == last]
        return [*sorted(members, key=lambda c: (self._depth(c, last), self.names.get(c, c))),
                last]

    def predecessors(self, code: str) -> list[str]:
        """The councils that became this one (directly or not), by name."""
        return sorted((c for c in self.became if c != code and self._reaches(c, code)),
                      key=lambda c: self.names.get(c, c))

    def _reaches(self, start: str, target: str) -> bool:
        seen = {start}
        while start in self.became and self.became[start] not in seen:
            start = self.became[start]
            if start == target:
                return True
            seen.add(start)
        return False

    def _depth(self, code: str, last: str) -> int:
        steps = 0
        while code != last and code in self.became and steps < 50:
            code, steps = self.became[code], steps + 1
        return -steps


def _majority(frame: pd.DataFrame) -> dict[str, str]:
    """``before`` → the ``after`` holding most of its ``amount``."""
    best = (frame.dropna(subset=["before", "after"]).groupby(["before", "after"])["amount"]
            .sum().sort_values(ascending=False, kind="stable").reset_index()
            .drop_duplicates("before"))
    return dict(zip(best["before"], best["after"], strict=True))


def _within(a: VintageMap, b: VintageMap, ended: set[str],
            population: pd.Series | None) -> dict[str, str]:
    """Ended councils of ``a`` → councils of ``b`` (same blocks), by residents."""
    blocks = a.councils[a.councils.isin(ended)]
    people = (population.reindex(blocks.index).fillna(0).to_numpy()
              if population is not None else 0.0)
    frame = pd.DataFrame({"before": blocks.to_numpy(),
                          "after": b.councils.reindex(blocks.index).to_numpy(),
                          "amount": people + 1e-9})
    return _majority(frame)


def _across(a: VintageMap, b: VintageMap, ended: set[str], successors: pd.Series | None,
            bridge: Bridge | None, population: pd.Series | None) -> dict[str, str]:
    """Ended councils of ``a`` → councils of ``b`` across the generations: ONS's lookup,
    else the bridge."""
    later = set(b.councils.dropna())
    found: dict[str, str] = {}
    if successors is not None:
        found = {c: str(successors[c]) for c in ended
                 if c in successors.index and successors[c] in later}
    rest = ended - set(found)
    if rest and bridge is not None:
        pairs = bridge.weights
        pairs = pairs[pairs["old"].isin(a.councils.index[a.councils.isin(rest).to_numpy()])]
        people = (population.reindex(pairs["new"].to_numpy()).fillna(0).to_numpy()
                  if population is not None else 0.0)
        found.update(_majority(pd.DataFrame({
            "before": a.councils.reindex(pairs["old"].to_numpy()).to_numpy(),
            "after": b.councils.reindex(pairs["new"].to_numpy()).to_numpy(),
            "amount": pairs["weight"].to_numpy() * people + 1e-9})))
    return found


def council_succession(maps: Sequence[VintageMap], *,
                       populations: dict[Generation, pd.Series | None],
                       successors: pd.Series | None = None, successors_when: str | None = None,
                       bridge: Bridge | None = None) -> Succession:
    """Which council each ended council became, from the vintages' maps (in date order).

    Parameters
    ----------
    maps
        The vintages' maps; proposals are left out (their councils are their base's).
    populations
        Residents per block of each generation (to weigh blocks; None: by count).
    successors, successors_when
        Council of 2022 → council of 2023 (ONS's LAD22 → LAD23) and the date it took
        effect, in words.
    bridge
        The LSOA bridge, for councils the lookup does not place.
    """
    dated = [m for m in maps if m.vintage.proposal is None]
    steps = [next(g) for _, g in itertools.groupby(
        dated, key=lambda m: (m.vintage.lookup, m.vintage.councils))]
    became: dict[str, str] = {}
    when: dict[str, str] = {}
    names: dict[str, str] = {}
    for vmap in dated:
        names.update({str(k): str(v) for k, v in vmap.council_names.items()})
    for a, b in itertools.pairwise(steps):
        ended = set(a.councils.dropna()) - set(b.councils.dropna())
        if not ended:
            continue
        if a.vintage.generation == b.vintage.generation:
            found = _within(a, b, ended, populations.get(a.vintage.generation))
            words = f"by {b.vintage.when} ({b.vintage.title})"
        else:
            found = _across(a, b, ended, successors, bridge, populations.get(b.vintage.generation))
            words = successors_when or f"by {b.vintage.when} ({b.vintage.title})"
        for code, successor in found.items():
            if code != successor:
                became[code], when[code] = successor, words
    return Succession(became=became, when=when, names=names)
