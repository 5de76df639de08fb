"""Proposed footprints, tested against every council before they are adopted.

A proposal is a CSV file (or a DataFrame) in one of two forms. The first has three
columns:

``code``
    An existing GSS code: an ICB (E54), a sub-ICB location (E38), a council (E06–E09)
    or an LSOA (E01), of the vintage the proposal changes (its *base*).
``proposed_code``, ``proposed_name``
    The proposed footprint it goes to: any code (an existing one, to move areas into
    it, or a new one such as ``P01``) and its name.

Each block goes to the proposed footprint of its most specific row (an LSOA row
before its council's, a council's before its sub-ICB location's, that before its
ICB's); blocks no row names keep their footprint of the base vintage. So "merge the
Black Country and Birmingham and Solihull ICBs" is two rows, and "move this
sub-ICB location into that ICB" one.

The second is a whole map of LSOAs, as ONS publishes its lookups (like the April 2026
lookup): an LSOA code column (``LSOA21CD`` or ``LSOA11CD``) and a footprint code column
with its names (``ICB27CD``, ``ICB27NM``; the ICB column when there are several, else the
sub-ICB location's, or the one named with ``level``). Each LSOA is a row.

The base is the latest ICB map (ICB26 by default) unless the proposal names sub-ICB
locations (and LSOAs) only and proposes no ICB code: then the latest sub-ICB map — the
latest, that is, in which every code the proposal names is an area (so an ICB
abolished in 2026 can be merged on the map of 2024), and of the generation of its LSOA
codes. In Python the base can be chosen (:class:`Proposal`, ``base="SICBL24"``). A
proposal becomes one more vintage of the timeline, named after its file.

Refused, with every offending row or code listed: a missing column, an empty cell,
LSOA codes of neither generation (or of both), a code that is not an LSOA, council,
sub-ICB location or ICB of the base vintage, a code given two proposed footprints, a
proposed code given two names.

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame({"code": ["E54000062", "E54000055"], "proposed_code": ["P01"] * 2,
...                       "proposed_name": ["Black Country and Birmingham"] * 2})
>>> read_proposal(table, name="merger").name
'merger'
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeAlias

import numpy as np
import pandas as pd

from stpgeo.analysis.timeline.maps import VintageMap
from stpgeo.errors import StpgeoError, preview
from stpgeo.io.lookups import name_column, read_lookup
from stpgeo.ons.codes import KIND_TITLES, field_kind, field_level, kind_of_code, parse_ons_field
from stpgeo.ons.generations import generation_of_field

#: The columns of a proposal CSV.
PROPOSAL_COLUMNS = ("code", "proposed_code", "proposed_name")
#: The kinds of code a proposal row may name, most specific first.
_PRECEDENCE = ("lsoa", "council", "ccg", "stp")
_KIND_WORDS = {"lsoa": "LSOAs", "council": "councils", "ccg": "sub-ICB locations",
               "stp": "ICBs"}


@dataclass(frozen=True)
class Proposal:
    """A proposed footprint map: its rows, its name and the vintage it changes.

    Attributes
    ----------
    table
        ``code``, ``proposed_code``, ``proposed_name`` (text).
    name
        The vintage name it takes in the timeline (by default its file's stem).
    source
        Its file (or a description).
    base
        The vintage it changes (``"ICB22"``); None chooses as the module says.
    """

    table: pd.DataFrame
    name: str
    source: str
    base: str | None = None


#: A proposal as given: a Proposal, a table or a CSV file.
ProposalInput: TypeAlias = "Proposal | pd.DataFrame | str | os.PathLike[str]"


def _from_lookup(table: pd.DataFrame, where: str, level: str | None) -> pd.DataFrame | None:
    """A map of LSOAs (``LSOA21CD``, ``ICB27CD``, ``ICB27NM``...) as proposal rows, or None
    for a table of another form."""
    blocks = [c for c in table.columns if generation_of_field(str(c)) is not None]
    footprints = [str(c) for c in table.columns if (parsed := parse_ons_field(str(c)))
                  and parsed.part == "CD" and field_kind(str(c)) in ("ccg", "stp")]
    if len(blocks) != 1 or not footprints:
        return None
    levels = {field_level(c): c for c in footprints}
    wanted = level or ("icb" if "icb" in levels else "stp" if "stp" in levels else None)
    column = levels.get(wanted) if wanted else footprints[0]
    if column is None:
        raise StpgeoError(f"the map of LSOAs has no {wanted} column; its footprint columns "
                          f"are: {', '.join(footprints)}", source=where,
                          fix="give the level of one of its columns")
    names = name_column(table, column)
    return pd.DataFrame({"code": table[blocks[0]], "proposed_code": table[column],
                         "proposed_name": table[names] if names else table[column]})


def read_proposal(source: ProposalInput, *, name: str | None = None,
                  base: str | None = None, level: str | None = None) -> Proposal:
    """A proposal from a CSV file or a DataFrame, its columns checked.

    ``level`` (``"icb"``, ``"sicbl"``) chooses the footprint column of a map of LSOAs
    that has several (default: the ICB's).

    Raises
    ------
    StpgeoError
        For a missing file, a table without the three columns (nor an LSOA map's), or
        empty cells (the rows are listed).
    """
    if isinstance(source, Proposal):
        return replace(source, name=name or source.name, base=base or source.base)
    if isinstance(source, pd.DataFrame):
        table, where = source.astype(object), "proposal table"
        name = name or "proposal"
    else:
        path = Path(source)
        table, where = read_lookup(path, role="proposal"), str(path)
        name = name or path.stem
    columns = {str(c).strip().lower(): c for c in table.columns}
    missing = [c for c in PROPOSAL_COLUMNS if c not in columns]
    mapped = _from_lookup(table, where, level) if missing else None
    if mapped is not None:
        table, columns, missing = mapped, {c: c for c in PROPOSAL_COLUMNS}, []
    if missing:
        raise StpgeoError(
            f"the proposal has no {', '.join(missing)} column{'s' if len(missing) > 1 else ''}; "
            f"its columns are: {preview(table.columns, 20)}", source=where,
            fix="give a CSV with the columns code (an ICB, sub-ICB location, council or LSOA "
            "code), proposed_code and proposed_name, or a map of LSOAs as ONS's lookups are "
            "(LSOA21CD, ICB27CD, ICB27NM)")
    table = table[[columns[c] for c in PROPOSAL_COLUMNS]].set_axis(list(PROPOSAL_COLUMNS),
                                                                    axis=1)
    table = table.apply(lambda column: column.map(
        lambda v: str(v).strip() if pd.notna(v) and str(v).strip() else np.nan))
    empty = table.isna().any(axis=1)
    if empty.any():
        rows = [str(i + 2) for i in np.flatnonzero(empty.to_numpy())]  # + header, 1-based
        which = f"row {rows[0]} has" if len(rows) == 1 else f"rows {preview(rows)} have"
        raise StpgeoError(f"{which} an empty cell (counting the header as row 1)", source=where,
                          fix="give every row a code, a proposed_code and a proposed_name")
    table["code"] = table["code"].str.upper()
    return Proposal(table=table.reset_index(drop=True), name=name, source=where, base=base)


def _known(base: VintageMap, codes: set[str]) -> set[str]:
    """Those of the codes that are areas (LSOAs, councils, sub-ICB locations, ICBs) of a
    vintage."""
    found: set[str] = set()
    for kind in _PRECEDENCE:
        of_block = _blocks_of(base, kind)
        found |= codes & set(of_block.dropna().unique())
    return found


def _lsoa_generation(proposal: Proposal, candidates: list[VintageMap]) -> list[VintageMap]:
    """The candidates of the generation of the proposal's LSOA codes.

    Raises
    ------
    StpgeoError
        When its LSOA codes are of neither generation, or of both.
    """
    lsoas = {c for c in proposal.table["code"] if kind_of_code(c) == "lsoa"}
    if not lsoas:
        return candidates
    by_generation: dict[object, int] = {}
    for vmap in candidates:
        held = len(lsoas & set(vmap.footprints.index))
        by_generation[vmap.vintage.generation] = max(by_generation.get(
            vmap.vintage.generation, 0), held)
    fits = [g for g, n in by_generation.items() if n == len(lsoas)]
    if fits:
        return [m for m in candidates if m.vintage.generation in fits]
    titles = " nor the ".join(sorted({m.vintage.generation.title for m in candidates}))
    if not any(by_generation.values()):
        raise StpgeoError(f"the proposal's {len(lsoas):,} LSOA codes are LSOAs of neither "
                          f"the {titles} (e.g. {preview(sorted(lsoas), 3)})",
                          source=proposal.source, fix="give LSOA codes of the 2011 LSOAs "
                          "(LSOA11CD) or of the 2021 LSOAs (LSOA21CD), as ONS's lookups list them")
    best = max(by_generation, key=lambda g: by_generation[g])
    return [m for m in candidates if m.vintage.generation == best]


def choose_base(proposal: Proposal, maps: list[VintageMap]) -> VintageMap:
    """The vintage a proposal changes (see the module docstring).

    Raises
    ------
    StpgeoError
        When that vintage is not among those the timeline builds, or the proposal's LSOA
        codes are of neither generation.
    """
    by_name = {m.name.upper(): m for m in maps if m.vintage.proposal is None}
    if proposal.base is not None:
        if proposal.base.upper() not in by_name:
            raise StpgeoError(f"the proposal changes {proposal.base}, which is not among the "
                              f"vintages built: {', '.join(by_name) or 'none'}",
                              source=proposal.source, fix="add it to the vintages")
        return by_name[proposal.base.upper()]
    kinds = {kind_of_code(c) for c in proposal.table["code"]}
    proposes_icbs = any(kind_of_code(c) == "stp" for c in proposal.table["proposed_code"])
    kind = "ccg" if "ccg" in kinds and "stp" not in kinds and not proposes_icbs else "stp"
    candidates = [m for m in maps if m.vintage.proposal is None and m.vintage.kind == kind]
    if not candidates:
        wanted = "sub-ICB location" if kind == "ccg" else "ICB"
        raise StpgeoError(f"the proposal changes the latest {wanted} map, which is not among "
                          f"the vintages built: {', '.join(by_name) or 'none'}",
                          source=proposal.source, fix="add it to --vintages")
    candidates = _lsoa_generation(proposal, candidates)
    codes = set(proposal.table["code"])
    fitting = [m for m in candidates if _known(m, codes) == codes]
    return (fitting or candidates)[-1]


def _blocks_of(base: VintageMap, kind: str) -> pd.Series:
    """Block → its code of a kind in the base vintage (LSOA: itself)."""
    if kind == "lsoa":
        return pd.Series(base.footprints.index, index=base.footprints.index)
    if kind == "council":
        return base.councils
    column = base.code_column(kind)
    if column is None:
        return pd.Series(dtype=object)
    return base.table.drop_duplicates(base.block_column).set_index(base.block_column)[column]


def proposal_map(proposal: Proposal, maps: list[VintageMap]) -> VintageMap:
    """The proposal as one more vintage: its base's map with the proposed footprints.

    Raises
    ------
    StpgeoError
        For codes that are not LSOAs, councils, sub-ICB locations or ICBs of the base
        vintage, a code given two proposed footprints, or a proposed code given two
        names (each lists the codes at fault).
    """
    base = choose_base(proposal, maps)
    rows = proposal.table.drop_duplicates()
    clashes = rows["code"][rows["code"].duplicated()].unique()
    if len(clashes):
        raise StpgeoError(f"{len(clashes)} codes are given two proposed footprints: "
                          f"{preview(clashes)}", source=proposal.source,
                          fix="give each code one row")
    names = rows.drop_duplicates(["proposed_code", "proposed_name"])
    renamed = names["proposed_code"][names["proposed_code"].duplicated()].unique()
    if len(renamed):
        raise StpgeoError(f"{len(renamed)} proposed codes are given two names: "
                          f"{preview(renamed)}", source=proposal.source,
                          fix="give each proposed code one name")
    target = rows.set_index("code")["proposed_code"]
    footprints = base.footprints.copy()
    known: set[str] = set()
    for kind in reversed(_PRECEDENCE):  # the least specific first, so the most wins
        of_block = _blocks_of(base, kind)
        listed = of_block[of_block.isin(target.index)]
        footprints.loc[listed.index] = target.reindex(listed.to_numpy()).to_numpy()
        known |= set(listed.unique())
    unknown = [c for c in rows["code"] if c not in known]
    if unknown:
        kinds = sorted({KIND_TITLES.get(kind_of_code(c) or "", "not a GSS code") for c in unknown})
        words = list(_KIND_WORDS.values())
        raise StpgeoError(
            f"{len(unknown)} codes of the proposal are not {', '.join(words[:-1])} or "
            f"{words[-1]} of {base.vintage.title} ({base.source}): {preview(unknown)} "
            f"(kinds: {', '.join(kinds)})", source=proposal.source,
            fix=f"give codes of {base.vintage.title}; an area of another vintage has to be "
            "given by its councils or LSOAs")
    footprint_names = pd.concat([base.footprint_names,
                                 names.set_index("proposed_code")["proposed_name"]])
    footprint_names = footprint_names[~footprint_names.index.duplicated(keep="last")]
    vintage = replace(base.vintage, name=proposal.name, date=None, proposal=proposal.source,
                      base=base.name)
    notes = {**base.notes, "file": proposal.source, "base": base.name, "rows": len(rows),
             "blocks_moved": int((footprints != base.footprints).sum()),
             "footprints": int(footprints.nunique())}
    return replace(base, vintage=vintage, footprints=footprints,
                   footprint_names=footprint_names.loc[sorted(set(footprints.dropna()))],
                   source=proposal.source, notes=notes)
