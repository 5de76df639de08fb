"""Who is affected, for one footprint layer: the result tables on deprivation and practices.

From the blocks' footprints, councils and residents (:mod:`stpgeo.analysis.blocks`) and
the inputs matched before the overlays (:mod:`stpgeo.analysis.affected_match`):

- ``deprivation.csv`` — residents per council × side (home / outside_home) × index × decile
  (:func:`stpgeo.engine.deprivation.deprivation_table`), with the council's name;
- ``ward_deprivation.csv`` — per ward and index, the shares of its residents in England's
  most deprived 10% and 20% (:func:`stpgeo.engine.deprivation.ward_deprivation`);
- ``practices.csv`` — each active GP practice, its ward, council and commissioner, and
  whether that is home (:func:`stpgeo.engine.practices.practice_table`);

with what summary.json says of them (``deprivation``, ``practices``) and the warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from stpgeo.analysis.run import LayerWork, WardWork
from stpgeo.engine.deprivation import deprivation_table, residents_by_decile, ward_deprivation
from stpgeo.engine.practices import practice_table
from stpgeo.errors import preview

#: Columns of ``deprivation.csv``.
DEPRIVATION = ["council_code", "council_name", "side", "index", "decile", "population"]
#: England's 2011 LSOAs: a deprivation table ranking about as many covers England.
ENGLAND_LSOAS = 32_844


@dataclass(frozen=True)
class Affected:
    """The tables on who is affected, for one footprint layer (None when not asked for)."""

    deprivation: pd.DataFrame | None = None
    ward_deprivation: pd.DataFrame | None = None
    practices: pd.DataFrame | None = None
    block_deciles: pd.DataFrame | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def affected_tables(work: WardWork, layer: LayerWork) -> Affected:
    """The deprivation and practice tables of one footprint layer, and their summary."""
    tables: dict[str, pd.DataFrame] = {}
    summary: dict[str, Any] = {}
    warnings: list[str] = []
    if work.matches.deprivation is not None:
        found, summary["deprivation"], said = _deprivation(work, layer)
        tables.update(found)
        warnings += said
    if work.matches.practices is not None:
        tables["practices"], summary["practices"], said = _practices(work, layer)
        warnings += said
    return Affected(**tables, summary=summary, warnings=warnings)


def _deprivation(work: WardWork, layer: LayerWork
                 ) -> tuple[dict[str, pd.DataFrame], dict[str, Any], list[str]]:
    match = work.matches.deprivation
    assert match is not None
    assert layer.blocks is not None
    deciles, blocks = match.deciles, layer.blocks
    councils = sorted(set(work.ward_council["council_code"].dropna()))
    names = work.matches.councils.names
    table = deprivation_table(blocks, deciles, layer.homes, councils=councils)
    named = names.to_dict()
    table.insert(1, "council_name", [named.get(c, c) for c in table["council_code"].tolist()])
    population = work.inputs.population
    assert population is not None
    reference = residents_by_decile(deciles, population)
    ranked = int(population.index.isin(deciles.index).sum())
    mine = blocks[blocks["council"].isin(councils)]
    missing = mine[~mine.index.isin(deciles.index)]
    summary = {**match.notes,
               "reference": {"area": "England" if ranked >= 0.9 * ENGLAND_LSOAS else
                             f"the {ranked:,} blocks of the deprivation table",
                             "blocks": ranked, "residents": reference},
               "blocks_of_councils_without_decile": len(missing),
               "residents_without_decile": int(missing["population"].fillna(0).sum())}
    warnings = []
    if len(missing):
        warnings.append(
            f"{len(missing):,} blocks of the councils analysed "
            f"({summary['residents_without_decile']:,} residents) have no decile in "
            f"{Path(match.notes['file']).name}: their residents are counted under an unknown "
            f"decile (e.g. {preview(missing.index[:5], 5)})")
    block_deciles = deciles.reindex(blocks.index).astype("Int64").add_prefix("decile_")
    wards = pd.Index(work.wards.gdf["code"])
    return ({"deprivation": table[DEPRIVATION],
             "ward_deprivation": ward_deprivation(blocks, deciles, wards),
             "block_deciles": block_deciles}, summary, warnings)


def _examples(examples: list[str], total: int, shown: int = 5) -> str:
    """The first examples of ``total`` things, saying how many more there are."""
    more = total - min(shown, len(examples))
    return ", ".join(examples[:shown]) + (f" and {more:,} more" if more > 0 else "")


def _practices(work: WardWork, layer: LayerWork
               ) -> tuple[pd.DataFrame, dict[str, Any], list[str]]:
    match = work.matches.practices
    assert match is not None
    if match.in_blocks:
        assert layer.blocks is not None
        places = layer.blocks[["ward", "council"]]
    else:
        council = work.ward_council["council_code"]
        places = pd.DataFrame({"ward": council.index, "council": council.to_numpy()},
                              index=council.index)
    table = practice_table(match.practices, located=match.located, places=places,
                           commissioner_names=match.names,
                           commissioner_footprints=match.footprints[layer.name],
                           homes=layer.homes, in_blocks=match.in_blocks)
    notes = match.notes
    file = Path(notes["file"]).name
    warnings = []
    without, active = notes["without_coordinates"], notes["active_gp_practices"]
    if without == active:
        warnings.append(
            f"none of the {active:,} GP practices in {file} has coordinates, so their wards and "
            "councils are unknown; they are listed in practices.csv without them (a practices "
            "file with latitude and longitude columns places them)")
    elif without:
        one = without == 1
        warnings.append(
            f"{without:,} of the {active:,} GP practices in {file} "
            f"{'has' if one else 'have'} no coordinates, so {'its' if one else 'their'} ward "
            f"and council are unknown; {'it is' if one else 'they are'} listed in "
            "practices.csv without them "
            f"({_examples(notes['examples_without_coordinates'], without)})")
    if notes["outside"]:
        warnings.append(f"{notes['outside']:,} GP practices in {file} lie outside the "
                        f"{notes['placed_in']} analysed ("
                        f"{_examples(notes['examples_outside'], notes['outside'])})")
    if notes["unknown_commissioners"]:
        warnings.append(
            f"{notes['unknown_commissioners']:,} GP practices in {file} have a commissioner "
            f"that is not a CCG in {Path(notes['lookup']['file']).name} "
            f"({preview(notes['examples_unknown'], 5)}); their CCG is left unknown")
    home = table["commissioner_is_home"]
    summary = {**notes, "in_councils": int(table["council_code"].notna().sum()),
               "commissioner_home": int(home.eq(True).fillna(False).sum()),
               "commissioner_not_home": int(home.eq(False).fillna(False).sum())}
    return table, summary, warnings
