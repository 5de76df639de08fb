"""The overlap report: one self-contained HTML page, a static map and exports.

:func:`write_report` writes into a folder:

- ``report.html`` — scope, key findings in plain English, the interactive map
  (inlined: it opens with no network), who is affected (residents by decile of
  deprivation on each side of the border, GP practices whose CCG is not their council's
  home), per-council and per-footprint tables, the split and outside-home wards with
  their shares and confidence, data quality (warnings once, in plain words, file names
  and no paths), method and attribution; sortable tables, print-friendly (printing shows the static
  map instead of the interactive one). Rendered from the Jinja2 template
  ``stpgeo/outputs/templates/report.html.j2``.
- ``map.png`` — the same scope as a static map (matplotlib) for Word and PDF.
- ``export/stpgeo.gpkg`` — ward verdicts, pieces and footprints per analysis, EPSG:27700.
- ``export/*.csv`` — the tables in UTF-8 with a byte-order mark (Excel).
- ``summary.md`` — the findings and flagged wards in Markdown.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import folium
import pandas as pd

from stpgeo._types import PathLike
from stpgeo._version import __version__
from stpgeo.analysis.result import Analysis
from stpgeo.engine.verdicts import flagged_wards
from stpgeo.errors import StpgeoError
from stpgeo.io.catalogue import load_catalogue
from stpgeo.io.write import atomic_folder
from stpgeo.outputs.affected import ATTRIBUTIONS, affected_findings, who_is_affected
from stpgeo.outputs.analyses import AnalysesInput, as_analyses
from stpgeo.outputs.export import markdown_summary, write_geopackage, write_spreadsheets
from stpgeo.outputs.findings import council_findings, footprint_findings, national_findings
from stpgeo.outputs.html import environment
from stpgeo.outputs.maps import ward_map
from stpgeo.outputs.maps.assets import Assets
from stpgeo.outputs.quality import (
    affected_inputs,
    describe_input,
    file_names,
    paths_in,
    plain_warnings,
)
from stpgeo.outputs.scope import Scope, ScopedTables, choose_scope, scope_tables
from stpgeo.outputs.static_map import static_map


def _names(codes: str, names: dict[str, str]) -> str:
    return "; ".join(names.get(c, c) for c in codes.split(";") if c)


def _value(value: Any) -> Any:
    """Table cells for the template: missing values as None, numpy scalars as Python."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _value(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _findings(analysis: Analysis, scope: Scope, council: str | None,
              footprint: str | None) -> list[str]:
    if council is not None:
        return council_findings(analysis, council)
    if footprint is not None:
        try:
            return footprint_findings(analysis, footprint)
        except StpgeoError:  # the footprint belongs to another analysis's layer
            counts = analysis.ward_verdicts[analysis.ward_verdicts["ward_code"]
                                            .isin(scope.wards)]["verdict"].value_counts()
            return [f"In {scope.title}, against {analysis.label}: "
                    + ", ".join(f"{n:,} wards {v}" for v, n in counts.items()) + "."]
    return national_findings(analysis)


def _flagged(analysis: Analysis, tables: ScopedTables) -> list[dict[str, Any]]:
    flagged = flagged_wards(tables.ward_verdicts)
    population = analysis.wards_gdf.set_index("ward_code")["population"]
    pieces = tables.ward_footprints
    rows = []
    for ward in _records(flagged.sort_values(["council_name", "ward_name"])):
        others = pieces[(pieces["ward_code"] == ward["ward_code"])
                        & (pieces["footprint_code"] != ward["best_footprint_code"])]
        ward["population"] = _value(population.get(ward["ward_code"]))
        ward["others"] = _records(others.sort_values("area_share", ascending=False))
        rows.append(ward)
    return rows


def _inputs(summary: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for role in ("wards", "footprints", "blocks"):
        given = summary["inputs"].get(role)
        if not given:
            continue
        built = given.get("built_from")
        file = (f"{Path(built['blocks_source']).name} + {Path(built['lookup']).name}" if built
                else Path(given["source"]).name)
        rows.append({"role": role, "file": file, "described": describe_input(given),
                     "kind": given["kind"],
                     "vintage": given["vintage"], "crs": given["source_crs"],
                     "features": given["features"], "repairs": given["repairs"],
                     "warnings": given["warnings"] + [f"unmatched name: {n}" for n in
                                                      given.get("unmatched_names", [])]})
    return rows


def _lookups(summary: dict[str, Any]) -> list[str]:
    lines = []
    for role, notes in summary["inputs"].get("lookups", {}).items():
        if "blocks_with_figure" in notes:  # the population table's coverage
            lines.append(f"population figures for {notes['blocks_with_figure']:,} of "
                         f"{notes['blocks']:,} blocks; {notes['blocks_in_wards_without_figure']:,}"
                         " blocks in the analysed wards have none")
            continue
        lines.append(
            f"{role.replace('_', ' ')}: {Path(notes['file']).name} ({notes['block_column']} → "
            f"{notes['target_column']}), covering {notes['targets_covered']:,} of the analysed "
            f"codes; {notes['targets_not_covered']:,} not covered (placed by geometry); "
            f"{notes['blocks_not_in_lookup']:,} blocks not in it")
    lines += [f"councils: {line}" for line in summary["inputs"].get("councils", [])]
    population = summary["inputs"].get("population")
    if population:
        lines.append(f"population: {Path(population['source']).name}, "
                     f"{population['blocks']:,} blocks, {population['residents']:,} residents")
    return lines


def _checks(summary: dict[str, Any]) -> list[str]:
    blocks = summary.get("blocks")
    lines = []
    if blocks:
        agreement = blocks["agreement"]
        if agreement["ward_blocks_compared"]:
            lines.append(
                f"Where the ward lookup decides, geometry alone would put "
                f"{agreement['ward_blocks_disagreeing']:,} of {agreement['ward_blocks_compared']:,}"
                f" blocks ({agreement['ward_residents_disagreeing']:,} residents) in another ward.")
    for name, check in summary.get("conservation", {}).items():
        if isinstance(check, dict) and "holds" in check:
            lines.append(f"Conservation of {name.replace('_', ' ')}: "
                         f"{'holds' if check['holds'] else 'FAILS'}.")
    return lines


def _section(analysis: Analysis, scope: Scope, council: str | None,
             footprint: str | None) -> dict[str, Any]:
    tables = scope_tables(analysis, scope.wards)
    footprint_names = dict(zip(analysis.footprints["footprint_code"],
                               analysis.footprints["footprint_name"], strict=True))
    council_names = dict(zip(analysis.councils["council_code"],
                             analysis.councils["council_name"], strict=True))
    councils = _records(tables.councils)
    for row in councils:
        row["homes"] = _names(row["home_footprint_codes"], footprint_names)
        row["touched"] = _names(row["footprint_codes"], footprint_names)
    footprints = _records(tables.footprints)
    for row in footprints:
        row["whole"] = _names(row["councils_whole"], council_names)
        row["partial"] = _names(row["councils_partial"], council_names)
    summary = analysis.summary
    affected = affected_findings(analysis, council) if council is not None else []
    return {"name": analysis.name, "label": analysis.label,
            "findings": _findings(analysis, scope, council, footprint) + affected,
            "flagged": _flagged(analysis, tables), "councils": councils,
            "footprints": footprints, "inputs": _inputs(summary),
            "lookups": _lookups(summary) + affected_inputs(summary),
            "slivers": summary["slivers"], "uncertain": summary["uncertain_pieces"],
            "checks": _checks(summary)}


def render_report(analyses: Sequence[Analysis], folder: Path, *, council: str | None = None,
                  footprint: str | None = None, assets: Assets = "inline",
                  interactive: folium.Map | None = None) -> Path:
    """Write the report, its static map and exports into an existing folder.

    ``interactive`` is the map to embed when it has been made already (the demo
    writes it to map.html too); otherwise it is made here.
    """
    scope = choose_scope(analyses, council=council, footprint=footprint)
    png = static_map(analyses, scope, folder / "map.png")
    if interactive is None:
        interactive = ward_map(list(analyses), council=council, footprint=footprint,
                               assets=assets)
    export = folder / "export"
    export.mkdir(exist_ok=True)
    write_geopackage(analyses, export / "stpgeo.gpkg", wards=scope.wards)
    write_spreadsheets(analyses, export, wards=scope.wards)
    (folder / "summary.md").write_text(
        markdown_summary(analyses, council=council, wards=scope.wards), encoding="utf-8")
    primary = analyses[0]
    method = primary.summary["parameters"]
    known = set().union(*(paths_in(a.summary) for a in analyses))
    affected = [a for a in (who_is_affected(a, scope.councils, scope.focus) for a in analyses)
                if a is not None]
    used = {k for k in ATTRIBUTIONS if any(getattr(a, k) is not None for a in analyses)}
    html = environment().get_template("report.html.j2").render(
        title=f"Where NHS footprints and council wards do not line up: {scope.title}",
        scope_title=scope.title, wards_in_scope=len(scope.wards), version=__version__,
        generated=dt.date.today().isoformat(),
        sections=file_names([_section(a, scope, council, footprint) for a in analyses], known),
        warnings=plain_warnings(analyses), affected=file_names(affected, known),
        map_html=interactive.get_root().render(),
        map_png=base64.b64encode(png.read_bytes()).decode("ascii"),
        method={"population": method["population_method"], "tolerance": method["tolerance"],
                "measure": method["tolerance_measure"],
                "whole_block": method["whole_block_share"]},
        attribution=" ".join([load_catalogue().attribution,
                              *(ATTRIBUTIONS[k] for k in sorted(used))]))
    path = folder / "report.html"
    path.write_text(html, encoding="utf-8")
    return path


def write_report(analyses: AnalysesInput, out: PathLike, *, council: str | None = None,
                 footprint: str | None = None, assets: Assets = "inline") -> Path:
    """Write the report folder atomically (see the module docstring for its files).

    Parameters
    ----------
    analyses
        Analyses or folders written by ``stpgeo analyse`` / ``stpgeo demo``; the first
        is primary (it decides the scope and colours the maps).
    out
        The report folder (replaced atomically).
    council, footprint
        The scope: a council and its neighbours, or a footprint and the councils
        touching it; neither means everything analysed.
    assets
        ``"inline"`` (default, works offline) or ``"cdn"`` for the map's scripts.

    Examples
    --------
    >>> write_report("out/demo", "out/report", council="Birmingham")  # doctest: +SKIP
    """
    given = as_analyses(analyses)
    with atomic_folder(out) as staging:
        render_report(given, staging, council=council, footprint=footprint, assets=assets)
    return Path(out) / "report.html"
