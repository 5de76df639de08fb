"""Publishers' formats turned into the tables stpgeo reads.

- ``ons_lsoa_population``: ONS's "Lower layer Super Output Area population
  estimates" workbook (mid-2017: a zip holding
  ``SAPE20DT1-mid-2017-lsoa-syoa-estimates-formatted.XLS``), sheet ``Mid-2017
  Persons``: a few lines of title, a header row with ``Area Codes`` and ``All Ages``,
  then England and Wales, regions, districts and LSOAs, the names of each level in
  its own column. Kept: the LSOA rows (E01 / W01 codes), as ``lsoa11_code,
  lsoa11_name, total_population``.
- ``imd2015`` / ``imd2019`` / ``imd2025``: the English Indices of Deprivation's "File 7"
  CSV (all ranks, deciles and scores; per 2021 LSOA in 2025); kept: the columns of the
  catalogue's table, found by the start of the publisher's column names.
- ``census2021_ts001``: Nomis's bulk Census 2021 table TS001 (usual residents): a zip
  holding ``census2021-ts001-lsoa.csv`` with ``geography code``, ``geography`` and the
  total (``Residence type: Total; measures: Value``); kept: the LSOA rows, as
  ``LSOA21CD, LSOA21NM, total_population``.

Examples
--------
>>> _pick(["LSOA code (2011)", "Income Rank (where 1 is most deprived)"], "Income Rank")
'Income Rank (where 1 is most deprived)'
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from stpgeo.errors import StpgeoError

_LSOA = re.compile(r"^[EW]01\d{6}$")

#: IMD 2019 (the shared table's column -> the start of File 7's column).
IMD2019 = {"lsoa_code": "LSOA code"} | {
    f"{short}_{what.lower()}": f"{long} {what}"
    for what in ("Decile", "Rank")
    for short, long in (("IMD", "Index of Multiple Deprivation (IMD)"), ("Income", "Income"),
                        ("Employment", "Employment"),
                        ("Education", "Education, Skills and Training"),
                        ("Health", "Health Deprivation and Disability"), ("Crime", "Crime"),
                        ("Housing_and_Access", "Barriers to Housing and Services"),
                        ("Environment", "Living Environment"))}
#: IoD 2025 (humaniverse/IMD's layout, the shared table's: deciles, ranks, then scores).
IMD2025 = {"lsoa21_code": "LSOA code (2021)"} | {
    f"{short}_{what.lower()}": f"{long} {what}"
    for what in ("Decile", "Rank", "Score")
    for short, long in (("IMD", "Index of Multiple Deprivation (IMD)"), ("Income", "Income"),
                        ("Employment", "Employment"),
                        ("Education", "Education, Skills and Training"),
                        ("Health", "Health Deprivation and Disability"), ("Crime", "Crime"),
                        ("Housing_and_Services", "Barriers to Housing and Services"),
                        ("Environment", "Living Environment"))}
#: IMD 2015 (the shared table's column -> the start of File 7's column).
IMD2015 = {"lsoa11_code": "LSOA code", "lsoa11_name": "LSOA name",
           "lad13_code": "Local Authority District code",
           "lad13_name": "Local Authority District name",
           "IMD_score": "Index of Multiple Deprivation (IMD) Score",
           "IMD_rank": "Index of Multiple Deprivation (IMD) Rank",
           "IMD_decile": "Index of Multiple Deprivation (IMD) Decile"}


def _pick(header: list[str], start: str) -> str:
    found = [name for name in header if name.strip().startswith(start)]
    if len(found) != 1:
        raise ValueError(f"{'no' if not found else 'several'} columns starting {start!r}")
    return found[0]


def _file7(columns: dict[str, str], *, order: list[str]) -> Callable[[Path, Path], int]:
    def convert(source: Path, target: Path) -> int:
        with source.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = list(reader.fieldnames or [])
            try:
                wanted = {ours: _pick(header, theirs) for ours, theirs in columns.items()}
            except ValueError as error:
                raise StpgeoError(f"not the Indices of Deprivation's File 7: {error}",
                                  source=source, fix="check the file's address in the "
                                  "catalogue") from None
            rows = [[row[wanted[c]] for c in order] for row in reader]
        _write_csv(target, order, rows)
        return len(rows)
    return convert


def _write_csv(target: Path, header: list[str], rows: list[list[str]]) -> None:
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def ons_lsoa_population(source: Path, target: Path, *, member: str | None = None,
                        sheet: str = "Mid-2017 Persons") -> int:
    """Convert ONS's LSOA population workbook (or a zip holding it) to stpgeo's CSV."""
    import xlrd  # only this conversion needs it

    data = source.read_bytes()
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith((".xls", ".xlsx"))]
            name = member if member in names else (names[0] if names else None)
            if name is None:
                raise StpgeoError("the zip holds no workbook", source=source,
                                  fix="check the file's address in the catalogue")
            data = archive.read(name)
    try:
        book = xlrd.open_workbook(file_contents=data)
        table = book.sheet_by_name(sheet)
    except (xlrd.XLRDError, KeyError) as error:
        raise StpgeoError(f"not ONS's population workbook ({error})", source=source,
                          fix=f"check the file's address in the catalogue; it needs a sheet "
                          f"{sheet!r}") from None
    rows = [[str(v).strip() if not isinstance(v, float) else v for v in table.row_values(i)]
            for i in range(table.nrows)]
    at = next((i for i, r in enumerate(rows) if "Area Codes" in r and "All Ages" in r), None)
    if at is None:
        raise StpgeoError(f"sheet {sheet!r} has no header row with 'Area Codes' and 'All Ages'",
                          source=source, fix="check the file's address in the catalogue")
    code_at, total_at = rows[at].index("Area Codes"), rows[at].index("All Ages")
    kept = []
    for row in rows[at + 1:]:
        code = str(row[code_at])
        if not _LSOA.match(code):
            continue
        name = next((str(v) for v in row[code_at + 1:total_at] if str(v).strip()), "")
        kept.append([code, name, str(int(float(row[total_at])))])
    _write_csv(target, ["lsoa11_code", "lsoa11_name", "total_population"], kept)
    return len(kept)


def census2021_ts001(source: Path, target: Path, *, member: str | None = None) -> int:
    """Convert Nomis's Census 2021 TS001 bulk zip (or its LSOA CSV) to stpgeo's CSV."""
    data = source.read_bytes()
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith("-lsoa.csv")]
            name = member if member in archive.namelist() else (names[0] if names else None)
            if name is None:
                raise StpgeoError("the zip holds no LSOA table (…-lsoa.csv)", source=source,
                                  fix="check the file's address in the catalogue")
            data = archive.read(name)
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    header = list(reader.fieldnames or [])
    totals = [c for c in header if "total" in c.lower() and "value" in c.lower()]
    if "geography code" not in header or len(totals) != 1:
        raise StpgeoError(f"not Nomis's Census 2021 table: its columns are {header[:6]}",
                          source=source, fix="check the file's address in the catalogue")
    kept = [[row["geography code"], row.get("geography", ""), row[totals[0]].strip()]
            for row in reader if _LSOA.match(row["geography code"].strip())]
    _write_csv(target, ["LSOA21CD", "LSOA21NM", "total_population"], kept)
    return len(kept)


CONVERTERS: dict[str, Callable[..., int]] = {
    "ons_lsoa_population": ons_lsoa_population,
    "census2021_ts001": census2021_ts001,
    "imd2025": _file7(IMD2025, order=list(IMD2025)),
    "imd2015": _file7(IMD2015, order=list(IMD2015)),
    "imd2019": _file7(IMD2019, order=list(IMD2019)),
}
