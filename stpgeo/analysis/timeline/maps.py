"""One footprint vintage as the timeline reads it: each block's footprint and council.

A vintage of footprints (:class:`~stpgeo.io.vintages.FootprintVintage`) is built
exactly from the LSOAs of its generation with its ONS lookup: the lookup gives each
block its footprint (``CCG15CD`` ... ``ICB26CD``) and its council of the same vintage
(``LAD15CD`` ... ``LAD24CD``: 326 districts up to 2018, 309 in 2021 and 2022, 296 since
the reorganisations of April 2023). A lookup of the other generation's LSOAs (its block
column ``LSOA11CD`` for a vintage of the 2021 LSOAs) is refused. A
:class:`VintageMap` holds both maps, with the names, read once from the lookup; a
proposal (:mod:`.proposals`) is one more.

Examples
--------
>>> import pandas as pd
>>> from stpgeo.io.vintages import FootprintVintage
>>> table = pd.DataFrame({"LSOA11CD": ["E01000001", "E01000002"],
...                       "ICB22CD": ["E54000055", "E54000062"],
...                       "ICB22NM": ["NHS Birmingham and Solihull ICB", "NHS Black Country ICB"],
...                       "LAD22CD": ["E08000025", "E08000028"],
...                       "LAD22NM": ["Birmingham", "Sandwell"]})
>>> icb22 = FootprintVintage("ICB22", "icb", None, "lsoa11_sicbl22", "ICB22CD", "LAD22CD")
>>> found = vintage_map(table, icb22, block_codes=["E01000001", "E01000002"])
>>> found.footprints.to_dict()
{'E01000001': 'E54000055', 'E01000002': 'E54000062'}
>>> found.council_names["E08000028"]
'Sandwell'
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from stpgeo.errors import StpgeoError
from stpgeo.io.generations import lookup_generation
from stpgeo.io.lookups import check_column_kind, matching_column, name_column, one_to_one
from stpgeo.io.vintages import FootprintVintage
from stpgeo.ons.codes import field_kind, parse_ons_field
from stpgeo.ons.fields import resolve_field
from stpgeo.ons.names import normalise_name


@dataclass(frozen=True)
class VintageMap:
    """Each block's footprint and council in one vintage, with their names.

    Attributes
    ----------
    vintage
        Which vintage (or proposal) this is.
    footprints, councils
        Block code → footprint code, and block code → council code.
    footprint_names, council_names
        Code → name.
    source
        The lookup file (or the proposal's file).
    table
        The lookup itself (for a proposal, its base's), read once.
    block_column
        The lookup's column of block codes.
    notes
        ``file``, ``block_column``, ``footprint_column``, ``council_column``, ``rows``,
        ``footprints``, ``councils``, ``blocks_not_in_lookup`` and ``lookup_blocks_unused``
        (lookup rows for blocks the block layer does not hold), for summary.json.
    """

    vintage: FootprintVintage
    footprints: pd.Series
    footprint_names: pd.Series
    councils: pd.Series
    council_names: pd.Series
    source: str
    table: pd.DataFrame = field(repr=False)
    block_column: str
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.vintage.name

    def code_column(self, kind: str) -> str | None:
        """The lookup's column of codes of a kind (``"ccg"``: ``SICBL22CD`` in the July 2022
        lookup), if it has one."""
        for column in self.table.columns:
            parsed = parse_ons_field(column)
            if parsed is not None and parsed.part == "CD" and field_kind(column) == kind:
                return str(column)
        return None


def _names(table: pd.DataFrame, column: str, *, source: str) -> pd.Series:
    """The code → name map of a code column's name partner (empty without one)."""
    names_column = name_column(table, column)
    return (one_to_one(table, column, names_column, source=source, role="lookup")
            if names_column else pd.Series(dtype=object))


def vintage_map(table: pd.DataFrame, vintage: FootprintVintage, *,
                block_codes: Collection[str], block_column: str | None = None) -> VintageMap:
    """A vintage's block → footprint and block → council maps from its ONS lookup.

    ``block_column`` is the lookup's column of block codes, found from the codes when not
    given (vintages sharing a lookup need it found once).

    Raises
    ------
    StpgeoError
        When the lookup lacks the vintage's columns, holds codes of another kind in
        them, gives a block two footprints or two councils, or holds none of the
        blocks.
    """
    source = str(table.attrs.get("source", f"the lookup of {vintage.name}"))
    column = resolve_field(table, vintage.column, source=source, role=f"{vintage.name} column")
    councils = resolve_field(table, vintage.councils, source=source,
                             role=f"{vintage.name} council column")
    check_column_kind(table, column, source=source)
    check_column_kind(table, councils, source=source)
    listed = lookup_generation(table)
    if listed is not None and listed != vintage.generation:
        raise StpgeoError(f"the lookup of {vintage.name} lists the {listed.title}, but "
                          f"{vintage.name} is built from the {vintage.generation.title}",
                          source=source, fix=f"give a lookup of the {vintage.generation.title} "
                          f"({vintage.generation.field}) for {vintage.name}")
    block_column = block_column or matching_column(
        table, set(block_codes), source=source, role=f"lookup of {vintage.name} (for the blocks)")
    footprints = one_to_one(table, block_column, column, source=source, role="lookup")
    council_of = one_to_one(table, block_column, councils, source=source, role="lookup")
    footprint_names = _names(table, column, source=source)
    council_names = _names(table, councils, source=source)
    # object dtype: set operations on pandas' Arrow-backed strings are several times slower
    in_lookup = pd.Index(footprints.index.astype(object))
    given = pd.Index(pd.Series(list(block_codes), dtype=object)).unique()
    found = int(given.isin(in_lookup).sum())
    if not found:
        raise StpgeoError(f"the lookup of {vintage.name} holds none of the blocks' codes",
                          source=source, fix=f"give a lookup of the {vintage.generation.title} "
                          f"({vintage.generation.field})")
    notes = {"file": source, "block_column": block_column, "footprint_column": column,
             "council_column": councils, "rows": len(table),
             "footprints": int(footprints.nunique()), "councils": int(council_of.nunique()),
             "blocks_not_in_lookup": len(given) - found,
             "lookup_blocks_unused": int((~in_lookup.isin(given)).sum())}
    return VintageMap(vintage=vintage, footprints=footprints, footprint_names=footprint_names,
                      councils=council_of, council_names=council_names, source=source,
                      table=table, block_column=block_column, notes=notes)


def neighbours(maps: Sequence[VintageMap], councils: Collection[str]) -> set[str]:
    """The councils, and every council sharing a footprint with one of them in any vintage.

    Examples
    --------
    >>> from stpgeo.io.vintages import FootprintVintage
    >>> v = FootprintVintage("STP17", "stp", None, "143", "STP17CD", "LAD17CD")
    >>> blocks = ["b1", "b2", "b3"]
    >>> vmap = VintageMap(v, pd.Series(["S1", "S1", "S2"], index=blocks), pd.Series(dtype=object),
    ...                   pd.Series(["C1", "C2", "C3"], index=blocks), pd.Series(dtype=object),
    ...                   "lookup", pd.DataFrame(), "LSOA11CD")
    >>> sorted(neighbours([vmap], ["C1"]))
    ['C1', 'C2']
    """
    found = set(councils)
    for vmap in maps:
        council_of = vmap.councils.reindex(vmap.footprints.index)
        theirs = set(vmap.footprints[council_of.isin(set(councils)).to_numpy()].dropna())
        found |= set(council_of[vmap.footprints.isin(theirs).to_numpy()].dropna())
    return found


def resolve_councils(given: Sequence[str], maps: Sequence[VintageMap]) -> list[str]:
    """Council codes for codes or names (any case, ``&`` or ``and``), in the order given.

    A name held by several codes across the vintages gives them all.

    Raises
    ------
    StpgeoError
        For a council no vintage's lookup names, with the closest names.
    """
    names: dict[str, str] = {}
    for vmap in maps:
        names.update(vmap.council_names.to_dict())
    by_name: dict[str, list[str]] = {}
    for code, name in names.items():
        by_name.setdefault(normalise_name(name), []).append(code)
    found: list[str] = []
    for value in given:
        codes = ([value.upper()] if value.upper() in names
                 else by_name.get(normalise_name(value), []))
        if not codes:
            close = difflib.get_close_matches(value, sorted(set(names.values())), n=5)
            raise StpgeoError(
                f"no council {value!r} in the lookups of {', '.join(m.name for m in maps)}",
                fix="give a council code or name, e.g. E08000025 or Birmingham"
                + (f"; close names: {', '.join(close)}" if close else ""))
        found += [c for c in sorted(codes) if c not in found]
    return found
