"""Assembling a ward map: a :class:`folium.Map` of where wards and footprints disagree.

Layers, bottom to top: an optional basemap (the only thing that needs the
internet), the wards filled by verdict or by share of residents outside the home
footprint (one radio button per way of colouring, per analysis) — or, with
deprivation, the neighbourhoods by decile —, uncertain pieces hatched, the footprint
outlines of each analysis (names on hover), the councils' outlines dissolved from
their wards, the chosen council heaviest, the GP practices (with practices) and the
names of the flagged wards. Then a layer control, a legend and the OGL attribution;
fitted to the area shown.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import folium
from branca.element import Element
from markupsafe import escape

from stpgeo.analysis.result import Analysis
from stpgeo.io.catalogue import load_catalogue
from stpgeo.io.write import atomic_file
from stpgeo.outputs import style
from stpgeo.outputs.affected import ATTRIBUTIONS, footprint_kind, index_title
from stpgeo.outputs.analyses import AnalysesInput, as_analyses
from stpgeo.outputs.maps.assets import Assets, page_assets
from stpgeo.outputs.maps.content import MapContent, map_content
from stpgeo.outputs.maps.elements import (
    Blocks,
    GeoData,
    Labels,
    Legend,
    Outlines,
    Practices,
    Setup,
    Wards,
    WardView,
)
from stpgeo.outputs.maps.legend import decile_view_name, legend_content
from stpgeo.outputs.scope import Scope, choose_scope

#: The default basemap, shown faded so that the ward colours stand out.
BASEMAP = "OpenStreetMap"


def _base_map(title: str, content: MapContent, *, assets: Assets,
              tiles: str | None) -> folium.Map:
    """An empty map of the area with the page's assets, panes and attribution."""
    (south, west), (north, east) = content.bounds
    # 2D transforms only: software-rendered browsers (remote desktops, headless) otherwise
    # leave parts of the SVG unpainted after a zoom
    m = folium.Map(location=[(south + north) / 2, (west + east) / 2], tiles=None,
                   zoom_start=8, control_scale=True, disable_3d=True)
    m.get_root().title = f"{title} — stpgeo"  # type: ignore[attr-defined]
    if assets == "inline":  # instead of folium's CDN links (set on this map only)
        m.default_js, m.default_css = [], []
    css, js = page_assets(assets)
    m.add_child(Setup(css=css, js=js, options={
        "style": style.for_javascript(),
        "attribution": str(escape(" ".join([load_catalogue().attribution, *(
            ATTRIBUTIONS[k] for k, shown in (("deprivation", content.blocks),
                                              ("practices", content.practices)) if shown)])))}))
    if tiles:
        folium.TileLayer(tiles, name="Basemap (needs the internet)", overlay=True,
                         control=True, opacity=0.6).add_to(m)
    return m


def _views(analyses: Sequence[Analysis], wards: Wards) -> list[WardView]:
    """Two ways of colouring the wards per analysis; the primary verdict shown first."""
    views = []
    for i, analysis in enumerate(analyses):
        label = analysis.label
        views += [WardView(wards, name=f"Verdict ({label})", kind="verdict", analysis=i,
                           show=i == 0),
                  WardView(wards, name=f"Share outside home footprint ({label})",
                           kind="share", analysis=i, show=False)]
    return views


def _affected(analyses: Sequence[Analysis], content: MapContent) -> list[Element]:
    """With deprivation, the neighbourhoods by decile (one way of colouring per index);
    with practices, the GP practices; the names of the flagged wards."""
    elements: list[Element] = []
    if content.blocks is not None:
        blocks = Blocks(GeoData(content.blocks),
                        {"indices": [index_title(i) for i in content.indices]})
        elements += [blocks.data, blocks, *(
            WardView(blocks, name=decile_view_name(index), kind="decile", analysis=i,
                     show=False) for i, index in enumerate(content.indices))]
    if content.practices is not None:
        what = "CCG" if footprint_kind(analyses[0]) == "ccg" else "footprint"
        practices = Practices(GeoData(content.practices), name="GP practices, by CCG",
                              options={"what": what})
        elements += [practices.data, practices]
    if content.labels:
        elements.append(Labels(content.labels, name="Names of flagged wards"))
    return elements


def _overlays(analyses: Sequence[Analysis], content: MapContent) -> list[Outlines]:
    """Hatched uncertain pieces, each analysis's footprints, the councils."""
    overlays = [
        Outlines(GeoData(text), name=f"Uncertain pieces ({analysis.label})",
                 options={"pane": "stpgeo-uncertain", "className": "stpgeo-uncertain",
                          "style": style.UNCERTAIN})
        for analysis, text in zip(analyses, content.uncertain, strict=True) if text is not None]
    for i, (analysis, text) in enumerate(zip(analyses, content.footprints, strict=True)):
        label = analysis.label
        overlays.append(Outlines(GeoData(text), name=f"{label} footprints", options={
            "pane": f"stpgeo-footprints-{min(i, 2)}", "className": "stpgeo-footprint",
            "style": style.footprint_style(i), "tooltip": label}))
    overlays.append(Outlines(GeoData(content.councils), name="Councils", options={
        "pane": "stpgeo-councils", "className": "stpgeo-council", "style": style.COUNCIL,
        "focusStyle": style.COUNCIL_FOCUS, "tooltip": "Council"}))
    return overlays


def assemble(analyses: Sequence[Analysis], scope: Scope, content: MapContent, *,
             assets: Assets = "inline", tiles: str | None = BASEMAP) -> folium.Map:
    """The map of prepared content (see :func:`ward_map`)."""
    m = _base_map(scope.title, content, assets=assets, tiles=tiles)
    wards = Wards(GeoData(content.wards), content.metadata)
    elements: list[Element] = [wards.data, wards,
                               Legend(legend_content(analyses, scope, content)),
                               *_views(analyses, wards)]
    for overlay in _overlays(analyses, content):
        elements += [overlay.data, overlay]
    elements += _affected(analyses, content)
    for element in elements:
        m.add_child(element)
    # last: it lists the layers before it; top left, so that it and the legend (bottom
    # right) do not cover each other on small screens (the report's frame)
    folium.LayerControl(collapsed=False, position="topleft").add_to(m)
    m.fit_bounds(content.bounds)
    return m


def ward_map(analyses: AnalysesInput, *, council: str | None = None,
             footprint: str | None = None, tolerance: float | None = None,
             assets: Assets = "inline", tiles: str | None = BASEMAP) -> folium.Map:
    """An interactive map of where wards and footprints do not line up.

    Parameters
    ----------
    analyses
        An :class:`~stpgeo.analysis.result.Analysis`, several (a list, or a dict such as the
        demo's ``{"stp17": ..., "ccg17": ...}``), or folders written by ``stpgeo
        analyse`` or ``stpgeo demo``. The first is primary: it colours the wards and
        decides the scope; every analysis draws its footprints and adds its own
        ways of colouring the wards.
    council
        Code or name of a council: the map shows it and its neighbours (every council
        with wards in a footprint its wards lie in).
    footprint
        Code or name of a footprint: the map shows the councils touching it.
        Without ``council`` or ``footprint`` the map shows every ward.
    tolerance
        Simplification tolerance in metres (default: from the size of the area).
    assets
        "inline" (default): Leaflet and the map's script are inlined and the page
        works offline except for the basemap tiles; "cdn": folium's usual CDN links.
    tiles
        The basemap (a folium tiles name), or None for none.

    Returns
    -------
    folium.Map
        Displays inline in Jupyter; :func:`write_map` writes it to a file.

    Examples
    --------
    >>> m = ward_map("out/demo", council="Birmingham")   # doctest: +SKIP
    >>> write_map(m, "birmingham.html")                  # doctest: +SKIP
    """
    given = as_analyses(analyses)
    scope = choose_scope(given, council=council, footprint=footprint)
    content = map_content(given, scope, tolerance=tolerance)
    return assemble(given, scope, content, assets=assets, tiles=tiles)


def write_map(m: folium.Map, path: str | os.PathLike[str]) -> Path:
    """Write a map to an HTML file atomically (replacing an earlier one)."""
    path = Path(path)
    with atomic_file(path) as staging:
        m.save(str(staging))
    return path
