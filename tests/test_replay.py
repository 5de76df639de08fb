"""Commands answered whole by the cache (:mod:`stpgeo.io.replay`): the same command on the
same inputs copies the outputs it wrote; any changed input, option or failure runs it.

Hand-made commands that read and write a few text files, whose right behaviour is plain,
then ``stpgeo build`` and ``stpgeo analyse`` on the hand-made grid of
``tests/test_whole_blocks.py`` (the real-data run is the benchmark smoke test's).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from stpgeo.io.cache_folder import CacheWarning
from stpgeo.io.replay import Replay
from tests.test_whole_blocks import _files as grid_files


class Command:
    """``shout``: reads ``in.txt`` (an option) and ``found.txt`` (found by itself), writes
    the folder ``out`` (two files); counts its runs."""

    def __init__(self, root: Path) -> None:
        self.root, self.runs = root, 0
        (root / "in.txt").write_text("given ")
        (root / "found.txt").write_text("found")
        self.params: dict[str, object] = {"given": root / "in.txt", "out": root / "out"}
        self.extra: Callable[[], None] = lambda: None

    def __call__(self) -> None:
        self.runs += 1
        text = (self.root / "in.txt").read_text() + (self.root / "found.txt").read_text()
        out = self.root / "out"
        (out / "sub").mkdir(parents=True, exist_ok=True)
        (out / "said.txt").write_text(text.upper())
        (out / "sub" / "n.txt").write_text(str(self.runs))
        self.extra()

    def replay(self, **params: object) -> Replay:
        return Replay.of("shout", {**self.params, **params}, outputs=[self.root / "out"],
                         folder=self.root / "cache")

    def run(self, **params: object) -> list[tuple[bool, str]]:
        """As the CLI runs it: replayed if it can be, else run and recorded."""
        replay = self.replay(**params)
        played = replay.play()
        if played is not None:
            return played.said
        with replay.recording() as heard:
            self()
            heard("shouted")
            heard("mind your ears", True)
        return [(False, "shouted"), (True, "mind your ears")]


@pytest.fixture
def shout(tmp_path: Path) -> Command:
    return Command(tmp_path)


def _written(command: Command) -> dict[str, str]:
    out = command.root / "out"
    return {p.relative_to(out).as_posix(): p.read_text() for p in out.rglob("*") if p.is_file()}


def test_the_same_command_on_the_same_inputs_is_copied_not_run(shout: Command) -> None:
    first = shout.run()
    written = _written(shout)
    (shout.root / "out" / "said.txt").unlink()
    (shout.root / "out" / "stale.txt").write_text("not the command's")  # replaced whole
    assert shout.run() == first == [(False, "shouted"), (True, "mind your ears")]
    assert shout.runs == 1
    assert _written(shout) == written == {"said.txt": "GIVEN FOUND", "sub/n.txt": "1"}


@pytest.mark.parametrize("changed", ["in.txt", "found.txt"])
def test_an_input_changed_given_or_found_runs_the_command(shout: Command, changed: str) -> None:
    shout.run()
    (shout.root / changed).write_text("changed ")
    shout.run()
    assert shout.runs == 2
    assert "CHANGED" in _written(shout)["said.txt"]
    shout.run()  # the new inputs are replayed in turn
    assert shout.runs == 2


def test_a_missing_input_or_other_options_run_the_command(shout: Command) -> None:
    shout.run()
    shout.run(tolerance=0.1)
    assert shout.runs == 2
    (shout.root / "found.txt").unlink()
    with pytest.raises(FileNotFoundError):
        shout.run()


def test_an_input_changed_while_the_command_ran_keeps_nothing(shout: Command) -> None:
    shout.extra = lambda: (shout.root / "found.txt").write_text("rewritten")
    shout.run()
    assert shout.replay().play() is None


def test_a_temporary_file_read_is_not_an_input(shout: Command) -> None:
    def scratch() -> None:
        temporary = shout.root / "scratch.txt"
        temporary.write_text("x")
        temporary.read_text()
        temporary.unlink()

    shout.extra = scratch
    shout.run()
    shout.run()
    assert shout.runs == 1


def test_a_failed_command_keeps_nothing(shout: Command) -> None:
    def fail() -> None:
        raise RuntimeError("broken")

    shout.extra = fail
    with pytest.raises(RuntimeError):
        shout.run()
    assert shout.replay().play() is None


def test_a_damaged_copy_is_dropped_with_a_warning_and_the_command_runs(shout: Command) -> None:
    shout.run()
    copy = next((shout.replay().entry / "files").iterdir())
    copy.write_text("damaged")
    with pytest.warns(CacheWarning, match="missing or damaged"):
        shout.run()
    assert shout.runs == 2
    shout.run()  # kept afresh
    assert shout.runs == 2


@pytest.mark.skipif(not Path("/proc/self/maps").is_file(), reason="Linux's /proc says "
                    "which shared libraries a process loaded")
def test_a_shared_library_changed_since_runs_the_command(shout: Command) -> None:
    """A library built against the system's GEOS, GDAL or PROJ keeps its package version
    when they are upgraded: the libraries loaded are checked themselves."""
    import ctypes
    import math
    import os
    import shutil

    library = shout.root / "libstand_in.so"  # (kept: this process maps it from now on)
    shutil.copyfile(str(math.__file__), library)
    ctypes.CDLL(str(library))
    shout.run()
    manifest = json.loads((shout.replay().entry / "manifest.json").read_text())
    assert str(library) in manifest["libraries"]
    assert any("libgeos" in name for name in manifest["libraries"])  # shapely's, loaded here
    shout.run()
    assert shout.runs == 1
    os.utime(library, ns=(library.stat().st_atime_ns, library.stat().st_mtime_ns + 10**9))
    shout.run()
    assert shout.runs == 2


@pytest.mark.skipif(not Path("/proc/self/maps").is_file(), reason="Linux's /proc says "
                    "which shared libraries a process loaded")
def test_a_library_replaced_while_the_command_ran_keeps_nothing(tmp_path: Path) -> None:
    """In a process of its own: a library deleted while loaded (an upgrade) leaves it
    unknown what made the outputs; a data file deleted while mapped does not matter."""
    import subprocess
    import sys

    script = f"""
import ctypes, math, mmap, shutil
from pathlib import Path
from stpgeo.io.replay import _loaded_libraries
root = Path({str(tmp_path)!r})
data = root / "table.bin"
data.write_bytes(b"x" * 4096)
with data.open("rb") as f:
    kept_mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
data.unlink()
assert _loaded_libraries() is not None
library = root / "libstand_in.so"
shutil.copyfile(math.__file__, library)
ctypes.CDLL(str(library))
assert str(library) in _loaded_libraries()
library.unlink()
assert _loaded_libraries() is None
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.stdout.strip() == "ok", done.stderr


def test_replays_are_counted_and_cleared_with_the_cache(shout: Command) -> None:
    from stpgeo.io.cache import Cache

    shout.run()
    cache = Cache(shout.root / "cache")
    entry = shout.replay().entry
    assert cache.size().entries == 1
    assert cache.size().bytes == sum(p.stat().st_size for p in entry.rglob("*") if p.is_file())
    cache.clear()
    shout.run()
    assert shout.runs == 2


def test_a_shapefile_is_replayed_with_its_parts(tmp_path: Path) -> None:
    (tmp_path / "in.txt").write_text("x")
    out = tmp_path / "layer.shp"
    replay = Replay.of("write", {"given": tmp_path / "in.txt"}, outputs=[out],
                       folder=tmp_path / "cache")
    (tmp_path / "layer.txt").write_text("older, not written by the command")
    with replay.recording():
        for suffix in (".shp", ".shx", ".dbf"):
            out.with_suffix(suffix).write_text(suffix + (tmp_path / "in.txt").read_text())
    for suffix in (".shp", ".shx", ".dbf", ".txt"):
        out.with_suffix(suffix).unlink()
    assert replay.play() is not None
    assert sorted(p.name for p in tmp_path.glob("layer.*")) == [
        "layer.dbf", "layer.shp", "layer.shx"]
    assert out.with_suffix(".dbf").read_text() == ".dbfx"


def _build(files: dict[str, Path], out: Path, *extra: str) -> int:
    from stpgeo.cli import main

    return main(["build", "--blocks", str(files["blocks"]), "--lookup", str(files["lookup"]),
                 "--by", "STP17CD", "--population", str(files["population"]),
                 "--out", str(out), *extra])


def _analyse(files: dict[str, Path], footprints: Path, out: Path, *extra: str) -> int:
    from stpgeo.cli import main

    return main(["analyse", "--wards", str(files["wards"]), "--footprints", str(footprints),
                 "--blocks", str(files["blocks"]), "--population", str(files["population"]),
                 "--councils", str(files["councils"]), "--out", str(out), *extra])


def _bytes(*paths: Path) -> dict[str, bytes]:
    found = [p for path in paths for p in ([path] if path.is_file() else path.rglob("*"))]
    return {str(p): p.read_bytes() for p in found if p.is_file()}


def test_stpgeo_build_and_analyse_again_copy_their_outputs_and_say_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
        ) -> None:
    monkeypatch.setenv("STPGEO_CACHE_DIR", str(tmp_path / "cache"))
    files = grid_files(tmp_path / "in")
    built, out = tmp_path / "stp.gpkg", tmp_path / "result"
    assert _build(files, built) == 0
    assert _analyse(files, built, out) == 0
    first = capsys.readouterr()
    written = _bytes(built, out)
    verdicts = pd.read_csv(out / "ward_verdicts.csv")

    def no_work(*args: object, **kwargs: object) -> None:
        raise AssertionError("the work was done again")

    with monkeypatch.context() as patched:  # a replay does none of the work
        patched.setattr("stpgeo.engine.footprints.build_footprints", no_work)
        patched.setattr("stpgeo.analysis.pipeline.analyse", no_work)
        for path in (built, out / "ward_verdicts.csv"):
            path.unlink()
        assert _build(files, built) == 0
        assert _analyse(files, built, out) == 0
    again = capsys.readouterr()
    assert _bytes(built, out) == written
    assert again.out == first.out  # what the commands said, in order
    assert "results written to" in again.out
    assert again.err.count("its outputs are copied from the cache") == 2

    assert _analyse(files, built, out, "--rerun", "-q") == 0  # the work, done again
    assert "copied from the cache" not in capsys.readouterr().err
    pd.testing.assert_frame_equal(pd.read_csv(out / "ward_verdicts.csv"), verdicts)
    assert _analyse(files, built, out, "--no-cache") == 0
    assert "copied from the cache" not in capsys.readouterr().err

    # the first block moved to the other STP in the lookup: both commands run again
    lookup = pd.read_csv(files["lookup"], dtype=str)
    other = lookup[lookup["STP17CD"] != lookup.loc[0, "STP17CD"]].iloc[0]
    lookup.loc[0, ["STP17CD", "STP17NM"]] = other[["STP17CD", "STP17NM"]].to_numpy()
    lookup.to_csv(files["lookup"], index=False)
    assert _build(files, built, "-q") == 0
    assert _analyse(files, built, out, "-q") == 0
    assert "copied from the cache" not in capsys.readouterr().err
    assert built.read_bytes() != written[str(built)]
    blocks = pd.read_csv(out / "blocks.csv", index_col="block_code")
    assert blocks.loc[lookup.loc[0, "LSOA11CD"], "footprint"] == other["STP17CD"]
