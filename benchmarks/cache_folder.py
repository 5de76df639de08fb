"""stpgeo's cache pointed at a folder of the benchmark's own (never the user's)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from stpgeo.io.cache import ENV_VAR


@contextmanager
def cache_at(folder: str | Path) -> Iterator[None]:
    """stpgeo's cache (``STPGEO_CACHE_DIR``) in ``folder`` while the block runs.

    Examples
    --------
    >>> with cache_at("/tmp/a-cache"):
    ...     os.environ[ENV_VAR]
    '/tmp/a-cache'
    """
    before = os.environ.get(ENV_VAR)
    os.environ[ENV_VAR] = str(folder)
    try:
        yield
    finally:
        if before is None:
            del os.environ[ENV_VAR]
        else:
            os.environ[ENV_VAR] = before
