"""An analysis's inputs, each read once and checked for the role it plays.

Files are read here and only here: a lookup given for two roles (lookup 143 as the
council lookup and as the block-footprint lookup) is read once and the same table
serves both; layers, lookups and population tables given as objects are taken as
they are. Each layer is then checked for its role (:func:`~.checks.check_role`) and
its codes (:func:`~.checks.check_codes`).

Blocks read from a file are made a clean coverage (:func:`stpgeo.clean_coverage`; kept
in the cache as such, as ``stpgeo build`` keeps them) when a footprint layer could be
summed from them — a block-footprint lookup is given, or a footprint file was written
by ``stpgeo build`` — as that needs blocks that do not overlap
(:mod:`stpgeo.analysis.whole_blocks`). Blocks given as a Layer or a GeoDataFrame are used
as they are.

Examples
--------
>>> from stpgeo.analysis.options import AnalysisOptions
>>> inputs = read_inputs("wards.geojson", {"stp17": "stp17.gpkg"},  # doctest: +SKIP
...                      AnalysisOptions(councils="lookups/143.csv"))
>>> inputs.footprints["stp17"].kind  # doctest: +SKIP
'stp'
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TypeVar, cast

import geopandas as gpd
import pandas as pd

from stpgeo._types import LayerInput, LookupInput, PopulationInput, TableInput
from stpgeo.analysis.checks import check_codes, check_role
from stpgeo.analysis.options import AnalysisOptions
from stpgeo.engine.footprints import read_clean_blocks
from stpgeo.errors import StpgeoError
from stpgeo.io.cache import Cache
from stpgeo.io.cached import (
    is_written_build,
    read_layer_cached,
    read_lookup_cached,
    read_population_cached,
)
from stpgeo.io.deprivation import read_deprivation
from stpgeo.io.frame import layer_from_frame
from stpgeo.io.layer import Layer
from stpgeo.io.lookups import plain_text
from stpgeo.io.population import plain_index
from stpgeo.io.practices import read_practices
from stpgeo.io.read import read_layer

T = TypeVar("T")


@dataclass(frozen=True)
class Inputs:
    """The layers and tables of one analysis run, read and checked.

    Attributes
    ----------
    wards
        The ward (or council) layer.
    footprints
        The footprint layers, by the short name of each analysis (``"stp17"``).
    blocks
        The building blocks, or None.
    population
        Residents per block code, or None.
    councils, block_wards, block_footprints
        The lookups given (None for those not given).
    deprivation, practices, commissioners
        Deciles of deprivation per block, GP practices and the lookup of their
        commissioners' codes (None for those not given).
    """

    wards: Layer
    footprints: dict[str, Layer]
    blocks: Layer | None = None
    population: pd.Series | None = None
    councils: pd.DataFrame | None = None
    block_wards: pd.DataFrame | None = None
    block_footprints: pd.DataFrame | None = None
    deprivation: pd.DataFrame | None = None
    practices: pd.DataFrame | None = None
    commissioners: pd.DataFrame | None = None

    @cached_property
    def block_codes(self) -> list[str]:
        """The codes of the blocks that have a polygon (empty without blocks)."""
        return self.blocks.polygons["code"].dropna().tolist() if self.blocks else []


@dataclass
class _Reader:
    """Reads each file once: the same path (with the same reading options) gives the same
    object. Layer files are read through the cache (:mod:`stpgeo.io.cache`)."""

    cache: Cache
    read: dict[tuple[object, ...], object] = field(default_factory=dict)

    def _once(self, key: tuple[object, ...], make: Callable[[], T]) -> T:
        if key not in self.read:
            self.read[key] = make()
        return cast(T, self.read[key])

    def layer(self, value: LayerInput, *, role: str, options: AnalysisOptions,
              name: str | None = None, clean: bool = False) -> Layer:
        """A layer as given, or read from its file (``clean``: and made a clean coverage,
        kept in the cache as such)."""
        source = f"{role} {name}" if name else role
        crs, layer = options.crs(role), options.layer(role)
        if isinstance(value, Layer):
            found = value
        elif isinstance(value, gpd.GeoDataFrame):  # checked as a file would be
            found = layer_from_frame(value, source=f"{source} (GeoDataFrame)", role=role,
                                     crs=crs)
        elif isinstance(value, str | os.PathLike):
            key = ("layer", Path(value).resolve(), crs, layer, role, clean)
            found = self._once(key, lambda: read_clean_blocks(
                value, cache=self.cache, crs=crs, layer=layer) if clean else read_layer_cached(
                value, cache=self.cache, crs=crs, layer=layer, role=role))
        else:  # refused by the reader, with what was given instead
            found = read_layer(value, crs=crs, layer=layer, role=role)
        return check_codes(check_role(found, role), role)

    def lookup(self, value: LookupInput | None, role: str) -> pd.DataFrame | None:
        if value is None:
            return None
        if isinstance(value, pd.DataFrame):
            return plain_text(value)
        _check_file(value, role, "a DataFrame")
        return self._once(("lookup", Path(value).resolve()),
                          lambda: read_lookup_cached(value, cache=self.cache, role=role))

    def population(self, value: PopulationInput | None) -> pd.Series | None:
        if value is None:
            return None
        if isinstance(value, pd.Series):
            return plain_index(value)
        _check_file(value, "population table", "a Series of residents indexed by block code")
        return self._once(("population", Path(value).resolve()),
                          lambda: read_population_cached(value, cache=self.cache))

    def table(self, value: TableInput | None, read: Callable[[Path], pd.DataFrame]
              ) -> pd.DataFrame | None:
        """A deprivation or practices table: as given, or read from its file once."""
        if value is None or isinstance(value, pd.DataFrame):
            return value
        return self._once((read.__name__, Path(value).resolve()), lambda: read(Path(value)))


def _summed_from_blocks(footprints: Mapping[str, LayerInput], options: AnalysisOptions,
                        cache: Cache) -> bool:
    """Whether blocks given as a file are to be cleaned: a footprint layer may be summed
    from them (a block-footprint lookup is given, or a footprint file was written by
    ``stpgeo build``)."""
    if not isinstance(options.blocks, str | os.PathLike):
        return False
    return options.block_footprints is not None or any(
        isinstance(f, str | os.PathLike) and is_written_build(f, cache)
        for f in footprints.values())


def _check_file(value: object, role: str, table: str) -> None:
    """Refuse a table given as something that is neither the table nor a file."""
    if not isinstance(value, str | os.PathLike):
        raise StpgeoError(f"the {role} given is not a file but a {type(value).__name__} value",
                          source=role, fix=f"give the path of a CSV file or {table}")


def read_inputs(wards: LayerInput, footprints: Mapping[str, LayerInput],
                options: AnalysisOptions, *, cache: Cache | None = None) -> Inputs:
    """Read every input of an analysis once and check each layer for its role.

    Parameters
    ----------
    wards
        The ward (or council) layer: a Layer, a GeoDataFrame or a file.
    footprints
        Each footprint layer by the short name of its analysis.
    options
        The lookups, blocks, population and reading options.
    cache
        The run's cache (default: the user's, unless ``options.cache`` is False).
    """
    # in this order, so that the first problem is the one reported
    reader = _Reader(cache if cache is not None else Cache.open(options.cache))
    ward_layer = reader.layer(wards, role="wards", options=options)
    blocks = (reader.layer(options.blocks, role="blocks", options=options,
                           clean=_summed_from_blocks(footprints, options, reader.cache))
              if options.blocks is not None else None)
    population = reader.population(options.population)
    lookups = {role: reader.lookup(getattr(options, attribute), role) for attribute, role in
               (("councils", "council lookup"), ("block_wards", "block-ward lookup"),
                ("block_footprints", "block-footprint lookup"))}
    deprivation = reader.table(options.deprivation, read_deprivation)
    practices = reader.table(options.practices, read_practices)
    commissioners = reader.lookup(options.commissioners, "commissioner lookup")
    return Inputs(
        wards=ward_layer,
        footprints={n: reader.layer(f, role="footprints", options=options, name=n)
                    for n, f in footprints.items()},
        blocks=blocks, population=population, councils=lookups["council lookup"],
        block_wards=lookups["block-ward lookup"],
        block_footprints=lookups["block-footprint lookup"], deprivation=deprivation,
        practices=practices, commissioners=commissioners)
