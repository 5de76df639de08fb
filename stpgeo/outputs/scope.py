"""What a map shows: which councils, wards and footprints.

- A **council** and its neighbours: every council with wards in any footprint that
  the council's wards lie in. Birmingham's wards lie in the STPs Birmingham and
  Solihull and The Black Country, so its map shows Birmingham, Solihull, Sandwell,
  Dudley, Walsall and Wolverhampton.
- A **footprint** and the councils touching it: every council with a ward in it.
- **Everything**: all the wards analysed (all England's in the demo).

"Lies in" counts real pieces only: slivers under the tolerance and pieces marked
``uncertain`` are generalisation, not geography, and do not pull in neighbours.
The scope is decided by the first (primary) analysis given; every analysis draws
the footprints that any ward in scope touches, slivers included.

Examples
--------
>>> scope = choose_scope([result], council="Birmingham")  # doctest: +SKIP
>>> scope.title, len(scope.councils)                      # doctest: +SKIP
('Birmingham and its neighbours', 6)
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from stpgeo.analysis.result import Analysis
from stpgeo.engine.verdicts import real_pieces
from stpgeo.errors import StpgeoError, preview


@dataclass(frozen=True)
class Scope:
    """The councils, wards and footprints a map shows.

    Attributes
    ----------
    title
        What the map is of, e.g. ``"Birmingham and its neighbours"``.
    wards
        Codes of the wards drawn.
    councils
        Codes of their councils.
    footprints
        For each analysis (in the order given), the codes of the footprints drawn.
    focus
        The council drawn heaviest (a ``council`` scope), else None.
    """

    title: str
    wards: list[str]
    councils: list[str]
    footprints: list[list[str]]
    focus: str | None = None


def _council_of(analysis: Analysis) -> pd.Series:
    """Ward code → council code, without wards of unknown council."""
    verdicts = analysis.ward_verdicts.set_index("ward_code")["council_code"]
    return verdicts[verdicts.notna() & (verdicts != "")]


def _scope(analyses: Sequence[Analysis], title: str, councils: set[str], *,
           focus: str | None = None, wards: list[str] | None = None) -> Scope:
    """The scope of these councils' wards (or of ``wards``) and the footprints they touch."""
    if wards is None:
        wards = [w for w, c in _council_of(analyses[0]).items() if c in councils]
    drawn = [sorted(set(a.ward_footprints.loc[a.ward_footprints["ward_code"].isin(wards),
                                              "footprint_code"])) for a in analyses]
    return Scope(title=title, wards=wards, councils=sorted(councils), footprints=drawn,
                 focus=focus)


def council_scope(analyses: Sequence[Analysis], council: str) -> Scope:
    """A council (code or name) and every council sharing a footprint with it."""
    primary = analyses[0]
    row = primary.find_council(council)
    code = str(row["council_code"])
    council_of = _council_of(primary)
    real = real_pieces(primary.ward_footprints)
    own = real[real["ward_code"].map(council_of) == code]
    shared = real[real["footprint_code"].isin(own["footprint_code"])]
    councils = {code} | set(shared["ward_code"].map(council_of).dropna())
    title = row["council_name"] + (" and its neighbours" if len(councils) > 1 else "")
    return _scope(analyses, title, councils, focus=code)


def footprint_scope(analyses: Sequence[Analysis], footprint: str) -> Scope:
    """A footprint (code or name, in any of the analyses) and the councils touching it."""
    for analysis in analyses:
        table = analysis.footprints
        match = table[(table["footprint_code"] == footprint)
                      | (table["footprint_name"].str.lower() == footprint.lower())]
        if match.empty:
            continue
        code, name = match.iloc[0][["footprint_code", "footprint_name"]]
        real = real_pieces(analysis.ward_footprints)
        inside = real.loc[real["footprint_code"] == code, "ward_code"]
        councils = set(inside.map(_council_of(analysis)).dropna())
        return _scope(analyses, f"{name} and its councils", councils)
    names = [n for a in analyses for n in a.footprints["footprint_name"]]
    raise StpgeoError(f"no footprint {footprint!r} in the analysis; footprints include "
                      f"{preview(names, 8)}",
                      fix="give a footprint code (E54000016) or name (The Black Country)")


def whole_scope(analyses: Sequence[Analysis]) -> Scope:
    """Every ward analysed (wards of unknown council included)."""
    wards = list(analyses[0].ward_verdicts["ward_code"])
    return _scope(analyses, f"All {len(wards):,} wards", set(_council_of(analyses[0])),
                  wards=wards)


def choose_scope(analyses: Sequence[Analysis], *, council: str | None = None,
                 footprint: str | None = None) -> Scope:
    """The scope a map shows: a council and its neighbours, a footprint, or everything.

    Raises
    ------
    StpgeoError
        When both a council and a footprint are given, or either is unknown (the
        message lists some valid ones).
    """
    if council is not None and footprint is not None:
        raise StpgeoError("a map shows a council or a footprint, not both",
                          fix="give either --council or --footprint (or --england)")
    if council is not None:
        return council_scope(analyses, council)
    if footprint is not None:
        return footprint_scope(analyses, footprint)
    return whole_scope(analyses)


@dataclass(frozen=True)
class ScopedTables:
    """An analysis's tables and layers restricted to the wards of a scope.

    Attributes
    ----------
    ward_verdicts, ward_footprints, councils, footprints
        The four tables: the wards in scope, their pieces, their councils and the
        footprints their pieces touch.
    wards_gdf, pieces_gdf, footprints_gdf
        The same as layers.
    """

    ward_verdicts: pd.DataFrame
    ward_footprints: pd.DataFrame
    councils: pd.DataFrame
    footprints: pd.DataFrame
    wards_gdf: gpd.GeoDataFrame
    pieces_gdf: gpd.GeoDataFrame
    footprints_gdf: gpd.GeoDataFrame


def scope_tables(analysis: Analysis, wards: Collection[str] | None) -> ScopedTables:
    """The analysis's tables and layers restricted to some wards (all when None)."""
    if wards is None:
        return ScopedTables(analysis.ward_verdicts, analysis.ward_footprints, analysis.councils,
                            analysis.footprints, analysis.wards_gdf, analysis.pieces_gdf,
                            analysis.footprints_gdf)
    wards = set(wards)
    verdicts = analysis.ward_verdicts[analysis.ward_verdicts["ward_code"].isin(wards)]
    pieces = analysis.ward_footprints[analysis.ward_footprints["ward_code"].isin(wards)]
    councils = set(verdicts["council_code"])
    touched = set(pieces["footprint_code"])
    return ScopedTables(
        ward_verdicts=verdicts, ward_footprints=pieces,
        councils=analysis.councils[analysis.councils["council_code"].isin(councils)],
        footprints=analysis.footprints[analysis.footprints["footprint_code"].isin(touched)],
        wards_gdf=analysis.wards_gdf[analysis.wards_gdf["ward_code"].isin(wards)],
        pieces_gdf=analysis.pieces_gdf[analysis.pieces_gdf["ward_code"].isin(wards)],
        footprints_gdf=analysis.footprints_gdf[analysis.footprints_gdf["code"].isin(touched)])
