"""Footprints made of whole blocks: the wards' pieces summed from the ward × block table.

CCGs and STPs are unions of whole LSOAs. When a footprint layer is made of the
run's own blocks, a ward's piece in a footprint is the sum of its pieces in the
footprint's blocks,

``area(W ∩ F) = Σ area(W ∩ b)`` over the blocks ``b`` of ``F``,

exactly, as the blocks do not overlap. The ward × block table is computed by every
analysis with blocks (:mod:`stpgeo.analysis.run`), so the ward × footprint table
costs a sum instead of an overlay, and each block's footprint is known without
overlaying the blocks either. A layer takes this *blocks* route when

- it was built from the run's blocks by :func:`stpgeo.build_footprints` (its
  :class:`~stpgeo.io.layer.BlockBuild` fingerprints match the blocks and the
  footprints as they are now); or
- a block-footprint lookup defines it exactly: every footprint is, to within
  :data:`EXACT_M2`, the union of the blocks the lookup gives it (measured from the
  block × footprint overlay: the parts of its blocks outside it and the parts of it
  outside its blocks);

and in both cases the blocks are a clean coverage (:func:`stpgeo.clean_coverage`),
whose blocks do not overlap, and every footprint differs from the sum of its blocks'
areas by at most :data:`EXACT_M2` (for England's cleaned LSOAs, 2e-5 m²; the LSOA
file as published overlaps itself by about 55 m² in all, which is why the blocks must
be cleaned). Any other layer takes the *overlay* route (:mod:`stpgeo.engine.overlap`).
``summary.json`` says which route each layer took, and why (``ward_footprint_overlaps``).

Pieces carry geometry too (``layers.gpkg``, the map): a ward lying wholly in one
footprint is its own piece; only the pieces of wards that cross footprints, or
reach beyond them, are intersected.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from stpgeo.analysis.run import WardWork
from stpgeo.engine.intersect import intersect_pairs
from stpgeo.geometry.crs import MEASURE_CRS
from stpgeo.io.fingerprint import table_digest
from stpgeo.io.layer import Layer

#: Largest difference (m²) between a footprint and its blocks for the blocks route.
EXACT_M2 = 0.1
#: A ward whose single piece falls short of its area by no more than this share (and
#: 1e-6 m²) lies wholly in its footprint: the piece's geometry is the ward.
WHOLE_SHARE = 1e-9


@dataclass(frozen=True)
class Route:
    """How a footprint layer's ward × footprint table is made.

    Attributes
    ----------
    method
        ``"blocks"`` (summed from the ward × block table) or ``"overlay"``.
    why
        The reason, in words.
    members
        Block code → footprint code, for the blocks route.
    figures
        What was measured: the largest and total difference between a footprint and
        its blocks (m²).
    built
        Whether the layer is exactly what :func:`stpgeo.build_footprints` dissolved from
        the run's clean blocks, and so a clean coverage itself.
    """

    method: str
    why: str
    members: pd.Series | None = field(default=None, repr=False)
    figures: dict[str, Any] = field(default_factory=dict)
    built: bool = False

    def summary(self) -> dict[str, Any]:
        """For summary.json."""
        return {"method": self.method, "why": self.why, **self.figures}


def _differences(members: pd.Series, inside: pd.Series, footprints: Layer,
                 block_area: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Per footprint: its area minus its blocks' areas inside it (gap), and its blocks'
    areas outside it (leak)."""
    codes = pd.Index(footprints.polygons["code"])
    area = pd.Series(shapely.area(footprints.polygons.geometry.values), index=codes)
    inside_sum = inside.groupby(members.reindex(inside.index)).sum().reindex(codes).fillna(0.0)
    outside = (block_area.reindex(members.index) - inside.reindex(members.index).fillna(0.0))
    leak = outside.groupby(members).sum().reindex(codes).fillna(0.0)
    return area - inside_sum, leak


def _route(members: pd.Series, gap: pd.Series, leak: pd.Series, how: str) -> Route:
    error = gap.abs() + leak.abs()
    figures = {"largest_difference_m2": float(error.max()) if len(error) else 0.0,
               "total_difference_m2": float(error.sum()),
               "footprints": len(error)}
    if len(error) and error.max() > EXACT_M2:
        worst = error.idxmax()
        return Route("overlay", f"{how}, but footprint {worst} differs from its blocks by "
                     f"{error.max():,.2f} m² (more than {EXACT_M2:g} m²)", figures=figures)
    return Route("blocks", how, members=members, figures=figures)


def built_route(work: WardWork, footprints: Layer) -> Route | None:
    """The blocks route for a layer built from the run's blocks, or None."""
    blocks, built = work.inputs.blocks, footprints.built_from
    if blocks is None or built is None or not blocks.coverage_clean:
        return None
    if (work.cache.fingerprint(blocks.gdf) != built.blocks_digest
            or work.cache.fingerprint(footprints.gdf) != built.digest):
        return None
    polygons = blocks.polygons
    block_area = pd.Series(shapely.area(polygons.geometry.values),
                           index=pd.Index(polygons["code"], dtype=object))
    members = built.members[built.members.index.isin(block_area.index)]
    inside = block_area.reindex(members.index)
    gap, leak = _differences(members, inside, footprints, block_area)
    return replace(_route(members, gap, leak, "built from the run's blocks"), built=True)


def lookup_route(work: WardWork, name: str, footprints: Layer,
                 block_overlaps: pd.DataFrame) -> Route:
    """The blocks route where the block-footprint lookup defines the layer exactly, else the
    overlay route (with the reason)."""
    blocks = work.inputs.blocks
    match = work.matches.block_footprints.get(name)
    if blocks is None:
        return Route("overlay", "no blocks were given")
    if match is None:
        return Route("overlay", "the footprints were not built from the run's blocks and no "
                     "block-footprint lookup was given")
    if not blocks.coverage_clean:
        return Route("overlay", "the blocks are not a clean coverage (stpgeo.clean_coverage), "
                     "so their own overlaps would count twice")
    polygons = blocks.polygons
    block_area = pd.Series(shapely.area(polygons.geometry.values),
                           index=pd.Index(polygons["code"], dtype=object))
    codes = set(footprints.polygons["code"])
    members = match.mapping[match.mapping.isin(codes)]
    members = members[members.index.isin(block_area.index)]
    if set(members.unique()) != codes:
        return Route("overlay", "the block-footprint lookup does not give blocks to every "
                     "footprint")
    own = block_overlaps[block_overlaps["right"].to_numpy()
                         == members.reindex(block_overlaps["left"]).to_numpy()]
    inside = own.groupby("left")["area_m2"].sum()
    gap, leak = _differences(members, inside, footprints, block_area)
    return _route(members, gap, leak,
                  f"defined by the block-footprint lookup ({match.notes['file']})")


def block_overlaps_from(blocks: Layer, footprints: Layer, members: pd.Series) -> pd.DataFrame:
    """The block × footprint overlap table of footprints made of whole blocks: each block
    wholly in its own footprint (as :func:`~stpgeo.engine.overlap.overlap_table` gives it)."""
    polygons, targets = blocks.polygons, footprints.polygons
    placed = polygons["code"].map(members)
    keep = placed.notna().to_numpy()
    position = pd.Series(np.arange(len(targets)), index=pd.Index(targets["code"], dtype=object))
    at = position.reindex(placed[keep]).to_numpy()
    area = shapely.area(polygons.geometry.values)[keep]
    return pd.DataFrame({
        "left": polygons["code"].to_numpy()[keep], "right": placed[keep].to_numpy(),
        "left_index": polygons.index.to_numpy()[keep],
        "right_index": targets.index.to_numpy()[at],
        "area_m2": area, "left_share": 1.0,
        "right_share": np.minimum(area / shapely.area(targets.geometry.values)[at], 1.0)})


def ward_pieces(work: WardWork, footprints: Layer, members: pd.Series) -> gpd.GeoDataFrame:
    """The ward × footprint overlap table (with each piece's geometry) summed from blocks.

    Columns and order as :func:`~stpgeo.engine.overlap.overlap_table` with
    ``geometry=True`` gives them, wards on the left. Kept in the run's cache.
    """
    assert work.inputs.blocks is not None
    fingerprint = work.cache.fingerprint
    made_from = {"wards": fingerprint(work.wards.gdf),
                 "blocks": fingerprint(work.inputs.blocks.gdf),
                 "footprints": fingerprint(footprints.gdf), "members": table_digest(members)}
    table = work.cache.frame("pieces", made_from,
                             lambda: _ward_pieces(work, footprints, members))
    # a ward lying wholly in one footprint is its own piece (kept without its geometry)
    whole = table.geometry.isna().to_numpy()
    pieces = np.asarray(table.geometry.values, dtype=object).copy()
    wards = work.wards.polygons.geometry
    pieces[whole] = np.asarray(wards.loc[table["left_index"].to_numpy()[whole]].values)
    return gpd.GeoDataFrame(table.drop(columns=table.geometry.name), geometry=pieces,
                            crs=MEASURE_CRS)


def _ward_pieces(work: WardWork, footprints: Layer, members: pd.Series) -> gpd.GeoDataFrame:
    """The pieces, with geometry only for those that are not a whole ward."""
    assert work.block_overlaps is not None
    wards, targets = work.wards.polygons, footprints.polygons
    table = work.block_overlaps
    footprint = table["left"].map(members)
    placed = table[footprint.notna().to_numpy()]
    sums = placed.groupby([placed["right"], footprint[footprint.notna()]], sort=False)[
        "area_m2"].sum()
    ward_at = pd.Series(np.arange(len(wards)), index=pd.Index(wards["code"], dtype=object))
    target_at = pd.Series(np.arange(len(targets)), index=pd.Index(targets["code"], dtype=object))
    ia = ward_at.reindex(sums.index.get_level_values(0)).to_numpy()
    ib = target_at.reindex(sums.index.get_level_values(1)).to_numpy()
    area = sums.to_numpy()
    keep = area > 0
    ia, ib, area = ia[keep], ib[keep], area[keep]
    order = np.lexsort((ib, ia))
    ia, ib, area = ia[order], ib[order], area[order]
    a, b = np.asarray(wards.geometry.values), np.asarray(targets.geometry.values)
    area_a, area_b = shapely.area(a), shapely.area(b)
    pieces = np.full(len(ia), None, dtype=object)
    pieces_of = np.bincount(ia, minlength=len(a))
    short = area_a[ia] - area
    whole = (pieces_of[ia] == 1) & (short <= np.maximum(1e-6, WHOLE_SHARE * area_a[ia]))
    if (~whole).any():
        pieces[~whole] = intersect_pairs(a[ia[~whole]], b[ib[~whole]])
    frame = pd.DataFrame({
        "left": wards["code"].to_numpy()[ia], "right": targets["code"].to_numpy()[ib],
        "left_index": wards.index.to_numpy()[ia], "right_index": targets.index.to_numpy()[ib],
        "area_m2": area,
        "left_share": np.minimum(area / area_a[ia], 1.0),
        "right_share": np.minimum(area / area_b[ib], 1.0)})
    return gpd.GeoDataFrame(frame, geometry=pieces, crs=MEASURE_CRS)
