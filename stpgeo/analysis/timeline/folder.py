"""A timeline's folder as tables: the files, their columns and their types.

Every table of a :class:`~stpgeo.analysis.timeline.result.Timeline` has fixed types,
whether it was just made or read back from its folder, so that reading a folder gives
back exactly the tables that were written:

- counts of residents, wards and councils are integers (``int64``); those that can be
  unknown are nullable (``Int64``: the residents of a changed ward whose blocks have no
  population figure, the decile of blocks without one);
- shares are floats; ``aligned`` and ``reconstructed`` are booleans;
- everything else is text (``str``), never missing: empty is ``""``, as in the file.

:func:`conform` gives a table these types; :func:`read_tables` reads a folder's tables;
:func:`vintages_of` makes the vintages again from ``vintages.csv``.

Examples
--------
>>> from stpgeo.analysis.timeline.moves import MOVES
>>> moves = pd.DataFrame({c: ["x", None] for c in MOVES}).assign(population=[400.0, 0.0])
>>> conformed = conform(moves, "moves")
>>> str(conformed["population"].dtype), conformed["council_code"].tolist()
('int64', ['x', ''])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from stpgeo.analysis.timeline.affected import DEPRIVATION
from stpgeo.analysis.timeline.moves import MOVES
from stpgeo.analysis.timeline.tables import (
    CHANGES,
    TIMELINE,
    TREND,
    VINTAGES,
    WARD_TIMELINE,
)
from stpgeo.errors import StpgeoError
from stpgeo.io.vintages import FootprintVintage
from stpgeo.ons.generations import generation

#: The tables of a timeline folder (by their attribute of the Timeline) and their columns.
TABLES = {"timeline": TIMELINE, "ward_timeline": WARD_TIMELINE, "changes": CHANGES,
          "trend": TREND, "moves": MOVES, "deprivation": DEPRIVATION,
          "vintage_table": VINTAGES}
#: The file of each table.
FILES = {name: f"{name}.csv" for name in TABLES} | {"vintage_table": "vintages.csv"}

_COUNTS = ["population", "population_outside_home"]
#: The columns that are not text, per table.
TYPES: dict[str, dict[str, str]] = {
    "timeline": {**dict.fromkeys([*_COUNTS, "n_wards", "n_wards_outside_home",
                                  "n_wards_split"], "int64"), "aligned": "bool"},
    "ward_timeline": {"population_share_outside_home": "float64"},
    "changes": {"population": "Int64"},
    "trend": {**dict.fromkeys(["n_councils", "councils_not_aligned", *_COUNTS], "int64"),
              "reconstructed": "bool"},
    "moves": {"population": "int64"},
    "deprivation": {"decile": "Int64", **dict.fromkeys(_COUNTS, "int64")},
    "vintage_table": {"reconstructed": "bool"},
}
_BOOLEANS = {"True": True, "False": False, "true": True, "false": False}


def conform(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """The table with its columns in order and of their fixed types (see the module)."""
    types = TYPES[name]
    columns = {}
    for column in TABLES[name]:
        values = table[column]
        kind = types.get(column, "str")
        if kind == "str":
            values = values.astype(object).where(values.notna(), "").astype(str)
        elif kind in ("Int64", "int64") and values.dtype == object:
            values = pd.to_numeric(values).round().astype(kind)
        elif kind in ("Int64", "int64") and values.dtype.kind == "f":
            values = values.round().astype(kind)
        else:
            values = values.astype(kind)
        columns[column] = values
    return pd.DataFrame(columns, index=pd.RangeIndex(len(table)))


def _read(path: Path, name: str) -> pd.DataFrame:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    lacking = [c for c in TABLES[name] if c not in table.columns]
    if lacking:
        raise StpgeoError(f"{path.name} lacks the columns {', '.join(lacking)}", source=path,
                          fix="this folder was written by an older stpgeo, or changed by "
                          "hand: write the timeline again (stpgeo timeline ... --out)")
    for column, kind in TYPES[name].items():
        text = table[column]
        if kind == "bool":
            unknown = sorted(set(text) - set(_BOOLEANS))
            if unknown:
                raise StpgeoError(f"{path.name}: {column} holds {unknown[0]!r}, not True or "
                                  "False", source=path, fix="write the timeline again")
            table[column] = text.map(_BOOLEANS)
        else:
            table[column] = pd.to_numeric(text.where(text != "", None))
    return table


def read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """The tables of a timeline folder, by attribute name: their numbers and booleans
    parsed, every column checked present (:class:`Timeline` gives them their fixed types,
    :func:`conform`, as it does tables just made).

    Raises
    ------
    StpgeoError
        When a file is missing or lacks a column.
    """
    missing = [f for f in [*FILES.values(), "summary.json"] if not (folder / f).is_file()]
    if missing:
        raise StpgeoError(f"not a timeline folder: {', '.join(missing)} missing", source=folder,
                          fix="give a folder written by stpgeo timeline --out (or "
                          "Timeline.write)")
    return {name: _read(folder / file, name) for name, file in FILES.items()}


def vintages_of(table: pd.DataFrame, summary: Mapping[str, Any]) -> list[FootprintVintage]:
    """The vintages a timeline was made with, from ``vintages.csv`` (and, for a proposal,
    the file it came from as summary.json names it)."""
    noted = summary.get("inputs", {}).get("vintages", {})
    found = []
    for row in table.to_dict("records"):
        proposal = (noted.get(row["vintage"], {}).get("proposal") or row["proposal"]
                    if row["proposal"] else None)
        found.append(FootprintVintage(
            name=row["vintage"], level=row["level"],
            date=dt.date.fromisoformat(row["date"]) if row["date"] else None,
            lookup=row["lookup_key"], column=row["footprint_field"],
            councils=row["council_field"], proposal=proposal,
            generation=generation(row["generation"]), reconstructed=bool(row["reconstructed"]),
            base=row["base"] or None))
    return found
