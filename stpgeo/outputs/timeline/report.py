"""The timeline's folder and page: the tables, summary.json, trend.png and timeline.html.

:func:`write_timeline` writes, atomically, into one folder:

- ``timeline.csv``, ``ward_timeline.csv``, ``changes.csv``, ``trend.csv`` and
  ``moves.csv`` (see :mod:`stpgeo.analysis.timeline.tables`) and ``summary.json``;
- ``trend.png``, the trend chart (:func:`~.charts.trend_figure`);
- ``timeline.html``, one self-contained page that opens offline (no script or
  picture is fetched: the charts and maps are inlined as PNG): the story in plain
  English (:mod:`.story`), the trend, one small map per vintage of each
  council asked and its neighbours, residents outside home footprints by council and
  vintage, each ward's verdict by vintage, the changes, data quality and method.
  Rendered from ``templates/timeline.html.j2``.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from stpgeo._version import __version__
from stpgeo.analysis.timeline.folder import FILES, TABLES
from stpgeo.analysis.timeline.tables import ENGLAND
from stpgeo.engine.verdicts import FLAGGED
from stpgeo.io.catalogue import load_catalogue
from stpgeo.io.write import atomic_folder
from stpgeo.outputs import style
from stpgeo.outputs.html import environment
from stpgeo.outputs.timeline.charts import (
    png,
    simplified_wards,
    small_map,
    trend_figure,
)
from stpgeo.outputs.timeline.story import lineage, timeline_findings
from stpgeo.outputs.timeline.words import names
from stpgeo.progress import step

if TYPE_CHECKING:
    from stpgeo.analysis.timeline.result import Timeline

#: Councils given small maps at most (the first ones asked).
MAX_MAPPED = 3
#: Rows of the changes table shown in the page at most (all are in changes.csv).
MAX_CHANGES = 400


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Table rows for the template, missing values as None."""
    return [{k: None if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v))
             else v for k, v in row.items()} for row in frame.to_dict("records")]


def _data_url(image: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(image).decode("ascii")


def _json_default(value: object) -> object:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, set | frozenset):
        return sorted(value)
    return str(value)


def _members(timeline: Timeline) -> list[str]:
    """The councils asked and those they were formed from (their lineages)."""
    return list(dict.fromkeys(m for c in timeline.councils for m in lineage(timeline, c)))


def council_maps(timeline: Timeline, council: str) -> dict[str, Any]:
    """One council's small maps, one per vintage, with their captions (the council's
    figures summed over its lineage: a council formed in 2023 from its predecessors').

    A map is drawn once per thing it shows: vintages whose wards have the same councils
    and verdicts and whose footprints partition the same blocks (CCG15, CCG16 and CCG17
    around most councils) share one drawing; each keeps its own heading and caption.
    """
    members = lineage(timeline, council)
    rows = timeline.timeline[timeline.timeline["council_code"].isin(members)]
    title = rows["council_name"].iloc[-1] if len(rows) else council
    shapes: dict[object, Any] = {}  # the wards of each generation, simplified once
    drawn: dict[tuple[object, ...], str] = {}  # what a map shows → its image
    maps = []
    with step(f"drawing {len(timeline.vintages)} small maps of {title} and its neighbours"):
        for vintage in timeline.vintages:
            wards = timeline.wards(vintage.name, council=council)
            if vintage.generation not in shapes:
                shapes[vintage.generation] = simplified_wards(wards)
            focus = rows.loc[rows["vintage"] == vintage.name, "council_code"].tolist()
            _, footprint_of = timeline.footprint_blocks(vintage.name, council=council)
            shows = _what_it_shows(vintage.generation, wards, footprint_of, focus)
            if shows not in drawn:
                footprints = timeline.footprints(vintage.name, council=council).gdf
                figure = small_map(wards, shapes[vintage.generation], footprints, focus=focus)
                drawn[shows] = _data_url(png(figure))
            mine = rows[rows["vintage"] == vintage.name]
            maps.append({"vintage": vintage.name, "title": vintage.title,
                         "heading": vintage.title + (f" · {vintage.when}" if vintage.date
                                                     else ""),
                         "generation": vintage.generation.key, "image": drawn[shows],
                         "outside": None if mine.empty
                         else int(mine["population_outside_home"].sum()),
                         "homes": "" if mine.empty else ";".join(dict.fromkeys(
                             h for v in mine["home_footprint_names"] for h in v.split(";"))),
                         "councils": "" if len(mine) < 2 else names(mine["council_name"])})
    return {"code": council, "name": title, "maps": maps}


def _what_it_shows(generation: object, wards: pd.DataFrame, footprint_of: pd.Series,
                   focus: list[str]) -> tuple[object, ...]:
    """What a small map shows, whatever the vintage's codes: the wards' councils and
    verdicts, the footprints as the sets of blocks they are made of, the council in
    focus."""
    shown = wards[["ward_code", "council_code", "verdict"]].astype(object)
    ward_rows = tuple(shown.where(shown.notna(), None).itertuples(index=False, name=None))
    groups = footprint_of.index.to_series().groupby(footprint_of.to_numpy()).agg(frozenset)
    return generation, ward_rows, frozenset(groups), tuple(focus)


def _pivot(timeline: Timeline) -> dict[str, Any]:
    """Residents outside home footprints by council (rows) and vintage (columns): the
    councils asked with those they were formed from, then (for England) every council not
    aligned in some vintage."""
    table = timeline.timeline
    councils = _members(timeline)
    if timeline.england:
        councils += sorted(set(table.loc[~table["aligned"], "council_code"]) - set(councils))
    shown = table[table["council_code"].isin(councils)]
    values = shown.pivot_table(index="council_code", columns="vintage",
                               values="population_outside_home", aggfunc="first")
    named = shown.drop_duplicates("council_code", keep="last").set_index("council_code")[
        "council_name"]
    columns = [v.name for v in timeline.vintages if v.name in values.columns]
    rows = [{"code": c, "name": named.get(c, c),
             "values": [None if pd.isna(values.loc[c, v]) else int(values.loc[c, v])
                        for v in columns]} for c in councils if c in values.index]
    return {"columns": columns, "rows": rows}


def _ward_grids(timeline: Timeline) -> list[dict[str, Any]]:
    """Each ward of the councils asked (and of those they were formed from): its verdict in
    each vintage — one table per generation of blocks, as the wards are those of its time."""
    members = set(_members(timeline))
    grids = []
    for generation in dict.fromkeys(v.generation for v in timeline.vintages):
        names_of = [v.name for v in timeline.vintages if v.generation == generation]
        wards = timeline.ward_timeline[timeline.ward_timeline["council_code"].isin(members)
                                       & timeline.ward_timeline["vintage"].isin(names_of)]
        if wards.empty:
            continue
        verdicts = wards.pivot_table(index="ward_code", columns="vintage", values="verdict",
                                     aggfunc="first")
        named = wards.drop_duplicates("ward_code").set_index("ward_code")["ward_name"]
        columns = [n for n in names_of if n in verdicts.columns]
        flagged = verdicts.isin(FLAGGED).any(axis=1)
        order = sorted(verdicts.index, key=lambda w: (not flagged[w], named.get(w, w)))
        rows = [{"code": w, "name": named.get(w, w),
                 "verdicts": [verdicts.loc[w, v] if pd.notna(verdicts.loc[w, v]) else ""
                              for v in columns]} for w in order]
        layer = timeline.summary["inputs"]["generations"].get(generation.key, {}).get("wards", {})
        grids.append({"generation": generation.key, "title": generation.title,
                      "wards": layer.get("vintage") or Path(str(layer.get("source", ""))).name,
                      "columns": columns, "rows": rows})
    return grids


def _changes(timeline: Timeline) -> tuple[list[dict[str, Any]], int]:
    """The verdict changes shown in the page (the councils asked first), and how many."""
    changes = timeline.changes[timeline.changes["from_verdict"]
                               != timeline.changes["to_verdict"]]
    asked = changes["council_code"].isin(set(timeline.councils))
    ordered = pd.concat([changes[asked], changes[~asked]])
    return _rows(ordered.head(MAX_CHANGES)), len(ordered)


def _generalised(source: str) -> str | None:
    """What the catalogue says of a file's generalisation (the 2021-based copies are super
    generalised), found by its name."""
    entry = load_catalogue().entry_of(source, "layers")
    return None if entry is None else entry.get("generalised")


def _quality(timeline: Timeline) -> dict[str, Any]:
    summary = timeline.summary
    inputs = summary["inputs"]
    residents = dict(zip(timeline.vintage_table["vintage"], timeline.vintage_table["residents"],
                         strict=True))
    vintages = [{"name": name, **notes, "file": Path(str(notes["file"])).name,
                 "holds": summary["checks"][name]["holds"], "residents": residents.get(name)}
                for name, notes in inputs["vintages"].items()]
    generations = []
    warnings = list(summary["warnings"])
    for key, found in inputs["generations"].items():
        names = [v["name"] for v in vintages if v["generation"] == key]
        generations.append({
            "key": key, "title": found["title"], "vintages": names,
            "wards": {**found["wards"], "file": Path(found["wards"]["source"]).name,
                      "generalised": _generalised(found["wards"]["source"])},
            "blocks": {**found["blocks"], "file": Path(found["blocks"]["source"]).name,
                       "generalised": _generalised(found["blocks"]["source"])},
            "population": {**found["population"],
                           "file": Path(found["population"]["source"]).name},
            "ward_lookup": found["lookups"].get("block_wards"),
            "deprivation": found["deprivation"] and {
                **found["deprivation"], "file": Path(found["deprivation"]["source"]).name}})
        warnings += found["wards"]["warnings"]
    return {"generations": generations, "vintages": vintages,
            "bridge": inputs.get("bridge"), "successions": inputs.get("successions", {}),
            "warnings": list(dict.fromkeys(warnings))}


def render_timeline(timeline: Timeline, *, trend_png: bytes) -> str:
    """timeline.html as text."""
    scope = ("England" if timeline.england and not timeline.councils else
             ", ".join(dict.fromkeys(timeline.trend.loc[
                 timeline.trend["scope_code"].isin(timeline.councils), "scope_name"]))
             + (" and England" if timeline.england else ""))
    changes, n_changes = _changes(timeline)
    mapped = timeline.councils[:MAX_MAPPED] if timeline.state is not None else []
    return environment().get_template("timeline.html.j2").render(
        title=f"Alignment through time: {scope}", version=__version__,
        generated=dt.date.today().isoformat(), findings=timeline_findings(timeline),
        vintages=timeline.vintages, trend_png=_data_url(trend_png),
        councils=[council_maps(timeline, c) for c in mapped],
        not_mapped=timeline.councils[len(mapped):],
        read_from=None if timeline.folder is None else timeline.folder.name,
        legend={"verdicts": [style.VERDICTS[v] for v in ("within", "split", "outside_home")],
                "footprint": style.FOOTPRINTS[0]["color"]},
        pivot=_pivot(timeline), ward_grids=_ward_grids(timeline) if timeline.councils else [],
        changes=changes, n_changes=n_changes, max_changes=MAX_CHANGES,
        quality=_quality(timeline), tolerance=timeline.summary["parameters"]["tolerance"],
        attribution=load_catalogue().attribution)


def write_tables(timeline: Timeline, folder: Path) -> list[str]:
    """The timeline's CSV tables and summary.json, into a folder; returns their names."""
    for name, columns in TABLES.items():
        getattr(timeline, name)[columns].to_csv(folder / FILES[name], index=False,
                                                float_format="%.10g")
    (folder / "summary.json").write_text(
        json.dumps(timeline.summary, indent=2, default=_json_default) + "\n", encoding="utf-8")
    return [*FILES.values(), "summary.json"]


def write_timeline(timeline: Timeline, out: str | os.PathLike[str]) -> Path:
    """Write the timeline's folder atomically (see the module docstring); returns it."""
    with atomic_folder(out) as staging:
        write_tables(timeline, staging)
        trend = png(trend_figure(timeline), dpi=150)
        (staging / "trend.png").write_bytes(trend)
        (staging / "timeline.html").write_text(render_timeline(timeline, trend_png=trend),
                                               encoding="utf-8")
    return Path(out)


def timeline_html(timeline: Timeline) -> str:
    """A compact HTML summary for Jupyter: the story and the trend's figures."""
    england = timeline.trend[timeline.trend["scope_code"] == ENGLAND]
    return environment().get_template("timeline_repr.html.j2").render(
        timeline=timeline, findings=timeline_findings(timeline),
        trend=_rows(england[["vintage", "date", "n_councils", "councils_not_aligned",
                                "population_outside_home"]]))
