"""Building footprints from hand-made blocks whose unions are known exactly."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import shapely

from stpgeo import Layer, StpgeoError
from stpgeo.engine.footprints import build_footprints

from .shapes import frame, rect, square


def _blocks() -> Layer:
    # a 3 x 2 grid of 1 km squares; the middle column's shared edges carry extra
    # vertices its neighbours lack, and one block overlaps its neighbour by 1 mm
    blocks = frame(
        ["E01000001", "E01000002", "E01000003", "E01000004", "E01000005", "E01000006"],
        [square(0, 0), shapely.segmentize(square(1_000, 0), 250),
         rect(2_000 - 0.001, 0, 3_000, 1_000),
         square(0, 1_000), square(1_000, 1_000), square(2_000, 1_000)])
    return Layer(blocks, source="grid")


def _lookup(tmp_path: Path) -> Path:
    path = tmp_path / "lookup.csv"
    pd.DataFrame({
        "LSOA11CD": ["E01000001", "E01000002", "E01000003", "E01000004", "E01000005",
                     "E01000009"],
        "STP17CD": ["E54000016", "E54000016", "E54000017", "E54000016", "E54000017",
                    "E54000017"],
        "STP17NM": ["The Black Country", "The Black Country", "Birmingham and Solihull",
                    "The Black Country", "Birmingham and Solihull", "Birmingham and Solihull"],
    }).to_csv(path, index=False)
    return path


def test_build_dissolves_blocks_exactly_and_reports_strays(tmp_path: Path) -> None:
    population = pd.Series([100, 200, 300, 400, 500, 600],
                           index=[f"E0100000{i}" for i in range(1, 7)])
    built = build_footprints(_blocks(), _lookup(tmp_path), by="STP17CD", population=population)
    frame_ = built.gdf.set_index("code")
    assert frame_.index.tolist() == ["E54000016", "E54000017"]
    assert frame_["name"].tolist() == ["The Black Country", "Birmingham and Solihull"]
    assert frame_["n_blocks"].tolist() == [3, 2]
    assert frame_["population"].tolist() == [100 + 200 + 400, 300 + 500]
    # The Black Country is an L of three squares: one polygon of 3 km²
    black_country = frame_.geometry["E54000016"]
    assert black_country.geom_type == "Polygon"
    assert black_country.area == pytest.approx(3e6, rel=1e-9)
    expected = shapely.union_all([square(0, 0), square(1_000, 0), square(0, 1_000)])
    assert shapely.symmetric_difference(black_country, expected).area < 1e-3
    # Birmingham and Solihull: two squares touching at a corner only -> two parts
    bsol = frame_.geometry["E54000017"]
    assert shapely.get_num_geometries(bsol) == 2
    assert bsol.area == pytest.approx(2e6, rel=1e-6)
    assert frame_["blocks_area_m2"]["E54000017"] == pytest.approx(1e6 + 1e6 + 1_000 * 0.001)
    assert shapely.is_valid(built.gdf.geometry.values).all()
    # the block missing from the lookup and the lookup row without a block are reported
    problems = dict(zip(built.repairs["code"], built.repairs["problem"], strict=True))
    assert problems == {"E01000006": "block not in the lookup",
                        "E01000009": "lookup row with no block in the layer"}
    assert any("1 blocks are not in the lookup" in w for w in built.warnings)
    assert (built.kind, built.vintage) == ("stp", 2017)


def test_build_refuses_a_lookup_without_the_column(tmp_path: Path) -> None:
    with pytest.raises(StpgeoError, match=r"no lookup column field 'CCG17CD'.*STP17CD"):
        build_footprints(_blocks(), _lookup(tmp_path), by="CCG17CD")


def test_build_refuses_a_block_in_two_footprints(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    pd.DataFrame({"LSOA11CD": ["E01000001", "E01000001"],
                  "STP17CD": ["E54000016", "E54000017"]}).to_csv(path, index=False)
    with pytest.raises(StpgeoError, match=r"several STP17CD values for some LSOA11CD codes: "
                                          r"E01000001"):
        build_footprints(_blocks(), path, by="STP17CD")


def test_build_refuses_a_lookup_of_other_blocks(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    pd.DataFrame({"LSOA11CD": ["E01999999"], "STP17CD": ["E54000016"]}).to_csv(path, index=False)
    with pytest.raises(StpgeoError, match="no column of the lookup holds the codes of the layer"):
        build_footprints(_blocks(), path, by="STP17CD")

