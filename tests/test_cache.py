"""The cache of repeated runs never gives a stale or wrong answer.

Each way it can go wrong — a changed input, a changed option, a corrupt or truncated
entry, a cache directory that cannot be written, another version of stpgeo — must
fall back to computing afresh (with a warning where something was wrong) and give the
same tables as a run without the cache. The analyses run on a small hand-made case
written to files, so that they are read through the cache as a user's would be.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest
import shapely

from stpgeo.analysis.pipeline import analyse
from stpgeo.analysis.result import Analysis
from stpgeo.cli import main
from stpgeo.engine.footprints import build_footprints
from stpgeo.io import cache as cache_module
from stpgeo.io import vintages
from stpgeo.io.cache import ENV_VAR, Cache, CacheWarning, cache_dir, forget_in_memory
from stpgeo.io.cached import read_layer_cached, read_lookup_cached, read_population_cached
from stpgeo.io.lookups import read_lookup
from stpgeo.io.population import read_population
from stpgeo.io.read import read_layer

from .shapes import frame, rect, square
from .test_analysis_blocks import BLOCKS, RESIDENTS, _block_councils

WA, WB = "E05000001", "E05000002"
#: Entries an analysis of the case makes: 3 layers, 2 tables (residents, councils), 3 overlap
#: tables (blocks × wards, blocks × footprints, wards × footprints), the wards' outside areas.
ENTRIES = 9
F1, F2 = "E54000017", "E54000016"


@pytest.fixture
def case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Wards, footprints, blocks, residents and a council lookup as files; a fresh cache."""
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "cache"))
    folder = tmp_path / "inputs"
    folder.mkdir()
    files = {name: folder / f"{name}.gpkg" for name in ("wards", "footprints", "blocks")}
    frame([WA, WB], [rect(0, 0, 2_000, 2_000), rect(2_000, 0, 4_000, 2_000)],
          names=["Aston", "Soho"]).rename(
        columns={"code": "WD16CD", "name": "WD16NM"}).to_file(files["wards"])
    frame([F1, F2], [rect(0, 0, 3_000, 2_000), rect(3_000, 0, 5_000, 2_000)]).rename(
        columns={"code": "STP17CD", "name": "STP17NM"}).to_file(files["footprints"])
    squares = [square(x, y) for y in (0, 1_000) for x in (0, 1_000, 2_000, 3_000)]
    frame(BLOCKS, [*squares, square(4_000, 0)]).rename(
        columns={"code": "LSOA11CD", "name": "LSOA11NM"}).to_file(files["blocks"])
    files["population"] = folder / "population.csv"
    RESIDENTS.rename_axis("lsoa11_code").rename("total_population").to_csv(
        files["population"])
    files["councils"] = folder / "councils.csv"
    _block_councils().to_csv(files["councils"], index=False)
    return files


def _analyse(case: dict[str, Path], **options: object) -> Analysis:
    """An analysis of the case, as a new process runs it (nothing held in memory)."""
    forget_in_memory()
    return analyse(case["wards"], case["footprints"], blocks=case["blocks"],
                   population=case["population"], councils=case["councils"], **options)


def _entries() -> list[Path]:
    return sorted(cache_dir().glob("*.json"))


def assert_same_tables(ours: Analysis, theirs: Analysis) -> None:
    for name in ("ward_footprints", "ward_verdicts", "councils", "footprints", "blocks"):
        pd.testing.assert_frame_equal(getattr(ours, name), getattr(theirs, name), obj=name)


def test_the_tests_use_a_cache_of_their_own() -> None:
    import platformdirs

    assert cache_dir() == Path(os.environ[ENV_VAR])
    assert "stpgeo-test-cache-" in os.environ[ENV_VAR]
    assert cache_dir() != Path(platformdirs.user_cache_dir("stpgeo", appauthor=False))


def test_a_second_run_comes_from_the_cache_and_gives_the_same_tables(
        case: dict[str, Path]) -> None:
    first = _analyse(case)
    assert first.summary["cache"] == {"used": True, "entries_found": 0, "entries_made": ENTRIES}
    second = _analyse(case)
    assert second.summary["cache"] == {"used": True, "entries_found": ENTRIES, "entries_made": 0}
    assert_same_tables(second, first)
    assert_same_tables(second, _analyse(case, cache=False))


def test_a_changed_input_is_read_afresh(case: dict[str, Path]) -> None:
    before = _analyse(case)
    # the same file name, size and modification time, another content: F1 ends at 2.5 km
    path = case["footprints"]
    stat = path.stat()
    frame([F1, F2], [rect(0, 0, 2_500, 2_000), rect(2_500, 0, 5_000, 2_000)]).rename(
        columns={"code": "STP17CD", "name": "STP17NM"}).to_file(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    after = _analyse(case)
    assert_same_tables(after, _analyse(case, cache=False))
    pieces = after.ward_footprints.set_index(["ward_code", "footprint_code"])["area_m2"]
    assert pieces[(WB, F1)] == pytest.approx(500 * 2_000)
    assert not before.ward_footprints.equals(after.ward_footprints)


def test_a_changed_table_is_read_afresh(case: dict[str, Path]) -> None:
    before = _analyse(case)
    # the same size, other residents: b3 (in WB, F1) has 900 instead of 300 (and b1 100 → 700)
    text = case["population"].read_text().replace(",300\n", ",900\n").replace(",100\n", ",700\n")
    case["population"].write_text(text)
    after = _analyse(case)
    assert_same_tables(after, _analyse(case, cache=False))
    pieces = after.ward_footprints.set_index(["ward_code", "footprint_code"])["population"]
    assert pieces[(WB, F1)] == 900 + 700  # b3 and b7
    assert not before.ward_footprints.equals(after.ward_footprints)


def test_a_table_from_the_cache_is_the_table_read(case: dict[str, Path]) -> None:
    for path, read, cached in (
            (case["councils"], read_lookup, read_lookup_cached),
            (case["population"], read_population, read_population_cached)):
        cached(path, cache=Cache.open())
        kept, fresh = cached(path, cache=Cache.open()), read(path)
        if isinstance(fresh, pd.Series):
            pd.testing.assert_series_equal(kept, fresh)
            assert kept.index.dtype == object
        else:
            pd.testing.assert_frame_equal(kept, fresh)
        assert kept.attrs == fresh.attrs


def test_a_changed_option_is_computed_afresh(case: dict[str, Path]) -> None:
    _analyse(case)
    strict = _analyse(case, tolerance=0.3)  # a verdict option: nothing cached depends on it
    assert strict.summary["parameters"]["tolerance"] == 0.3
    assert_same_tables(strict, _analyse(case, tolerance=0.3, cache=False))
    # reading options are part of the key: the same file read with another name field
    assert read_layer_cached(case["wards"], cache=Cache.open()).gdf["name"].tolist() == [
        "Aston", "Soho"]
    by_code = read_layer_cached(case["wards"], cache=Cache.open(), name_field="WD16CD")
    assert by_code.gdf["name"].tolist() == [WA, WB]
    assert by_code.name_field == "WD16CD"
    # and the options of building footprints: the same blocks and lookup, by another column
    lookup = pd.DataFrame({"LSOA11CD": BLOCKS, "STP17CD": [F1] * 4 + [F2] * 5,
                           "CCG17CD": ["E38000001"] * 9})
    blocks = read_layer_cached(case["blocks"], cache=Cache.open())
    stps = build_footprints(blocks, lookup, by="STP17CD")
    ccgs = build_footprints(blocks, lookup, by="CCG17CD")
    assert (len(stps), len(ccgs)) == (2, 1)
    assert ccgs.gdf.equals(build_footprints(blocks, lookup, by="CCG17CD", cache=False).gdf)
    # a changed lookup is a changed input
    lookup.loc[3, "STP17CD"] = F2
    moved = build_footprints(blocks, lookup, by="STP17CD")
    assert moved.gdf["n_blocks"].tolist() == [6, 3]


def test_a_changed_code_list_gives_a_fresh_read(case: dict[str, Path], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # the wards' vintage notes come from the ONS code lists of the data directory
    data = tmp_path / "data"
    (data / "lookups").mkdir(parents=True)
    code_list = data / "lookups/032_WD16_LAD16_UK_LU.csv"
    monkeypatch.setenv("STPGEO_DATA", str(data))
    notes = []
    for listed in ("E05000003", "E05000002"):  # the same size, another content
        code_list.write_text(f"WD16CD,LAD16CD\n{WA},E08000025\n{listed},E08000025\n")
        vintages._code_lists.cache_clear()  # (read_layer's own memory of the code lists)
        notes.append(read_layer_cached(case["wards"], cache=Cache.open(), data=data).notes)
        assert notes[-1] == read_layer(case["wards"], data=data).notes
    assert notes[0] != notes[1]


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _flip(path: Path) -> None:  # same size, other bytes
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _garble(path: Path) -> None:
    path.write_text("{not json", encoding="utf-8")


@pytest.mark.parametrize(("damage", "files"), [(_truncate, "*.parquet"), (_flip, "*.parquet"),
                                                 (_garble, "*.json")])
def test_a_damaged_entry_is_computed_afresh_with_a_warning(
        case: dict[str, Path], damage: object, files: str) -> None:
    first = _analyse(case)
    for path in cache_dir().glob(files):
        damage(path)  # type: ignore[operator]
    with pytest.warns(CacheWarning, match="damaged and is computed afresh"):
        again = _analyse(case)
    assert again.summary["cache"]["entries_found"] == 0
    assert_same_tables(again, first)
    # the damaged entries were replaced by good ones
    assert _analyse(case).summary["cache"]["entries_found"] == ENTRIES


def test_a_missing_part_is_computed_afresh(case: dict[str, Path]) -> None:
    first = _analyse(case)
    for path in cache_dir().glob("*.parquet"):
        path.unlink()
    with pytest.warns(CacheWarning):
        assert_same_tables(_analyse(case), first)


def test_a_cache_that_cannot_be_written_warns_once_and_the_run_goes_on(
        case: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(ENV_VAR, str(blocker / "cache"))
    with pytest.warns(CacheWarning, match="cannot be written") as caught:
        result = _analyse(case)
    assert len(caught) == 1
    assert result.summary["cache"]["used"] is False
    assert_same_tables(result, _analyse(case, cache=False))


def test_another_version_of_stpgeo_starts_afresh(case: dict[str, Path],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _analyse(case)
    kept = set(_entries())
    monkeypatch.setattr(cache_module, "__version__", "99.0")
    assert _analyse(case).summary["cache"]["entries_found"] == 0
    made = [json.loads(p.read_text()) for p in _entries() if p not in kept]
    assert [m["stpgeo"] for m in made] == ["99.0"] * ENTRIES


def test_no_cache_keeps_nothing(case: dict[str, Path]) -> None:
    result = _analyse(case, cache=False)
    assert result.summary["cache"] == {"used": False, "entries_found": 0, "entries_made": 0}
    assert _entries() == []


def test_a_layer_from_the_cache_is_the_layer_read(case: dict[str, Path]) -> None:
    read = read_layer(case["blocks"])
    read_layer_cached(case["blocks"], cache=Cache.open())
    kept = read_layer_cached(case["blocks"], cache=Cache.open())
    pd.testing.assert_frame_equal(kept.gdf, read.gdf)
    pd.testing.assert_frame_equal(kept.repairs, read.repairs)
    assert kept.summary() == read.summary()
    assert bool(shapely.equals(kept.gdf.geometry.values, read.gdf.geometry.values).all())


def test_the_cache_command_shows_and_clears_the_cache(
        case: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _analyse(case)
    assert main(["cache"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{cache_dir()}: {ENTRIES} entries, ")
    assert main(["cache", "--clear"]) == 0
    assert "cleared" in capsys.readouterr().out
    assert _entries() == []
    # --no-cache on a command that reads inputs: nothing is kept
    out_folder = tmp_path / "out"
    assert main(["analyse", "--wards", str(case["wards"]), "--footprints",
                 str(case["footprints"]), "--blocks", str(case["blocks"]), "--population",
                 str(case["population"]), "--councils", str(case["councils"]), "--no-cache",
                 "--out", str(out_folder), "-q"]) == 0
    assert _entries() == []
    assert main(["inspect", str(case["wards"]), "-q"]) == 0
    assert len(_entries()) == 1


def test_a_layer_read_again_in_a_process_comes_from_memory_as_a_copy(
        case: dict[str, Path]) -> None:
    forget_in_memory()
    first = read_layer_cached(case["blocks"], cache=Cache.open())
    for path in cache_dir().glob("*.parquet"):  # the files gone: memory answers
        path.unlink()
    again = read_layer_cached(case["blocks"], cache=Cache.open())
    pd.testing.assert_frame_equal(again.gdf, first.gdf)
    again.gdf.loc[again.gdf.index[0], "name"] = "changed by a caller"
    assert read_layer_cached(case["blocks"], cache=Cache.open()).gdf["name"].iloc[0] == (
        first.gdf["name"].iloc[0])
    forget_in_memory()  # as a new process: the damaged entry is found, and made again
    with pytest.warns(CacheWarning, match="damaged and is computed afresh"):
        pd.testing.assert_frame_equal(
            read_layer_cached(case["blocks"], cache=Cache.open()).gdf, first.gdf)


def test_memory_holds_the_last_few_entries_of_a_kind_and_clearing_forgets_them(
        case: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    forget_in_memory()
    monkeypatch.setitem(cache_module.IN_MEMORY, "layer", 2)
    for name in ("wards", "footprints", "blocks"):
        read_layer_cached(case[name], cache=Cache.open())
    held = [k for k in cache_module._MEMORY if k[1] == "layer"]
    assert len(held) == 2  # the wards, read first, forgotten
    Cache.open().clear()
    assert not cache_module._MEMORY


def test_a_file_changed_in_place_is_digested_afresh(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from stpgeo.io import digest

    monkeypatch.setattr(digest, "SETTLED_S", -1.0)  # every digest remembered at once
    reads: list[Path] = []
    read_into = digest._read_into
    monkeypatch.setattr(digest, "_read_into",
                        lambda into, path: (reads.append(path), read_into(into, path)))
    path = tmp_path / "lookup.csv"
    path.write_text("one")
    os.utime(path, ns=(10**18, 10**18))
    first = digest.file_digest(path)
    assert digest.file_digest(path) == first
    assert len(reads) == 1  # not read again
    path.write_text("two")  # the same size and, after utime, the same modification time
    os.utime(path, ns=(10**18, 10**18))
    assert digest.file_digest(path) != first  # its change time differs
    assert len(reads) == 2
