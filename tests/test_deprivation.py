"""Who lives on the wrong side of the border: deciles of deprivation, on hand-made grids.

The grid of tests/test_analysis_blocks.py: blocks b1..b8 of council C1 (Birmingham), b9 of
C2; F1 = x 0..3 km holds b1, b2, b3, b5, b6, b7; F2 = x 3..5 km holds b4, b8, b9; C1's
home is F1. Residents b1 100 ... b8 800, b9 5,000. Wards WA (b1, b2, b5, b6) and WB (b3, b4,
b7, b8).

IMD deciles given here: b1 1, b2 2, b3 1, b4 1, b5 3, b6 10, b7 2, b8 1, b9 5. So, on paper:
C1 at home (b1, b2, b3, b5, b6, b7; 2,400 residents): decile 1 = b1 + b3 = 400, decile 2 =
b2 + b7 = 900, decile 3 = b5 = 500, decile 10 = b6 = 600; C1 outside home (b4, b8; 1,200):
all in decile 1. WA: decile 1 = 100 of 1,400, deciles 1-2 = 300; WB: decile 1 = b3 + b4 + b8
= 1,500 of 2,200, deciles 1-2 = all 2,200.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from stpgeo import AnalysisOptions, StpgeoError
from stpgeo.analysis.pipeline import analyse
from stpgeo.engine.deprivation import block_sides
from stpgeo.io.deprivation import read_deprivation
from stpgeo.outputs.affected import affected_findings, by_decile

from .refusals import refusal
from .test_analysis_blocks import (
    BLOCKS,
    C1,
    F1,
    F2,
    RESIDENTS,
    WA,
    WB,
    _block_councils,
    _blocks,
    _footprints,
    _wards,
)

IMD = [1, 2, 1, 1, 3, 10, 2, 1, 5]


def _deciles(imd: list[int] = IMD, codes: list[str] = BLOCKS) -> pd.DataFrame:
    csv = "lsoa_code,IMD_decile,Health_decile\n" + "".join(
        f"{c},{d},{1 if d == 1 else 4}\n" for c, d in zip(codes, imd, strict=True))
    table = read_deprivation(io.StringIO(csv), year=2019)
    table.attrs["source"] = "imd2019.csv"
    return table


def _result(deciles: pd.DataFrame | None = None):  # type: ignore[no-untyped-def]
    return analyse(_wards(), _footprints(), councils=_block_councils(), blocks=_blocks(),
                   population=RESIDENTS, deprivation=_deciles() if deciles is None else deciles)


@pytest.mark.parametrize(("header", "name", "index"), [
    ("lsoa_code,IMD_decile,IMD_rank,Health_decile,Housing_and_Access_decile",
     "imd2019_england_lsoa11_ranks_deciles.csv", ["IMD2019", "Health2019", "Housing2019"]),
    ("lsoa11_code,lsoa11_name,lad13_code,IMD_score,IMD_rank,IMD_decile",
     "imd2015_lsoa11_england.csv", ["IMD2015"]),
    ('"LSOA code (2011)","Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",'
     '"Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",'
     '"Health Deprivation and Disability Decile (where 1 is most deprived 10% of LSOAs)",'
     '"Income Deprivation Affecting Children Index (IDACI) Decile (where 1 is most deprived 10% '
     'of LSOAs)","Children and Young People Sub-domain Decile (where 1 is most deprived 10% of '
     'LSOAs)"', "File_7_-_All_IoD2019_Scores__Ranks__Deciles.csv",
     ["IMD2019", "Health2019", "IDACI2019"]),
    ("lsoa11cd,IMD19_Decile,IncDec,HDDDec,BHSDec", "portal.csv",
     ["IMD2019", "Income2019", "Health2019", "Housing2019"]),
])
def test_decile_columns_are_recognised_by_their_names(tmp_path: Path, header: str, name: str,
                                                      index: list[str]) -> None:
    columns = pd.read_csv(io.StringIO(header + "\n")).columns
    row = ["E01000001"] + ["3"] * (len(columns) - 1)  # the code first, in every header here
    path = tmp_path / name
    path.write_text(header + "\n" + ",".join(row) + "\n")
    table = read_deprivation(path)
    assert sorted(table.columns) == sorted(index)
    assert (table.loc["E01000001"] == 3).all()


@pytest.mark.parametrize(("text", "says"), [
    ("code,IMD_decile\nW05000001,1\n", "no column holds LSOA codes"),
    ("lsoa_code,IMD_score,IMD_rank\nE01000001,12.3,5000\n", "no column holds deciles"),
    ("lsoa_code,IMD_decile\nE01000001,11\nE01000002,x\n",
     "2 rows have a decile in 'IMD_decile' that is not a whole number from 1 to 10: "
     "E01000001='11', E01000002='x'"),
    ("lsoa_code,IMD_decile\nE01000001,1\nE01000001,2\n", "1 codes appear more than once"),
    ("lsoa_code,IMD_decile,IMD_decile_2015\nE01000001,1,2\n", "two columns hold deciles"),
])
def test_a_deprivation_file_of_the_wrong_shape_is_refused(tmp_path: Path, text: str,
                                                          says: str) -> None:
    assert says in refusal(read_deprivation, tmp_path / "imd2019.csv", text)


def test_the_year_must_be_known(tmp_path: Path) -> None:
    path = tmp_path / "deprivation.csv"
    path.write_text("lsoa_code,IMD_decile\nE01000001,1\n")
    with pytest.raises(StpgeoError, match="the year of the indices"):
        read_deprivation(path)
    assert list(read_deprivation(path, year=2015).columns) == ["IMD2015"]


def test_residents_by_decile_on_each_side_as_worked_out_on_paper() -> None:
    table = _result().deprivation.set_index(["council_code", "side", "index", "decile"])
    table = table.sort_index()
    imd = table["population"].xs((C1, "home", "IMD2019"))
    assert imd.to_dict() == {1: 400, 2: 900, 3: 500, 4: 0, 5: 0, 6: 0, 7: 0, 8: 0, 9: 0,
                             10: 600}
    outside = table["population"].xs((C1, "outside_home", "IMD2019"))
    assert outside[1] == 1_200
    assert outside.sum() == 1_200
    assert table.xs((C1, "home", "Health2019"))["population"].sum() == 2_400
    # C2 has no analysed ward: it is not counted
    assert set(table.index.get_level_values("council_code")) == {C1}
    assert (table["council_name"] == "Birmingham").all()


def test_ward_shares_as_worked_out_on_paper() -> None:
    wards = _result().ward_deprivation.query("index == 'IMD2019'").set_index("ward_code")
    assert wards.loc[WA, "population"] == 1_400
    assert wards.loc[WA, "share_decile_1"] == pytest.approx(100 / 1_400)
    assert wards.loc[WA, "share_deciles_1_2"] == pytest.approx(300 / 1_400)
    assert wards.loc[WB, "share_decile_1"] == pytest.approx(1_500 / 2_200)
    assert wards.loc[WB, "share_deciles_1_2"] == pytest.approx(1.0)


def test_a_block_without_a_decile_is_counted_under_an_unknown_decile() -> None:
    # b8 (800 residents, outside home) has no decile: counted, under an empty decile
    result = _result(_deciles(IMD[:7] + IMD[8:], BLOCKS[:7] + BLOCKS[8:]))
    rows = result.deprivation.query("index == 'IMD2019' and side == 'outside_home'")
    assert rows["population"].sum() == 1_200
    assert rows.loc[rows["decile"].isna(), "population"].tolist() == [800]
    assert any("1 blocks of the councils analysed (800 residents) have no decile" in w
               for w in result.summary["warnings"])
    counts = by_decile(result, [C1], "IMD2019")
    assert counts.loc["unknown", "outside_home"] == 800


def test_sides_of_blocks_of_unknown_council_or_footprint() -> None:
    blocks = pd.DataFrame({"council": [C1, C1, None], "footprint": [F1, None, F1]},
                          index=["a", "b", "c"])
    sides = block_sides(blocks, pd.Series({C1: [F1]}))
    assert sides.tolist()[:2] == ["home", "outside_home"]
    assert pd.isna(sides["c"])


def test_findings_read_the_tables() -> None:
    result = _result()
    sentences = affected_findings(result, "Birmingham")
    # England's reference here: the 9 blocks ranked, 1,600 of their 8,600 residents in decile 1
    assert sentences[0] == (
        "Of the 1,200 Birmingham residents outside F1, 100% live in England's most deprived 10% "
        "of neighbourhoods by the Index of Multiple Deprivation 2019 (the rest of Birmingham: "
        "17%; the 9 blocks of the deprivation table: 19%).")
    assert sentences[1].startswith("By the Health Deprivation and Disability domain (2019), "
                                   "100% of them")
    assert result.summary["deprivation"]["reference"]["residents"]["IMD2019"][0] == 1_600


def test_deprivation_needs_blocks_and_population() -> None:
    with pytest.raises(StpgeoError, match="without blocks and their population"):
        AnalysisOptions(blocks=_blocks(), deprivation=_deciles())


def test_deciles_of_other_blocks_are_refused() -> None:
    other = _deciles(IMD, [f"E0100010{i}" for i in range(1, 10)])
    with pytest.raises(StpgeoError, match="has deciles for none of the 9 blocks"):
        _result(other)


def test_blocks_keep_their_deciles() -> None:
    blocks = _result().blocks
    assert blocks["decile_IMD2019"].tolist() == IMD
    assert blocks.loc[BLOCKS[3], "footprint"] == F2


def test_a_council_wholly_at_home_is_described_so() -> None:
    # with the border at x = 4 km all of C1's blocks are in F1: decile 1 holds b1, b3, b4, b8
    result = analyse(_wards(), _footprints(border=4_000), councils=_block_councils(),
                     blocks=_blocks(), population=RESIDENTS, deprivation=_deciles())
    assert affected_findings(result, "Birmingham")[0] == (
        "All 3,600 Birmingham residents live in F1; 44% of them in England's most deprived "
        "10% of neighbourhoods by the Index of Multiple Deprivation 2019 (the 9 blocks of the "
        "deprivation table: 19%).")
