"""The benchmark code paths, once, on the West Midlands (timings are never asserted).

``make bench`` runs the same comparisons on all of England; here each must find
stpgeo and the reference in agreement, and the equality checks must be able to fail.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
import shapely

from benchmarks.__main__ import STEPS, main, run
from benchmarks.same import MismatchError, same_analyses, same_footprints, same_pairs
from stpgeo.analysis.result import Analysis

from .shapes import frame, rect, square

PAIRS = pd.MultiIndex.from_tuples([(0, 0), (0, 1), (1, 1)], names=["left_index", "right_index"])


@pytest.mark.realdata
def test_every_comparison_runs_and_agrees_on_the_west_midlands(data: Path) -> None:
    cache = os.environ["STPGEO_CACHE_DIR"]
    sections = run(data=data, area="west-midlands", repeats=1, steps=set(STEPS),
                   vintages="CCG15,STP17,ICB22")
    assert os.environ["STPGEO_CACHE_DIR"] == cache  # the benchmark's own cache is gone
    titles = [s.title for s in sections]
    assert titles[:6] == ["build STP17CD footprints",
                          "overlap wards × STP17 built by stpgeo.build_footprints",
                          "overlap wards × STP17 built by geopandas.dissolve",
                          "overlap wards × LSOAs", "timeline over the default vintages",
                          "growth with the work"]
    checks = [c for s in sections[:4] for c in s.checks]
    assert len(checks) == 5  # dissolve; overlay twice; overlay and tobler
    assert all(c.startswith("same ") for c in checks)
    assert "tobler" in checks[-1]
    timed_rows = [r for s in sections[:4] for r in s.rows]
    assert all(r.ratio.endswith("×") for r in timed_rows)
    timeline = sections[4]
    assert timeline.title == "timeline over the default vintages"
    assert "3 vintages (CCG15, STP17, ICB22)" in timeline.input
    assert timeline.checks[0].startswith("same ")
    assert "as dissolve + overlay" in timeline.checks[0]
    assert [r.what.rsplit(", ", 1)[-1] for r in timeline.rows] == ["stpgeo cold", "stpgeo warm"]
    assert all(r.ratio.endswith("×") for r in timeline.rows)
    assert timeline.checks[-1].startswith("warm: every table")
    assert [r.what.split(":")[0] for r in sections[5].rows] == ["Birmingham",
                                                                "the West Midlands"]
    # the commands ran on the West Midlands' files, and their answers were checked first
    commands = {s.title.split(" (")[0]: s for s in sections[6:]}
    assert set(commands) == {"stpgeo demo", "map.html size", "one council", "stpgeo atlas",
                             "the same tables, like for like"}
    like = commands["the same tables, like for like"]
    assert [c.split(":")[0] for c in like.checks] == [
        "CLI cold", "CLI warm", "CLI warm, --rerun", "API cold", "API warm",
        "plain pipeline on the LSOAs as published (not cleaned), timed once"]
    assert like.checks[0].startswith("CLI cold: stp17: same ")
    assert "same councils, home and best-fit footprints and verdicts" in like.checks[0]
    assert all("every table equal" in c for c in like.checks[1:5])
    assert [r.ratio.endswith("×") for r in like.rows[:5]] == [True] * 5
    assert "copied from the cache" in like.rows[1].what
    assert "files are the cold run's, byte for byte" in like.checks[1]
    assert "its floor" in like.rows[6].ratio
    atlas = commands["stpgeo atlas"]
    assert atlas.checks[0].startswith("the atlas's pages of 2 councils sampled")
    assert [r.what for r in atlas.rows[1:3]] == ["vs stpgeo report, one council at a time",
                                                  "vs stpgeo timeline, one council at a time"]
    assert all(r.ratio.endswith("×") for r in atlas.rows[1:3])
    demo = commands["stpgeo demo"]
    assert [c.split(":")[0] for c in demo.checks] == ["warm run", "cold run"]
    assert all("every table equal" in c for c in demo.checks)
    assert [r.what for r in demo.rows[:2]] == ["cold wall time", "warm wall time"]
    assert commands["one council"].checks[0].startswith("warm run: every table equal")
    assert all(r.met for r in commands["map.html size"].rows)


@pytest.mark.realdata
def test_the_command_writes_results(data: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "results.md"
    assert main(["--area", "west-midlands", "--repeats", "1", "--only", "council",
                 "--data", str(data), "--out", str(out)]) == 0
    text = out.read_text()
    assert "## Machine and libraries" in text
    assert "GEOS" in text
    assert "Written by `python -m benchmarks --area west-midlands --repeats 1 --only council" \
        in text  # the command that wrote it, not `make bench`
    assert "one council" in capsys.readouterr().out
    assert main(["--only", "nothing"]) == 2


def _tables(folder: Path, *, area: float = 600.0, verdict: str = "split",
            residents: int = 40) -> Path:
    """A result folder of one ward in two footprints, and the same as the plain pipeline
    writes it."""
    pieces = pd.DataFrame({"ward_code": ["W1", "W1"], "footprint_code": ["F1", "F2"],
                           "area_m2": [area, 400.0], "area_share": [0.6, 0.4],
                           "population": [residents, 60], "population_share": [0.4, 0.6],
                           "kind": ["split", "split"], "confidence": ["confirmed"] * 2})
    verdicts = pd.DataFrame({"ward_code": ["W1"], "council_code": ["C1"],
                             "home_footprint_codes": ["F1"], "best_footprint_code": ["F2"],
                             "verdict": [verdict]})
    (folder / "stp17").mkdir(parents=True)
    pieces.to_csv(folder / "stp17/ward_footprints.csv", index=False)
    verdicts.to_csv(folder / "stp17/ward_verdicts.csv", index=False)
    pieces.to_parquet(folder / "stp17.pieces.parquet")
    verdicts.to_parquet(folder / "stp17.verdicts.parquet")
    return folder


def test_tables_unlike_the_plain_pipelines_are_refused(tmp_path: Path) -> None:
    from benchmarks.plain import same_as_plain

    ours = {"stp17": _tables(tmp_path / "ours") / "stp17"}
    said = same_as_plain(ours, _tables(tmp_path / "same"))
    assert said.startswith("stp17: same 2 pieces")
    assert "verdicts of 1 wards" in said
    with pytest.raises(MismatchError, match=r"areas by 1\.500 m²"):
        same_as_plain(ours, _tables(tmp_path / "area", area=601.5))
    assert same_as_plain(ours, _tables(tmp_path / "close", area=600.9))  # within 1 m²
    with pytest.raises(MismatchError, match="residents differ by up to 1"):
        same_as_plain(ours, _tables(tmp_path / "people", residents=41))
    with pytest.raises(MismatchError, match="verdict differs for 1 wards"):
        same_as_plain(ours, _tables(tmp_path / "verdict", verdict="within"))


def test_analyses_that_differ_are_refused() -> None:
    from stpgeo.analysis.pipeline import analyse

    from .test_analysis_blocks import RESIDENTS, _block_councils, _blocks, _footprints, _wards

    def run(border: float = 3_000, tolerance: float = 0.05) -> Analysis:
        return analyse(_wards(), _footprints(border), councils=_block_councils(),
                       blocks=_blocks(), population=RESIDENTS, tolerance=tolerance,
                       cache=False)

    ours = run()
    assert same_analyses(ours, run(), reference="x").startswith("every table equal to x")
    with pytest.raises(MismatchError, match="areas differ"):
        same_analyses(ours, run(border=2_900), reference="x")
    with pytest.raises(MismatchError, match=r"ward_footprints\.kind: 1 values differ"):
        same_analyses(ours, run(tolerance=0.46), reference="x")


def test_pairs_that_differ_are_refused() -> None:
    ours = pd.Series([2.0, 1.0, 3.0], index=PAIRS)
    assert same_pairs(ours, ours.copy(), reference="ref").startswith("same 3 pairs")
    # touch-only (zero-area) pairs are dropped on both sides alike
    assert same_pairs(ours, pd.concat([ours, pd.Series(
        [0.0], index=pd.MultiIndex.from_tuples([(1, 0)]))]), reference="ref")
    with pytest.raises(MismatchError, match="1 only in ref"):
        same_pairs(ours.iloc[:2], ours, reference="ref")
    with pytest.raises(MismatchError, match="1 areas differ"):
        same_pairs(ours, ours * [1, 1, 1 + 1e-5], reference="ref")


def test_footprints_that_differ_are_refused() -> None:
    one = frame(["A", "B"], [square(0, 0), square(2_000, 0)])
    assert "same 2 codes" in same_footprints(one, one.copy(), reference="dissolve")
    bigger = one.copy()
    bigger.geometry = [square(0, 0, 1_001), square(2_000, 0)]
    with pytest.raises(MismatchError, match="differs from dissolve"):
        same_footprints(one, bigger, reference="dissolve")
    # two 500 m squares against one 1,000 x 500 m rectangle: same area, more parts
    split = one.copy()
    split.geometry = [shapely.union(square(0, 0, 500), square(600, 0, 500)), square(2_000, 0)]
    whole = one.copy()
    whole.geometry = [rect(0, 0, 1_000, 500), square(2_000, 0)]
    with pytest.raises(MismatchError, match="3 parts, dissolve's 2"):
        same_footprints(split, whole, reference="dissolve")
    assert "parts 2 vs 3" in same_footprints(whole, split, reference="dissolve")
