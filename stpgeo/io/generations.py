"""Which generation of building blocks a layer or table is of, and each one's defaults.

The 2011 and 2021 LSOAs share most of their codes (33,647 of England and Wales's LSOAs
kept theirs in 2021), so a population table or lookup of the wrong generation would
match the blocks almost everywhere and be silently wrong where it does not. stpgeo
therefore recognises the generation of every input that holds LSOA codes:

1. by its field name: ``LSOA11CD``, ``lsoa11_code`` (2011), ``LSOA21CD``,
   ``lsoa21_code`` (2021) (:func:`stpgeo.ons.generations.generation_of_field`);
2. else by the codes only one generation has, from ONS's bridge between the two
   (LSOA11 → LSOA21, catalogue key ``lsoa11_lsoa21``), when the data directory holds it.

:func:`check_same_generation` refuses inputs of different generations, naming both.
The catalogue's ``[generations]`` names each generation's default inputs
(:func:`generation_defaults`): its blocks, residents, wards and their block lookup,
deprivation, and how the generations meet (the bridge, the councils of 2022 → 2023).

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame({"LSOA21CD": ["E01000001"], "ICB24CD": ["E54000029"]})
>>> lookup_generation(table)
Generation(key='lsoa21', year=2021)
>>> generation_defaults(LSOA11)["population"]
'lsoa11_mid2017'
"""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from functools import cache
from pathlib import Path

import pandas as pd

from stpgeo.errors import StpgeoError
from stpgeo.io.cache import Cache
from stpgeo.io.cached import read_lookup_cached
from stpgeo.io.catalogue import data_dir, load_catalogue
from stpgeo.io.layer import Layer
from stpgeo.ons.generations import GENERATIONS, LSOA11, LSOA21, Generation, generation_of_field

#: The catalogue key of ONS's LSOA11 → LSOA21 bridge.
BRIDGE = "lsoa11_lsoa21"


@cache
def _only_codes(path: Path, stamp: float) -> dict[Generation, frozenset[str]]:
    """The codes only one generation has, from the bridge file."""
    bridge = read_lookup_cached(path, cache=Cache.open(), role="LSOA bridge")
    old, new = set(bridge[LSOA11.field].dropna()), set(bridge[LSOA21.field].dropna())
    return {LSOA11: frozenset(old - new), LSOA21: frozenset(new - old)}


def _bridge_file(data: str | os.PathLike[str] | None) -> Path | None:
    try:
        folder = data_dir(data)
    except StpgeoError:
        return None
    path = folder / load_catalogue().file("lookups", BRIDGE, folder)
    return path if path.is_file() else None


def generation_of_codes(codes: Collection[str],
                        data: str | os.PathLike[str] | None = None) -> Generation | None:
    """The generation whose own codes (those the other lacks) are among ``codes``.

    None when the codes are common to both (or the bridge is not in the data directory);
    when both generations' own codes are present, the one with more of them.
    """
    path = _bridge_file(data)
    if path is None:
        return None
    only = _only_codes(path, path.stat().st_mtime)
    wanted = set(codes)
    counts = {g: len(wanted & only[g]) for g in GENERATIONS}
    best = max(counts, key=lambda g: counts[g])
    return best if counts[best] else None


def layer_generation(layer: Layer, data: str | os.PathLike[str] | None = None
                     ) -> Generation | None:
    """The generation of a layer of LSOAs (None for other layers, or when unsure)."""
    if layer.kind != "lsoa":
        return None
    named = generation_of_field(layer.code_field or "")
    if named is not None:
        return named
    return generation_of_codes(layer.gdf["code"].dropna().tolist(), data)


def population_generation(population: pd.Series,
                          data: str | os.PathLike[str] | None = None) -> Generation | None:
    """The generation of a population table (its code column's name, else its codes)."""
    named = generation_of_field(str(population.attrs.get("code_column", "")))
    return named or generation_of_codes(population.index.tolist(), data)


def lookup_generation(table: pd.DataFrame) -> Generation | None:
    """The generation of a lookup's LSOA column, by its name; None for a lookup with none
    or with both (the bridge)."""
    found = {g for c in table.columns if (g := generation_of_field(str(c))) is not None}
    return found.pop() if len(found) == 1 else None


def table_generation(table: pd.DataFrame, column: str,
                     data: str | os.PathLike[str] | None = None) -> Generation | None:
    """The generation of a table's column of LSOA codes (its name, else its codes)."""
    named = generation_of_field(column)
    return named or generation_of_codes(table[column].dropna().tolist(), data)


def check_same_generation(parts: Sequence[tuple[str, str, Generation | None]]) -> None:
    """Refuse inputs of different generations of LSOAs.

    Parameters
    ----------
    parts
        ``(role, source, generation)`` of each input holding LSOA codes (e.g.
        ``("blocks", "lsoa21_ew_bsc_v4.gpkg", LSOA21)``); an unknown generation (None)
        agrees with any.

    Raises
    ------
    StpgeoError
        Naming the first two inputs that disagree, their files and generations.
    """
    known = [(role, source, g) for role, source, g in parts if g is not None]
    for role, source, found in known[1:]:
        first_role, first_source, first = known[0]
        if found != first:
            be = "are" if first_role.endswith("s") else "is"
            raise StpgeoError(
                f"the {first_role} ({Path(first_source).name}) {be} of the {first.title} but "
                f"the {role} ({Path(source).name}) is of the {found.title}; the two "
                "generations share most of their codes, so mixing them would be silently "
                "wrong where they differ", source=source,
                fix=f"give a {role} of the {first.title} (the catalogue's "
                f"{_default_for(first, role)}), or {first_role} of the {found.title}")


def _default_for(generation: Generation, role: str) -> str:
    """The catalogue's file of a generation for a role, for messages."""
    key = {"population table": "population", "deprivation table": "deprivation",
           "block-ward lookup": "block_wards"}.get(role)
    defaults = generation_defaults(generation)
    if key is None or key not in defaults:
        return f"{generation.key} files"
    catalogue = load_catalogue()
    section = {"population": "population", "deprivation": "deprivation",
               "block_wards": "lookups"}[key]
    return getattr(catalogue, section)[defaults[key]]["file"]


def generation_defaults(generation: Generation) -> dict[str, str]:
    """The catalogue keys of a generation's default inputs: ``blocks``, ``population``,
    ``wards``, ``block_wards``, ``deprivation`` (and for the 2021 LSOAs ``councils``,
    ``bridge``, ``successors``)."""
    entries = load_catalogue().generations
    if generation.key not in entries:
        raise StpgeoError(f"the catalogue names no default inputs for the {generation.title}",
                          source="boundaries/catalogue.toml",
                          fix=f"add a [generations.{generation.key}] section")
    return {k: str(v) for k, v in entries[generation.key].items()}
