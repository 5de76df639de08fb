"""analyse() with building blocks, population and block lookups, on hand-made grids.

Blocks are 1 km squares b1..b8 in a 4 × 2 grid (x 0..4 km, y 0..2 km; b1..b4 along
the bottom row, b5..b8 above them) plus b9 = [4, 5] × [0, 1] km in council C2.
Residents: b1 100, b2 200, b3 300, b4 400, b5 500, b6 600, b7 700, b8 800, b9 5000.
Wards: WA = x 0..2 km (b1, b2, b5, b6), WB = x 2..4 km (b3, b4, b7, b8).
Footprints: F1 = x 0..3 km, F2 = x 3..5 km (b4, b8, b9).

WB has 2,200 residents: 1,000 in F1 (b3, b7) and 1,200 in F2 (b4, b8), shares 5/11 and
6/11. C1 (blocks b1..b8) has 2,400 residents in F1 and 1,200 in F2; F2 has 6,200, mostly
C2's, so C1's home is F1 alone: WA within, WB split.
"""

from __future__ import annotations

import pandas as pd
import pytest

from stpgeo.analysis.pipeline import analyse
from stpgeo.io.layer import Layer

from .shapes import frame, rect, square

C1, C2 = "E08000025", "E08000028"
F1, F2 = "E54000017", "E54000016"
WA, WB = "E05000001", "E05000002"
BLOCKS = [f"E0100000{i}" for i in range(1, 10)]
RESIDENTS = pd.Series([100, 200, 300, 400, 500, 600, 700, 800, 5000], index=BLOCKS)


def _blocks() -> Layer:
    squares = [square(x, y) for y in (0, 1_000) for x in (0, 1_000, 2_000, 3_000)]
    return Layer(frame(BLOCKS, [*squares, square(4_000, 0)]), source="blocks", kind="lsoa")


def _wards() -> Layer:
    return Layer(frame([WA, WB], [rect(0, 0, 2_000, 2_000), rect(2_000, 0, 4_000, 2_000)],
                       names=["WA", "WB"]), source="wards", kind="ward")


def _footprints(border: float = 3_000) -> Layer:
    return Layer(frame([F1, F2], [rect(0, 0, border, 2_000), rect(border, 0, 5_000, 2_000)],
                       names=["F1", "F2"]), source="footprints", kind="stp")


def _block_councils() -> pd.DataFrame:
    return pd.DataFrame({"LSOA11CD": BLOCKS, "LAD17CD": [C1] * 8 + [C2],
                         "LAD17NM": ["Birmingham"] * 8 + ["Sandwell"]})


def test_population_shares_and_verdicts_from_blocks() -> None:
    result = analyse(_wards(), _footprints(), councils=_block_councils(), blocks=_blocks(),
                     population=RESIDENTS)
    pieces = result.ward_footprints.set_index(["ward_code", "footprint_code"])
    assert pieces.loc[(WB, F1), "population"] == 1_000
    assert pieces.loc[(WB, F1), "population_share"] == pytest.approx(5 / 11)
    assert pieces.loc[(WB, F2), "population_share"] == pytest.approx(6 / 11)
    assert pieces.loc[(WA, F1), "population_share"] == 1.0
    assert (pieces["confidence"] == "confirmed").all()
    verdicts = result.ward_verdicts.set_index("ward_code")
    assert verdicts["verdict"].to_dict() == {WA: "within", WB: "split"}
    assert verdicts.loc[WB, "best_footprint_code"] == F2
    assert verdicts.loc[WB, "best_population_share"] == pytest.approx(6 / 11)
    assert verdicts.loc[WA, "council_name"] == "Birmingham"
    councils = result.councils.set_index("council_code")
    assert councils.loc[C1, "home_footprint_codes"] == F1
    assert councils.loc[C1, "population_outside_home"] == 1_200
    footprints = result.footprints.set_index("footprint_code")
    # footprint residents count all their blocks, b9 included though no ward holds it
    assert footprints["population"].to_dict() == {F1: 2_400, F2: 6_200}
    assert result.summary["blocks"]["residents_in_no_ward"] == 5_000


def test_block_lookup_decides_and_agreement_is_reported() -> None:
    # the lookup puts b3 in WA although it lies wholly in WB, and covers only WA's code
    lookup = pd.DataFrame({"LSOA11CD": ["E01000001", "E01000002", "E01000003", "E01000005",
                                        "E01000006"], "WD16CD": [WA] * 5})
    result = analyse(_wards(), _footprints(), councils=_block_councils(), blocks=_blocks(),
                     population=RESIDENTS, block_wards=lookup)
    blocks = result.blocks
    assert blocks.loc["E01000003", "ward"] == WA
    assert blocks.loc["E01000003", "ward_method"] == "lookup"
    assert blocks.loc["E01000003", "ward_geometric"] == WB
    # WB is not covered by the lookup: its blocks fall back to geometry
    assert blocks.loc["E01000004", "ward_method"] == "geometry"
    summary = result.summary["blocks"]
    assert summary["wards_not_covered_by_lookup"] == 1
    assert summary["agreement"]["ward_blocks_compared"] == 5
    assert summary["agreement"]["ward_blocks_disagreeing"] == 1
    assert summary["agreement"]["ward_residents_disagreeing"] == 300
    pieces = result.ward_footprints.set_index(["ward_code", "footprint_code"])
    assert pieces.loc[(WA, F1), "population"] == 100 + 200 + 300 + 500 + 600
    assert pieces.loc[(WB, F1), "population_share"] == pytest.approx(700 / 1_900)


def test_generalised_border_gives_an_uncertain_piece_not_a_split() -> None:
    # a generalised F2 reaches into WA up to x = 1.4 km: b2 and b6 lie 60% in it and go
    # to F2 by geometry, but the footprint's border cuts them: the piece is uncertain
    residents = RESIDENTS.copy()
    residents[["E01000002", "E01000006"]] = [20, 30]
    result = analyse(_wards(), _footprints(border=1_400), councils=_block_councils(),
                     blocks=_blocks(), population=residents)
    pieces = result.ward_footprints.set_index(["ward_code", "footprint_code"])
    assert pieces.loc[(WA, F2), "population_share"] == pytest.approx(50 / 650)
    assert pieces.loc[(WA, F2), "kind"] == "split"
    assert pieces.loc[(WA, F2), "confidence"] == "uncertain"
    assert pieces.loc[(WA, F1), "confidence"] == "confirmed"
    assert result.ward_verdicts.set_index("ward_code").loc[WA, "verdict"] == "within"
    assert result.summary["uncertain_pieces"]["pieces"] == 1
    assert any("looks generalised" in w for w in result.summary["warnings"])


def test_a_wholly_covered_block_confirms_the_piece() -> None:
    # the same, but F2 now takes in b2 and b6 wholly (x 1..2 km): a real piece
    residents = RESIDENTS.copy()
    residents[["E01000002", "E01000006"]] = [20, 30]
    f1 = rect(0, 0, 1_000, 2_000).union(rect(2_000, 0, 3_000, 2_000))
    f2 = rect(1_000, 0, 2_000, 2_000).union(rect(3_000, 0, 5_000, 2_000))
    footprints = Layer(frame([F1, F2], [f1, f2]), source="footprints", kind="stp")
    result = analyse(_wards(), footprints, councils=_block_councils(), blocks=_blocks(),
                     population=residents)
    pieces = result.ward_footprints.set_index(["ward_code", "footprint_code"])
    assert pieces.loc[(WA, F2), "confidence"] == "confirmed"
    assert result.ward_verdicts.set_index("ward_code").loc[WA, "verdict"] == "split"


def test_blocks_grazing_the_wards_are_not_pulled_in() -> None:
    # a block 90% outside every ward stays outside: only 10% of it lies in WB
    blocks = _blocks()
    extra = frame(["E01000010"], [rect(3_900, 2_000 - 100, 4_900, 2_900)])
    blocks = Layer(pd.concat([blocks.gdf, extra], ignore_index=True), source="b", kind="lsoa")
    residents = pd.concat([RESIDENTS, pd.Series({"E01000010": 999})])
    result = analyse(_wards(), _footprints(), councils=_block_councils(), blocks=blocks,
                     population=residents)
    assert pd.isna(result.blocks.loc["E01000010", "ward"])
    assert result.blocks.loc["E01000010", "ward_method"] == "outside"


def test_per_ward_agreement_between_lookup_and_geometry(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # as above: the lookup puts b3 (wholly in WB) in WA, and covers only WA
    lookup = pd.DataFrame({"LSOA11CD": ["E01000001", "E01000002", "E01000003", "E01000005",
                                        "E01000006"], "WD16CD": [WA] * 5})
    result = analyse(_wards(), _footprints(), councils=_block_councils(), blocks=_blocks(),
                     population=RESIDENTS, block_wards=lookup)
    table = result.ward_block_agreement().set_index("ward_code")
    assert table.loc[WA].to_dict() == {
        "n_blocks": 5, "n_blocks_lookup": 5, "n_blocks_geometry": 0, "n_blocks_disagreeing": 1,
        "population": 100 + 200 + 300 + 500 + 600, "population_disagreeing": 300}
    assert table.loc[WB, ["n_blocks", "n_blocks_lookup", "n_blocks_geometry",
                          "n_blocks_disagreeing"]].tolist() == [3, 0, 3, 0]
    result.write(tmp_path / "out")
    written = pd.read_csv(tmp_path / "out" / "ward_blocks.csv").set_index("ward_code")
    assert written.loc[WA, "n_blocks_disagreeing"] == 1
