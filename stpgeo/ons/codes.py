"""Recognising ONS geographies from GSS codes and ONS field names.

GSS codes are nine characters: a country letter, a two-digit entity number and
six digits (``E05011111`` is an English ward). The entity number says what kind
of area the code belongs to. ONS field names carry the geography and its vintage:
``WD16CD`` is the 2016 ward code, ``stp17nm`` the 2017 STP name.

Kind and level are kept apart. An area's *kind* is what it can stand for in an
analysis, and follows its GSS entity: E38 codes are ``ccg`` areas and E54 codes
``stp`` areas, whatever they were called. Its *level* is what the NHS called such a
footprint in its vintage: a clinical commissioning group (``ccg``, E38, 2013–2022),
a sub-ICB location (``sicbl``, E38 again, from 1 July 2022), a sustainability and
transformation partnership (``stp``, E54, 2016–2022) or an integrated care board
(``icb``, E54 again, from 1 July 2022). Outputs name footprints by their level.

Examples
--------
>>> kind_of_code("E05011111")
'ward'
>>> parse_ons_field("stp17cd")
OnsField(geography='STP', vintage=2017, part='CD')
>>> field_kind("ICB22CD"), field_level("ICB22CD"), short_title("icb", 2022)
('stp', 'icb', 'ICB 2022')
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

import pandas as pd

GSS_PATTERN = re.compile(r"^[ENSWK]\d{8}$")
_LOWER_GSS = r"^[enswk]\d{8}$"

#: What stpgeo calls each GSS entity it knows (the country letter is ignored).
ENTITY_KINDS: dict[str, str] = {
    "00": "output area",
    "01": "lsoa",
    "02": "msoa",
    "04": "parish",
    "05": "ward",
    "06": "council",  # unitary authority
    "07": "council",  # non-metropolitan district
    "08": "council",  # metropolitan district
    "09": "council",  # London borough
    "10": "county",
    "11": "metropolitan county",
    "12": "region",
    "13": "inner/outer london",
    "14": "constituency",
    "38": "ccg",
    "39": "nhs region",  # NHS England local office / sub-region
    "40": "nhs region",
    "54": "stp",  # STP, later ICS / ICB
    "56": "cancer alliance",
    "92": "country",
}

#: Entities whose kind differs by country (the country letter and the entity number):
#: Scotland's wards are S13 and its councils S12, Northern Ireland's wards N08 and its
#: councils N09.
COUNTRY_ENTITY_KINDS: dict[str, str] = {"S13": "ward", "S12": "council", "N08": "ward",
                                        "N09": "council"}

#: Plain-English names for reports.
KIND_TITLES: dict[str, str] = {
    "lsoa": "LSOA (building block)",
    "msoa": "MSOA",
    "ward": "electoral ward",
    "council": "council (local authority district)",
    "ccg": "clinical commissioning group (CCG)",
    "sicbl": "sub-ICB location (SICBL)",
    "stp": "STP / ICS footprint",
    "icb": "integrated care board (ICB)",
    "region": "region",
    "constituency": "Westminster constituency",
}

#: Kinds whose areas are footprints of the NHS (a ward layer of them is probably swapped).
FOOTPRINT_KINDS = frozenset({"ccg", "stp"})

#: Short labels for legends and headings.
SHORT_TITLES: dict[str, str] = {"stp": "STP", "ccg": "CCG", "sicbl": "sub-ICB location",
                                "icb": "ICB", "ward": "Ward", "council": "Council"}

#: The footprint levels, and the kind (GSS entity) each has: sub-ICB locations carry E38
#: codes as CCGs did, ICBs E54 codes as STPs did.
LEVEL_KINDS: dict[str, str] = {"ccg": "ccg", "sicbl": "ccg", "stp": "stp", "icb": "stp"}
#: ONS field-name prefixes of footprints and the level each names.
FIELD_LEVELS: dict[str, str] = {"CCG": "ccg", "SICBL": "sicbl", "STP": "stp", "ICB": "icb"}
#: The first vintage of integrated care boards and sub-ICB locations (1 July 2022).
ICB_VINTAGE = 2022


def footprint_level(kind: str | None, vintage: int | None = None) -> str | None:
    """What a footprint of this kind and vintage is called: ccg, sicbl, stp or icb.

    E38 and E54 codes name CCGs and STPs up to 2021, sub-ICB locations and ICBs from
    2022 (:data:`ICB_VINTAGE`); a level given as the kind is returned as it is.

    Examples
    --------
    >>> footprint_level("stp", 2021), footprint_level("stp", 2022), footprint_level("ccg", 2022)
    ('stp', 'icb', 'sicbl')
    >>> footprint_level("ward", 2022) is None
    True
    """
    if kind in ("sicbl", "icb"):
        return kind
    if kind not in ("ccg", "stp"):
        return None
    if vintage is not None and vintage >= ICB_VINTAGE:
        return "sicbl" if kind == "ccg" else "icb"
    return kind


def short_title(kind: str | None, vintage: int | None = None) -> str | None:
    """A short label for a kind of area and its vintage, or None for kinds without one.

    Footprints are named by their level (:func:`footprint_level`): E54 footprints of
    2022 are ICBs, E38 ones sub-ICB locations.

    Examples
    --------
    >>> short_title("stp", 2017), short_title("ward"), short_title("lsoa")
    ('STP 2017', 'Ward', None)
    >>> short_title("stp", 2022), short_title("sicbl", 2022)
    ('ICB 2022', 'sub-ICB location 2022')
    """
    title = SHORT_TITLES.get(footprint_level(kind, vintage) or kind or "")
    if title is None:
        return None
    return f"{title} {vintage}" if vintage else title


def kind_title(kind: str | None, vintage: int | None = None) -> str:
    """The plain-English name of a kind of area, footprints by their level.

    Examples
    --------
    >>> kind_title("stp", 2022), kind_title("ccg", 2017), kind_title(None)
    ('integrated care board (ICB)', 'clinical commissioning group (CCG)', 'unknown kind')
    """
    key = footprint_level(kind, vintage) or kind or ""
    return KIND_TITLES.get(key, kind or "unknown kind")


#: ONS field-name prefixes and the kind of area they name.
FIELD_KINDS: dict[str, str] = {
    "OA": "output area",
    "LSOA": "lsoa",
    "MSOA": "msoa",
    "WD": "ward",
    "LAD": "council",
    "LA": "council",
    "UA": "council",
    "CTY": "county",
    "RGN": "region",
    "GOR": "region",
    "PCON": "constituency",
    "CCG": "ccg",
    "SICBL": "ccg",
    "STP": "stp",
    "ICB": "stp",
    "NHSER": "nhs region",
    "NHSRLO": "nhs region",
    "CALNCV": "cancer alliance",
    "CTRY": "country",
}

_ONS_FIELD = re.compile(r"^(?P<geo>[A-Za-z]+?)(?P<yy>\d{2})(?P<part>CD|NM)$", re.IGNORECASE)


class OnsField(NamedTuple):
    """An ONS field name taken apart: ``WD16CD`` is ward, 2016, code."""

    geography: str
    vintage: int
    part: str


def parse_ons_field(name: str) -> OnsField | None:
    """Take an ONS-style field name apart, or return None if it is not one.

    Names such as ``WD13CDO`` (old-style code) or ``WD13NMW`` (Welsh name) are
    not code or name fields and give None.

    Examples
    --------
    >>> parse_ons_field("WD13CD")
    OnsField(geography='WD', vintage=2013, part='CD')
    >>> parse_ons_field("WD13NMW") is None
    True
    """
    match = _ONS_FIELD.match(name.strip())
    if match is None:
        return None
    yy = int(match["yy"])
    vintage = 2000 + yy if yy < 80 else 1900 + yy
    return OnsField(match["geo"].upper(), vintage, match["part"].upper())


def field_kind(name: str) -> str | None:
    """The kind of area an ONS field names (``CCG17CD`` → ``'ccg'``), if known."""
    parsed = parse_ons_field(name)
    return FIELD_KINDS.get(parsed.geography) if parsed else None


def field_level(name: str) -> str | None:
    """The footprint level an ONS field names, any case (``SICBL22CD`` → ``'sicbl'``).

    Examples
    --------
    >>> field_level("ccg15cd"), field_level("SICBL22NM"), field_level("LAD22CD")
    ('ccg', 'sicbl', None)
    """
    parsed = parse_ons_field(name)
    return FIELD_LEVELS.get(parsed.geography) if parsed else None


def is_gss_code(value: object) -> bool:
    """True for a nine-character GSS code such as ``E38000144``."""
    return isinstance(value, str) and GSS_PATTERN.match(value) is not None


def kind_of_code(code: str) -> str | None:
    """The kind of area a GSS code belongs to, or None for unknown entities.

    Examples
    --------
    >>> kind_of_code("E54000016"), kind_of_code("E08000025"), kind_of_code("nonsense")
    ('stp', 'council', None)
    >>> kind_of_code("S13002516"), kind_of_code("N08000101")  # Scottish and NI wards
    ('ward', 'ward')
    """
    if not is_gss_code(code):
        return None
    return COUNTRY_ENTITY_KINDS.get(code[:3]) or ENTITY_KINDS.get(code[1:3])


def gss_share(values: pd.Series) -> float:
    """The share of non-missing values that are GSS codes, in any case and with stray
    spaces (0 when all are missing)."""
    present = values.dropna()
    if present.empty:
        return 0.0
    as_text = present.astype(str).str.strip()
    return float(as_text.str.match(GSS_PATTERN.pattern, case=False).mean())


def upper_case_codes(values: pd.Series) -> pd.Series:
    """Text values with the GSS codes among them in upper case, keeping the dtype.

    For tables read as text (lookups, population counts) whose values are stripped
    already; a column with no lower-case code is returned as it is.

    Examples
    --------
    >>> upper_case_codes(pd.Series(["e01000001", "E01000002", "City of London"])).tolist()
    ['E01000001', 'E01000002', 'City of London']
    """
    lower = values.str.match(_LOWER_GSS).fillna(False).astype(bool)
    return values.where(~lower, values.str.upper()) if lower.any() else values


def normalise_codes(values: pd.Series) -> tuple[pd.Series, int]:
    """Codes without stray spaces, GSS codes in upper case, and how many were changed.

    Spreadsheet exports add spaces (``" E05011111 "``, a non-breaking space) and
    lower-case codes (``"e05011111"``); ONS's codes are upper case. Values that are
    not GSS codes once stripped are only stripped. Missing values stay missing.

    Examples
    --------
    >>> codes, changed = normalise_codes(pd.Series([" e05011111", "E05011112", "13P "]))
    >>> codes.tolist(), changed
    (['E05011111', 'E05011112', '13P'], 2)
    """
    text = values.astype("string")
    stripped = text.str.strip()
    upper = stripped.str.upper()
    gss = upper.str.match(GSS_PATTERN.pattern).fillna(False).astype(bool)
    normalised = stripped.where(~gss, upper)
    changed = int((normalised != text).fillna(False).sum())
    return normalised.astype(object), changed


def kinds_of_codes(codes: Iterable[str]) -> pd.Series:
    """How many codes there are of each kind, largest first (unknown as ``'unknown'``).

    Examples
    --------
    >>> kinds_of_codes(["E05000001", "E05000002", "E01000001"]).to_dict()
    {'ward': 2, 'lsoa': 1}
    """
    kinds = [kind_of_code(str(code)) or "unknown" for code in codes]
    return pd.Series(kinds, dtype="object").value_counts().rename_axis("kind").rename("count")
