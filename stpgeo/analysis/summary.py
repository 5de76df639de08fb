"""summary.json: what an analysis was given, how it decided, what it found, how long it took.

Everything a reader needs to judge a result: each input's kind, vintage, counts and
repairs; the lookups and how much of the analysis they cover; the parameters and the
population method; verdict counts; slivers and uncertain pieces; how often geometry
disagrees with the ONS lookups; warnings; and the time each step took.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from stpgeo._version import __version__
from stpgeo.analysis.checks import lookup_warning
from stpgeo.analysis.run import LayerWork, WardWork
from stpgeo.engine.verdicts import VERDICTS, is_uncertain
from stpgeo.errors import preview


def summarise(work: WardWork, layer: LayerWork, *, tolerance: float) -> dict[str, Any]:
    """summary.json of one footprint layer's analysis (conservation is added by the caller)."""
    pieces, verdicts, blocks, notes = layer.pieces, layer.verdicts, layer.blocks, layer.notes
    ward_council, population = work.ward_council, work.inputs.population
    slivers = pieces[pieces["kind"] == "sliver"]
    uncertain = pieces[is_uncertain(pieces)]
    have_population = blocks is not None and blocks["population"].notna().any()
    warnings: list[str] = []
    if len(uncertain):
        warnings.append(
            f"{len(uncertain)} pieces are uncertain: they come only from blocks that the "
            "footprints' borders cut through; the footprint layer looks generalised")
    for key, role, what in (("block_wards", "block-ward lookup", "wards"),
                            ("block_footprints", "block-footprint lookup", "footprints")):
        sentence = lookup_warning(notes[key], role=role, what=what) if key in notes else None
        if sentence:
            warnings.append(sentence)
    if population is not None:
        warnings += population.attrs.get("warnings", [])
    coverage = notes.get("population")
    if coverage and coverage["blocks_in_wards_without_figure"]:
        warnings.append(
            f"{coverage['blocks_in_wards_without_figure']:,} of the "
            f"{coverage['blocks_in_wards']:,} blocks in the analysed wards have no figure in "
            f"the population table ({coverage['source']}): their residents are unknown and "
            "left out of population shares (e.g. "
            f"{preview(coverage['examples_without_figure'], 5)})")
    unknown = ward_council["council_method"] == "unknown"
    if unknown.any():
        warnings.append(f"{int(unknown.sum())} wards have no known council: "
                        f"{preview(ward_council.index[unknown])}")
    blocks_layer = work.inputs.blocks
    summary: dict[str, Any] = {
        "name": layer.name,
        "stpgeo_version": __version__,
        "inputs": {
            "wards": work.wards.summary(),
            "footprints": layer.footprints.summary(),
            "blocks": blocks_layer.summary() if blocks_layer is not None else None,
            "population": ({"source": population.attrs.get("source", "Series"),
                            "blocks": len(population), "residents": int(population.sum())}
                           if population is not None else None),
            "lookups": notes,
            "councils": work.matches.councils.described,
        },
        "parameters": {
            "tolerance": tolerance,
            "tolerance_measure": "population" if have_population else "area",
            "whole_block_share": 0.9,
            "crs": "EPSG:27700",
            "population_method": population_method(notes, blocks),
        },
        "counts": {
            "wards": len(verdicts),
            "footprints": len(layer.footprints.gdf),
            "verdicts": {v: int((verdicts["verdict"] == v).sum()) for v in VERDICTS},
            "council_methods": {k: int(v) for k, v in
                                ward_council["council_method"].value_counts().items()},
        },
        "slivers": {
            "pieces": len(slivers),
            "area_m2": float(slivers["area_m2"].sum()),
            "population": int(slivers["population"].sum()) if have_population else None,
        },
        "uncertain_pieces": {
            "pieces": len(uncertain),
            "area_m2": float(uncertain["area_m2"].sum()),
            "population": int(uncertain["population"].sum()) if have_population else None,
        },
        "warnings": warnings,
        "ward_footprint_overlaps": layer.route.summary() if layer.route is not None else None,
        "cache": {"used": work.cache.enabled, "entries_found": len(work.cache.hits),
                  "entries_made": len(work.cache.misses)},
        "timings_s": dict(work.timer.seconds),
    }
    if blocks is not None:
        summary["blocks"] = block_summary(blocks, work)
    return summary


def population_method(notes: dict[str, Any], blocks: pd.DataFrame | None) -> str:
    """How residents were given to wards and footprints, in words."""
    if blocks is None:
        return "none (area only)"
    wards = "ONS lookup where it covers the ward, else geometry" if "block_wards" in notes \
        else "geometry (largest share of the block's area)"
    footprints = "ONS lookup where it covers the footprint, else geometry" \
        if "block_footprints" in notes else "geometry (largest share of the block's area)"
    return f"blocks to wards: {wards}; blocks to footprints: {footprints}"


def block_summary(blocks: pd.DataFrame, work: WardWork) -> dict[str, Any]:
    """How the blocks were placed, and how often geometry disagrees with the lookups."""
    population = blocks["population"].fillna(0)
    compared = blocks["ward_method"] == "lookup"
    disagree = compared & (blocks["ward_geometric"].fillna("") != blocks["ward"].fillna(""))
    f_compared = blocks["footprint_method"] == "lookup"
    f_disagree = f_compared & (blocks["footprint_geometric"].fillna("")
                               != blocks["footprint"].fillna(""))
    assignment = work.assignment
    return {
        "blocks": len(blocks),
        "ward_methods": {k: int(v) for k, v in blocks["ward_method"].value_counts().items()},
        "footprint_methods": {k: int(v) for k, v in
                              blocks["footprint_method"].value_counts().items()},
        "wards_not_covered_by_lookup": (
            len(set(work.wards.gdf["code"]) - assignment.covered)
            if assignment is not None and work.inputs.block_wards is not None else None),
        "residents_counted": int(population.sum()),
        "residents_in_no_ward": int(population[blocks["ward"].isna()].sum()),
        "agreement": {
            "ward_blocks_compared": int(compared.sum()),
            "ward_blocks_disagreeing": int(disagree.sum()),
            "ward_residents_disagreeing": int(population[disagree].sum()),
            "footprint_blocks_compared": int(f_compared.sum()),
            "footprint_blocks_disagreeing": int(f_disagree.sum()),
            "footprint_residents_disagreeing": int(population[f_disagree].sum()),
        },
    }
