"""Where the boundary data lives, and the catalogue of ONS products stpgeo knows.

The data directory is, in order: ``--data DIR`` (Python: ``data=``), the
``STPGEO_DATA`` environment variable, the project's ``boundaries/`` folder when it
holds data, else ``../shared/boundaries`` beside the project. ``--data sample`` names
the sample of Birmingham and its neighbours shipped inside the package
(:data:`SAMPLE_DIR`). The catalogue (``boundaries/catalogue.toml``) names each
product's file inside a data directory; a data directory whose files are named
otherwise (the sample keeps its boundaries as GeoParquet) says so in a manifest,
``stpgeo-data.toml``, mapping catalogue keys to its own files.

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
#: The bundled sample (Birmingham, Solihull and the Black Country), a data directory.
SAMPLE_DIR = _PACKAGE_DIR / "sample_data"
#: The word ``--data`` takes for the bundled sample.
SAMPLE_NAME = "sample"
#: The manifest of a data directory whose files are not named as the catalogue says.
MANIFEST = "stpgeo-data.toml"
#: Where ``stpgeo fetch`` keeps unfinished downloads, inside the data directory.
PARTIAL_DIR = ".stpgeo-fetch"


def _holds_data(folder: Path) -> bool:
    """True when a folder holds anything besides the catalogue and its README."""
    if not folder.is_dir():
        return False
    return any(
        p.is_file() and p.name not in {"catalogue.toml", "README.md", ".gitkeep"}
        and PARTIAL_DIR not in p.relative_to(folder).parts
        for p in folder.rglob("*")
    )


def data_dir(data: str | os.PathLike[str] | None = None) -> Path:
    """The folder holding the boundary files, lookups and population.

    Parameters
    ----------
    data
        An explicit folder (``--data``; ``"sample"`` for the bundled sample unless a
        folder of that name exists); otherwise ``STPGEO_DATA``, the project's
        ``boundaries/`` when it holds data, then ``../shared/boundaries``.

    Raises
    ------
    StpgeoError
        When the folder chosen does not exist, or none of the defaults exists.
    """
    explicit = data if data is not None else os.environ.get(ENV_VAR) or None
    if explicit is not None:
        folder = Path(explicit).expanduser()
        if str(explicit) == SAMPLE_NAME and not folder.is_dir():
            return SAMPLE_DIR
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
        fix=f"run `stpgeo fetch` to download England's data, use --data sample for the bundled "
        f"sample, or set --data DIR / {ENV_VAR} (see boundaries/README.md)",
    )


def project_boundaries() -> Path | None:
    """The project's ``boundaries/`` folder when stpgeo runs from a source checkout."""
    folder = _PROJECT_DIR / "boundaries"
    return folder if (folder / "catalogue.toml").is_file() else None


def is_sample(folder: Path) -> bool:
    """True for the bundled sample's folder."""
    return folder.resolve() == SAMPLE_DIR.resolve()


@cache
def _manifest(folder: Path, stamp: float) -> dict[str, dict[str, str]]:
    with (folder / MANIFEST).open("rb") as handle:
        raw = tomllib.load(handle)
    return {k: v for k, v in raw.items() if isinstance(v, dict)}


def manifest(folder: Path) -> dict[str, dict[str, str]]:
    """A data directory's own file names, by catalogue section and key (empty: none)."""
    path = folder / MANIFEST
    if not path.is_file():
        return {}
    return _manifest(folder, path.stat().st_mtime)


@dataclass(frozen=True)
class Catalogue:
    """The products stpgeo knows: layers, lookups, population, deprivation, GP practices;
    the footprint vintages its lookups build (``vintages``: lookup, column, councils,
    level, date, generation; read by :func:`stpgeo.io.vintages.footprint_vintages`); and
    the default inputs of each generation of building blocks (``generations``: blocks,
    population, wards, block_wards, deprivation...; read by
    :func:`stpgeo.io.generations.generation_defaults`)."""

    layers: dict[str, dict[str, Any]]
    lookups: dict[str, dict[str, Any]]
    population: dict[str, dict[str, Any]]
    attribution: str
    deprivation: dict[str, dict[str, Any]] = field(default_factory=dict)
    practices: dict[str, dict[str, Any]] = field(default_factory=dict)
    vintages: dict[str, dict[str, Any]] = field(default_factory=dict)
    generations: dict[str, dict[str, Any]] = field(default_factory=dict)

    #: The sections holding products, in the catalogue's order.
    SECTIONS = ("layers", "lookups", "population", "deprivation", "practices")

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
        path = folder / self.file(section, key, folder)
        if not path.exists():
            where = "the bundled sample" if is_sample(folder) else f"the data directory {folder}"
            raise StpgeoError(
                f"{entries[key]['title']} is missing from {where}",
                source=path,
                fix=f"run `stpgeo fetch {key}`, or download it from "
                f"{entries[key].get('url', 'ONS')} (see boundaries/README.md)",
            )
        return path

    def file(self, section: str, key: str, folder: Path) -> str:
        """The file of a product inside ``folder``: its manifest's name, else the catalogue's."""
        own = manifest(folder).get(section, {})
        return own.get(key, getattr(self, section)[key]["file"])

    def locate(self, relative: str | os.PathLike[str], folder: Path) -> Path:
        """A path given relative to a data directory, following its manifest.

        ``wards/wards_dec2013_england.geojson`` names the 2013 wards in every data
        directory, the sample's GeoParquet file included.
        """
        relative = Path(relative)
        for section, names in manifest(folder).items():
            for key, own in names.items():
                entry = getattr(self, section, {}).get(key)
                if entry is not None and Path(entry["file"]) == relative:
                    return folder / own
        return folder / relative

    def entry_of(self, source: str | os.PathLike[str], section: str
                 ) -> dict[str, Any] | None:
        """The entry of ``section`` whose file has the name of ``source`` (a path as the
        summaries record it), or None: what the catalogue says of a file read.

        Examples
        --------
        >>> load_catalogue().entry_of("/data/lsoa/lsoa_2011_england.geojson",
        ...                           "layers")["code_field"]
        'LSOA11CD'
        """
        name = Path(source).name
        entries: dict[str, dict[str, Any]] = getattr(self, section)
        return next((e for e in entries.values()
                     if Path(str(e.get("file", ""))).name == name), None)

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
        deprivation=raw.get("deprivation", {}),
        practices=raw.get("practices", {}),
        vintages=raw.get("vintages", {}),
        generations=raw.get("generations", {}),
    )
