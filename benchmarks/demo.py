"""Comparison 5: the size of the maps drawn from the demo's output.

``stpgeo map`` runs in a child process on a folder written by ``stpgeo demo`` (the
demo itself is measured by :mod:`benchmarks.speed`). A command that stpgeo does not
have yet is reported as "not available yet" rather than failing the benchmark.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from .children import run_stpgeo
from .report import Row, Section

NOT_YET = "not available yet"
#: The maps of issue 4: (label, analyses inside the demo's folder, scope options, budget MB).
MAPS = (("Birmingham and its neighbours", ".", ["--council", "Birmingham"], 2.0),
        ("all the wards", "stp17", ["--england"], 15.0))


def has_command(name: str) -> bool:
    """Whether ``stpgeo NAME`` exists in the stpgeo being benchmarked."""
    from stpgeo.cli import cli

    return name in cli.commands


def measure_maps(*, demo_out: Path, data: Path, title: str) -> Section:
    """The size of map.html for Birmingham and its neighbours and for all the wards, drawn
    from a ``stpgeo demo`` output folder, as a user would."""
    section = Section(f"map.html size ({title})", "`stpgeo map ANALYSES --out map.html` on "
                      "the demo's output (issue 4)")
    if not has_command("map"):
        section.rows.extend(Row(label, NOT_YET) for label, *_ in MAPS)
        return section
    with tempfile.TemporaryDirectory() as out:
        for label, analyses, scope, budget in MAPS:
            page = Path(out) / "map.html"
            child = run_stpgeo(["map", str(demo_out / analyses), *scope, "--out", str(page)],
                               data=data)
            if child.status != 0 or not page.exists():
                section.rows.append(Row(label, f"failed (exit {child.status})"))
                section.checks.append(f"stpgeo map {analyses} failed: {child.errors[-500:]}")
                continue
            size = page.stat().st_size / 1e6
            section.rows.append(Row(label, f"{size:.1f} MB (made in {child.wall:.1f} s)",
                                    target=f"< {budget:g} MB", met=size < budget))
    return section
