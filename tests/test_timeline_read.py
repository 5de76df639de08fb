"""Timeline.read: the inverse of writing a timeline folder (issue 21).

Hand-made timelines (tests/timeline_case.py) and England's through every default vintage
are written, read back, and compared table by table, types included.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import stpgeo
from stpgeo import StpgeoError
from stpgeo.analysis.timeline.folder import FILES, TABLES
from stpgeo.analysis.timeline.result import Timeline
from stpgeo.outputs.atlas.site import write_atlas
from stpgeo.outputs.timeline.report import write_tables

from . import timeline_case as case
from .test_timeline_handmade import _proposal, _timeline


def _same(read: Timeline, made: Timeline) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(read, name), getattr(made, name), obj=name)
    assert read.vintages == made.vintages
    assert (read.councils, read.england) == (made.councils, made.england)
    assert read.summary == json.loads(json.dumps(made.summary, default=str))


@pytest.fixture(scope="module")
def with_proposal() -> Timeline:
    """Birmingham with a proposal moving b4 out of its home ICB: a vintage with a base, a
    council asked, changes and moves in every table."""
    proposal = stpgeo.Proposal(_proposal([(case.BLOCKS[3], case.G2, "NHS Black Country ICB")]),
                               name="b4_to_g2", source="proposals/b4_to_g2.csv")
    return _timeline("Birmingham", proposals=[proposal])


@pytest.mark.parametrize("england", [True, False], ids=["england", "birmingham"])
def test_every_table_reads_back_as_written(tmp_path: Path, england: bool) -> None:
    made = _timeline(None if england else "Birmingham", england=england)
    read = Timeline.read(made.write(tmp_path / "timeline"))
    _same(read, made)
    assert read.folder == tmp_path / "timeline"
    assert read.state is None
    assert read.timeline["aligned"].dtype == bool
    assert read.changes["population"].dtype == "Int64"


def test_a_proposal_reads_back_with_its_base_and_file(tmp_path: Path,
                                                      with_proposal: Timeline) -> None:
    read = Timeline.read(with_proposal.write(tmp_path / "timeline"))
    _same(read, with_proposal)
    proposal = read.vintage("b4_to_g2")
    assert (proposal.base, proposal.proposal, proposal.title) == (
        "ICB22", "proposals/b4_to_g2.csv", "proposal b4_to_g2 (ICBs, on ICB22)")
    assert read.moves["to_vintage"].tolist() == with_proposal.moves["to_vintage"].tolist()


def test_a_read_timeline_tells_its_story_and_writes_its_tables_again(
        tmp_path: Path, with_proposal: Timeline) -> None:
    first = with_proposal.write(tmp_path / "first")
    read = Timeline.read(first)
    assert read.findings() == with_proposal.findings()
    assert read.plot().axes  # the trend is drawn from the tables
    again = read.write(tmp_path / "again")
    for file in FILES.values():
        assert (again / file).read_bytes() == (first / file).read_bytes(), file
    page = (again / "timeline.html").read_text(encoding="utf-8")
    assert "No maps on this page: it was written from the timeline folder" in page
    assert "<code>first</code>" in page
    assert 'data-vintage="ICB22"' not in (page.split('id="maps"')[1].split("</section>")[0])
    assert "data:image/png;base64," in page  # the trend chart is still inlined


@pytest.mark.parametrize("call", [
    lambda t, _: t.map("ICB22"), lambda t, _: t.analysis("STP17"),
    lambda t, _: t.wards("CCG17"), lambda t, _: t.footprints("ICB22"),
    lambda t, out: write_atlas(t, out / "atlas"),
], ids=["map", "analysis", "wards", "footprints", "atlas"])
def test_maps_of_a_read_timeline_are_refused_with_a_way_out(
        tmp_path: Path, with_proposal: Timeline, call) -> None:  # type: ignore[no-untyped-def]
    read = Timeline.read(with_proposal.write(tmp_path / "timeline"))
    with pytest.raises(StpgeoError, match="keeps its tables but not its polygons") as raised:
        call(read, tmp_path)
    assert str(tmp_path / "timeline") in str(raised.value)
    assert "stpgeo.timeline(" in str(raised.value.fix)
    assert not (tmp_path / "atlas").exists()


def test_folders_that_are_not_timelines_are_refused(tmp_path: Path,
                                                    with_proposal: Timeline) -> None:
    folder = with_proposal.write(tmp_path / "timeline")
    (folder / "moves.csv").unlink()
    with pytest.raises(StpgeoError, match=r"not a timeline folder: moves\.csv missing"):
        Timeline.read(folder)
    folder = with_proposal.write(tmp_path / "older")
    vintages = pd.read_csv(folder / "vintages.csv", dtype=str, keep_default_na=False)
    vintages.drop(columns=["lookup_key", "base"]).to_csv(folder / "vintages.csv", index=False)
    with pytest.raises(StpgeoError, match=r"vintages\.csv lacks the columns lookup_key, base") \
            as raised:
        Timeline.read(folder)
    assert "write the timeline again" in str(raised.value.fix)
    folder = with_proposal.write(tmp_path / "edited")
    table = (folder / "timeline.csv").read_text(encoding="utf-8")
    (folder / "timeline.csv").write_text(table.replace(",False\n", ",no\n", 1), encoding="utf-8")
    with pytest.raises(StpgeoError, match=r"timeline\.csv: aligned holds 'no', not True or False"):
        Timeline.read(folder)


@pytest.mark.realdata
def test_england_through_every_vintage_reads_back(tmp_path: Path,
                                                  national_timeline: Timeline) -> None:
    folder = tmp_path / "england"
    folder.mkdir()
    write_tables(national_timeline, folder)
    read = Timeline.read(folder)
    _same(read, national_timeline)
    assert [v.name for v in read.vintages] == [v.name for v in national_timeline.vintages]
    assert any(v.reconstructed for v in read.vintages)  # ICB26 stays "reconstructed"
    assert read.findings() == national_timeline.findings()
