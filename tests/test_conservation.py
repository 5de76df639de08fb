"""Conservation: every ward's area and residents add up, every ward and block counted once.

Hand-made cases have answers worked out on paper; the real-data test checks the
national analysis the demo runs (session fixture ``england``) against figures
taken from the inputs themselves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

import stpgeo
from stpgeo.analysis.pipeline import analyse
from stpgeo.engine.conservation import TILE_VERTICES, _tiles, check_conservation, outside_area
from stpgeo.io.layer import Layer

from .shapes import frame, rect, square
from .test_analysis_blocks import RESIDENTS, _block_councils, _blocks
from .test_analysis_blocks import _footprints as block_footprints
from .test_analysis_blocks import _wards as block_wards
from .test_analysis_handmade import _council_lookup, _footprints, _wards

F1, F2 = "E54000017", "E54000016"


def test_outside_area_on_paper() -> None:
    wards = np.array([
        square(0, 0),                                        # inside F1: 0
        rect(7_500, 0, 8_500, 1_000),                        # half beyond F2: 0.5 km²
        shapely.difference(rect(0, 0, 3_000, 3_000), rect(1_000, 1_000, 2_000, 2_000)),
        rect(20_000, 0, 21_000, 1_000),                      # far away: all of it
    ], dtype=object)
    footprints = np.array([rect(0, 0, 4_000, 4_000), rect(4_000, 0, 8_000, 4_000)],
                          dtype=object)
    assert outside_area(wards, footprints).tolist() == pytest.approx([0, 5e5, 0, 1e6])


def test_overlapping_footprints_are_counted_once_in_the_union() -> None:
    ward = np.array([rect(0, 0, 2_000, 1_000)], dtype=object)
    footprints = np.array([rect(0, 0, 1_500, 1_000), rect(500, 0, 1_800, 1_000)],
                          dtype=object)
    assert outside_area(ward, footprints)[0] == pytest.approx(200 * 1_000)


def test_tiles_partition_a_detailed_union() -> None:
    # a disc with a hole, 8,000 vertices: cut into disjoint tiles that add up
    disc = shapely.Point(400_000, 280_000).buffer(5_000, quad_segs=2_000)
    ring = shapely.difference(disc, shapely.Point(401_000, 280_000).buffer(1_000))
    tiles = _tiles(ring)
    assert len(tiles) > 4
    assert max(shapely.get_num_coordinates(tiles)) <= TILE_VERTICES
    assert shapely.area(tiles).sum() == pytest.approx(ring.area, rel=1e-12)
    assert shapely.union_all(tiles).area == pytest.approx(ring.area, rel=1e-12)  # disjoint
    coastal = np.array([shapely.box(404_000, 279_000, 406_000, 281_000)], dtype=object)
    expected = coastal[0].area - coastal[0].intersection(ring).area
    assert outside_area(coastal, np.array([ring], dtype=object))[0] == pytest.approx(expected)


def test_conservation_holds_on_the_hand_made_analysis() -> None:
    result = analyse(_wards(), _footprints(), councils=_council_lookup())
    report = result.summary["conservation"]
    assert report["holds"]
    # 9 wards, 12.16 km² in all; W5 (1 km², east of F2) lies outside every footprint
    assert report["area"]["wards_checked"] == 9
    assert report["area"]["ward_area_m2"] == pytest.approx(12.16e6)
    assert report["area"]["area_outside_footprints_m2"] == pytest.approx(1e6)
    assert report["area"]["area_over_footprints_m2"] == pytest.approx(11.16e6)
    assert report["wards"] == {"input_wards": 9, "verdict_rows": 9, "missing": [],
                               "repeated": [], "pieces_repeated": 0, "holds": True}
    assert report["residents"] is None
    assert report["blocks"] is None


def test_overlapping_footprints_are_reported_not_hidden() -> None:
    # F1 reaches 500 m into F2: W2 (x 3..5 km) has 0.5 km² in both, W4 (x 3.96..4.96 km)
    # 0.5 km² as well; together 1 km² counted twice
    overlapping = Layer(frame([F1, F2], [rect(0, 0, 4_500, 4_000), rect(4_000, 0, 8_000, 4_000)]),
                        source="overlapping", kind="stp")
    result = analyse(_wards(), overlapping, councils=_council_lookup())
    area = result.summary["conservation"]["area"]
    assert not area["holds"]
    assert not result.summary["conservation"]["holds"]
    assert area["wards_double_counted"] == 2
    assert area["double_counted_m2"] == pytest.approx(1e6)
    assert sorted(area["examples"]) == ["E05000002", "E05000004"]
    assert any(w.startswith("footprints overlap each other: in 2 wards 1,000,000 m²")
               for w in result.summary["warnings"])
    shares = result.ward_footprints.groupby("ward_code")["area_share"].sum()
    assert shares["E05000002"] == pytest.approx(1.25)  # 2.5 km² of pieces in a 2 km² ward


def test_a_lost_piece_fails_the_check() -> None:
    # the check is not vacuous: drop one piece and it notices
    result = analyse(_wards(), _footprints(), councils=_council_lookup())
    pieces = result.ward_footprints
    lost = pieces[~((pieces["ward_code"] == "E05000002") & (pieces["footprint_code"] == F2))]
    report = check_conservation(_wards(), _footprints(), lost, result.ward_verdicts)
    assert not report["area"]["holds"]
    assert report["area"]["examples"] == ["E05000002"]
    assert report["area"]["wards_double_counted"] == 0
    dropped = result.ward_verdicts.iloc[1:]
    assert check_conservation(_wards(), _footprints(), pieces, dropped)["wards"]["missing"] == [
        "E05000001"]


def test_residents_and_blocks_conservation() -> None:
    result = analyse(block_wards(), block_footprints(), councils=_block_councils(),
                     blocks=_blocks(), population=RESIDENTS)
    report = result.summary["conservation"]
    assert report["holds"]
    assert report["residents"]["ward_residents"] == 3_600  # b1..b8
    assert report["residents"]["residents_over_footprints"] == 3_600
    assert report["blocks"]["residents"] == 8_600
    assert report["blocks"]["residents_in_no_ward"] == 5_000  # b9
    assert report["blocks"]["residents_in_footprints"] == 8_600


def test_a_block_without_polygon_is_counted_as_such() -> None:
    blocks = _blocks()
    gdf = blocks.gdf.copy()
    gdf.loc[gdf["code"] == "E01000009", "geometry"] = None
    result = analyse(block_wards(), block_footprints(), councils=_block_councils(),
                     blocks=Layer(gdf, source="blocks", kind="lsoa"), population=RESIDENTS)
    blocks_report = result.summary["conservation"]["blocks"]
    assert blocks_report["residents_in_blocks_without_polygon"] == 5_000
    assert blocks_report["residents"] == 8_600
    assert blocks_report["holds"]


@pytest.mark.realdata
@pytest.mark.parametrize("name", ["stp17", "ccg17"])
def test_national_run_conserves_area_residents_wards_and_blocks(
        england: dict[str, stpgeo.analysis.result.Analysis], wards_2013: Layer, clean_lsoa: Layer,
        population: pd.Series, name: str) -> None:
    """The demo's analyses: conservation holds, with figures checked against the inputs."""
    report = england[name].summary["conservation"]
    assert report["holds"], report
    area = report["area"]
    assert area["wards_checked"] == 7_681
    assert area["ward_area_m2"] == pytest.approx(wards_2013.gdf.area.sum(), rel=1e-12)
    assert area["largest_relative_gap"] < 1e-6
    assert area["wards_double_counted"] == 0
    # the wards file and the LSOA file are generalised differently along the coast:
    # some area is outside every footprint, but little of it
    assert 0 < area["area_outside_footprints_m2"] < 1e-3 * area["ward_area_m2"]
    england_residents = int(population.reindex(clean_lsoa.gdf["code"]).sum())
    assert report["blocks"]["residents"] == england_residents
    assert report["blocks"]["blocks"] == len(clean_lsoa)
    assert (report["residents"]["ward_residents"] + report["blocks"]["residents_in_no_ward"]
            == england_residents)
    assert report["wards"]["verdict_rows"] == 7_681
    assert report["wards"]["holds"]
    assert england[name].summary["timings_s"][f"checking conservation ({name})"] < 10
