"""Interactive maps (public facade): :func:`ward_map`, :func:`write_map`.

The maps live in :mod:`stpgeo.outputs.maps`; this module keeps the short public
name ``stpgeo.maps``.

Examples
--------
>>> import stpgeo.maps
>>> m = stpgeo.maps.ward_map("out/demo", council="Birmingham")  # doctest: +SKIP
>>> stpgeo.maps.write_map(m, "birmingham.html")                 # doctest: +SKIP
"""

from stpgeo.outputs.analyses import read_analyses
from stpgeo.outputs.maps import BASEMAP, ward_map, write_map
from stpgeo.outputs.scope import Scope, choose_scope

__all__ = ["BASEMAP", "Scope", "choose_scope", "read_analyses", "ward_map", "write_map"]
