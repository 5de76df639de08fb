"""Comparisons 6–8 (issue 16): the demo cold and warm, one council cold and warm, and how
the cost grows with the work.

6. ``stpgeo demo`` with an empty cache (cold: a first run) and again (warm: a re-run),
   in child processes: wall times and peak memory. The demo does more than the plain
   pipeline (a timeline, deprivation, practices, a report and a map), so it is not
   compared with it: :mod:`benchmarks.like_for_like` compares the same work. Before
   any time is reported: the warm run's tables equal the cold run's, and the cold
   run's those of the demo without the cache and without the block shortcut
   (:mod:`benchmarks.without_shortcuts`).
7. ``stpgeo analyse`` for Birmingham's 69 wards of 2018 against the STPs of 2017 (the
   ONS file), with the national LSOAs and lookups: cold and warm.
8. Growth: :func:`stpgeo.analyse_many` in this process on Birmingham's 40 wards of
   2013, the West Midlands' 163 and England's 7,681 (the area's) against the STPs built
   from the LSOAs, cold (without the cache) and warm.

Each child gets a cache folder of its own (``STPGEO_CACHE_DIR``): the user's cache is
never read or written.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

from stpgeo.analysis.pipeline import analyse_many
from stpgeo.analysis.result import Analysis
from stpgeo.engine.footprints import build_footprints, clean_coverage
from stpgeo.io.cache import ENV_VAR

from .children import Child, run_child, run_stpgeo
from .inputs import WEST_MIDLANDS, Inputs
from .report import Row, Section
from .same import same_analyses

#: Targets of issue 16: guides in seconds, memory.
COLD_GUIDE_S, WARM_GUIDE_S, DEMO_GIB = 15.0, 5.0, 2.0
COUNCIL_WARM_S = 3.0
COUNCIL_ARGS = ["analyse", "--wards", "wards/birmingham_wards_2018.geojson", "--footprints",
                "stp/Sustainability_and_Transformation_Partnerships_February_2017_Ultra_"
                "Generalised_Clipped_Boundaries_in_England.geojson",
                "--blocks", "lsoa/lsoa_2011_england.geojson",
                "--population", "population/lsoa11_population_mid2017.csv",
                "--councils", "lookups/143_LSOA11_CCG17_STP17_LAD17_EN_LU.csv",
                "--block-wards", "lookups/168_LSOA11_WD18_LAD18_EW_LU_v3.csv",
                "--block-footprints", "lookups/143_LSOA11_CCG17_STP17_LAD17_EN_LU.csv"]
BIRMINGHAM = "E08000025"


def _median(children: list[Child]) -> float:
    return statistics.median(c.wall for c in children)


def _spread(children: list[Child]) -> str:
    walls = [c.wall for c in children]
    return (f"{statistics.median(walls):.1f} s ({min(walls):.1f}–{max(walls):.1f}, "
            f"n={len(walls)})")


def _time_row(what: str, children: list[Child], guide: float) -> Row:
    return Row(what, _spread(children), target=f"< {guide:g} s (guide)",
               met=_median(children) < guide)


def _peak_row(what: str, children: list[Child], budget: float | None = None) -> Row:
    peak = max(c.peak_gib for c in children)
    return Row(what, f"{peak:.2f} GiB", target=f"< {budget:g} GiB" if budget else "—",
               met=peak < budget if budget else None)


def _same_folders(ours: Path, theirs: Path, *, reference: str) -> str:
    checks = [same_analyses(Analysis.read(ours / name), Analysis.read(theirs / name),
                            reference=reference) for name in ("stp17", "ccg17")]
    return f"stp17 and ccg17: {checks[0]}"


def measure_demo(*, data: Path, title: str, repeats: int) -> tuple[Section, Path]:
    """Comparison 6; also returns a folder holding a cold run's output (for the maps)."""
    section = Section(f"stpgeo demo ({title})", "`stpgeo demo --out DIR` with an empty cache "
                      "(cold) and again (warm), in child processes")
    kept = Path(tempfile.mkdtemp(prefix="stpgeo-bench-demo-"))
    cold: list[Child] = []
    warm: list[Child] = []
    for repeat in range(repeats):
        with tempfile.TemporaryDirectory() as folder:
            env = {ENV_VAR: f"{folder}/cache"}
            out = kept if repeat == 0 else Path(folder)
            cold.append(run_stpgeo(["demo", "--out", str(out / "cold")], data=data, env=env))
            cold[-1].check("stpgeo demo (cold)")
            warm.append(run_stpgeo(["demo", "--out", str(out / "warm")], data=data, env=env))
            warm[-1].check("stpgeo demo (warm)")
            if repeat == 0:  # the answers, before the times count
                section.checks.append("warm run: " + _same_folders(
                    out / "warm", out / "cold", reference="the cold run's"))
    exact = run_child(["-m", "benchmarks.without_shortcuts", str(data), str(kept / "exact")])
    exact.check("the demo without the cache and the block shortcut")
    section.checks.append("cold run: " + _same_folders(
        kept / "cold", kept / "exact", reference="those of the demo run without the cache "
        f"and without the block shortcut (in {exact.wall:.0f} s)"))
    section.rows += [
        _time_row("cold wall time", cold, COLD_GUIDE_S),
        _time_row("warm wall time", warm, WARM_GUIDE_S),
        _peak_row("peak memory, cold", cold, DEMO_GIB),
        _peak_row("peak memory, warm", warm, DEMO_GIB),
    ]
    return section, kept / "cold"


def demo_folder(*, data: Path) -> Path:
    """A demo's output (untimed), for the comparisons that read its result folders."""
    kept = Path(tempfile.mkdtemp(prefix="stpgeo-bench-demo-"))
    run_stpgeo(["demo", "--out", str(kept / "cold")], data=data).check("stpgeo demo")
    return kept / "cold"


def measure_council(*, data: Path, title: str, repeats: int) -> Section:
    """Comparison 7: one council's analysis, cold and warm."""
    section = Section("one council (Birmingham's 69 wards of 2018 × STPs of 2017)",
                      f"`stpgeo analyse` with the LSOAs of {title}, their residents and lookups "
                      "143 and 168, cold (empty cache) then warm, in child processes")
    cold: list[Child] = []
    warm: list[Child] = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as folder:
            env = {ENV_VAR: f"{folder}/cache"}
            for runs, name in ((cold, "cold"), (warm, "warm")):
                runs.append(run_stpgeo([*COUNCIL_ARGS, "--out", f"{folder}/{name}"], data=data,
                                       env=env))
                runs[-1].check(f"stpgeo analyse (Birmingham, {name})")
            if not section.checks:
                section.checks.append("warm run: " + same_analyses(
                    Analysis.read(f"{folder}/warm"), Analysis.read(f"{folder}/cold"),
                    reference="the cold run's"))
    section.rows += [
        _time_row("warm wall time", warm, COUNCIL_WARM_S),
        Row("cold wall time", _spread(cold),
            ratio=f"{_median(cold) / _median(warm):.1f}× (cold / warm)"),
        _peak_row("peak memory, cold", cold),
        _peak_row("peak memory, warm", warm),
    ]
    return section


def measure_growth(inputs: Inputs, *, repeats: int) -> Section:
    """Comparison 8: the same analysis on one council, the West Midlands and England."""
    lookup = inputs.lookup
    blocks = clean_coverage(inputs.lsoas, cache=False)
    stps = build_footprints(blocks, lookup, by="STP17CD", cache=False)
    ward_council = inputs.ward_councils
    scales = {"Birmingham": ward_council[ward_council == BIRMINGHAM].index,
              "the West Midlands": ward_council[ward_council.isin(WEST_MIDLANDS)].index}
    if inputs.area == "england":
        scales["England"] = pd.Index(inputs.wards["code"])
    section = Section("growth with the work",
                      f"analyse_many in one process: wards × the STPs built from the LSOAs, "
                      f"with the {len(blocks):,} LSOAs of {inputs.title}, lookups 143 and 114; "
                      "cold = no cache, warm = a re-run from the cache")
    options = {"councils": lookup, "blocks": blocks, "population": inputs.population,
               "block_footprints": lookup, "block_wards": inputs.block_wards}
    for name, codes in scales.items():
        wards = replace(inputs.ward_layer, gdf=inputs.ward_layer.gdf[
            inputs.ward_layer.gdf["code"].isin(set(codes))])
        times: dict[str, list[float]] = {"cold": [], "warm": []}
        analyse_many(wards, {"stp17": stps}, **options, cache=True)  # fills the cache
        for _ in range(repeats):
            for how, cache in (("cold", False), ("warm", True)):
                started = time.perf_counter()
                analyse_many(wards, {"stp17": stps}, **options, cache=cache)
                times[how].append(time.perf_counter() - started)
        cold, warm = (statistics.median(times[k]) for k in ("cold", "warm"))
        section.rows.append(Row(f"{name}: {len(wards):,} wards", f"cold {cold:.2f} s, warm "
                                f"{warm:.2f} s", ratio=f"{cold / warm:.1f}× (cold / warm)"))
    return section
