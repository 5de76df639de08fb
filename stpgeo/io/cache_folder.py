"""Where the cache lives, and the warning it gives when something in it was wrong.

Apart from :mod:`stpgeo.io.cache` (the tables), so that what needs only the place —
:mod:`stpgeo.io.replay`, the tests, the benchmarks — imports no pandas.

Examples
--------
>>> import os
>>> os.environ[ENV_VAR] = "/tmp/stpgeo-cache"
>>> cache_dir().as_posix()
'/tmp/stpgeo-cache'
>>> del os.environ[ENV_VAR]
"""

from __future__ import annotations

import os
from pathlib import Path

#: The environment variable naming the cache directory (tests point it at a temporary one).
ENV_VAR = "STPGEO_CACHE_DIR"


class CacheWarning(UserWarning):
    """Something was wrong with the cache; the work was done afresh."""


def cache_dir() -> Path:
    """Where the cache lives: ``STPGEO_CACHE_DIR``, else the user's cache folder for stpgeo."""
    given = os.environ.get(ENV_VAR)
    if given:
        return Path(given).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("stpgeo", appauthor=False))
