"""Analysing wards against footprints: the pipeline behind ``stpgeo analyse``.

:func:`analyse` overlays a ward layer on a footprint layer once (the overlap table),
places each building block's residents in one ward and one footprint, finds each
ward's council and each council's home footprints, and derives everything else —
area and population shares, slivers, confidence, verdicts, council and footprint
tables — from those tables. :func:`analyse_many` does the same for several footprint
layers, sharing the work that does not depend on them (blocks × wards).

Method, in short (see the module docstrings of :mod:`stpgeo.engine.assign`,
:mod:`stpgeo.engine.councils` and :mod:`stpgeo.engine.verdicts` for the definitions):

1. All measuring in EPSG:27700; overlaps exact (:mod:`stpgeo.engine.overlap`).
2. Each block's residents go to one ward and one footprint: an ONS block lookup
   decides where it covers the target, else the largest share of the block's area.
3. A piece under the tolerance (5% of the ward's residents, else area) is a sliver.
4. With blocks, minority pieces made only of blocks the footprint's border cuts are
   ``uncertain`` and do not make a ward split.
5. Verdict: ``within``, ``outside_home`` or ``split`` against the council's home
   footprints.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from stpgeo._types import LayerInput, LookupInput, PathLike
from stpgeo.analysis.checks import (
    check_codes,
    check_overlap,
    check_population,
    check_role,
    lookup_target_column,
)
from stpgeo.analysis.result import Analysis
from stpgeo.analysis.summary import summarise
from stpgeo.engine.assign import Assignment, assign_blocks
from stpgeo.engine.conservation import check_conservation, conservation_warnings
from stpgeo.engine.councils import (
    CouncilSources,
    council_lookup,
    council_sources,
    home_footprints,
    ward_councils,
)
from stpgeo.engine.overlap import overlap_table
from stpgeo.engine.verdicts import council_table, footprint_table, piece_table, ward_verdicts
from stpgeo.errors import StpgeoError
from stpgeo.io.frame import layer_from_frame
from stpgeo.io.layer import Layer
from stpgeo.io.lookups import matching_column, one_to_one, read_lookup
from stpgeo.io.population import read_population
from stpgeo.io.read import read_layer
from stpgeo.progress import step


@dataclass
class Timer:
    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def __call__(self, what: str) -> Iterator[None]:
        started = time.perf_counter()
        with step(what):
            yield
        self.seconds[what] = round(time.perf_counter() - started, 3)


def _layer(value: LayerInput, *, role: str, crs: str | None, layer: str | None = None,
           name: str | None = None) -> Layer:
    """Read (or take) the layer for a role, check its kind and its codes."""
    source = f"{role} {name}" if name else role
    if isinstance(value, Layer):
        found = value
    elif isinstance(value, gpd.GeoDataFrame):  # checked as a file would be
        found = layer_from_frame(value, source=f"{source} (GeoDataFrame)", role=role, crs=crs)
    else:
        found = read_layer(value, crs=crs, layer=layer, role=role)
    return check_codes(check_role(found, role), role)


def _lookup(value: LookupInput | None, role: str) -> pd.DataFrame | None:
    if value is None or isinstance(value, pd.DataFrame):
        return value
    return read_lookup(value, role=role)


@dataclass
class Shared:
    """The work that does not depend on the footprint layer."""

    wards: Layer
    blocks: Layer | None
    population: pd.Series | None
    block_wards: pd.DataFrame | None
    block_ward_overlaps: pd.DataFrame | None
    ward_assignment: Assignment | None
    lookup_notes: dict[str, Any]


#: How to fix a block lookup that covers none of the analysed wards / footprints.
_LOOKUP_FIXES = {
    "block-ward lookup": "give a block → ward lookup of the wards' vintage (ONS publishes one "
    "a year, e.g. lookup 114 for 2016 wards, 168 for 2018), or leave out --block-wards to "
    "place blocks by geometry",
    "block-footprint lookup": "give a block → footprint lookup of the footprints' vintage "
    "(e.g. ONS 143 for the CCGs and STPs of April 2017), or leave out --block-footprints to "
    "place blocks by geometry",
}


def _map_lookup(table: pd.DataFrame, block_codes: list[str], targets: Layer, role: str,
                what: str) -> tuple[pd.Series, dict[str, Any]]:
    """Block → target mapping from a lookup, choosing the columns by their codes.

    A lookup that covers none of the targets is refused (see :mod:`stpgeo.analysis.checks`).
    """
    source = str(table.attrs.get("source", role))
    target_codes = set(targets.gdf["code"])
    block_column = matching_column(table, set(block_codes), source=source,
                                   role=f"{role} (for the blocks)")
    target_column = lookup_target_column(table, targets, exclude=block_column, role=role,
                                         what=what, fix=_LOOKUP_FIXES[role])
    mapping = one_to_one(table, block_column, target_column, source=source, role=role)
    listed = set(mapping.dropna().unique())
    notes = {"file": source, "block_column": block_column, "target_column": target_column,
             "rows": len(table), "targets_covered": len(target_codes & listed),
             "targets_not_covered": len(target_codes - listed),
             "lookup_codes_not_analysed": len(listed - target_codes),
             "blocks_not_in_lookup": len(set(block_codes) - set(mapping.index))}
    return mapping, notes


def _prepare(wards: Layer, blocks: Layer | None, population: pd.Series | None,
             block_wards: pd.DataFrame | None, timer: Timer) -> Shared:
    notes: dict[str, Any] = {}
    if blocks is None:
        return Shared(wards, None, None, block_wards, None, None, notes)
    block_codes = blocks.polygons["code"].dropna().tolist()
    lookup = None
    if block_wards is not None:  # checked before the overlay, which takes a while
        lookup, notes["block_wards"] = _map_lookup(block_wards, block_codes, wards,
                                                   "block-ward lookup", "wards")
    with timer(f"overlapping {len(block_codes):,} blocks with {len(wards):,} wards"):
        overlaps = overlap_table(blocks, wards)
    assignment = assign_blocks(block_codes, overlaps, wards.gdf["code"], lookup)
    if population is not None:
        placed = assignment.table.index[assignment.table["target"].notna()]
        notes["population"] = check_population(population, block_codes, placed)
    return Shared(wards, blocks, population, block_wards, overlaps, assignment, notes)


def analyse(
    wards: LayerInput,
    footprints: LayerInput,
    *,
    councils: LookupInput | None = None,
    blocks: LayerInput | None = None,
    population: pd.Series | PathLike | None = None,
    block_wards: LookupInput | None = None,
    block_footprints: LookupInput | None = None,
    tolerance: float = 0.05,
    wards_crs: str | None = None,
    footprints_crs: str | None = None,
    blocks_crs: str | None = None,
    wards_layer: str | None = None,
    footprints_layer: str | None = None,
    blocks_layer: str | None = None,
    council_field: str | None = None,
) -> Analysis:
    """Find which wards lie outside their council's home footprints, by area and residents.

    Parameters
    ----------
    wards, footprints
        Polygon layers (a :class:`Layer`, a GeoDataFrame with ``code`` and ``name``
        columns, or a file). Any pair works: wards × CCGs, wards × STPs, councils × STPs.
    councils
        A ward → council lookup (e.g. ONS 032) or a block → council lookup (e.g. ONS
        143), recognised from its columns.
    blocks, population
        Building blocks (LSOAs) and residents per block (a Series or CSV file).
    block_wards, block_footprints
        ONS block lookups (e.g. 114: LSOA → 2016 ward; 143: LSOA → CCG17 → STP17);
        where they cover a ward or footprint they decide, as they do for ONS.
    tolerance
        Pieces under this share of the ward's residents (else area) are slivers.
    wards_crs, footprints_crs, blocks_crs
        CRS of files that have none.
    wards_layer, footprints_layer, blocks_layer
        The layer to read from files holding several (GeoPackages).
    council_field
        A field of the ward layer holding each ward's council code.

    Returns
    -------
    Analysis
        Tables ``ward_footprints``, ``ward_verdicts``, ``councils``, ``footprints``,
        ``summary``, and layers for maps.

    Examples
    --------
    >>> result = analyse("wards/wards_dec2013_england.geojson", stp17,  # doctest: +SKIP
    ...                  councils="lookups/143_LSOA11_CCG17_STP17_LAD17_EN_LU.csv")
    >>> result.ward_verdicts.query("verdict != 'within'")  # doctest: +SKIP
    """
    results = analyse_many(wards, {"footprints": footprints}, councils=councils, blocks=blocks,
                           population=population, block_wards=block_wards,
                           block_footprints=block_footprints, tolerance=tolerance,
                           wards_crs=wards_crs, footprints_crs=footprints_crs,
                           blocks_crs=blocks_crs, wards_layer=wards_layer,
                           footprints_layer=footprints_layer, blocks_layer=blocks_layer,
                           council_field=council_field)
    return results["footprints"]


def analyse_many(
    wards: LayerInput,
    footprints: Mapping[str, LayerInput],
    *,
    councils: LookupInput | None = None,
    blocks: LayerInput | None = None,
    population: pd.Series | PathLike | None = None,
    block_wards: LookupInput | None = None,
    block_footprints: LookupInput | None = None,
    tolerance: float = 0.05,
    wards_crs: str | None = None,
    footprints_crs: str | None = None,
    blocks_crs: str | None = None,
    wards_layer: str | None = None,
    footprints_layer: str | None = None,
    blocks_layer: str | None = None,
    council_field: str | None = None,
) -> dict[str, Analysis]:
    """:func:`analyse` for several footprint layers at once, sharing the block work.

    ``footprints`` maps a short name (``"stp17"``) to each footprint layer; the
    result maps the same names to their :class:`Analysis`.
    """
    if not 0 <= tolerance < 0.5:
        raise StpgeoError(f"the tolerance {tolerance} is not a share between 0 and 0.5",
                          fix="give a fraction such as 0.05 (5%)")
    if population is not None and blocks is None:
        raise StpgeoError("a population table was given without blocks",
                          fix="give the blocks the population counts are for (--blocks)")
    for name, given in (("block-ward lookup", block_wards),
                        ("block-footprint lookup", block_footprints)):
        if given is not None and blocks is None:
            raise StpgeoError(f"a {name} was given without blocks",
                              fix="give the blocks the lookup is for (--blocks)")
    timer = Timer()
    with timer("reading inputs"):
        ward_layer = _layer(wards, role="wards", crs=wards_crs, layer=wards_layer)
        block_layer = (_layer(blocks, role="blocks", crs=blocks_crs, layer=blocks_layer)
                       if blocks is not None else None)
        residents = (population if isinstance(population, pd.Series) or population is None
                     else read_population(population))
        council_table_ = _lookup(councils, "council lookup")
        block_ward_table = _lookup(block_wards, "block-ward lookup")
        block_footprint_table = _lookup(block_footprints, "block-footprint lookup")
        footprint_layers = {n: _layer(f, role="footprints", crs=footprints_crs,
                                      layer=footprints_layer, name=n)
                            for n, f in footprints.items()}
    for layer in footprint_layers.values():
        check_overlap(ward_layer, layer, what="wards and the footprints")
    if council_table_ is not None:
        council_lookup(council_table_, set(ward_layer.gdf["code"]),
                       set(block_layer.gdf["code"].dropna()) if block_layer else set())
    if block_layer is not None:  # lookups and population, before the block overlays
        check_overlap(ward_layer, block_layer, what="wards and the blocks")
        block_codes = block_layer.polygons["code"].tolist()
        if residents is not None:
            check_population(residents, block_codes, in_wards=[])
        for layer in footprint_layers.values():
            if block_footprint_table is not None:
                _map_lookup(block_footprint_table, block_codes, layer,
                            "block-footprint lookup", "footprints")
    shared = _prepare(ward_layer, block_layer, residents, block_ward_table, timer)
    return {
        name: _analyse_one(name, shared, layer, council_table_, block_footprint_table,
                           council_field, tolerance, timer)
        for name, layer in footprint_layers.items()
    }


def _block_table(shared: Shared, footprints: Layer, assignment: Assignment,
                 overlaps: pd.DataFrame, sources: CouncilSources, ward_council: pd.Series
                 ) -> pd.DataFrame:
    assert shared.ward_assignment is not None
    wards = shared.ward_assignment.table
    table = pd.DataFrame({
        "ward": wards["target"], "ward_method": wards["method"],
        "ward_geometric": wards["geometric"],
        "footprint": assignment.table["target"], "footprint_method": assignment.table["method"],
        "footprint_geometric": assignment.table["geometric"],
    })
    table.index.name = "block_code"
    share = overlaps.set_index(["left", "right"])["left_share"]
    keys = list(zip(table.index, table["footprint"], strict=True))
    table["footprint_share"] = share.reindex(keys).fillna(0.0).to_numpy()
    table["population"] = (shared.population.reindex(table.index).astype(float)
                           if shared.population is not None else np.nan)
    by_ward = table["ward"].map(ward_council.dropna())
    council = (sources.block_map.reindex(table.index) if sources.block_map is not None
               else pd.Series(np.nan, index=table.index, dtype=object))
    table["council"] = council.astype(object).where(council.notna(), by_ward)
    return table


def _analyse_one(name: str, shared: Shared, footprints: Layer,
                 councils: pd.DataFrame | None, block_footprints: pd.DataFrame | None,
                 council_field: str | None, tolerance: float, timer: Timer) -> Analysis:
    wards = shared.wards
    with timer(f"overlapping {len(wards):,} wards with {len(footprints):,} footprints ({name})"):
        overlaps = overlap_table(wards, footprints, geometry=True)
    if overlaps.empty:
        raise StpgeoError(
            "the wards and the footprints do not overlap at all",
            source=f"{wards.source} × {footprints.source}",
            fix="check both layers cover the same area and their CRS are right "
            "(stpgeo inspect FILE shows their bounds)")
    notes = dict(shared.lookup_notes)
    blocks = None
    if shared.blocks is not None:
        block_codes = shared.blocks.polygons["code"].dropna().tolist()
        with timer(f"overlapping blocks with footprints ({name})"):
            block_overlaps = overlap_table(shared.blocks, footprints)
        lookup = None
        if block_footprints is not None:
            lookup, notes["block_footprints"] = _map_lookup(
                block_footprints, block_codes, footprints, "block-footprint lookup",
                "footprints")
        footprint_assignment = assign_blocks(block_codes, block_overlaps,
                                             footprints.gdf["code"], lookup)
    block_codes_all = (set(shared.blocks.gdf["code"].dropna()) if shared.blocks is not None
                       else set())
    sources = council_sources(councils, wards=wards, block_codes=block_codes_all,
                              block_lookups=((block_footprints, "block-footprint lookup"),
                                             (shared.block_wards, "block-ward lookup")),
                              council_field=council_field)
    ward_assignment = shared.ward_assignment
    weights = shared.population
    ward_council = ward_councils(
        wards.gdf, sources, own_kind=wards.kind,
        block_wards=ward_assignment.table["target"].dropna() if ward_assignment else None,
        weights=weights, block_areas=shared.block_ward_overlaps)
    if shared.blocks is not None:
        blocks = _block_table(shared, footprints, footprint_assignment, block_overlaps, sources,
                              ward_council["council_code"])

    with timer(f"verdicts ({name})"):
        pieces = piece_table(overlaps, blocks, tolerance=tolerance)
        if blocks is not None and blocks["population"].notna().any():
            amounts = blocks.groupby(["council", "footprint"])["population"].sum()
            totals = blocks.groupby("footprint")["population"].sum()
        else:
            by_council = pieces.assign(council=pieces["ward_code"].map(
                ward_council["council_code"].dropna()))
            amounts = by_council.groupby(["council", "footprint_code"])["area_m2"].sum()
            totals = footprints.gdf.set_index("code").area
        homes = home_footprints(
            amounts.rename("amount").rename_axis(["council", "footprint"]).reset_index(), totals)
        codes = pd.Index(wards.gdf["code"])
        verdicts = ward_verdicts(pieces, codes, ward_council["council_code"], homes)
        council_names = sources.names
        councils_out = council_table(pieces, verdicts, ward_council["council_code"], homes,
                                     council_names)
        footprint_rows = footprints.gdf[["code", "name"]].assign(
            population=totals.reindex(footprints.gdf["code"]).to_numpy()
            if blocks is not None and blocks["population"].notna().any() else np.nan)
        footprints_out = footprint_table(pieces, ward_council["council_code"], footprint_rows)

    return _assemble(name, shared, footprints, overlaps, pieces, verdicts, ward_council,
                     council_names, councils_out, footprints_out, blocks, sources, notes,
                     tolerance, timer)


def _assemble(name: str, shared: Shared, footprints: Layer, overlaps: gpd.GeoDataFrame,
              pieces: pd.DataFrame, verdicts: pd.DataFrame, ward_council: pd.DataFrame,
              council_names: pd.Series, councils_out: pd.DataFrame,
              footprints_out: pd.DataFrame, blocks: pd.DataFrame | None,
              sources: CouncilSources, notes: dict[str, Any], tolerance: float,
              timer: Timer) -> Analysis:
    wards = shared.wards
    ward_names = wards.gdf.set_index("code")["name"]
    footprint_names = footprints.gdf.set_index("code")["name"]
    ward_footprints = pieces.assign(
        ward_name=pieces["ward_code"].map(ward_names),
        footprint_name=pieces["footprint_code"].map(footprint_names),
        population=pd.array(pieces["population"].round(), dtype="Int64"))
    council_code = ward_council["council_code"]
    verdict_table = pd.DataFrame({
        "ward_code": verdicts.index,
        "ward_name": verdicts.index.map(ward_names),
        "council_code": council_code.reindex(verdicts.index).fillna("").to_numpy(),
        "council_name": [council_names.get(c, c) if isinstance(c, str) else ""
                         for c in council_code.reindex(verdicts.index)],
        "home_footprint_codes": [";".join(h) for h in verdicts["home_footprint_codes"]],
        "best_footprint_code": verdicts["best_footprint_code"].fillna("").to_numpy(),
        "best_footprint_name": verdicts["best_footprint_code"].map(footprint_names).fillna(
            "").to_numpy(),
        "best_area_share": verdicts["best_area_share"].to_numpy(),
        "best_population_share": verdicts["best_population_share"].to_numpy(),
        "verdict": verdicts["verdict"].to_numpy(),
    })
    ward_population = (blocks.dropna(subset=["ward"]).groupby("ward")["population"].sum()
                       if blocks is not None else pd.Series(dtype=float))
    wards_gdf = gpd.GeoDataFrame(
        verdict_table.assign(
            share_outside_home=verdicts["share_outside_home"].to_numpy(),
            population=pd.array(ward_population.reindex(verdicts.index).round(),
                                dtype="Int64"),
            area_m2=wards.gdf.area.to_numpy(),
            council_method=ward_council["council_method"].reindex(verdicts.index).to_numpy()),
        geometry=wards.gdf.geometry.values, crs=wards.gdf.crs)
    geometry = overlaps.set_index(["left", "right"]).geometry
    keys = list(zip(ward_footprints["ward_code"], ward_footprints["footprint_code"], strict=True))
    pieces_gdf = gpd.GeoDataFrame(
        ward_footprints.drop(columns=["best"]).assign(best=ward_footprints["best"]),
        geometry=geometry.reindex(keys).to_numpy(), crs=wards.gdf.crs)
    footprints_gdf = gpd.GeoDataFrame(
        footprints.gdf[["code", "name"]].merge(
            footprints_out.rename(columns={"footprint_code": "code"})
            .drop(columns=["footprint_name"]), on="code", how="left"),
        geometry=footprints.gdf.geometry.values, crs=footprints.gdf.crs)
    with timer(f"checking conservation ({name})"):
        conservation = check_conservation(
            wards, footprints, pieces, verdict_table, blocks=blocks, block_layer=shared.blocks,
            population=shared.population)
    summary = summarise(name, shared, footprints, pieces, verdicts, ward_council, blocks,
                       sources, notes, tolerance, timer)
    summary["conservation"] = conservation
    summary["warnings"] += conservation_warnings(conservation)
    block_table = None
    if blocks is not None:
        block_table = blocks.assign(population=pd.array(blocks["population"].round(),
                                                        dtype="Int64"))
    return Analysis(
        ward_footprints=ward_footprints, ward_verdicts=verdict_table, councils=councils_out,
        footprints=footprints_out, summary=summary, wards_gdf=wards_gdf,
        pieces_gdf=pieces_gdf, footprints_gdf=footprints_gdf, blocks=block_table)
