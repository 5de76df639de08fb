"""A timeline's inputs: one set per generation of building blocks, each read once.

Each vintage is built from the LSOAs of its generation (:mod:`stpgeo.ons.generations`):
the 2011 LSOAs up to July 2022, the 2021 LSOAs since 2023. So each generation has its
own blocks, residents, wards and block → ward lookup, and deprivation — by default the
catalogue's (``[generations]`` in ``boundaries/catalogue.toml``):

=============  ==========================  ==================================
               2011 LSOAs (CCG15 … ICB22)  2021 LSOAs (SICBL24 … ICB26)
=============  ==========================  ==================================
blocks         LSOAs 2011 (generalised)    LSOAs 2021 (super generalised)
residents      mid-2017 estimates          Census 2021
wards          December 2013 (lookup 114)  May 2024 (best-fit LSOA21 → WD24)
deprivation    IMD 2019                    IoD 2025
=============  ==========================  ==================================

Inputs handed over (``blocks=``, ``population=``, ``block_wards=``, ``deprivation=``)
are one set, of one generation: they must agree (mixing 2011 and 2021 LSOAs is refused,
naming both) and replace that generation's defaults, wards handed over with them
included; the other generation keeps its defaults. Wards handed over alone are used for
every generation (placed in the blocks by geometry where no lookup fits them). The
defaults of the 2021 LSOAs cover England and Wales; England's are kept, as the vintages'
lookups are England's.

Examples
--------
>>> given = Given(population="population/lsoa21_population_census2021.csv")
>>> given.empty
False
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from stpgeo._types import LayerInput, LookupInput, PathLike, PopulationInput, TableInput
from stpgeo.analysis.inputs import Inputs, read_inputs
from stpgeo.analysis.options import AnalysisOptions
from stpgeo.errors import StpgeoError
from stpgeo.io.cache import Cache
from stpgeo.io.cached import (
    read_deprivation_cached,
    read_layer_cached,
    read_lookup_cached,
    read_population_cached,
)
from stpgeo.io.catalogue import load_catalogue
from stpgeo.io.frame import layer_from_frame
from stpgeo.io.generations import (
    check_same_generation,
    generation_defaults,
    layer_generation,
    lookup_generation,
    population_generation,
    table_generation,
)
from stpgeo.io.layer import Layer
from stpgeo.io.lookups import plain_text
from stpgeo.io.population import plain_index
from stpgeo.io.vintages import FootprintVintage
from stpgeo.ons.generations import LSOA11, Generation
from stpgeo.progress import Timer


@dataclass(frozen=True)
class Given:
    """What the caller handed over (each None for the catalogue's; ``deprivation=False``
    for none)."""

    wards: LayerInput | None = None
    blocks: LayerInput | None = None
    population: PopulationInput | None = None
    block_wards: LookupInput | None = None
    deprivation: TableInput | bool | None = None

    @property
    def empty(self) -> bool:
        return all(getattr(self, f) is None for f in ("wards", "blocks", "population",
                                                      "block_wards", "deprivation"))


@dataclass(frozen=True)
class GenerationInputs:
    """One generation's inputs, read and checked.

    Attributes
    ----------
    generation
        Which LSOAs.
    inputs
        Its wards, blocks, residents and block → ward lookup
        (:class:`~stpgeo.analysis.inputs.Inputs`).
    deprivation
        Its deciles of deprivation per block, or None.
    notes
        What came from where (for summary.json): ``given`` (True when the caller's),
        ``england_only`` (blocks and wards outside England left out).
    """

    generation: Generation
    inputs: Inputs
    deprivation: pd.DataFrame | None
    notes: dict[str, Any]


def _path(section: str, key: str, data: PathLike | None) -> Path:
    return load_catalogue().path(section, key, data)


def _present(section: str, key: str, data: PathLike | None) -> Path | None:
    """A catalogued file when the data directory has it, else None."""
    try:
        return _path(section, key, data)
    except StpgeoError:
        return None


def _layer(value: LayerInput | None, cache: Cache) -> Layer | None:
    if value is None or isinstance(value, Layer):
        return value
    if isinstance(value, gpd.GeoDataFrame):  # checked as a file would be
        return layer_from_frame(value, source="blocks (GeoDataFrame)", role="blocks")
    return read_layer_cached(value, cache=cache)


def _population(value: PopulationInput | None, cache: Cache) -> pd.Series | None:
    if value is None or isinstance(value, pd.Series):
        return plain_index(value) if value is not None else None
    return read_population_cached(value, cache=cache)


def _lookup(value: LookupInput | None, cache: Cache) -> pd.DataFrame | None:
    if value is None or isinstance(value, pd.DataFrame):
        return plain_text(value) if value is not None else None
    return read_lookup_cached(value, cache=cache, role="block-ward lookup")


def _deprivation(value: TableInput | bool | None, cache: Cache) -> pd.DataFrame | None:
    if value is None or value is False or value is True:
        return None
    if isinstance(value, pd.DataFrame):
        return value
    return read_deprivation_cached(Path(value), cache=cache)


def _source(value: object, what: str) -> str:
    attrs = getattr(value, "attrs", None)
    if isinstance(attrs, dict) and "source" in attrs:
        return str(attrs["source"])
    return str(getattr(value, "source", what))


def _given_generation(blocks: Layer | None, population: pd.Series | None,
                      block_wards: pd.DataFrame | None, deprivation: pd.DataFrame | None,
                      data: PathLike | None) -> Generation | None:
    """The one generation of the inputs handed over (refusing a mix), or None."""
    parts: list[tuple[str, str, Generation | None]] = []
    if blocks is not None:
        parts.append(("blocks", blocks.source, layer_generation(blocks, data)))
    if population is not None:
        parts.append(("population table", _source(population, "population table"),
                      population_generation(population, data)))
    if block_wards is not None:
        parts.append(("block-ward lookup", _source(block_wards, "block-ward lookup"),
                      lookup_generation(block_wards)))
    if deprivation is not None:
        column = str(deprivation.attrs.get("code_column", "code"))
        parts.append(("deprivation table", _source(deprivation, "deprivation table"),
                      table_generation(pd.DataFrame({column: deprivation.index}), column,
                                       data)))
    check_same_generation(parts)
    return next((g for _, _, g in parts if g is not None), None)


def _england(layer: Layer) -> Layer:
    """England's features of a layer of England and Wales (or the UK)."""
    keep = layer.gdf["code"].astype(str).str.startswith("E")
    if keep.all():
        return layer
    return replace(layer, gdf=layer.gdf[keep.to_numpy()],
                   notes=[*layer.notes, f"England's {int(keep.sum()):,} of {len(keep):,} "
                          "features kept (the vintages' lookups are England's)"])


def _default(generation: Generation, role: str, data: PathLike | None,
             cache: Cache) -> Any:
    """A generation's default input for a role, read (England's features of its layers;
    None for a deprivation table the data directory lacks)."""
    key = generation_defaults(generation).get(role)
    if role in ("blocks", "wards"):
        return _england(read_layer_cached(_path("layers", str(key), data), cache=cache))
    if role == "population":
        return read_population_cached(_path("population", str(key), data), cache=cache)
    if role == "block_wards":
        return read_lookup_cached(_path("lookups", str(key), data), cache=cache,
                                  role="block-ward lookup")
    path = _present("deprivation", str(key), data) if key else None
    return read_deprivation_cached(path, cache=cache) if path is not None else None


def _assign(given: Given, vintages: list[FootprintVintage], data: PathLike | None,
            cache: Cache) -> tuple[Generation | None, dict[str, Any]]:
    """The inputs handed over, read, and the generation they are of.

    Raises
    ------
    StpgeoError
        When they mix generations, or are of a generation none of the vintages is built
        from.
    """
    read = {"blocks": _layer(given.blocks, cache),
            "population": _population(given.population, cache),
            "block_wards": _lookup(given.block_wards, cache),
            "deprivation": _deprivation(given.deprivation, cache)}
    generation = _given_generation(read["blocks"], read["population"], read["block_wards"],
                                   read["deprivation"], data)
    generations = sorted({v.generation for v in vintages})
    held = [k.replace("_", "-") for k, v in read.items() if v is not None]
    if generation is None and held:  # nothing says: the only generation asked, else 2011
        generation = generations[0] if len(generations) == 1 else LSOA11
    if generation is not None and generation not in generations:
        names = ", ".join(v.name for v in vintages)
        raise StpgeoError(
            f"the {' and '.join(held)} given are of the {generation.title}, but the vintages "
            f"asked ({names}) are built from the "
            f"{' and '.join(g.title for g in generations)}", source="timeline inputs",
            fix=f"give inputs of the {generations[0].title}, or ask for vintages built from "
            f"the {generation.title} (--vintages)")
    return generation, read


#: The roles of a generation's inputs.
ROLES = ("blocks", "population", "block_wards", "deprivation")


def read_generations(vintages: list[FootprintVintage], given: Given, *,
                     data: PathLike | None, timer: Timer, cache: Cache
                     ) -> dict[Generation, GenerationInputs]:
    """Each generation's inputs, read once: the caller's for theirs, else the catalogue's.

    Raises
    ------
    StpgeoError
        For inputs mixing generations (naming both), of a generation no vintage asked is
        built from, or a default missing from the data directory.
    """
    mine, read = _assign(given, vintages, data, cache)
    everywhere = mine is None  # wards handed over alone serve every generation
    found: dict[Generation, GenerationInputs] = {}
    for generation in sorted({v.generation for v in vintages}):
        own = generation == mine
        values = {role: read[role] if own else None for role in ROLES}
        with timer(f"reading the inputs of the {generation.title}"):
            for role in ("blocks", "population"):
                if values[role] is None:
                    values[role] = _default(generation, role, data, cache)
            wards = given.wards if own or everywhere else None
            if wards is None:  # the generation's own wards, and their lookup
                wards = _default(generation, "wards", data, cache)
                if values["block_wards"] is None:
                    values["block_wards"] = _default(generation, "block_wards", data, cache)
            if values["deprivation"] is None and given.deprivation is not False:
                values["deprivation"] = _default(generation, "deprivation", data, cache)
            options = AnalysisOptions(blocks=values["blocks"], population=values["population"],
                                      block_wards=values["block_wards"])
            inputs = read_inputs(wards, {}, options, cache=cache)
        _given_generation(inputs.blocks, inputs.population, inputs.block_wards,
                          values["deprivation"], data)  # the defaults filled in agree
        found[generation] = GenerationInputs(
            generation=generation, inputs=inputs, deprivation=values["deprivation"],
            notes={"given": own, "wards_given": given.wards is not None and (own or everywhere)})
    return found
