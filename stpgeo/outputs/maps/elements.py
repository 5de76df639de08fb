"""The folium elements of a ward map, each rendered from a template in ``templates/``.

- :class:`Setup` inlines the page's CSS and JavaScript (see :mod:`.assets`), holds
  the hatching pattern and makes the panes;
- :class:`GeoData` holds one GeoJSON FeatureCollection as a JSON ``<script>``;
- :class:`Wards` is the one set of ward polygons, with tooltips and popups;
- :class:`WardView` is one way of colouring them (a base layer: by verdict, by
  share outside the home footprint, per analysis): views share the polygons, so the
  file carries each ward once however many views there are;
- :class:`Outlines` draws footprints, councils or hatched pieces (an overlay);
- :class:`Legend` is the legend control;
- :class:`Blocks` is the one set of neighbourhood polygons with their deciles, coloured
  by a :class:`WardView` of kind "decile" (one per index shown);
- :class:`Practices` draws the GP practices as points, :class:`Labels` the names of
  the flagged wards (overlays).

The behaviour lives in ``static/stpgeo-map.js``; these elements only pass it data.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from branca.element import MacroElement
from folium.map import Layer
from folium.template import Template

from stpgeo.outputs.maps.topology import compact


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
    """A GeoJSON FeatureCollection (text), embedded once as a JSON ``<script>``; its
    polygons as a topology (:mod:`.topology`: shared borders once), which the script
    turns back into the same GeoJSON."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "StpgeoData"
        self._template = _template("data.js.j2")
        self.text = compact(text).replace("</", "<\\/")  # cannot close the <script> element


class Wards(MacroElement):
    """The ward polygons with their tooltips and popups (drawn through a WardView)."""

    def __init__(self, data: GeoData, metadata: dict[str, Any]) -> None:
        super().__init__()
        self._name = "StpgeoWards"
        self._template = _template("wards.js.j2")
        self.data, self.metadata = data, metadata


class Blocks(MacroElement):
    """The blocks (neighbourhoods) with their deciles and tooltips (drawn through a
    WardView of kind "decile")."""

    def __init__(self, data: GeoData, options: dict[str, Any]) -> None:
        super().__init__()
        self._name = "StpgeoBlocks"
        self._template = _template("blocks.js.j2")
        self.data, self.options = data, options


class WardView(Layer):
    """One way of colouring the wards: ``kind`` "verdict" or "share", for one analysis;
    or the blocks (``kind`` "decile", ``analysis`` the position of the index)."""

    def __init__(self, wards: Wards | Blocks, *, name: str, kind: str, analysis: int,
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


class Practices(Layer):
    """The GP practices as points coloured by their CCG, names on hover (an overlay)."""

    def __init__(self, data: GeoData, *, name: str, options: dict[str, Any]) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "StpgeoPractices"
        self._template = _template("practices.js.j2")
        self.data, self.options = data, options


class Labels(Layer):
    """Names written on the map (the flagged wards'), an overlay."""

    def __init__(self, labels: list[dict[str, Any]], *, name: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "StpgeoLabels"
        self._template = _template("labels.js.j2")
        self.labels = labels
