"""Proposed footprints, tested against every council before they are adopted.

A proposal is a CSV file (or a DataFrame) with three columns:

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

The base is the latest ICB map (ICB22) unless the proposal names sub-ICB locations
(and LSOAs) only and proposes no ICB code: then the latest sub-ICB map (SICBL22).
In Python it can be chosen (:class:`Proposal`, ``base="SICBL22"``). A proposal
becomes one more vintage of the timeline, named after its file.

Refused, with every offending row or code listed: a missing column, an empty cell,
a code that is not an LSOA, council, sub-ICB location or ICB of the base vintage, a
code given two proposed footprints, a proposed code given two names.

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
from stpgeo.io.lookups import read_lookup
from stpgeo.ons.codes import KIND_TITLES, kind_of_code

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


def read_proposal(source: ProposalInput, *, name: str | None = None,
                  base: str | None = None) -> Proposal:
    """A proposal from a CSV file or a DataFrame, its columns checked.

    Raises
    ------
    StpgeoError
        For a missing file, a table without the three columns, or empty cells (the
        rows are listed).
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
    if missing:
        raise StpgeoError(
            f"the proposal has no {', '.join(missing)} column{'s' if len(missing) > 1 else ''}; "
            f"its columns are: {preview(table.columns, 20)}", source=where,
            fix="give a CSV with the columns code (an ICB, sub-ICB location, council or LSOA "
            "code), proposed_code and proposed_name")
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


def choose_base(proposal: Proposal, maps: list[VintageMap]) -> VintageMap:
    """The vintage a proposal changes (see the module docstring).

    Raises
    ------
    StpgeoError
        When that vintage is not among those the timeline builds.
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
        wanted = "sub-ICB location (SICBL22)" if kind == "ccg" else "ICB (ICB22)"
        raise StpgeoError(f"the proposal changes the latest {wanted} map, which is not among "
                          f"the vintages built: {', '.join(by_name) or 'none'}",
                          source=proposal.source, fix="add it to --vintages")
    return candidates[-1]


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
    vintage = replace(base.vintage, name=proposal.name, date=None, proposal=proposal.source)
    notes = {**base.notes, "file": proposal.source, "base": base.name, "rows": len(rows),
             "blocks_moved": int((footprints != base.footprints).sum()),
             "footprints": int(footprints.nunique())}
    return replace(base, vintage=vintage, footprints=footprints,
                   footprint_names=footprint_names.loc[sorted(set(footprints.dropna()))],
                   source=proposal.source, notes=notes)
