"""GP practices: read, placed by their coordinates, their CCG matched to the footprints.

The grid of tests/test_analysis_blocks.py (C1 = Birmingham's blocks b1..b8, C2 = b9; F1 =
x 0..3 km is C1's home, F2 = x 3..5 km). The CCG lookup: 13P is E38000220 in F1, 05L is
E38000144 in F2. The practices, worked out on paper:

=======  ==================  ======  ======  ==========================================
code     where               status  CCG     so
=======  ==================  ======  ======  ==========================================
M85001   b4 (x 3.5 km)       A, 4    05L     ward WB, Birmingham; F2 is not home: false
M85002   b1 (x 0.5 km)       A, 4    13P     ward WA, Birmingham; F1 is home: true
M85003   no coordinates      A, 4    05L     kept: no ward, no council, empty
M85004   b2                  C, 4    13P     closed: left out
Y00005   b2                  A, 0    13P     not a GP practice: left out
M85006   b9 (x 4.5 km)       A, 4    05L     no ward; council C2, whose home is F2: true
=======  ==================  ======  ======  ==========================================
"""

from __future__ import annotations

import io
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from stpgeo import StpgeoError
from stpgeo.analysis.pipeline import analyse
from stpgeo.io.practices import read_practices
from stpgeo.outputs.affected import practice_findings

from .refusals import refusal
from .shapes import X0, Y0
from .test_analysis_blocks import (
    C1,
    C2,
    RESIDENTS,
    WA,
    WB,
    _block_councils,
    _blocks,
    _footprints,
    _wards,
)

CCGS = pd.DataFrame({"CCG17CD": ["E38000220", "E38000144"], "CCG17CDH": ["13P", "05L"],
                     "CCG17NM": ["NHS Birmingham CrossCity CCG",
                                 "NHS Sandwell and West Birmingham CCG"],
                     "STP17CD": ["E54000017", "E54000016"]})
SITES = {"M85001": (3_500, 500), "M85002": (500, 500), "M85004": (1_500, 500),
         "Y00005": (1_600, 500), "M85006": (4_500, 500)}


def lat_lon(x: float, y: float) -> tuple[float, float]:
    """Latitude and longitude of a point of the grid (metres from its origin)."""
    point = gpd.GeoSeries([shapely.Point(X0 + x, Y0 + y)], crs=27700).to_crs(4326).iloc[0]
    return point.y, point.x


def practices_csv(**changes: dict[str, object]) -> str:
    rows = []
    for code, status, ccg, setting in (("M85001", "A", "05L", "4"), ("M85002", "A", "13P", "4"),
                                       ("M85003", "A", "05L", "4"), ("M85004", "C", "13P", "4"),
                                       ("Y00005", "A", "13P", "0"), ("M85006", "A", "05L", "4")):
        lat, lon = lat_lon(*SITES[code]) if code in SITES else ("", "")
        row = {"OrganisationCode": code, "Name": f"PRACTICE {code}", "StatusCode": status,
               "Provider": ccg, "PrescribingSetting": setting, "lat": lat, "long": lon}
        rows.append({**row, **changes.get(code, {})})
    return pd.DataFrame(rows).to_csv(index=False)


def _practices(text: str | None = None) -> pd.DataFrame:
    table = read_practices(io.StringIO(text or practices_csv()))
    table.attrs["source"] = "practices.csv"
    return table


def _result(**options: object):  # type: ignore[no-untyped-def]
    given = {"councils": _block_councils(), "blocks": _blocks(), "population": RESIDENTS,
             "practices": _practices(), "commissioners": CCGS, **options}
    return analyse(_wards(), _footprints(), **given)


def test_practices_are_placed_and_their_ccg_checked_as_worked_out_on_paper() -> None:
    result = _result()
    table = result.practices.set_index("practice_code")
    assert list(table.index) == ["M85001", "M85002", "M85003", "M85006"]
    assert table.loc["M85001", ["ward_code", "council_code", "block_code"]].tolist() == [
        WB, C1, "E01000004"]
    assert table.loc["M85001", "commissioner_name"] == "NHS Sandwell and West Birmingham CCG"
    assert table.loc["M85001", "commissioner_footprint_code"] == "E54000016"
    assert table["commissioner_is_home"].tolist()[:2] == [False, True]
    assert table.loc["M85002", "ward_code"] == WA
    # kept, though it cannot be placed
    assert pd.isna(table.loc["M85003", "commissioner_is_home"])
    assert pd.isna(table.loc["M85003", "council_code"])
    # b9's council, C2, has no analysed ward, but a home footprint: F2, its CCG's
    assert table.loc["M85006", "council_code"] == C2
    assert table.loc["M85006", "commissioner_is_home"] == True  # noqa: E712
    assert pd.isna(table.loc["M85006", "ward_code"])
    summary = result.summary["practices"]
    assert summary["left_out"] == {"closed": 1, "prescribing setting 0 (not a GP practice)": 1}
    assert summary["without_coordinates"] == 1
    assert any("1 of the 4 GP practices in practices.csv has no coordinates" in w
               and "M85003" in w for w in result.summary["warnings"])


def test_findings_count_the_practices_of_other_ccgs() -> None:
    assert practice_findings(_result(), "Birmingham") == [
        "1 GP practice in Birmingham is a member of NHS Sandwell and West Birmingham CCG, in "
        "F2 rather than F1.",
        "1 of the 2 GP practices in Birmingham is a member of a CCG in F1."]


def test_against_ccgs_the_commissioner_is_the_footprint() -> None:
    ccgs = gpd.GeoDataFrame({"code": ["E38000220", "E38000144"],
                             "name": ["NHS Birmingham CrossCity CCG",
                                      "NHS Sandwell and West Birmingham CCG"]},
                            geometry=_footprints().gdf.geometry.values, crs=27700)
    result = analyse(_wards(), ccgs, councils=_block_councils(), blocks=_blocks(),
                     population=RESIDENTS, practices=_practices(), commissioners=CCGS)
    table = result.practices.set_index("practice_code")
    assert table.loc["M85001", "commissioner_footprint_code"] == "E38000144"
    assert table.loc["M85001", "commissioner_is_home"] == False  # noqa: E712
    assert practice_findings(result, "Birmingham")[0] == (
        "1 GP practice in Birmingham is a member of NHS Sandwell and West Birmingham CCG, not "
        "of NHS Birmingham CrossCity CCG.")


def test_the_block_footprint_lookup_serves_for_the_commissioners() -> None:
    lookup = pd.DataFrame({"LSOA11CD": _blocks().gdf["code"],
                           "CCG17CDH": ["13P", "13P", "13P", "05L", "13P", "13P", "13P", "05L",
                                        "05L"],
                           "CCG17CD": ["E38000220"] * 3 + ["E38000144"] + ["E38000220"] * 3
                           + ["E38000144"] * 2,
                           "STP17CD": ["E54000017"] * 3 + ["E54000016"] + ["E54000017"] * 3
                           + ["E54000016"] * 2})
    result = _result(commissioners=None, block_footprints=lookup)
    assert result.practices["commissioner_is_home"].tolist()[:2] == [False, True]
    assert result.summary["practices"]["lookup"]["ods_column"] == "CCG17CDH"


def test_without_blocks_practices_are_placed_in_wards() -> None:
    councils = pd.DataFrame({"WD16CD": [WA, WB], "LAD16CD": [C1, C1],
                             "LAD16NM": ["Birmingham"] * 2})
    result = analyse(_wards(), _footprints(), councils=councils, practices=_practices(),
                     commissioners=CCGS)
    table = result.practices.set_index("practice_code")
    assert table.loc["M85001", "ward_code"] == WB
    assert table.loc["M85001", "council_code"] == C1
    assert table["block_code"].isna().all()
    assert pd.isna(table.loc["M85006", "ward_code"])  # x 4.5 km: in no ward
    assert result.summary["practices"]["outside"] == 1


@pytest.mark.parametrize(("changes", "says"), [
    ({code: {"Provider": "Q99"} for code in ("M85001", "M85002", "M85003", "M85006")},
     "4 of the 4 active GP practices have a commissioner code that is no CCG in"),
    ({code: {"lat": 51.5, "long": -0.1} for code in SITES}, "none of the 3 practices with "
     "coordinates lies in the blocks"),
    ({code: {"StatusCode": "C"} for code in ("M85001", "M85002", "M85003", "M85006")},
     "holds no active GP practice"),
])
def test_practices_that_do_not_fit_are_refused(changes: dict[str, dict[str, object]],
                                               says: str) -> None:
    with pytest.raises(StpgeoError, match=r"practices\.csv") as info:
        _result(practices=_practices(practices_csv(**changes)))
    assert says in str(info.value)


def test_a_few_unknown_commissioners_are_reported() -> None:
    result = _result(practices=_practices(practices_csv(M85006={"Provider": "Q99"})))
    table = result.practices.set_index("practice_code")
    assert pd.isna(table.loc["M85006", "commissioner_name"])
    assert result.summary["practices"]["examples_unknown"] == ["Q99"]
    assert any("have a commissioner that is not a CCG" in w for w in result.summary["warnings"])


def test_a_lookup_without_ods_codes_is_refused() -> None:
    with pytest.raises(StpgeoError, match="no lookup holds the CCGs' ODS codes"):
        _result(commissioners=CCGS.drop(columns="CCG17CDH"))


def test_the_headerless_epraccur_is_read() -> None:
    row = [""] * 27
    row[0], row[1], row[12], row[14], row[25] = "A81001", "THE DENSHAM SURGERY", "A", "00K", "4"
    table = read_practices(io.StringIO(",".join(row) + "\n"))
    assert table.loc[0, ["practice_code", "status", "commissioner_code", "setting"]].tolist() \
        == ["A81001", "A", "00K", "4"]
    assert not table.attrs["coordinates"]
    assert table["latitude"].isna().all()


@pytest.mark.parametrize(("text", "says"), [
    ("OrganisationCode,Name,StatusCode\nM85001,A,A\n", "no column for the commissioner code"),
    ("OrganisationCode,Name,Provider,lat\nM85001,A,05L,52.5\n",
     "has a latitude column ('lat') but no longitude"),
    ("OrganisationCode,Name,Provider,lat,long\nM85001,A,05L,north,-1.9\n",
     "1 practices have a 'lat' that is not a number: M85001='north'"),
    ("OrganisationCode,Name,Provider,lat,long\nM85001,A,05L,-1.9,52.5\n",
     "latitude and longitude are swapped"),
    ("OrganisationCode,Name,Provider,lat,long\nM85001,A,05L,48.85,2.35\n",
     "1 practices have coordinates outside England: M85001 (48.85, 2.35)"),
    ("OrganisationCode,Name,Provider\nM85001,A,05L\nM85001,B,05L\n",
     "1 practice codes appear more than once: M85001"),
])
def test_a_practices_file_of_the_wrong_shape_is_refused(tmp_path: Path, text: str,
                                                        says: str) -> None:
    assert says in refusal(read_practices, tmp_path / "epraccur.csv", text)
