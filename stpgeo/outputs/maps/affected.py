"""Who is affected, on the map: neighbourhoods by decile, GP practices, names of flagged wards.

- **Deciles**: the blocks (LSOAs) of the wards in scope, simplified as one coverage like
  the wards (:mod:`.geometry`), each with its decile per index shown (the overall IMD,
  and the Health domain when given): a way of colouring the map, under the footprint
  and council outlines, so the border can be seen running through the most deprived
  neighbourhoods.
- **Practices**: the GP practices of the councils in scope as points, coloured by the
  CCG they are members of; those whose CCG is not their council's home are ringed.
- **Labels**: the names of the flagged wards (wholly or partly outside their council's
  home footprints), placed inside each ward, so they read without hovering.

A map made from a result folder draws the same: the blocks' polygons and the practices'
points are kept in ``layers.gpkg``, the deciles in ``blocks.csv``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.ops import polylabel

from stpgeo.analysis.result import Analysis
from stpgeo.engine.verdicts import flagged_wards
from stpgeo.outputs import style
from stpgeo.outputs.maps.features import feature_collection
from stpgeo.outputs.maps.geometry import simplify_coverage, to_lonlat
from stpgeo.outputs.scope import Scope
from stpgeo.progress import step

#: Indices shown as ways of colouring the blocks, when present: the overall IMD, Health.
SHOWN_INDICES = ("IMD", "Health")
#: Most CCGs named in the legend.
LEGEND_CCGS = 12


def decile_columns(blocks: pd.DataFrame) -> list[str]:
    """The decile columns of the blocks table shown on the map (``decile_IMD2019``...)."""
    columns = [c for c in blocks.columns if str(c).startswith("decile_")]
    return [c for name in SHOWN_INDICES for c in columns if c[len("decile_"):].startswith(name)]


def blocks_content(analyses: Sequence[Analysis], scope: Scope, *, tolerance: float
                   ) -> tuple[str | None, list[str]]:
    """The blocks of the wards in scope with their deciles (a FeatureCollection: ``code``,
    ``ward``, ``deciles``), and the indices (``IMD2019``...), in order; (None, []) when no
    analysis has deprivation."""
    analysis = next((a for a in analyses if a.blocks_gdf is not None), None)
    if analysis is None or analysis.blocks_gdf is None:
        return None, []
    frame = analysis.blocks_gdf
    columns = decile_columns(frame)
    chosen = frame[frame["ward"].isin(set(scope.wards)) & frame.geometry.notna()]
    if chosen.empty or not columns:
        return None, []
    with step(f"simplifying {len(chosen):,} blocks for the web"):
        simple = simplify_coverage(chosen.geometry, tolerance=tolerance)
    keep = ~(simple.is_empty | simple.isna()).to_numpy()
    names = analysis.ward_verdicts.set_index("ward_code")["ward_name"]
    chosen = chosen[keep]
    properties = [{"code": code, "ward": str(names.get(ward, "")),
                   "deciles": [None if pd.isna(d) else int(d) for d in deciles]}
                  for code, ward, *deciles in zip(chosen["block_code"], chosen["ward"],
                                                   *(chosen[c] for c in columns), strict=True)]
    return feature_collection(to_lonlat(simple[keep]), properties), [
        c[len("decile_"):] for c in columns]


def practices_content(analyses: Sequence[Analysis], scope: Scope
                      ) -> tuple[str | None, list[dict[str, Any]]]:
    """The GP practices of the councils in scope with coordinates (``code``, ``name``,
    ``ccg``, ``colour``, ``home``, ``council``, ``ward``, ``footprint``), and the legend's
    CCGs (``name``, ``colour``); (None, []) without practices."""
    analysis = next((a for a in analyses if a.practices_gdf is not None), None)
    if analysis is None or analysis.practices_gdf is None:
        return None, []
    frame = analysis.practices_gdf
    frame = frame[frame["council_code"].isin(set(scope.councils)) & frame.geometry.notna()]
    if frame.empty:
        return None, []
    ccgs = sorted(set(frame["commissioner_name"].fillna(frame["commissioner_code"])))
    colour = {c: i % len(style.CCG_COLOURS) for i, c in enumerate(ccgs)}
    wards = analysis.ward_verdicts.set_index("ward_code")["ward_name"]
    councils = analysis.councils.set_index("council_code")["council_name"]
    footprints = analysis.footprints.set_index("footprint_code")["footprint_name"]
    properties = []
    for row in frame.itertuples():
        ccg = row.commissioner_name if isinstance(row.commissioner_name, str) \
            else row.commissioner_code
        properties.append({
            "code": row.practice_code, "name": row.practice_name, "ccg": ccg,
            "colour": colour[ccg], "home": None if pd.isna(row.commissioner_is_home)
            else bool(row.commissioner_is_home),
            "council": str(councils.get(row.council_code, row.council_code)),
            "ward": str(wards.get(row.ward_code, "")) if isinstance(row.ward_code, str) else "",
            "footprint": str(footprints.get(row.commissioner_footprint_code, ""))})
    points = to_lonlat(gpd.GeoSeries(frame.geometry.values, crs=frame.crs))
    legend = [{"name": c, "colour": style.CCG_COLOURS[colour[c]]} for c in ccgs[:LEGEND_CCGS]]
    if len(ccgs) > LEGEND_CCGS:
        legend.append({"name": f"… and {len(ccgs) - LEGEND_CCGS} more", "colour": None})
    return feature_collection(points, properties), legend


def ward_labels(analysis: Analysis, wards: gpd.GeoSeries) -> list[dict[str, Any]]:
    """Where to write the names of the flagged wards among ``wards`` (simplified, EPSG:27700,
    indexed by ward code): ``code``, ``name``, ``lat``, ``lon`` of a point well inside each."""
    flagged = flagged_wards(analysis.ward_verdicts)
    flagged = flagged[flagged["ward_code"].isin(wards.index)]
    if flagged.empty:
        return []
    shapes = np.asarray(wards.loc[flagged["ward_code"]].values, dtype=object)
    inside = [polylabel(max(shapely.get_parts(s), key=shapely.area), tolerance=10)
              for s in shapes]
    lonlat = to_lonlat(gpd.GeoSeries(inside, crs=wards.crs))
    return [{"code": code, "name": name, "lat": float(p.y), "lon": float(p.x)}
            for code, name, p in zip(flagged["ward_code"], flagged["ward_name"], lonlat,
                                     strict=True)]
