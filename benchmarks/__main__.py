"""``python -m benchmarks``: run the comparisons of issues 7, 16 and 23, write results.md.

Usage::

    python -m benchmarks [--repeats 3] [--area england|west-midlands] [--data DIR]
                         [--out benchmarks/results.md]
                         [--only build,stp,lsoa,timeline,demo,maps,council,growth,atlas,like]
                         [--vintages CCG17,...]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from stpgeo import data_dir

from . import area as area_module
from . import atlas, demo, footprints, inputs, like_for_like, overlaps, report, speed, timeline
from .cache_folder import cache_at

STEPS = ("build", "stp", "lsoa", "timeline", "demo", "maps", "council", "growth", "atlas",
         "like")
#: stpgeo's overlap table must be at least this many times faster than overlay (wards × STPs).
OVERLAP_TARGET = 5.0
RESULTS = Path(__file__).with_name("results.md")


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--repeats", type=int, default=3, help="runs per contender (median)")
    parser.add_argument("--area", choices=["england", "west-midlands"], default="england")
    parser.add_argument("--data", type=Path, default=None, help="the boundary data folder")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the table")
    parser.add_argument("--only", default=",".join(STEPS),
                        help=f"comma-separated steps among {', '.join(STEPS)}")
    parser.add_argument("--vintages", default=None,
                        help="the timeline's vintages (default: every one the data can build)")
    return parser.parse_args(argv)


def run(*, data: Path, area: inputs.Area, repeats: int, steps: set[str],
        vintages: str | None = None) -> list[report.Section]:
    """Run the chosen comparisons; each raises :class:`~benchmarks.same.MismatchError` on a
    disagreement."""
    sections: list[report.Section] = []
    # The commands run first, while this process is small: a child's peak memory (max RSS)
    # as Linux reports it includes the address space it was forked from, so measured
    # after the comparisons below (which grow this process to ~12 GB) it would be wrong.
    commands: list[report.Section] = []
    title = inputs.TITLES[area]
    with tempfile.TemporaryDirectory(prefix="stpgeo-bench-") as folder, cache_at(f"{folder}/cache"):
        area_data = area_module.area_data(data, area, Path(folder) / "data")
        demo_out = None
        if steps & {"demo", "maps"}:
            section, demo_out = speed.measure_demo(data=area_data, title=title, repeats=repeats)
            if "demo" in steps:
                commands.append(section)
            if "maps" in steps:
                commands.append(demo.measure_maps(demo_out=demo_out, data=area_data,
                                                  title=title))
        if "atlas" in steps:
            demo_out = demo_out or speed.demo_folder(data=area_data)
            commands.append(atlas.measure_atlas(data=area_data, demo_out=demo_out,
                                                title=title, england=area == "england",
                                                sample=8 if area == "england" else 2))
        if demo_out is not None:
            shutil.rmtree(demo_out.parent, ignore_errors=True)
        if "timeline" in steps and area == "england":
            commands.append(timeline.measure_command(data=area_data))
        if "like" in steps:
            commands.append(like_for_like.measure_like_for_like(data=area_data, title=title,
                                                                repeats=repeats))
        if "council" in steps:
            commands.append(speed.measure_council(data=area_data, title=title,
                                                  repeats=repeats))
        if not steps & {"build", "stp", "lsoa", "timeline", "growth"}:
            return commands
        loaded = inputs.load(data, area=area)
        if steps & {"build", "stp"}:
            section, ours, theirs = footprints.compare_footprints(loaded, repeats=repeats)
            if "build" in steps:
                sections.append(section)
            if "stp" in steps:
                for built, how in ((ours, "stpgeo.build_footprints"),
                                   (theirs, "geopandas.dissolve")):
                    sections.append(overlaps.compare_overlaps(
                        loaded.wards, built, repeats=repeats, target=OVERLAP_TARGET,
                        title=f"overlap wards × STP17 built by {how}",
                        input=f"{len(loaded.wards):,} wards of {loaded.title} × "
                              f"{len(built)} STP17 footprints built from LSOAs by {how} (the "
                              "same polygons on both sides"
                              + ("; stpgeo is given the Layer build_footprints returns, which "
                                 "says they are a clean coverage)" if how.startswith("stpgeo")
                                 else ")")))
        if "lsoa" in steps:
            sections.append(overlaps.compare_overlaps(
                loaded.wards, loaded.lsoas.polygons, repeats=repeats, with_tobler=True,
                title="overlap wards × LSOAs",
                input=f"{len(loaded.wards):,} wards × {len(loaded.lsoas):,} LSOAs of "
                      f"{loaded.title}, both as read (repaired, not cleaned)"))
        if "timeline" in steps:
            sections.append(timeline.compare_timeline(loaded, data, repeats=repeats,
                                                      vintages=vintages))
        if "growth" in steps:
            sections.append(speed.measure_growth(loaded, repeats=repeats))
    return sections + commands


def main(argv: list[str] | None = None) -> int:
    """Run, print the table, write results.md."""
    args = _arguments(argv)
    steps = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = steps - set(STEPS)
    if unknown:
        print(f"unknown steps: {', '.join(sorted(unknown))}; choose among {', '.join(STEPS)}",
              file=sys.stderr)
        return 2
    started, load_at_start = report.now(), report.load()
    sections = run(data=data_dir(args.data), area=args.area, repeats=args.repeats, steps=steps,
                   vintages=args.vintages)
    command = "make bench" if argv is None and len(sys.argv) == 1 else (
        "python -m benchmarks " + " ".join(sys.argv[1:] if argv is None else argv))
    text = report.markdown(sections, command=command, started=started,
                           load_at_start=load_at_start, area=args.area, repeats=args.repeats)
    print(report.table(sections))
    args.out.write_text(text, encoding="utf-8")
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
