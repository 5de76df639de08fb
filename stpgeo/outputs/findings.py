"""Key findings in plain English, from an analysis's tables.

Used by ``stpgeo demo``, the report and notebooks. Every number in a sentence is
read from the analysis tables, so the text and the tables cannot disagree.

Examples
--------
>>> plural(1, "ward"), plural(7, "ward")
('1 ward', '7 wards')
"""

from __future__ import annotations

import pandas as pd

from stpgeo.analysis.result import Analysis
from stpgeo.engine.verdicts import flagged_wards, real_pieces


def plural(n: int, noun: str) -> str:
    """``'1 ward'``, ``'7 wards'``."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _names(codes: str, names: dict[str, str]) -> list[str]:
    return [names.get(c, c) for c in codes.split(";") if c]


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def council_findings(analysis: Analysis, council: str) -> list[str]:
    """Sentences on one council: its home footprints and the wards outside them.

    Examples
    --------
    >>> council_findings(result, "Birmingham")  # doctest: +SKIP
    ["7 of Birmingham's 40 wards, home to 271,000 residents, lie wholly or partly in The
     Black Country rather than Birmingham and Solihull: ..."]
    """
    row = analysis.find_council(council)
    footprint_names = dict(zip(analysis.footprints["footprint_code"],
                               analysis.footprints["footprint_name"], strict=True))
    homes = _names(row["home_footprint_codes"], footprint_names)
    verdicts = analysis.ward_verdicts[analysis.ward_verdicts["council_code"]
                                      == row["council_code"]]
    flagged = flagged_wards(verdicts)
    name = row["council_name"]
    if not homes:  # none of its residents (or area) was counted in a footprint
        return [f"{name} has no home footprint: none of its residents or area was counted in "
                f"any footprint, so its {plural(int(row['n_wards']), 'ward')} cannot be "
                "judged against one (are the council lookup and the block lookups of "
                "different vintages?)."]
    home_text = _and(homes)
    if flagged.empty:
        return [f"All {plural(int(row['n_wards']), 'ward')} of {name} lie in its home "
                f"footprint{'s' if len(homes) > 1 else ''}, {home_text}."]
    pieces = real_pieces(analysis.ward_footprints)
    away = pieces[pieces["ward_code"].isin(flagged["ward_code"])
                  & ~pieces["footprint_code"].isin(row["home_footprint_codes"].split(";"))]
    others = _and(sorted({footprint_names.get(c, c) for c in away["footprint_code"]}))
    residents = _ward_residents(analysis, flagged["ward_code"])
    people = f", home to {residents:,} residents," if residents is not None else ""
    wholly = flagged[flagged["verdict"] == "outside_home"]
    partly = flagged[flagged["verdict"] == "split"]
    sentences = [
        f"{len(flagged)} of {name}'s {int(row['n_wards'])} wards{people} "
        f"{'lies' if len(flagged) == 1 else 'lie'} wholly or partly "
        f"in {others} rather than {home_text}: {_and(sorted(flagged['ward_name']))}.",
        f"{plural(len(wholly), 'ward')} {'lies' if len(wholly) == 1 else 'lie'} wholly "
        f"outside {home_text}"
        + (f" ({_and(sorted(wholly['ward_name']))})" if len(wholly) else "")
        + f"; {plural(len(partly), 'ward')} {'is' if len(partly) == 1 else 'are'} split"
        + (f" ({_and(sorted(partly['ward_name']))})" if len(partly) else "") + ".",
    ]
    if pd.notna(row["population_outside_home"]):
        sentences.append(f"{int(row['population_outside_home']):,} of {name}'s residents live "
                         f"in those wards' parts outside {home_text}.")
    return sentences


def _ward_residents(analysis: Analysis, wards: pd.Series) -> int | None:
    population = analysis.wards_gdf.set_index("ward_code")["population"]
    if population.isna().all():
        return None
    return int(population.reindex(wards).fillna(0).sum())


def national_findings(analysis: Analysis) -> list[str]:
    """Sentences on the whole analysis: verdict counts and non-coterminous councils."""
    counts = analysis.verdict_counts()
    total = len(analysis.ward_verdicts)
    councils = analysis.councils
    split = councils[(councils["n_wards_outside_home"] + councils["n_wards_split"]) > 0]
    shared = analysis.footprints[analysis.footprints["councils_partial"] != ""]
    sentences = [
        f"Of {plural(total, 'ward')}, {counts.get('within', 0):,} lie within their council's "
        f"home footprints, {counts.get('outside_home', 0):,} wholly outside them and "
        f"{counts.get('split', 0):,} are split.",
        f"{plural(len(split), 'council')} of {len(councils):,} "
        f"{'is' if len(split) == 1 else 'are'} not coterminous with "
        f"{'its' if len(split) == 1 else 'their'} home footprints; "
        f"{plural(len(shared), 'footprint')} {'shares' if len(shared) == 1 else 'share'} "
        "councils with others.",
    ]
    if councils["population_outside_home"].notna().any():
        sentences.append(f"{int(councils['population_outside_home'].sum()):,} residents live "
                         "outside their council's home footprints.")
    return sentences


def footprint_findings(analysis: Analysis, footprint: str) -> list[str]:
    """Sentences on one footprint: the councils wholly and partly inside it."""
    row = analysis.find_footprint(footprint)
    names = dict(zip(analysis.councils["council_code"], analysis.councils["council_name"],
                     strict=True))
    whole = _names(row["councils_whole"], names)
    partial = _names(row["councils_partial"], names)
    sentences = [f"{row['footprint_name']} holds {plural(len(whole), 'council')} wholly"
                 + (f" ({_and(whole)})" if whole else "")
                 + f" and {plural(len(partial), 'council')} partly"
                 + (f" ({_and(partial)})" if partial else "") + "."]
    if pd.notna(row["population"]):
        sentences.append(f"{int(row['population']):,} residents live in {row['footprint_name']}.")
    return sentences
