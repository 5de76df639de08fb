"""The atlas in headless Chromium with no network: the demo's (Birmingham and its
neighbours) and England's. The index's search finds a council by part of its name and by
a ward's; every link from the index opens a page whose map draws; no console error; no
request leaves the machine. Screenshots under out/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser import Offline, launch
from .conftest import DemoRun

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


def _open(browser: Any, site: Path, page: str, ready: str) -> Offline:
    return Offline(browser, site / page, ready=ready, within=site)


def _drawn(opened: Offline, selector: str) -> str:
    opened.page.wait_for_selector(f"{selector}[data-drawn]", timeout=60_000)
    return str(opened.page.get_attribute(selector, "data-drawn"))


def _clean(opened: Offline) -> None:
    assert opened.errors == []
    assert opened.blocked == []  # nothing asked beyond the site's folder
    assert not [c for c in opened.console if c.startswith("error")]


def _shown(opened: Offline, words: str) -> list[str]:
    opened.page.fill("#search", words)
    return opened.page.eval_on_selector_all(
        "#council-table tbody tr:not([hidden])", "rows => rows.map(r => r.dataset.council)")


def test_the_demos_index_searches_and_every_link_opens_a_drawn_map(
        browser: Any, demo: DemoRun) -> None:
    site = demo.folder / "atlas"
    index = _open(browser, site, "index.html", "#council-table")
    assert _drawn(index, "#national-map") == "ICB26"
    assert _shown(index, "wolverh") == ["E08000031"]  # part of its name
    assert _shown(index, "lozells") == ["E08000025"]  # a ward's name
    assert set(_shown(index, "black country")) >= {"E08000028", "E08000027"}  # an ICB's
    index.page.fill("#search", "")
    index.screenshot("atlas_demo_index.png")
    links = index.page.eval_on_selector_all("#council-table a", "as => as.map(a => a.href)")
    _clean(index)
    index.page.close()
    assert len(links) >= 6
    for link in links:
        page = _open(browser, site, "councils/" + link.rsplit("/", 1)[1], "#map")
        assert _drawn(page, "#map") == "ICB26"
        assert page.count("#map path.atlas-ward") + page.count("#map canvas") > 0
        page.page.select_option("#vintage", "STP17")
        assert _drawn(page, "#map") in ("ICB26", "STP17")
        page.page.wait_for_selector("#map[data-drawn=STP17]")
        if link.endswith("E08000025.html"):
            page.screenshot("atlas_birmingham_stp17.png")
        _clean(page)
        page.page.close()


def test_englands_index_and_three_council_pages(browser: Any, england_atlas: Path) -> None:
    index = _open(browser, england_atlas, "index.html", "#council-table")
    assert _drawn(index, "#national-map") == "ICB26"
    assert _shown(index, "westmorland") == ["E06000064"]
    assert _shown(index, "penrith") == ["E06000064"]  # its wards' names (2013 and 2024)
    assert "E06000065" in _shown(index, "harrogate")  # a former council, in North Yorkshire
    index.page.fill("#search", "")
    index.screenshot("atlas_england_index.png")
    _clean(index)
    index.page.close()
    # aligned today (Adur), split today (Cherwell), reorganised in 2023 (Westmorland and
    # Furness, split today)
    for code, name in (("E07000223", "adur"), ("E07000177", "cherwell"),
                       ("E06000064", "westmorland")):
        page = _open(browser, england_atlas, f"councils/{code}.html", "#map")
        assert _drawn(page, "#map") == "ICB26"
        page.screenshot(f"atlas_{name}.png")
        _clean(page)
        page.page.close()
