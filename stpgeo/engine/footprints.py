"""Building footprints (CCGs, STPs, councils) from their building blocks.

CCGs and STPs are, officially, groups of whole 2011 LSOAs: ONS lookup 143 lists
each LSOA's CCG, STP and council of April 2017. :func:`build_footprints` joins
the LSOA polygons to such a lookup and dissolves them into one polygon per code,
with its name, the number of blocks and (given a population table) its residents.
The footprints are exact: each one's area equals the sum of its blocks' areas.

Blocks missing from the lookup, and lookup rows with no block, are reported in
the layer's repair log and warnings; nothing is dropped without a word.
"""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from stpgeo._types import PathLike
from stpgeo.errors import StpgeoError, preview
from stpgeo.geometry.coverage import clean_polygons, dissolve_coverage, in_metres
from stpgeo.geometry.repair import REPAIR_COLUMNS
from stpgeo.geometry.threads import each_in_threads
from stpgeo.io.cache import Cache
from stpgeo.io.cached import (
    cached_layer,
    read_layer_cached,
    read_lookup_cached,
    read_population_cached,
)
from stpgeo.io.fingerprint import frame_digest, remember, table_digest
from stpgeo.io.generations import (
    check_same_generation,
    layer_generation,
    lookup_generation,
    population_generation,
)
from stpgeo.io.layer import BlockBuild, Layer
from stpgeo.io.lookups import (
    check_column_kind,
    code_vintage,
    matching_column,
    name_column,
    one_to_one,
    plain_text,
)
from stpgeo.ons.codes import field_kind
from stpgeo.progress import step

#: Largest accepted difference between a footprint's area and its blocks' areas.
AREA_TOLERANCE = 1e-4


def clean_coverage(blocks: Layer, *, cache: bool | Cache = True) -> Layer:
    """The blocks with their shared edges made identical (a clean polygonal coverage).

    Blocks without polygons are kept as they are. Each block's area before cleaning
    is kept in the column ``original_area_m2`` (footprints built from the blocks are
    checked against it) and the largest change is recorded in the layer's notes.
    The cleaned blocks are kept in the cache (:mod:`stpgeo.io.cache`) under the
    fingerprint of the blocks given; ``cache=False`` cleans afresh and keeps nothing.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> frame = gpd.GeoDataFrame({"code": ["a", "b"], "name": ["a", "b"]}, crs=27700,
    ...     geometry=[shapely.box(0, 0, 1, 1), shapely.box(0.9999999, 0, 2, 1)])
    >>> cleaned = clean_coverage(Layer(frame, source="two boxes"))
    >>> bool(shapely.coverage_is_valid(cleaned.gdf.geometry.values))
    True
    """
    if blocks.coverage_clean:
        return blocks
    kept = Cache.of(cache)
    frames, meta = (kept.entry("clean", {"blocks": frame_digest(blocks.gdf)},
                               lambda: _clean(blocks))
                    if kept.enabled else _clean(blocks))  # (no key to fingerprint)
    remember(frames["gdf"], meta["digest"])
    return replace(blocks, gdf=frames["gdf"], notes=[*blocks.notes, meta["note"]],
                   coverage_clean=True)


def read_clean_blocks(path: PathLike, *, cache: bool | Cache = True, crs: str | None = None,
                      layer: str | None = None, data: PathLike | None = None) -> Layer:
    """Building blocks read from a file and made a clean coverage (:func:`clean_coverage`),
    kept in the cache as such: a re-run loads the cleaned blocks only.

    Examples
    --------
    >>> blocks = read_clean_blocks(data_dir() / "lsoa/lsoa_2011_england.geojson")  # doctest: +SKIP
    >>> blocks.coverage_clean  # doctest: +SKIP
    True
    """
    return read_layer_cached(path, cache=Cache.of(cache), crs=crs, layer=layer, data=data,
                             role="blocks",
                             then=("clean", lambda read: clean_coverage(read, cache=False)))


def _clean(blocks: Layer) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """The cleaned blocks' features, the note saying how they were cleaned, and their
    fingerprint."""
    frame = blocks.gdf
    usable = frame.index.isin(blocks.polygons.index)
    geometry = frame.geometry.values.copy()
    with step(f"cleaning the coverage of {len(blocks.polygons):,} blocks"):
        try:
            cleaned, n_cleaned = clean_polygons(np.asarray(geometry[usable]),
                                                in_metres=in_metres(frame.crs))
        except shapely.errors.GEOSException as error:
            raise StpgeoError(
                f"the blocks could not be made into a clean coverage ({error})",
                source=blocks.source,
                fix="check the block layer is a set of non-overlapping polygons (e.g. LSOAs)",
            ) from None
    before = shapely.area(np.asarray(geometry[usable]))
    after = shapely.area(cleaned)
    change = np.abs(after - before) / np.where(before > 0, before, 1.0)
    geometry[usable] = cleaned
    result = frame.copy()
    result["original_area_m2"] = shapely.area(np.asarray(frame.geometry.values))
    result[result.geometry.name] = gpd.GeoSeries(geometry, index=frame.index, crs=frame.crs)
    how = ("vertices rounded to the millimetre; " if n_cleaned < len(change) else "") + (
        f"{n_cleaned:,} of {len(change):,} blocks through GEOS's coverage cleaner")
    note = (f"coverage cleaned ({how}); the largest change in a block's area is "
            f"{change.max():.2e} of its area" if len(change) else "coverage cleaned")
    return {"gdf": result}, {"note": note, "digest": frame_digest(result)}


def _as_layer(blocks: Layer | PathLike, cache: Cache) -> Layer:
    """Blocks as given, or read from a file and cleaned (kept in the cache as such, as
    :func:`stpgeo.analyse` keeps blocks it sums footprints from)."""
    return blocks if isinstance(blocks, Layer) else read_clean_blocks(blocks, cache=cache)


def _as_lookup(lookup: pd.DataFrame | PathLike, cache: Cache) -> pd.DataFrame:
    """A lookup as given (its codes as plain strings), or read from a file through the cache."""
    if isinstance(lookup, pd.DataFrame):
        return plain_text(lookup)
    return read_lookup_cached(lookup, cache=cache)


def build_footprints(
    blocks: Layer | PathLike,
    lookup: pd.DataFrame | PathLike,
    *,
    by: str,
    population: pd.Series | PathLike | None = None,
    block_column: str | None = None,
    cache: bool | Cache = True,
) -> Layer:
    """Dissolve building blocks into one footprint per code of a lookup column.

    Parameters
    ----------
    blocks
        The blocks (e.g. LSOAs), as a :class:`Layer` or a file.
    lookup
        A block-to-footprint lookup (e.g. ONS lookup 143), as a table or a CSV file.
    by
        The lookup column giving each block's footprint code (e.g. ``"STP17CD"``);
        its name partner (``STP17NM``) gives the names.
    population
        Residents per block (a Series indexed by block code, or a CSV file).
    block_column
        The lookup column holding block codes; by default the one matching the blocks.
    cache
        Keep the footprints in the cache (:mod:`stpgeo.io.cache`), under the fingerprints
        of the blocks, the lookup and the population, and take them from it next time;
        False builds them afresh and keeps nothing.

    Returns
    -------
    Layer
        One feature per code: ``code``, ``name``, ``n_blocks``, ``population``
        (when given), ``area_m2``, ``blocks_area_m2`` (the sum of its blocks' own
        areas) and ``geometry``, in EPSG:27700. ``built_from`` records which blocks
        each footprint is made of, so that an analysis with the same blocks sums the
        wards' pieces from their blocks instead of overlaying the footprints.

    Raises
    ------
    StpgeoError
        When the lookup has no column ``by``, no column of the blocks' codes, or
        gives a block two footprints; when the blocks, lookup and population are of
        different generations of LSOAs (2011, 2021); or when a footprint's area differs from its
        blocks' areas by more than 0.01%.

    Examples
    --------
    >>> stps = build_footprints("lsoa_2011_england.geojson",  # doctest: +SKIP
    ...                         "143_LSOA11_CCG17_STP17_LAD17_EN_LU.csv", by="STP17CD")
    >>> len(stps), stps.kind, stps.vintage  # doctest: +SKIP
    (44, 'stp', 2017)
    """
    store = Cache.of(cache)
    blocks = _as_layer(blocks, store)
    table = _as_lookup(lookup, store)
    residents = (population if isinstance(population, pd.Series) or population is None
                 else read_population_cached(population, cache=store))
    parts = [("blocks", blocks.source, layer_generation(blocks)),
             ("lookup", str(table.attrs.get("source", "lookup")), lookup_generation(table))]
    if residents is not None:
        parts.append(("population table", str(residents.attrs.get("source", "table")),
                      population_generation(residents)))
    check_same_generation(parts)  # a lookup of the 2011 LSOAs for blocks of 2021 is refused
    made_from = {"blocks": frame_digest(blocks.gdf), "blocks_source": blocks.source,
                 "lookup": table_digest(table), "lookup_source": table.attrs.get("source"),
                 "by": by, "block_column": block_column,
                 "population": None if residents is None else table_digest(residents),
                 "population_attrs": None if residents is None else residents.attrs}
    return cached_layer(store, "footprints", made_from,
                        lambda: _build(blocks, table, by=by, population=residents,
                                       block_column=block_column, cache=store))


def _build(blocks: Layer, table: pd.DataFrame, *, by: str, population: pd.Series | None,
           block_column: str | None, cache: Cache) -> Layer:
    source = table.attrs.get("source", "lookup")
    usable = blocks.polygons
    block_codes = usable["code"].dropna()
    by = matching_column(table, [], source=source, column=by, role="lookup")
    check_column_kind(table, by, source=source)
    block_column = matching_column(table, set(block_codes), source=source, column=block_column,
                                   role="lookup")
    footprint_of = one_to_one(table, block_column, by, source=source, role="lookup")
    names_column = name_column(table, by)
    names = (one_to_one(table, by, names_column, source=source, role="lookup")
             if names_column else pd.Series(dtype=object))

    # object dtype: isin on pandas' Arrow-backed strings is ~50x slower here
    in_lookup = usable["code"].astype(object).isin(footprint_of.index)
    not_in_lookup = usable.loc[~in_lookup, "code"]
    without_block = footprint_of.index.difference(pd.Index(block_codes))
    if not in_lookup.any():
        raise StpgeoError(f"none of the blocks' codes is in the lookup's {block_column!r}",
                          source=source,
                          fix="give a lookup of the same blocks (e.g. LSOA11CD, LSOA21CD)")
    kind = field_kind(by)
    log_rows = pd.DataFrame(
        {"code": [*not_in_lookup, *without_block],
         "problem": ["block not in the lookup"] * len(not_in_lookup)
         + ["lookup row with no block in the layer"] * len(without_block),
         "action": ["left out of every footprint"] * len(not_in_lookup)
         + ["footprint built without it"] * len(without_block),
         "area_before_m2": [*shapely.area(usable.loc[~in_lookup].geometry.values),
                            *[np.nan] * len(without_block)],
         "area_after_m2": np.nan},
        columns=REPAIR_COLUMNS)
    found = []
    if len(not_in_lookup):
        found.append(f"{len(not_in_lookup):,} blocks are not in the lookup and belong to no "
                     f"footprint: {preview(not_in_lookup)}")
    if len(without_block):
        found.append(f"{len(without_block):,} lookup rows have no block in {blocks.source}: "
                     f"{preview(without_block)}")
    missing_geometry = blocks.gdf.index.difference(usable.index)
    if len(missing_geometry):
        found.append(f"{len(missing_geometry):,} blocks have no polygon and were left out")

    clean = clean_coverage(blocks, cache=cache)
    cleaned = clean.gdf.loc[usable.index[in_lookup]]
    original_area = (cleaned["original_area_m2"].to_numpy() if "original_area_m2" in cleaned
                     else shapely.area(cleaned.geometry.values))
    groups = footprint_of.loc[cleaned["code"]].to_numpy()
    codes, inverse = np.unique(groups, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.cumsum(np.bincount(inverse, minlength=len(codes)))[:-1]
    members = np.split(np.asarray(cleaned.geometry.values)[order], bounds)
    with step(f"dissolving {len(cleaned):,} blocks into {len(codes):,} footprints"):
        geometry = each_in_threads(dissolve_coverage, members,
                                   sizes=[len(parts) for parts in members])

    frame = gpd.GeoDataFrame(
        {"code": codes, "name": names.reindex(codes).to_numpy() if len(names) else codes,
         "n_blocks": np.bincount(inverse).astype("int64")},
        geometry=geometry, crs=blocks.gdf.crs)
    if population is not None:
        residents = population
        found += residents.attrs.get("warnings", [])
        per_block = residents.reindex(cleaned["code"]).to_numpy()
        unknown = int(np.isnan(per_block.astype(float)).sum())
        if unknown:
            found.append(f"{unknown:,} blocks have no population figure and count as 0")
        frame["population"] = np.bincount(inverse, weights=np.nan_to_num(
            per_block.astype(float))).round().astype("int64")
    frame["area_m2"] = shapely.area(frame.geometry.values)
    frame["blocks_area_m2"] = np.bincount(inverse, weights=original_area)
    difference = np.abs(frame["area_m2"] / frame["blocks_area_m2"] - 1)
    if (difference > AREA_TOLERANCE).any():
        worst = frame.loc[difference.idxmax(), "code"]
        raise StpgeoError(
            f"footprint {worst} differs from the sum of its blocks' areas by "
            f"{difference.max():.3%}; the blocks overlap or are not a coverage",
            source=blocks.source, fix="give non-overlapping building blocks such as LSOAs")
    invalid = ~shapely.is_valid(frame.geometry.values)
    if invalid.any():
        raise StpgeoError(f"dissolving produced invalid footprints: "
                          f"{preview(frame.loc[invalid, 'code'])}", source=blocks.source,
                          fix="report this as a bug in stpgeo, with the files used")
    note = (f"built from {len(cleaned):,} blocks of {blocks.source} with {source} ({by}); "
            f"largest difference between a footprint's area and its blocks' areas "
            f"{difference.max():.1e}")
    built_from = BlockBuild(members=pd.Series(groups, index=pd.Index(cleaned["code"], dtype=object),
                                              dtype=object, name=by),
                            blocks_digest=frame_digest(clean.gdf), digest=frame_digest(frame),
                            provenance={"blocks": len(cleaned), "block_kind": blocks.kind,
                                        "blocks_source": blocks.source,
                                        "blocks_cleaned": blocks.coverage_clean,
                                        "lookup": str(source), "column": by,
                                        "with_population": population is not None})
    return Layer(
        gdf=frame, source=f"{by} built from {blocks.source}", kind=kind, vintage=code_vintage(by),
        code_field=by, name_field=names_column, source_crs="EPSG:27700", driver="stpgeo build",
        repairs=log_rows, warnings=found, notes=[note], coverage_clean=True,
        built_from=built_from)


def ons_fields(layer: Layer) -> gpd.GeoDataFrame:
    """The layer's features with their code and name under the ONS field names they came
    from (``STP17CD``, ``STP17NM``), as files for QGIS keep them.

    Examples
    --------
    >>> frame = gpd.GeoDataFrame({"code": ["E54000016"], "name": ["The Black Country"]},
    ...                          geometry=[shapely.box(0, 0, 1, 1)], crs=27700)
    >>> list(ons_fields(Layer(frame, source="built", code_field="STP17CD",
    ...                       name_field="STP17NM")).columns)
    ['STP17CD', 'STP17NM', 'geometry']
    """
    names = {column: field for column, field in (("code", layer.code_field),
                                                 ("name", layer.name_field))
             if field and field not in layer.gdf.columns}
    return layer.gdf.rename(columns=names)

