"""How results look in Jupyter: compact HTML summaries.

:class:`~stpgeo.analysis.result.Analysis` and :class:`~stpgeo.io.layer.Layer` define
``_repr_html_`` through these functions (imported lazily: the objects live in lower
layers); the templates are rendered by :mod:`.html`. Everything shown is also
available as plain DataFrames on the objects themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from stpgeo.engine.verdicts import flagged_wards
from stpgeo.outputs.html import environment, share

if TYPE_CHECKING:
    from stpgeo.analysis.result import Analysis
    from stpgeo.io.layer import Layer

#: Rows of each table shown in a notebook.
HEAD = 8


def _table(frame: pd.DataFrame, limit: int = HEAD) -> dict[str, Any]:
    head = frame.head(limit).astype(object)
    for column in head.columns:
        if str(column).endswith("_share"):
            head[column] = head[column].map(share)
    return {"columns": list(frame.columns), "rows": head.where(head.notna(), "").to_numpy()
            .tolist(), "total": len(frame)}


def analysis_html(analysis: Analysis) -> str:
    """A compact HTML summary of an analysis: counts, flagged wards, table heads."""
    verdicts = analysis.ward_verdicts
    flagged = flagged_wards(verdicts)
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
