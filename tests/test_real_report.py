"""The demo's report.html on the real data: its findings match ONS's lookups, every number
in its tables matches the analysis tables, and it renders offline in headless Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from .browser import Offline, launch
from .conftest import DemoRun
from .ons import ons_neighbours
from .test_real_analysis import ons_expectation

pytestmark = pytest.mark.realdata



def _crowded_labels(frame: Any) -> list[str]:
    """The names of the map's labels hidden as crowded, after checking that no two of
    those shown overlap."""
    shown = [box for box in (label.bounding_box() for label in
                             frame.locator(".stpgeo-label:not([data-crowded]) span").all()) if box]
    assert shown
    for n, a in enumerate(shown):
        for b in shown[n + 1:]:
            assert not (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
                        and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])
    return frame.locator(".stpgeo-label[data-crowded]").all_text_contents()


@pytest.fixture(scope="module")
def soup(demo: DemoRun) -> BeautifulSoup:
    return BeautifulSoup((demo.folder / "report.html").read_text(encoding="utf-8"), "html.parser")


def _rows(soup: BeautifulSoup, section: str, table: str) -> list[list[str]]:
    found = soup.select_one(f'section[data-analysis="{section}"] table[data-table="{table}"]')
    assert found is not None
    return [[td.get("data-value", td.get_text(" ", strip=True)) for td in tr.find_all("td")]
            for tr in found.find("tbody").find_all("tr")]


def test_birmingham_findings_match_ons_lookups(soup: BeautifulSoup, lookup_114: Path,
                                               lookup_143: Path, population_file: Path) -> None:
    pieces, verdicts = ons_expectation(lookup_114, lookup_143, population_file, "STP17CD")
    flagged = verdicts[verdicts != "within"]
    names = pd.read_csv(lookup_114, usecols=["WD16CD", "WD16NM"]).drop_duplicates()
    names = names.set_index("WD16CD")["WD16NM"]
    residents = int(pieces[pieces["WD16CD"].isin(flagged.index)]["residents"].sum())
    outside = pieces[pieces["WD16CD"].isin(flagged.index) & (pieces["share"] >= 0.05)
                     & (pieces["STP17CD"] != "E54000017")]["residents"].sum()
    findings = [li.get_text() for li in soup.select('ul[data-analysis="stp17"] li')]
    assert findings[0].startswith(
        f"{len(flagged)} of Birmingham's {len(verdicts)} wards, home to {residents:,} residents, "
        "lie wholly or partly in The Black Country rather than Birmingham and Solihull: ")
    for code in flagged.index:
        assert names[code] in findings[0]
    wholly = (flagged == "outside_home").sum()
    assert findings[1].startswith(f"{wholly} wards lie wholly outside Birmingham and Solihull")
    assert findings[2].startswith(f"{int(outside):,} of Birmingham's residents live")


def test_every_table_number_matches_the_analysis(soup: BeautifulSoup,
                                                 demo: DemoRun) -> None:
    for name in ("stp17", "ccg17"):
        folder = demo.folder / name
        councils = pd.read_csv(folder / "councils.csv", dtype={"council_code": str})
        councils = councils.set_index("council_code")
        rows = _rows(soup, name, "councils")
        assert len(rows) == 6  # Birmingham and its five neighbours
        for row in rows:
            expected = councils.loc[row[1], ["n_wards", "n_wards_outside_home",
                                             "n_wards_split", "population_outside_home"]]
            assert [int(v) for v in row[3:7]] == expected.astype(int).tolist()
        verdicts = pd.read_csv(folder / "ward_verdicts.csv").set_index("ward_code")
        flagged = _rows(soup, name, "flagged")
        in_scope = verdicts[verdicts["council_code"].isin(councils.index.intersection(
            [r[1] for r in rows]))]
        assert {r[1] for r in flagged} == set(in_scope.index[in_scope["verdict"] != "within"])
        for row in flagged:
            assert row[3] == verdicts.loc[row[1], "verdict"]
            assert float(row[6]) == pytest.approx(verdicts.loc[row[1], "best_population_share"])
            assert float(row[7]) == pytest.approx(verdicts.loc[row[1], "best_area_share"])
        footprints = pd.read_csv(folder / "footprints.csv").set_index("footprint_code")
        for row in _rows(soup, name, "footprints"):
            assert int(row[4]) == footprints.loc[row[1], "population"]
    quality = " ".join(soup.select_one('li[data-quality="slivers"]').get_text().split())
    summary = pd.read_json(demo.folder / "stp17" / "summary.json", typ="series")
    assert re.search(rf"{summary['slivers']['pieces']:,} pieces", quality)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


def test_report_renders_offline_without_errors(browser: Any, demo: DemoRun) -> None:
    page = Offline(browser, demo.folder / "report.html", ready="table.sortable")
    try:
        assert page.errors == []
        frame = next(f for f in page.page.frames if f != page.page.main_frame)
        frame.wait_for_selector("path.stpgeo-ward")
        assert frame.locator("path.stpgeo-ward").count() > 100
        # sorting a table by residents outside home puts the largest last, then first
        header = page.page.locator('section[data-analysis="stp17"] table[data-table="councils"]'
                                   ' th').nth(6)
        header.click()
        header.click()
        first = page.page.locator('section[data-analysis="stp17"] table[data-table="councils"]'
                                  ' tbody tr').first.locator("td").first.inner_text()
        assert first == "Birmingham"
        page.screenshot("report_offline.png")
    finally:
        page.page.close()


#: Absolute paths of files (not web addresses), as the report must never hold them.
ABSOLUTE_PATH = re.compile(r"(?<![\w:/.])(?:/[\w.~-]+)+/[\w.~-]+\.(?:csv|geojson|gpkg|shp|json|"
                           r"parquet|zip|html|png|toml)\b|\b[A-Za-z]:\\[^\s<>\"]+")


def test_no_absolute_path_anywhere_in_the_report(demo: DemoRun, data: Path) -> None:
    text = (demo.folder / "report.html").read_text(encoding="utf-8")
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text)  # images, not paths
    for folder in {data.resolve(), demo.folder.resolve(), Path.cwd(), Path.home(),
                   Path(__file__).resolve().parents[1]}:
        assert str(folder) not in text, folder
    assert ABSOLUTE_PATH.findall(text) == []
    # the files are named, and the built footprints described as built
    assert "143_LSOA11_CCG17_STP17_LAD17_EN_LU.csv" in text
    assert "STPs of April 2017, built from 32,844 LSOAs with ONS lookup 143" in text


def test_warnings_are_in_data_quality_each_once(soup: BeautifulSoup) -> None:
    assert soup.select("#findings .warning") == []
    warnings = [li.get_text(" ", strip=True) for li in
                soup.select('#data-quality ul[data-quality="warnings"] li')]
    assert warnings
    assert len(warnings) == len(set(warnings))
    assert any(w.startswith("ONS lookup 114 places the LSOAs of") for w in warnings)


def test_who_is_affected_and_the_deprivation_layer_draw_offline(
        browser: Any, demo: DemoRun, lookup_143: Path) -> None:
    page = Offline(browser, demo.folder / "report.html", ready="#affected")
    try:
        assert page.errors == []
        chart = page.page.locator('#affected [data-analysis="stp17"] svg')
        box = chart.bounding_box()
        assert box is not None
        assert box["width"] > 300
        assert box["height"] > 150
        # ten deciles, each with a bar for both sides where there are residents on them
        assert chart.locator("rect.bar-home").count() == 10
        assert chart.locator("rect.bar-outside_home").count() == 10
        tallest = chart.locator('rect.bar-outside_home[data-decile="1"]').bounding_box()
        assert tallest is not None
        assert tallest["height"] > 50
        page.page.locator("#affected").scroll_into_view_if_needed()
        page.screenshot("report_who_is_affected.png")

        frame = next(f for f in page.page.frames if f != page.page.main_frame)
        frame.wait_for_selector("path.stpgeo-ward")
        # flagged wards are named on the map itself
        verdicts = pd.read_csv(demo.folder / "stp17" / "ward_verdicts.csv", dtype=str)
        councils = ons_neighbours(lookup_143)
        flagged = verdicts[verdicts["council_code"].isin(councils)
                           & (verdicts["verdict"] != "within")]
        labels = frame.locator(".stpgeo-label").all_text_contents()
        assert sorted(labels) == sorted(flagged["ward_name"])
        assert {"Ladywood", "Soho", "Aston"} <= set(labels)
        # the names written do not overlap; those that would are hidden until zoomed in
        crowded = _crowded_labels(frame)
        frame.locator(".leaflet-control-zoom-in").click()
        frame.wait_for_timeout(800)
        assert len(_crowded_labels(frame)) <= len(crowded)
        # the neighbourhoods by decile: every LSOA of the six councils (ONS lookup 143)
        frame.get_by_label("Neighbourhoods by IMD 2019 decile").check()
        lsoas = pd.read_csv(lookup_143, usecols=["LSOA11CD", "LAD17CD"])
        assert frame.locator("path.stpgeo-block").count() == int(
            lsoas["LAD17CD"].isin(councils).sum())
        assert frame.locator("path.stpgeo-ward").count() == 0  # another way of colouring
        assert frame.locator("path.stpgeo-footprint").count() > 0  # borders on top
        fills = set(frame.eval_on_selector_all("path.stpgeo-block",
                                               "ps => ps.map(p => p.getAttribute('fill'))"))
        assert len(fills) == 10
        practices = pd.read_csv(demo.folder / "stp17" / "practices.csv", dtype=str)
        placed = practices["council_code"].isin(councils)
        assert frame.locator("path.stpgeo-practice").count() == int(placed.sum())
        page.page.locator("iframe.map").scroll_into_view_if_needed()
        page.screenshot("report_deprivation_layer.png")
    finally:
        page.page.close()
