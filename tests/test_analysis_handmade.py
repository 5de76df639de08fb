"""analyse() on hand-made wards and footprints whose answers are worked out on paper.

Footprints F1 = [0, 4000] × [0, 4000] and F2 = [4000, 8000] × [0, 4000] (16 km² each).
Council C1 (E08000025) and C2 (E08000028). Wards (1 km squares unless stated):

====  ======================================  =======  ===================================
ward  where                                   council  expected
====  ======================================  =======  ===================================
W1    [0,1000]² in F1                         C1       within
W2    x 3000..5000: half F1, half F2          C1       split (0.5 / 0.5)
W3    x 5000..6000, in F2                     C1       outside_home
W4    x 3960..4960: 4% F1, 96% F2             C2       within (the 4% piece is a sliver)
W5    x 8000..9000: touches F2 only           C1       no_footprint (touch-only pair dropped)
W6    multipolygon: one square in F1, one F2  C2       split
W7    2 km square with a 1 km hole, in F1     C1       within, area 3 km²
W8    the hole of W7                          C1       within
W9    in F1, missing from the council lookup  —        unknown_council
====  ======================================  =======  ===================================

Homes, by area (no population): C1 has 6 km² in F1 (W1 1, W2 1, W7 3, W8 1) and 2 km²
in F2 (W2 1, W3 1): home {F1}; F2's 16 km² are not mostly C1's. C2 has 1.04 km² in F1
and 1.96 km² in F2: home {F2}.
"""

from __future__ import annotations

import pandas as pd
import pytest
import shapely

from stpgeo import StpgeoError
from stpgeo.analysis.pipeline import analyse
from stpgeo.io.layer import Layer

from .shapes import frame, rect, square

C1, C2 = "E08000025", "E08000028"
F1, F2 = "E54000017", "E54000016"


def _wards() -> Layer:
    w7 = shapely.difference(rect(1_000, 2_000, 3_000, 4_000), rect(1_500, 2_500, 2_500, 3_500))
    geometries = [
        square(0, 0), rect(3_000, 0, 5_000, 1_000), square(5_000, 0), square(3_960, 1_000),
        square(8_000, 0), shapely.MultiPolygon([square(0, 1_000), square(7_000, 2_000)]),
        w7, rect(1_500, 2_500, 2_500, 3_500), square(500, 1_000, 400)]
    codes = [f"E0500000{i}" for i in range(1, 10)]
    return Layer(frame(codes, geometries, names=[f"W{i}" for i in range(1, 10)]),
                 source="hand-made wards", kind="ward")


def _footprints() -> Layer:
    return Layer(frame([F1, F2], [rect(0, 0, 4_000, 4_000), rect(4_000, 0, 8_000, 4_000)],
                       names=["Birmingham and Solihull", "The Black Country"]),
                 source="hand-made footprints", kind="stp")


def _council_lookup() -> pd.DataFrame:
    return pd.DataFrame({"WD16CD": [f"E0500000{i}" for i in range(1, 9)],
                         "LAD16CD": [C1, C1, C1, C2, C1, C2, C1, C1],
                         "LAD16NM": ["Birmingham"] * 3 + ["Sandwell"] + ["Birmingham"]
                         + ["Sandwell"] + ["Birmingham"] * 2})


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return analyse(_wards(), _footprints(), councils=_council_lookup())


def test_every_verdict(result) -> None:  # type: ignore[no-untyped-def]
    verdicts = result.ward_verdicts.set_index("ward_name")["verdict"].to_dict()
    assert verdicts == {"W1": "within", "W2": "split", "W3": "outside_home", "W4": "within",
                        "W5": "no_footprint", "W6": "split", "W7": "within", "W8": "within",
                        "W9": "unknown_council"}


def test_pieces_areas_shares_and_kinds(result) -> None:  # type: ignore[no-untyped-def]
    pieces = result.ward_footprints.set_index(["ward_name", "footprint_code"])
    assert pieces.loc[("W2", F1), "area_m2"] == pytest.approx(1e6)
    assert pieces.loc[("W2", F2), "area_share"] == pytest.approx(0.5)
    assert pieces.loc[("W4", F1), "area_share"] == pytest.approx(0.04)
    assert pieces.loc[("W4", F1), "kind"] == "sliver"
    assert pieces.loc[("W4", F2), "kind"] == "split"
    assert pieces.loc[("W7", F1), "area_m2"] == pytest.approx(3e6)
    assert pieces.loc[("W6", F1), "area_share"] == pytest.approx(0.5)
    # W5 only touches F2: no piece at all; population columns are empty without blocks
    assert "W5" not in pieces.index.get_level_values(0)
    assert result.ward_footprints["population"].isna().all()
    assert (result.ward_footprints["confidence"] == "").all()


def test_homes_and_council_table(result) -> None:  # type: ignore[no-untyped-def]
    councils = result.councils.set_index("council_code")
    assert councils.loc[C1, "home_footprint_codes"] == F1
    assert councils.loc[C2, "home_footprint_codes"] == F2
    assert councils.loc[C1, ["n_wards", "n_wards_outside_home", "n_wards_split"]].tolist() == [
        6, 1, 1]
    assert councils.loc[C2, ["n_wards", "n_wards_outside_home", "n_wards_split"]].tolist() == [
        2, 0, 1]
    assert councils.loc[C1, "footprint_codes"] == f"{F2};{F1}"
    assert councils.loc[C1, "council_name"] == "Birmingham"
    assert pd.isna(councils.loc[C1, "population_outside_home"])


def test_footprint_table(result) -> None:  # type: ignore[no-untyped-def]
    footprints = result.footprints.set_index("footprint_code")
    assert footprints.loc[F1, "councils_whole"] == ""
    assert footprints.loc[F1, "councils_partial"] == f"{C1};{C2}"
    assert footprints.loc[F2, "councils_partial"] == f"{C1};{C2}"


def test_best_fit_and_homes_in_verdict_table(result) -> None:  # type: ignore[no-untyped-def]
    table = result.ward_verdicts.set_index("ward_name")
    assert table.loc["W3", "best_footprint_code"] == F2
    assert table.loc["W3", "best_footprint_name"] == "The Black Country"
    assert table.loc["W4", "best_area_share"] == pytest.approx(0.96)
    assert table.loc["W1", "home_footprint_codes"] == F1
    assert table.loc["W9", "council_code"] == ""
    assert result.summary["counts"]["verdicts"]["unknown_council"] == 1
    assert result.summary["slivers"]["pieces"] == 1


def test_tolerance_changes_what_is_a_sliver() -> None:
    strict = analyse(_wards(), _footprints(), councils=_council_lookup(), tolerance=0.03)
    assert strict.ward_verdicts.set_index("ward_name")["verdict"]["W4"] == "split"


def test_councils_layer_is_its_own_council() -> None:
    # councils × footprints: C1 is the union of its wards here, C2 one square
    councils = Layer(frame([C1, C2], [rect(0, 0, 3_000, 1_000), square(5_000, 0)],
                           names=["Birmingham", "Sandwell"]), source="councils", kind="council")
    result = analyse(councils, _footprints())
    verdicts = result.ward_verdicts.set_index("ward_code")
    assert verdicts.loc[C1, "verdict"] == "within"
    assert verdicts.loc[C2, "verdict"] == "within"
    assert verdicts.loc[C2, "home_footprint_codes"] == F2


def test_duplicate_ward_codes_are_refused() -> None:
    wards = _wards()
    wards.gdf.loc[1, "code"] = wards.gdf.loc[0, "code"]
    with pytest.raises(StpgeoError, match=r"1 wards codes appear more than once: E05000001"):
        analyse(wards, _footprints())


def test_layers_that_do_not_overlap_are_refused() -> None:
    far = Layer(frame([F1], [square(100_000, 100_000)]), source="far", kind="stp")
    with pytest.raises(StpgeoError, match="do not overlap at all"):
        analyse(_wards(), far)


def test_result_round_trips_through_its_folder(result, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from stpgeo.analysis.result import Analysis

    result.write(tmp_path / "out")
    back = Analysis.read(tmp_path / "out")
    pd.testing.assert_frame_equal(back.ward_verdicts.drop(columns=["best_population_share"]),
                                  result.ward_verdicts.drop(columns=["best_population_share"]),
                                  check_dtype=False)
    assert back.wards_gdf.crs.to_epsg() == 27700
    assert set(back.pieces_gdf["kind"]) == {"split", "sliver"}
    assert back.summary["counts"] == result.summary["counts"]


def test_blank_text_columns_read_back_as_text(result, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # without blocks every confidence is blank: it must come back as "", not NaN
    from stpgeo.analysis.result import Analysis

    result.write(tmp_path / "out")
    back = Analysis.read(tmp_path / "out")
    assert (back.ward_footprints["confidence"] == "").all()
    assert back.ward_footprints["area_share"].dtype == "float64"
    assert back.ward_footprints["population"].isna().all()
