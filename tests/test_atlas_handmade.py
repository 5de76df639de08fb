"""The atlas on the hand-made timeline of tests/timeline_case.py (answers on paper).

Two councils today (ICB22): C1 (Birmingham) and C3 (Newshire), which took over the
blocks of C2 (Sandwell) of 2017. In STP17 400 of C1's 1,000 residents lived outside its
home S1 (W2 split); in ICB22 none.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import stpgeo
from stpgeo.analysis.timeline.result import Timeline
from stpgeo.outputs.atlas.site import folder_size, write_atlas

from . import timeline_case as case


@pytest.fixture(scope="module")
def history() -> Timeline:
    return stpgeo.timeline(vintages=case.VINTAGES, wards=case.wards(), blocks=case.blocks(),
                           population=case.population(), block_wards=case.block_wards(),
                           lookups=case.lookups(), every_council=True)


@pytest.fixture(scope="module")
def site(history: Timeline, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_atlas(history, tmp_path_factory.mktemp("atlas") / "atlas")


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_every_council_of_today_is_followed(history: Timeline) -> None:
    assert history.councils == [case.C3, case.C1]  # by code: E06... before E08...
    assert history.summary["scope"]["lineages"][case.C3] == [case.C2, case.C3]


def test_the_site_holds_its_pages_assets_and_tables(site: Path) -> None:
    assert (site / "index.html").is_file()
    assert sorted(p.name for p in (site / "councils").glob("*.html")) == sorted(
        f"{c}.html" for c in (case.C1, case.C2, case.C3))
    assert sorted(p.stem for p in (site / "footprints").glob("*.html")) == sorted(
        [case.F1, case.F2, case.G1, case.G2])  # the latest CCGs (CCG17) and ICBs (ICB22)
    for name in ("leaflet.js", "leaflet.css", "stpgeo-atlas.js", "stpgeo-atlas.css",
                 "wards-lsoa11.js", "atlas-index.js", "footprints-ICB22.js"):
        assert (site / "assets" / name).is_file(), name
    assert (site / "assets" / "wards-lsoa11.js").read_text().startswith(
        'stpgeoAtlas.add("wards-lsoa11",{"type":"Topology"')
    assert (site / "data" / "trend.csv").is_file()
    assert folder_size(site) < 2e6
    for page in site.rglob("*.html"):  # nothing from beyond the folder
        text = page.read_text(encoding="utf-8")
        assert "http://" not in text, page
        assert "https://" not in text, page


def test_the_index_has_each_council_and_its_search_words(site: Path) -> None:
    rows = _soup(site / "index.html").select("#council-table tbody tr")
    by_code = {r["data-council"]: r for r in rows}
    assert set(by_code) == {case.C1, case.C3}
    birmingham = by_code[case.C1]
    cells = [td.get_text(strip=True) for td in birmingham.find_all("td")]
    assert cells[2:4] == ["400", "✓"]  # STP17: 400 outside; ICB22: aligned
    assert "w2" in birmingham["data-search"]  # its wards' names
    newshire = by_code[case.C3]
    assert "sandwell" in newshire["data-search"]  # its former council
    assert "formerly Sandwell" in newshire.get_text()


def test_a_council_page_tells_its_figures(site: Path, history: Timeline) -> None:
    page = _soup(site / "councils" / f"{case.C1}.html")
    rows = {tr["data-vintage"]: [td.get_text(strip=True) for td in tr.find_all("td")]
            for tr in page.select("table[data-table=trend] tbody tr")}
    assert rows["STP17"][3:5] == ["1,000", "400"]
    assert rows["ICB22"][3:5] == ["1,000", "0"]
    story = page.select_one("#story").get_text()
    assert "400 residents of Birmingham in W2 moved from S2" in story
    data = json.loads(page.select_one("#atlas-page").get_text())
    mine = data["generations"]["lsoa11"]
    assert mine["names"] == ["W1", "W2"]
    assert mine["verdicts"] == {"CCG17": "ws", "STP17": "ws", "ICB22": "ww"}
    wards = page.select("#wards table tbody tr")
    assert [tr["data-ward"] for tr in wards] == [case.W2]  # the only ward ever split
    assert wards[0].find_all("td")[2].get_text() == "700"  # its residents, from the blocks
    # the latest CCGs here are CCG17's: F2 holds b4 (Birmingham's) and b5, b6 (Sandwell's,
    # now Newshire's); in ICB22 they share none
    assert [a.get_text() for a in page.select("#neighbours a")] == ["Newshire"]


def test_a_former_council_leads_to_its_successor(site: Path) -> None:
    text = (site / "councils" / f"{case.C2}.html").read_text(encoding="utf-8")
    assert f'url={case.C3}.html' in text
    assert "Sandwell became part of" in text


def test_a_footprint_page_says_whom_it_covers_and_splits(site: Path) -> None:
    page = _soup(site / "footprints" / f"{case.F1}.html")  # CCG17: F1 = b1 b2 b3, all C1's
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")]
            for tr in page.select("tbody tr")]
    assert rows == [["Birmingham", case.C1, "600", "60.0%", "yes", "split"]]
    assert "splits 1 council" in page.get_text()
