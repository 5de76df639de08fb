"""Type aliases shared by stpgeo's modules."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from stpgeo.io.layer import Layer

PathLike: TypeAlias = "str | os.PathLike[str]"
#: A boundary layer: a Layer, a GeoDataFrame with code and name columns, or a file.
LayerInput: TypeAlias = "Layer | gpd.GeoDataFrame | str | os.PathLike[str]"
#: A lookup table: a DataFrame or a CSV file.
LookupInput: TypeAlias = "pd.DataFrame | str | os.PathLike[str]"
#: Residents per block: a Series indexed by block code, or a CSV file.
PopulationInput: TypeAlias = "pd.Series | str | os.PathLike[str]"
#: Deciles of deprivation per block, or GP practices: a DataFrame as stpgeo reads them
#: (:func:`stpgeo.read_deprivation`, :func:`stpgeo.read_practices`), or a CSV file.
TableInput: TypeAlias = "pd.DataFrame | str | os.PathLike[str]"
