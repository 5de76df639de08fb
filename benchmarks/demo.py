"""Comparisons 4 and 5: the whole ``stpgeo demo`` for England, and the maps' sizes.

Both run stpgeo's command line in a child process, so wall time and peak memory
(the child's maximum resident set size, from :func:`os.wait4`) are the user's. A
command that stpgeo does not have yet is reported as "not available yet" rather
than failing the benchmark.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .report import Row, Section

DEMO_TARGET_S = 60.0
DEMO_TARGET_GIB = 4.0
NOT_YET = "not available yet"
#: The maps of issue 4: (label, analyses inside the demo's folder, scope options, budget MB).
MAPS = (("Birmingham and its neighbours", ".", ["--council", "Birmingham"], 2.0),
        ("all England's wards", "stp17", ["--england"], 15.0))


def has_command(name: str) -> bool:
    """Whether ``stpgeo NAME`` exists in the stpgeo being benchmarked."""
    from stpgeo.cli import cli

    return name in cli.commands


def run_stpgeo(args: list[str], *, data: Path) -> tuple[float, float, int, str]:
    """Run ``stpgeo ARGS`` in a child: wall seconds, peak RSS in GiB, exit status, stderr."""
    command = [sys.executable, "-c", "import sys; from stpgeo.cli import main; sys.exit(main())",
               *args, "--data", str(data), "--quiet"]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        message = errors.read().decode(errors="replace").strip()
    return wall, usage.ru_maxrss / 2**20, child.returncode, message  # ru_maxrss is in KiB


def measure_demo(*, data: Path, repeats: int) -> Section:
    """``stpgeo demo --out DIR`` for England: median wall time and the largest peak RSS."""
    section = Section("stpgeo demo (England)", "`stpgeo demo --out DIR`, in a child process")
    if not has_command("demo"):
        section.rows.append(Row("wall time / peak memory", NOT_YET,
                                target=f"< {DEMO_TARGET_S:g} s, < {DEMO_TARGET_GIB:g} GiB"))
        return section
    walls, peaks = [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as out:
            wall, peak, status, message = run_stpgeo(["demo", "--out", out], data=data)
        if status != 0:
            section.rows.append(Row("wall time / peak memory", f"failed (exit {status})"))
            section.checks.append(f"stpgeo demo failed: {message[-500:]}")
            return section
        walls.append(wall)
        peaks.append(peak)
    wall, peak = sorted(walls)[len(walls) // 2], max(peaks)
    section.rows.append(Row("wall time (median)", f"{wall:.1f} s", target=f"< {DEMO_TARGET_S:g} s",
                            met=wall < DEMO_TARGET_S))
    section.rows.append(Row("peak memory (max RSS)", f"{peak:.2f} GiB",
                            target=f"< {DEMO_TARGET_GIB:g} GiB", met=peak < DEMO_TARGET_GIB))
    return section


def measure_maps(*, data: Path) -> Section:
    """The size of map.html for Birmingham and its neighbours and for all England's wards.

    The maps are drawn from a fresh ``stpgeo demo`` output, as a user would.
    """
    section = Section("map.html size", "`stpgeo map ANALYSES --out map.html` on the demo's "
                      "output (issue 4)")
    if not (has_command("map") and has_command("demo")):
        section.rows.extend(Row(label, NOT_YET) for label, *_ in MAPS)
        return section
    with tempfile.TemporaryDirectory() as out:
        demo_out = Path(out) / "demo"
        _, _, status, message = run_stpgeo(["demo", "--out", str(demo_out)], data=data)
        if status != 0:
            section.checks.append(f"stpgeo demo failed: {message[-500:]}")
            return section
        for label, analyses, scope, budget in MAPS:
            page = Path(out) / "map.html"
            wall, _, status, message = run_stpgeo(
                ["map", str(demo_out / analyses), *scope, "--out", str(page)], data=data)
            if status != 0 or not page.exists():
                section.rows.append(Row(label, f"failed (exit {status})"))
                section.checks.append(f"stpgeo map {analyses} failed: {message[-500:]}")
                continue
            size = page.stat().st_size / 1e6
            section.rows.append(Row(label, f"{size:.1f} MB (made in {wall:.1f} s)",
                                    target=f"< {budget:g} MB", met=size < budget))
    return section
