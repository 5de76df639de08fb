"""stpgeo.timeline on the hand-made case of tests/timeline_case.py (answers on paper)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import stpgeo
from stpgeo import StpgeoError
from stpgeo.analysis.timeline.result import Timeline

from . import timeline_case as case


def _timeline(council: str | None = "Birmingham", **options: Any) -> Timeline:
    keywords: dict[str, Any] = {"vintages": case.VINTAGES, "wards": case.wards(),
                                "blocks": case.blocks(), "population": case.population(),
                                "block_wards": case.block_wards(), "lookups": case.lookups()}
    keywords.update(options)
    return stpgeo.timeline(council, **keywords)


@pytest.fixture(scope="module")
def england() -> Timeline:
    return _timeline(england=True)


def _rows(table: pd.DataFrame, keys: list[str], columns: list[str]) -> dict[tuple[str, ...],
                                                                             list[object]]:
    return {tuple(r[keys]): list(r[columns]) for _, r in table.iterrows()}


def test_council_figures_on_paper(england: Timeline) -> None:
    columns = ["home_footprint_codes", "home_footprint_names", "population",
               "population_outside_home", "n_wards", "n_wards_outside_home", "n_wards_split",
               "aligned"]
    assert _rows(england.timeline, ["vintage", "council_code"], columns) == {
        ("CCG17", case.C1): [case.F1, "NHS F1 CCG", 1_000, 400, 2, 0, 1, False],
        ("CCG17", case.C2): [case.F2, "NHS F2 CCG", 1_100, 0, 1, 0, 0, True],
        ("STP17", case.C1): [case.S1, "S1", 1_000, 400, 2, 0, 1, False],
        ("STP17", case.C2): [case.S2, "S2", 1_100, 0, 1, 0, 0, True],
        ("ICB22", case.C1): [case.G1, "NHS Birmingham and Solihull ICB", 1_000, 0, 2, 0, 0,
                             True],
        ("ICB22", case.C3): [case.G2, "NHS Black Country ICB", 1_100, 0, 1, 0, 0, True]}
    assert list(england.timeline.columns) == [
        "council_code", "council_name", "vintage", "level", "home_footprint_codes",
        "home_footprint_names", "population", "population_outside_home", "n_wards",
        "n_wards_outside_home", "n_wards_split", "aligned"]
    assert set(england.timeline["level"]) == {"ccg", "stp", "icb"}


def test_ward_verdicts_on_paper(england: Timeline) -> None:
    rows = _rows(england.ward_timeline, ["vintage", "ward_code"],
                 ["council_code", "best_footprint_code", "verdict"])
    assert rows[("CCG17", case.W1)] == [case.C1, case.F1, "within"]
    assert rows[("CCG17", case.W2)] == [case.C1, case.F2, "split"]  # 400 of 700 in F2
    assert rows[("CCG17", case.W3)] == [case.C2, case.F2, "within"]
    assert rows[("ICB22", case.W2)] == [case.C1, case.G1, "within"]
    assert rows[("ICB22", case.W3)] == [case.C3, case.G2, "within"]  # the strip: a sliver
    shares = england.ward_timeline.set_index(["vintage", "ward_code"])[
        "population_share_outside_home"]
    assert shares[("STP17", case.W2)] == pytest.approx(4 / 7)
    assert shares[("ICB22", case.W2)] == 0


def test_changes_and_moves_on_paper(england: Timeline) -> None:
    changes = england.changes
    assert _rows(changes, ["ward_code"], ["from_vintage", "to_vintage", "from_footprint",
                                          "to_footprint", "from_verdict", "to_verdict",
                                          "population"]) == {
        (case.W1,): ["STP17", "ICB22", case.S1, case.G1, "within", "within", 300],
        (case.W2,): ["STP17", "ICB22", case.S2, case.G1, "split", "within", 700],
        (case.W3,): ["STP17", "ICB22", case.S2, case.G2, "within", "within", 1_100]}
    moves = england.moves
    assert len(moves) == 1
    move = moves.iloc[0]
    assert (move["council_code"], move["direction"], move["from_footprint"],
            move["to_footprint"], move["population"], move["ward_codes"]) == (
        case.C1, "into_home", case.S2, case.G1, 400, case.W2)


def test_trend_on_paper(england: Timeline) -> None:
    trend = england.trend.set_index(["scope_code", "vintage"])
    columns = ["n_councils", "councils_not_aligned", "population", "population_outside_home"]
    assert trend.loc[("E92000001", "CCG17"), columns].tolist() == [2, 1, 2_100, 400]
    assert trend.loc[("E92000001", "ICB22"), columns].tolist() == [2, 0, 2_100, 0]
    assert trend.loc[(case.C1, "STP17"), columns].tolist() == [1, 1, 1_000, 400]
    assert trend.loc[(case.C1, "ICB22"), "date"] == "2022-07-01"


def test_pieces_are_summed_from_the_blocks(england: Timeline) -> None:
    analysis = england.analysis("ICB22", council=case.C1)
    pieces = analysis.ward_footprints.set_index(["ward_code", "footprint_code"])
    assert pieces.loc[(case.W3, case.G1), "area_m2"] == pytest.approx(10_000)
    assert pieces.loc[(case.W3, case.G1), "area_share"] == pytest.approx(10_000 / 2_010_000)
    assert pieces.loc[(case.W3, case.G1), "kind"] == "sliver"
    assert pieces.loc[(case.W2, case.G1), "area_m2"] == pytest.approx(1_990_000)
    assert pieces.loc[(case.W2, case.G1), "population"] == 700
    assert analysis.summary["conservation"]["holds"]
    assert analysis.label == "ICB 2022"
    assert set(analysis.footprints_gdf["code"]) == {case.G1, case.G2}


def test_a_council_alone_gives_the_same_figures_as_england(england: Timeline) -> None:
    alone = _timeline()
    assert alone.councils == [case.C1]
    assert not alone.england
    mine = england.timeline[england.timeline["council_code"] == case.C1].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone.timeline, mine)
    wards = england.ward_timeline[england.ward_timeline["council_code"] == case.C1]
    pd.testing.assert_frame_equal(alone.ward_timeline, wards.reset_index(drop=True))
    assert set(alone.trend["scope_code"]) == {"E92000001", case.C1}


def test_the_story_is_told_from_the_tables(england: Timeline) -> None:
    story = " ".join(england.findings())
    assert "On 1 July 2022 (ICB 2022), 400 residents of Birmingham in W2 moved from S2 to " \
           "NHS Birmingham and Solihull ICB, its home ICB." in story
    assert "Its alignment did not change" not in story  # no quiet vintages here
    assert "On 1 April 2017 (STP 2017), 1 of 2 councils was not aligned with their home STPs, " \
           "400 residents living outside them: Birmingham." in story


def _proposal(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["code", "proposed_code", "proposed_name"])


def test_a_proposal_moving_an_lsoa_splits_the_council_again() -> None:
    proposal = stpgeo.Proposal(_proposal([(case.BLOCKS[3], case.G2, "NHS Black Country ICB")]),
                               name="b4_to_g2", source="hand-made")
    result = _timeline(england=True, proposals=[proposal])
    vintage = result.vintage("b4_to_g2")
    assert (vintage.level, vintage.proposal, vintage.title) == (
        "icb", "hand-made", "proposal b4_to_g2 (ICBs, on ICB22)")
    row = result.timeline.set_index(["vintage", "council_code"]).loc[("b4_to_g2", case.C1)]
    assert (row["population_outside_home"], row["aligned"], row["n_wards_split"]) == (
        400, False, 1)
    moved = result.moves[result.moves["to_vintage"] == "b4_to_g2"]
    assert moved[["from_vintage", "direction", "from_footprint", "to_footprint", "population",
                  "ward_codes"]].values.tolist() == [
        ["ICB22", "out_of_home", case.G1, case.G2, 400, case.W2]]
    assert "Under the proposal b4_to_g2, 400 of Birmingham's 1,000 residents would live " \
           "outside its home ICB, NHS Birmingham and Solihull ICB (1 ward: W2)." in " ".join(
               result.findings())


def test_a_proposal_merging_footprints_and_its_precedence() -> None:
    merged = _timeline(england=True, proposals=[stpgeo.Proposal(_proposal(
        [(case.G1, "P01", "Merged"), (case.G2, "P01", "Merged")]), name="merged",
        source="x")])
    rows = merged.timeline[merged.timeline["vintage"] == "merged"]
    assert rows["home_footprint_codes"].tolist() == ["P01", "P01"]
    assert rows["aligned"].all()
    # an LSOA's row wins over its council's
    precise = _timeline(proposals=[stpgeo.Proposal(_proposal(
        [(case.C1, "P1", "One"), (case.BLOCKS[3], "P2", "Two")]), name="precise",
        source="x")])
    footprints = precise.state.maps["precise"].footprints
    assert footprints.tolist() == ["P1", "P1", "P1", "P2", case.G2, case.G2]


@pytest.mark.parametrize(("rows", "message"), [
    ([(case.G1, "P1", "One"), (case.G1, "P2", "Two")], "1 codes are given two proposed"),
    ([(case.G1, "P1", "One"), (case.G2, "P1", "Uno")], "1 proposed codes are given two names"),
    ([("E54000999", "P1", "One"), (case.W1, "P1", "One")],
     "2 codes of the proposal are not LSOAs, councils, sub-ICB locations or ICBs of ICB 2022"),
], ids=["two-targets", "two-names", "unknown-codes"])
def test_proposal_refusals(rows: list[tuple[str, str, str]], message: str) -> None:
    with pytest.raises(StpgeoError, match=message) as raised:
        _timeline(proposals=[stpgeo.Proposal(_proposal(rows), name="p", source="p.csv")])
    assert raised.value.source == "p.csv"


def test_proposal_files_are_checked_before_the_work(tmp_path: Path) -> None:
    path = tmp_path / "merge.csv"
    path.write_text("code,proposed_code\nE54000055,P1\n", encoding="utf-8")
    with pytest.raises(StpgeoError, match="no proposed_name column; its columns are: code, "
                                          "proposed_code"):
        stpgeo.read_proposal(path)
    path.write_text("code,proposed_code,proposed_name\nE54000055,P1,One\n,P1,One\n"
                    "E54000062,,One\n", encoding="utf-8")
    with pytest.raises(StpgeoError, match=r"rows 3, 4 have an empty cell"):
        stpgeo.read_proposal(path)
    path.write_text("Code,Proposed_Code,Proposed_Name\ne54000055,P1, One \n", encoding="utf-8")
    read = stpgeo.read_proposal(path)
    assert (read.name, read.table.values.tolist()) == ("merge", [["E54000055", "P1", "One"]])


def test_proposal_names_and_bases_are_checked() -> None:
    icbs = _proposal([(case.G1, "P1", "One")])
    with pytest.raises(StpgeoError, match="must differ from each other and from the vintages"):
        _timeline(proposals=[stpgeo.Proposal(icbs, name="icb22", source="x")])
    with pytest.raises(StpgeoError, match=r"latest ICB map, which is not among"):
        _timeline(vintages=case.VINTAGES[:1], proposals=[stpgeo.Proposal(icbs, name="p",
                                                                          source="x")])
    with pytest.raises(StpgeoError, match="changes STP99, which is not among"):
        _timeline(proposals=[stpgeo.Proposal(icbs, name="p", source="x", base="STP99")])


def test_unknown_councils_are_refused_with_close_names() -> None:
    with pytest.raises(StpgeoError, match="no council 'Birmingam'") as raised:
        _timeline("Birmingam")
    assert "close names: Birmingham" in str(raised.value.fix)
    assert _timeline("e08000025").councils == [case.C1]  # codes in any case


def test_the_folder_holds_the_tables_the_chart_and_the_page(tmp_path: Path,
                                                            england: Timeline) -> None:
    out = england.write(tmp_path / "timeline")
    assert {p.name for p in out.iterdir()} == {
        "timeline.csv", "ward_timeline.csv", "changes.csv", "trend.csv", "moves.csv",
        "deprivation.csv", "vintages.csv", "summary.json", "trend.png", "timeline.html"}
    read = pd.read_csv(out / "changes.csv", dtype=str)
    assert list(read.columns) == ["ward_code", "ward_name", "council_code", "from_vintage",
                                  "to_vintage", "from_footprint", "to_footprint", "from_verdict",
                                  "to_verdict", "population", "from_footprint_name",
                                  "to_footprint_name", "from_ward_code", "from_ward_name"]
    vintages = pd.read_csv(out / "vintages.csv", dtype=str, keep_default_na=False)
    assert vintages["vintage"].tolist() == ["CCG17", "STP17", "ICB22"]
    assert set(vintages["generation"]) == {"lsoa11"}
    assert set(vintages["reconstructed"]) == {"False"}
    html = (out / "timeline.html").read_text(encoding="utf-8")
    assert "http://" not in html.replace("http://www.w3.org", "")
    assert 'data-vintage="ICB22"' in html
    assert "src=\"data:image/png;base64," in html



def test_vintages_showing_the_same_thing_share_one_drawing(tmp_path: Path) -> None:
    # CCG17 and STP17 cut the blocks the same way (F1 = S1 = b1 b2 b3) with the same
    # verdicts; ICB22 does not (G1 = b1..b4): two drawings for three maps, each headed
    html = (_timeline().write(tmp_path / "timeline") / "timeline.html").read_text(
        encoding="utf-8")
    maps = html[html.index('<section id="maps">'):]
    maps = maps[:maps.index("</section>")]
    images = re.findall(r'<figure data-vintage="(\w+)">\s*<p class="map-title">([^<]*)</p>'
                        r'\s*<img alt="[^"]*" src="([^"]+)"', maps)
    assert [(v, h) for v, h, _ in images] == [("CCG17", "CCG 2017 · 1 April 2017"),
                                            ("STP17", "STP 2017 · 1 April 2017"),
                                            ("ICB22", "ICB 2022 · 1 July 2022")]
    drawings = [src for _, _, src in images]
    assert drawings[0] == drawings[1] != drawings[2]
