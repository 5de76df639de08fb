"""Checking that stpgeo and the reference give the same answer, before timing counts.

Pair tables are compared as Series of areas indexed by ``(left_index,
right_index)`` (positions in the two inputs). Pieces of zero area (pairs that only
touch) are dropped on both sides, by the same rule.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from stpgeo.analysis.result import Analysis

#: Relative tolerance on a pair's area.
AREA_RTOL = 1e-6
#: Absolute tolerance on a pair's area (m²): slivers of a few mm² carry float noise.
AREA_ATOL_M2 = 1e-6
#: Relative tolerance on a footprint's area.
FOOTPRINT_RTOL = 1e-4


class MismatchError(AssertionError):
    """stpgeo and the reference disagree: the timing would compare different work."""


def positive(areas: pd.Series) -> pd.Series:
    """The pairs with a positive area, sorted by pair (touch-only pairs dropped)."""
    return areas[areas > 0].sort_index()


def same_pairs(ours: pd.Series, theirs: pd.Series, *, reference: str) -> str:
    """Raise :class:`MismatchError` unless both have the same pairs and areas; else say so.

    Examples
    --------
    >>> index = pd.MultiIndex.from_tuples([(0, 0), (0, 1)])
    >>> same_pairs(pd.Series([2.0, 1.0], index), pd.Series([2.0, 1.0], index), reference="x")
    'same 2 pairs as x, areas within 1e-06 relative'
    """
    ours, theirs = positive(ours), positive(theirs)
    only_ours = ours.index.difference(theirs.index)
    only_theirs = theirs.index.difference(ours.index)
    if len(only_ours) or len(only_theirs):
        raise MismatchError(
            f"pairs differ from {reference}: {len(only_ours)} only in stpgeo "
            f"(largest {ours.reindex(only_ours).max():.3g} m²), {len(only_theirs)} only in "
            f"{reference} (largest {theirs.reindex(only_theirs).max():.3g} m²)")
    theirs = theirs.reindex(ours.index)
    close = np.isclose(ours.to_numpy(), theirs.to_numpy(), rtol=AREA_RTOL, atol=AREA_ATOL_M2)
    if not close.all():
        worst = (ours / theirs - 1).abs().idxmax()
        raise MismatchError(f"{(~close).sum()} areas differ from {reference}; worst pair {worst}: "
                       f"{ours[worst]:.6f} vs {theirs[worst]:.6f} m²")
    return f"same {len(ours):,} pairs as {reference}, areas within {AREA_RTOL:g} relative"


def same_footprints(ours: gpd.GeoDataFrame, theirs: gpd.GeoDataFrame, *, reference: str) -> str:
    """Same codes, areas within 1e-4, all valid, and stpgeo no more parts than the reference.

    Both frames have a ``code`` column and a geometry.
    """
    ours, theirs = ours.set_index("code").sort_index(), theirs.set_index("code").sort_index()
    if not ours.index.equals(theirs.index):
        raise MismatchError(f"footprint codes differ from {reference}")
    ours_area = shapely.area(ours.geometry.values)
    relative = np.abs(ours_area / shapely.area(theirs.geometry.values) - 1)
    if relative.max() > FOOTPRINT_RTOL:
        raise MismatchError(f"footprint {ours.index[relative.argmax()]} differs from {reference} "
                       f"by {relative.max():.2e} of its area")
    for frame, who in ((ours, "stpgeo"), (theirs, reference)):
        if not shapely.is_valid(frame.geometry.values).all():
            raise MismatchError(f"{who} made invalid footprints")
    parts = int(shapely.get_num_geometries(ours.geometry.values).sum())
    their_parts = int(shapely.get_num_geometries(theirs.geometry.values).sum())
    if parts > their_parts:
        raise MismatchError(f"stpgeo's footprints have {parts} parts, {reference}'s {their_parts}")
    holes = int(shapely.get_num_interior_rings(shapely.get_parts(ours.geometry.values)).sum())
    their_holes = int(shapely.get_num_interior_rings(
        shapely.get_parts(theirs.geometry.values)).sum())
    return (f"same {len(ours)} codes as {reference}, areas within {relative.max():.1e} "
            f"(≤ {FOOTPRINT_RTOL:g}), all valid; parts {parts} vs {their_parts}, "
            f"holes {holes:,} vs {their_holes:,}")


#: The result tables compared between two analyses of the same inputs.
TABLES = ("ward_footprints", "ward_verdicts", "councils", "footprints", "blocks")


def same_analyses(ours: Analysis, theirs: Analysis, *, reference: str) -> str:
    """Raise :class:`MismatchError` unless two analyses have the same tables: codes, verdicts,
    kinds and residents exactly, areas within a square metre (or 1e-6 of the ward's
    area), shares within 1e-6; pieces' geometries of the same areas. Else say so."""
    worst = {"area": 0.0, "share": 0.0}
    for name in TABLES:
        mine, other = getattr(ours, name), getattr(theirs, name)
        if (mine is None) != (other is None):
            raise MismatchError(f"{name}: only one of the two has it ({reference})")
        if mine is None:
            continue
        if list(mine.columns) != list(other.columns) or not mine.index.equals(other.index):
            raise MismatchError(f"{name}: other rows or columns than {reference}")
        for column in mine.columns:
            a, b = mine[column], other[column]
            if column == "area_m2":
                ward = ours.wards_gdf.set_index("ward_code")["area_m2"].reindex(
                    mine["ward_code"]).to_numpy()
                gap = np.abs(a.to_numpy() - b.to_numpy())
                worst["area"] = max(worst["area"], float(gap.max(initial=0.0)))
                if (gap > np.maximum(1.0, 1e-6 * ward)).any():
                    raise MismatchError(f"{name}.{column}: areas differ from {reference} by "
                                        f"up to {gap.max():.3g} m²")
            elif "share" in column:
                gap = np.abs(a.astype(float).to_numpy() - b.astype(float).to_numpy())
                gap = gap[~np.isnan(gap)]
                worst["share"] = max(worst["share"], float(gap.max(initial=0.0)))
                same_nan = (a.isna() == b.isna()).all()
                if not same_nan or (gap > 1e-6).any():
                    raise MismatchError(f"{name}.{column}: shares differ from {reference}")
            elif not a.equals(b):
                raise MismatchError(f"{name}.{column}: {int((a != b).sum())} values differ from "
                                    f"{reference}")
    area = shapely.area(np.asarray(ours.pieces_gdf.geometry.values))
    other_area = shapely.area(np.asarray(theirs.pieces_gdf.geometry.values))
    if not np.allclose(area, other_area, rtol=1e-6, atol=1.0):
        raise MismatchError(f"the pieces' geometries differ from {reference}")
    return (f"every table equal to {reference}: codes, verdicts, kinds and residents "
            f"exactly, areas within {worst['area']:.1e} m², shares within "
            f"{worst['share']:.1e}")
