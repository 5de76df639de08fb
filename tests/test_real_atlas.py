"""Issue 21, the atlas, on the real data: the England atlas from the national timeline and
the demo's atlas of Birmingham and its neighbours.

Every figure a page shows is checked against the timeline's tables (which
tests/test_real_timeline.py and tests/test_real_today.py check against ONS's lookups),
and for today's vintages against the lookups and Census 2021 directly; the GP practices
against the demo's analysis (practices.csv).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from stpgeo.analysis.timeline.result import Timeline
from stpgeo.outputs.atlas.site import folder_size

from .conftest import DemoRun
from .ons import BIRMINGHAM
from .test_real_today import _blocks, _outside_home

pytestmark = pytest.mark.realdata

#: Birmingham; Westmorland and Furness (formed in 2023); North Yorkshire and Cherwell (split
#: today); Sandwell and Adur (aligned today)
SAMPLE = [BIRMINGHAM, "E06000064", "E06000065", "E07000177", "E08000028", "E07000223"]


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def test_the_england_atlas_is_of_sensible_weight(england_atlas: Path) -> None:
    assert folder_size(england_atlas) < 150e6
    pages = list((england_atlas / "councils").glob("*.html"))
    largest = max(p.stat().st_size for p in pages)
    assert largest < 1.5e6  # a council's page with its own data (the shapes are shared)


def test_every_council_has_a_page_and_every_former_one_leads_on(
        england_atlas: Path, national_timeline: Timeline, data: Path) -> None:
    lookup = pd.read_csv(data / "lookups/LSOA21_SICBL24_ICB24_LAD24_EN_LU.csv", dtype=str)
    today = set(lookup["LAD24CD"])
    assert len(today) == 296
    pages = {p.stem: p for p in (england_atlas / "councils").glob("*.html")}
    ever = set(national_timeline.timeline["council_code"])
    assert set(pages) == ever  # every council of every vintage: today's, and the former
    former = ever - today
    assert all("http-equiv=\"refresh\"" in pages[c].read_text() for c in former)
    eden = pages["E07000030"].read_text()
    assert "url=E06000064.html" in eden  # Eden became part of Westmorland and Furness
    rows = _soup(england_atlas / "index.html").select("#council-table tbody tr")
    assert {r["data-council"] for r in rows} == today


@pytest.mark.parametrize("council", SAMPLE)
def test_each_figure_of_a_council_page_is_the_timelines(
        england_atlas: Path, national_timeline: Timeline, council: str) -> None:
    page = _soup(england_atlas / "councils" / f"{council}.html")
    lineage = national_timeline.summary["scope"]["lineages"][council]
    rows = national_timeline.timeline[national_timeline.timeline["council_code"].isin(lineage)]
    for tr in page.select("table[data-table=trend] tbody tr"):
        vintage = tr["data-vintage"]
        cells = [td.get_text(strip=True) for td in tr.find_all("td")]
        mine = rows[rows["vintage"] == vintage]
        if mine.empty:
            assert "none of its councils existed" in cells[2]
            continue
        assert _number(cells[3]) == mine["population"].sum(), vintage
        assert _number(cells[4]) == mine["population_outside_home"].sum(), vintage
    # the residents of the two generations are different counts: the page says which is which
    note = page.select_one("section:has(table[data-table=trend]) p.meta").get_text()
    assert "CCG 2015 to ICB 2022 and the proposals on them (2011 LSOAs): Mid-2017 " \
           "population estimates" in note
    assert "(2021 LSOAs): Usual residents, Census 2021" in note
    flagged = national_timeline.ward_timeline
    flagged = flagged[flagged["council_code"].isin(lineage)
                      & flagged["verdict"].isin(["split", "outside_home"])]
    assert {tr["data-ward"] for tr in page.select("#wards tbody tr")} == set(
        flagged["ward_code"])
    data = json.loads(page.select_one("#atlas-page").get_text())
    for vintage in ("ICB22", "ICB24"):
        generation = next(v.generation.key for v in national_timeline.vintages
                          if v.name == vintage)
        letters = data["generations"][generation]["verdicts"][vintage]
        mine = flagged[flagged["vintage"] == vintage]
        assert letters.count("o") == (mine["verdict"] == "outside_home").sum(), vintage
        assert letters.count("s") == (mine["verdict"] == "split").sum(), vintage


def test_todays_figures_are_the_lookups(england_atlas: Path, data: Path) -> None:
    census = pd.read_csv(data / "population/lsoa21_population_census2021.csv",
                         dtype={"LSOA21CD": str}).set_index("LSOA21CD")["total_population"]
    lookups = {f: pd.read_csv(data / f, dtype=str) for f in (
        "lookups/LSOA21_SICBL24_ICB24_LAD24_EN_LU.csv",
        "proposals/LSOA21_SICBL26_ICB26_EN_reconstructed.csv")}
    expected = _outside_home(_blocks(lookups, census, "ICB26"))
    rows = _soup(england_atlas / "index.html").select("#council-table tbody tr")
    now = {r["data-council"]: _number(r.find_all("td")[-3].get_text(strip=True)) for r in rows}
    assert now == expected.astype(int).to_dict()  # "outside home now (ICB26)"
    split = _soup(england_atlas / "councils" / "E06000064.html").select_one(".status").get_text()
    assert f"{expected['E06000064']:,} of its" in split


def test_the_demos_atlas_lists_the_practices_of_other_ccgs(demo: DemoRun) -> None:
    page = _soup(demo.folder / "atlas" / "councils" / f"{BIRMINGHAM}.html")
    practices = pd.read_csv(demo.folder / "ccg17" / "practices.csv", dtype=str)
    away = practices[(practices["council_code"] == BIRMINGHAM)
                     & (practices["commissioner_is_home"] == "false")]
    shown = [[td.get_text(strip=True) for td in tr.find_all("td")]
             for tr in page.select("#practices tbody tr")]
    assert {r[1] for r in shown if r[3] == "CCG 2017"} == set(away["practice_code"])
    assert len(away) == 37  # 34 of Sandwell and West Birmingham CCG, 3 of Solihull CCG
    assert "The atlas of Birmingham and its neighbours: open" in demo.printed
    councils = {p.stem for p in (demo.folder / "atlas" / "councils").glob("*.html")}
    assert {BIRMINGHAM, "E08000029", "E08000028"} <= councils
