"""Where councils come from: the council lookups an analysis was given, read once.

A council lookup (``--councils``) may map wards to councils (e.g. ONS 032,
``WD16CD → LAD16CD``), blocks to councils (e.g. ONS 143, ``LSOA11CD → LAD17CD``), or
both; the columns are recognised by their codes. A ``council_field`` of the ward
layer comes first; the council columns of the block lookups (``--block-wards``,
``--block-footprints``) can place blocks when nothing else does. A council lookup
that places no ward and no block is refused. The result, :class:`CouncilSources`,
feeds :func:`stpgeo.engine.councils.ward_councils`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import pandas as pd

from stpgeo.errors import StpgeoError, preview
from stpgeo.io.layer import Layer
from stpgeo.io.lookups import code_columns, name_column, one_to_one
from stpgeo.ons.codes import field_kind, kind_of_code, parse_ons_field


@dataclass
class CouncilSources:
    """Where councils come from: a ward → council map and/or a block → council map."""

    ward_map: pd.Series | None = None
    block_map: pd.Series | None = None
    names: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))
    described: list[str] = field(default_factory=list)

    def add_names(self, names: pd.Series) -> None:
        """Remember council names (first one seen wins)."""
        self.names = pd.concat([self.names, names[~names.index.isin(self.names.index)]])


def council_column(table: pd.DataFrame) -> str | None:
    """The column of council (local authority district) codes in a table, if any."""
    named = [c for c in table.columns
             if field_kind(c) == "council" and (p := parse_ons_field(c)) and p.part == "CD"]
    if named:
        return max(named, key=lambda c: parse_ons_field(c).vintage)  # type: ignore[union-attr]
    for column in code_columns(table):
        kinds = table[column].dropna().map(kind_of_code)
        if (kinds == "council").mean() >= 0.9:
            return column
    return None


def _best_match(table: pd.DataFrame, codes: Collection[str]) -> tuple[str | None, int]:
    wanted = set(codes)
    scores = {c: int(table[c].isin(wanted).sum()) for c in code_columns(table)}
    best = max(scores, key=scores.__getitem__, default=None)
    return (best, scores[best]) if best is not None and scores[best] else (None, 0)


def sources_from_lookup(table: pd.DataFrame, ward_codes: Collection[str],
                        block_codes: Collection[str], *, role: str) -> CouncilSources | None:
    """Council maps from a lookup holding councils: by ward, by block, or both.

    Returns None when the table has no council column.
    """
    column = council_column(table)
    if column is None:
        return None
    source = str(table.attrs.get("source", role))
    found = CouncilSources()
    names = name_column(table, column)
    if names:
        found.add_names(one_to_one(table, column, names, source=source, role=role))
    ward_column, ward_hits = _best_match(table.drop(columns=[column]), ward_codes)
    if ward_column is not None and kind_of_code(str(table[ward_column].dropna().iloc[0])) == "ward":
        found.ward_map = one_to_one(table, ward_column, column, source=source, role=role)
        found.described.append(f"wards → councils from {source} ({ward_column} → {column}, "
                               f"{ward_hits:,} wards matched)")
    block_column, block_hits = _best_match(table.drop(columns=[column]), block_codes)
    if block_column is not None and kind_of_code(str(table[block_column].dropna().iloc[0])) in (
            "lsoa", "msoa", "output area"):
        found.block_map = one_to_one(table, block_column, column, source=source, role=role)
        found.described.append(f"blocks → councils from {source} ({block_column} → {column}, "
                               f"{block_hits:,} blocks matched)")
    return found if found.ward_map is not None or found.block_map is not None else None


def council_lookup(councils: pd.DataFrame, ward_codes: set[str], block_codes: set[str]
                    ) -> CouncilSources:
    """Council maps from a council lookup, refusing one that places no ward and no block."""
    found = sources_from_lookup(councils, ward_codes, block_codes, role="council lookup")
    if found is not None:
        return found
    source = councils.attrs.get("source", "council lookup")
    if council_column(councils) is None:
        problem = ("the council lookup has no column of council (LAD) codes; its columns are: "
                   f"{preview(councils.columns, 20)}")
    else:
        blocks = f" nor of the {len(block_codes):,} blocks'" if block_codes else ""
        problem = (f"the council lookup places none of the analysed areas: none of the "
                   f"{len(ward_codes):,} wards' codes{blocks} is in it (another vintage?)")
    raise StpgeoError(problem, source=source,
                      fix="give a ward → council lookup of the wards' vintage (e.g. ONS 032 "
                      "for 2016 wards, 051 for 2018) or a block → council lookup (e.g. ONS 143: "
                      "LSOA11CD, LAD17CD)")


def council_sources(councils: pd.DataFrame | None, *, wards: Layer, block_codes: set[str],
                    block_lookups: Sequence[tuple[pd.DataFrame | None, str]],
                    council_field: str | None) -> CouncilSources:
    """Every source of councils an analysis was given, in order of precedence.

    A ``council_field`` of the ward layer, then the council lookup (``--councils``:
    ward → council and/or block → council), then the council columns of the block
    lookups (``(table, role)`` pairs), which can place blocks.
    """
    ward_codes = set(wards.gdf["code"])
    sources = CouncilSources()
    if council_field is not None:
        column = wards.gdf.get(council_field, None)
        if column is None:
            raise StpgeoError(f"the ward layer has no field {council_field!r}",
                              source=wards.source,
                              fix="name a field of the ward layer that holds council codes")
        sources.ward_map = pd.Series(column.to_numpy(), index=wards.gdf["code"])
        sources.described.append(f"wards → councils from the ward field {council_field!r}")
    if councils is not None:
        given = council_lookup(councils, ward_codes, block_codes)
        sources.ward_map = given.ward_map if sources.ward_map is None else sources.ward_map
        sources.block_map = given.block_map
        sources.add_names(given.names)
        sources.described += given.described
    # blocks can also learn their council from the block lookups, when these have one
    for table, role in block_lookups:
        if table is None or not block_codes:
            continue
        found = sources_from_lookup(table, set(), block_codes, role=role)
        if found is not None and found.block_map is not None:
            if sources.block_map is None:
                sources.block_map = found.block_map
                sources.described += found.described
            sources.add_names(found.names)
    return sources
