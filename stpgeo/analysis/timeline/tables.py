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
    population, from_footprint_name, to_footprint_name`` (footprints by code, then
    by name).
``trend.csv``
    Per vintage, for England (``E92000001``) and each council asked: ``scope_code,
    scope_name, vintage, level, date, n_councils, councils_not_aligned, population,
    population_outside_home``.
``moves.csv``
    Between consecutive vintages of a series, for every council of England: the
    residents whose footprint changes and who move into their council's home
    footprints (``into_home``), out of them (``out_of_home``) or from one footprint
    outside them to another (``away_to_away``), by pair of footprints: ``council_code,
    council_name, from_vintage, to_vintage, direction, from_footprint,
    from_footprint_name, to_footprint, to_footprint_name, population, ward_codes,
    ward_names`` (the wards holding them, most residents first; only for the wards
    analysed). Exact, from the blocks; the timeline's story is told from it.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd

from stpgeo.analysis.timeline.vintage import VintageResult
from stpgeo.io.vintages import FootprintVintage

TIMELINE = ["council_code", "council_name", "vintage", "level", "home_footprint_codes",
            "home_footprint_names", "population", "population_outside_home", "n_wards",
            "n_wards_outside_home", "n_wards_split", "aligned"]
WARD_TIMELINE = ["ward_code", "ward_name", "council_code", "vintage", "best_footprint_code",
                 "best_footprint_name", "population_share_outside_home", "verdict"]
CHANGES = ["ward_code", "ward_name", "council_code", "from_vintage", "to_vintage",
           "from_footprint", "to_footprint", "from_verdict", "to_verdict", "population",
           "from_footprint_name", "to_footprint_name"]
MOVES = ["council_code", "council_name", "from_vintage", "to_vintage", "direction",
         "from_footprint", "from_footprint_name", "to_footprint", "to_footprint_name",
         "population", "ward_codes", "ward_names"]
TREND = ["scope_code", "scope_name", "vintage", "level", "date", "n_councils",
         "councils_not_aligned", "population", "population_outside_home"]
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


def changes_table(wards: pd.DataFrame, vintages: Sequence[FootprintVintage],
                  population: pd.Series) -> pd.DataFrame:
    """``changes.csv`` from ``ward_timeline.csv``: wards whose verdict or best footprint
    changes between consecutive vintages of a series. ``population``: residents per ward."""
    by_vintage = {v: t.set_index("ward_code") for v, t in wards.groupby("vintage")}
    found = []
    for before, after in series_pairs(vintages):
        if before.name not in by_vintage or after.name not in by_vintage:
            continue
        a, b = by_vintage[before.name], by_vintage[after.name]
        both = a.join(b, how="inner", suffixes=("_a", "_b"))
        changed = ((both["verdict_a"] != both["verdict_b"])
                   | (both["best_footprint_code_a"] != both["best_footprint_code_b"]))
        both = both[changed]
        found.append(pd.DataFrame({
            "ward_code": both.index, "ward_name": both["ward_name_b"].to_numpy(),
            "council_code": both["council_code_b"].to_numpy(),
            "from_vintage": before.name, "to_vintage": after.name,
            "from_footprint": both["best_footprint_code_a"].to_numpy(),
            "to_footprint": both["best_footprint_code_b"].to_numpy(),
            "from_verdict": both["verdict_a"].to_numpy(),
            "to_verdict": both["verdict_b"].to_numpy(),
            "population": population.reindex(both.index).round().astype("Int64").to_numpy(),
            "from_footprint_name": both["best_footprint_name_a"].to_numpy(),
            "to_footprint_name": both["best_footprint_name_b"].to_numpy()},
            columns=CHANGES).sort_values(["council_code", "ward_name"], kind="stable"))
    return pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=CHANGES)


def trend_rows(result: VintageResult, councils: Sequence[str]) -> pd.DataFrame:
    """``trend.csv`` rows of one vintage: England, then each council asked."""
    figures = result.councils
    vintage = result.map.vintage
    date = vintage.date.isoformat() if vintage.date is not None else ""
    rows = [{"scope_code": ENGLAND, "scope_name": "England", "n_councils": len(figures),
             "councils_not_aligned": int((figures["population_outside_home"] > 0).sum()),
             "population": round(figures["population"].sum()),
             "population_outside_home": round(figures["population_outside_home"].sum())}]
    for council in councils:
        if council not in figures.index:
            continue
        outside = round(figures.loc[council, "population_outside_home"])
        rows.append({"scope_code": council,
                     "scope_name": result.map.council_names.get(council, council),
                     "n_councils": 1, "councils_not_aligned": int(outside > 0),
                     "population": round(figures.loc[council, "population"]),
                     "population_outside_home": outside})
    table = pd.DataFrame(rows).assign(vintage=vintage.name, level=vintage.level, date=date)
    return table[TREND]


def _in_home(councils: pd.Series, footprints: pd.Series, homes: pd.Series) -> np.ndarray:
    """Whether each block's footprint is one of its council's home footprints."""
    pairs = pd.MultiIndex.from_tuples([(c, f) for c, codes in homes.items() for f in codes])
    blocks = pd.MultiIndex.from_arrays([councils.astype(object), footprints.astype(object)])
    return np.asarray(blocks.isin(pairs)) if len(pairs) else np.zeros(len(blocks), dtype=bool)


def moves_rows(before: VintageResult, after: VintageResult, *, wards: pd.Series,
               ward_names: pd.Series) -> pd.DataFrame:
    """``moves.csv`` rows between two vintages: residents whose footprint changes, by council
    (of the later vintage), direction and pair of footprints. ``wards``: block → ward."""
    a, b = before.every, after.every
    codes = a.index.intersection(b.index)
    a, b = a.loc[codes], b.loc[codes]
    home_a = _in_home(a["council"], a["footprint"], before.homes)
    home_b = _in_home(b["council"], b["footprint"], after.homes)
    changed = (a["footprint"] != b["footprint"]).to_numpy()
    direction = np.select([~home_a & home_b, home_a & ~home_b, ~home_a & ~home_b & changed],
                          ["into_home", "out_of_home", "away_to_away"], default="")
    moved = pd.DataFrame({"council_code": b["council"], "direction": direction,
                          "from_footprint": a["footprint"], "to_footprint": b["footprint"],
                          "population": b["population"].fillna(0),
                          "ward": wards.reindex(codes)})
    moved = moved[(direction != "") & moved["council_code"].notna().to_numpy()
                  & moved["from_footprint"].notna().to_numpy()
                  & moved["to_footprint"].notna().to_numpy()]
    keys = ["council_code", "direction", "from_footprint", "to_footprint"]
    by_ward = moved.dropna(subset=["ward"]).groupby([*keys, "ward"])["population"].sum()
    by_ward = by_ward.sort_values(ascending=False, kind="stable")
    ward_lists = by_ward.reset_index().groupby(keys, sort=False)["ward"].agg(list)
    rows = moved.groupby(keys, as_index=False)["population"].sum()
    lists = [ward_lists.get(tuple(k), []) for k in rows[keys].itertuples(index=False)]
    names_a, names_b = before.map.footprint_names, after.map.footprint_names
    table = rows.assign(
        council_name=rows["council_code"].map(after.map.council_names),
        from_vintage=before.name, to_vintage=after.name,
        from_footprint_name=rows["from_footprint"].map(names_a),
        to_footprint_name=rows["to_footprint"].map(names_b),
        population=rows["population"].round().astype("int64"),
        ward_codes=[";".join(w) for w in lists],
        ward_names=[";".join(str(ward_names.get(c, c)) for c in w) for w in lists])
    return table[table["population"] > 0][MOVES]


def moves_table(results: Sequence[VintageResult], *, wards: pd.Series,
                ward_names: pd.Series) -> pd.DataFrame:
    """``moves.csv``: :func:`moves_rows` for each pair of :func:`series_pairs`."""
    by_name = {r.name: r for r in results}
    found = [moves_rows(by_name[a.name], by_name[b.name], wards=wards, ward_names=ward_names)
             for a, b in series_pairs([r.map.vintage for r in results])]
    if not found:
        return pd.DataFrame(columns=MOVES)
    return pd.concat([f.sort_values(["council_code", "population"], ascending=[True, False],
                                    kind="stable") for f in found], ignore_index=True)
