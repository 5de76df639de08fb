"""stpgeo: where England's NHS footprints and council wards do not line up.

Read boundary layers (:func:`read_layer`), build CCG and STP footprints from their
LSOA building blocks (:func:`build_footprints`), overlay wards on footprints and
find which wards sit outside their council's footprint (:func:`analyse`), and follow
councils and wards through every footprint vintage from 2015 to 2022, and proposals
(:func:`timeline`).
"""

from stpgeo._version import __version__ as __version__
from stpgeo.analysis.options import AnalysisOptions
from stpgeo.analysis.pipeline import analyse, analyse_many
from stpgeo.analysis.proposals import Proposal, read_proposal
from stpgeo.analysis.result import Analysis
from stpgeo.analysis.timeline import timeline
from stpgeo.analysis.timeline_result import Timeline
from stpgeo.engine.footprints import build_footprints, clean_coverage
from stpgeo.engine.overlap import overlap_table
from stpgeo.errors import StpgeoError
from stpgeo.io.catalogue import data_dir, load_catalogue
from stpgeo.io.layer import Layer
from stpgeo.io.lookups import read_lookup
from stpgeo.io.population import read_population
from stpgeo.io.read import read_layer
from stpgeo.io.vintages import FootprintVintage, footprint_vintages
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
    "analyse",
    "analyse_many",
    "build_footprints",
    "clean_coverage",
    "council_findings",
    "data_dir",
    "footprint_vintages",
    "load_catalogue",
    "national_findings",
    "overlap_table",
    "read_layer",
    "read_lookup",
    "read_population",
    "read_proposal",
    "show_progress",
    "timeline",
]
