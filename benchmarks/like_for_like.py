"""Comparison 9 (issue 23): the same tables, like for like, against plain geopandas.

The work (:mod:`benchmarks.sequence`): STP17 and CCG17 built from the LSOAs with
lookup 143, the wards analysed against each. Four contenders, each in child
processes, interleaved in every repeat:

- the CLI sequence (``stpgeo build`` twice, ``stpgeo analyse`` twice, four child
  processes as a planner types them), **cold** (an empty cache), **warm** (the same
  commands typed again, with the cache the cold run left: their outputs are copied
  from it, :mod:`stpgeo.io.replay`) and **warm with** ``--rerun`` (the work done again
  from the cache's tables);
- the same through the Python API in one process (a notebook), cold and warm;
- the plain pipeline (:mod:`benchmarks.plain`), with the LSOAs cleaned, whose tables
  are checked equal to stpgeo's; and the plain pipeline on the LSOAs as published (the
  reference issue 23 measured), whose areas are not (its footprints count the LSOAs'
  own overlaps twice where two meet), so it is timed once, as context.

Before any time counts: the CLI's tables equal the plain pipeline's
(:func:`~benchmarks.plain.same_as_plain`), the warm run's the cold run's and the API's
the CLI's (:func:`~benchmarks.same.same_analyses`). Also measured: ``stpgeo --help``
(start-up), and the **floor** of the ``--rerun`` sequence — four Python start-ups
importing what ``stpgeo analyse`` imports, reading every cache file the sequence left
and writing its outputs again — with how near that run comes to it.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

from stpgeo.analysis.result import Analysis
from stpgeo.io.cache import ENV_VAR

from .children import Child, run_child, run_stpgeo
from .plain import same_as_plain
from .report import Row, Section
from .same import MismatchError, same_analyses
from .sequence import BY, commands

#: Targets of issue 23: ratios to the plain pipeline.
COLD_RATIO, WARM_RATIO = 10.0, 30.0
#: What the floor's children import: what ``stpgeo analyse`` needs.
_IMPORTS = "import stpgeo.cli, stpgeo.analysis.pipeline"


def _sequence(out: Path, *, data: Path, env: dict[str, str], rerun: bool = False) -> Child:
    """The four commands, one child each: summed wall time, the largest peak; with
    ``rerun``, each with ``--rerun`` (the work done, not copied from an earlier run)."""
    children = []
    for args in commands(out):
        child = run_stpgeo([*args, "--rerun"] if rerun else args, data=data, env=env)
        child.check(f"stpgeo {' '.join(args[:1])}")
        children.append(child)
    return Child(sum(c.wall for c in children), max(c.peak_gib for c in children), 0, "")


def _folders(out: Path) -> dict[str, Path]:
    return {"stp17": out / "STP17CD", "ccg17": out / "CCG17CD"}


def _same_runs(ours: Path, theirs: Path, *, reference: str) -> str:
    said = [same_analyses(Analysis.read(ours / by), Analysis.read(theirs / by),
                          reference=reference) for by in BY]
    return f"{BY[0]} and {BY[1]}: {said[0]}"


def _copied(warm: Path, cold: Path) -> str:
    """Raise unless every file the warm sequence left is the cold run's, byte for byte: the
    commands were replayed (a run that did the work writes another summary.json, whose
    cache hits and timings differ)."""
    files = sorted(p.relative_to(cold) for p in cold.rglob("*") if p.is_file())
    differ = [str(f) for f in files if (warm / f).read_bytes() != (cold / f).read_bytes()]
    if differ or sorted(p.relative_to(warm) for p in warm.rglob("*") if p.is_file()) != files:
        raise MismatchError(f"the warm CLI sequence was not replayed: {differ or 'other files'}")
    return f"its {len(files)} files are the cold run's, byte for byte (copied from the cache)"


def _floor(cache: Path, out: Path) -> float:
    """Four start-ups importing stpgeo's analysis, every cache file read, outputs written."""
    started = time.perf_counter()
    for _ in commands(out):
        run_child(["-c", _IMPORTS]).check("importing stpgeo")
    script = ("import sys, pathlib, pyarrow.parquet as pq\n"
              "for p in sorted(pathlib.Path(sys.argv[1]).glob('*.parquet')):\n"
              "    pq.read_table(p)\n")
    run_child(["-c", script, str(cache)]).check("reading the cache")
    with tempfile.TemporaryDirectory() as copy:
        shutil.copytree(out, Path(copy) / "out")
    return time.perf_counter() - started


def _spread(walls: list[float]) -> str:
    return (f"{statistics.median(walls):.1f} s ({min(walls):.1f}–{max(walls):.1f}, "
            f"n={len(walls)})")


def _ratio(what: str, ours: list[float], theirs: list[float], target: float) -> Row:
    ratio = statistics.median(theirs) / statistics.median(ours)
    return Row(what, _spread(ours), f"plain geopandas, LSOAs cleaned: {_spread(theirs)}",
               f"{ratio:.1f}×", f"≥ {target:g}×", ratio >= target)


def measure_like_for_like(*, data: Path, title: str, repeats: int) -> Section:
    """Comparison 9: the CLI sequence and the API, cold and warm, against plain geopandas."""
    section = Section(f"the same tables, like for like ({title})",
                      "STP17 and CCG17 built from the LSOAs (lookup 143), the wards analysed "
                      "against each (lookups 143 and 114, residents of mid-2017): the CLI "
                      "sequence (stpgeo build ×2, stpgeo analyse ×2, one child process each) "
                      "and the Python API in one process, cold (empty cache) and warm; "
                      "the plain pipeline (benchmarks/plain.py); interleaved")
    walls: dict[str, list[float]] = {k: [] for k in ("cli cold", "cli warm", "cli rerun",
                                                     "api cold", "api warm", "plain")}
    peaks: dict[str, float] = dict.fromkeys(walls, 0.0)
    floors: list[float] = []
    as_published: Child | None = None
    for repeat in range(repeats):
        with tempfile.TemporaryDirectory(prefix="stpgeo-like-") as folder:
            root = Path(folder)
            runs = {"cli": {"cache": root / "cli-cache"}, "api": {"cache": root / "api-cache"}}
            # the planner's folder: the CLI writes there every time, the commands retyped
            # as they were; what each run left is copied aside (untimed) for the checks
            planner = root / "cli"
            planner.mkdir()
            for how in ("cold", "warm"):
                for name, run in runs.items():
                    env = {ENV_VAR: str(run["cache"])}
                    if name == "cli":
                        child = _sequence(planner, data=data, env=env)
                    else:
                        (root / f"api-{how}").mkdir()
                        child = run_child(["-m", "benchmarks.sequence", str(data),
                                           str(root / f"api-{how}")], env=env)
                    child.check(f"the {name} sequence ({how})")
                    walls[f"{name} {how}"].append(child.wall)
                    peaks[f"{name} {how}"] = max(peaks[f"{name} {how}"], child.peak_gib)
                    if name == "cli":
                        shutil.copytree(planner, root / f"cli-{how}")
            rerun = _sequence(planner, data=data, rerun=True,
                              env={ENV_VAR: str(runs["cli"]["cache"])})
            walls["cli rerun"].append(rerun.wall)
            peaks["cli rerun"] = max(peaks["cli rerun"], rerun.peak_gib)
            shutil.copytree(planner, root / "cli-rerun")
            plain = run_child(["-m", "benchmarks.plain", str(data), str(root / "plain")])
            plain.check("the plain geopandas pipeline")
            walls["plain"].append(plain.wall)
            peaks["plain"] = max(peaks["plain"], plain.peak_gib)
            floors.append(_floor(runs["cli"]["cache"], root / "cli-rerun"))
            if repeat == 0:  # the answers, before the times count
                section.checks += [
                    "CLI cold: " + same_as_plain(_folders(root / "cli-cold"), root / "plain"),
                    "CLI warm: " + _same_runs(root / "cli-warm", root / "cli-cold",
                                              reference="the cold run's") + "; "
                    + _copied(root / "cli-warm", root / "cli-cold"),
                    "CLI warm, --rerun: " + _same_runs(root / "cli-rerun", root / "cli-cold",
                                                       reference="the cold run's"),
                    "API cold: " + _same_runs(root / "api-cold", root / "cli-cold",
                                              reference="the CLI's"),
                    "API warm: " + _same_runs(root / "api-warm", root / "cli-cold",
                                              reference="the CLI's")]
                as_published = run_child(["-m", "benchmarks.plain", str(data),
                                          str(root / "published"), "--as-published"])
                as_published.check("the plain pipeline on the LSOAs as published")
                try:
                    same_as_plain(_folders(root / "cli-cold"), root / "published")
                    differs = "its tables equal stpgeo's too"
                except MismatchError as error:
                    differs = f"its tables are not stpgeo's: {error}"
                section.checks.append(f"plain pipeline on the LSOAs as published (not "
                                      f"cleaned), timed once: {as_published.wall:.1f} s; "
                                      + differs)
    helps = [run_stpgeo(["--help"], data=data).wall for _ in range(max(repeats, 3))]
    section.rows += [
        _ratio("CLI sequence, cold", walls["cli cold"], walls["plain"], COLD_RATIO),
        _ratio("CLI sequence, warm (the same commands again: outputs copied from the cache)",
               walls["cli warm"], walls["plain"], WARM_RATIO),
        _ratio("CLI sequence, warm with --rerun (the work done again from the cache's tables)",
               walls["cli rerun"], walls["plain"], WARM_RATIO),
        _ratio("Python API in one process, cold", walls["api cold"], walls["plain"],
               COLD_RATIO),
        _ratio("Python API in one process, warm", walls["api warm"], walls["plain"],
               WARM_RATIO),
    ]
    if as_published is not None:
        median = statistics.median(walls["cli cold"]), statistics.median(walls["cli warm"])
        section.rows.append(Row(
            "CLI sequence vs the plain pipeline on the LSOAs as published (other answers)",
            f"cold {median[0]:.1f} s, warm {median[1]:.1f} s",
            f"plain geopandas, LSOAs as published: {as_published.wall:.1f} s (n=1)",
            f"{as_published.wall / median[0]:.1f}× cold, {as_published.wall / median[1]:.1f}× "
            "warm"))
    floor, warm = statistics.median(floors), statistics.median(walls["cli rerun"])
    section.rows += [
        Row("warm CLI sequence with --rerun: floor (4 start-ups, the cache read, the outputs "
            "written)", f"{floor:.1f} s", ratio=f"warm run {warm / floor:.1f}× its floor"),
        Row("stpgeo --help (start-up of one command)", _spread(helps)),
        Row("peak memory (CLI cold, warm, --rerun; API cold, warm; plain)",
            ", ".join(f"{peaks[k]:.2f}" for k in peaks) + " GiB"),
    ]
    return section

