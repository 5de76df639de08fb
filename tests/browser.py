"""Opening pages in Debian's headless Chromium with the network blocked (Playwright).

Playwright's own browser downloads are never used: ``.ci/run`` installs Debian's
``chromium``. Screenshots are saved under ``out/screenshots/`` in the project.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "out" / "screenshots"


def _unavailable(reason: str) -> None:
    """Skip, except in CI (STPGEO_REQUIRE_DATA), where the browser test must run."""
    if os.environ.get("STPGEO_REQUIRE_DATA"):
        pytest.fail(f"{reason}: CI must run the browser test (.ci/run installs chromium)")
    pytest.skip(reason)


def launch() -> Iterator[Any]:
    """Headless Chromium, or a skip (a failure in CI) when it is not installed."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    if not CHROMIUM.exists():
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium chromium-driver)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Offline:
    """A page opened with every network request blocked, and what happened."""

    def __init__(self, browser: Any, path: Path, *, ready: str = "path.stpgeo-ward",
                 within: Path | None = None) -> None:
        """Open ``path``; with ``within`` (a site's folder) the files under it may be read
        too (``loaded``), any other request is blocked and recorded (``blocked``)."""
        self.within = within.resolve().as_uri() + "/" if within is not None else None
        self.loaded: list[str] = []
        self.errors: list[str] = []
        self.console: list[str] = []
        self.blocked: list[str] = []
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda message: self.console.append(
            f"{message.type}: {message.text}"))
        address = path.resolve().as_uri()
        self.page.route("**/*", lambda route: self._route(route, address))
        self.page.goto(address)
        self.page.wait_for_selector(ready)

    def _route(self, route: Any, address: str) -> None:
        url = route.request.url
        if url == address or (self.within is not None and url.startswith(self.within)):
            self.loaded.append(url)
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def count(self, selector: str) -> int:
        return int(self.page.locator(selector).count())

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / name
        self.page.screenshot(path=str(path))
        print(f"screenshot: {path}")
        return path


