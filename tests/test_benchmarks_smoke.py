"""The benchmark code paths, once, on the West Midlands (timings are never asserted).

``make bench`` runs the same comparisons on all of England; here each must find
stpgeo and the reference in agreement, and the equality checks must be able to fail.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import shapely

from benchmarks.__main__ import STEPS, main, run
from benchmarks.same import MismatchError, same_footprints, same_pairs

from .shapes import frame, rect, square

PAIRS = pd.MultiIndex.from_tuples([(0, 0), (0, 1), (1, 1)], names=["left_index", "right_index"])


@pytest.mark.realdata
def test_every_comparison_runs_and_agrees_on_the_west_midlands(data: Path) -> None:
    sections = run(data=data, area="west-midlands", repeats=1, steps=set(STEPS),
                   vintages="CCG15,STP17,ICB22")
    titles = [s.title for s in sections]
    assert titles[:4] == ["build STP17CD footprints",
                          "overlap wards × STP17 built by stpgeo.build_footprints",
                          "overlap wards × STP17 built by geopandas.dissolve",
                          "overlap wards × LSOAs"]
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
    assert timeline.rows[0].ratio.endswith("×")
    # the demo and the maps run, or say they are not available yet; they never crash
    assert {s.title for s in sections[5:]} == {"stpgeo demo (England)", "map.html size"}


@pytest.mark.realdata
def test_the_command_writes_results(data: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "results.md"
    assert main(["--area", "west-midlands", "--repeats", "1", "--only", "maps",
                 "--data", str(data), "--out", str(out)]) == 0
    text = out.read_text()
    assert "## Machine and libraries" in text
    assert "GEOS" in text
    assert "map.html size" in capsys.readouterr().out
    assert main(["--only", "nothing"]) == 2


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
