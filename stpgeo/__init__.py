"""stpgeo: where England's NHS footprints and council wards do not line up.

Read boundary layers (:func:`read_layer`), build CCG and STP footprints from their
LSOA building blocks (:func:`build_footprints`), overlay wards on footprints and
find which wards sit outside their council's footprint (:func:`analyse`).
"""

from .catalogue import data_dir, load_catalogue
from .errors import StpgeoError, StpgeoWarning
from .layer import Layer
from .progress import show_progress
from .read import read_layer

__all__ = [
    "Layer",
    "StpgeoError",
    "StpgeoWarning",
    "data_dir",
    "load_catalogue",
    "read_layer",
    "show_progress",
]
__version__ = "0.1.0"
