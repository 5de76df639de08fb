"""Matching area names to ONS codes.

Some boundary files carry names but no codes (OpenPrescribing's CCG files say
``NHS SANDWELL AND WEST BIRMINGHAM CCG``; ONS says ``NHS Sandwell and West
Birmingham CCG``). Names are compared after normalising case, ``&``/``and``, a
leading ``NHS``, a trailing ``CCG``, punctuation and spaces.

Examples
--------
>>> normalise_name("NHS Airedale, Wharfedale & Craven CCG")
'airedale wharfedale and craven'
"""

from __future__ import annotations

import re

import pandas as pd

_PUNCTUATION = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")


def normalise_name(name: object) -> str:
    """A name reduced to lower-case words, for matching names across publishers."""
    text = str(name).lower().replace("&", " and ")
    text = _SPACES.sub(" ", _PUNCTUATION.sub(" ", text)).strip()
    text = re.sub(r"^nhs ", "", text)
    return re.sub(r" (ccg|clinical commissioning group)$", "", text)


def match_names(names: pd.Series, lookup: pd.DataFrame, *, code_column: str,
                name_column: str) -> tuple[pd.Series, list[str]]:
    """Codes for ``names`` from a names/codes lookup, and the names that found none.

    Parameters
    ----------
    names
        The names to match.
    lookup
        A table with one row per code.
    code_column, name_column
        The lookup's code and name columns.

    Returns
    -------
    codes, unmatched
        Codes aligned with ``names`` (missing where unmatched) and the unmatched names.

    Examples
    --------
    >>> lookup = pd.DataFrame({"CCG17CD": ["E38000144"],
    ...                        "CCG17NM": ["NHS Sandwell and West Birmingham CCG"]})
    >>> codes, unmatched = match_names(
    ...     pd.Series(["NHS SANDWELL & WEST BIRMINGHAM CCG", "NHS ATLANTIS CCG"]),
    ...     lookup, code_column="CCG17CD", name_column="CCG17NM")
    >>> codes.tolist(), unmatched
    (['E38000144', nan], ['NHS ATLANTIS CCG'])
    """
    keys = lookup[name_column].map(normalise_name)
    table = pd.Series(lookup[code_column].to_numpy(), index=keys.to_numpy())
    table = table[~table.index.duplicated(keep=False)]
    codes = names.map(lambda n: table.get(normalise_name(n)) if pd.notna(n) else None)
    codes = codes.astype("object").where(codes.notna(), float("nan"))
    unmatched = names[codes.isna()].dropna().astype(str).tolist()
    return codes, unmatched
