"""Comparison 3: building footprints (STPs) from LSOAs.

stpgeo's :func:`stpgeo.engine.footprints.build_footprints` (coverage cleaning + coverage
unions) against joining the lookup and ``GeoDataFrame.dissolve``. Both start from
the same LSOA layer as read (repaired, not cleaned) and the same lookup table.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from stpgeo.engine.footprints import build_footprints
from stpgeo.io.layer import Layer

from .inputs import Inputs
from .report import Section, versus
from .same import same_footprints
from .timing import race

BY = "STP17CD"
#: stpgeo must be at least this many times faster than dissolve.
TARGET = 3.0


def dissolved(blocks: gpd.GeoDataFrame, lookup: pd.DataFrame, *, by: str = BY,
              block: str = "LSOA11CD") -> gpd.GeoDataFrame:
    """The footprints as geopandas makes them: join the lookup (its ``block`` column of
    LSOA codes), dissolve by code."""
    joined = blocks[["code", "geometry"]].merge(
        lookup[[block, by]], left_on="code", right_on=block)
    return joined[[by, "geometry"]].dissolve(by).reset_index().rename(columns={by: "code"})


def compare_footprints(inputs: Inputs, *, repeats: int
                       ) -> tuple[Section, Layer, gpd.GeoDataFrame]:
    """Time both builds; also return stpgeo's and dissolve's footprints for later use.

    stpgeo builds without its cache (every repeat does all the work).
    """
    timed = race({
        "stpgeo": lambda: build_footprints(inputs.lsoas, inputs.lookup, by=BY, cache=False),
        "geopandas.dissolve": lambda: dissolved(inputs.lsoas.polygons, inputs.lookup),
    }, repeats=repeats)
    ours, theirs = timed["stpgeo"], timed["geopandas.dissolve"]
    repaired = int((inputs.lsoas.repairs["action"] == "repaired with make_valid").sum())
    section = Section(
        f"build {BY} footprints",
        f"{len(inputs.lsoas):,} LSOAs of {inputs.title} as read ({repaired} repaired with "
        f"make_valid, not cleaned) → {len(ours.answer)} footprints with lookup 143",
        rows=[versus("vs geopandas.dissolve", ours, theirs, target=TARGET)],
        checks=[same_footprints(ours.answer.gdf, theirs.answer, reference="geopandas.dissolve")])
    return section, ours.answer, theirs.answer
