"""Exports for GIS and spreadsheets: a GeoPackage, Excel-friendly CSVs and Markdown.

- :func:`write_geopackage`: the ward verdict layer, the overlap pieces and the
  footprints of each analysis, in EPSG:27700, for QGIS.
- :func:`write_spreadsheets`: the four tables as CSV in UTF-8 with a byte-order mark,
  which Excel opens with accents and ``&`` intact.
- :func:`markdown_summary`: findings and the flagged wards as Markdown, for notebooks
  and issue trackers.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

import pandas as pd
import pyogrio

from stpgeo.analysis.result import COUNCILS, FOOTPRINTS, WARD_FOOTPRINTS, WARD_VERDICTS, Analysis
from stpgeo.outputs.findings import council_findings, national_findings

#: Layers of the GeoPackage, per analysis (prefixed with the analysis name).
GPKG_LAYERS = ("ward_verdicts", "pieces", "footprints")


def _in_scope(analysis: Analysis, wards: Collection[str] | None) -> dict[str, pd.DataFrame]:
    """The analysis's tables and layers restricted to some wards (all when None)."""
    if wards is None:
        return {"ward_verdicts": analysis.wards_gdf, "pieces": analysis.pieces_gdf,
                "footprints": analysis.footprints_gdf, "ward_footprints": analysis.ward_footprints,
                "verdicts": analysis.ward_verdicts, "councils": analysis.councils,
                "footprint_table": analysis.footprints}
    wards = set(wards)
    verdicts = analysis.ward_verdicts[analysis.ward_verdicts["ward_code"].isin(wards)]
    pieces = analysis.ward_footprints[analysis.ward_footprints["ward_code"].isin(wards)]
    councils = set(verdicts["council_code"])
    touched = set(pieces["footprint_code"])
    return {
        "ward_verdicts": analysis.wards_gdf[analysis.wards_gdf["ward_code"].isin(wards)],
        "pieces": analysis.pieces_gdf[analysis.pieces_gdf["ward_code"].isin(wards)],
        "footprints": analysis.footprints_gdf[analysis.footprints_gdf["code"].isin(touched)],
        "ward_footprints": pieces, "verdicts": verdicts,
        "councils": analysis.councils[analysis.councils["council_code"].isin(councils)],
        "footprint_table": analysis.footprints[analysis.footprints["footprint_code"]
                                               .isin(touched)],
    }


def write_geopackage(analyses: Sequence[Analysis], path: Path,
                     wards: Collection[str] | None = None) -> Path:
    """Write each analysis's ward verdicts, pieces and footprints into one GeoPackage.

    Layers are named ``<analysis>_ward_verdicts``, ``<analysis>_pieces`` and
    ``<analysis>_footprints`` (e.g. ``stp17_pieces``), in EPSG:27700.
    """
    for analysis in analyses:
        tables = _in_scope(analysis, wards)
        for layer in GPKG_LAYERS:
            frame = tables[layer]
            pyogrio.write_dataframe(frame, path, layer=f"{analysis.name}_{layer}",
                                    driver="GPKG")
    return path


def write_spreadsheets(analyses: Sequence[Analysis], folder: Path,
                       wards: Collection[str] | None = None) -> list[Path]:
    """Write the four tables of each analysis as Excel-friendly CSV (UTF-8 with BOM)."""
    written = []
    for analysis in analyses:
        tables = _in_scope(analysis, wards)
        for name, frame, columns in (
                ("ward_footprints", tables["ward_footprints"], WARD_FOOTPRINTS),
                ("ward_verdicts", tables["verdicts"], WARD_VERDICTS),
                ("councils", tables["councils"], COUNCILS),
                ("footprints", tables["footprint_table"], FOOTPRINTS)):
            path = folder / f"{analysis.name}_{name}.csv"
            frame[columns].to_csv(path, index=False, encoding="utf-8-sig", float_format="%.6g")
            written.append(path)
    return written


def markdown_summary(analyses: Sequence[Analysis], *, council: str | None = None,
                     wards: Collection[str] | None = None) -> str:
    """Findings and flagged wards as Markdown."""
    lines = ["# stpgeo summary", ""]
    for analysis in analyses:
        lines += [f"## {analysis.name}", ""]
        sentences = (council_findings(analysis, council) if council
                     else national_findings(analysis))
        lines += [f"- {s}" for s in sentences] + [""]
        verdicts = _in_scope(analysis, wards)["verdicts"]
        flagged = verdicts[verdicts["verdict"].isin(["outside_home", "split"])]
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
