"""Fuzzing coordinates (issue 22): a malformed one anywhere gives exit 0 or exit 2, never 1.

Hypothesis spoils one to three positions of hand-made ward or footprint layers (every
polygon a 1 km square with a 100 m hole): a ring's first, a middle or its closing
point, of the outer ring or the hole, of either feature, made NaN, infinite, null,
text, a position of one value, three values or none. Each layer is written as
GeoJSON, GeoPackage, FlatGeobuf or GeoParquet (the binary formats hold only numbers,
so they get the numeric kinds) and given to ``stpgeo analyse``. The outcome must be:

- a third (Z) value only: exit 0, and the layer's notes name the feature whose Z
  was dropped;
- anything else: exit 2, one message naming the file, the feature's code and how
  to fix it, no traceback, and no output folder.

Unlike :mod:`tests.test_fuzz` it needs no real data, and it runs in a few seconds
(derandomised: CI runs the same cases every time).
"""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pyogrio.raw
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stpgeo.cli import main

from .shapes import X0, Y0, frame

CODES = {"wards": ["E05000001", "E05000002"], "footprints": ["E54000017", "E54000016"]}
FIELDS = {"wards": "WD16CD", "footprints": "STP17CD"}
Rings = list[list[list[Any]]]

#: kind -> the spoilt position, from the good one
KINDS: dict[str, Any] = {
    "nan": lambda p: [math.nan, p[1]], "infinite": lambda p: [p[0], math.inf],
    "minus_infinite": lambda p: [-math.inf, p[1]], "null": lambda p: [None, p[1]],
    "text": lambda p: [str(p[0]), p[1]], "one_value": lambda p: p[:1],
    "three_values": lambda p: [*p, 12.5], "empty": lambda p: [],
}
NUMERIC = ["nan", "infinite", "minus_infinite"]  # what a binary format can hold
FORMATS = ["geojson", "gpkg", "fgb", "parquet"]
POSITIONS = {"first": 0, "middle": 2, "closing": 4}


def _rings(feature: int, role: str) -> Rings:
    """A 1 km square with a 100 m hole; footprints are 1.5 km wide, wards 1 km."""
    width = 1_500 if role == "footprints" else 1_000
    x = X0 + feature * width
    outer = [[x, Y0], [x + width, Y0], [x + width, Y0 + 1_000], [x, Y0 + 1_000], [x, Y0]]
    hole = [[x + 100, Y0 + 100], [x + 100, Y0 + 200], [x + 200, Y0 + 200], [x + 200, Y0 + 100],
            [x + 100, Y0 + 100]]
    return [outer, hole]


def _wkb(rings: Rings) -> bytes:
    """ISO WKB of a polygon as given, NaN and all (shapely would refuse to build it)."""
    dims = max(len(p) for ring in rings for p in ring)
    rings = [[[*p, *[0.0] * (dims - len(p))] for p in ring] for ring in rings]
    code = 3 + 1000 * (dims == 3)
    return struct.pack("<BII", 1, code, len(rings)) + b"".join(
        struct.pack("<I", len(r)) + b"".join(struct.pack(f"<{dims}d", *p) for p in r)
        for r in rings)


def _write(folder: Path, role: str, suffix: str, polygons: list[Rings]) -> Path:
    path = folder / f"{role}.{suffix}"
    codes = CODES[role]
    if suffix == "geojson":
        features = [{"type": "Feature", "properties": {FIELDS[role]: code},
                     "geometry": {"type": "Polygon", "coordinates": rings}}
                    for code, rings in zip(codes, polygons, strict=True)]
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features,
                                    "crs": {"type": "name", "properties": {
                                        "name": "urn:ogc:def:crs:EPSG::27700"}}}))
    elif suffix == "parquet":
        frame(codes, [shapely.box(0, 0, 1, 1)] * 2).rename(
            columns={"code": FIELDS[role]}).drop(columns="name").to_parquet(path)
        table = pq.read_table(path)
        column = table.schema.get_field_index("geometry")
        wkb = pa.array([_wkb(r) for r in polygons], pa.binary())
        pq.write_table(table.set_column(column, "geometry", wkb), path)
    else:
        pyogrio.raw.write(path, np.array([_wkb(r) for r in polygons], dtype=object),
                          [np.array(codes, dtype=object)], [FIELDS[role]],
                          geometry_type="Unknown", crs="EPSG:27700",
                          driver={"gpkg": "GPKG", "fgb": "FlatGeobuf"}[suffix])
    return path


@st.composite
def spoilt_layers(draw: st.DrawFn) -> dict[str, Any]:
    """A role, a format, and one to three spoilt positions ``(feature, ring, at, kind)``."""
    suffix = draw(st.sampled_from(FORMATS))
    kinds = list(KINDS) if suffix == "geojson" else NUMERIC
    spoils = draw(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1),
                                     st.sampled_from(list(POSITIONS)), st.sampled_from(kinds)),
                           min_size=1, max_size=3, unique_by=lambda s: s[:3]))
    return {"role": draw(st.sampled_from(["wards", "footprints"])), "suffix": suffix,
            "spoils": spoils}


@settings(max_examples=24, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=spoilt_layers())
def test_a_malformed_coordinate_is_repaired_or_refused_with_the_feature_code(
        tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str],
        case: dict[str, Any]) -> None:
    folder = tmp_path_factory.mktemp("coordinates")
    role, suffix, spoils = case["role"], case["suffix"], case["spoils"]
    polygons = {r: [_rings(i, r) for i in range(2)] for r in CODES}
    for feature, ring, at, kind in spoils:
        target = polygons[role][feature][ring]
        target[POSITIONS[at]] = KINDS[kind](target[POSITIONS[at]])
    paths = {r: _write(folder, r, suffix if r == role else "geojson", polygons[r])
             for r in CODES}
    out = folder / "out"
    code = main(["analyse", "--wards", str(paths["wards"]), "--footprints",
                 str(paths["footprints"]), "--out", str(out), "--quiet"])
    stdout, err = capsys.readouterr()
    assert "Traceback" not in err
    refused = {CODES[role][feature] for feature, *_, kind in spoils if kind != "three_values"}
    if not refused:  # safe: the Z values dropped, and said
        assert code == 0, err
        notes = json.loads((out / "summary.json").read_text())["inputs"][role]["notes"]
        z_notes = [n for n in notes if "third (Z) value" in n]
        raised = {CODES[role][feature] for feature, *_ in spoils}
        assert len(z_notes) == 1, notes
        assert all(c in z_notes[0] for c in raised), notes
        return
    assert code == 2, err
    assert stdout == ""
    assert err.startswith(f"stpgeo: error: {paths[role]}: "), err
    assert any(c in err for c in refused), err  # the code of a feature refused
    assert "\n  how to fix: correct the coordinates of these features" in err
    assert not out.exists()
