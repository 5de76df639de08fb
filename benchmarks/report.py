"""The benchmark table: printed, and written to ``benchmarks/results.md``.

Each comparison gives a :class:`Section`: what ran on what input, one :class:`Row`
per reference (medians and the ratio reference / stpgeo), the target, and what was
checked. The machine (cores, memory, CPU, load) and library versions head the file.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import shapely

from .timing import Timed

LIBRARIES = ("shapely", "geopandas", "pyogrio", "numpy", "pandas", "pyproj", "tobler")


@dataclass
class Row:
    """One line of the table: stpgeo against one reference (or a plain measurement)."""

    what: str
    stpgeo: str
    reference: str = "—"
    ratio: str = "—"
    target: str = "—"
    met: bool | None = None


@dataclass
class Section:
    """One comparison: its title, the input it ran on, its rows and what was checked."""

    title: str
    input: str
    rows: list[Row] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)


def seconds(timed: Timed) -> str:
    """A median with its spread, e.g. ``1.23 s (1.20–1.31, n=3)``."""
    if not timed.seconds:
        return "—"
    return (f"{timed.median:.2f} s ({min(timed.seconds):.2f}–{max(timed.seconds):.2f}, "
            f"n={len(timed.seconds)})")


def versus(what: str, ours: Timed, theirs: Timed, *, target: float | None = None) -> Row:
    """A row comparing medians: ratio = reference / stpgeo, met when ≥ ``target``.

    Examples
    --------
    >>> versus("x", Timed("stpgeo", [1.0]), Timed("ref", [5.5]), target=5).ratio
    '5.5×'
    """
    ratio = theirs.median / ours.median
    met = None if target is None or math.isnan(ratio) else bool(ratio >= target)
    return Row(what, seconds(ours), f"{theirs.name}: {seconds(theirs)}", f"{ratio:.1f}×",
               f"≥ {target:g}×" if target is not None else "—", met)


def load() -> str:
    """The load averages (1, 5, 15 minutes): how busy the machine was."""
    return ", ".join(f"{v:.2f}" for v in os.getloadavg())


def _machine(load_at_start: str) -> list[str]:
    cpu = "unknown CPU"
    memory = "unknown memory"
    if Path("/proc/cpuinfo").exists():
        names = [line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text()
                 .splitlines() if line.startswith("model name")]
        cpu = names[0] if names else platform.processor() or cpu
    if Path("/proc/meminfo").exists():
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 2**20:.1f} GiB RAM"
    at_end = load()
    busiest = max(float(v) for v in f"{load_at_start}, {at_end}".split(", "))
    busy = (" (above the core count: other work shared the machine and times are inflated)"
            if busiest > (os.cpu_count() or 1) else " (below the core count: a quiet machine)")
    return [f"{os.cpu_count()} cores, {memory}, {cpu}; {platform.system()} "
            f"{platform.release()}",
            f"load average (1, 5, 15 min) at the start: {load_at_start}; at the end: {at_end}"
            + busy]


def _versions() -> str:
    found = [f"Python {platform.python_version()}", f"GEOS {shapely.geos_version_string}"]
    for name in LIBRARIES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def _mark(met: bool | None) -> str:
    return {True: "met", False: "NOT met", None: "—"}[met]


def table(sections: list[Section]) -> str:
    """The results as a Markdown table, one block of rows per section."""
    lines = ["| comparison | stpgeo (median) | reference (median) | ratio | target | |",
             "|---|---|---|---|---|---|"]
    for section in sections:
        for row in section.rows:
            lines.append(f"| {section.title}: {row.what} | {row.stpgeo} | {row.reference} | "
                         f"{row.ratio} | {row.target} | {_mark(row.met)} |")
    return "\n".join(lines)


def _targets(sections: list[Section]) -> list[str]:
    """A sentence on the targets: all met, or which are missed and where the why is."""
    rows = [(s, r) for s in sections for r in s.rows if r.met is not None]
    missed = [f"{s.title}: {r.what} ({r.ratio if r.ratio != '—' else r.stpgeo}, target "
              f"{r.target})" for s, r in rows if not r.met]
    if not rows:
        return []
    if not missed:
        return ["All targets are met.", ""]
    return ["**Targets missed:** " + "; ".join(missed) + ". Why, and what was tried: "
            "[benchmarks/README.md](README.md#where-the-targets-stand).", ""]


def markdown(sections: list[Section], *, command: str, started: dt.datetime,
             load_at_start: str, area: str, repeats: int) -> str:
    """The whole of results.md."""
    lines = [
        "# Benchmark results",
        "",
        f"Written by `{command}` — do not edit by hand. Started {started:%Y-%m-%d %H:%M} UTC; "
        f"area: {area}; {repeats} repeat(s) per contender, interleaved; medians.",
        "",
        "## Machine and libraries",
        "",
        *[f"- {line}" for line in _machine(load_at_start)],
        f"- {_versions()}",
        "",
        "## Results",
        "",
        "Ratio = reference median / stpgeo median (higher is better for stpgeo).",
        "",
        table(sections),
        "",
        *_targets(sections),
        "## Inputs and checks",
        "",
    ]
    for section in sections:
        lines.append(f"- **{section.title}** — {section.input}")
        lines.extend(f"  - {check}" for check in section.checks)
    return "\n".join(lines) + "\n"


def now() -> dt.datetime:
    """The current time in UTC."""
    return dt.datetime.now(dt.UTC)
