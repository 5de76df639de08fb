"""stpgeo: where England's NHS footprints and council wards do not line up.

Read boundary layers (:func:`read_layer`), build CCG and STP footprints from their
LSOA building blocks (:func:`build_footprints`), overlay wards on footprints and
find which wards sit outside their council's footprint (:func:`analyse`), and who
lives there: their deprivation (:func:`read_deprivation`) and their GP practices
(:func:`read_practices`). England's data comes from its publishers with :func:`fetch`;
``data_dir("sample")`` is the sample of Birmingham and its neighbours shipped with the
package.
"""

from stpgeo._version import __version__ as __version__
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
