"""Where a result folder's polygons are kept: in ``layers.gpkg``, or by reference.

An analysis of England draws its wards from a ward file, its footprints from the
LSOAs dissolved by a lookup, and its blocks from the LSOA file: kept again in every
result folder, those polygons weighed some 80 MB a folder. A folder keeps them *by
reference* instead: ``summary.json`` (``layers``) records how each layer is made
again from the input files — read (``{"read": {"file", "layer", "clean"}}``) or
built (``{"build": {"blocks", "lookup", "by", "population"}}``) — with the
fingerprint of its codes and polygons; :meth:`~stpgeo.analysis.result.Analysis.read`
makes the layer again (through the cache; from the data directory when the folder
has moved to a machine where the files are elsewhere) and checks the fingerprint. A reference is
written only when the input files, read again now, give exactly the polygons of the
analysis (the fingerprint is compared at writing too); any other layer (one made in
Python, a file since changed) is kept in ``layers.gpkg``. The ward × footprint pieces
are never needed in the folder: each is its ward (a ward wholly in one footprint) or
the exact intersection of its ward and footprint, made again from the two
(:func:`piece_geometry`).

``geometry="embedded"`` (``stpgeo analyse --self-contained``) keeps every polygon in
``layers.gpkg``, for a folder that must open where the input files are not.

Examples
--------
>>> import geopandas as gpd, shapely
>>> wards = gpd.GeoDataFrame({"ward_code": ["W1"]}, geometry=[shapely.box(0, 0, 2, 1)],
...                          crs=27700)
>>> len(geometry_digest(wards, "ward_code"))
64
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from stpgeo.engine.footprints import build_footprints, read_clean_blocks
from stpgeo.engine.intersect import intersect_pairs
from stpgeo.errors import StpgeoError
from stpgeo.geometry.crs import MEASURE_CRS
from stpgeo.io.cache import Cache
from stpgeo.io.cached import read_layer_cached, read_lookup_cached, read_population_cached
from stpgeo.io.catalogue import data_dir
from stpgeo.io.layer import Layer

#: A ward whose one piece has at least this share of its area is its own piece.
WHOLE_SHARE = 1 - 1e-9
#: Layers that can be kept by reference, and the column holding their codes.
REFERABLE = {"wards": "ward_code", "footprints": "code", "blocks": "block_code"}


def _as_multi(shapes: np.ndarray) -> np.ndarray:
    """Polygons as one-part multipolygons, as a GeoPackage keeps a layer of both."""
    shapes = shapes.copy()
    single = shapely.get_type_id(shapes) == shapely.GeometryType.POLYGON
    if single.any():
        shapes[single] = shapely.multipolygons(shapes[single], indices=np.arange(single.sum()))
    return shapes


def geometry_digest(frame: gpd.GeoDataFrame, key: str) -> str:
    """The fingerprint of a layer's codes and polygons (in code order; EPSG:27700; a
    polygon and the multipolygon of it alone are the same)."""
    ordered = frame.sort_values(key, kind="stable")
    digest = hashlib.sha256()
    shapes = _as_multi(np.asarray(ordered.geometry.values, dtype=object))
    for code, wkb in zip(ordered[key].astype(str), shapely.to_wkb(shapes), strict=True):
        digest.update(code.encode())
        digest.update(b"\0" if wkb is None else wkb)
    return digest.hexdigest()


def located(recorded: str) -> Path:
    """An input file where it was, or else where the data directory has it now (the
    same name in the same sub-folder: the folder moved to another machine)."""
    path = Path(recorded)
    if path.is_file():
        return path
    try:
        root = data_dir()
    except StpgeoError:
        return path
    for depth in (2, 1, 3):
        moved = root.joinpath(*path.parts[-depth:])
        if moved.is_file():
            return moved
    return path


def _read(recipe: dict[str, Any], cache: Cache) -> Layer:
    file = located(recipe["file"])
    if recipe.get("clean"):
        return read_clean_blocks(file, cache=cache, layer=recipe.get("layer"))
    return read_layer_cached(file, cache=cache, layer=recipe.get("layer"))


def _make(recipe: dict[str, Any], cache: Cache) -> Layer:
    """The layer a recipe makes: a file read, or footprints built from blocks."""
    if "read" in recipe:
        return _read(recipe["read"], cache)
    build = recipe["build"]
    population = build.get("population")
    return build_footprints(
        _read(build["blocks"], cache),
        read_lookup_cached(located(build["lookup"]), cache=cache), by=build["by"], cache=cache,
        population=(read_population_cached(located(population), cache=cache) if population
                    else None))


def _as_keyed(layer: Layer, key: str, codes: pd.Index) -> gpd.GeoDataFrame:
    """A layer's features of these codes, as ``key`` and geometry."""
    frame = layer.gdf[layer.gdf["code"].isin(codes)]
    return gpd.GeoDataFrame({key: frame["code"].astype(object).to_numpy()},
                            geometry=frame.geometry.values, crs=MEASURE_CRS)


def _candidates(name: str, inputs: dict[str, Any]) -> list[dict[str, Any]]:
    """The ways a layer may have been made, from what summary.json says of the inputs."""
    described = inputs.get("blocks" if name == "blocks" else name)
    if not isinstance(described, dict):
        return []
    source, layer = described.get("source"), described.get("layer")
    built = described.get("built_from")
    if name == "footprints" and isinstance(built, dict):
        population = inputs.get("population")
        people = population.get("source") if isinstance(population, dict) else None
        # the way the build recorded first (builds before 2026-12-08 recorded neither)
        cleans = (True, False) if built.get("blocks_cleaned", True) else (False, True)
        residents = dict.fromkeys((people, None) if built.get("with_population", True)
                                  else (None, people))
        made = [{"build": {"blocks": {"file": built["blocks_source"], "layer": None,
                                      "clean": clean},
                           "lookup": built["lookup"], "by": built["column"],
                           "population": population}}
                for clean in cleans for population in residents]
        return [m for m in made if Path(m["build"]["lookup"]).is_file()
                and Path(m["build"]["blocks"]["file"]).is_file()]
    if not source or not Path(str(source)).is_file():
        return []
    cleaned = (True, False) if name == "blocks" else (False,)
    return [{"read": {"file": str(source), "layer": layer, "clean": clean}}
            for clean in cleaned]


def find_reference(name: str, frame: gpd.GeoDataFrame, inputs: dict[str, Any], *,
                   cache: Cache) -> dict[str, Any] | None:
    """How to make a layer of an analysis again from its input files, checked: the first
    way whose polygons are exactly the layer's, with their fingerprint; None when no way
    gives them (the layer is then kept in ``layers.gpkg``)."""
    key = REFERABLE[name]
    wanted = geometry_digest(frame, key)
    codes = pd.Index(frame[key].astype(object))
    for recipe in _candidates(name, inputs):
        try:
            made = _as_keyed(_make(recipe, cache), key, codes)
        except (StpgeoError, OSError, KeyError, ValueError):
            continue
        if len(made) == len(frame) and geometry_digest(made, key) == wanted:
            return {**recipe, "features": len(frame), "digest": wanted}
    return None


def _described(recipe: dict[str, Any]) -> str:
    if "read" in recipe:
        return str(recipe["read"]["file"])
    build = recipe["build"]
    return f"{build['blocks']['file']} dissolved by {build['by']} of {build['lookup']}"


def resolve(name: str, reference: dict[str, Any], codes: pd.Index, *, cache: Cache,
            folder: Path) -> gpd.GeoDataFrame:
    """A layer kept by reference, made again and checked against its fingerprint.

    Raises
    ------
    StpgeoError
        When an input file is missing, or no longer gives the polygons of the analysis.
    """
    key = REFERABLE[name]
    fix = ("put the input files back where they were, or write the analysis again "
           "with its polygons kept (stpgeo analyse --self-contained, "
           "Analysis.write(..., geometry='embedded'))")
    try:
        made = _as_keyed(_make(reference, cache), key, codes)
    except (OSError, KeyError) as error:
        raise StpgeoError(f"the {name}' polygons are kept by reference to "
                          f"{_described(reference)}, which cannot be read ({error})",
                          source=folder, fix=fix) from error
    except StpgeoError as error:
        raise StpgeoError(f"the {name}' polygons are kept by reference to "
                          f"{_described(reference)}, which cannot be read: {error.problem}",
                          source=folder, fix=fix) from error
    if geometry_digest(made, key) != reference["digest"]:
        raise StpgeoError(f"the {name}' polygons are kept by reference to "
                          f"{_described(reference)}, which has changed since the analysis "
                          f"({len(made):,} of its {reference['features']:,} features found, "
                          "polygons differ)", source=folder, fix=fix)
    return made


def piece_geometry(pieces: pd.DataFrame, wards: gpd.GeoDataFrame,
                   footprints: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The ward × footprint pieces' polygons, made again from the wards and footprints.

    A ward with one piece covering it (to :data:`WHOLE_SHARE` of its area) is its own
    piece, as the overlay made it; any other piece is the exact intersection of its ward
    and its footprint.

    Parameters
    ----------
    pieces
        ``ward_footprints``: ``ward_code``, ``footprint_code``, ``area_share``.
    wards, footprints
        ``ward_code`` / ``code`` and geometry.

    Returns
    -------
    geopandas.GeoDataFrame
        ``ward_code``, ``footprint_code`` and geometry, a row per piece.
    """
    ward_shapes = wards.drop_duplicates("ward_code").set_index("ward_code").geometry
    footprint_shapes = footprints.drop_duplicates("code").set_index("code").geometry
    a = np.asarray(ward_shapes.reindex(pieces["ward_code"]).values, dtype=object)
    b = np.asarray(footprint_shapes.reindex(pieces["footprint_code"]).values, dtype=object)
    n_pieces = pieces.groupby("ward_code")["ward_code"].transform("size").to_numpy()
    whole = (n_pieces == 1) & (pieces["area_share"].fillna(0).to_numpy() >= WHOLE_SHARE)
    shapes = a.copy()
    cut = ~whole & ~shapely.is_missing(a) & ~shapely.is_missing(b)
    if cut.any():
        shapes[cut] = intersect_pairs(a[cut], b[cut])
    shapes[~whole & ~cut] = None
    return gpd.GeoDataFrame({"ward_code": pieces["ward_code"].to_numpy(),
                             "footprint_code": pieces["footprint_code"].to_numpy()},
                            geometry=shapes, crs=MEASURE_CRS)
