"""How the lookups meet the layers, decided once per run and before any overlay.

An analysis is refused before the expensive overlays when its inputs cannot fit:
inputs of different generations of LSOAs (2021 blocks with a population of the 2011
LSOAs: they share most codes, so the mix would be silently wrong where they differ),
layers that do not overlap, a council lookup that places nothing, a block lookup
that covers none of the wards (footprints), a population table with a figure for
none of the blocks. What passes is kept as :class:`Matches` — each block lookup
turned into a block → target mapping with notes on its coverage, and the sources
of councils — so that nothing is matched twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from stpgeo.analysis.affected_match import (
    DeprivationMatch,
    PracticeMatch,
    match_deprivation,
    match_practices,
)
from stpgeo.analysis.checks import check_overlap, check_population_codes, lookup_target_column
from stpgeo.analysis.council_sources import CouncilSources, council_sources
from stpgeo.analysis.inputs import Inputs
from stpgeo.io.generations import (
    check_same_generation,
    layer_generation,
    lookup_generation,
    population_generation,
    table_generation,
)
from stpgeo.io.layer import Layer
from stpgeo.io.lookups import matching_column, one_to_one
from stpgeo.ons.generations import Generation

#: How to fix a block lookup that covers none of the analysed wards / footprints.
_LOOKUP_FIXES = {
    "block-ward lookup": "give a block → ward lookup of the wards' vintage (ONS publishes one "
    "a year, e.g. lookup 114 for 2016 wards, 168 for 2018), or leave out --block-wards to "
    "place blocks by geometry",
    "block-footprint lookup": "give a block → footprint lookup of the footprints' vintage "
    "(e.g. ONS 143 for the CCGs and STPs of April 2017), or leave out --block-footprints to "
    "place blocks by geometry",
}


@dataclass(frozen=True)
class LookupMatch:
    """A block lookup matched to the analysed targets (wards, or one footprint layer).

    Attributes
    ----------
    mapping
        Block code → target code, as the lookup gives it.
    notes
        ``file``, ``block_column``, ``target_column``, ``rows``, ``targets_covered``,
        ``targets_not_covered``, ``lookup_codes_not_analysed``, ``blocks_not_in_lookup``
        (summary.json → ``inputs.lookups``).
    """

    mapping: pd.Series
    notes: dict[str, Any]


@dataclass(frozen=True)
class Matches:
    """Everything decided about the lookups before the overlays.

    Attributes
    ----------
    block_wards
        The block → ward lookup matched to the wards, or None.
    block_footprints
        Per footprint layer (by analysis name), the block → footprint lookup matched
        to it, or None.
    councils
        Where each ward's council comes from.
    deprivation, practices
        The deprivation table matched to the blocks, and the GP practices placed and
        their commissioners matched (:mod:`stpgeo.analysis.affected_match`), or None.
    """

    block_wards: LookupMatch | None
    block_footprints: dict[str, LookupMatch | None]
    councils: CouncilSources
    deprivation: DeprivationMatch | None = None
    practices: PracticeMatch | None = None


def match_lookup(table: pd.DataFrame, block_codes: list[str], targets: Layer, *, role: str,
                 what: str) -> LookupMatch:
    """Block → target mapping from a lookup, choosing the columns by their codes.

    A lookup that covers none of the targets is refused (see
    :func:`~stpgeo.analysis.checks.lookup_target_column`).
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
    return LookupMatch(mapping, notes)


def match_inputs(inputs: Inputs, *, council_field: str | None) -> Matches:
    """Check that the inputs fit together and match every lookup to its layers, once.

    Raises
    ------
    StpgeoError
        For inputs of different generations of LSOAs, layers that do not overlap, a
        council lookup that places nothing, a block lookup covering none of its targets,
        a population table with a figure for none of the blocks, or deprivation or
        practices that do not fit (see :mod:`stpgeo.analysis.affected_match`).
    """
    check_generations(inputs)
    for layer in inputs.footprints.values():
        check_overlap(inputs.wards, layer, what="wards and the footprints")
    block_codes = inputs.block_codes
    councils = council_sources(
        inputs.councils, wards=inputs.wards, block_codes=set(block_codes),
        block_lookups=((inputs.block_footprints, "block-footprint lookup"),
                       (inputs.block_wards, "block-ward lookup")),
        council_field=council_field)
    if inputs.blocks is not None:
        check_overlap(inputs.wards, inputs.blocks, what="wards and the blocks")
    if inputs.population is not None:
        check_population_codes(inputs.population, block_codes)
    block_footprints = {
        name: match_lookup(inputs.block_footprints, block_codes, layer,
                           role="block-footprint lookup", what="footprints")
        if inputs.block_footprints is not None else None
        for name, layer in inputs.footprints.items()}
    block_wards = (match_lookup(inputs.block_wards, block_codes, inputs.wards,
                                role="block-ward lookup", what="wards")
                   if inputs.block_wards is not None else None)
    return Matches(block_wards, block_footprints, councils, *_affected(inputs, block_codes))


def check_generations(inputs: Inputs) -> Generation | None:
    """Refuse blocks, population, block lookups and deprivation of different generations
    of LSOAs (each recognised by its field names, else its codes); returns the generation
    they are of, when one is known."""
    if inputs.blocks is None:
        return None
    parts: list[tuple[str, str, Generation | None]] = [
        ("blocks", inputs.blocks.source, layer_generation(inputs.blocks))]
    if inputs.population is not None:
        parts.append(("population table", str(inputs.population.attrs.get("source", "table")),
                      population_generation(inputs.population)))
    for table, role in ((inputs.block_wards, "block-ward lookup"),
                        (inputs.block_footprints, "block-footprint lookup"),
                        (inputs.councils, "council lookup")):
        if table is not None:
            parts.append((role, str(table.attrs.get("source", role)), lookup_generation(table)))
    if inputs.deprivation is not None:
        column = str(inputs.deprivation.attrs.get("code_column", "code"))
        parts.append(("deprivation table", str(inputs.deprivation.attrs.get("source", "table")),
                      table_generation(pd.DataFrame({column: inputs.deprivation.index}),
                                       column)))
    check_same_generation(parts)
    return next((g for _, _, g in parts if g is not None), None)


def _affected(inputs: Inputs, block_codes: list[str]
              ) -> tuple[DeprivationMatch | None, PracticeMatch | None]:
    """The deprivation table and the practices matched (see
    :mod:`stpgeo.analysis.affected_match`)."""
    deprivation = (match_deprivation(inputs.deprivation, block_codes)
                   if inputs.deprivation is not None else None)
    if inputs.practices is None:
        return deprivation, None
    lookups = ([inputs.commissioners] if inputs.commissioners is not None else
               [t for t in (inputs.block_footprints, inputs.councils, inputs.block_wards)
                if t is not None])
    return deprivation, match_practices(inputs.practices, lookups, footprints=inputs.footprints,
                                        blocks=inputs.blocks, wards=inputs.wards)
