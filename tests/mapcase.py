"""A hand-made analysis for the map tests: four councils in a row of three footprints.

Footprints F1 = x 0..3000, F2 = x 3000..6000, F3 = x 6000..9000 (y 0..1000 m).

=====  ============  =======  ==========================================================
ward   x (metres)    council  pieces
=====  ============  =======  ==========================================================
A1     0..1000       C1       F1
A2     1000..2000    C1       F1
A3     2000..3500    C1       2/3 F1, 1/3 F2: split
B1     3500..4500    C2       F2
B2     4500..5970    C2       F2
D1     5970..7000    C4       30/1030 in F2 (a sliver, under 5%), the rest F3
C3     7000..8000    C3       F3
D2     8000..9000    C4       F3
=====  ============  =======  ==========================================================

So C1's wards lie in F1 and F2, and its neighbours are C2 (F2) but not C4, whose
only piece in F2 is a sliver. F3 is touched by C3 and C4.
"""

from __future__ import annotations

import pandas as pd

from stpgeo.analysis.pipeline import analyse
from stpgeo.analysis.result import Analysis
from stpgeo.io.layer import Layer

from .shapes import frame, rect

C1, C2, C3, C4 = "E08000025", "E08000028", "E08000029", "E08000027"
COUNCIL_NAMES = {C1: "Birmingham", C2: "Sandwell", C3: "Solihull", C4: "Dudley"}
F1, F2, F3 = "E54000017", "E54000016", "E54000018"
WARDS = {  # code: (name, x0, x1, council)
    "E05000001": ("A1", 0, 1_000, C1), "E05000002": ("A2", 1_000, 2_000, C1),
    "E05000003": ("A3", 2_000, 3_500, C1), "E05000004": ("B1", 3_500, 4_500, C2),
    "E05000005": ("B2", 4_500, 5_970, C2), "E05000006": ("D1", 5_970, 7_000, C4),
    "E05000007": ("C3", 7_000, 8_000, C3), "E05000008": ("D2", 8_000, 9_000, C4)}


def wards_layer() -> Layer:
    codes = list(WARDS)
    return Layer(frame(codes, [rect(x0, 0, x1, 1_000) for _, x0, x1, _ in WARDS.values()],
                       names=[w[0] for w in WARDS.values()]),
                 source="hand-made wards", kind="ward")


def footprints_layer() -> Layer:
    return Layer(frame([F1, F2, F3], [rect(x, 0, x + 3_000, 1_000) for x in (0, 3_000, 6_000)],
                       names=["Birmingham and Solihull", "The Black Country", "Coventry"]),
                 source="hand-made footprints", kind="stp")


def council_lookup() -> pd.DataFrame:
    councils = [w[3] for w in WARDS.values()]
    return pd.DataFrame({"WD16CD": list(WARDS), "LAD16CD": councils,
                         "LAD16NM": [COUNCIL_NAMES[c] for c in councils]})


def map_case() -> Analysis:
    return analyse(wards_layer(), footprints_layer(), councils=council_lookup())


def codes_of(*names: str) -> set[str]:
    return {code for code, ward in WARDS.items() if ward[0] in names}
