"""The real layers the benchmarks run on: all of England, or the West Midlands.

The West Midlands (the seven metropolitan districts: Birmingham, Coventry,
Dudley, Sandwell, Solihull, Walsall, Wolverhampton; 1,680 LSOAs, 163 wards) is
the small subset the CI smoke test uses. Blocks come from ONS lookup 143 (LSOA to
CCG, STP and district), wards from lookup 032 (ward to district; in the West
Midlands the 2013 ward codes are the 2016 ones).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import geopandas as gpd
import pandas as pd

from stpgeo import Layer, read_layer
from stpgeo.io.lookups import read_lookup
from stpgeo.io.population import read_population

Area = Literal["england", "west-midlands"]

WARDS = "wards/wards_dec2013_england.geojson"
LSOAS = "lsoa/lsoa_2011_england.geojson"
BLOCK_LOOKUP = "lookups/143_LSOA11_CCG17_STP17_LAD17_EN_LU.csv"
WARD_LOOKUP = "lookups/032_WD16_LAD16_UK_LU.csv"
BLOCK_WARDS = "lookups/114_LSOA11_WD16_LAD16_EW_LU.csv"
POPULATION = "population/lsoa11_population_mid2017.csv"
WEST_MIDLANDS = ("E08000025", "E08000026", "E08000027", "E08000028", "E08000029",
                 "E08000030", "E08000031")
TITLES = {"england": "England", "west-midlands": "the West Midlands (7 districts)"}


@dataclass
class Inputs:
    """Wards, LSOAs (as read: not cleaned) and the LSOA lookup of one area.

    ``wards`` holds only codes and polygons (what the overlays compare); ``ward_layer``
    is the wards' layer as read, ``ward_councils`` each ward's district (lookup 032),
    ``block_wards`` lookup 114 and ``population`` the residents of each LSOA.
    """

    area: Area
    wards: gpd.GeoDataFrame
    lsoas: Layer
    lookup: pd.DataFrame
    ward_layer: Layer
    ward_councils: pd.Series
    block_wards: pd.DataFrame
    population: pd.Series

    @property
    def title(self) -> str:
        """The area's name, for the report."""
        return TITLES[self.area]


def load(data: Path, *, area: Area = "england") -> Inputs:
    """Read the wards, the LSOAs and lookup 143, keeping only ``area``.

    Examples
    --------
    >>> inputs = load(data_dir(), area="west-midlands")  # doctest: +SKIP
    >>> len(inputs.wards), len(inputs.lsoas)  # doctest: +SKIP
    (163, 1680)
    """
    ward_layer = read_layer(data / WARDS)
    lsoas = read_layer(data / LSOAS)
    lookup = read_lookup(data / BLOCK_LOOKUP)
    ward_lookup = pd.read_csv(data / WARD_LOOKUP, usecols=["WD16CD", "LAD16CD"], dtype=str)
    councils = ward_lookup.set_index("WD16CD")["LAD16CD"]
    if area == "west-midlands":
        lookup = lookup[lookup["LAD17CD"].isin(WEST_MIDLANDS)]
        lsoas = replace(lsoas, gdf=lsoas.gdf[lsoas.gdf["code"].isin(set(lookup["LSOA11CD"]))])
        in_area = set(councils.index[councils.isin(WEST_MIDLANDS)])
        ward_layer = replace(ward_layer, gdf=ward_layer.gdf[ward_layer.gdf["code"].isin(in_area)])
    wards = ward_layer.polygons
    return Inputs(area=area, wards=wards[["code", "geometry"]], lsoas=lsoas, lookup=lookup,
                  ward_layer=ward_layer,
                  ward_councils=councils.reindex(wards["code"]).dropna(),
                  block_wards=read_lookup(data / BLOCK_WARDS),
                  population=read_population(data / POPULATION))
