"""Who is affected: the deprivation table and the GP practices matched to a run, before the
overlays.

- The **deprivation** table must have deciles for some of the blocks (else it is of
  another geography or vintage and refused).
- The **practices**: the active GP practices (status A, prescribing setting 4) are
  kept, the others counted; each is placed in the block (without blocks: the ward)
  holding its coordinates; its commissioner's ODS code (``05L``) is matched to GSS codes
  through an ONS lookup's ``CCG17CDH``-style column (``--commissioners``, else the
  block-footprint, council or block-ward lookup that has one: ONS 143, 226, 066, 204,
  270 for the CCGs of 2017), and so to a footprint of each analysed layer (the CCG, or
  its STP). Refused: practices none of which lies in the blocks (wards), commissioner
  codes mostly unknown to the lookup, a lookup without the footprints' codes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from stpgeo.engine.practices import locate_points, practice_points
from stpgeo.errors import StpgeoError, preview
from stpgeo.io.layer import Layer
from stpgeo.io.lookups import code_columns, one_to_one
from stpgeo.io.practices import is_active_gp_practice

#: A practices file is refused when more of its active GP practices than this share have
#: a commissioner code the lookup does not know: it is of another year or not a CCG code.
MAX_UNKNOWN_COMMISSIONERS = 0.5
#: ONS columns of NHS bodies' ODS codes: ``CCG17CDH``, ``SICBL22CDH``, ``STP20CDH``.
_ODS_COLUMN = re.compile(r"^(?P<stem>[A-Za-z]+\d{2})CDH$", re.IGNORECASE)
_STATUS = {"C": "closed", "D": "dormant", "P": "proposed"}
_LOOKUP_FIX = ("give an ONS lookup holding the CCGs' ODS codes beside their GSS codes, of "
               "the practices' year, with --commissioners (e.g. ONS 066 or 143 for the CCGs "
               "and STPs of April 2017: CCG17CDH, CCG17CD, STP17CD)")


@dataclass(frozen=True)
class DeprivationMatch:
    """The deprivation table matched to the blocks.

    Attributes
    ----------
    deciles
        The table (a column of deciles per index, indexed by block code).
    notes
        ``file``, ``year``, ``indices``, ``rows``, ``blocks``, ``blocks_with_decile``.
    """

    deciles: pd.DataFrame
    notes: dict[str, Any]


@dataclass(frozen=True)
class PracticeMatch:
    """The active GP practices, placed, and their commissioners matched to each layer.

    Attributes
    ----------
    practices
        The active GP practices (columns of :func:`stpgeo.io.practices.read_practices`).
    points
        Each practice's location in EPSG:27700 (None without coordinates), by code.
    located
        Practice code → the block (``in_blocks``) or ward holding it (NaN for none).
    in_blocks
        Whether the practices were placed in blocks (else in wards).
    names
        Commissioner ODS code → name (e.g. ``NHS Sandwell and West Birmingham CCG``).
    footprints
        Per footprint layer (by analysis name): commissioner ODS code → footprint code.
    notes
        For summary.json → ``practices``.
    """

    practices: pd.DataFrame
    points: gpd.GeoSeries
    located: pd.Series
    in_blocks: bool
    names: pd.Series
    footprints: dict[str, pd.Series]
    notes: dict[str, Any]


def match_deprivation(deciles: pd.DataFrame, block_codes: Sequence[str]) -> DeprivationMatch:
    """Refuse a deprivation table with deciles for none of the blocks."""
    source = str(deciles.attrs.get("source", "deprivation table"))
    blocks = pd.Index(list(block_codes))
    with_decile = int(blocks.isin(deciles.index).sum())
    if with_decile == 0:
        raise StpgeoError(
            f"the deprivation table has deciles for none of the {len(blocks):,} blocks (blocks "
            f"e.g. {preview(blocks[:3], 3)}; table codes e.g. {preview(deciles.index[:3], 3)})",
            source=source, fix="give the indices of deprivation per block of the same "
            "geography and vintage as --blocks (IMD 2015 and 2019 are per 2011 LSOA)")
    return DeprivationMatch(deciles, {
        "file": source, "year": deciles.attrs.get("year"), "indices": list(deciles.columns),
        "columns": deciles.attrs.get("columns", {}), "rows": len(deciles),
        "blocks": len(blocks), "blocks_with_decile": with_decile})


def _ods_column(tables: Sequence[pd.DataFrame], codes: set[str], source: str
                ) -> tuple[pd.DataFrame, str, int]:
    """The lookup and its ODS column holding the most of the commissioner codes."""
    scored = [(len(codes & set(t[c].dropna())), -i, c)  # ties: the first lookup given
              for i, t in enumerate(tables) for c in t.columns if _ODS_COLUMN.match(str(c))]
    if not scored:
        given = [Path(str(t.attrs.get("source", "lookup"))).name for t in tables]
        raise StpgeoError(
            "no lookup holds the CCGs' ODS codes (a column such as CCG17CDH) to match the "
            "practices' commissioners to the footprints"
            + (f"; the lookups given are: {', '.join(given)}" if given else
               "; no lookup was given"), source=source, fix=_LOOKUP_FIX)
    hits, position, column = max(scored)
    return tables[-position], column, hits


def _partner(table: pd.DataFrame, column: str, part: str) -> str | None:
    """The GSS code (``CD``) or name (``NM``) column beside an ODS column (``CCG17CDH``)."""
    stem = _ODS_COLUMN.match(column)["stem"]  # type: ignore[index]
    return next((c for c in table.columns if str(c).lower() == f"{stem}{part}".lower()), None)


def _commissioner_footprints(table: pd.DataFrame, ods: str, layer: Layer) -> pd.Series:
    """Commissioner ODS code → the code of its footprint in this layer."""
    source = str(table.attrs.get("source", "commissioner lookup"))
    codes = set(layer.gdf["code"].dropna())
    scores = {c: len(codes & set(table[c].dropna())) for c in code_columns(table)}
    best = max(scores, key=scores.__getitem__, default=None)
    if best is None or scores[best] == 0:
        raise StpgeoError(
            f"the commissioner lookup has no column of the footprints' codes (e.g. "
            f"{preview(sorted(codes)[:3], 3)}), so the practices' CCGs cannot be placed in "
            f"them; its columns are: {preview(table.columns, 20)}", source=source,
            fix=_LOOKUP_FIX)
    return one_to_one(table, ods, best, source=source, role="commissioner lookup")


def match_practices(practices: pd.DataFrame, lookups: Sequence[pd.DataFrame], *,
                    footprints: dict[str, Layer], blocks: Layer | None,
                    wards: Layer) -> PracticeMatch:
    """Keep the active GP practices, place them, and match their commissioners.

    Parameters
    ----------
    practices
        From :func:`stpgeo.io.practices.read_practices` (``attrs["source"]`` its file).
    lookups
        The lookups to look for commissioner ODS codes in, first choice first.
    footprints
        The footprint layers, by analysis name.
    blocks, wards
        Where the practices are placed: in the blocks when given, else the wards.
    """
    source = str(practices.attrs.get("source", "practices table"))
    active = practices[is_active_gp_practice(practices)].reset_index(drop=True)
    left_out = practices[~is_active_gp_practice(practices)]
    if active.empty:
        raise StpgeoError(f"the practices file holds no active GP practice (status A, "
                          f"prescribing setting 4) among its {len(practices):,} rows",
                          source=source, fix="give NHS Digital's list of GP practices "
                          "(epraccur), which has StatusCode and PrescribingSetting columns")
    codes = set(active["commissioner_code"].dropna())
    table, ods, _ = _ods_column(lookups, codes, source)
    lookup = str(table.attrs.get("source", "commissioner lookup"))
    known = set(table[ods].dropna())
    unknown = active[~active["commissioner_code"].isin(known)]
    if len(unknown) > MAX_UNKNOWN_COMMISSIONERS * len(active):
        examples = preview(sorted(set(unknown["commissioner_code"].dropna()))[:8], 8)
        raise StpgeoError(
            f"{len(unknown):,} of the {len(active):,} active GP practices have a commissioner "
            f"code that is no CCG in {Path(lookup).name}'s {ods} (e.g. {examples})",
            source=source, fix="give practices and a commissioner lookup of the same year "
            "(e.g. the epraccur of 2017 with ONS 066 or 143), or name the lookup with "
            "--commissioners")
    name_column = _partner(table, ods, "NM")
    names = (one_to_one(table, ods, name_column, source=lookup, role="commissioner lookup")
             if name_column else pd.Series(dtype=object))
    matched = {n: _commissioner_footprints(table, ods, layer) for n, layer in footprints.items()}
    points = practice_points(active)
    areas = blocks.polygons if blocks is not None else wards.polygons
    located = locate_points(points, areas[["code", areas.geometry.name]])
    with_point = points.notna() & ~points.is_empty
    if with_point.any() and located.isna().all():
        raise StpgeoError(f"none of the {int(with_point.sum()):,} practices with coordinates "
                          f"lies in the {'blocks' if blocks is not None else 'wards'}",
                          source=source, fix="give practices of the area analysed, with "
                          "latitude and longitude in decimal degrees (WGS84)")
    without = active.loc[~with_point.to_numpy(), ["practice_code", "practice_name"]]
    outside = active.loc[(with_point & located.isna()).to_numpy(), "practice_code"]
    notes = {
        "file": source, "rows": len(practices), "active_gp_practices": len(active),
        "left_out": _left_out(left_out), "assumed": list(practices.attrs.get("assumed", [])),
        "placed_in": "blocks" if blocks is not None else "wards",
        "without_coordinates": len(without),
        "examples_without_coordinates": [f"{c} {n}" for c, n in without.head(10).to_numpy()],
        "outside": len(outside), "examples_outside": outside.head(10).tolist(),
        "lookup": {"file": lookup, "ods_column": ods, "gss_column": _partner(table, ods, "CD"),
                   "name_column": name_column},
        "unknown_commissioners": len(unknown),
        "examples_unknown": sorted(set(unknown["commissioner_code"].dropna()))[:10]}
    return PracticeMatch(active, points, located, blocks is not None, names, matched, notes)


def _left_out(rows: pd.DataFrame) -> dict[str, int]:
    """How many organisations were left out, and why."""
    counts: dict[str, int] = {}
    for status, setting in zip(rows["status"], rows["setting"], strict=True):
        reason = (_STATUS.get(status, f"status {status}") if status != "A"
                  else f"prescribing setting {setting} (not a GP practice)")
        counts[reason] = counts.get(reason, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: -item[1]))
