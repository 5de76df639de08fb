"""A boundary layer as stpgeo holds it: features, what they are, and what was repaired.

:func:`stpgeo.read_layer` returns a :class:`Layer`. Its ``gdf`` is a
GeoDataFrame in British National Grid (EPSG:27700) whose first columns are
``code`` and ``name``, whatever the file called them; the original fields follow.
The layer remembers where it came from, what kind of area it holds, its vintage,
the fields the codes and names came from, and every repair made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from stpgeo.geometry.repair import empty_repair_log
from stpgeo.ons.codes import kind_title


@dataclass(frozen=True)
class BlockBuild:
    """How a footprint layer was built from whole blocks: enough to recognise it later.

    :func:`stpgeo.build_footprints` attaches one to the layer it returns. An analysis
    given the same blocks then sums each ward's pieces from its ward × block table
    instead of overlaying the footprints (see :mod:`stpgeo.analysis.whole_blocks`);
    the fingerprints make sure the blocks and the footprints are still those of the
    build (:func:`stpgeo.io.fingerprint.frame_digest`).

    Attributes
    ----------
    members
        Block code → footprint code, for every block dissolved into a footprint.
    blocks_digest
        Fingerprint of the blocks' layer (``gdf``: codes and polygons) it was built from.
    digest
        Fingerprint of the footprints as built (``gdf``: codes and polygons).
    provenance
        What the outputs say about the build: ``blocks`` (how many), ``block_kind``,
        ``blocks_source``, ``lookup`` (its file) and ``column``.
    """

    members: pd.Series
    blocks_digest: str
    digest: str
    provenance: dict[str, Any] = field(default_factory=dict)


@dataclass
class Layer:
    """A checked boundary layer in EPSG:27700.

    Attributes
    ----------
    gdf
        The features: ``code``, ``name``, the file's other fields, ``geometry``.
    source
        The file it was read from (or a description).
    kind
        ``"ward"``, ``"lsoa"``, ``"council"``, ``"ccg"``, ``"stp"``... or None.
    vintage
        The year of the geography (2016 for ``WD16CD``), or None when unknown.
    code_field, name_field
        The file's fields that ``code`` and ``name`` came from (None when absent).
    source_crs
        The CRS of the file (or the one given for a file with none).
    repairs
        The repair log: ``code, problem, action, area_before_m2, area_after_m2``.
    warnings
        Everything else worth knowing, in sentences.
    unmatched_names
        Names that matched no code (names-only layers).
    notes
        How the kind and vintage were recognised.
    layer_name, driver
        The layer read from a file holding several, and the GDAL driver.
    coverage_clean
        True once :func:`stpgeo.clean_coverage` has made the features a clean
        coverage (shared edges identical).
    built_from
        For footprints built from whole blocks by :func:`stpgeo.build_footprints`: which
        blocks each is made of (:class:`BlockBuild`); None otherwise.
    """

    gdf: gpd.GeoDataFrame
    source: str
    kind: str | None = None
    vintage: int | None = None
    code_field: str | None = None
    name_field: str | None = None
    source_crs: str | None = None
    repairs: pd.DataFrame = field(default_factory=empty_repair_log)
    warnings: list[str] = field(default_factory=list)
    unmatched_names: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    layer_name: str | None = None
    driver: str | None = None
    coverage_clean: bool = False
    built_from: BlockBuild | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.gdf)

    @property
    def polygons(self) -> gpd.GeoDataFrame:
        """The features that have polygonal geometry (those an overlay can use)."""
        geometry = self.gdf.geometry.values
        usable = ~shapely.is_missing(geometry) & ~shapely.is_empty(geometry)
        usable &= np.isin(shapely.get_type_id(geometry), [3, 6])
        return self.gdf[usable]

    @property
    def title(self) -> str:
        """A short label: the file name and what it holds."""
        what = kind_title(self.kind, self.vintage)
        vintage = f" {self.vintage}" if self.vintage else ""
        return f"{self.source.rsplit('/', 1)[-1]} ({what}{vintage})"

    def summary(self) -> dict[str, Any]:
        """What the layer is, as plain data for summary.json and reports."""
        bounds = self.gdf.total_bounds if len(self.polygons) else [np.nan] * 4
        return {
            "source": self.source,
            "layer": self.layer_name,
            "driver": self.driver,
            "kind": self.kind,
            "vintage": self.vintage,
            "code_field": self.code_field,
            "name_field": self.name_field,
            "features": len(self.gdf),
            "features_with_geometry": len(self.polygons),
            "source_crs": self.source_crs,
            "crs": "EPSG:27700",
            "bounds_27700": [round(float(v), 1) for v in bounds],
            "repairs": self.repairs.to_dict("records"),
            "warnings": list(self.warnings),
            "unmatched_names": list(self.unmatched_names),
            "notes": list(self.notes),
            **({"built_from": dict(self.built_from.provenance)} if self.built_from else {}),
        }

    def describe(self) -> str:
        """A readable block: what ``stpgeo inspect`` prints."""
        s = self.summary()
        kind = kind_title(self.kind, self.vintage) if self.kind else "unknown"
        lines = [
            f"file         {s['source']}" + (f" (layer {s['layer']})" if s["layer"] else ""),
            f"format       {s['driver'] or 'unknown'}",
            f"kind         {kind}",
            f"vintage      {s['vintage'] or 'unknown'}",
            f"code field   {s['code_field'] or '(none: codes joined from names)'}",
            f"name field   {s['name_field'] or '(none)'}",
            f"features     {s['features']:,} ({s['features_with_geometry']:,} with polygons)",
            f"CRS          {s['source_crs']} (measured in EPSG:27700)",
            "bounds       " + ", ".join(f"{v:,.0f}" for v in s["bounds_27700"])
            + " (EPSG:27700 metres)",
        ]
        if len(self.repairs):
            lines.append(f"repairs      {len(self.repairs)}")
            for row in self.repairs.itertuples():
                change = ""
                if pd.notna(row.area_before_m2) and pd.notna(row.area_after_m2):
                    change = f" (area {row.area_before_m2:,.0f} → {row.area_after_m2:,.0f} m²)"
                lines.append(f"  {row.code}: {row.problem}; {row.action}{change}")
        else:
            lines.append("repairs      none needed")
        if self.unmatched_names:
            lines.append(f"unmatched    {len(self.unmatched_names)} names: "
                         + "; ".join(self.unmatched_names))
        for note in self.notes:
            lines.append(f"note         {note}")
        for warning in self.warnings:
            lines.append(f"warning      {warning}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from stpgeo.outputs.display import layer_html

        return layer_html(self)

    def __repr__(self) -> str:
        return f"<Layer {self.title}: {len(self.gdf):,} features>"
