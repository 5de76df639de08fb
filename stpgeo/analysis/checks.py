"""Checking that the inputs of an analysis fit together, before the expensive work.

Each layer must hold the kind of area its role needs (building blocks as blocks,
anything else as wards), every feature a code used once, and the layers must
overlap. Any layer of areas can be the footprints: a footprint layer of another
kind than CCGs, STPs or councils (wards of another vintage, constituencies, LSOAs)
is overlaid all the same, with a warning in the layer's warnings (so in
summary.json and on the command line's stderr), as is a ward layer of CCGs or STPs
(perhaps given the wrong way round). Lookups and population tables are matched
against the layers by their codes, and the run goes on only where that is safe:

- A block lookup (``--block-wards``, ``--block-footprints``) that covers **none** of
  the analysed wards (footprints) is refused: it is of another vintage or geography
  and would decide nothing. One that covers some goes on: where it covers a ward it
  decides, the other wards get their blocks by geometry, and the counts of
  uncovered wards and unmatched codes are reported (summary.json and a warning).
- A population table is refused when it has a figure for none of the blocks, or for
  fewer than half (:data:`MIN_POPULATION_COVERAGE`) of the blocks lying in the
  analysed wards: population shares from it would be wrong. Otherwise blocks without
  a figure are counted as unknown (left out of population shares, never as 0
  residents silently) and reported with their number.

Examples
--------
>>> import geopandas as gpd, shapely
>>> from stpgeo.io.layer import Layer
>>> lsoas = Layer(gpd.GeoDataFrame({"code": ["E01000001"], "name": ["a"]}, crs=27700,
...               geometry=[shapely.box(400000, 280000, 401000, 281000)]), source="x.geojson")
>>> try:
...     check_role(lsoas, "wards")
... except StpgeoError as error:
...     print(error.problem)
the wards layer holds LSOA (building block) codes (e.g. E01000001), not wards or councils
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Any

import pandas as pd
import shapely

from stpgeo.errors import StpgeoError, preview
from stpgeo.io.layer import Layer
from stpgeo.io.lookups import code_columns
from stpgeo.ons.codes import (
    FOOTPRINT_KINDS,
    KIND_TITLES,
    kind_of_code,
    kinds_of_codes,
    parse_ons_field,
)

#: A population table must have figures for at least this share of the blocks lying
#: in the analysed wards; below it the table is of another geography or incomplete.
MIN_POPULATION_COVERAGE = 0.5
_POPULATION_FIX = ("give residents per block of the same geography and vintage as --blocks "
                   "(e.g. ONS mid-year estimates per 2011 LSOA)")

_BLOCKS = frozenset({"lsoa", "msoa", "output area"})

#: Kinds a footprint layer usually holds; any other kind is overlaid too, with a warning.
_FOOTPRINTS = frozenset({"ccg", "stp", "council"})
_SWAPPED = "if --wards and --footprints are swapped, give each layer to the other option"
#: What to add to the warning on a footprint layer of another kind.
_WHERE = {"lsoa": "LSOAs are building blocks: to count residents give them with --blocks",
          "msoa": "MSOAs are building blocks: to count residents give them with --blocks",
          "output area": "output areas are building blocks: to count residents give them "
                         "with --blocks",
          "ward": f"two vintages of wards are compared so; {_SWAPPED}"}


def layer_kind(layer: Layer) -> str | None:
    """The layer's kind, or the kind most of its codes have when it was not recorded."""
    if layer.kind is not None:
        return layer.kind
    kinds = kinds_of_codes(layer.gdf["code"].dropna())
    kinds = kinds[kinds.index != "unknown"]
    return str(kinds.index[0]) if len(kinds) else None


def _require_columns(layer: Layer, role: str) -> None:
    missing = [c for c in ("code", "name") if c not in layer.gdf.columns]
    if missing:
        raise StpgeoError(
            f"the {role} layer has no {' or '.join(repr(c) for c in missing)} column",
            source=layer.source, fix="read the file with stpgeo.read_layer, or give the "
            "GeoDataFrame itself (stpgeo finds its code and name fields)")


def check_role(layer: Layer, role: str) -> Layer:
    """Refuse a layer whose codes cannot serve its role; warn when they are unusual for it.

    Parameters
    ----------
    layer
        The layer read for the role.
    role
        ``"wards"`` (wards, councils or any other areas but building blocks),
        ``"footprints"`` (any areas: CCGs, STPs and councils as they are; wards of
        another vintage, building blocks or constituencies with a warning) or
        ``"blocks"`` (LSOAs, MSOAs or output areas only).

    Returns
    -------
    Layer
        The layer, with a warning when its kind is unusual for its role (footprints
        that are not footprints, wards that look like footprints).
    """
    _require_columns(layer, role)
    kind = layer_kind(layer)
    if kind is None:
        return layer
    example = next((c for c in layer.gdf["code"].dropna() if kind_of_code(str(c)) == kind),
                   layer.gdf["code"].dropna().iloc[0] if layer.gdf["code"].notna().any()
                   else "?")
    title = KIND_TITLES.get(kind, kind)
    warning = None
    if role == "blocks":
        if kind not in _BLOCKS:
            raise StpgeoError(
                f"the blocks layer holds {title} codes (e.g. {example}), not building blocks",
                source=layer.source,
                fix="give building blocks (LSOAs, E01, or MSOAs, E02) with --blocks")
    elif role == "wards":
        if kind in _BLOCKS:
            raise StpgeoError(
                f"the wards layer holds {title} codes (e.g. {example}), not wards or councils",
                source=layer.source, fix="give electoral wards (E05) or councils (E06-E09) "
                "with --wards; LSOAs, MSOAs and output areas are building blocks: give them "
                "with --blocks")
        if kind in FOOTPRINT_KINDS:
            warning = (f"the wards layer ({layer.source}) holds {title} codes (e.g. {example}), "
                       f"which are usually the footprints; {_SWAPPED}")
    elif kind not in _FOOTPRINTS:
        warning = (f"the footprints layer ({layer.source}) holds {title} codes (e.g. {example}), "
                   "not CCGs, STPs or councils: the two layers are overlaid all the same"
                   + (f" ({_WHERE[kind]})" if kind in _WHERE else ""))
    if warning is None:
        return layer
    return replace(layer, warnings=[*layer.warnings, warning])


def check_codes(layer: Layer, role: str) -> Layer:
    """Refuse features without a code (that have a polygon) and codes used twice.

    Features with neither a code nor a polygon (OpenPrescribing's CCG file has two)
    take no part in an overlay: outside the wards layer they are left out and the
    layer's warnings say so. Every ward must have a code: each is reported once.
    """
    codes = layer.gdf["code"]
    missing = codes.isna()
    if missing.any():
        has_polygon = layer.gdf.index.isin(layer.polygons.index)
        if role == "wards" or (missing & has_polygon).any():
            raise StpgeoError(
                f"{int(missing.sum())} {role} have no code", source=layer.source,
                fix="give every feature a code (or a name that matches a names lookup)")
        note = (f"{int(missing.sum())} features with neither a code nor a polygon were "
                f"left out of the analysis")
        layer = replace(layer, gdf=layer.gdf[~missing], warnings=[*layer.warnings, note])
        codes = layer.gdf["code"]
    repeated = codes[codes.duplicated()].unique()
    if len(repeated):
        raise StpgeoError(
            f"{len(repeated)} {role} codes appear more than once: {preview(repeated)}",
            source=layer.source,
            fix="dissolve the features that share a code into one (e.g. in QGIS, or "
            "geopandas .dissolve('code')), or give a layer with one feature per code")
    return layer


def check_overlap(first: Layer, second: Layer, *, what: str) -> None:
    """Refuse two layers whose extents do not even meet (cheap, before any overlay)."""
    a, b = first.polygons, second.polygons
    if a.empty or b.empty or not shapely.intersects(shapely.box(*a.total_bounds),
                                                    shapely.box(*b.total_bounds)):
        raise StpgeoError(
            f"the {what} do not overlap at all", source=f"{first.source} × {second.source}",
            fix="check both layers cover the same area and their CRS are right "
            "(stpgeo inspect FILE shows their bounds)")


def _same_kind_columns(table: pd.DataFrame, kind: str | None) -> list[str]:
    """Columns of a lookup holding codes of ``kind`` (most of their values)."""
    if kind is None:
        return []
    found = []
    for column in code_columns(table):
        values = table[column].dropna().drop_duplicates()
        if len(values) and (values.map(kind_of_code) == kind).mean() >= 0.9:
            found.append(column)
    return found


def lookup_target_column(table: pd.DataFrame, targets: Layer, *, exclude: str, role: str,
                         what: str, fix: str) -> str:
    """The lookup column holding the targets' codes, refusing a lookup that covers none.

    Parameters
    ----------
    table
        The lookup (``attrs["source"]`` names its file).
    targets
        The analysed wards or footprints.
    exclude
        The column already used for the blocks.
    role, what
        ``"block-ward lookup"`` and ``"wards"``, for the message.
    fix
        How to fix a lookup that covers none of the targets.
    """
    source = str(table.attrs.get("source", role))
    codes = set(targets.gdf["code"].dropna())
    rest = table.drop(columns=[exclude])
    scores = {c: int(rest[c].isin(codes).sum()) for c in code_columns(rest)}
    best = max(scores, key=scores.__getitem__, default=None)
    if best is not None and scores[best] > 0:
        return best
    kind = layer_kind(targets)
    same = _same_kind_columns(rest, kind)
    if same:
        column = same[0]
        listed = rest[column].dropna().nunique()
        parsed = parse_ons_field(column)
        vintage = f" of {parsed.vintage}" if parsed else ""
        mine = f" of {targets.vintage}" if targets.vintage else ""
        found = (f"its {column} column lists {listed:,} other {kind} codes{vintage}; "
                 f"the {what} are{mine}")
    else:
        found = f"its columns are: {preview(table.columns, 20)}"
    raise StpgeoError(
        f"the {role} covers none of the {len(codes):,} {what}: 0 of their codes are in it "
        f"({found})", source=source, fix=fix)


def lookup_warning(notes: dict[str, Any], *, role: str, what: str) -> str | None:
    """A sentence on a lookup that covers only some targets or blocks, or None."""
    uncovered = notes["targets_not_covered"]
    missing_blocks = notes["blocks_not_in_lookup"]
    if not uncovered and not missing_blocks:
        return None
    parts = []
    if uncovered:
        total = notes["targets_covered"] + uncovered
        parts.append(f"covers {notes['targets_covered']:,} of the {total:,} {what}; the other "
                     f"{uncovered:,} (another vintage?) get their blocks by geometry")
    if notes["lookup_codes_not_analysed"]:
        parts.append(f"{notes['lookup_codes_not_analysed']:,} of its {what[:-1]} codes are not "
                     f"among the {what} analysed")
    if missing_blocks:
        parts.append(f"{missing_blocks:,} blocks are not in it")
    return f"the {role} ({notes['file']}) " + "; ".join(parts)


def _plain_index(codes: Collection[str]) -> pd.Index:
    """Codes as an index of plain strings (matching them is fast; see stpgeo.io.lookups)."""
    if isinstance(codes, pd.Index | pd.Series):
        return pd.Index(codes.to_numpy(dtype=object), dtype=object)
    return pd.Index(list(codes), dtype=object)


def check_population_codes(population: pd.Series, block_codes: Collection[str]) -> int:
    """Refuse a population table with a figure for none of the blocks (before any overlay).

    Returns how many of the blocks have a figure.
    """
    blocks = _plain_index(block_codes)
    with_figure = int(blocks.isin(population.index).sum())
    if with_figure == 0:
        known = population.index
        raise StpgeoError(
            f"the population table has a figure for none of the {len(blocks):,} blocks "
            f"(blocks e.g. {preview(blocks[:3], 3)}; table codes e.g. {preview(known[:3], 3)})",
            source=str(population.attrs.get("source", "population table")), fix=_POPULATION_FIX)
    return with_figure


def population_coverage(population: pd.Series, block_codes: Collection[str],
                        in_wards: Collection[str]) -> dict[str, Any]:
    """How well a population table covers the blocks placed in the wards; refuse a poor fit.

    Parameters
    ----------
    population
        Residents per block code (``attrs["source"]`` names its file).
    block_codes
        Every block with a polygon.
    in_wards
        The blocks placed in an analysed ward.

    Returns
    -------
    dict
        ``blocks``, ``blocks_with_figure``, ``blocks_in_wards``,
        ``blocks_in_wards_without_figure`` (their codes are listed in the warning),
        ``rows_without_block``.
    """
    source = str(population.attrs.get("source", "population table"))
    known = population.index
    blocks, placed = _plain_index(block_codes), _plain_index(in_wards)
    without = placed[~placed.isin(known)]
    if len(placed) and len(without) > (1 - MIN_POPULATION_COVERAGE) * len(placed):
        raise StpgeoError(
            f"{len(without):,} of the {len(placed):,} blocks in the analysed wards have no "
            f"population figure (e.g. {preview(without[:5], 5)})", source=source,
            fix=_POPULATION_FIX + f"; stpgeo needs figures for at least "
            f"{MIN_POPULATION_COVERAGE:.0%} of them")
    return {"source": source, "blocks": len(blocks),
            "blocks_with_figure": int(blocks.isin(known).sum()),
            "blocks_in_wards": len(placed),
            "blocks_in_wards_without_figure": len(without),
            "examples_without_figure": [str(c) for c in without[:10]],
            "rows_without_block": int((~known.isin(blocks)).sum())}
