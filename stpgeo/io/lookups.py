"""Reading ONS lookup tables and finding the columns that matter.

ONS lookups are CSV files with one row per small area (``LSOA11CD, CCG17CD,
STP17CD, LAD17CD...``) or per code (``CCG17CD, CCG17NM``). stpgeo reads them as
text and finds columns by their contents: the column whose codes match a layer's
codes best, and its name partner (``STP17CD`` → ``STP17NM``).

Text is held as plain Python strings (object dtype), not pandas' default Arrow-backed
strings: matching a column against tens of thousands of codes (``isin``) is 30–50×
faster on them, and a run matches the same lookups many times. :func:`plain_text`
converts a table given as a DataFrame once, where it enters a run.

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame({"LSOA11CD": ["E01000001"], "STP17CD": ["E54000016"],
...                       "STP17NM": ["The Black Country"]})
>>> matching_column(table, {"E54000016"}, source="lookup.csv")
'STP17CD'
>>> name_column(table, "STP17CD")
'STP17NM'
"""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

import pandas as pd

from stpgeo.errors import StpgeoError, preview
from stpgeo.ons.codes import (
    KIND_TITLES,
    field_kind,
    gss_share,
    kind_of_code,
    parse_ons_field,
    upper_case_codes,
)
from stpgeo.ons.fields import resolve_field

#: ``attrs`` key under which a table read (or taken in) by stpgeo remembers which of its
#: columns hold GSS codes: recognising them means reading every value.
CODE_COLUMNS_ATTR = "stpgeo_code_columns"


def plain_text(table: pd.DataFrame) -> pd.DataFrame:
    """The table with its text columns as plain Python strings (object dtype), and which of
    its columns hold GSS codes recognised once (see :func:`code_columns`).

    A table already so prepared is returned as it is (not copied).

    Examples
    --------
    >>> table = plain_text(pd.DataFrame({"LSOA11CD": ["E01000001"], "n": [1]}))
    >>> table.dtypes.tolist(), code_columns(table)
    ([dtype('O'), dtype('int64')], ['LSOA11CD'])
    """
    text = [c for c in table.columns if isinstance(table[c].dtype, pd.StringDtype)]
    if not text and CODE_COLUMNS_ATTR in table.attrs:
        return table
    codes = {c: gss_share(table[c]) >= 0.9 for c in table.columns}  # fast on Arrow's text
    plain = table.astype(dict.fromkeys(text, object)) if text else table.copy(deep=False)
    plain.attrs = dict(table.attrs)
    plain.attrs[CODE_COLUMNS_ATTR] = codes
    return plain


def read_lookup(path: str | os.PathLike[str], *, role: str = "lookup") -> pd.DataFrame:
    """Read a lookup CSV as text, refusing files that are missing or not tables.

    Parameters
    ----------
    path
        The CSV file.
    role
        What the lookup is for, used in messages (``"ward lookup"``).
    """
    path = Path(path)
    if not path.is_file():
        raise StpgeoError(f"the {role} file does not exist", source=path,
                          fix="check the path (ONS lookups are CSV files)")
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""],
                            encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise StpgeoError(f"the {role} cannot be read as a CSV table ({error})", source=path,
                          fix="give an ONS lookup saved as CSV (comma-separated, UTF-8)") from None
    if table.empty:
        raise StpgeoError(f"the {role} has no rows", source=path,
                          fix="give a lookup with one row per area")
    table.columns = [str(c).strip() for c in table.columns]
    for column in table.columns:  # spreadsheet exports: stray spaces, lower-case codes
        table[column] = upper_case_codes(table[column].str.strip())  # (while Arrow's: fast)
    table.attrs["source"] = str(path)
    return plain_text(table)


def code_columns(table: pd.DataFrame) -> list[str]:
    """Columns holding GSS codes (at least 90% of their values).

    For a table read by :func:`read_lookup` (or prepared by :func:`plain_text`) the
    columns were recognised once, when it was read; columns added since are looked at now.
    """
    known = table.attrs.get(CODE_COLUMNS_ATTR, {})
    return [c for c in table.columns
            if (known[c] if c in known else gss_share(table[c]) >= 0.9)]


def matching_column(table: pd.DataFrame, codes: Collection[str], *, source: str,
                    column: str | None = None, role: str = "lookup") -> str:
    """The column whose values match ``codes`` best (or ``column``, checked).

    Raises
    ------
    StpgeoError
        When no column holds any of the codes, listing the columns.
    """
    if column is not None:
        return resolve_field(table, column, source=source, role=f"{role} column")
    wanted = set(codes)
    scores = {c: int(table[c].isin(wanted).sum()) for c in code_columns(table)}
    best = max(scores, key=scores.__getitem__, default=None)
    if best is None or scores[best] == 0:
        sample = preview(sorted(wanted)[:5], 5)
        raise StpgeoError(
            f"no column of the {role} holds the codes of the layer (e.g. {sample}); its "
            f"columns are: {preview(table.columns, 30)}",
            source=source,
            fix="give a lookup of the same geography and vintage as the layer",
        )
    return best


def check_column_kind(table: pd.DataFrame, column: str, *, source: str) -> None:
    """Refuse an ONS-named column whose codes are of another kind (``CCG17CD`` of STPs).

    Examples
    --------
    >>> table = pd.DataFrame({"CCG17CD": ["E54000016", "E54000017"]})
    >>> try:
    ...     check_column_kind(table, "CCG17CD", source="lookup.csv")
    ... except StpgeoError as error:
    ...     print(error.problem[:60])
    the column 'CCG17CD' is named for clinical commissioning gro
    """
    named = field_kind(column)
    kinds = table[column].dropna().drop_duplicates().map(kind_of_code).value_counts()
    if named is None or kinds.empty or kinds.index[0] == named:
        return
    found = str(kinds.index[0])
    raise StpgeoError(
        f"the column {column!r} is named for {KIND_TITLES.get(named, named)} areas but holds "
        f"{KIND_TITLES.get(found, found)} codes (e.g. {table[column].dropna().iloc[0]})",
        source=source,
        fix="check the lookup: choose the column that holds the codes you mean, or give a "
        "lookup whose columns match their names")


def name_column(table: pd.DataFrame, code_column: str) -> str | None:
    """The name partner of an ONS code column (``STP17CD`` → ``STP17NM``), if present."""
    parsed = parse_ons_field(code_column)
    if parsed is None:
        return None
    for column in table.columns:
        other = parse_ons_field(column)
        if other is not None and other.part == "NM" and other[:2] == parsed[:2]:
            return column
    return None


def code_vintage(column: str) -> int | None:
    """The vintage an ONS column name carries (``STP17CD`` → 2017)."""
    parsed = parse_ons_field(column)
    return parsed.vintage if parsed else None


def one_to_one(table: pd.DataFrame, key: str, value: str, *, source: str, role: str
               ) -> pd.Series:
    """A ``key → value`` mapping, refusing keys that map to several values.

    Rows with either side missing are ignored; exact duplicates are harmless.
    """
    pairs = table[[key, value]].dropna().drop_duplicates()
    clashes = pairs[key][pairs[key].duplicated()].unique()
    if len(clashes):
        raise StpgeoError(
            f"the {role} gives several {value} values for some {key} codes: "
            f"{preview(clashes)}",
            source=source,
            fix=f"give a lookup with exactly one {value} per {key}",
        )
    return pairs.set_index(key)[value]
