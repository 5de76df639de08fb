"""Commands answered whole by the cache: the same command on the same inputs copies its outputs.

A warm ``stpgeo analyse`` reads its tables from the cache, but still redoes the
analysis's own work on them and writes every file again: seconds for England. Yet when
the very same command is run again — the same options and output path, inputs whose
bytes have not changed, the same stpgeo (every file of the package) and the same
libraries (their versions, and each shared library the command loaded, such as GEOS,
GDAL and PROJ, still the same file) — its outputs can only be the ones it wrote
before. So the cache also keeps, under ``replay/KEY/``, the files such a command wrote
and what it printed, and a later run copies them into place instead of working
(``--rerun`` does the work again).

**What a command read** is found two ways: every path among its options, and every
file its Python code opened for reading while it ran, seen by an audit hook
(:pep:`578`); Python's own files, stpgeo's and the cache's are left out. Every layer,
lookup and population file stpgeo reads passes through Python (the cache fingerprints
a file before GDAL opens it), so a file the command found by itself is seen too. A
replay checks the bytes of every one of them again (SHA-256): one missing or changed,
and the command runs. A file that changed while the command ran, or no longer exists
when it ends (a temporary one), is not kept as an input; when it changed, nothing is
kept at all.

**Nothing here can give a wrong answer or stop a run.** An entry whose manifest or
copies are missing, damaged or of another format is removed (with a
:class:`~stpgeo.io.cache_folder.CacheWarning` when damaged) and the command runs; a
cache that cannot be written gives a warning and the run goes on. Outputs are put in
place as the command itself writes them: a folder replaced whole, a file replaced
atomically.

This module imports only the standard library, so that a replayed command takes a
tenth of a second and a few of SHA-256 per 100 MB read.

Examples
--------
>>> import tempfile
>>> root = Path(tempfile.mkdtemp())
>>> _ = (root / "in.txt").write_text("hello")
>>> def command() -> None:  # reads in.txt, writes out.txt
...     (root / "out.txt").write_text((root / "in.txt").read_text().upper())
>>> replay = Replay.of("shout", {"out": root / "out.txt"}, outputs=[root / "out.txt"],
...                    folder=root / "cache")
>>> replay.play() is None  # never run: nothing to replay
True
>>> with replay.recording() as heard:
...     command()
...     heard("shouted")
>>> (root / "out.txt").unlink()
>>> replay.play().said
[(False, 'shouted')]
>>> (root / "out.txt").read_text()
'HELLO'
>>> _ = (root / "in.txt").write_text("bye")  # an input changed: the command must run
>>> replay.play() is None
True
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from stpgeo._version import __version__
from stpgeo.io.cache_folder import CacheWarning, cache_dir
from stpgeo.io.digest import bytes_digest, file_digest, text_digest, tree_digest
from stpgeo.io.write import atomic_file, atomic_folder

#: The folder of the cache holding replayable commands.
FOLDER = "replay"
#: Bumped whenever the layout of an entry changes: older entries are then not replayed.
FORMAT = 2
#: The libraries whose versions can change a command's outputs.
LIBRARIES = ("geopandas", "shapely", "pyogrio", "fiona", "pyproj", "pandas", "numpy",
             "pyarrow", "folium", "jinja2", "click")
#: What a command said: (to stderr?, the text), in order.
Said = list[tuple[bool, str]]


@dataclass(frozen=True)
class Played:
    """A command replayed: what it said when it ran, and when that was (ISO 8601, UTC)."""

    said: Said
    made: str


@cache
def _package_digest() -> str:
    """Every file of stpgeo (code, templates, catalogue, sample), computed once per process."""
    return tree_digest(Path(__file__).resolve().parents[1])


@cache
def _library_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _absolute(path: str | bytes | os.PathLike[str]) -> str:
    """A path as this module compares them: absolute, links resolved."""
    return str(Path(os.fsdecode(path)).resolve())


def _plain(value: object) -> object:
    """An option's value as the key holds it: a path absolute, a sequence a list."""
    if isinstance(value, os.PathLike):
        return _absolute(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def command_key(command: str, params: Mapping[str, object]) -> str:
    """The fingerprint of a command line: its name, its options (paths made absolute),
    stpgeo's version and files, the libraries' versions and this format."""
    return text_digest({"command": command,
                        "params": {k: _plain(v) for k, v in sorted(params.items())},
                        "stpgeo": __version__, "package": _package_digest(),
                        "libraries": _library_versions(), "python": sys.version,
                        "format": FORMAT})


def _is_under(path: str, folders: Sequence[str]) -> bool:
    return any(path == f or path.startswith(f.rstrip(os.sep) + os.sep) for f in folders)


class _Reads:
    """The files opened for reading while a recording runs (one at a time per process)."""

    active: _Reads | None = None
    _hooked = False
    _lock = threading.Lock()

    def __init__(self, left_out: Sequence[Path]) -> None:
        self.left_out = [_absolute(p) for p in left_out]
        self.seen: dict[str, tuple[int, int]] = {}

    @classmethod
    def start(cls, left_out: Sequence[Path]) -> _Reads:
        with cls._lock:
            if not cls._hooked:  # an audit hook cannot be removed: one, for the process
                sys.addaudithook(_heard_open)
                cls._hooked = True
        cls.active = cls(left_out)
        return cls.active

    def stop(self) -> None:
        if _Reads.active is self:
            _Reads.active = None

    def opened(self, path: str) -> None:
        if path in self.seen or _is_under(path, self.left_out):
            return
        try:
            found = Path(path).stat()
        except OSError:
            return
        if stat.S_ISREG(found.st_mode):
            self.seen[path] = (found.st_size, found.st_mtime_ns)


def _heard_open(event: str, args: tuple[Any, ...]) -> None:
    """The audit hook: note a file opened for reading (never raising: it runs in open())."""
    reads = _Reads.active
    if reads is None or event != "open":
        return
    try:
        path, mode, flags = args
        if isinstance(path, int) or path is None:
            return
        if mode is not None and any(c in str(mode) for c in "wax+"):
            return
        if mode is None and isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR):
            return
        reads.opened(_absolute(path))
    except Exception:  # an audit hook must not break the open it watches
        return


def _left_out() -> list[Path]:
    """Files whose reading is not a command's input: Python's, stpgeo's, the system's."""
    folders = {sys.prefix, sys.base_prefix, sys.exec_prefix, "/proc", "/sys", "/dev"}
    return [Path(f) for f in sorted(folders)] + [Path(__file__).resolve().parents[1]]


def _loaded_libraries() -> dict[str, list[int]] | None:
    """The shared libraries this process has loaded, each with its size and modification
    time: GEOS, GDAL, PROJ and the rest, wherever they were installed from (a library's
    package version does not fix them when it was built against the system's). Empty
    where the system does not say (only Linux's ``/proc`` does); None when one was
    replaced while it was loaded."""
    try:
        maps = Path("/proc/self/maps").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    mapped = {fields[5] for fields in (line.split(maxsplit=5) for line in maps.splitlines())
              if len(fields) == 6 and fields[5].startswith("/")}
    libraries: dict[str, list[int]] = {}
    for path in sorted(mapped):
        if ".so" not in Path(path.removesuffix(" (deleted)")).name:
            continue  # a data file mapped (deleted or not): not a library
        if path.endswith(" (deleted)"):
            return None  # upgraded during the run: what made the outputs is gone
        with contextlib.suppress(OSError):
            found = Path(path).stat()
            libraries[path] = [found.st_size, found.st_mtime_ns]
    return libraries


def _same_libraries(recorded: Mapping[str, Sequence[int]]) -> bool:
    """Whether every shared library a recorded run loaded is still the same file."""
    for path, (size, modified) in recorded.items():
        try:
            found = Path(path).stat()
        except OSError:
            return False
        if (found.st_size, found.st_mtime_ns) != (size, modified):
            return False
    return True


def _output_files(output: Path, since_ns: int) -> list[Path]:
    """The files a command wrote at ``output``: a folder's files, or the file (a shapefile
    with its parts written since the command started)."""
    if output.is_dir():
        return sorted(p for p in output.rglob("*") if p.is_file())
    if not output.is_file():
        return []
    parts = [output]
    if output.suffix.lower() == ".shp":
        parts += sorted(p for p in output.parent.glob(f"{output.stem}.*")
                        if p != output and p.is_file() and p.stat().st_mtime_ns >= since_ns)
    return parts


@dataclass
class Replay:
    """One command line's entry in the cache: what it read, wrote and said.

    Attributes
    ----------
    entry
        The entry's folder, ``CACHE/replay/KEY``.
    outputs
        The paths the command writes: folders replaced whole, or files.
    params
        The command's options: the paths among them are inputs (when they are files).
    """

    entry: Path
    outputs: tuple[Path, ...]
    params: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def of(cls, command: str, params: Mapping[str, object], *, outputs: Sequence[Path],
           folder: Path | None = None) -> Replay:
        """The entry of ``command`` run with ``params`` (in ``folder``, else the cache's)."""
        folder = (folder or cache_dir()) / FOLDER
        return cls(folder / command_key(command, params), tuple(Path(p) for p in outputs),
                   params)

    def _manifest(self) -> dict[str, Any] | None:
        try:
            manifest = json.loads((self.entry / "manifest.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            self._drop("its manifest cannot be read")
            return None
        if manifest.get("format") != FORMAT:
            shutil.rmtree(self.entry, ignore_errors=True)
            return None
        return manifest

    def _drop(self, why: str) -> None:
        warnings.warn(f"a replay in the cache ({self.entry}) is damaged ({why}): the command "
                      "runs", CacheWarning, stacklevel=3)
        shutil.rmtree(self.entry, ignore_errors=True)

    def play(self) -> Played | None:
        """Put the outputs of the same command run before in place, and say what it said;
        None (and nothing written) when there is no such run or an input has changed."""
        manifest = self._manifest()
        if manifest is None or not _same_libraries(manifest["libraries"]):
            return None
        for path, digest in manifest["inputs"].items():
            try:
                if file_digest(path) != digest:
                    return None
            except OSError:
                return None
        copies = self.entry / "files"
        for output in manifest["outputs"]:
            for name, digest in output["files"].items():
                try:
                    damaged = bytes_digest(copies / digest) != digest
                except OSError:
                    damaged = True
                if damaged:
                    self._drop(f"the copy of {name} is missing or damaged")
                    return None
        for output in manifest["outputs"]:
            self._put(Path(output["path"]), output["folder"], output["files"], copies)
        return Played([(bool(err), str(text)) for err, text in manifest["said"]],
                      str(manifest["made"]))

    @staticmethod
    def _put(path: Path, folder: bool, files: dict[str, str], copies: Path) -> None:
        if folder:
            with atomic_folder(path) as staging:
                for name, digest in files.items():
                    (staging / name).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(copies / digest, staging / name)
            return
        for name, digest in files.items():
            with atomic_file(path.with_name(name)) as staging:
                shutil.copyfile(copies / digest, staging)

    @contextlib.contextmanager
    def recording(self) -> Iterator[Callable[..., None]]:
        """Run the command inside this block; when it succeeds, keep what it read, wrote
        and said. The block receives ``heard(text, err=False)``, to call for each line
        the command prints."""
        said: Said = []
        started = time.time_ns()
        reads = _Reads.start([*_left_out(), self.entry.parent.parent, *self.outputs])

        def heard(text: str, err: bool = False) -> None:
            said.append((err, text))

        try:
            yield heard
        finally:
            reads.stop()
        try:
            self._keep(reads, said, started)
        except OSError as error:
            warnings.warn(f"the outputs could not be kept in the cache for a replay "
                          f"({error.strerror or error}); the run goes on without",
                          CacheWarning, stacklevel=3)

    def _inputs(self, reads: _Reads) -> dict[str, str] | None:
        """Each input's fingerprint; None when one changed while the command ran."""
        given = {_absolute(v) for v in self.params.values()
                 if isinstance(v, os.PathLike) and Path(v).is_file()}
        inputs: dict[str, str] = {}
        for path in sorted(set(reads.seen) | given):
            if _is_under(path, [_absolute(o) for o in self.outputs]):
                continue
            try:
                now = Path(path).stat()
            except OSError:
                continue  # a temporary file, gone
            if path in reads.seen and reads.seen[path] != (now.st_size, now.st_mtime_ns):
                return None
            inputs[path] = file_digest(path)
        return inputs

    def _keep(self, reads: _Reads, said: Said, started_ns: int) -> None:
        inputs, libraries = self._inputs(reads), _loaded_libraries()
        if inputs is None or libraries is None:
            return
        self.entry.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{self.entry.name}.", dir=self.entry.parent))
        try:
            copies = staging / "files"
            copies.mkdir()
            outputs = []
            for output in self.outputs:
                files: dict[str, str] = {}
                for path in _output_files(output, started_ns):
                    digest = bytes_digest(path)
                    shutil.copyfile(path, copies / digest)
                    name = path.relative_to(output) if output.is_dir() else Path(path.name)
                    files[name.as_posix()] = digest
                outputs.append({"path": _absolute(output), "folder": output.is_dir(),
                                "files": files})
            manifest = {"format": FORMAT, "made": datetime.now(UTC).isoformat(
                timespec="seconds"), "inputs": inputs, "libraries": libraries,
                        "outputs": outputs, "said": said}
            (staging / "manifest.json").write_text(json.dumps(manifest, indent=1),
                                                    encoding="utf-8")
            shutil.rmtree(self.entry, ignore_errors=True)
            staging.rename(self.entry)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
