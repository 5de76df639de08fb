"""Comparisons 1 and 2: the overlap (pair-area) table of two polygon layers.

stpgeo's :func:`stpgeo.engine.overlap.overlap_table` against ``geopandas.overlay(how=
"intersection")`` followed by the pieces' areas, and (wards × LSOAs) against tobler's
sparse intersection-area table (:func:`tobler.area_weighted._area_tables_binning`,
what ``area_interpolate`` builds first). Every contender gets the same two
GeoDataFrames; all answers are reduced to areas indexed by pair positions.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from stpgeo.engine.overlap import overlap_table
from stpgeo.io.layer import Layer

from .report import Section, versus
from .same import same_pairs
from .timing import race

PAIR = ["left_index", "right_index"]


def _positions(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The frame with a plain 0..n-1 index, so answers are keyed by positions."""
    return frame[["code", "geometry"]].reset_index(drop=True)


def stpgeo_areas(left: gpd.GeoDataFrame, right: gpd.GeoDataFrame | Layer) -> pd.Series:
    """stpgeo's pair areas."""
    table = overlap_table(left, right)
    return table.set_index(PAIR)["area_m2"]


def overlay_areas(left: gpd.GeoDataFrame, right: gpd.GeoDataFrame) -> pd.Series:
    """geopandas.overlay's pair areas (polygon pieces only)."""
    pieces = gpd.overlay(left.assign(left_index=np.arange(len(left)))[["left_index", "geometry"]],
                         right.assign(right_index=np.arange(len(right)))[
                             ["right_index", "geometry"]],
                         how="intersection", keep_geom_type=True)
    pieces["area"] = pieces.geometry.area
    return pieces.groupby(PAIR)["area"].sum()


def tobler_areas(left: gpd.GeoDataFrame, right: gpd.GeoDataFrame) -> pd.Series:
    """tobler's sparse intersection-area table (float32, as tobler stores it)."""
    from tobler.area_weighted.area_interpolate import _area_tables_binning  # imported before

    table = _area_tables_binning(left, right, "auto").tocoo()
    index = pd.MultiIndex.from_arrays([table.row, table.col], names=PAIR)
    return pd.Series(table.data.astype(float), index=index)


def compare_overlaps(left: gpd.GeoDataFrame, right: gpd.GeoDataFrame | Layer, *, title: str,
                     input: str, repeats: int, target: float | None = None,
                     with_tobler: bool = False) -> Section:
    """Time stpgeo against overlay (and tobler), after checking they agree.

    A :class:`~stpgeo.io.layer.Layer` on the right (footprints built by stpgeo) reaches
    stpgeo as a Layer, with what it knows (a clean coverage); the others get its polygons.
    """
    layer = right if isinstance(right, Layer) else None
    left, right = _positions(left), _positions(right.gdf if layer is not None else right)
    ours = (Layer(right, source=layer.source, coverage_clean=layer.coverage_clean)
            if layer is not None else right)
    contenders = {"stpgeo": lambda: stpgeo_areas(left, ours),
                  "geopandas.overlay": lambda: overlay_areas(left, right)}
    if with_tobler:
        import tobler.area_weighted.area_interpolate  # noqa: F401  (import time is not timed)

        contenders["tobler area table"] = lambda: tobler_areas(left, right)
    timed = race(contenders, repeats=repeats)
    ours = timed.pop("stpgeo")
    section = Section(title, input)
    for name, theirs in timed.items():
        section.checks.append(same_pairs(ours.answer, theirs.answer, reference=name))
        section.rows.append(versus(f"vs {name}", ours, theirs,
                                   target=target if name == "geopandas.overlay" else None))
    return section

