"""Comparison 6: the England timeline over every default vintage, against a geopandas loop.

stpgeo: :func:`stpgeo.timeline` (``england=True``) on inputs in memory — one block × ward
overlap table per generation of blocks, then every vintage by aggregation of its
lookup. The vintages of the 2021 LSOAs (SICBL24 … ICB26) are built for all of England
only, with the catalogue's inputs of that generation (LSOAs 2021, wards 2024, Census
2021), which stpgeo reads inside the timed run; the loop is given them read.

Reference, the plain loop an analyst would write: for each vintage, build its
footprints with ``geopandas.dissolve`` of the LSOAs by the vintage's column and
overlay the wards with them (``geopandas.overlay``); the pieces' areas then go
through the same rules (residents from the same block placement, home footprints,
slivers, verdicts: :func:`stpgeo.analysis.timeline.vintage.run_vintage` with the overlay's
table). The block placement (each LSOA's ward: ONS lookup 114, else geometry) is
computed once on the reference side too, with stpgeo's own code, and timed with it.

Before the times count, both must agree: the same ward × footprint pairs with the
same areas (within 1e-6), and the same council rows and ward verdicts for every
vintage. Both sides get the same wards, LSOAs (as read: not cleaned), lookups and
population, of each generation.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

import stpgeo
from stpgeo.analysis.inputs import read_inputs
from stpgeo.analysis.matching import match_inputs
from stpgeo.analysis.options import AnalysisOptions
from stpgeo.analysis.run import prepare_wards
from stpgeo.analysis.timeline.inputs import Given, read_generations
from stpgeo.analysis.timeline.maps import vintage_map
from stpgeo.analysis.timeline.run import with_council_names
from stpgeo.analysis.timeline.tables import council_rows, ward_rows
from stpgeo.analysis.timeline.vintage import VintageResult, run_vintage, ward_areas, ward_blocks
from stpgeo.engine.aggregate import overlaps_from_blocks
from stpgeo.io.cache import Cache
from stpgeo.io.vintages import FootprintVintage, choose_vintages
from stpgeo.ons.generations import LSOA11, Generation
from stpgeo.progress import Timer

from .cache_folder import cache_at
from .children import run_stpgeo
from .footprints import dissolved
from .inputs import Inputs
from .report import Row, Section, versus
from .same import MismatchError, same_pairs
from .timing import Timed, race

#: stpgeo must be at least this many times faster than the loop.
TARGET = 20.0
#: ... and take less than this (seconds) for all England (issue 20: every default vintage,
#: 2015 to 2026, under a minute).
TARGET_S = 60.0
PAIR = ["left", "right"]


@dataclass
class TimelineInputs:
    """What both sides are given: the 2011 LSOAs' wards, LSOAs, population and block →
    ward lookup (of the benchmark's area), the lookups, by vintage."""

    wards: stpgeo.Layer
    blocks: stpgeo.Layer
    population: pd.Series
    block_wards: pd.DataFrame
    lookups: dict[str, pd.DataFrame]
    vintages: list[FootprintVintage]

    def given(self, generation: Generation) -> Given:
        """The inputs handed to stpgeo for a generation (the catalogue's for 2021)."""
        if generation == LSOA11:
            return Given(wards=self.wards, blocks=self.blocks, population=self.population,
                         block_wards=self.block_wards, deprivation=False)
        return Given(deprivation=False)


def load(inputs: Inputs, data: Path, *, vintages: str | None = None) -> TimelineInputs:
    """The timeline's inputs for the benchmark's area (lookups cut to its LSOAs; the
    vintages of the 2021 LSOAs only for all of England)."""
    catalogue = stpgeo.load_catalogue()
    chosen = choose_vintages(vintages, data=data)
    if inputs.area != "england":
        chosen = [v for v in chosen if v.generation == LSOA11]
    codes = set(inputs.lsoas.gdf["code"])
    lookups = {}
    for key in dict.fromkeys(v.lookup for v in chosen):
        table = stpgeo.read_lookup(data / catalogue.lookups[key]["file"])
        if "LSOA11CD" in table.columns:
            table = table[table["LSOA11CD"].isin(codes)].reset_index(drop=True)
        lookups[key] = table
    wards = stpgeo.Layer(inputs.wards.assign(name=inputs.wards["code"]),
                         source=f"wards of {inputs.title}", kind="ward")
    return TimelineInputs(
        wards=wards, blocks=inputs.lsoas,
        population=stpgeo.read_population(data / catalogue.population["lsoa11_mid2017"]["file"]),
        block_wards=stpgeo.read_lookup(data / catalogue.lookups["114"]["file"]),
        lookups=lookups, vintages=chosen)


def ours(given: TimelineInputs) -> stpgeo.Timeline:
    """stpgeo's timeline of every council and ward."""
    if not any(v.generation == LSOA11 for v in given.vintages):  # the catalogue's only
        return stpgeo.timeline(england=True, vintages=given.vintages, deprivation=False,
                               lookups=given.lookups)
    mine = given.given(LSOA11)
    return stpgeo.timeline(england=True, vintages=given.vintages, wards=mine.wards,
                           blocks=mine.blocks, population=mine.population,
                           block_wards=mine.block_wards, deprivation=False,
                           lookups=given.lookups)


def overlay_pairs(wards: gpd.GeoDataFrame, footprints: gpd.GeoDataFrame,
                  areas: pd.Series) -> pd.DataFrame:
    """The ward × footprint table as geopandas.overlay makes it (polygon pieces only)."""
    pieces = gpd.overlay(wards[["code", "geometry"]].rename(columns={"code": "left"}),
                         footprints[["code", "geometry"]].rename(columns={"code": "right"}),
                         how="intersection", keep_geom_type=True)
    table = pieces.assign(area_m2=pieces.geometry.area).groupby(PAIR, as_index=False)[
        "area_m2"].sum()
    table = table[table["area_m2"] > 0].reset_index(drop=True)
    return table.assign(left_share=(table["area_m2"] / table["left"].map(areas)).clip(upper=1))


def reference(given: TimelineInputs) -> dict[str, tuple[VintageResult, pd.DataFrame]]:
    """The loop: per vintage, dissolve, overlay, then the same rules. Returns, per vintage,
    its tables and the overlay's pairs."""
    found = {}
    mine = (given.given(LSOA11) if any(v.generation == LSOA11 for v in given.vintages)
            else Given(deprivation=False))
    sources = read_generations(given.vintages, mine, data=None, timer=Timer(),
                               cache=Cache(None))
    for generation in dict.fromkeys(v.generation for v in given.vintages):
        source = sources[generation] if generation != LSOA11 else None
        inputs = source.inputs if source is not None else read_inputs(
            given.wards, {}, AnalysisOptions(blocks=given.blocks, population=given.population,
                                             block_wards=given.block_wards))
        assert inputs.blocks is not None
        work = prepare_wards(inputs, match_inputs(inputs, council_field=None), Timer())
        shared, areas = ward_blocks(work), ward_areas(work)
        for vintage in (v for v in given.vintages if v.generation == generation):
            lookup = given.lookups[vintage.lookup]
            # the councils' names as stpgeo finds them (the April 2026 lookup has none)
            [vmap] = with_council_names(
                [vintage_map(lookup, vintage, block_codes=inputs.block_codes)], sources)
            footprints = dissolved(inputs.blocks.polygons, lookup, by=vintage.column,
                                   block=vintage.generation.field)
            pairs = overlay_pairs(work.wards.polygons, footprints, areas)
            found[vintage.name] = (run_vintage(work, vmap, shared, areas, tolerance=0.05,
                                               overlaps=pairs), pairs)
    return found


def same_timelines(mine: stpgeo.Timeline,
                   theirs: dict[str, tuple[VintageResult, pd.DataFrame]]) -> list[str]:
    """Raise :class:`MismatchError` unless every vintage has the same pairs, council rows
    and ward verdicts; else say what was checked."""
    state = mine.kept(to="compare the timelines")
    checks = []
    pairs_checked = 0
    for vintage in mine.vintages:
        work = state.works[vintage.generation]
        areas = ward_areas(work)
        names = work.wards.gdf.drop_duplicates("code").set_index("code")["name"]
        result, pairs = theirs[vintage.name]
        aggregated = overlaps_from_blocks(work.block_overlaps,
                                          state.maps[vintage.name].footprints, areas)
        same_pairs(aggregated.set_index(PAIR)["area_m2"], pairs.set_index(PAIR)["area_m2"],
                   reference=f"overlay ({vintage.name})")
        pairs_checked += len(aggregated)
        mine_result = state.results[vintage.name]
        for what, a, b in (("council rows", council_rows(mine_result, None),
                            council_rows(result, None)),
                           ("ward verdicts", ward_rows(mine_result, names, None),
                            ward_rows(result, names, None))):
            if not a.equals(b):
                raise MismatchError(f"{what} of {vintage.name} differ from the loop's")
    checks.append(f"same {pairs_checked:,} ward × footprint pairs over {len(mine.vintages)} "
                  "vintages as dissolve + overlay, areas within 1e-06 relative")
    checks.append(f"same council rows ({len(mine.timeline):,}) and ward verdicts "
                  f"({len(mine.ward_timeline):,}) for every vintage")
    return checks


def compare_timeline(inputs: Inputs, data: Path, *, repeats: int,
                     vintages: str | None = None) -> Section:
    """Time both on the same inputs, after checking they agree: stpgeo cold (each run with
    an empty cache of its own) and warm (run again on that cache: the overlaps and each
    vintage's tables read), the loop once."""
    given = load(inputs, data, vintages=vintages)
    with tempfile.TemporaryDirectory(prefix="stpgeo-timeline-") as folder:
        caches = iter(Path(folder) / f"cold-{i}" for i in range(repeats))

        def cold() -> stpgeo.Timeline:
            with cache_at(next(caches)):
                return ours(given)

        # the loop runs once (on all England it takes many minutes); stpgeo `repeats` times
        timed = race({"stpgeo": cold, "dissolve + overlay loop": lambda: reference(given)},
                     repeats=1)
        mine, loop = timed["stpgeo"], timed["dissolve + overlay loop"]
        for _ in range(repeats - 1):
            started = time.perf_counter()
            cold()
            mine.seconds.append(time.perf_counter() - started)
        warm = Timed("stpgeo, warm")
        with cache_at(Path(folder) / "cold-0"):
            for _ in range(repeats):
                started = time.perf_counter()
                warm.answer = ours(given)
                warm.seconds.append(time.perf_counter() - started)
    england = inputs.area == "england"
    checks = same_timelines(mine.answer, loop.answer)
    checks.append(f"warm: {same_tables(warm.answer, mine.answer)}")
    section = Section(
        "timeline over the default vintages",
        f"{len(given.wards):,} wards of {inputs.title} × {len(given.vintages)} vintages "
        f"({', '.join(v.name for v in given.vintages)}) built from {len(given.blocks):,} "
        "2011 LSOAs as read (mid-2017 population; blocks to wards by ONS 114)"
        + (" and England's 2021 LSOAs as read (Census 2021; the 2024 wards by ONS's best "
           "fit)" if any(v.generation != LSOA11 for v in given.vintages) else "")
        + "; stpgeo cold = an empty cache each run, warm = run again on a cache it filled",
        rows=[versus("vs geopandas dissolve + overlay per vintage, stpgeo cold", mine, loop,
                     target=TARGET if england else None),
              versus("vs geopandas dissolve + overlay per vintage, stpgeo warm", warm, loop)],
        checks=checks)
    if england:
        section.rows.append(Row("stpgeo.timeline (England, inputs in memory), cold",
                                f"{mine.median:.1f} s", target=f"< {TARGET_S:g} s",
                                met=mine.median < TARGET_S))
    return section


def same_tables(mine: stpgeo.Timeline, theirs: stpgeo.Timeline) -> str:
    """Raise :class:`MismatchError` unless two timelines' tables are equal; else say so."""
    for name in ("timeline", "ward_timeline", "changes", "trend", "moves"):
        if not getattr(mine, name).equals(getattr(theirs, name)):
            raise MismatchError(f"the {name} table differs between the two runs")
    return "every table (timeline, ward_timeline, changes, trend, moves) equal to the cold run's"


def measure_command(*, data: Path) -> Section:
    """``stpgeo timeline --england --out DIR`` end to end in a child: reading included."""
    section = Section("stpgeo timeline --england (command)",
                      "`stpgeo timeline --england --out DIR`, in a child process: reading "
                      "the files, the overlays of both generations, every default vintage "
                      "(2015 to 2026), the tables, trend.png and timeline.html")
    with tempfile.TemporaryDirectory() as out:
        child = run_stpgeo(["timeline", "--england", "--out", str(Path(out) / "t")],
                           data=data)
    if child.status != 0:
        section.rows.append(Row("wall time", f"failed (exit {child.status})"))
        section.checks.append(f"stpgeo timeline failed: {child.errors[-500:]}")
        return section
    section.rows.append(Row("wall time", f"{child.wall:.1f} s"))
    section.rows.append(Row("peak memory (max RSS)", f"{child.peak_gib:.2f} GiB"))
    return section
