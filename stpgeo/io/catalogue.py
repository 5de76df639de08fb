"""Where the boundary data lives, and the catalogue of ONS products stpgeo knows.

The data directory is, in order: ``--data DIR`` (Python: ``data=``), the
``STPGEO_DATA`` environment variable, the project's ``boundaries/`` folder when it
holds data, else ``../shared/boundaries`` beside the project. The catalogue
(``boundaries/catalogue.toml``) names each product's file inside that directory.

Examples
--------
>>> catalogue = load_catalogue()
>>> catalogue.layers["wards_dec2013"]["code_field"]
'WD13CD'
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from stpgeo.errors import StpgeoError

ENV_VAR = "STPGEO_DATA"
_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # stpgeo/
_PROJECT_DIR = _PACKAGE_DIR.parent


def _holds_data(folder: Path) -> bool:
    """True when a folder holds anything besides the catalogue and its README."""
    if not folder.is_dir():
        return False
    return any(
        p.is_file() and p.name not in {"catalogue.toml", "README.md", ".gitkeep"}
        for p in folder.rglob("*")
    )


def data_dir(data: str | os.PathLike[str] | None = None) -> Path:
    """The folder holding the boundary files, lookups and population.

    Parameters
    ----------
    data
        An explicit folder (``--data``); otherwise ``STPGEO_DATA``, the project's
        ``boundaries/`` when it holds data, then ``../shared/boundaries``.

    Raises
    ------
    StpgeoError
        When the folder chosen does not exist, or none of the defaults exists.
    """
    explicit = data if data is not None else os.environ.get(ENV_VAR) or None
    if explicit is not None:
        folder = Path(explicit).expanduser()
        if not folder.is_dir():
            origin = "--data" if data is not None else ENV_VAR
            raise StpgeoError(
                f"the data directory {folder} given by {origin} does not exist",
                fix="point it at the folder holding wards/, lsoa/, lookups/ ... "
                "(see boundaries/README.md)",
            )
        return folder.resolve()
    candidates = []
    for root in dict.fromkeys([Path.cwd(), _PROJECT_DIR]):
        candidates += [root / "boundaries", root.parent / "shared" / "boundaries"]
    for folder in candidates:
        if _holds_data(folder):
            return folder.resolve()
    raise StpgeoError(
        "no boundary data found; looked in " + ", ".join(str(c) for c in candidates),
        fix=f"download the files listed in boundaries/README.md, or set --data DIR / {ENV_VAR}",
    )


@dataclass(frozen=True)
class Catalogue:
    """The products stpgeo knows: layers, lookups and population tables, and the footprint
    vintages its lookups build (``vintages``: lookup, column, councils, level, date; read
    by :func:`stpgeo.io.vintages.footprint_vintages`)."""

    layers: dict[str, dict[str, Any]]
    lookups: dict[str, dict[str, Any]]
    population: dict[str, dict[str, Any]]
    attribution: str
    vintages: dict[str, dict[str, Any]] = field(default_factory=dict)

    def path(self, section: str, key: str, data: str | os.PathLike[str] | None = None) -> Path:
        """The file of a catalogued product inside the data directory.

        Raises
        ------
        StpgeoError
            When the product is unknown or its file is missing.
        """
        entries: dict[str, dict[str, Any]] = getattr(self, section)
        if key not in entries:
            raise StpgeoError(
                f"the catalogue has no {section} entry {key!r}; it has: {', '.join(entries)}",
                fix="use one of the names listed",
            )
        folder = data_dir(data)
        path = folder / entries[key]["file"]
        if not path.exists():
            raise StpgeoError(
                f"{entries[key]['title']} is missing from the data directory {folder}",
                source=path,
                fix=f"download it from {entries[key].get('url', 'ONS')} (see boundaries/README.md)",
            )
        return path

    def name_lookups(self) -> dict[str, dict[str, Any]]:
        """Lookups that hold the names of codes (for layers that carry names only)."""
        return {k: v for k, v in self.lookups.items() if v.get("names")}


def _catalogue_file() -> Path:
    shipped = _PACKAGE_DIR / "catalogue.toml"
    for candidate in (shipped, _PROJECT_DIR / "boundaries" / "catalogue.toml"):
        if candidate.is_file():
            return candidate
    raise StpgeoError("stpgeo's catalogue of ONS products is missing from the installation",
                      fix="reinstall stpgeo")


@cache
def load_catalogue() -> Catalogue:
    """Read the catalogue shipped with stpgeo (``boundaries/catalogue.toml``)."""
    with _catalogue_file().open("rb") as handle:
        raw = tomllib.load(handle)
    return Catalogue(
        layers=raw.get("layers", {}),
        lookups=raw.get("lookups", {}),
        population=raw.get("population", {}),
        attribution=raw.get("attribution", ""),
        vintages=raw.get("vintages", {}),
    )
