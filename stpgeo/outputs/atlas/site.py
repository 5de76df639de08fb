"""The atlas as a static site: a folder that opens from the file system or any web host.

:func:`write_atlas` writes, atomically::

    index.html                 every council (searchable, sortable) and the national map
    councils/<code>.html       one page per council; a former council's code leads on to
                               the page of the council it became
    footprints/<code>.html     one page per footprint of the latest vintage of each series
    assets/                    what every page shares, once: Leaflet, stpgeo-atlas.js/.css,
                               the wards of each generation (wards-lsoa11.js, ...) and the
                               footprints of each vintage (footprints-ICB24.js, ...) as
                               topologies, the index's data (atlas-index.js)
    data/                      the timeline's tables (timeline.csv, trend.csv, ...) and
                               summary.json: every figure of the pages

A page loads its scripts with ``<script src>`` (no request for JSON, which browsers refuse
from the file system), carries its own figures inline, and asks for nothing beyond the
folder: no tiles, no fonts. Saving a council's page with its assets, or printing it,
keeps its map.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stpgeo._version import __version__
from stpgeo.io.catalogue import load_catalogue
from stpgeo.io.write import atomic_folder
from stpgeo.outputs.atlas.content import (
    VERDICT_LETTERS,
    Atlas,
    council_index,
    council_page,
    england_trend,
    footprint_pages,
    prepare,
    series,
)
from stpgeo.outputs.atlas.shapes import footprint_shapes, ward_shapes
from stpgeo.outputs.html import environment
from stpgeo.outputs.maps.assets import leaflet_assets
from stpgeo.outputs.timeline.national import today_findings
from stpgeo.outputs.timeline.report import write_tables
from stpgeo.outputs.timeline.words import level
from stpgeo.progress import step

if TYPE_CHECKING:
    from stpgeo.analysis.result import Analysis
    from stpgeo.analysis.timeline.result import Timeline


def _asset(folder: Path, name: str, data: Any) -> None:
    """An asset script registering its data (text already JSON, or an object)."""
    text = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"),
                                                         ensure_ascii=False)
    (folder / f"{name}.js").write_text(f'stpgeoAtlas.add("{name}",{text});\n',
                                       encoding="utf-8")


def _static(folder: Path) -> None:
    css, js = leaflet_assets()
    (folder / "leaflet.css").write_text(css, encoding="utf-8")
    (folder / "leaflet.js").write_text(js, encoding="utf-8")
    static = resources.files("stpgeo.outputs.atlas") / "static"
    for name in ("stpgeo-atlas.js", "stpgeo-atlas.css"):
        (folder / name).write_text((static / name).read_text(encoding="utf-8"),
                                   encoding="utf-8")


def _shapes(atlas: Atlas, folder: Path) -> dict[str, dict[str, int]]:
    """The wards of each generation and the footprints of each vintage, as assets;
    returns each generation's ward code → position.

    The four pieces of work (the wards and the footprints of each generation) run on two
    threads: most of their time is in GEOS (cleaning and simplifying coverages), which
    shapely runs without holding the GIL.
    """
    timeline = atlas.timeline
    generations = list(dict.fromkeys(v.generation for v in timeline.vintages))
    with step(f"the wards of {len(generations)} generations and the footprints of "
              f"{len(timeline.vintages)} vintages, simplified"), ThreadPoolExecutor(2) as pool:
        wards = {g: pool.submit(ward_shapes, timeline, g) for g in generations}
        footprints = [pool.submit(footprint_shapes, timeline, g) for g in generations]
        positions = {}
        for generation, made in wards.items():
            codes, topology = made.result()
            _asset(folder, f"wards-{generation.key}", topology)
            positions[generation.key] = {c: i for i, c in enumerate(codes)}
        for made_footprints in footprints:
            for name, topology in made_footprints.result().items():
                _asset(folder, f"footprints-{name}", topology)
    return positions


def _vintages(timeline: Timeline) -> list[dict[str, Any]]:
    return [{"name": v.name, "title": v.title, "when": v.when if v.date else "",
             "generation": v.generation.key} for v in timeline.vintages]


def _index_data(atlas: Atlas, positions: dict[str, dict[str, int]]) -> dict[str, Any]:
    """The national map's data: each ward's council in each vintage, each council's
    residents outside its home footprints."""
    timeline = atlas.timeline
    codes = sorted(set(timeline.timeline["council_code"]))
    number = {c: i for i, c in enumerate(codes)}
    outside = timeline.timeline.set_index(["vintage", "council_code"])[
        "population_outside_home"]
    wards = timeline.ward_timeline
    vintages = {}
    for vintage in timeline.vintages:
        where = positions[vintage.generation.key]
        rows = wards[wards["vintage"] == vintage.name]
        council_of = [-1] * len(where)
        for ward, council in zip(rows["ward_code"], rows["council_code"], strict=True):
            if ward in where and council in number:
                council_of[where[ward]] = number[council]
        mine = outside.loc[vintage.name] if vintage.name in outside.index.levels[0] else None
        vintages[vintage.name] = {
            "title": vintage.title, "generation": vintage.generation.key,
            "wards": council_of,
            "outside": [int(mine.get(c, 0)) if mine is not None else 0 for c in codes]}
    return {"attribution": load_catalogue().attribution, "vintages": vintages,
            "councils": [[c, atlas.name(c), atlas.page_of.get(c, c)] for c in codes]}


def _map_data(atlas: Atlas, code: str, positions: dict[str, dict[str, int]]) -> dict[str, Any]:
    """A council page's map: its wards in each generation, their verdict per vintage."""
    timeline = atlas.scoped[code]
    rows = timeline.ward_timeline
    generations = {}
    for generation in dict.fromkeys(v.generation for v in timeline.vintages):
        names = [v.name for v in timeline.vintages if v.generation == generation]
        mine = rows[rows["vintage"].isin(names)]
        where = positions[generation.key]
        wards = [w for w in dict.fromkeys(mine["ward_code"]) if w in where]
        letter = {(n, w): VERDICT_LETTERS.get(str(v), "-") for n, w, v in
                  zip(mine["vintage"], mine["ward_code"], mine["verdict"], strict=True)}
        ward_names = dict(zip(mine["ward_code"], mine["ward_name"], strict=True))
        generations[generation.key] = {
            "wards": [where[w] for w in wards],
            "names": [str(ward_names[w]) for w in wards],
            "verdicts": {n: "".join(letter.get((n, w), "-") for w in wards) for n in names}}
    return {"code": code, "name": atlas.name(code), "vintages": _vintages(timeline),
            "generations": generations, "attribution": load_catalogue().attribution}


def _quality(atlas: Atlas) -> list[str]:
    """The data-quality lines every council page carries."""
    timeline = atlas.timeline
    summary = timeline.summary["inputs"]
    lines = []
    for found in summary["generations"].values():
        titles = [v.name for v in timeline.vintages if v.generation.title == found["title"]]
        lines.append(f"{', '.join(titles)}: built exactly from the {found['title']} with ONS's "
                     f"lookups; residents from {Path(found['population']['source']).name}; "
                     f"wards from {Path(found['wards']['source']).name}"
                     + (f"; deprivation from {Path(found['deprivation']['source']).name}"
                        if found.get("deprivation") else "") + ".")
    if any(v.reconstructed for v in timeline.vintages):
        lines.append("The vintages marked reconstructed are built from a reconstruction of "
                     "ONS's April 2026 lookup (every sub-ICB location's LSOA count equals "
                     "ONS's), not ONS's file.")
    if "lsoa21" in summary["generations"]:
        lines.append("The 2021 LSOAs and the wards of 2024 are super generalised (200 m): "
                     "the figures come from ONS's lookups, exactly, but the map's shapes and "
                     "ward areas are approximate.")
    lines.append("Home footprints: the footprint holding most of a council's residents, and "
                 "any footprint whose residents live mostly in it; a council is aligned when "
                 "none of its residents lives outside them. Ward verdicts count pieces of at "
                 f"least {timeline.summary['parameters']['tolerance']:.0%} of a ward's "
                 "residents. Across the change of building blocks in 2023, the LSOA bridge "
                 "follows each area (see data/summary.json and the project's README).")
    return lines


def _population_title(source: str) -> str:
    """A population table for people: the catalogue's title of its file, else its name."""
    name = Path(source).name
    entry = load_catalogue().entry_of(source, "population")
    return name if entry is None else f"{entry['title']} ({name})"


def _residents_note(atlas: Atlas) -> str | None:
    """Which residents each generation's vintages count (None with one generation): the
    two counts differ, which a reader of a council's figures must know."""
    timeline = atlas.timeline
    generations = timeline.summary["inputs"]["generations"].values()
    if len(generations) < 2:
        return None
    parts = []
    for found in generations:
        own = [v for v in timeline.vintages if v.generation.title == found["title"]]
        names = [v.title for v in own if v.proposal is None]
        if names:
            span = names[0] if len(names) == 1 else f"{names[0]} to {names[-1]}"
            span += " and the proposals on them" if len(names) < len(own) else ""
            parts.append(f"{span} ({found['title']}): "
                         + _population_title(found["population"]["source"]))
    return ("Residents are counted per generation of building blocks: " + "; ".join(parts)
            + ". The two counts differ (different years and LSOAs), so a council's residents "
            "change between them while its boundary does not.")


def _scope(atlas: Atlas) -> str:
    """What an atlas of some councils covers, in words."""
    names = [atlas.name(c) for c in atlas.councils]
    return "The councils " + (", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1
                              else names[0] if names else "")


def _redirect(path: Path, target: str, name: str, became: str) -> None:
    path.write_text(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<meta http-equiv=\"refresh\" content=\"0; url={target}\"><title>{name}</title>"
        f"</head><body><p>{name} became part of <a href=\"{target}\">{became}</a>.</p>"
        "</body></html>\n", encoding="utf-8")


def write_atlas(timeline: Timeline, out: str | os.PathLike[str], *,
                analyses: Sequence[Analysis] = ()) -> Path:
    """Write the atlas of a timeline that followed every council of its area.

    Parameters
    ----------
    timeline
        From :func:`stpgeo.timeline` with ``every_council=True``.
    out
        The folder, replaced atomically.
    analyses
        Analyses whose GP practices the council pages list (e.g. the demo's CCGs of 2017).

    Examples
    --------
    >>> history = stpgeo.timeline(every_council=True)  # doctest: +SKIP
    >>> write_atlas(history, "out/atlas")  # doctest: +SKIP
    """
    timeline.kept(to="write an atlas (its maps need the polygons)")
    atlas = prepare(timeline)
    env = environment()
    stp = series(timeline, "stp")
    latest = [v for v in stp if v.proposal is None][-1]
    common = {"version": __version__, "generated": dt.date.today().isoformat(),
              "attribution": load_catalogue().attribution,
              "vintage_names": ", ".join(v.name for v in timeline.vintages)}
    quality = _quality(atlas)
    residents_note = _residents_note(atlas)
    with atomic_folder(out) as staging:
        for sub in ("assets", "councils", "footprints", "data"):
            (staging / sub).mkdir()
        _static(staging / "assets")
        positions = _shapes(atlas, staging / "assets")
        _asset(staging / "assets", "atlas-index", _index_data(atlas, positions))
        write_tables(timeline, staging / "data")
        footprints = footprint_pages(atlas)
        with step(f"{len(atlas.councils)} council pages"):
            for code in atlas.councils:
                page = council_page(atlas, code, analyses)
                now = page["states"].get(latest.name)
                (staging / "councils" / f"{code}.html").write_text(env.get_template(
                    "atlas_council.html.j2").render(
                    root="../", title=page["name"], page=page, now=now, latest=latest,
                    latest_level=level(latest, len(now["homes"]) if now else 1),
                    vintages=timeline.vintages, default=latest.name, quality=quality,
                    residents_note=residents_note,
                    data=json.dumps(_map_data(atlas, code, positions),
                                    separators=(",", ":")).replace("</", "<\\/"),
                    **common), encoding="utf-8")
            for former, code in atlas.page_of.items():
                if former != code:
                    _redirect(staging / "councils" / f"{former}.html", f"{code}.html",
                              atlas.name(former), atlas.name(code))
        residents = ", ".join(sorted(set(timeline.vintage_table["residents"])))
        for footprint in footprints:
            (staging / "footprints" / f"{footprint['code']}.html").write_text(
                env.get_template("atlas_footprint.html.j2").render(
                    root="../", title=footprint["name"], footprint=footprint,
                    residents=residents, **common), encoding="utf-8")
        rows = council_index(atlas)
        groups: list[dict[str, Any]] = [
            {"title": f"{level(vintage).capitalize()} of {vintage.when}"
                      + (" (reconstructed)" if vintage.reconstructed else ""),
             "footprints": sorted([f for f in footprints if f["vintage"] == vintage.name],
                                  key=lambda f: str(f["name"]))}
            for vintage in dict.fromkeys(timeline.vintage(f["vintage"]) for f in footprints)]
        (staging / "index.html").write_text(env.get_template("atlas_index.html.j2").render(
            root="", title="Atlas", rows=rows, vintages=timeline.vintages, latest=latest,
            first=timeline.vintages[0], stp_series=stp, today=today_findings(timeline),
            trend=england_trend(timeline), footprint_groups=groups,
            reconstructed=any(v.reconstructed for v in timeline.vintages),
            england=timeline.england,
            scope=_scope(atlas), **common),
            encoding="utf-8")
    return Path(out)


def folder_size(folder: str | os.PathLike[str]) -> int:
    """The bytes of every file under a folder."""
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())

