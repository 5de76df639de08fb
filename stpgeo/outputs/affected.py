"""Who is affected, in plain English and in a small chart: deprivation and GP practices.

Every number is read from the result's tables (``deprivation.csv``, ``practices.csv``)
and, for England's reference shares, from summary.json (``deprivation.reference``):

- :func:`affected_findings` — sentences on one council ("Of the 175,800 Birmingham
  residents outside Birmingham and Solihull, 57% live in England's most deprived 10% of
  neighbourhoods by the Index of Multiple Deprivation 2019 ..."; "34 GP practices in
  Birmingham are members of NHS Sandwell and West Birmingham CCG ...");
- :func:`who_is_affected` — what the report's "Who is affected" section shows: the
  residents by decile on each side (a chart), per council, and the practices whose CCG
  is not their council's home.

Examples
--------
>>> index_title("IMD2019"), index_title("Health2019")
('the Index of Multiple Deprivation 2019', 'the Health Deprivation and Disability domain (2019)')
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

import pandas as pd

from stpgeo.analysis.result import Analysis
from stpgeo.engine.deprivation import DECILES
from stpgeo.io.deprivation import INDEX_TITLES
from stpgeo.outputs.findings import plural

#: Attributions of the data behind the deprivation and practices, for maps and reports.
ATTRIBUTIONS = {
    "deprivation": "English Indices of Deprivation: Ministry of Housing, Communities and "
                   "Local Government, Open Government Licence v3.0.",
    "practices": "GP practices: NHS Digital Organisation Data Service (epraccur), Open "
                 "Government Licence v3.0.",
}
_INDEX = re.compile(r"^(?P<name>[A-Za-z]+)(?P<year>\d{4})$")


def index_title(index: str) -> str:
    """An index of deprivation in words, with its year."""
    match = _INDEX.match(index)
    if match is None:
        return index
    name, year = match["name"], match["year"]
    title = INDEX_TITLES.get(name, name)
    return f"the {title} {year}" if name in ("IMD", "IDACI", "IDAOPI") else f"the {title} ({year})"


def _percent(part: float, whole: float) -> str:
    return f"{part / whole:.0%}" if whole else "–"


def _footprint_names(analysis: Analysis) -> dict[str, str]:
    return dict(zip(analysis.footprints["footprint_code"], analysis.footprints["footprint_name"],
                    strict=True))


def footprint_kind(analysis: Analysis) -> str | None:
    """The kind of the footprints analysed (``ccg``, ``stp``...)."""
    return (analysis.summary.get("inputs", {}).get("footprints") or {}).get("kind")


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def by_decile(analysis: Analysis, councils: Collection[str], index: str) -> pd.DataFrame:
    """Residents of some councils by decile (1..10) on each side: columns ``home`` and
    ``outside_home`` (and an ``unknown`` row for residents without a decile)."""
    table = analysis.deprivation
    assert table is not None
    rows = table[table["council_code"].isin(set(councils)) & (table["index"] == index)]
    counts = rows.groupby(["side", rows["decile"].astype("Int64").fillna(0)])[
        "population"].sum().unstack("side", fill_value=0)
    counts = counts.reindex(columns=["home", "outside_home"], fill_value=0)
    counts = counts.reindex([*DECILES, *([0] if 0 in counts.index else [])], fill_value=0)
    return counts.rename(index={0: "unknown"}).astype("int64")


def _reference(analysis: Analysis, index: str) -> tuple[str, list[int]] | None:
    reference = (analysis.summary.get("deprivation") or {}).get("reference") or {}
    residents = reference.get("residents", {}).get(index)
    return (str(reference.get("area", "England")), residents) if residents else None


def deprivation_findings(analysis: Analysis, council: str) -> list[str]:
    """Sentences on the deprivation of a council's residents on each side of the border:
    by the overall index, and by the Health domain when given."""
    if analysis.deprivation is None or analysis.deprivation.empty:
        return []
    row = analysis.find_council(council)
    code, name = str(row["council_code"]), str(row["council_name"])
    names = _footprint_names(analysis)
    homes = _and([names.get(c, c) for c in str(row["home_footprint_codes"]).split(";") if c])
    indices = list(dict.fromkeys(analysis.deprivation["index"]))
    chosen = [i for i in indices if i.startswith("IMD")][:1] or indices[:1]
    chosen += [i for i in indices if i.startswith("Health")][:1]
    sentences = []
    for n, index in enumerate(chosen):
        counts = by_decile(analysis, [code], index)
        ranked = counts.loc[list(DECILES)]
        outside, home = ranked["outside_home"], ranked["home"]
        if not ranked.to_numpy().sum():  # no resident of this council has a decile
            continue
        reference = _reference(analysis, index)
        england = (f"; {reference[0]}: {_percent(reference[1][0], sum(reference[1]))}"
                   if reference else "")
        if outside.sum() == 0:
            sentences.append(
                f"All {int(home.sum()):,} {name} residents live in {homes}; "
                f"{_percent(home[1], home.sum())} of them in England's most deprived 10% of "
                f"neighbourhoods by {index_title(index)}{f' ({england[2:]})' if england else ''}.")
            continue
        shares = (f"(the rest of {name}: {_percent(home[1], home.sum())}{england})")
        if n == 0:
            sentences.append(
                f"Of the {int(counts['outside_home'].sum()):,} {name} residents outside {homes}, "
                f"{_percent(outside[1], outside.sum())} live in England's most deprived 10% of "
                f"neighbourhoods by {index_title(index)} {shares}.")
        else:
            title = index_title(index)
            sentences.append(
                f"By {title}, {_percent(outside[1], outside.sum())} of them live in England's "
                f"most deprived 10% of neighbourhoods {shares}.")
    return sentences


def practice_findings(analysis: Analysis, council: str) -> list[str]:
    """Sentences on a council's GP practices whose CCG is not its home footprint."""
    practices = analysis.practices
    if practices is None:
        return []
    row = analysis.find_council(council)
    code, name = str(row["council_code"]), str(row["council_name"])
    mine = practices[practices["council_code"] == code]
    if mine.empty:
        return []
    names = _footprint_names(analysis)
    homes = [names.get(c, c) for c in str(row["home_footprint_codes"]).split(";") if c]
    away = mine[mine["commissioner_is_home"].eq(False).fillna(False)]
    sentences = []
    for (ccg, footprint), group in away.groupby(
            [away["commissioner_name"].fillna(away["commissioner_code"]),
             "commissioner_footprint_code"]):
        where = names.get(footprint, footprint)
        members = (f"{plural(len(group), 'GP practice')} in {name} "
                   f"{'is a member' if len(group) == 1 else 'are members'} of {ccg}")
        sentences.append(f"{members}, in {where} rather than {_and(homes)}." if where != ccg
                         else f"{members}, not of {' or '.join(homes)}.")
    home = int(mine["commissioner_is_home"].eq(True).fillna(False).sum())
    if sentences:
        of_ccgs = footprint_kind(analysis) == "ccg"
        ccgs = "a CCG" if home == 1 else "CCGs"
        sentences.append(f"{home:,} of the {len(mine):,} GP practices in {name} "
                         f"{'is a member' if home == 1 else 'are members'} of "
                         + (" or ".join(homes) if of_ccgs else f"{ccgs} in {_and(homes)}") + ".")
    return sentences


def affected_findings(analysis: Analysis, council: str) -> list[str]:
    """Who is affected in a council: the deprivation of its residents on each side of
    the border, and its GP practices whose CCG is not its home."""
    return deprivation_findings(analysis, council) + practice_findings(analysis, council)


#: The chart of residents by decile: its size and margins (SVG pixels).
CHART = {"width": 640, "height": 250, "left": 46, "right": 10, "top": 14, "bottom": 46}


def decile_chart(counts: pd.DataFrame, reference: list[int] | None) -> dict[str, Any]:
    """The bars of the chart of residents by decile, home and outside home, as shares of
    each side's residents with a decile (and England's shares, as marks)."""
    ranked = counts.loc[list(DECILES)]
    totals = ranked.sum()
    shares = ranked / totals.where(totals > 0)
    england = ([r / sum(reference) for r in reference] if reference and sum(reference)
               else [None] * len(DECILES))
    top = max([*shares.max().fillna(0), *(e or 0 for e in england), 0.1])
    top = -(-top * 10 // 1) / 10  # up to the next 10%
    width = CHART["width"] - CHART["left"] - CHART["right"]
    height = CHART["height"] - CHART["top"] - CHART["bottom"]
    group = width / len(DECILES)

    def y(share: float) -> float:
        return round(CHART["top"] + height * (1 - share / top), 1)

    bars = []
    for i, decile in enumerate(DECILES):
        x = CHART["left"] + i * group
        for side, offset in (("home", 0.1), ("outside_home", 0.5)):
            share = shares.loc[decile, side]
            if pd.notna(share):
                bars.append({"side": side, "decile": decile, "x": round(x + group * offset, 1),
                             "width": round(group * 0.38, 1), "y": y(share),
                             "height": round(CHART["top"] + height - y(share), 1),
                             "share": float(share),
                             "residents": int(ranked.loc[decile, side])})
    marks = [{"x1": round(CHART["left"] + i * group + group * 0.05, 1),
              "x2": round(CHART["left"] + (i + 1) * group - group * 0.05, 1), "y": y(e),
              "share": e} for i, e in enumerate(england) if e is not None]
    step = 2 if top > 0.6 else 1  # grid lines every 10% (every 20% on a tall scale)
    ticks = [{"y": y(t / 10), "label": f"{t * 10}%"}
             for t in range(0, round(top * 10) + 1, step)]
    return {**CHART, "bars": bars, "england": marks, "ticks": ticks,
            "labels": [{"x": round(CHART["left"] + (i + 0.5) * group, 1), "text": str(d)}
                       for i, d in enumerate(DECILES)],
            "base": CHART["top"] + height, "totals": {k: int(v) for k, v in totals.items()}}


def _council_rows(analysis: Analysis, councils: Collection[str], index: str
                  ) -> list[dict[str, Any]]:
    names = analysis.councils.set_index("council_code")["council_name"]
    rows = []
    for code in sorted(councils, key=lambda c: str(names.get(c, c))):
        counts = by_decile(analysis, [code], index).loc[list(DECILES)]
        totals = counts.sum()
        if not totals.sum():
            continue
        rows.append({"council_code": code, "council_name": names.get(code, code),
                     "home": int(totals["home"]), "outside": int(totals["outside_home"]),
                     **{f"{side}_{n}": (counts[side].iloc[:n].sum() / totals[side]
                                        if totals[side] else None)
                        for side in ("home", "outside_home") for n in (1, 2)}})
    return rows


def _practice_rows(analysis: Analysis, councils: Collection[str]) -> list[dict[str, Any]]:
    practices = analysis.practices
    if practices is None:
        return []
    away = practices[practices["council_code"].isin(set(councils))
                     & practices["commissioner_is_home"].eq(False).fillna(False)]
    wards = analysis.ward_verdicts.set_index("ward_code")["ward_name"]
    councils_named = analysis.councils.set_index("council_code")["council_name"]
    names = _footprint_names(analysis)
    return [{"practice_code": p.practice_code, "practice_name": p.practice_name,
             "ward": wards.get(p.ward_code, "") if isinstance(p.ward_code, str) else "",
             "council": councils_named.get(p.council_code, p.council_code),
             "commissioner": p.commissioner_name if isinstance(p.commissioner_name, str)
             else p.commissioner_code,
             "footprint": names.get(p.commissioner_footprint_code, "")}
            for p in away.sort_values(["council_code", "commissioner_code", "practice_name"])
            .itertuples()]


def who_is_affected(analysis: Analysis, councils: list[str], focus: str | None
                    ) -> dict[str, Any] | None:
    """What the report's "Who is affected" section shows for one analysis: the chart of
    residents by decile (of ``focus``, else of all ``councils``), a row per
    council and the practices whose CCG is not their council's home; None when the
    analysis has neither deprivation nor practices."""
    if analysis.deprivation is None and analysis.practices is None:
        return None
    found: dict[str, Any] = {"name": analysis.name, "label": analysis.label,
                             "chart": None, "councils": [], "index": None,
                             "practices": _practice_rows(analysis, councils),
                             "has_practices": analysis.practices is not None}
    if analysis.deprivation is not None and not analysis.deprivation.empty:
        index = next((i for i in analysis.deprivation["index"] if i.startswith("IMD")),
                     analysis.deprivation["index"].iloc[0])
        counts = by_decile(analysis, [focus] if focus else councils, index)
        reference = _reference(analysis, index)
        names = analysis.councils.set_index("council_code")["council_name"]
        found.update(index=index_title(index), chart=decile_chart(
            counts, reference[1] if reference else None),
            reference_area=reference[0] if reference else None,
            chart_of=names.get(focus, focus) if focus else f"the {len(councils)} councils shown",
            councils=_council_rows(analysis, councils, index))
    return found
