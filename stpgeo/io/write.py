"""Writing results: layers in any GIS format, and whole output folders atomically.

Outputs are written into a temporary folder beside the destination and moved into
place only when complete, so a failure leaves no partial results and a re-run
replaces the old ones cleanly.

Examples
--------
>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "out"
>>> with atomic_folder(target) as folder:
...     _ = (folder / "a.txt").write_text("done")
>>> sorted(p.name for p in target.iterdir())
['a.txt']
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from stpgeo.errors import StpgeoError

if TYPE_CHECKING:  # only named here: writing is geopandas' own (GeoDataFrame.to_file)
    import geopandas as gpd

_DRIVERS = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON", ".shp": "ESRI Shapefile",
            ".fgb": "FlatGeobuf"}


def check_destination(destination: str | os.PathLike[str], *, folder: bool) -> Path:
    """Refuse an output path that cannot be written, before any work is done.

    Parameters
    ----------
    destination
        The output folder (``folder=True``) or layer file (``folder=False``: its
        extension must be one :func:`write_layer` writes).
    """
    destination = Path(destination)
    if folder and destination.exists() and not destination.is_dir():
        raise StpgeoError("the output path exists and is not a folder", source=destination,
                          fix="choose a folder name for --out")
    if not folder:
        if destination.is_dir():
            raise StpgeoError("the output path is a folder", source=destination,
                              fix="give a file name such as footprints.gpkg for --out")
        suffix = destination.suffix.lower()
        if suffix not in _DRIVERS and suffix not in (".parquet", ".geoparquet"):
            raise StpgeoError(f"cannot write {suffix or 'files without an extension'}",
                              source=destination,
                              fix="use .gpkg, .geojson, .parquet, .fgb or .shp")
    parent = destination.resolve().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise StpgeoError(f"cannot write into {parent}", source=destination,
                          fix="choose an output path in a folder you can write to")
    return destination


@contextmanager
def _write_errors(destination: Path) -> Iterator[None]:
    """Turn an operating-system error while writing (a full disk...) into a StpgeoError."""
    try:
        yield
    except OSError as error:
        raise StpgeoError(f"the results could not be written ({error.strerror or error})",
                          source=destination,
                          fix="free some space or choose another output path; nothing was "
                          "changed") from error


@contextmanager
def atomic_folder(destination: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary folder that replaces ``destination`` once the block succeeds.

    On an exception the temporary folder is removed and ``destination`` is left
    as it was.
    """
    destination = Path(destination)
    parent = destination.resolve().parent
    if destination.exists() and not destination.is_dir():
        raise StpgeoError("the output path exists and is not a folder", source=destination,
                          fix="choose a folder name for --out")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", dir=parent))
    except OSError as error:
        raise StpgeoError(f"cannot create the output folder ({error.strerror})",
                          source=destination, fix="choose a folder you can write to") from None
    try:
        with _write_errors(destination):
            yield staging
        if destination.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{destination.name}.old.", dir=parent))
            destination.rename(retired / destination.name)
            staging.rename(destination)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            staging.rename(destination)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def atomic_file(destination: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary file path that replaces ``destination`` once the block succeeds."""
    destination = Path(destination)
    parent = destination.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StpgeoError(f"cannot create the output folder ({error.strerror})",
                          source=destination, fix="choose a folder you can write to") from None
    handle, name = tempfile.mkstemp(prefix=f".{destination.stem}.", suffix=destination.suffix,
                                    dir=parent)
    os.close(handle)
    staging = Path(name)
    staging.unlink()
    try:
        with _write_errors(destination):
            yield staging
        staging.replace(destination)
    finally:
        if staging.exists():
            if staging.is_dir():
                shutil.rmtree(staging, ignore_errors=True)
            else:
                staging.unlink()


def write_frame(frame: gpd.GeoDataFrame, path: Path, *, layer: str | None = None) -> None:
    """Write a GeoDataFrame in the format its extension names (GeoJSON in EPSG:4326)."""
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".geoparquet"):
        frame.to_parquet(path)
        return
    if suffix not in _DRIVERS:
        raise StpgeoError(f"cannot write {suffix or 'files without an extension'}",
                          source=path, fix="use .gpkg, .geojson, .parquet, .fgb or .shp")
    if _DRIVERS[suffix] == "GeoJSON":
        frame = frame.to_crs(4326)  # RFC 7946: GeoJSON is longitude/latitude
    frame.to_file(path, driver=_DRIVERS[suffix], layer=layer, engine="pyogrio")


def write_layer(frame: gpd.GeoDataFrame, path: str | os.PathLike[str], *,
                layer: str | None = None) -> Path:
    """Write a layer atomically to ``path`` (.gpkg, .geojson, .parquet, .fgb or .shp).

    A shapefile is several files, so it is written into a temporary folder and its
    parts moved into place together.
    """
    path = Path(path)
    if path.suffix.lower() == ".shp":
        with atomic_folder(path.with_suffix(".shp.parts")) as folder:
            write_frame(frame, folder / path.name)
        for part in path.with_suffix(".shp.parts").iterdir():
            part.replace(path.with_name(part.name))
        path.with_suffix(".shp.parts").rmdir()
        return path
    with atomic_file(path) as staging:
        # the layer is named after the file it will become, not the temporary one
        write_frame(frame, staging, layer=layer or path.stem)
    return path
