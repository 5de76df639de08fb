"""Reading residents per building block (e.g. ONS mid-year estimates per LSOA).

A population table has one row per block: a GSS code column and a count column.
Both are found by their contents; missing or non-numeric counts and repeated
codes are refused with the rows at fault, because a silently wrong count would
flow into every share stpgeo reports.

Examples
--------
>>> import io
>>> csv = io.StringIO("lsoa11_code,lsoa11_name,total_population\\nE01000001,City 001A,1465\\n")
>>> read_population(csv).to_dict()
{'E01000001': 1465}
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

import pandas as pd

from stpgeo.errors import StpgeoError, preview
from stpgeo.io.tables import read_text_table, source_name
from stpgeo.ons.codes import gss_share, upper_case_codes
from stpgeo.ons.fields import resolve_field

_COUNT_HINTS = ("population", "total", "all ages", "all_ages", "persons", "count", "pop")


def _count_score(column: str) -> int:
    lowered = column.lower()
    return max((len(_COUNT_HINTS) - i for i, hint in enumerate(_COUNT_HINTS) if hint in lowered),
               default=0)


def read_population(
    source: str | os.PathLike[str] | IO[str],
    *,
    code_column: str | None = None,
    population_column: str | None = None,
) -> pd.Series:
    """Residents per block code, as an integer Series indexed by code.

    Parameters
    ----------
    source
        A CSV file with a GSS code column and a count column.
    code_column, population_column
        The columns to use, when the guess is wrong or unsure.

    Raises
    ------
    StpgeoError
        For a missing file, no code or count column, missing or non-numeric or
        negative counts, or codes that appear twice.
    """
    name = source_name(source, "population")
    table = read_text_table(source, what="population", thousands=",",
                            fix="give a CSV with a code column and a count column")
    if code_column is not None:
        code_column = resolve_field(table, code_column, source=name, role="code")
    else:
        codes = [c for c in table.columns if gss_share(table[c]) >= 0.9]
        if not codes:
            raise StpgeoError(
                f"no column holds GSS codes; the columns are: {preview(table.columns, 20)}",
                source=name, fix="give a table with one row per LSOA and its code")
        code_column = codes[0]
    if population_column is not None:
        population_column = resolve_field(table, population_column, source=name,
                                          role="population")
    else:
        others = [c for c in table.columns if c != code_column and _count_score(c) > 0]
        numeric = [c for c in others
                   if pd.to_numeric(table[c].str.replace(",", ""), errors="coerce").notna().mean()
                   >= 0.5]
        if not numeric:
            raise StpgeoError(
                f"no column holds population counts; the columns are: "
                f"{preview(table.columns, 20)}",
                source=name, fix="name the count column with --population-column")
        population_column = max(numeric, key=_count_score)

    raw = table[population_column].str.replace(",", "").str.strip()
    counts = pd.to_numeric(raw, errors="coerce")
    codes = upper_case_codes(table[code_column].str.strip())
    bad = counts.isna() | (counts < 0) | (counts % 1 != 0)
    if bad.any():
        rows = [f"{code}={value!r}" if isinstance(value, str) else f"{code}=(empty)"
                for code, value in zip(codes[bad], table[population_column][bad], strict=True)]
        raise StpgeoError(
            f"{int(bad.sum())} rows have a missing, non-numeric or negative count in "
            f"{population_column!r}: {preview(rows)}",
            source=name, fix="fill in a whole number of residents for every block")
    repeated = codes[codes.duplicated()].unique()
    if len(repeated):
        raise StpgeoError(f"{len(repeated)} codes appear more than once: {preview(repeated)}",
                          source=name, fix="give one row per block")
    # codes as plain strings: matching them against blocks (isin) is fast on those
    series = pd.Series(counts.astype("int64").to_numpy(), name="population",
                       index=pd.Index(codes.to_numpy(), dtype=object))
    series.index.name = "code"
    series.attrs["source"] = name
    series.attrs["code_column"] = str(code_column)  # its name says the generation: lsoa21_code
    series.attrs["warnings"] = _cut_short(source, series)
    return series


def plain_index(population: pd.Series) -> pd.Series:
    """The table with its codes as plain Python strings (see :func:`read_population`).

    Examples
    --------
    >>> plain_index(pd.Series([5], index=pd.Index(["E01000001"], dtype="str"))).index.dtype
    dtype('O')
    """
    if population.index.dtype == object:
        return population
    plain = population.set_axis(population.index.astype(object))
    plain.attrs = dict(population.attrs)
    return plain


def _cut_short(source: str | os.PathLike[str] | IO[str], series: pd.Series) -> list[str]:
    """A warning when the file does not end with a line break: it may have been cut short.

    A file cut inside the digits of its last count still parses, with a smaller
    count; CSV writers (ONS, pandas, Excel, R) end files with a line break.
    """
    if not isinstance(source, str | os.PathLike) or series.empty:
        return []
    with Path(source).open("rb") as handle:
        handle.seek(-1, os.SEEK_END)
        last = handle.read(1)
    if last in (b"\n", b"\r"):
        return []
    return [f"{source} does not end with a line break: it may have been cut short, and its "
            f"last row ({series.index[-1]}: {series.iloc[-1]:,} residents) may be incomplete"]
