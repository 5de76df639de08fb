"""The map's data: GeoJSON features with what the tooltips and popups show.

Each ward carries, per analysis, its verdict, its share of residents outside the
home footprint and its rows of ``ward_footprints.csv`` (footprint, area, area
share, residents, population share, kind, confidence), in a compact form that the
map's JavaScript turns into the tooltip and the popup: one copy of the data for
every way of colouring the wards. Names shared by many wards (councils,
footprints) are sent once, in the map's metadata.

Examples
--------
>>> import shapely
>>> feature_collection([shapely.Point(0, 1)], [{"name": "a"}])
'{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[0.0,1.0]},"properties":{"name":"a"}}]}'
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import shapely

from stpgeo.analysis.result import WARD_FOOTPRINTS, Analysis
from stpgeo.outputs.scope import Scope

#: Decimal places kept for shares (0.0001 = 0.01%).
SHARE_DECIMALS = 4
_KIND_LABELS = {"stp": "STP", "ccg": "CCG", "ward": "Ward", "council": "Council"}


def feature_collection(geometries: Sequence[Any] | np.ndarray,
                       properties: Sequence[dict[str, Any]]) -> str:
    """A GeoJSON FeatureCollection as compact text (geometries already rounded)."""
    texts = shapely.to_geojson(np.asarray(geometries, dtype=object))
    features = [f'{{"type":"Feature","geometry":{g},"properties":{_json(p)}}}'
                for g, p in zip(texts, properties, strict=True)]
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _number(value: object, decimals: int | None = None) -> float | int | None:
    """A JSON-ready number: None for missing values, rounded (an int when decimals=None)."""
    if value is None or value is pd.NA or pd.isna(value):
        return None
    if decimals is None:
        return round(float(value))  # type: ignore[arg-type]
    return round(float(value), decimals)  # type: ignore[arg-type]


def _text(value: object) -> str:
    """A JSON-ready label: "" for missing values (an all-empty CSV column reads as NaN)."""
    return "" if value is None or value is pd.NA or pd.isna(value) else str(value)


def analysis_label(analysis: Analysis) -> str:
    """A short label for an analysis's footprint layer, e.g. ``'STP 2017'``."""
    footprints = analysis.summary.get("inputs", {}).get("footprints", {})
    kind = _KIND_LABELS.get(footprints.get("kind") or "")
    if kind is None:
        return analysis.name
    return f"{kind} {footprints['vintage']}" if footprints.get("vintage") else kind


def _rows(analysis: Analysis, wards: Sequence[str]) -> dict[str, list[list[Any]]]:
    """Each ward's rows of ward_footprints.csv, largest piece first, compacted."""
    table = analysis.ward_footprints
    table = table[table["ward_code"].isin(wards)].sort_values(
        ["ward_code", "area_share"], ascending=[True, False])
    rows: dict[str, list[list[Any]]] = defaultdict(list)
    for ward, code, area, area_share, people, people_share, kind, confidence in zip(
            *(table[c] for c in WARD_FOOTPRINTS if c not in ("ward_name", "footprint_name")),
            strict=True):
        rows[ward].append([code, _number(area), _number(area_share, SHARE_DECIMALS),
                           _number(people), _number(people_share, SHARE_DECIMALS),
                           _text(kind), _text(confidence)])
    return rows


def ward_properties(analyses: Sequence[Analysis], wards: Sequence[str]) -> list[dict[str, Any]]:
    """The properties of each ward feature: code, name, council and, per analysis,
    verdict (``v``), share outside the home footprint (``s``) and pieces (``p``)."""
    first = analyses[0].wards_gdf.set_index("ward_code").loc[list(wards)]
    per_analysis = []
    for analysis in analyses:
        table = analysis.wards_gdf.set_index("ward_code").reindex(list(wards))
        rows = _rows(analysis, wards)
        per_analysis.append([
            {"v": verdict, "s": _number(share, SHARE_DECIMALS), "p": rows.get(ward, [])}
            for ward, verdict, share in zip(wards, table["verdict"].map(_text),
                                            table["share_outside_home"], strict=True)])
    councils = first["council_code"].fillna("")
    return [{"code": ward, "name": name, "council": council,
             "a": [views[i] for views in per_analysis]}
            for i, (ward, name, council) in enumerate(zip(wards, first["ward_name"], councils,
                                                          strict=True))]


def map_metadata(analyses: Sequence[Analysis], scope: Scope) -> dict[str, Any]:
    """What the JavaScript needs beside the features: names and home footprints."""
    councils = analyses[0].councils.set_index("council_code")
    described = []
    for analysis, drawn in zip(analyses, scope.footprints, strict=True):
        names = analysis.footprints.set_index("footprint_code")["footprint_name"]
        homes = analysis.councils.set_index("council_code")["home_footprint_codes"]
        described.append({
            "name": analysis.name, "label": analysis_label(analysis),
            "footprints": {c: str(names.get(c, c)) for c in drawn},
            "homes": {c: [h for h in str(homes.get(c, "")).split(";") if h]
                      for c in scope.councils}})
    return {"analyses": described,
            "councils": {c: str(councils["council_name"].get(c, c)) for c in scope.councils},
            "columns": WARD_FOOTPRINTS}
