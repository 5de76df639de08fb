"""Finding the boundary layer inside a zip archive, wherever it sits.

Downloads often put the shapefile in a folder inside the zip
(``Wards_2018/Wards_2018.shp``), or beside a readme and a licence. :func:`find_in_zip`
lists the boundary files anywhere in the archive (shapefiles, GeoPackages, GeoJSON,
FlatGeobuf, file geodatabases), ignoring the ``__MACOSX`` folder and hidden files:
one is read; several are refused, listed, with the option that chooses one; a
shapefile whose ``.shx`` or ``.dbf`` is missing from the archive is refused.

Examples
--------
>>> boundary_members(["Wards_2018/Wards_2018.shp", "Wards_2018/Wards_2018.dbf",
...                   "Wards_2018/Wards_2018.shx", "readme.txt", "__MACOSX/._x.shp"])
['Wards_2018/Wards_2018.shp']
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from stpgeo.errors import StpgeoError, option_hint, preview

#: Files GDAL reads as boundary layers (a ``.gdb`` is a folder).
BOUNDARY_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".fgb", ".gdb")


@dataclass(frozen=True)
class ZipMember:
    """The boundary file chosen inside an archive."""

    #: Its path inside the archive (``Wards_2018/Wards_2018.shp``).
    member: str
    #: The path GDAL opens (``/vsizip//data/wards.zip/Wards_2018/Wards_2018.shp``).
    opened: str

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.member).suffix.lower()


def _hidden(name: str) -> bool:
    return any(part.startswith(".") or part == "__MACOSX" for part in PurePosixPath(name).parts)


def boundary_members(names: list[str]) -> list[str]:
    """The boundary files among an archive's member names, in archive order."""
    found: list[str] = []
    for name in names:
        if _hidden(name):
            continue
        path = PurePosixPath(name)
        # a file geodatabase is a folder: name it once, by its folder
        gdb = next((PurePosixPath(*path.parts[:i + 1]) for i, part in enumerate(path.parts)
                    if part.lower().endswith(".gdb")), None)
        if gdb is not None:
            if str(gdb) not in found:
                found.append(str(gdb))
        elif path.suffix.lower() in BOUNDARY_SUFFIXES and not name.endswith("/"):
            found.append(name)
    return found


def _is_geojson(archive: zipfile.ZipFile, member: str) -> bool:
    """A ``.json`` member that looks like GeoJSON (not a metadata file beside the layer)."""
    with archive.open(member) as handle:
        head = handle.read(4096)
    return b'"type"' in head and (b"Feature" in head or b"coordinates" in head)


def _label(member: str, members: list[str]) -> str:
    """What to give ``--layer`` for a member: its name alone when that is unambiguous."""
    stem = PurePosixPath(member).stem
    return stem if sum(PurePosixPath(m).stem == stem for m in members) == 1 else member


def _matches(member: str, wanted: str) -> bool:
    path = PurePosixPath(member)
    return wanted.lower() in (member.lower(), path.name.lower(), path.stem.lower())


def _check_shapefile(member: str, names: set[str], source: Path) -> None:
    base = member[: -len(".shp")]
    missing = [ext for ext in (".shx", ".dbf")
               if not any(f"{base}{e}" in names for e in (ext, ext.upper()))]
    if missing:
        raise StpgeoError(
            f"the shapefile {member} in the zip archive is incomplete: "
            f"{' and '.join(missing)} missing beside it", source=source,
            fix="put all the shapefile's parts (.shp, .shx, .dbf, .prj) in the same folder "
            "of the archive")


def find_in_zip(path: Path, *, layer: str | int | None = None, role: str | None = None
                ) -> tuple[ZipMember, str | int | None]:
    """The boundary file to read from a zip archive, and the layer to read inside it.

    Parameters
    ----------
    path
        The ``.zip`` file.
    layer
        Chooses among several boundary files (by path in the archive, file name or
        name without extension); with one boundary file, the layer inside it (a
        GeoPackage's layer).
    role
        The layer's role in a command, for the option named in messages.

    Raises
    ------
    StpgeoError
        For a file that is not a readable zip, an archive with no boundary file, or
        several and none chosen (listing them), or an incomplete shapefile.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            members = [m for m in boundary_members(names)
                       if not m.lower().endswith(".json") or _is_geojson(archive, m)]
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError) as error:
        raise StpgeoError(f"the file cannot be read as a zip archive ({error})", source=path,
                          fix="download the archive again, or unzip it and give the "
                          "boundary file itself") from None
    if not members:
        listed = [n for n in names if not _hidden(n) and not n.endswith("/")]
        raise StpgeoError(
            "the zip archive holds no boundary file (shapefile, GeoPackage, GeoJSON, "
            f"FlatGeobuf); it holds: {preview(listed) or 'nothing'}", source=path,
            fix="give the archive that holds the boundaries, or the boundary file itself")
    chosen = [m for m in members if layer is not None and _matches(m, str(layer))]
    inner: str | int | None = None
    if len(chosen) != 1:
        if len(members) > 1:
            labels = [_label(m, members) for m in members]
            what = (f"there is no boundary file {layer!r} in the zip archive"
                    if layer is not None else
                    f"the zip archive holds {len(members)} boundary files and none was chosen")
            raise StpgeoError(
                f"{what}: {preview(members, 30)}", source=path,
                fix=f"choose one with {option_hint('layer', labels[0], role=role)}")
        chosen, inner = members, layer
    member = chosen[0]
    if member.lower().endswith(".shp"):
        _check_shapefile(member, set(names), path)
    # GDAL finds the archive in the path by its .zip; braces mark one named otherwise
    opened = str(path) if path.suffix.lower() == ".zip" else f"{{{path}}}"
    return ZipMember(member, f"/vsizip/{opened}/{member}"), inner
