"""The JavaScript and CSS a map needs, inlined so the page works with no network.

folium links its assets from CDNs: Leaflet, and also jQuery, Bootstrap, Font
Awesome, the Bootstrap 3 glyphicons and Leaflet.awesome-markers. stpgeo's maps use
Leaflet and nothing else (no markers, icons or popups built with jQuery), so by
default ("inline") they carry:

- Leaflet 1.9.3's ``leaflet.js`` and ``leaflet.css`` from the installed
  ``xstatic-leaflet`` package (the version folium 0.20 links), the images its CSS
  uses (the layer-control icon, the default marker) embedded as ``data:`` URLs;
- stpgeo's own small script and stylesheet (``stpgeo/outputs/maps/static/``);

and drop the other folium assets. Only the basemap tiles then need the internet;
without them the wards, outlines, legend and controls still draw. With "cdn"
folium's usual links are kept (a smaller file that needs the internet to draw);
stpgeo's own script and stylesheet are always inlined.

Examples
--------
>>> css, js = leaflet_assets()
>>> "images/layers.png" in css, "sourceMappingURL" in js
(False, False)
"""

from __future__ import annotations

import base64
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from stpgeo.errors import StpgeoError

Assets = Literal["inline", "cdn"]
#: The Leaflet version folium links, and so the one stpgeo inlines.
LEAFLET_VERSION = "1.9.3"
_CSS_URL = re.compile(r"url\((['\"]?)(images/[\w.-]+\.png)\1\)")


def _leaflet_folder() -> Path:
    try:
        import xstatic.pkg.leaflet as leaflet
    except ImportError:
        raise StpgeoError("the xstatic-leaflet package is not installed, so Leaflet cannot "
                          "be inlined into the map", fix="pip install xstatic-leaflet, or "
                          "write a map that loads Leaflet from the internet (--cdn)") from None
    if leaflet.VERSION != LEAFLET_VERSION:
        raise StpgeoError(f"xstatic-leaflet holds Leaflet {leaflet.VERSION}, but the maps are "
                          f"written for Leaflet {LEAFLET_VERSION}",
                          fix=f"pip install 'xstatic-leaflet=={LEAFLET_VERSION}.*'")
    return Path(leaflet.BASE_DIR)


def _data_url(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _script_safe(text: str) -> str:
    """Text that cannot end the <script> or <style> element it is inlined into."""
    return re.sub(r"</(script|style)", r"<\\/\1", text, flags=re.IGNORECASE)


@cache
def leaflet_assets() -> tuple[str, str]:
    """Leaflet's CSS (images embedded) and JavaScript (no source-map link)."""
    folder = _leaflet_folder()
    css = (folder / "leaflet.css").read_text(encoding="utf-8")
    css = _CSS_URL.sub(lambda m: f"url({_data_url(folder / m.group(2))})", css)
    js = (folder / "leaflet.js").read_text(encoding="utf-8")
    js = re.sub(r"\n//# sourceMappingURL=\S*\s*$", "\n", js)
    return _script_safe(css), _script_safe(js)


@cache
def own_assets() -> tuple[str, str]:
    """stpgeo's map stylesheet and script."""
    static = resources.files("stpgeo.outputs.maps") / "static"
    return ((static / "stpgeo-map.css").read_text(encoding="utf-8"),
            _script_safe((static / "stpgeo-map.js").read_text(encoding="utf-8")))


def page_assets(assets: Assets) -> tuple[str, str]:
    """The CSS and JavaScript to inline into a page: Leaflet's (unless "cdn"), then ours."""
    if assets not in ("inline", "cdn"):
        raise StpgeoError(f"unknown assets mode {assets!r}", fix="use 'inline' or 'cdn'")
    css, js = own_assets()
    if assets == "cdn":
        return css, js
    leaflet_css, leaflet_js = leaflet_assets()
    return leaflet_css + "\n" + css, leaflet_js + "\n" + js
