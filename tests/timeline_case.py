"""A hand-made timeline: six blocks in a row, three wards, two councils, three vintages.

Blocks b1..b6 are 1 km squares at x = 0..6000 m (y 0..1000), with 100, 200, 300, 400,
500 and 600 residents. Wards: W1 = x 0..2000 (b1, b2); W2 = x 2000..3990 (b3 and
all of b4 but a 10 m strip); W3 = x 3990..6000 (the strip of b4, b5, b6). The
block → ward lookup puts b1, b2 in W1, b3, b4 in W2 and b5, b6 in W3.

=========  =====================================  =====================================
vintage    footprints                             councils
=========  =====================================  =====================================
CCG17      F1 = b1 b2 b3, F2 = b4 b5 b6 (E38)     C1 = b1..b4 (Birmingham), C2 = b5 b6
STP17      S1 = b1 b2 b3, S2 = b4 b5 b6 (E54)     as CCG17
ICB22      G1 = b1..b4, G2 = b5 b6 (E54)          C1 = b1..b4, C3 = b5 b6 (a new code)
=========  =====================================  =====================================

Worked out on paper, for CCG17 and STP17: C1 has 600 residents in F1 and 400 in F2;
F2's 1,500 residents are not mostly C1's, so C1's home is {F1} and 400 of its 1,000
residents (b4's) live outside it. C2's home is {F2}. W1 lies in F1 (within); W2 has
300 residents in F1 and 400 in F2 (split, best fit F2: 4/7); W3 lies in F2 (within; its
10,000 m² of b4 are in F2 too). In ICB22 C1's home is {G1} and all its residents live
in it: W2 is within; W3's 10,000 m² strip of b4 lies in G1 with no residents (a
sliver: area share 10,000 / 2,010,000). Moves STP17 → ICB22: b4's 400 residents of C1
go from S2 into their home G1, in W2.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from stpgeo.io.layer import Layer
from stpgeo.io.vintages import FootprintVintage

from .shapes import frame, rect, square

BLOCKS = [f"E0100000{i}" for i in range(1, 7)]
RESIDENTS = [100, 200, 300, 400, 500, 600]
W1, W2, W3 = "E05000001", "E05000002", "E05000003"
C1, C2, C3 = "E08000025", "E08000028", "E06000060"
F1, F2 = "E38000001", "E38000002"
S1, S2 = "E54000001", "E54000002"
G1, G2 = "E54000055", "E54000062"

VINTAGES = [
    FootprintVintage("CCG17", "ccg", dt.date(2017, 4, 1), "143", "CCG17CD", "LAD17CD"),
    FootprintVintage("STP17", "stp", dt.date(2017, 4, 1), "143", "STP17CD", "LAD17CD"),
    FootprintVintage("ICB22", "icb", dt.date(2022, 7, 1), "lsoa11_sicbl22", "ICB22CD",
                     "LAD22CD"),
]


def blocks() -> Layer:
    return Layer(frame(BLOCKS, [square(1_000 * i, 0) for i in range(6)],
                       names=[f"Birmingham 00{i}A" for i in range(1, 7)]),
                 source="hand-made blocks", kind="lsoa")


def wards() -> Layer:
    return Layer(frame([W1, W2, W3], [rect(0, 0, 2_000, 1_000), rect(2_000, 0, 3_990, 1_000),
                                      rect(3_990, 0, 6_000, 1_000)], names=["W1", "W2", "W3"]),
                 source="hand-made wards", kind="ward")


def population() -> pd.Series:
    return pd.Series(RESIDENTS, index=BLOCKS, dtype="int64")


def block_wards() -> pd.DataFrame:
    return pd.DataFrame({"LSOA11CD": BLOCKS, "WD16CD": [W1, W1, W2, W2, W3, W3],
                         "LAD16CD": [C1] * 4 + [C2] * 2})


def lookup_2017() -> pd.DataFrame:
    return pd.DataFrame({
        "LSOA11CD": BLOCKS, "CCG17CD": [F1] * 3 + [F2] * 3,
        "CCG17NM": ["NHS F1 CCG"] * 3 + ["NHS F2 CCG"] * 3,
        "STP17CD": [S1] * 3 + [S2] * 3, "STP17NM": ["S1"] * 3 + ["S2"] * 3,
        "LAD17CD": [C1] * 4 + [C2] * 2, "LAD17NM": ["Birmingham"] * 4 + ["Sandwell"] * 2})


def lookup_2022() -> pd.DataFrame:
    return pd.DataFrame({
        "LSOA11CD": BLOCKS, "SICBL22CD": [F1] * 4 + [F2] * 2,
        "SICBL22NM": ["F1 ICB - 01"] * 4 + ["F2 ICB - 02"] * 2,
        "ICB22CD": [G1] * 4 + [G2] * 2,
        "ICB22NM": ["NHS Birmingham and Solihull ICB"] * 4 + ["NHS Black Country ICB"] * 2,
        "LAD22CD": [C1] * 4 + [C3] * 2, "LAD22NM": ["Birmingham"] * 4 + ["Newshire"] * 2})


def lookups() -> dict[str, pd.DataFrame]:
    return {"143": lookup_2017(), "lsoa11_sicbl22": lookup_2022()}


def write_data(folder: Path) -> Path:
    """The case as a data directory under the catalogue's file names (for the CLI)."""
    from stpgeo.io.catalogue import load_catalogue

    catalogue = load_catalogue()

    def place(section: str, key: str) -> Path:
        path = folder / getattr(catalogue, section)[key]["file"]
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    blocks().gdf.rename(columns={"code": "LSOA11CD", "name": "LSOA11NM"}).to_file(
        place("layers", "lsoa_2011"))
    wards().gdf.rename(columns={"code": "WD13CD", "name": "WD13NM"}).to_file(
        place("layers", "wards_dec2013"))
    block_wards().to_csv(place("lookups", "114"), index=False)
    lookup_2017().to_csv(place("lookups", "143"), index=False)
    lookup_2022().to_csv(place("lookups", "lsoa11_sicbl22"), index=False)
    pd.DataFrame({"lsoa11_code": BLOCKS, "total_population": RESIDENTS}).to_csv(
        place("population", "lsoa11_mid2017"), index=False)
    return folder
