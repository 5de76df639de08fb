"""An analysis result: its tables, its layers, and reading and writing its folder.

A result folder holds, with exactly these names (other tools read them):

- ``ward_footprints.csv`` — one row per ward × footprint piece;
- ``ward_verdicts.csv`` — one row per ward;
- ``councils.csv`` and ``footprints.csv``;
- ``summary.json`` — inputs, parameters, counts, checks, timings;
- ``blocks.csv`` — each block's ward, footprint and council, and how each was decided
  (when blocks were given);
- ``ward_blocks.csv`` — per ward, how many blocks an ONS lookup placed in it and how
  many of those geometry alone would have put elsewhere (when blocks were given);
- ``deprivation.csv`` — residents per council × side (home / outside_home) × index ×
  decile, and ``ward_deprivation.csv`` — per ward and index, the shares of residents in
  England's most deprived 10% and 20% (when deprivation was given; ``blocks.csv`` then
  holds each block's deciles, ``decile_IMD2019``...);
- ``practices.csv`` — each active GP practice: its ward, council and commissioner, and
  whether that is home (when practices were given);
- ``layers.gpkg`` — the geometries, in EPSG:27700: layers ``wards`` (``ward_code``
  and ``council_method``), ``pieces`` (``ward_code``, ``footprint_code``) and
  ``footprints`` (``code``); with deprivation ``blocks`` (``block_code``), with
  practices ``practices`` (``practice_code``, points). Polygons the input files give
  again exactly are kept by reference instead (``summary.json`` → ``layers``; the
  wards' ``council_method`` then in the attribute table ``ward_methods``), and the
  pieces made again from wards and footprints (:mod:`stpgeo.analysis.kept_geometry`;
  ``geometry="embedded"`` keeps them all). Every figure lives in the
  tables, once; the layers
  with their figures (:attr:`Analysis.wards_gdf` ...) are joined from the two
  (:mod:`stpgeo.analysis.layers`), and :meth:`Analysis.read` gives back what
  :meth:`Analysis.write` wrote.

Shares are fractions 0..1; lists are semicolon-separated; population columns are
empty when no population was given.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import pyogrio

from stpgeo.analysis.kept_geometry import REFERABLE, find_reference, piece_geometry, resolve
from stpgeo.analysis.layers import (
    GEOMETRY_LAYERS,
    OPTIONAL_LAYERS,
    block_layer,
    footprint_layer,
    geometry_layers,
    piece_layer,
    practice_layer,
    ward_layer,
)
from stpgeo.engine.deprivation import WARD_DEPRIVATION_COLUMNS
from stpgeo.engine.practices import PRACTICE_TABLE
from stpgeo.errors import StpgeoError, preview
from stpgeo.io.cache import Cache
from stpgeo.io.write import atomic_folder
from stpgeo.ons.codes import short_title

if TYPE_CHECKING:
    import folium

WARD_FOOTPRINTS = ["ward_code", "ward_name", "footprint_code", "footprint_name", "area_m2",
                   "area_share", "population", "population_share", "kind", "confidence"]
WARD_VERDICTS = ["ward_code", "ward_name", "council_code", "council_name",
                 "home_footprint_codes", "best_footprint_code", "best_footprint_name",
                 "best_area_share", "best_population_share", "verdict"]
COUNCILS = ["council_code", "council_name", "home_footprint_codes", "n_wards",
            "n_wards_outside_home", "n_wards_split", "population_outside_home",
            "footprint_codes"]
FOOTPRINTS = ["footprint_code", "footprint_name", "councils_whole", "councils_partial",
              "population"]
DEPRIVATION = ["council_code", "council_name", "side", "index", "decile", "population"]
LAYERS_FILE = "layers.gpkg"
#: Tables written only when an analysis has them (deprivation, practices).
_OPTIONAL_TABLES = {"deprivation": DEPRIVATION, "ward_deprivation": WARD_DEPRIVATION_COLUMNS,
                    "practices": PRACTICE_TABLE}
_BOOLEANS = ("commissioner_is_home",)

_TABLES = {"ward_footprints": WARD_FOOTPRINTS, "ward_verdicts": WARD_VERDICTS,
           "councils": COUNCILS, "footprints": FOOTPRINTS}
_INTEGERS = ("population", "n_wards", "n_wards_outside_home", "n_wards_split",
             "population_outside_home", "n_blocks", "decile")
_FLOATS = ("area_m2", "area_share", "population_share", "best_area_share",
           "best_population_share", "footprint_share", "share_decile_1", "share_deciles_1_2")


@dataclass
class Analysis:
    """The result of :func:`stpgeo.analyse`: plain DataFrames plus layers for maps.

    Attributes
    ----------
    ward_footprints, ward_verdicts, councils, footprints
        The four tables, with the columns of the files of the same names.
    summary
        Inputs, parameters, verdict counts, slivers, checks and timings.
    wards_gdf, pieces_gdf, footprints_gdf
        The wards (with their verdicts), the pieces and the footprints as
        GeoDataFrames in EPSG:27700.
    blocks
        Each block's ward, footprint and council and how each was decided (None
        without blocks); with deprivation, its deciles too (``decile_IMD2019``...).
    deprivation, ward_deprivation
        Residents per council × side × index × decile, and per ward the shares in the
        most deprived 10% and 20% (None without deprivation).
    practices
        Each active GP practice, where it is and whether its CCG is home (None
        without practices).
    blocks_gdf, practices_gdf
        The blocks (with deprivation) and the practices as layers in EPSG:27700.
    """

    ward_footprints: pd.DataFrame
    ward_verdicts: pd.DataFrame
    councils: pd.DataFrame
    footprints: pd.DataFrame
    summary: dict[str, Any]
    wards_gdf: gpd.GeoDataFrame
    pieces_gdf: gpd.GeoDataFrame
    footprints_gdf: gpd.GeoDataFrame
    blocks: pd.DataFrame | None = None
    deprivation: pd.DataFrame | None = None
    ward_deprivation: pd.DataFrame | None = None
    practices: pd.DataFrame | None = None
    blocks_gdf: gpd.GeoDataFrame | None = None
    practices_gdf: gpd.GeoDataFrame | None = None

    @property
    def name(self) -> str:
        """A short name for the footprint layer analysed (e.g. ``stp17``)."""
        return str(self.summary.get("name") or "analysis")

    @property
    def label(self) -> str:
        """What the footprints are, for people: ``'STP 2017'``, ``'CCG 2017'``..."""
        footprints = self.summary.get("inputs", {}).get("footprints") or {}
        return short_title(footprints.get("kind"), footprints.get("vintage")) or self.name

    def find_council(self, council: str) -> pd.Series:
        """A council's row of :attr:`councils`, by code or name (any case)."""
        return _find(self.councils, "council", council, "E08000025 or Birmingham")

    def find_footprint(self, footprint: str) -> pd.Series:
        """A footprint's row of :attr:`footprints`, by code or name (any case)."""
        return _find(self.footprints, "footprint", footprint, "E54000016 or The Black Country")

    def ward_block_agreement(self) -> pd.DataFrame:
        """Per ward: its blocks, how they were placed, and where geometry disagrees.

        Columns ``ward_code``, ``n_blocks``, ``n_blocks_lookup`` (placed by an ONS
        lookup), ``n_blocks_geometry`` (placed by geometry), ``n_blocks_disagreeing``
        (placed by the lookup, but geometry alone would put them in another ward, or
        none), ``population`` and ``population_disagreeing``. Empty without blocks.
        """
        columns = ["ward_code", "n_blocks", "n_blocks_lookup", "n_blocks_geometry",
                   "n_blocks_disagreeing", "population", "population_disagreeing"]
        if self.blocks is None:
            return pd.DataFrame(columns=columns)
        placed = self.blocks.dropna(subset=["ward"])
        by_lookup = placed["ward_method"] == "lookup"
        disagree = by_lookup & (placed["ward_geometric"].fillna("") != placed["ward"])
        people = placed["population"].astype("Float64")
        table = pd.DataFrame({
            "ward_code": placed["ward"], "n_blocks": 1, "n_blocks_lookup": by_lookup,
            "n_blocks_geometry": placed["ward_method"] == "geometry",
            "n_blocks_disagreeing": disagree, "population": people,
            "population_disagreeing": people.where(disagree, 0)})
        table = table.groupby("ward_code", as_index=False).sum(min_count=1)
        for column in columns[1:5]:
            table[column] = table[column].astype("int64")
        for column in columns[5:]:
            table[column] = table[column].round().astype("Int64")
        return table[columns]

    def verdict_counts(self) -> dict[str, int]:
        """How many wards got each verdict."""
        return {k: int(v) for k, v in self.ward_verdicts["verdict"].value_counts().items()}

    def write(self, folder: str | os.PathLike[str], *, geometry: str = "referenced",
              blocks_layer: bool = False, cache: bool = True) -> Path:
        """Write every file into ``folder`` atomically (replacing an earlier result).

        Parameters
        ----------
        folder
            The result folder.
        geometry
            ``"referenced"`` (default): polygons that the input files give again exactly
            are kept by reference to them (:mod:`stpgeo.analysis.kept_geometry`), the
            others in ``layers.gpkg``; ``"embedded"``: every polygon in ``layers.gpkg``
            (blocks and pieces included), for a folder that opens without the inputs.
        blocks_layer
            Keep the blocks' polygons in ``layers.gpkg`` even when referenced.
        cache
            Read the input files, to check the references, through the cache.
        """
        with atomic_folder(folder) as staging:
            self.write_into(staging, geometry=geometry, blocks_layer=blocks_layer,
                            cache=cache)
        return Path(folder)

    def write_into(self, folder: Path, *, geometry: str = "referenced",
                   blocks_layer: bool = False, cache: bool = True) -> None:
        """Write every file into an existing folder (no atomicity of its own); see
        :meth:`write`."""
        if geometry not in ("referenced", "embedded"):
            raise StpgeoError(f"geometry={geometry!r} is not a way to keep polygons",
                              fix="give geometry='referenced' or 'embedded'")
        for name, columns in _TABLES.items():
            getattr(self, name)[columns].to_csv(folder / f"{name}.csv", index=False,
                                                float_format="%.10g")
        if self.blocks is not None:
            self.blocks.to_csv(folder / "blocks.csv", index=True, float_format="%.10g")
            self.ward_block_agreement().to_csv(folder / "ward_blocks.csv", index=False)
        for name, columns in _OPTIONAL_TABLES.items():
            table = getattr(self, name)
            if table is not None:
                as_written(table[columns]).to_csv(folder / f"{name}.csv", index=False,
                                                float_format="%.10g")
        shapes = geometry_layers(self.wards_gdf, self.pieces_gdf, self.footprints_gdf,
                                 blocks=self.blocks_gdf, practices=self.practices_gdf)
        kept: dict[str, Any] = {}
        if geometry == "referenced":
            shapes, kept = _referenced(shapes, self.summary.get("inputs", {}),
                                       blocks_layer=blocks_layer, cache=Cache.open(cache))
        summary = {**self.summary, "layers": kept} if kept else self.summary
        (folder / "summary.json").write_text(
            json.dumps(summary, indent=2, default=_json_default) + "\n", encoding="utf-8")
        for layer, frame in shapes.items():
            pyogrio.write_dataframe(frame, folder / LAYERS_FILE, layer=layer, driver="GPKG")

    @classmethod
    def read(cls, folder: str | os.PathLike[str], *, cache: bool = True) -> Analysis:
        """Read a result folder written by :meth:`write` (or ``stpgeo analyse``).

        Polygons kept by reference are made again from the input files (through the
        cache when ``cache``), and checked against their fingerprints.

        Raises
        ------
        StpgeoError
            When the folder lacks a file, or an input file its polygons refer to is
            missing or has changed.
        """
        folder = Path(folder)
        missing = [f"{n}.csv" for n in _TABLES if not (folder / f"{n}.csv").is_file()]
        missing += [n for n in ("summary.json", LAYERS_FILE) if not (folder / n).is_file()]
        if missing:
            raise StpgeoError(f"not an stpgeo analysis folder: {', '.join(missing)} missing",
                              source=folder, fix="give a folder written by stpgeo analyse")
        tables = {n: _read_csv(folder / f"{n}.csv") for n in _TABLES}
        blocks = (_read_csv(folder / "blocks.csv", blank=None).set_index("block_code")
                  if (folder / "blocks.csv").is_file() else None)
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        kept = summary.pop("layers", {})
        stored = set(pyogrio.list_layers(folder / LAYERS_FILE)[:, 0])
        shapes = {n: pyogrio.read_dataframe(folder / LAYERS_FILE, layer=n)
                  for n in [*GEOMETRY_LAYERS, *OPTIONAL_LAYERS, WARD_METHODS] if n in stored}
        more = {n: _read_csv(folder / f"{n}.csv", blank=None) for n in _OPTIONAL_TABLES
                if (folder / f"{n}.csv").is_file()}
        shapes = _made_again(shapes, kept, tables, blocks, folder=folder,
                             cache=Cache.open(cache))
        if blocks is not None and "blocks" in shapes:
            more["blocks_gdf"] = block_layer(blocks, shapes["blocks"])
        if "practices" in more and "practices" in shapes:
            more["practices_gdf"] = practice_layer(more["practices"], shapes["practices"])
        return cls(**tables, **more, summary=summary, blocks=blocks,
                   wards_gdf=ward_layer(tables["ward_verdicts"], tables["ward_footprints"],
                                        blocks, shapes["wards"]),
                   pieces_gdf=piece_layer(tables["ward_footprints"], tables["ward_verdicts"],
                                          shapes["pieces"]),
                   footprints_gdf=footprint_layer(tables["footprints"], shapes["footprints"]))

    def map(self, *, council: str | None = None, footprint: str | None = None,
            **options: Any) -> folium.Map:
        """An interactive map of this analysis; it displays inline in Jupyter.

        ``council`` maps a council and its neighbours, ``footprint`` a footprint and
        the councils touching it, neither every ward; other options are those of
        :func:`stpgeo.maps.ward_map`.

        Examples
        --------
        >>> result.map(council="Birmingham")  # doctest: +SKIP
        """
        from stpgeo.outputs.maps import ward_map

        return ward_map(self, council=council, footprint=footprint, **options)

    def _repr_html_(self) -> str:
        from stpgeo.outputs.display import analysis_html

        return analysis_html(self)

    def __repr__(self) -> str:
        counts = ", ".join(f"{n:,} {v}" for v, n in self.verdict_counts().items())
        return f"<Analysis {self.name}: {len(self.ward_verdicts):,} wards ({counts})>"


#: The attribute-only layer of ``layers.gpkg`` holding each ward's ``council_method``
#: when the wards' polygons are kept by reference.
WARD_METHODS = "ward_methods"


def _referenced(shapes: dict[str, gpd.GeoDataFrame], inputs: dict[str, Any], *,
                blocks_layer: bool, cache: Cache
                ) -> tuple[dict[str, gpd.GeoDataFrame | pd.DataFrame], dict[str, Any]]:
    """What ``layers.gpkg`` keeps when polygons go by reference, and the references.

    The pieces are made again from the wards and footprints; the blocks are kept with
    ``blocks_layer`` even when their file gives them again.
    """
    kept: dict[str, Any] = {}
    layers: dict[str, gpd.GeoDataFrame | pd.DataFrame] = {}
    for name, frame in shapes.items():
        if name == "pieces" or name not in REFERABLE or (name == "blocks" and blocks_layer):
            layers[name] = frame
            continue
        found = find_reference(name, frame, inputs, cache=cache)
        if found is not None:
            kept[name] = found
        else:
            layers[name] = frame
    if "wards" in kept:
        layers[WARD_METHODS] = pd.DataFrame(shapes["wards"].drop(columns="geometry"))
    if "pieces" in layers and {"wards", "footprints"}.isdisjoint(kept):
        return layers, kept  # nothing referenced: the pieces stay with their wards
    layers.pop("pieces", None)
    kept["pieces"] = {"made_again": "each ward's piece in each footprint, from the wards "
                      "and the footprints (its ward, or their exact intersection)"}
    return layers, kept


def _made_again(shapes: dict[str, Any], kept: dict[str, Any], tables: dict[str, pd.DataFrame],
                blocks: pd.DataFrame | None, *, folder: Path, cache: Cache
                ) -> dict[str, Any]:
    """The layers kept by reference made again (and the pieces from them)."""
    codes = {"wards": pd.Index(tables["ward_verdicts"]["ward_code"], dtype=object),
             "footprints": pd.Index(tables["footprints"]["footprint_code"], dtype=object),
             "blocks": pd.Index(blocks.index if blocks is not None else [], dtype=object)}
    for name in REFERABLE:
        reference = kept.get(name)
        if name not in shapes and isinstance(reference, dict) and "digest" in reference:
            shapes[name] = resolve(name, reference, codes[name], cache=cache, folder=folder)
    if WARD_METHODS in shapes:
        methods = shapes.pop(WARD_METHODS).set_index("ward_code")["council_method"]
        wards = shapes["wards"]
        shapes["wards"] = wards.assign(council_method=wards["ward_code"].map(methods))
    if "pieces" not in shapes:
        shapes["pieces"] = piece_geometry(tables["ward_footprints"], shapes["wards"],
                                          shapes["footprints"])
    return shapes


def _find(table: pd.DataFrame, what: str, value: str, example: str) -> pd.Series:
    """The row of ``table`` whose ``<what>_code`` or ``<what>_name`` (any case) is ``value``."""
    match = table[(table[f"{what}_code"] == value)
                  | (table[f"{what}_name"].str.lower() == value.lower())]
    if match.empty:
        raise StpgeoError(f"no {what} {value!r} in the analysis; {what}s include "
                          f"{preview(table[f'{what}_name'], 8)}",
                          fix=f"give a {what} code or name, e.g. {example}")
    return match.iloc[0]


def _read_csv(path: Path, *, blank: str | None = "") -> pd.DataFrame:
    """A result table as written: integers as Int64, shares and areas as floats, and every
    other column as text, ``blank`` where empty (even when all of it is empty): "" in
    the four tables, None in blocks.csv and the optional tables, where an empty ward or
    footprint means none; true/false columns as booleans, NA where empty."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    for column in table.columns:
        if column in _BOOLEANS:
            table[column] = table[column].map({"true": True, "false": False}).astype("boolean")
        elif column in _INTEGERS or column.startswith("decile_"):
            table[column] = pd.to_numeric(table[column]).astype("Int64")
        elif column in _FLOATS:
            table[column] = pd.to_numeric(table[column]).astype("float64")
        else:
            text = table[column].astype(object)
            table[column] = text.where(text.notna(), blank)
    return table


def as_written(table: pd.DataFrame) -> pd.DataFrame:
    """A table as written: true/false (empty when unknown) for the yes/no columns."""
    flags = [c for c in _BOOLEANS if c in table.columns]
    return table.assign(**{c: table[c].map({True: "true", False: "false"}) for c in flags})


def _json_default(value: object) -> object:
    if hasattr(value, "item"):
        return value.item()  # numpy scalars
    if isinstance(value, set | frozenset):
        return sorted(value)
    if isinstance(value, Path):
        return str(value)
    if value is pd.NA:
        return None
    raise TypeError(f"cannot write {type(value).__name__} to JSON")
