"""Digests of bytes: files, folders of files and plain data, with nothing but the standard library.

The content fingerprints of :mod:`stpgeo.io.fingerprint` (tables, layers) and the
cache's keys are built on these. They import no pandas or geopandas, so that a
command the cache answers whole (:mod:`stpgeo.io.replay`) starts in a tenth of a
second.

Examples
--------
>>> text_digest({"by": "STP17CD"}) == text_digest({"by": "STP17CD"})
True
>>> len(text_digest([1, 2, 3]))
40
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

#: Bytes read at a time when fingerprinting a file.
_BLOCK = 1 << 22
#: A file changed less than this many seconds before its digest is made is digested again
#: next time.
SETTLED_S = 2.0
#: The digests of files made in this process: (path, inode, device, size, mtime, ctime) → digest.
_DIGESTS: dict[tuple[str, int, int, int, int, int], str] = {}


class _Hasher:
    """SHA-256 (hardware-accelerated on most CPUs: 2–3× BLAKE2's speed here), with the
    digest shortened to 40 hexadecimal digits, which still never collide by chance."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()

    def update(self, data: bytes | memoryview) -> None:
        self._sha.update(data)

    def hexdigest(self) -> str:
        return self._sha.hexdigest()[:40]


def hasher() -> _Hasher:
    """A new hasher: ``update`` it with bytes, then read its ``hexdigest``."""
    return _Hasher()


def text_digest(value: object) -> str:
    """The fingerprint of plain data (JSON-serialisable: options, names, numbers)."""
    digest = hasher()
    digest.update(json.dumps(value, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _read_into(digest: _Hasher, path: Path) -> None:
    with path.open("rb") as handle:
        while chunk := handle.read(_BLOCK):
            digest.update(chunk)


def bytes_digest(path: str | os.PathLike[str]) -> str:
    """The fingerprint of one file's bytes (of a ``.shp`` alone, unlike :func:`file_digest`).

    Within a process, the digest of a file not changed since it was computed is not
    computed again: it is remembered with the file's identity, size and modification
    and change times (nanoseconds), unless those times were less than
    :data:`SETTLED_S` before the digest was made (a file still being written could
    change again within one tick of a coarse clock).
    """
    path = Path(path)
    before = path.stat()
    stamp = (str(path.resolve()), before.st_ino, before.st_dev, before.st_size,
             before.st_mtime_ns, before.st_ctime_ns)
    known = _DIGESTS.get(stamp)
    if known is not None:
        return known
    digest = hasher()
    _read_into(digest, path)
    found = digest.hexdigest()
    if time.time_ns() - max(before.st_mtime_ns, before.st_ctime_ns) > SETTLED_S * 1e9:
        _DIGESTS[stamp] = found
    return found


def file_digest(path: str | os.PathLike[str]) -> str:
    """The fingerprint of a file's bytes; for a shapefile, of all its parts."""
    path = Path(path)
    parts = [path]
    if path.suffix.lower() == ".shp":
        parts += sorted(p for p in path.parent.glob(f"{path.stem}.*") if p != path)
    if len(parts) == 1:
        return bytes_digest(path)
    digest = hasher()
    for part in parts:
        digest.update(part.suffix.lower().encode())
        digest.update(bytes_digest(part).encode())
    return digest.hexdigest()


def tree_digest(folder: Path, pattern: str = "*") -> str:
    """The fingerprint of every file under ``folder`` matching ``pattern`` (names and
    bytes; compiled ``__pycache__`` left out)."""
    files = sorted(p for p in folder.rglob(pattern)
                   if p.is_file() and "__pycache__" not in p.relative_to(folder).parts)
    return text_digest([(p.relative_to(folder).as_posix(), file_digest(p)) for p in files])
