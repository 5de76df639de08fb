"""The folium elements of a ward map, each rendered from a template in ``templates/``.

- :class:`Setup` inlines the page's CSS and JavaScript (see :mod:`.assets`), holds
  the hatching pattern and makes the panes;
- :class:`GeoData` holds one GeoJSON FeatureCollection as a JSON ``<script>``;
- :class:`Wards` is the one set of ward polygons, with tooltips and popups;
- :class:`WardView` is one way of colouring them (a base layer: by verdict, by
  share outside the home footprint, per analysis): views share the polygons, so the
  file carries each ward once however many views there are;
- :class:`Outlines` draws footprints, councils or hatched pieces (an overlay);
- :class:`Legend` is the legend control.

The behaviour lives in ``static/stpgeo-map.js``; these elements only pass it data.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from branca.element import MacroElement
from folium.map import Layer
from folium.template import Template


@cache
def _template(name: str) -> Template:
    folder = resources.files("stpgeo.outputs.maps") / "templates"
    source = (folder / name).read_text(encoding="utf-8")
    return Template(source)


class Setup(MacroElement):
    """The page's inlined CSS and JavaScript, the hatching pattern, panes, attribution."""

    def __init__(self, *, css: str, js: str, options: dict[str, Any]) -> None:
        super().__init__()
        self._name = "StpgeoSetup"
        self._template = _template("setup.js.j2")
        self.css, self.js, self.options = css, js, options


class GeoData(MacroElement):
    """A GeoJSON FeatureCollection (text), embedded once as a JSON ``<script>``."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "StpgeoData"
        self._template = _template("data.js.j2")
        self.text = text.replace("</", "<\\/")  # cannot close the <script> element


class Wards(MacroElement):
    """The ward polygons with their tooltips and popups (drawn through a WardView)."""

    def __init__(self, data: GeoData, metadata: dict[str, Any]) -> None:
        super().__init__()
        self._name = "StpgeoWards"
        self._template = _template("wards.js.j2")
        self.data, self.metadata = data, metadata


class WardView(Layer):
    """One way of colouring the wards: ``kind`` "verdict" or "share", for one analysis."""

    def __init__(self, wards: Wards, *, name: str, kind: str, analysis: int,
                 show: bool) -> None:
        super().__init__(name=name, overlay=False, control=True, show=show)
        self._name = "StpgeoWardView"
        self._template = _template("view.js.j2")
        self.wards = wards
        self.settings = {"kind": kind, "analysis": analysis, "title": name}


class Outlines(Layer):
    """Polygons drawn as outlines (names on hover) or hatched, as an overlay.

    ``options``: ``pane``, ``className``, ``style``, and optionally ``focusStyle``
    (for features whose ``focus`` property is true) and ``tooltip`` (a label put
    before each feature's name; without it the outlines ignore the mouse).
    """

    def __init__(self, data: GeoData, *, name: str, options: dict[str, Any],
                 show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "StpgeoOutlines"
        self._template = _template("outlines.js.j2")
        self.data, self.options = data, options


class Legend(MacroElement):
    """The legend control: title, findings, ward colours, boundary lines."""

    def __init__(self, legend: dict[str, Any]) -> None:
        super().__init__()
        self._name = "StpgeoLegend"
        self._template = _template("legend.html.j2")
        self.legend = legend
