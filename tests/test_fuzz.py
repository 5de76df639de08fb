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

Then malformed geometry of every kind (rings that do not close or have too few
points, vertices out of order, empty parts, coordinates that are text, null, NaN,
infinite or huge...), in a file and in a GeoDataFrame, through the API and the
command line: each kind must give a result, or a refusal, as it says, and several
kinds at once either of them.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import random
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
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


# The catch-all pass behind issue 14: every kind of malformed geometry, in a file and
# in a GeoDataFrame, through the API and the command line, ends in a result (that
# conserves area and keeps every ward) or a StpgeoError naming the file and the fix —
# never another exception. Each kind says what it must give: a result (so refusing
# everything cannot pass), a refusal (a shape that cannot be recovered), or either
# (several kinds at once, drawn at random).
GEOMETRY_SOURCE = "wards/birmingham_solihull_wards_2018.geojson"  # 86 wards, generalised


def _ring(geometry: dict[str, Any], rng: random.Random) -> list[list[Any]]:
    polygons = ([geometry["coordinates"]] if geometry["type"] == "Polygon"
                else geometry["coordinates"])
    return rng.choice(rng.choice(polygons))


def _spoil_position(value: Any) -> Any:
    def spoil(geometry: dict[str, Any], rng: random.Random) -> None:
        ring = _ring(geometry, rng)
        at = rng.randrange(len(ring))
        ring[at] = value(ring[at]) if callable(value) else value
    return spoil


def _set_ring(make: Any) -> Any:
    def spoil(geometry: dict[str, Any], rng: random.Random) -> None:
        ring = _ring(geometry, rng)
        ring[:] = make(ring, rng)
    return spoil


def _empty_part(geometry: dict[str, Any], rng: random.Random) -> None:
    if geometry["type"] == "Polygon":
        geometry["type"], geometry["coordinates"] = "MultiPolygon", [geometry["coordinates"]]
    geometry["coordinates"].insert(rng.randrange(len(geometry["coordinates"]) + 1), [])


def _swap(ring: list[Any], rng: random.Random) -> list[Any]:
    i = rng.randrange(1, len(ring) - 2)
    ring[i], ring[i + 1] = ring[i + 1], ring[i]
    return ring


ACCEPTED, REFUSED, EITHER = "accepted", "refused", "either"


def _several(geometry: dict[str, Any], rng: random.Random) -> None:
    """Three kinds of spoiling, one after the other (a kind that no longer applies, as a
    ring to cut when the rings are gone, is skipped)."""
    for kind in rng.sample(sorted(set(GEOMETRY_MUTATIONS) - {"several_kinds"}), 3):
        spoil, _ = GEOMETRY_MUTATIONS[kind]
        with contextlib.suppress(IndexError, ValueError, TypeError, KeyError, AttributeError):
            spoil(geometry, rng)


# kind -> (how a feature's geometry is spoilt, what it must give)
GEOMETRY_MUTATIONS: dict[str, tuple[Any, str]] = {
    "ring_not_closed": (_set_ring(lambda r, _: r[:-1]), ACCEPTED),
    "ring_of_1_to_3_points": (_set_ring(lambda r, g: r[:g.randint(1, 3)]), ACCEPTED),
    "vertices_out_of_order": (_set_ring(_swap), ACCEPTED),
    "repeated_vertex": (_set_ring(lambda r, g: [*r[:2], r[1], *r[2:]]), ACCEPTED),
    "empty_part": (_empty_part, ACCEPTED),
    "empty_ring": (_set_ring(lambda r, _: []), ACCEPTED),
    "third_number": (_spoil_position(lambda p: [*p, 123.0]), ACCEPTED),
    "no_geometry": (lambda geometry, _: geometry.clear() or geometry.update(
        type="Polygon", coordinates=[]), ACCEPTED),
    "text": (_spoil_position(lambda p: [str(p[0]), p[1]]), REFUSED),
    "null": (_spoil_position([None, 52.5]), REFUSED),
    "nan": (_spoil_position(lambda p: [math.nan, p[1]]), REFUSED),
    "infinite": (_spoil_position(lambda p: [p[0], -math.inf]), REFUSED),
    "huge": (_spoil_position(lambda p: [p[0] * 1e300, p[1]]), REFUSED),
    "one_number": (_spoil_position(lambda p: p[:1]), REFUSED),
    "far_away": (_spoil_position(lambda p: [p[0] + 90.0, p[1]]), REFUSED),
    "unknown_type": (lambda geometry, _: geometry.update(type="Polygn"), REFUSED),
    "not_a_list": (lambda geometry, _: geometry.update(coordinates=7), REFUSED),
    "several_kinds": (_several, EITHER),
}
GEOMETRY_RUNS = [(kind, seed) for kind in GEOMETRY_MUTATIONS
                 for seed in range(6 if kind == "several_kinds" else 2)]
GEOMETRY_RUNS = [(kind, seed) for kind in GEOMETRY_MUTATIONS for seed in range(2)]


def _spoil_geometry(data_dir: Path, tmp_path: Path, kind: str, seed: int) -> Path:
    """The ward file with one to three features spoilt by ``kind``."""
    document = json.loads((data_dir / GEOMETRY_SOURCE).read_text())
    rng = random.Random(f"{kind}-{seed}")
    spoil, _ = GEOMETRY_MUTATIONS[kind]
    for feature in rng.sample(document["features"], rng.randint(1, 3)):
        spoil(feature["geometry"], rng)
    path = tmp_path / f"wards-{kind}-{seed}.geojson"
    path.write_text(json.dumps(document))
    return path


def _result_or_refusal(run: Any, path: str | Path, expected: str) -> None:
    refused: StpgeoError | None = None
    try:
        result = run()
    except StpgeoError as error:
        refused = error
    if refused is not None:
        assert expected != ACCEPTED, f"refused: {refused}"
        assert str(path) in str(refused)
        assert refused.fix
        return
    assert expected != REFUSED, result.summary["inputs"]["wards"]["repairs"]
    assert result.summary["conservation"]["holds"], result.summary["conservation"]
    assert len(result.ward_verdicts) == 86


@pytest.fixture(scope="module")
def stp_layer(data: Path) -> Layer:
    return stpgeo.read_layer(data / STPS)


@pytest.mark.parametrize(("kind", "seed"), GEOMETRY_RUNS,
                         ids=[f"{k}-{n}" for k, n in GEOMETRY_RUNS])
def test_malformed_geometry_in_a_file_gives_a_result_or_a_refusal(
        data: Path, tmp_path: Path, stp_layer: Layer, kind: str, seed: int) -> None:
    path = _spoil_geometry(data, tmp_path, kind, seed)
    _result_or_refusal(lambda: analyse(path, stp_layer), path, GEOMETRY_MUTATIONS[kind][1])


def _coordinates(value: float) -> Any:
    def spoil(geometry: shapely.Geometry, rng: random.Random) -> shapely.Geometry:
        xy = shapely.get_coordinates(geometry)
        xy[rng.randrange(len(xy)), rng.randrange(2)] = value
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # shapely's, on NaN
            return shapely.set_coordinates(geometry, xy)
    return spoil


# GeoDataFrames as a user may build them: kind -> (spoilt geometry, what it must give)
FRAME_MUTATIONS: dict[str, tuple[Any, str]] = {
    "crossing_ring": (lambda g, _: shapely.Polygon(_swap(
        list(shapely.get_exterior_ring(shapely.get_geometry(g, 0)).coords), random.Random(0))),
        ACCEPTED),
    "empty_part": (lambda g, _: shapely.MultiPolygon([*shapely.get_parts(g),
                                                      shapely.Polygon()]), ACCEPTED),
    "empty": (lambda g, _: shapely.Polygon(), ACCEPTED),
    "none": (lambda g, _: None, ACCEPTED),
    "point_among_polygons": (lambda g, _: g.centroid, ACCEPTED),
    "collection": (lambda g, _: shapely.GeometryCollection([g, g.boundary]), ACCEPTED),
    "nan": (_coordinates(math.nan), REFUSED),
    "infinite": (_coordinates(math.inf), REFUSED),
    "huge": (_coordinates(1e300), REFUSED),
}


@pytest.mark.parametrize("kind", list(FRAME_MUTATIONS))
def test_a_spoilt_geodataframe_gives_a_result_or_a_refusal(
        data: Path, stp_layer: Layer, kind: str) -> None:
    frame = gpd.read_file(data / GEOMETRY_SOURCE)
    spoil, expected = FRAME_MUTATIONS[kind]
    rng = random.Random(kind)
    at = rng.randrange(len(frame))
    frame.loc[at, "geometry"] = spoil(frame.geometry.iloc[at], rng)
    _result_or_refusal(lambda: analyse(frame, stp_layer), "wards (GeoDataFrame)", expected)


CLI_RUNS = [(kind, 0) for kind in ("ring_not_closed", "empty_part", "ring_of_1_to_3_points",
                                   "text", "nan", "unknown_type")]


@pytest.mark.parametrize(("kind", "seed"), CLI_RUNS, ids=[k for k, _ in CLI_RUNS])
def test_malformed_geometry_on_the_command_line_gives_a_result_or_a_refusal(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str,
        seed: int) -> None:
    from stpgeo.cli import main

    path = _spoil_geometry(data, tmp_path, kind, seed)
    out = tmp_path / "out"
    code = main(["analyse", "--wards", str(path), "--footprints", str(data / STPS),
                 "--out", str(out), "--quiet"])
    stdout, err = capsys.readouterr()
    assert "Traceback" not in err
    if GEOMETRY_MUTATIONS[kind][1] == ACCEPTED:
        assert code == 0, err
        assert len(pd.read_csv(out / "ward_verdicts.csv")) == 86
    else:
        assert code == 2, err
        assert (stdout, err.startswith(f"stpgeo: error: {path}: ")) == ("", True)
        assert not out.exists()
