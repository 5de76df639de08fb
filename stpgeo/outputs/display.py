"""How results look in Jupyter: compact HTML summaries rendered from Jinja2 templates.

:class:`~stpgeo.analysis.result.Analysis` and :class:`~stpgeo.io.layer.Layer` define
``_repr_html_`` through these functions; the templates live in
``stpgeo/outputs/templates/`` as package data. Everything shown is also available as plain
DataFrames on the objects themselves.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import jinja2
import pandas as pd

if TYPE_CHECKING:
    from stpgeo.analysis.result import Analysis
    from stpgeo.io.layer import Layer

#: Rows of each table shown in a notebook.
HEAD = 8


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment for stpgeo's templates (HTML autoescaped)."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("stpgeo.outputs", "templates"),
                             autoescape=jinja2.select_autoescape(["html", "j2"]),
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    env.filters["number"] = _number
    env.filters["share"] = _share
    return env


def _number(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def _share(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    return f"{100 * float(value):.1f}%"


def _table(frame: pd.DataFrame, limit: int = HEAD) -> dict[str, Any]:
    head = frame.head(limit).astype(object)
    for column in head.columns:
        if str(column).endswith("_share"):
            head[column] = head[column].map(_share)
    return {"columns": list(frame.columns), "rows": head.where(head.notna(), "").to_numpy()
            .tolist(), "total": len(frame)}


def analysis_html(analysis: Analysis) -> str:
    """A compact HTML summary of an analysis: counts, flagged wards, table heads."""
    verdicts = analysis.ward_verdicts
    flagged = verdicts[verdicts["verdict"].isin(["outside_home", "split"])]
    return environment().get_template("analysis_repr.html.j2").render(
        name=analysis.name, summary=analysis.summary, counts=analysis.verdict_counts(),
        flagged=_table(flagged[["ward_code", "ward_name", "council_name",
                                "best_footprint_name", "best_population_share", "verdict"]]),
        councils=_table(analysis.councils[(analysis.councils["n_wards_outside_home"]
                                           + analysis.councils["n_wards_split"]) > 0]),
        pieces=_table(analysis.ward_footprints[
            ["ward_code", "ward_name", "footprint_code", "area_share", "population_share",
             "kind", "confidence"]]))


def layer_html(layer: Layer) -> str:
    """A compact HTML summary of a layer: what it is, repairs, warnings, first rows."""
    frame = layer.gdf.drop(columns=layer.gdf.geometry.name)
    return environment().get_template("layer_repr.html.j2").render(
        layer=layer, summary=layer.summary(), head=_table(frame))
