"""Interactive maps of where wards and NHS footprints do not line up (folium/Leaflet).

:func:`ward_map` returns a :class:`folium.Map` (it displays inline in Jupyter);
:func:`write_map` writes it to a self-contained HTML file that works offline
except for the basemap tiles. This package is the only part of stpgeo that
reprojects to longitude/latitude (EPSG:4326).

Modules: :mod:`.geometry` (web-sized geometry), :mod:`.features` (the data behind
tooltips and popups), :mod:`.content` (all the GeoJSON of a map), :mod:`.assets`
(inlined JavaScript and CSS), :mod:`.elements` (folium elements), :mod:`.legend`,
:mod:`.ward_map` (assembly). What a map shows is :mod:`stpgeo.outputs.scope`; its
colours and lines, shared with the static map, :mod:`stpgeo.outputs.style`.

Examples
--------
>>> import stpgeo.maps
>>> m = stpgeo.maps.ward_map("out/demo", council="Birmingham")  # doctest: +SKIP
>>> stpgeo.maps.write_map(m, "birmingham.html")                 # doctest: +SKIP
"""

from stpgeo.outputs.maps.ward_map import BASEMAP, ward_map, write_map

__all__ = ["BASEMAP", "ward_map", "write_map"]
