"""Fuzzing: mutated copies of small real files give a clean StpgeoError or a right count.

Each case copies a real file into a temporary folder and spoils it (truncated, bytes
flipped, a field renamed, a line or feature dropped or repeated), with a fixed seed
so that CI runs the same few dozen cases every time. stpgeo must then either refuse
the file with a StpgeoError naming it, or read it with the right number of rows —
counted independently, with Python's json and csv modules — and, for residents,
the original count in every row the mutation left alone. End to end, an analysis
of Birmingham's wards with one spoiled input either stops with a StpgeoError or
conserves area, residents, wards and blocks. GDAL may print to stderr; no other
Python exception may escape.
"""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import shapely

import stpgeo
from stpgeo import StpgeoError
from stpgeo.analysis.pipeline import analyse
from stpgeo.io.layer import Layer
from stpgeo.io.lookups import read_lookup
from stpgeo.io.population import read_population

pytestmark = pytest.mark.realdata

WARDS = "wards/birmingham_wards_2018.geojson"
STPS = ("stp/Sustainability_and_Transformation_Partnerships_February_2017_Ultra_Generalised_"
        "Clipped_Boundaries_in_England.geojson")
SOURCES = {"wards": (WARDS, "layer"), "stps": (STPS, "layer"),
           "ccg_stp_lookup": ("lookups/066_CCG17_STP17_EN_LU_v3.csv", "table"),
           "ward_council_lookup": ("lookups/051_WD18_LAD18_UK_LU.csv", "table"),
           "population": ("population/lsoa11_population_mid2017.csv", "population")}
MUTATIONS = ("truncate", "flip", "rename", "lines")


def _fields(data: bytes, kind: str) -> list[str]:
    if kind == "layer":
        return sorted(json.loads(data)["features"][0]["properties"])
    return data.split(b"\n", 1)[0].decode("utf-8-sig").strip().split(",")


def mutate(data: bytes, how: str, rng: random.Random, kind: str) -> bytes:
    """A spoiled copy of a file's bytes."""
    if how == "truncate":
        return data[:rng.randrange(1, len(data))]
    if how == "flip":
        spoiled = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            spoiled[rng.randrange(len(spoiled))] ^= rng.randrange(1, 256)
        return bytes(spoiled)
    if how == "rename":
        field = rng.choice(_fields(data, kind))
        new = rng.choice([field.upper(), f"{field}_2021", f"x{field}", field[:-1] or "z"])
        if kind == "layer":
            return data.replace(f'"{field}"'.encode(), f'"{new}"'.encode())
        head, rest = data.split(b"\n", 1)
        return head.replace(field.encode(), new.encode(), 1) + b"\n" + rest
    if kind == "layer":  # drop or repeat a feature
        document = json.loads(data)
        at = rng.randrange(len(document["features"]))
        if rng.random() < 0.5:
            del document["features"][at]
        else:
            document["features"].insert(at, document["features"][at])
        return json.dumps(document).encode()
    lines = data.split(b"\n")  # drop or repeat a line
    at = rng.randrange(1, len(lines) - 1)
    if rng.random() < 0.5:
        del lines[at]
    else:
        lines.insert(at, lines[at])
    return b"\n".join(lines)


def _features(data: bytes) -> int | None:
    """How many features a GeoJSON file holds, by Python's json module (None: unreadable)."""
    try:
        return len(json.loads(data.decode("utf-8", errors="replace"), strict=False)["features"])
    except (ValueError, KeyError, TypeError):
        return None


def _rows(data: bytes) -> list[list[str]]:
    """The data rows of a CSV file, by Python's csv module."""
    text = data.decode("utf-8-sig", errors="replace")
    rows = [r for r in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in r)]
    return rows[1:]


def _spoil(data_dir: Path, tmp_path: Path, source: str, seed: int) -> tuple[Path, str, str]:
    name, kind = SOURCES[source]
    original = data_dir / name
    how = MUTATIONS[seed % len(MUTATIONS)]
    spoiled = tmp_path / f"{source}-{how}-{seed}{original.suffix}"
    spoiled.write_bytes(mutate(original.read_bytes(), how, random.Random(f"{source}-{seed}"),
                               kind))
    return spoiled, kind, how


def _read(path: Path, kind: str) -> Any:
    if kind == "layer":
        return stpgeo.read_layer(path)
    if kind == "table":
        return read_lookup(path)
    return read_population(path)


READS = [(source, seed) for source in SOURCES for seed in range(8)]


@pytest.mark.parametrize(("source", "seed"), READS, ids=[f"{s}-{n}" for s, n in READS])
def test_a_spoiled_file_is_refused_or_read_right(data: Path, tmp_path: Path, source: str,
                                                 seed: int) -> None:
    path, kind, _ = _spoil(data, tmp_path, source, seed)
    refused: StpgeoError | None = None
    try:
        found = _read(path, kind)
    except StpgeoError as error:
        refused = error
    if refused is not None:
        assert str(path) in str(refused)
        assert refused.fix
        return
    spoiled = path.read_bytes()
    if kind == "layer":
        assert len(found) == _features(spoiled)
        return
    rows = _rows(spoiled)
    assert len(found) == len(rows)
    if kind == "population":
        original = _rows((data / SOURCES[source][0]).read_bytes())
        untouched = {tuple(r) for r in rows} & {tuple(r) for r in original}
        header = spoiled.split(b"\n", 1)[0].decode("utf-8-sig").split(",")
        count = len(header) - 1 if header[-1].strip() else -1
        for row in untouched:  # every row the mutation left alone keeps its count
            assert found[row[0]] == int(row[count])


@pytest.fixture(scope="module")
def birmingham(data: Path, lsoa: Layer) -> dict[str, Any]:
    """Birmingham's 2018 wards, the 2017 STPs and the LSOAs around Birmingham."""
    wards = stpgeo.read_layer(data / WARDS)
    near = lsoa.gdf[lsoa.gdf.intersects(shapely.box(*wards.gdf.total_bounds))]
    return {"wards": data / WARDS, "footprints": stpgeo.read_layer(data / STPS),
            "councils": data / "lookups/051_WD18_LAD18_UK_LU.csv",
            "blocks": Layer(near.reset_index(drop=True), source="LSOAs near Birmingham",
                            kind="lsoa"),
            "population": data / "population/lsoa11_population_mid2017.csv",
            "block_wards": data / "lookups/168_LSOA11_WD18_LAD18_EW_LU_v3.csv"}


ROLES = {"wards": "wards", "footprints": "stps", "councils": "ward_council_lookup",
         "population": "population"}
RUNS = [(role, seed) for role in ROLES for seed in range(4)]


@pytest.mark.parametrize(("role", "seed"), RUNS, ids=[f"{r}-{n}" for r, n in RUNS])
def test_an_analysis_with_a_spoiled_input_stops_cleanly_or_adds_up(
        data: Path, tmp_path: Path, birmingham: dict[str, Any], role: str, seed: int) -> None:
    path, _, _ = _spoil(data, tmp_path, ROLES[role], seed)
    inputs = {**birmingham, role: path}
    refused: StpgeoError | None = None
    try:
        result = analyse(inputs.pop("wards"), inputs.pop("footprints"), **inputs)
    except StpgeoError as error:
        refused = error
    if refused is not None:
        assert str(path) in str(refused)
        return
    conservation = result.summary["conservation"]
    assert conservation["holds"], conservation
    expected_wards = _features(path.read_bytes()) if role == "wards" else 69
    assert len(result.ward_verdicts) == expected_wards
    if role == "population":
        residents = read_population(path)
        blocks = pd.Index(birmingham["blocks"].gdf["code"])
        assert conservation["blocks"]["residents"] == residents.reindex(blocks).sum()
