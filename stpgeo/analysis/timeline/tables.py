"""The timeline's tables: councils and wards per vintage, what changed, and the trend.

Written with exactly these names and columns (shares are fractions 0..1, lists
``;``-separated):

``timeline.csv``
    A row per council × vintage: ``council_code, council_name, vintage, level,
    home_footprint_codes, home_footprint_names, population, population_outside_home,
    n_wards, n_wards_outside_home, n_wards_split, aligned``. The council figures come
    from its blocks (exact: the vintage's council column, the one population table);
    the ward counts from the ward verdicts. ``aligned`` is true when none of its
    residents lives outside its home footprints.
``ward_timeline.csv``
    A row per ward × vintage: ``ward_code, ward_name, council_code, vintage,
    best_footprint_code, best_footprint_name, population_share_outside_home, verdict``.
``changes.csv``
    A row per ward whose verdict or best-fit footprint changes between consecutive
    vintages of the same series (CCG → … → CCG → sub-ICB location; STP → … → ICB; a
    proposal after the vintage it changes): ``ward_code, ward_name, council_code,
    from_vintage, to_vintage, from_footprint, to_footprint, from_verdict, to_verdict,
    population, from_footprint_name, to_footprint_name, from_ward_code,
    from_ward_name`` (footprints by code, then by name; the ward compared with, see
    below).
``trend.csv``
    Per vintage, for England (``E92000001``) and each council asked: ``scope_code,
    scope_name, vintage, level, date, n_councils, councils_not_aligned, population,
    population_outside_home, generation, residents, reconstructed, not_aligned_codes,
    not_aligned_names`` (the LSOAs it is built from, its population table, whether its
    lookup is a reconstruction, and the councils not aligned, by code and name).
``vintages.csv``
    A row per vintage: ``vintage, title, level, date, generation, lookup,
    footprint_column, council_column, residents, reconstructed, proposal, lookup_key,
    footprint_field, council_field, base`` — what each is built from (the file and its
    columns as found; the catalogue's key of the lookup and the fields asked for), whose
    residents it counts, and for a proposal the vintage it changes.

``moves.csv`` is made by :mod:`.moves`, ``deprivation.csv`` by :mod:`.affected`.

Across the change of building blocks (July 2022 → April 2024) a ward of 2024 is compared
with its predecessor, the ward of the 2011 LSOAs' vintages holding most of its residents
through the LSOA bridge (:mod:`.bridge`), named in ``from_ward_code`` and
``from_ward_name``; within a generation these are the ward itself. A council asked for is
followed through its lineage (:mod:`.succession`): its trend rows sum the councils of
its lineage present in each vintage.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from stpgeo.analysis.timeline.maps import VintageMap
from stpgeo.analysis.timeline.vintage import VintageResult
from stpgeo.io.vintages import FootprintVintage
from stpgeo.ons.generations import Generation

TIMELINE = ["council_code", "council_name", "vintage", "level", "home_footprint_codes",
            "home_footprint_names", "population", "population_outside_home", "n_wards",
            "n_wards_outside_home", "n_wards_split", "aligned"]
WARD_TIMELINE = ["ward_code", "ward_name", "council_code", "vintage", "best_footprint_code",
                 "best_footprint_name", "population_share_outside_home", "verdict"]
CHANGES = ["ward_code", "ward_name", "council_code", "from_vintage", "to_vintage",
           "from_footprint", "to_footprint", "from_verdict", "to_verdict", "population",
           "from_footprint_name", "to_footprint_name", "from_ward_code", "from_ward_name"]
TREND = ["scope_code", "scope_name", "vintage", "level", "date", "n_councils",
         "councils_not_aligned", "population", "population_outside_home", "generation",
         "residents", "reconstructed", "not_aligned_codes", "not_aligned_names"]
VINTAGES = ["vintage", "title", "level", "date", "generation", "lookup", "footprint_column",
            "council_column", "residents", "reconstructed", "proposal", "lookup_key",
            "footprint_field", "council_field", "base"]
#: England's GSS code: the scope of the national rows of the trend.
ENGLAND = "E92000001"


def council_rows(result: VintageResult, councils: Collection[str] | None) -> pd.DataFrame:
    """``timeline.csv`` rows of one vintage: every council (None) or those given."""
    figures = result.councils
    if councils is not None:
        figures = figures[figures.index.isin(set(councils))]
    verdicts = result.verdicts["verdict"]
    council_of = result.ward_council["council_code"].reindex(verdicts.index)
    counts = pd.DataFrame({
        "n_wards": 1, "n_wards_outside_home": verdicts == "outside_home",
        "n_wards_split": verdicts == "split"}).groupby(council_of.to_numpy()).sum()
    counts = counts.reindex(figures.index).fillna(0).astype("int64")
    names = result.map.footprint_names
    homes = [result.homes.get(c, []) for c in figures.index]
    outside = figures["population_outside_home"].round().astype("int64")
    return pd.DataFrame({
        "council_code": figures.index,
        "council_name": [result.map.council_names.get(c, c) for c in figures.index],
        "vintage": result.name, "level": result.map.vintage.level,
        "home_footprint_codes": [";".join(h) for h in homes],
        "home_footprint_names": [";".join(str(names.get(f, f)) for f in h) for h in homes],
        "population": figures["population"].round().astype("int64").to_numpy(),
        "population_outside_home": outside.to_numpy(),
        **{c: counts[c].to_numpy() for c in ("n_wards", "n_wards_outside_home",
                                              "n_wards_split")},
        "aligned": (outside == 0).to_numpy(),
    }, columns=TIMELINE)


def ward_rows(result: VintageResult, ward_names: pd.Series,
              councils: Collection[str] | None) -> pd.DataFrame:
    """``ward_timeline.csv`` rows of one vintage: every ward (None) or those of the
    councils given (in this vintage)."""
    verdicts = result.verdicts
    council = result.ward_council["council_code"].reindex(verdicts.index)
    if councils is not None:
        keep = council.isin(set(councils)).to_numpy()
        verdicts, council = verdicts[keep], council[keep]
    placed = result.blocks.dropna(subset=["ward"])
    has_people = placed["population"].notna().groupby(placed["ward"]).any()
    known = has_people.reindex(verdicts.index, fill_value=False).to_numpy()
    best = verdicts["best_footprint_code"]
    return pd.DataFrame({
        "ward_code": verdicts.index, "ward_name": verdicts.index.map(ward_names),
        "council_code": council.fillna("").to_numpy(), "vintage": result.name,
        "best_footprint_code": best.fillna("").to_numpy(),
        "best_footprint_name": best.map(result.map.footprint_names).fillna("").to_numpy(),
        "population_share_outside_home": np.where(known, verdicts["share_outside_home"],
                                                  np.nan),
        "verdict": verdicts["verdict"].to_numpy(),
    }, columns=WARD_TIMELINE).reset_index(drop=True)


def series_pairs(vintages: Sequence[FootprintVintage]
                 ) -> list[tuple[FootprintVintage, FootprintVintage]]:
    """Consecutive vintages of each series (CCGs then sub-ICB locations; STPs then ICBs),
    and each proposal after the vintage it changes."""
    pairs = []
    for kind in ("ccg", "stp"):
        dated = [v for v in vintages if v.kind == kind and v.proposal is None]
        pairs += list(itertools.pairwise(dated))
        # a proposal follows its base: the dated vintage of its column
        pairs += [(next((d for d in dated if d.column == p.column), dated[-1]), p)
                  for p in vintages if p.kind == kind and p.proposal is not None and dated]
    return pairs


def _compared(before: pd.DataFrame, after: pd.DataFrame,
              predecessors: pd.Series | None) -> pd.DataFrame:
    """Each ward of ``after`` beside the ward of ``before`` it is compared with (itself, or
    across the generations its predecessor)."""
    later = after.add_suffix("_b")
    later["from_ward"] = (later.index.to_series().map(predecessors) if predecessors is not None
                          else later.index.to_series())
    earlier = before.add_suffix("_a")
    return later.join(earlier, on="from_ward", how="inner")


def changes_table(wards: pd.DataFrame, vintages: Sequence[FootprintVintage],
                  residents: Mapping[Generation, pd.Series], *,
                  predecessors: pd.Series | None = None) -> pd.DataFrame:
    """``changes.csv`` from ``ward_timeline.csv``: wards whose verdict or best footprint
    changes between consecutive vintages of a series.

    ``residents``: per generation, residents per ward; ``predecessors``: each ward of the
    2021 LSOAs' vintages → the ward of the 2011 LSOAs' it is compared with.
    """
    by_vintage = {v: t.set_index("ward_code") for v, t in wards.groupby("vintage")}
    found = []
    for before, after in series_pairs(vintages):
        if before.name not in by_vintage or after.name not in by_vintage:
            continue
        across = before.generation != after.generation
        if across and predecessors is None:
            continue
        both = _compared(by_vintage[before.name], by_vintage[after.name],
                         predecessors if across else None)
        changed = ((both["verdict_a"] != both["verdict_b"])
                   | (both["best_footprint_code_a"] != both["best_footprint_code_b"]))
        both = both[changed]
        people = residents.get(after.generation, pd.Series(dtype=float))
        found.append(pd.DataFrame({
            "ward_code": both.index, "ward_name": both["ward_name_b"].to_numpy(),
            "council_code": both["council_code_b"].to_numpy(),
            "from_vintage": before.name, "to_vintage": after.name,
            "from_footprint": both["best_footprint_code_a"].to_numpy(),
            "to_footprint": both["best_footprint_code_b"].to_numpy(),
            "from_verdict": both["verdict_a"].to_numpy(),
            "to_verdict": both["verdict_b"].to_numpy(),
            "population": people.reindex(both.index).round().astype("Int64").to_numpy(),
            "from_footprint_name": both["best_footprint_name_a"].to_numpy(),
            "to_footprint_name": both["best_footprint_name_b"].to_numpy(),
            "from_ward_code": both["from_ward"].to_numpy(),
            "from_ward_name": both["ward_name_a"].to_numpy()},
            columns=CHANGES).sort_values(["council_code", "ward_name"], kind="stable"))
    return pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=CHANGES)


def _scope_row(figures: pd.DataFrame, codes: Collection[str], names: pd.Series
               ) -> dict[str, object]:
    present = figures[figures.index.isin(set(codes))]
    split = present.index[(present["population_outside_home"].round() > 0).to_numpy()]
    return {"n_councils": len(present), "councils_not_aligned": len(split),
            "population": round(present["population"].sum()),
            "population_outside_home": round(present["population_outside_home"].sum()),
            "not_aligned_codes": ";".join(split),
            "not_aligned_names": ";".join(str(names.get(c, c)) for c in split)}


def trend_rows(result: VintageResult, scopes: Mapping[str, tuple[str, Collection[str]]],
               *, residents: str) -> pd.DataFrame:
    """``trend.csv`` rows of one vintage: England, then each council asked.

    ``scopes``: each council asked → (its name, the codes of its lineage: it, the councils
    that became it and those it became); a council's row sums those present. ``residents``
    names the vintage's population table.
    """
    figures = result.councils
    vintage = result.map.vintage
    date = vintage.date.isoformat() if vintage.date is not None else ""
    names = result.map.council_names
    rows = [{"scope_code": ENGLAND, "scope_name": "England",
             **_scope_row(figures, figures.index, names)}]
    for code, (name, lineage) in scopes.items():
        row = _scope_row(figures, lineage, names)
        if row["n_councils"]:
            rows.append({"scope_code": code, "scope_name": name, **row})
    table = pd.DataFrame(rows).assign(vintage=vintage.name, level=vintage.level, date=date,
                                      generation=vintage.generation.key, residents=residents,
                                      reconstructed=vintage.reconstructed)
    return table[TREND]


def vintage_rows(maps: Sequence[VintageMap], residents: Mapping[Generation, str]
                 ) -> pd.DataFrame:
    """``vintages.csv``: each vintage, what it is built from, whose residents it counts."""
    return pd.DataFrame([{
        "vintage": m.name, "title": m.vintage.title, "level": m.vintage.level,
        "date": m.vintage.date.isoformat() if m.vintage.date else "",
        "generation": m.vintage.generation.key, "lookup": Path(str(m.notes["file"])).name,
        "footprint_column": m.notes["footprint_column"],
        "council_column": m.notes["council_column"],
        "residents": residents.get(m.vintage.generation, ""),
        "reconstructed": m.vintage.reconstructed,
        "proposal": Path(m.vintage.proposal).name if m.vintage.proposal else "",
        "lookup_key": m.vintage.lookup, "footprint_field": m.vintage.column,
        "council_field": m.vintage.councils, "base": m.vintage.base or ""}
        for m in maps], columns=VINTAGES)
