"""Footprints made of whole blocks: the wards' pieces summed from the ward × block table.

Hand-made: the grid of ``test_analysis_blocks`` (blocks b1..b9, wards WA and WB, STPs
F1 = x 0..3 km and F2 = x 3..5 km), with the footprints built from the blocks by
``build_footprints`` and a block → STP lookup. Each way of taking (or refusing) the
blocks route is checked, and every table must equal the overlay's.

Real data: the West Midlands' wards against the STPs and CCGs of 2017 built from the
cleaned LSOAs — every table equal to the one computed without the cache and without
the shortcut (the Acceptance of issue 16; ``python -m benchmarks`` checks England).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from benchmarks.same import same_analyses
from stpgeo.analysis import pipeline
from stpgeo.analysis.pipeline import analyse_many
from stpgeo.analysis.result import Analysis
from stpgeo.analysis.whole_blocks import Route
from stpgeo.engine.footprints import build_footprints, clean_coverage
from stpgeo.io.layer import Layer
from stpgeo.io.lookups import read_lookup

from .shapes import rect
from .test_analysis_blocks import BLOCKS, RESIDENTS, _block_councils, _blocks, _wards

F1, F2 = "E54000017", "E54000016"
STP_LOOKUP = pd.DataFrame({"LSOA11CD": BLOCKS,
                           "STP17CD": [F1, F1, F1, F2, F1, F1, F1, F2, F2],
                           "STP17NM": ["F1"] * 3 + ["F2"] + ["F1"] * 3 + ["F2"] * 2})
WEST_MIDLANDS = ("E08000025", "E08000026", "E08000027", "E08000028", "E08000029",
                 "E08000030", "E08000031")


def _forced_overlay(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every layer take the overlay route, as before the shortcut existed."""
    monkeypatch.setattr(pipeline, "built_route", lambda *_: None)
    monkeypatch.setattr(pipeline, "lookup_route", lambda *_: Route("overlay", "forced"))


def assert_same_analysis(ours: Analysis, theirs: Analysis) -> None:
    """Codes, verdicts, kinds and residents exactly; areas within a square metre (or 1e-6 of
    the ward's area), shares within 1e-6 (:func:`benchmarks.same.same_analyses`)."""
    assert same_analyses(ours, theirs, reference="the overlay").startswith("every table equal")


@pytest.fixture
def built() -> tuple[Layer, Layer]:
    """The clean blocks and the STPs built from them."""
    blocks = clean_coverage(_blocks(), cache=False)
    return blocks, build_footprints(blocks, STP_LOOKUP, by="STP17CD", population=RESIDENTS,
                                    cache=False)


def _run(blocks: Layer, footprints: Layer, *, lookup: bool = True) -> Analysis:
    return analyse_many(_wards(), {"stp": footprints}, councils=_block_councils(),
                        blocks=blocks, population=RESIDENTS, cache=False,
                        block_footprints=STP_LOOKUP if lookup else None)["stp"]


def test_footprints_built_from_the_run_blocks_are_summed_from_them(
        built: tuple[Layer, Layer], monkeypatch: pytest.MonkeyPatch) -> None:
    blocks, footprints = built
    ours = _run(blocks, footprints, lookup=False)
    route = ours.summary["ward_footprint_overlaps"]
    assert route["method"] == "blocks"
    assert route["why"] == "built from the run's blocks"
    assert route["largest_difference_m2"] < 1e-6
    # WB (x 2..4 km) is split at x = 3 km: its pieces are cut; WA is wholly in F1
    pieces = ours.pieces_gdf.set_index(["ward_code", "footprint_code"]).geometry
    assert pieces[("E05000001", F1)].equals(_wards().gdf.geometry.iloc[0])
    assert pieces[("E05000002", F2)].area == pytest.approx(1_000 * 2_000)
    _forced_overlay(monkeypatch)
    assert_same_analysis(ours, _run(blocks, footprints, lookup=False))


def test_footprints_a_block_lookup_defines_exactly_take_the_blocks_route(
        built: tuple[Layer, Layer], monkeypatch: pytest.MonkeyPatch) -> None:
    blocks, footprints = built
    from_file = Layer(footprints.gdf.copy(), source="stp.gpkg", kind="stp")  # not built here
    ours = _run(blocks, from_file)
    route = ours.summary["ward_footprint_overlaps"]
    assert route["method"] == "blocks"
    assert route["why"].startswith("defined by the block-footprint lookup")
    _forced_overlay(monkeypatch)
    assert_same_analysis(ours, _run(blocks, from_file))


def test_footprints_not_made_of_the_blocks_are_overlaid(built: tuple[Layer, Layer]) -> None:
    blocks, footprints = built
    # moved 10 m after the build: neither the build nor the lookup describes it any more
    moved = footprints.gdf.copy()
    moved.geometry = moved.translate(10, 0)
    route = _run(blocks, replace(footprints, gdf=moved)).summary["ward_footprint_overlaps"]
    assert route["method"] == "overlay"
    assert "differs from its blocks by" in route["why"]
    # without a lookup nothing says what they are made of
    route = _run(blocks, replace(footprints, gdf=moved), lookup=False).summary[
        "ward_footprint_overlaps"]
    assert route == {"method": "overlay", "why": "the footprints were not built from the run's "
                     "blocks and no block-footprint lookup was given"}
    # blocks that are not a clean coverage could overlap: their pieces would count twice
    route = _run(_blocks(), footprints).summary["ward_footprint_overlaps"]
    assert route["method"] == "overlay"
    assert "not a clean coverage" in route["why"]


@pytest.mark.realdata
def test_the_west_midlands_tables_equal_those_without_cache_or_shortcut(
        clean_lsoa: Layer, wards_2013: Layer, lookup_143: Path, lookup_114: Path,
        population: pd.Series, data: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    lookup = read_lookup(lookup_143)
    lookup = lookup[lookup["LAD17CD"].isin(WEST_MIDLANDS)]
    blocks = replace(clean_lsoa, gdf=clean_lsoa.gdf[clean_lsoa.gdf["code"].isin(
        set(lookup["LSOA11CD"]))])
    wards_lookup = read_lookup(data / "lookups/032_WD16_LAD16_UK_LU.csv")
    in_area = set(wards_lookup.loc[wards_lookup["LAD16CD"].isin(WEST_MIDLANDS), "WD16CD"])
    wards = replace(wards_2013, gdf=wards_2013.gdf[wards_2013.gdf["code"].isin(in_area)])
    footprints = {name: build_footprints(blocks, lookup, by=by, population=population,
                                         cache=False)
                  for name, by in (("stp17", "STP17CD"), ("ccg17", "CCG17CD"))}
    options = {"councils": lookup, "blocks": blocks, "population": population,
               "block_wards": lookup_114, "block_footprints": lookup}
    monkeypatch.setenv("STPGEO_CACHE_DIR", str(tmp_path / "cache"))
    cold = analyse_many(wards, footprints, **options)
    warm = analyse_many(wards, footprints, **options)
    assert all(a.summary["cache"]["entries_made"] == 0 for a in warm.values())
    _forced_overlay(monkeypatch)
    plain = analyse_many(wards, footprints, **options, cache=False)
    for name in footprints:
        assert len(warm[name].ward_verdicts) == len(in_area & set(wards_2013.gdf["code"]))
        assert warm[name].summary["ward_footprint_overlaps"]["method"] == "blocks"
        assert plain[name].summary["ward_footprint_overlaps"]["method"] == "overlay"
        assert_same_analysis(warm[name], plain[name])
        assert_same_analysis(cold[name], warm[name])


def _files(folder: Path) -> dict[str, Path]:
    """The hand-made grid as the files a planner gives the CLI."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {"blocks": folder / "blocks.gpkg", "wards": folder / "wards.gpkg",
             "lookup": folder / "lookup.csv", "councils": folder / "councils.csv",
             "population": folder / "population.csv"}
    _blocks().gdf.rename(columns={"code": "LSOA11CD", "name": "LSOA11NM"}).to_file(
        files["blocks"])
    _wards().gdf.rename(columns={"code": "WD13CD", "name": "WD13NM"}).to_file(files["wards"])
    STP_LOOKUP.to_csv(files["lookup"], index=False)
    _block_councils().to_csv(files["councils"], index=False)
    RESIDENTS.rename_axis("lsoa11_code").rename("total_population").reset_index().to_csv(
        files["population"], index=False)
    return files


def _analyse(files: dict[str, Path], footprints: Path, out: Path, *extra: str
             ) -> dict[str, object]:
    from stpgeo.cli import main

    assert main(["analyse", "--wards", str(files["wards"]), "--footprints", str(footprints),
                 "--blocks", str(files["blocks"]), "--population", str(files["population"]),
                 "--councils", str(files["councils"]), "--out", str(out), "-q", *extra]) == 0
    return Analysis.read(out).summary["ward_footprint_overlaps"]


def test_a_file_stpgeo_build_wrote_is_summed_from_the_blocks_by_stpgeo_analyse(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from stpgeo.cli import main

    monkeypatch.setenv("STPGEO_CACHE_DIR", str(tmp_path / "cache"))
    files = _files(tmp_path / "in")
    built = tmp_path / "stp.gpkg"
    assert main(["build", "--blocks", str(files["blocks"]), "--lookup", str(files["lookup"]),
                 "--by", "STP17CD", "--out", str(built), "-q"]) == 0
    # no block-footprint lookup: only the record of the build says what the file is made of
    route = _analyse(files, built, tmp_path / "summed")
    assert (route["method"], route["why"]) == ("blocks", "built from the run's blocks")
    with monkeypatch.context() as forced:
        _forced_overlay(forced)
        assert _analyse(files, built, tmp_path / "overlaid")["method"] == "overlay"
    assert_same_analysis(Analysis.read(tmp_path / "summed"), Analysis.read(tmp_path / "overlaid"))
    # without the cache nothing records the build; a file changed since is another file
    assert _analyse(files, built, tmp_path / "no-cache", "--no-cache")["method"] == "overlay"
    changed = gpd.read_file(built)
    changed.geometry = changed.translate(10, 0)
    changed.to_file(built)
    assert _analyse(files, built, tmp_path / "changed")["method"] == "overlay"



def test_the_area_outside_footprints_stpgeo_build_wrote_comes_from_their_coverage_union(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Footprints a build dissolved from clean blocks are a clean coverage: the conservation
    check unions them as one (quick), and finds what the overlay union finds."""
    from stpgeo.cli import main
    from stpgeo.engine import conservation

    monkeypatch.setenv("STPGEO_CACHE_DIR", str(tmp_path / "cache"))
    files = _files(tmp_path / "in")
    wards = gpd.read_file(files["wards"])  # WB reaches 500 m north of the blocks: 1 km²
    wards.loc[wards["WD13NM"] == "WB", "geometry"] = rect(2_000, 0, 4_000, 2_500)
    wards.to_file(files["wards"])
    built = tmp_path / "stp.gpkg"
    assert main(["build", "--blocks", str(files["blocks"]), "--lookup", str(files["lookup"]),
                 "--by", "STP17CD", "--out", str(built), "-q"]) == 0
    calls = []
    real = conservation.outside_area

    def spy(wards: np.ndarray, footprints: np.ndarray, *, coverage: bool = False
            ) -> np.ndarray:
        found = real(wards, footprints, coverage=coverage)
        calls.append((coverage, found, real(wards, footprints, coverage=False)))
        return found

    monkeypatch.setattr(conservation, "outside_area", spy)
    _analyse(files, built, tmp_path / "out")
    [(coverage, found, by_overlay_union)] = calls
    assert coverage
    assert found.tolist() == pytest.approx([0, 1e6])
    assert found.tolist() == pytest.approx(by_overlay_union.tolist(), abs=1e-6)
