"""stpgeo: where England's NHS footprints and council wards do not line up.

Read boundary layers (:func:`read_layer`), build CCG and STP footprints from their
LSOA building blocks (:func:`build_footprints`), overlay wards on footprints and
find which wards sit outside their council's footprint (:func:`analyse`), and who
lives there: their deprivation (:func:`read_deprivation`) and their GP practices
(:func:`read_practices`). England's data comes from its publishers with :func:`fetch`;
``data_dir("sample")`` is the sample of Birmingham and its neighbours shipped with the
package.

The names are imported when first used (:pep:`562`), so that ``import stpgeo`` and the
``stpgeo`` command start quickly: ``stpgeo --help`` does not import geopandas, folium or
matplotlib, and ``stpgeo analyse`` imports neither the maps nor the atlas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from stpgeo._version import __version__ as __version__

if TYPE_CHECKING:
    from stpgeo.analysis.options import AnalysisOptions
    from stpgeo.analysis.pipeline import analyse, analyse_many
    from stpgeo.analysis.result import Analysis
    from stpgeo.analysis.timeline import timeline
    from stpgeo.analysis.timeline.proposals import Proposal, read_proposal
    from stpgeo.analysis.timeline.result import Timeline
    from stpgeo.engine.footprints import build_footprints, clean_coverage
    from stpgeo.engine.overlap import overlap_table
    from stpgeo.errors import StpgeoError
    from stpgeo.io.catalogue import data_dir, load_catalogue
    from stpgeo.io.deprivation import read_deprivation
    from stpgeo.io.fetch import fetch
    from stpgeo.io.frame import layer_from_frame
    from stpgeo.io.layer import Layer
    from stpgeo.io.lookups import read_lookup
    from stpgeo.io.population import read_population
    from stpgeo.io.practices import read_practices
    from stpgeo.io.read import read_layer
    from stpgeo.io.vintages import FootprintVintage, footprint_vintages
    from stpgeo.outputs.affected import affected_findings
    from stpgeo.outputs.atlas.site import write_atlas
    from stpgeo.outputs.findings import council_findings, national_findings
    from stpgeo.progress import show_progress

#: Where each public name is defined.
_WHERE = {
    "Analysis": "stpgeo.analysis.result",
    "AnalysisOptions": "stpgeo.analysis.options",
    "FootprintVintage": "stpgeo.io.vintages",
    "Layer": "stpgeo.io.layer",
    "Proposal": "stpgeo.analysis.timeline.proposals",
    "StpgeoError": "stpgeo.errors",
    "Timeline": "stpgeo.analysis.timeline.result",
    "affected_findings": "stpgeo.outputs.affected",
    "analyse": "stpgeo.analysis.pipeline",
    "analyse_many": "stpgeo.analysis.pipeline",
    "build_footprints": "stpgeo.engine.footprints",
    "clean_coverage": "stpgeo.engine.footprints",
    "council_findings": "stpgeo.outputs.findings",
    "data_dir": "stpgeo.io.catalogue",
    "fetch": "stpgeo.io.fetch",
    "footprint_vintages": "stpgeo.io.vintages",
    "layer_from_frame": "stpgeo.io.frame",
    "load_catalogue": "stpgeo.io.catalogue",
    "national_findings": "stpgeo.outputs.findings",
    "overlap_table": "stpgeo.engine.overlap",
    "read_deprivation": "stpgeo.io.deprivation",
    "read_layer": "stpgeo.io.read",
    "read_lookup": "stpgeo.io.lookups",
    "read_population": "stpgeo.io.population",
    "read_practices": "stpgeo.io.practices",
    "read_proposal": "stpgeo.analysis.timeline.proposals",
    "show_progress": "stpgeo.progress",
    "timeline": "stpgeo.analysis.timeline",
    "write_atlas": "stpgeo.outputs.atlas.site",
}


def __getattr__(name: str) -> Any:
    """Import a public name from its module when first asked for (:pep:`562`)."""
    if name not in _WHERE:
        raise AttributeError(f"module 'stpgeo' has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])


__all__ = [
    "Analysis",
    "AnalysisOptions",
    "FootprintVintage",
    "Layer",
    "Proposal",
    "StpgeoError",
    "Timeline",
    "affected_findings",
    "analyse",
    "analyse_many",
    "build_footprints",
    "clean_coverage",
    "council_findings",
    "data_dir",
    "fetch",
    "footprint_vintages",
    "layer_from_frame",
    "load_catalogue",
    "national_findings",
    "overlap_table",
    "read_deprivation",
    "read_layer",
    "read_lookup",
    "read_population",
    "read_practices",
    "read_proposal",
    "show_progress",
    "timeline",
    "write_atlas",
]
