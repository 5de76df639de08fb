"""Reading the English Indices of Deprivation per building block (LSOA).

MHCLG (formerly DCLG) publishes the Index of Multiple Deprivation (IMD) and its seven
domains per LSOA (per 2011 LSOA up to 2019, per 2021 LSOA from 2025), each as a score,
a rank (1 = most deprived) and a decile (1 = the most deprived 10% of England's LSOAs).
The column names differ between files and years; :func:`read_deprivation` recognises
the deciles of each index by their names:

- this project's copies: ``IMD_decile``, ``Health_decile``, ``Housing_and_Access_decile``
  (2019), ``Housing_and_Services_decile`` (2025, per ``lsoa21_code``);
- MHCLG's own files: ``Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived
  10% of LSOAs)``, ``Health Deprivation and Disability Decile (...)``;
- the ONS Open Geography Portal's: ``IMD_Decile``, ``IncDec``, ``HDDDec``, ``BHSDec``...

Each index is named with its year (``IMD2019``, ``Health2019``): the year comes from the
column names (``IMD19_decile``) or else from the file name (``imd2015_lsoa11.csv``).
Scores and ranks are not read; sub-domains are left out.

Examples
--------
>>> import io
>>> csv = io.StringIO("lsoa_code,IMD_decile,Health_decile\\nE01000001,9,10\\nE01000002,1,2\\n")
>>> table = read_deprivation(csv, year=2019)
>>> list(table.columns), int(table.loc["E01000002", "IMD2019"])
(['IMD2019', 'Health2019'], 1)
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import IO

import pandas as pd

from stpgeo.errors import StpgeoError, preview
from stpgeo.io.tables import read_text_table, source_name
from stpgeo.ons.codes import gss_share, kind_of_code

#: The indices recognised, in the order they are reported, and the words naming them.
#: IDACI and IDAOPI (income deprivation of children and of older people) come first:
#: their names contain "income" too.
INDEX_WORDS: dict[str, tuple[str, ...]] = {
    "IDACI": ("idaci", "children"),
    "IDAOPI": ("idaopi", "older"),
    "IMD": ("imd", "multiple"),
    "Income": ("income", "inc"),
    "Employment": ("employment", "emp"),
    "Education": ("education", "edu", "skills"),
    "Health": ("health", "hdd", "disability"),
    "Crime": ("crime", "cri"),
    "Housing": ("housing", "barriers", "bhs"),
    "Environment": ("environment", "env", "living"),
}
_ORDER = ("IMD", "Income", "Employment", "Education", "Health", "Crime", "Housing",
          "Environment", "IDACI", "IDAOPI")
#: Plain names of the indices, for sentences.
INDEX_TITLES = {"IMD": "Index of Multiple Deprivation", "Income": "Income domain",
                "Employment": "Employment domain", "Education": "Education domain",
                "Health": "Health Deprivation and Disability domain", "Crime": "Crime domain",
                "Housing": "Barriers to Housing and Services domain",
                "Environment": "Living Environment domain",
                "IDACI": "Income Deprivation Affecting Children Index",
                "IDAOPI": "Income Deprivation Affecting Older People Index"}
_YEAR = re.compile(r"(?<!\d)(20[0-4]\d)(?!\d)")
_WORD_YEAR = re.compile(r"^([a-z]+?)(\d{2}|\d{4})$")
_FIX = ("give the English Indices of Deprivation per LSOA as CSV, with an LSOA code column "
        "and a decile column per index (e.g. lsoa_code, IMD_decile, Health_decile)")


def _words(column: str) -> list[str]:
    """A column name as lower-case words, camel case split (``HDDDec`` → hdd, dec)."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", column)
    return [w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w]


def index_of(column: str) -> tuple[str, int | None] | None:
    """The index a decile column holds and the year its name gives, or None.

    Examples
    --------
    >>> index_of("Health_decile"), index_of("IMD19_Decile"), index_of("IMD_rank")
    (('Health', None), ('IMD', 2019), None)
    >>> index_of("Barriers to Housing and Services Decile (where 1 is most deprived 10% of LSOAs)")
    ('Housing', None)
    """
    words, year = [], None
    for word in _words(column):
        match = _WORD_YEAR.match(word)
        if match:  # imd19, iod2019
            word, digits = match.groups()
            year = int(digits) + (2000 if len(digits) == 2 else 0)
        words.append(word)
    if not ({"decile", "dec", "deciles"} & set(words)) or {"sub", "subdomain"} & set(words):
        return None
    for index, names in INDEX_WORDS.items():
        if set(names) & set(words):
            return index, year
    return None


def _code_column(table: pd.DataFrame, source: str) -> str:
    """The column of block codes: GSS codes, mostly of LSOAs (or other blocks)."""
    codes = [c for c in table.columns if gss_share(table[c]) >= 0.9]
    blocks = [c for c in codes
              if table[c].dropna().head(100).map(kind_of_code).isin(
                  ["lsoa", "msoa", "output area"]).mean() >= 0.9]
    if not blocks:
        raise StpgeoError(f"no column holds LSOA codes (E01...); the columns are: "
                          f"{preview(table.columns, 20)}", source=source, fix=_FIX)
    return blocks[0]


def _year(found: dict[str, tuple[str, int | None]], name: str, year: int | None) -> int:
    """The year of the indices: given, from the columns, else from the file name."""
    if year is not None:
        return year
    years = {y for _, y in found.values() if y is not None}
    if len(years) == 1:
        return years.pop()
    in_name = _YEAR.findall(Path(name).name)
    if len(set(in_name)) == 1 and not years:
        return int(in_name[0])
    raise StpgeoError("the year of the indices of deprivation is not in the columns' names "
                      "nor in the file's name", source=name,
                      fix="put the year in the file's name (e.g. imd2019_lsoa.csv), or pass "
                      "year=2019 to stpgeo.read_deprivation")


def read_deprivation(source: str | os.PathLike[str] | IO[str], *,
                     year: int | None = None) -> pd.DataFrame:
    """The deciles of each index of deprivation, per block.

    Parameters
    ----------
    source
        A CSV file with one row per LSOA: its code and a decile column per index.
    year
        The year of the indices (default: from the column names, else the file name).

    Returns
    -------
    pandas.DataFrame
        Indexed by block code; one integer column per index, named with its year
        (``IMD2019``, ``Health2019``...; :data:`INDEX_WORDS`), 1 = England's most
        deprived 10% of LSOAs. ``attrs``: ``source``, ``year`` and ``columns`` (each
        index's column in the file).

    Raises
    ------
    StpgeoError
        For a missing or unreadable file, no LSOA code column, no decile column,
        deciles that are not whole numbers 1 to 10, codes repeated, or no year.
    """
    name = source_name(source, "deprivation")
    table = read_text_table(source, what="deprivation", fix=_FIX)
    code_column = _code_column(table, name)
    found = {c: i for c in table.columns if c != code_column and (i := index_of(c))}
    if not found:
        raise StpgeoError(f"no column holds deciles of an index of deprivation; the columns "
                          f"are: {preview(table.columns, 20)}", source=name, fix=_FIX)
    by_index: dict[str, str] = {}
    for column, (index, _) in found.items():
        if index in by_index:
            raise StpgeoError(f"two columns hold deciles of the {INDEX_TITLES[index]}: "
                              f"{by_index[index]!r} and {column!r}", source=name,
                              fix="give a file with one decile column per index")
        by_index[index] = column
    year = _year(found, name, year)
    codes = table[code_column].str.strip()
    repeated = codes[codes.duplicated()].unique()
    if len(repeated):
        raise StpgeoError(f"{len(repeated)} codes appear more than once: {preview(repeated)}",
                          source=name, fix="give one row per LSOA")
    # plain Python strings, as the lookups and population hold them: matching Arrow-backed
    # strings against those (isin, reindex) costs a conversion on every call
    result = pd.DataFrame(index=pd.Index(codes.to_numpy(dtype=object), dtype=object,
                                         name="code"))
    for index in sorted(by_index, key=_ORDER.index):
        column = by_index[index]
        values = pd.to_numeric(table[column].str.strip(), errors="coerce")
        bad = values.isna() | ~values.isin(range(1, 11))
        if bad.any():
            rows = [f"{c}={v!r}" if isinstance(v, str) else f"{c}=(empty)"
                    for c, v in zip(codes[bad], table[column][bad], strict=True)]
            raise StpgeoError(f"{int(bad.sum()):,} rows have a decile in {column!r} that is not "
                              f"a whole number from 1 to 10: {preview(rows, 5)}", source=name,
                              fix="give deciles 1 (most deprived 10%) to 10 for every LSOA")
        result[f"{index}{year}"] = values.astype("int64").to_numpy()
    result.attrs.update(source=name, year=year, code_column=str(code_column),
                        columns={f"{i}{year}": c for i, c in by_index.items()})
    return result
