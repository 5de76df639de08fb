"""The demo's timeline.html in headless Chromium with every network request blocked.

The page must draw from what it carries: the story, the trend chart and one small map
per vintage (inlined pictures), its tables sortable. The expected vintages and
Birmingham's figures come from the demo's own CSV files, which the real-data tests
check against ONS's lookups (tests/test_real_timeline.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from .browser import Offline, launch
from .conftest import DemoRun

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


@pytest.fixture
def page(browser: Any, demo: DemoRun) -> Iterator[Offline]:
    opened = Offline(browser, demo.folder / "timeline" / "timeline.html",
                     ready="#story li")
    yield opened
    opened.page.close()


def test_it_opens_offline_without_errors(page: Offline, demo: DemoRun) -> None:
    assert page.errors == []
    assert page.blocked == []  # nothing to fetch at all
    assert not [c for c in page.console if c.startswith("error")]
    vintages = pd.read_csv(demo.folder / "timeline" / "timeline.csv")["vintage"].tolist()
    assert page.count("#maps figure") == len(vintages)
    # every picture (the trend and the small maps) is inlined and decoded
    sizes = page.page.eval_on_selector_all("img", "imgs => imgs.map(i => i.naturalWidth)")
    assert len(sizes) == len(vintages) + 1
    assert all(width > 100 for width in sizes)
    page.screenshot("timeline.png")
    page.page.locator("#maps").scroll_into_view_if_needed()
    page.screenshot("timeline_maps.png")


def test_it_tells_the_story_and_its_tables_sort(page: Offline) -> None:
    story = page.page.inner_text("#story")
    assert "On 1 July 2022 (ICB 2022), 175,800 residents of Birmingham in Aston" in story
    table = "table[data-table=wards][data-generation=lsoa11]"  # the wards of 2013
    first = page.page.inner_text(f"{table} tbody tr:first-child td:first-child")
    page.page.click(f"{table} th:first-child")  # sort by ward name
    names = page.page.eval_on_selector_all(f"{table} tbody tr td:first-child",
                                           "cells => cells.map(c => c.textContent.trim())")
    assert names == sorted(names, key=str.casefold) or names == sorted(names)
    assert first in names
    assert page.count("table[data-table=changes] tbody tr[data-to=ICB22]") >= 7


def test_todays_maps_and_story_read_right(page: Offline) -> None:
    for vintage in ("ICB22", "ICB24", "ICB26"):
        assert page.count(f"#maps figure[data-vintage={vintage}] img") == 1
    caption = page.page.inner_text("#maps figure[data-vintage=ICB26] figcaption")
    assert caption == ("All residents in its home footprints (NHS Birmingham and Solihull "
                       "Integrated Care Board)")
    title = page.page.get_attribute("#maps figure[data-vintage=ICB26] img", "alt") or ""
    assert "ICB 2026, reconstructed" in title
    story = page.page.inner_text("#story")
    assert "On 1 April 2026 (ICB 2026, reconstructed), " in story
    assert "councils were not aligned with their home ICBs" in story
    page.page.locator("#maps figure[data-vintage=ICB24]").scroll_into_view_if_needed()
    page.screenshot("timeline_maps_today.png")
