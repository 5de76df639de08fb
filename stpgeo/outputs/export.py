"""Exports for GIS and spreadsheets: a GeoPackage, Excel-friendly CSVs and Markdown.

- :func:`write_geopackage`: the ward verdict layer, the overlap pieces and the
  footprints of each analysis, in EPSG:27700, for QGIS.
- :func:`write_spreadsheets`: the four tables as CSV in UTF-8 with a byte-order mark,
  which Excel opens with accents and ``&`` intact (and, when the analysis has them, the
  residents by decile and the GP practices of the councils shown).
- :func:`markdown_summary`: findings and the flagged wards as Markdown, for notebooks
  and issue trackers.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

import pandas as pd
import pyogrio

from stpgeo.analysis.result import (
    COUNCILS,
    FOOTPRINTS,
    WARD_FOOTPRINTS,
    WARD_VERDICTS,
    Analysis,
    as_written,
)
from stpgeo.engine.verdicts import flagged_wards
from stpgeo.outputs.affected import affected_findings
from stpgeo.outputs.findings import council_findings, national_findings
from stpgeo.outputs.scope import scope_tables

#: Layers of the GeoPackage, per analysis (prefixed with the analysis name).
GPKG_LAYERS = ("ward_verdicts", "pieces", "footprints")


def write_geopackage(analyses: Sequence[Analysis], path: Path,
                     wards: Collection[str] | None = None) -> Path:
    """Write each analysis's ward verdicts, pieces and footprints into one GeoPackage.

    Layers are named ``<analysis>_ward_verdicts``, ``<analysis>_pieces`` and
    ``<analysis>_footprints`` (e.g. ``stp17_pieces``), in EPSG:27700.
    """
    for analysis in analyses:
        tables = scope_tables(analysis, wards)
        for layer, frame in zip(GPKG_LAYERS, (tables.wards_gdf, tables.pieces_gdf,
                                              tables.footprints_gdf), strict=True):
            pyogrio.write_dataframe(frame, path, layer=f"{analysis.name}_{layer}",
                                    driver="GPKG")
    return path


def write_spreadsheets(analyses: Sequence[Analysis], folder: Path,
                       wards: Collection[str] | None = None) -> list[Path]:
    """Write the four tables of each analysis as Excel-friendly CSV (UTF-8 with BOM)."""
    written = []
    for analysis in analyses:
        tables = scope_tables(analysis, wards)
        for name, frame, columns in (
                ("ward_footprints", tables.ward_footprints, WARD_FOOTPRINTS),
                ("ward_verdicts", tables.ward_verdicts, WARD_VERDICTS),
                ("councils", tables.councils, COUNCILS),
                ("footprints", tables.footprints, FOOTPRINTS)):
            path = folder / f"{analysis.name}_{name}.csv"
            frame[columns].to_csv(path, index=False, encoding="utf-8-sig", float_format="%.6g")
            written.append(path)
        councils = set(tables.councils["council_code"])
        for name, frame in (("deprivation", analysis.deprivation),
                            ("practices", analysis.practices)):
            if frame is not None:  # who is affected, in the councils shown
                path = folder / f"{analysis.name}_{name}.csv"
                as_written(frame[frame["council_code"].isin(councils)]).to_csv(
                    path, index=False, encoding="utf-8-sig", float_format="%.6g")
                written.append(path)
    return written


def markdown_summary(analyses: Sequence[Analysis], *, council: str | None = None,
                     wards: Collection[str] | None = None) -> str:
    """Findings and flagged wards as Markdown."""
    lines = ["# stpgeo summary", ""]
    for analysis in analyses:
        lines += [f"## {analysis.name}", ""]
        sentences = (council_findings(analysis, council) + affected_findings(analysis, council)
                     if council else national_findings(analysis))
        lines += [f"- {s}" for s in sentences] + [""]
        flagged = flagged_wards(scope_tables(analysis, wards).ward_verdicts)
        if len(flagged):
            table = flagged[["ward_code", "ward_name", "council_name", "best_footprint_name",
                             "best_population_share", "best_area_share", "verdict"]].copy()
            for column in ("best_population_share", "best_area_share"):
                table[column] = table[column].map(
                    lambda v: "" if pd.isna(v) else f"{100 * v:.1f}%")
            lines += [table.to_markdown(index=False), ""]
    lines.append(f"_{len(analyses)} analysis(es); shares are of residents (population) or "
                 "area; see the report for the method._")
    return "\n".join(lines) + "\n"
