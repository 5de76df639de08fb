"""Conservation checks: nothing is lost or counted twice between the inputs and the tables.

Every analysis checks, and reports in ``summary.json`` under ``conservation``:

area
    For each ward, its area over the footprints (the sum of its pieces) plus its
    area outside every footprint equals its area, within :data:`TOLERANCE` (0.01%).
    The area outside is computed independently of the pieces, as
    ``area(W) − area(W ∩ ∪F)`` with the union of all footprints. Where footprints
    overlap each other the pieces count the overlap twice: such wards are reported
    (``double_counted_m2``), not hidden.
residents
    Likewise with residents: a ward's residents in its pieces plus those of its
    blocks in no footprint equal the residents of its blocks.
wards
    Every input ward appears exactly once in the verdicts, and every ward × footprint
    piece once.
blocks
    Every block's residents are counted once: those placed in a ward plus those in no
    ward (plus those of blocks without a polygon, which no overlay can place) equal
    the residents of all blocks; the same for footprints.

Notes
-----
``area(W ∩ ∪F)`` is cheap for most wards: a ward lying properly inside the union
(a prepared-geometry test) has nothing outside. For the rest, mostly coastal wards,
the union is first cut into tiles of at most :data:`TILE_VERTICES` vertices (a
quadtree of rectangle clips), so that each ward is intersected with a few small
tiles rather than with the whole of England's outline, on all cores. The union is a
quick coverage union when the footprints are a clean coverage (those built from clean
blocks), else GEOS's overlay union.

Examples
--------
>>> import shapely
>>> wards = np.array([shapely.box(0, 0, 2, 1), shapely.box(5, 5, 6, 6)])
>>> footprints = np.array([shapely.box(0, 0, 1, 1), shapely.box(0.5, 0, 3, 1)])
>>> outside_area(wards, footprints).tolist()
[0.0, 1.0]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import shapely

from stpgeo.errors import preview
from stpgeo.geometry.threads import in_threads
from stpgeo.io.layer import Layer

#: Largest accepted relative difference between a ward's area (residents) and the sum
#: of its parts over and outside the footprints.
TOLERANCE = 1e-4

#: Largest number of vertices in a tile of the footprints' union.
TILE_VERTICES = 1024


def _tiles(union: shapely.Geometry) -> np.ndarray:
    """The union cut into disjoint tiles of at most :data:`TILE_VERTICES` vertices."""
    tiles = []
    todo = [(union, tuple(shapely.bounds(union)))]
    while todo:
        geometry, (x0, y0, x1, y1) = todo.pop()
        if shapely.is_empty(geometry):
            continue
        if shapely.get_num_coordinates(geometry) <= TILE_VERTICES or max(x1 - x0, y1 - y0) < 1:
            tiles.append(geometry)
            continue
        if x1 - x0 >= y1 - y0:
            middle = (x0 + x1) / 2
            halves = [(x0, y0, middle, y1), (middle, y0, x1, y1)]
        else:
            middle = (y0 + y1) / 2
            halves = [(x0, y0, x1, middle), (x0, middle, x1, y1)]
        for box in halves:
            part = shapely.clip_by_rect(geometry, *box)
            if not shapely.is_valid(part):  # clip_by_rect is fast but not always clean
                part = shapely.intersection(geometry, shapely.box(*box))
            todo.append((part, box))
    return np.array(tiles, dtype=object)


def outside_area(wards: np.ndarray, footprints: np.ndarray, *, coverage: bool = False
                 ) -> np.ndarray:
    """Each ward's area outside every footprint: ``area(W) − area(W ∩ ∪F)``.

    Parameters
    ----------
    wards, footprints
        Polygons in a projected CRS.
    coverage
        True when the footprints form a clean coverage, so that the fast
        :func:`shapely.coverage_union_all` gives their union.
    """
    area = shapely.area(wards)
    outside = np.zeros(len(wards))
    if not len(footprints):
        return area.astype(float)
    union = shapely.coverage_union_all(footprints) if coverage else shapely.union_all(footprints)
    if coverage and not shapely.is_valid(union):
        union = shapely.union_all(footprints)
    shapely.prepare(union)
    rest = np.flatnonzero(~shapely.contains_properly(union, wards))
    if len(rest):
        tiles = _tiles(union)
        cut = wards[rest]
        ward_at, tile_at = shapely.STRtree(tiles).query(cut, predicate="intersects")
        shared = shapely.area(in_threads(shapely.intersection, cut[ward_at], tiles[tile_at]))
        outside[rest] = area[rest] - np.bincount(ward_at, weights=shared, minlength=len(rest))
    return np.clip(outside, 0.0, None)


def _whole(value: float) -> int:
    """A count of residents as a whole number."""
    return int(np.rint(value))


def _failing(gap: pd.Series, total: pd.Series, floor: float) -> pd.Series:
    """Which differences exceed the tolerance (relative, with an absolute floor)."""
    return gap.abs() > np.maximum(TOLERANCE * total.abs(), floor)


def ward_outside_areas(wards: Layer, footprints: Layer, *, coverage: bool | None = None
                       ) -> np.ndarray:
    """Each ward's area outside every footprint (:func:`outside_area`), in the order of the
    wards' polygons; ``coverage`` says the footprints are a clean coverage (by default,
    when the layer says so)."""
    return outside_area(np.asarray(wards.polygons.geometry.values),
                        np.asarray(footprints.polygons.geometry.values),
                        coverage=footprints.coverage_clean if coverage is None else coverage)


def _area_check(wards: Layer, footprints: Layer, pieces: pd.DataFrame,
                outside_m2: np.ndarray | None) -> dict[str, Any]:
    polygons = wards.polygons
    codes = pd.Index(polygons["code"])
    area = pd.Series(shapely.area(polygons.geometry.values), index=codes)
    outside = pd.Series(ward_outside_areas(wards, footprints) if outside_m2 is None
                        else outside_m2, index=codes)
    over = pieces.groupby("ward_code")["area_m2"].sum().reindex(codes).fillna(0.0)
    gap = over + outside - area
    failing = _failing(gap, area, floor=1e-6)
    relative = (gap.abs() / area.where(area > 0)).fillna(0.0)
    doubled = gap[failing & (gap > 0)]
    return {
        "wards_checked": len(codes),
        "ward_area_m2": float(area.sum()),
        "area_over_footprints_m2": float(over.sum()),
        "area_outside_footprints_m2": float(outside.sum()),
        "largest_relative_gap": float(relative.max()) if len(relative) else 0.0,
        "wards_failing": int(failing.sum()),
        "examples": [str(c) for c in gap[failing].abs().sort_values(ascending=False).index[:10]],
        "wards_double_counted": len(doubled),
        "double_counted_m2": float(doubled.sum()),
        "holds": not failing.any(),
    }


def _residents_check(pieces: pd.DataFrame, blocks: pd.DataFrame) -> dict[str, Any]:
    placed = blocks.dropna(subset=["ward"])
    residents = placed.groupby("ward")["population"].sum()
    codes = residents.index
    over = pieces.groupby("ward_code")["population"].sum().reindex(codes).fillna(0.0)
    outside = (placed[placed["footprint"].isna()].groupby("ward")["population"].sum()
               .reindex(codes).fillna(0.0))
    gap = over + outside - residents
    failing = _failing(gap, residents, floor=0.5)
    return {
        "wards_checked": len(codes),
        "ward_residents": _whole(residents.sum()),
        "residents_over_footprints": _whole(over.sum()),
        "residents_outside_footprints": _whole(outside.sum()),
        "largest_gap": float(gap.abs().max()) if len(gap) else 0.0,
        "wards_failing": int(failing.sum()),
        "examples": [str(c) for c in gap[failing].index[:10]],
        "holds": not failing.any(),
    }


def _blocks_check(blocks: pd.DataFrame, block_layer: Layer, population: pd.Series
                  ) -> dict[str, Any]:
    every = block_layer.gdf["code"].dropna()
    total = float(population.reindex(every.unique()).sum())
    without_polygon = float(population.reindex(
        every[~every.index.isin(block_layer.polygons.index)].unique()).sum())
    people = blocks["population"].fillna(0.0)
    in_wards = float(people[blocks["ward"].notna()].sum())
    in_footprints = float(people[blocks["footprint"].notna()].sum())
    counted = float(people.sum())
    repeated = int(blocks.index.duplicated().sum())
    return {
        "blocks": len(blocks),
        "blocks_repeated": repeated,
        "residents": _whole(total),
        "residents_in_wards": _whole(in_wards),
        "residents_in_no_ward": _whole(counted - in_wards),
        "residents_in_footprints": _whole(in_footprints),
        "residents_in_no_footprint": _whole(counted - in_footprints),
        "residents_in_blocks_without_polygon": _whole(without_polygon),
        "holds": repeated == 0 and abs(counted + without_polygon - total) < 0.5,
    }


def _wards_check(wards: Layer, verdicts: pd.DataFrame, pieces: pd.DataFrame) -> dict[str, Any]:
    given = pd.Index(wards.gdf["code"])
    listed = verdicts["ward_code"]
    missing = given.difference(pd.Index(listed))
    repeated = listed[listed.duplicated()].unique()
    pieces_repeated = int(pieces.duplicated(["ward_code", "footprint_code"]).sum())
    return {
        "input_wards": len(given),
        "verdict_rows": len(listed),
        "missing": [str(c) for c in missing[:10]],
        "repeated": [str(c) for c in repeated[:10]],
        "pieces_repeated": pieces_repeated,
        "holds": len(listed) == len(given) and not len(missing) and not len(repeated)
        and not pieces_repeated,
    }


def check_conservation(wards: Layer, footprints: Layer, pieces: pd.DataFrame,
                       verdicts: pd.DataFrame, *, blocks: pd.DataFrame | None = None,
                       block_layer: Layer | None = None,
                       population: pd.Series | None = None,
                       outside_m2: np.ndarray | None = None) -> dict[str, Any]:
    """Check that area, residents, wards and blocks are each counted exactly once.

    Parameters
    ----------
    wards, footprints
        The analysed layers (EPSG:27700).
    pieces
        One row per ward × footprint piece: ``ward_code``, ``footprint_code``,
        ``area_m2``, ``population``.
    verdicts
        One row per ward (``ward_code``), as written to ``ward_verdicts.csv``.
    blocks, block_layer, population
        Each block's ``ward``, ``footprint`` and ``population``; the block layer; the
        residents per block. Without them the residents checks are None.
    outside_m2
        Each ward's area outside every footprint (:func:`ward_outside_areas`) when it is
        already known (from the cache); else it is computed here.

    Returns
    -------
    dict
        ``tolerance``, ``area``, ``residents``, ``wards``, ``blocks`` (each with its
        figures and ``holds``) and ``holds`` (all of them).
    """
    report: dict[str, Any] = {
        "tolerance": TOLERANCE,
        "area": _area_check(wards, footprints, pieces, outside_m2),
        "residents": None,
        "wards": _wards_check(wards, verdicts, pieces),
        "blocks": None,
    }
    if blocks is not None and population is not None and block_layer is not None:
        report["residents"] = _residents_check(pieces, blocks)
        report["blocks"] = _blocks_check(blocks, block_layer, population)
    report["holds"] = all(part["holds"] for part in report.values()
                          if isinstance(part, dict))
    return report


def conservation_warnings(report: dict[str, Any]) -> list[str]:
    """Sentences for the summary's warnings when a conservation check fails."""
    found = []
    area = report["area"]
    if area["wards_double_counted"]:
        found.append(
            f"footprints overlap each other: in {area['wards_double_counted']:,} wards "
            f"{area['double_counted_m2']:,.0f} m² lie in two footprints at once and are counted "
            f"twice, so their area shares add up to more than 1 (e.g. "
            f"{preview(area['examples'], 5)})")
    if area["wards_failing"] > area["wards_double_counted"]:
        found.append(
            f"area is not conserved in {area['wards_failing'] - area['wards_double_counted']:,} "
            f"wards: their pieces miss part of their area inside the footprints (e.g. "
            f"{preview(area['examples'], 5)}); please report this as a bug")
    for name in ("residents", "wards", "blocks"):
        part = report[name]
        if part is not None and not part["holds"]:
            found.append(f"the {name} conservation check failed: {_short(part)}; please report "
                         "this as a bug")
    return found


def _short(part: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in part.items() if k != "holds")
