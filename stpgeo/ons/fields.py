"""Finding the code and name fields of a boundary layer or lookup table.

ONS renames its fields with every vintage (``WD13CD``, ``wd16cd``, ``CCG21CD``)
and other publishers use their own (``code``/``ward_name``, ``WardCode``/``Ward``,
``ons_code``/``name``). The code field is found by its contents (GSS codes, one
per feature) and its name; the name field by its name, next to the code field.
When two fields are equally good candidates stpgeo refuses to guess.

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame({"WardCode": ["E05011111"], "Ward": ["Soho & Jewellery Quarter"]})
>>> find_code_field(table), find_name_field(table, "WardCode")
('WardCode', 'Ward')
"""

from __future__ import annotations

import pandas as pd

from stpgeo.errors import StpgeoError, preview
from stpgeo.ons.codes import gss_share, parse_ons_field

#: Field names (lower case) that publishers use for codes and names.
CODE_NAMES = frozenset(
    {"code", "ons_code", "onscode", "gss_code", "gsscode", "areacode", "area_code", "wardcode",
     "ward_code", "lad_code", "ccg_code", "stp_code", "geo_code", "id_code"}
)
NAME_NAMES = frozenset(
    {"name", "ward", "ward_name", "wardname", "areaname", "area_name", "areanm", "nm", "label",
     "lad_name", "ccg_name", "stp_name", "council", "district"}
)

#: Share of values that must be GSS codes for a field to count as a code field.
MIN_GSS_SHARE = 0.9


def _columns(table: pd.DataFrame) -> list[str]:
    return [str(c) for c in table.columns if c != "geometry"]


def _text_columns(table: pd.DataFrame) -> list[str]:
    return [
        c
        for c in _columns(table)
        if pd.api.types.is_string_dtype(table[c]) or table[c].dtype == object
    ]


def resolve_field(table: pd.DataFrame, field: str, *, source: str, role: str) -> str:
    """The column called ``field`` (case-insensitively), or an error listing the columns."""
    columns = _columns(table)
    if field in columns:
        return field
    folded = [c for c in columns if c.lower() == field.lower()]
    if len(folded) == 1:
        return folded[0]
    raise StpgeoError(
        f"there is no {role} field {field!r}; the fields are: {preview(columns, 40)}",
        source=source,
        fix=f"give the {role} field as one of the fields listed",
    )


def _code_score(column: str) -> int:
    parsed = parse_ons_field(column)
    if parsed is not None and parsed.part == "CD":
        return 3
    lowered = column.lower()
    if lowered in CODE_NAMES:
        return 2
    return 1 if "code" in lowered or lowered.endswith("cd") else 0


def find_code_field(table: pd.DataFrame, *, source: str = "table") -> str | None:
    """The field holding each feature's GSS code, or None when no field holds codes.

    A code field holds GSS codes in at least 90% of its non-empty values. When
    several fields do, the one whose codes are unique wins, then an ONS-style
    name (``WD16CD``), then a common name (``code``, ``ons_code``). A tie raises
    :class:`StpgeoError` listing the fields.
    """
    candidates = [c for c in _text_columns(table) if gss_share(table[c]) >= MIN_GSS_SHARE]
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0]

    def rank(column: str) -> tuple[bool, int]:
        return (not table[column].duplicated().any(), _code_score(column))

    ranked = sorted(candidates, key=rank, reverse=True)
    if rank(ranked[0]) == rank(ranked[1]):
        tied = [c for c in ranked if rank(c) == rank(ranked[0])]
        raise StpgeoError(
            f"several fields hold GSS codes and none stands out: {preview(tied)}",
            source=source,
            fix="choose one with code_field=... (command line: --code-field)",
        )
    return ranked[0]


def _name_score(column: str) -> int:
    parsed = parse_ons_field(column)
    if parsed is not None and parsed.part == "NM":
        return 3
    lowered = column.lower()
    if lowered in NAME_NAMES:
        return 2
    return 1 if "name" in lowered else 0


def find_name_field(
    table: pd.DataFrame, code_field: str | None, *, source: str = "table"
) -> str | None:
    """The field holding each feature's name, or None when there is none.

    The ONS partner of the code field comes first (``WD13NM`` beside ``WD13CD``);
    otherwise a text field with a name-like name (``name``, ``ward_name``, ``Ward``)
    that does not hold codes. A tie raises :class:`StpgeoError` listing the fields.
    """
    columns = _text_columns(table)
    parsed = parse_ons_field(code_field) if code_field else None
    if parsed is not None:
        partners = [
            c
            for c in columns
            if (p := parse_ons_field(c)) is not None
            and p.part == "NM"
            and (p.geography, p.vintage) == (parsed.geography, parsed.vintage)
        ]
        if partners:
            return partners[0]
    candidates = [
        c
        for c in columns
        if c != code_field
        and _name_score(c) > 0
        and table[c].notna().any()
        and gss_share(table[c]) < MIN_GSS_SHARE
    ]
    if not candidates:
        return None
    best = max(_name_score(c) for c in candidates)
    top = [c for c in candidates if _name_score(c) == best]
    if len(top) > 1:
        raise StpgeoError(
            f"several fields could hold the names and none stands out: {preview(top)}",
            source=source,
            fix="choose one with name_field=... (command line: --name-field)",
        )
    return top[0]
