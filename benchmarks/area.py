"""A data directory for the area a benchmark runs on: England's, or the West Midlands' files.

The commands (``stpgeo demo``, ``stpgeo analyse``, the plain geopandas pipeline) read
the files of a data directory. For England that is the real one; for the West Midlands
(the smoke test's area) a folder laid out the same way is written, holding only the
seven districts' LSOAs, 2013 wards, lookup rows and residents — so that every command
runs as for England, on a small part of it. Run as a child
(``python -m benchmarks.area DATA OUT``), so that the benchmark stays small.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd

from .children import run_child
from .inputs import (
    BLOCK_LOOKUP,
    BLOCK_WARDS,
    LSOAS,
    POPULATION,
    WARD_LOOKUP,
    WARDS,
    WEST_MIDLANDS,
    Area,
)

#: Files copied as they are (small: the wards of 2018, the STPs, the ward code lists).
COPIED = ("wards/birmingham_wards_2018.geojson",
          "stp/Sustainability_and_Transformation_Partnerships_February_2017_Ultra_Generalised_"
          "Clipped_Boundaries_in_England.geojson",
          "lookups/032_WD16_LAD16_UK_LU.csv", "lookups/047_WD17_LAD17_UK_LU.csv",
          "lookups/051_WD18_LAD18_UK_LU.csv")
#: Lookups and tables cut to the area's LSOAs (column holding the LSOA code).
BY_LSOA = {BLOCK_WARDS: "LSOA11CD", "lookups/168_LSOA11_WD18_LAD18_EW_LU_v3.csv": "LSOA11CD",
           POPULATION: "lsoa11_code"}


def write_west_midlands(data: Path, out: Path) -> None:
    """Write the West Midlands' part of the data directory ``data`` into ``out``."""
    lookup = pd.read_csv(data / BLOCK_LOOKUP, dtype=str)
    lookup = lookup[lookup["LAD17CD"].isin(WEST_MIDLANDS)]
    lsoas = set(lookup["LSOA11CD"])
    wards = pd.read_csv(data / WARD_LOOKUP, dtype=str)
    in_area = set(wards.loc[wards["LAD16CD"].isin(WEST_MIDLANDS), "WD16CD"])
    for name, column, keep in ((LSOAS, "LSOA11CD", lsoas), (WARDS, "WD13CD", in_area)):
        frame = gpd.read_file(data / name, engine="pyogrio")
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        frame[frame[column].isin(keep)].to_file(out / name, engine="pyogrio")
    (out / BLOCK_LOOKUP).parent.mkdir(parents=True, exist_ok=True)
    lookup.to_csv(out / BLOCK_LOOKUP, index=False)
    for name, column in BY_LSOA.items():
        table = pd.read_csv(data / name, dtype=str)
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        table[table[column].isin(lsoas)].to_csv(out / name, index=False)
    for name in COPIED:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(data / name, out / name)


def area_data(data: Path, area: Area, folder: Path) -> Path:
    """The data directory of ``area``: ``data`` itself for England, else written into
    ``folder`` (by a child process)."""
    if area == "england":
        return data
    run_child(["-m", "benchmarks.area", str(data), str(folder)]).check(
        "writing the West Midlands' data")
    return folder


if __name__ == "__main__":
    write_west_midlands(Path(sys.argv[1]), Path(sys.argv[2]))
