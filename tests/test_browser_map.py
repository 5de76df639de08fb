"""The demo's map.html in a real browser, offline: headless Chromium driven by Playwright.

Every network request is blocked (only the page's own file:// address loads), so the
page must draw from what it carries. Needs Debian's ``chromium`` package (``.ci/run``
installs it); Playwright's own browser downloads are never used. Screenshots are saved
under ``out/screenshots/`` in the project.

The expected wards come from ONS lookup 143 (the councils sharing an STP with
Birmingham) and the demo's ward_verdicts.csv, not from the map's own data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from shapely.ops import polylabel

from stpgeo import Analysis

from .browser import Offline, launch
from .conftest import DemoRun
from .ons import NEIGHBOURS, ons_neighbours

pytestmark = pytest.mark.realdata

SOHO = "E05001205"
TILES = re.compile(r"^https://tile\.openstreetmap\.org/\d+/\d+/\d+\.png$")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


@pytest.fixture
def offline(browser: Any, demo: DemoRun) -> Iterator[Offline]:
    opened = Offline(browser, demo.folder / "map.html")
    yield opened
    opened.page.close()


@pytest.fixture(scope="module")
def expected_wards(demo: DemoRun, lookup_143: Path) -> set[str]:
    councils = ons_neighbours(lookup_143)
    assert set(councils.values()) == NEIGHBOURS
    verdicts = pd.read_csv(demo.folder / "stp17" / "ward_verdicts.csv", dtype=str)
    return set(verdicts.loc[verdicts["council_code"].isin(councils), "ward_code"])


def test_the_demo_map_is_small(demo: DemoRun) -> None:
    assert (demo.folder / "map.html").stat().st_size < 2_000_000


def test_it_draws_offline_without_errors(offline: Offline, expected_wards: set[str]) -> None:
    assert offline.errors == []
    # the only failures are the blocked basemap tiles: nothing else was fetched
    assert all(TILES.match(url) for url in offline.blocked), offline.blocked
    assert all(m.startswith(("error: Failed to load resource", "warning:", "info:",
                             "log:", "debug:")) for m in offline.console), offline.console
    assert offline.count("path.stpgeo-ward") == len(expected_wards)
    drawn = offline.page.eval_on_selector_all(
        "path.stpgeo-ward", "paths => paths.map(p => p.getAttribute('data-ward'))")
    assert set(drawn) == expected_wards
    # every ward is drawn on screen, not an empty path
    lengths = offline.page.eval_on_selector_all(
        "path.stpgeo-ward", "paths => paths.map(p => p.getTotalLength())")
    assert min(lengths) > 10
    offline.screenshot("birmingham_offline.png")


def test_legend_layer_control_and_attribution(offline: Offline) -> None:
    legend = offline.page.locator(".stpgeo-legend")
    assert legend.is_visible()
    text = legend.inner_text()
    assert "Birmingham and its neighbours" in text
    assert "7 of Birmingham's 40 wards" in text
    assert "wholly outside the home footprint" in text
    control = offline.page.locator(".leaflet-control-layers")
    assert control.is_visible()
    labels = [label.strip() for label in control.locator("label").all_inner_texts()]
    for name in ("Verdict (STP 2017)", "Share outside home footprint (STP 2017)",
                 "Verdict (CCG 2017)", "STP 2017 footprints", "CCG 2017 footprints", "Councils",
                 "Basemap (needs the internet)"):
        assert name in labels
    assert "Open Government Licence" in offline.page.locator(
        ".leaflet-control-attribution").inner_text()


def test_turning_a_layer_off_removes_its_polygons(offline: Offline,
                                                  expected_wards: set[str]) -> None:
    assert offline.count("path.stpgeo-council") == len(NEIGHBOURS)
    footprints = offline.count("path.stpgeo-footprint")
    stp = offline.page.get_by_label("STP 2017 footprints")
    stp.uncheck()
    stp_drawn = footprints - offline.count("path.stpgeo-footprint")
    assert stp_drawn >= 2  # Birmingham and Solihull, The Black Country (and their neighbours)
    offline.page.get_by_label("Councils").uncheck()
    assert offline.count("path.stpgeo-council") == 0
    stp.check()
    assert offline.count("path.stpgeo-footprint") == footprints
    # another way of colouring: the same wards, filled by share outside the home footprint
    soho = offline.page.locator(f'path[data-ward="{SOHO}"]')
    verdict_fill = soho.get_attribute("fill")
    offline.page.get_by_label("Share outside home footprint (STP 2017)").check()
    assert offline.count("path.stpgeo-ward") == len(expected_wards)
    soho = offline.page.locator(f'path[data-ward="{SOHO}"]')
    assert soho.get_attribute("fill") != verdict_fill
    assert "Share outside home footprint (STP 2017)" in offline.page.locator(
        ".stpgeo-legend-view").inner_text()
    offline.screenshot("birmingham_share_outside_home.png")


def test_hovering_soho_shows_its_footprint(offline: Offline, demo: DemoRun) -> None:
    # the folder keeps the wards by reference to the input file: read them as a user would
    wards = Analysis.read(demo.folder / "stp17").wards_gdf
    soho = wards.loc[wards["ward_code"] == SOHO].geometry
    inside = gpd.GeoSeries([polylabel(soho.iloc[0])], crs=soho.crs).to_crs(4326).iloc[0]
    x, y = offline.page.evaluate(  # zoom in on Soho, as a reader would, and find it
        """([lat, lng]) => {
            stpgeo.map.setView([lat, lng], 14, {animate: false});
            const point = stpgeo.map.latLngToContainerPoint([lat, lng]);
            const box = stpgeo.map.getContainer().getBoundingClientRect();
            return [point.x + box.left, point.y + box.top];
        }""", [inside.y, inside.x])
    offline.page.mouse.move(x, y)
    tooltip = offline.page.locator(".leaflet-tooltip.stpgeo-tooltip")
    tooltip.wait_for()
    text = tooltip.inner_text()
    assert "Soho" in text
    assert SOHO in text
    assert "Birmingham" in text
    assert "The Black Country" in text
    assert "wholly outside the home footprint" in text
    assert "NHS Sandwell and West Birmingham CCG" in text
    offline.screenshot("birmingham_soho_tooltip.png")
    offline.page.mouse.click(x, y)
    popup = offline.page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "ward_footprints.csv" in popup.inner_text()
    assert "E54000016" in popup.inner_text()
