"""stpgeo: where England's NHS footprints and council wards do not line up.

Read boundary layers (:func:`read_layer`), build CCG and STP footprints from their
LSOA building blocks (:func:`build_footprints`), overlay wards on footprints and
find which wards sit outside their council's footprint (:func:`analyse`).
"""

from ._version import __version__ as __version__
from .analysis import analyse, analyse_many
from .build import build_footprints
from .catalogue import data_dir, load_catalogue
from .coverage import clean_coverage
from .errors import StpgeoError, StpgeoWarning
from .findings import council_findings, national_findings
from .layer import Layer
from .lookups import read_lookup
from .overlap import overlap_table
from .population import read_population
from .progress import show_progress
from .read import read_layer
from .result import Analysis

__all__ = [
    "Analysis",
    "Layer",
    "StpgeoError",
    "StpgeoWarning",
    "analyse",
    "analyse_many",
    "build_footprints",
    "clean_coverage",
    "council_findings",
    "data_dir",
    "load_catalogue",
    "national_findings",
    "overlap_table",
    "read_layer",
    "read_lookup",
    "read_population",
    "show_progress",
]
