"""The map's data: GeoJSON features with what the tooltips and popups show.

Each ward carries, per analysis (``analyses``), its ``verdict``, its
``share_outside_home`` and its ``pieces``: its rows of ``ward_footprints.csv``
(the fields :data:`PIECE_FIELDS`), which the map's JavaScript turns into the
tooltip and the popup — one copy of the data for every way of colouring the wards.
To keep the file small each piece is sent as a list of values; the field names
are sent once, in the map's metadata (``pieceFields``), and the script reads every
value by its name. Names shared by many wards (councils, footprints) are sent
once, in the metadata too.

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
#: The fields of each piece sent to the map: the columns of ``ward_footprints.csv``
#: but the ward's code and name (the feature has them) and the footprint's name (in
#: the metadata).
PIECE_FIELDS = [c for c in WARD_FOOTPRINTS if c not in ("ward_code", "ward_name",
                                                       "footprint_name")]


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


def _value(field: str, value: object) -> object:
    """A piece's value as the map gets it: counts whole, shares rounded, text as text."""
    if field in ("area_m2", "population"):
        return _number(value)
    if field.endswith("_share"):
        return _number(value, SHARE_DECIMALS)
    return _text(value)


def _pieces(analysis: Analysis, wards: Sequence[str]) -> dict[str, list[list[Any]]]:
    """Each ward's rows of ward_footprints.csv (values of :data:`PIECE_FIELDS`), largest
    piece first."""
    table = analysis.ward_footprints
    table = table[table["ward_code"].isin(wards)].sort_values(
        ["ward_code", "area_share"], ascending=[True, False])
    rows: dict[str, list[list[Any]]] = defaultdict(list)
    for ward, *values in zip(table["ward_code"], *(table[f] for f in PIECE_FIELDS),
                             strict=True):
        rows[ward].append([_value(f, v) for f, v in zip(PIECE_FIELDS, values, strict=True)])
    return rows


def ward_properties(analyses: Sequence[Analysis], wards: Sequence[str]) -> list[dict[str, Any]]:
    """The properties of each ward feature: ``code``, ``name``, ``council`` and, per
    analysis (``analyses``), ``verdict``, ``share_outside_home`` and ``pieces``."""
    first = analyses[0].wards_gdf.set_index("ward_code").loc[list(wards)]
    per_analysis = []
    for analysis in analyses:
        table = analysis.wards_gdf.set_index("ward_code").reindex(list(wards))
        pieces = _pieces(analysis, wards)
        per_analysis.append([
            {"verdict": verdict, "share_outside_home": _number(share, SHARE_DECIMALS),
             "pieces": pieces.get(ward, [])}
            for ward, verdict, share in zip(wards, table["verdict"].map(_text),
                                            table["share_outside_home"], strict=True)])
    councils = first["council_code"].fillna("")
    return [{"code": ward, "name": name, "council": council,
             "analyses": [views[i] for views in per_analysis]}
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
            "name": analysis.name, "label": analysis.label,
            "footprints": {c: str(names.get(c, c)) for c in drawn},
            "homes": {c: [h for h in str(homes.get(c, "")).split(";") if h]
                      for c in scope.councils}})
    return {"analyses": described,
            "councils": {c: str(councils["council_name"].get(c, c)) for c in scope.councils},
            "columns": WARD_FOOTPRINTS, "pieceFields": PIECE_FIELDS}
