"""Reading GP practices: NHS Digital's ODS practice list (epraccur), with or without coordinates.

CCGs are, formally, memberships of GP practices. NHS Digital's ``epraccur`` file lists
every prescribing organisation with its ODS code, name, status (A active, C closed, D
dormant, P proposed), prescribing setting (4 = GP practice) and commissioner (the CCG's
ODS code, e.g. ``05L``). The official file has no header row; copies with headers name
the columns ``OrganisationCode, Name, StatusCode, Provider`` (or ``Commissioner``),
``PrescribingSetting``. Coordinates, where a file has them, are latitude and longitude
columns (``lat``/``long``, ``latitude``/``longitude``).

Examples
--------
>>> import io
>>> csv = io.StringIO("OrganisationCode,Name,StatusCode,Provider,PrescribingSetting,lat,long\\n"
...                   "M85002,HANDSWORTH WOOD MED.CTR.,A,05L,4,52.513033,-1.928196\\n")
>>> practice = read_practices(csv).iloc[0]
>>> practice["practice_code"], practice["commissioner_code"], float(practice["latitude"])
('M85002', '05L', 52.513033)
"""

from __future__ import annotations

import os
import re
from typing import IO

import numpy as np
import pandas as pd

from stpgeo.errors import StpgeoError, preview
from stpgeo.io.tables import read_text_table, source_name

#: The columns of a practice table, as :func:`read_practices` returns it.
PRACTICE_COLUMNS = ["practice_code", "practice_name", "status", "setting", "commissioner_code",
                    "latitude", "longitude"]
#: Column names (lower case, letters only) recognised for each of them, best first.
_NAMES: dict[str, tuple[str, ...]] = {
    "practice_code": ("organisationcode", "practicecode", "odscode", "orgcode", "code"),
    "practice_name": ("name", "practicename", "organisationname"),
    "status": ("statuscode", "status"),
    "setting": ("prescribingsetting", "setting"),
    "commissioner_code": ("commissioner", "commissionercode", "ccgcode", "provider",
                          "providerpurchaser", "ccg"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "long", "lon", "lng"),
}
#: The official epraccur file has no header: its columns by position (0-based).
EPRACCUR_POSITIONS = {"practice_code": 0, "practice_name": 1, "status": 12,
                      "commissioner_code": 14, "setting": 25}
#: Status of an active organisation, and the prescribing setting of a GP practice.
ACTIVE, GP_PRACTICE = "A", "4"
#: Where coordinates in England can be (degrees).
LATITUDES, LONGITUDES = (49.8, 55.9), (-6.5, 2.0)
_ODS_PRACTICE = re.compile(r"^[A-Z]\d{5}$")
_FIX = ("give NHS Digital's practice list (epraccur) as CSV: OrganisationCode, Name, "
        "StatusCode, Provider (or Commissioner: the CCG's ODS code), PrescribingSetting, and "
        "optionally latitude and longitude columns")


def _key(column: str) -> str:
    return re.sub(r"[^a-z]", "", column.lower())


def _columns(table: pd.DataFrame) -> dict[str, str]:
    """The file's column for each of :data:`PRACTICE_COLUMNS` that it has."""
    keys = {_key(c): c for c in reversed(table.columns)}  # the first of equal keys wins
    found: dict[str, str] = {}
    for role, names in _NAMES.items():
        column = next((keys[n] for n in names if n in keys), None)
        if column is not None and column not in found.values():
            found[role] = column
    return found


def _read(source: str | os.PathLike[str] | IO[str]) -> pd.DataFrame:
    """The table with its header, or the official epraccur's columns for a file without."""
    table = read_text_table(source, what="practices", fix=_FIX, header=None)
    first = str(table.iloc[0, 0]).strip() if len(table) else ""
    if _ODS_PRACTICE.match(first) and table.shape[1] > max(EPRACCUR_POSITIONS.values()):
        return pd.DataFrame({role: table.iloc[:, i] for role, i in EPRACCUR_POSITIONS.items()})
    header = [str(c).strip() for c in table.iloc[0]] if len(table) else []
    return pd.DataFrame(table.iloc[1:].to_numpy(), columns=header)


def _coordinate(table: pd.DataFrame, column: str, name: str) -> pd.Series:
    values = pd.to_numeric(table[column].str.strip(), errors="coerce")
    bad = values.isna() & table[column].notna()
    if bad.any():
        rows = [f"{c}={v!r}" for c, v in zip(table["practice_code"][bad], table[column][bad],
                                             strict=True)]
        raise StpgeoError(f"{int(bad.sum()):,} practices have a {column!r} that is not a "
                          f"number: {preview(rows, 5)}", source=name,
                          fix="give coordinates in decimal degrees, or leave them empty")
    return values


def _check_place(latitude: pd.Series, longitude: pd.Series, codes: pd.Series,
                 name: str) -> None:
    """Refuse coordinates that are not in England (and say when they look swapped)."""
    given = latitude.notna() & longitude.notna()
    lat, lon = latitude[given], longitude[given]
    inside = lat.between(*LATITUDES) & lon.between(*LONGITUDES)
    if inside.all():
        return
    swapped = lon.between(*LATITUDES) & lat.between(*LONGITUDES)
    if swapped.mean() > 0.5:
        raise StpgeoError("the practices' latitude and longitude are swapped: the latitude "
                          "column holds longitudes of England and the reverse", source=name,
                          fix="swap the names of the latitude and longitude columns")
    rows = [f"{c} ({a}, {o})" for c, a, o in zip(codes[given][~inside], lat[~inside],
                                                  lon[~inside], strict=True)]
    raise StpgeoError(f"{len(rows):,} practices have coordinates outside England: "
                      f"{preview(rows, 5)}", source=name,
                      fix="give latitude and longitude in decimal degrees (WGS84), or leave "
                      "them empty for practices that could not be located")


def read_practices(source: str | os.PathLike[str] | IO[str]) -> pd.DataFrame:
    """Every organisation of a practice list, with the columns stpgeo uses.

    Parameters
    ----------
    source
        A CSV file: NHS Digital's epraccur (with or without a header row), optionally
        with latitude and longitude columns.

    Returns
    -------
    pandas.DataFrame
        One row per organisation: :data:`PRACTICE_COLUMNS` (``status`` A and ``setting``
        4 when the file has no such column, ``latitude``/``longitude`` NaN where not given).
        ``attrs``: ``source``, ``coordinates`` (whether the file has coordinate
        columns) and ``assumed`` (columns missing and what was assumed instead).

    Raises
    ------
    StpgeoError
        For a missing or unreadable file, no code, name or commissioner column, a
        code repeated, or coordinates that are not numbers or not in England.
    """
    name = source_name(source, "practices")
    raw = _read(source)
    found = _columns(raw)
    missing = [r for r in ("practice_code", "practice_name", "commissioner_code")
               if r not in found]
    if missing or raw.empty:
        what = ("no rows" if raw.empty and not missing else "no column for the "
                + ", ".join(m.replace("_", " ") for m in missing))
        raise StpgeoError(f"the practices file has {what}; its columns are: "
                          f"{preview(raw.columns, 20)}", source=name, fix=_FIX)
    if ("latitude" in found) != ("longitude" in found):
        given = "latitude" if "latitude" in found else "longitude"
        raise StpgeoError(f"the practices file has a {given} column ({found[given]!r}) but no "
                          f"{'longitude' if given == 'latitude' else 'latitude'}", source=name,
                          fix="give both latitude and longitude, or neither")
    assumed = {"status": ACTIVE, "setting": GP_PRACTICE}  # for files without these columns
    table = pd.DataFrame({role: raw[found[role]].str.strip() if role in found
                          else pd.Series(assumed[role], index=raw.index, dtype=object)
                          for role in PRACTICE_COLUMNS[:5]}).reset_index(drop=True)
    repeated = table["practice_code"][table["practice_code"].duplicated()].dropna().unique()
    if len(repeated) or table["practice_code"].isna().any():
        problem = (f"{len(repeated)} practice codes appear more than once: {preview(repeated)}"
                   if len(repeated) else
                   f"{int(table['practice_code'].isna().sum())} rows have no practice code")
        raise StpgeoError(problem, source=name, fix="give one row per practice, with its code")
    if "latitude" in found:
        coordinates = raw.reset_index(drop=True).assign(practice_code=table["practice_code"])
        table["latitude"] = _coordinate(coordinates, found["latitude"], name).to_numpy()
        table["longitude"] = _coordinate(coordinates, found["longitude"], name).to_numpy()
        _check_place(table["latitude"], table["longitude"], table["practice_code"], name)
    else:
        table["latitude"] = table["longitude"] = np.nan
    table.attrs.update(source=name, coordinates="latitude" in found, assumed=[
        f"no {role} column: every row taken as {'active' if role == 'status' else 'a GP practice'}"
        for role in ("status", "setting") if role not in found])
    return table


def is_active_gp_practice(practices: pd.DataFrame) -> pd.Series:
    """Which rows are active GP practices: status A and prescribing setting 4."""
    return (practices["status"] == ACTIVE) & (practices["setting"] == GP_PRACTICE)
