"""Comparison 9: the atlas of every council, against the same pages made one at a time.

stpgeo: ``stpgeo atlas --england --out DIR`` in a child with an empty cache of its own
(cold): the timeline of every vintage following every council, the shared shapes, one
page per council and per footprint. Its size is measured too (target: under 150 MB).

References, what a planner can do without the atlas, one council at a time (each a
child process, on a warm cache, as a planner repeating the command would have it):

- ``stpgeo report DEMO/stp17 DEMO/ccg17 --council X --out DIR`` — the council's report
  page from the demo's analyses (two vintages, with map and tables);
- ``stpgeo timeline --council X --out DIR`` — the council's story through every vintage,
  with its small maps.

Each is timed for a sample of councils (the same councils, spread through the list by
code, each existing in 2017 and today); the time for all the atlas's councils is the
sample's mean times their number, and the ratio that time over the atlas's. Before the
times count, the atlas's page of each council sampled must give the same residents
outside home footprints as the timeline run for that council alone (the figures of
``trend.csv``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from bs4 import BeautifulSoup

from stpgeo.io.cache import ENV_VAR

from .children import Child, run_stpgeo
from .report import Row, Section
from .same import MismatchError

#: The atlas of England must be built in under this (seconds, cold) ...
TARGET_S = 180.0
#: ... and weigh less than this (bytes).
TARGET_BYTES = 150e6


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _sample(site: Path, demo: Path, n: int) -> list[str]:
    """Councils of the atlas that the demo's analyses hold too, spread by code."""
    pages = sorted(p.stem for p in (site / "councils").glob("*.html")
                   if "http-equiv" not in p.read_text(encoding="utf-8")[:400])
    analysed = set(pd.read_csv(demo / "stp17" / "councils.csv", dtype=str)["council_code"])
    both = [c for c in pages if c in analysed]
    step = max(1, len(both) // n)
    return both[::step][:n]


def _page_outside(site: Path, council: str) -> dict[str, int]:
    """Residents outside home footprints per vintage, as the council's page says."""
    page = BeautifulSoup((site / "councils" / f"{council}.html").read_text(encoding="utf-8"),
                         "html.parser")
    found = {}
    for row in page.select("table[data-table=trend] tbody tr"):
        cells = [td.get_text(strip=True) for td in row.find_all("td")]
        if len(cells) > 4:
            found[str(row["data-vintage"])] = int(cells[4].replace(",", ""))
    return found


def _check(site: Path, council: str, timeline: Path) -> None:
    trend = pd.read_csv(timeline / "trend.csv", dtype={"scope_code": str})
    mine = trend[trend["scope_code"] == council].set_index("vintage")[
        "population_outside_home"].astype(int).to_dict()
    if _page_outside(site, council) != mine:
        raise MismatchError(f"the atlas's page of {council} differs from its timeline")


def _per_council(runs: list[Child]) -> float:
    return sum(r.wall for r in runs) / len(runs)


def measure_atlas(*, data: Path, demo_out: Path, title: str, england: bool,
                  sample: int = 8) -> Section:
    """The atlas, cold, against the pages made one council at a time."""
    section = Section(f"stpgeo atlas ({title})",
                      "`stpgeo atlas --england --out DIR` in a child with an empty cache, "
                      "against `stpgeo report` and `stpgeo timeline` one council at a time "
                      f"(a sample of {sample} councils, each a child, warm cache)")
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "atlas"
        cold = run_stpgeo(["atlas", "--england", "--out", str(site)], data=data,
                          env={ENV_VAR: f"{folder}/cold-cache"})
        cold.check("stpgeo atlas")
        councils = _sample(site, demo_out, sample)
        reports, timelines = [], []
        for council in councils:
            reports.append(run_stpgeo(["report", str(demo_out / "stp17"),
                                       str(demo_out / "ccg17"), "--council", council,
                                       "--out", f"{folder}/report-{council}"], data=data))
            reports[-1].check(f"stpgeo report --council {council}")
            out = Path(folder) / f"timeline-{council}"
            timelines.append(run_stpgeo(["timeline", "--council", council, "--out", str(out)],
                                        data=data))
            timelines[-1].check(f"stpgeo timeline --council {council}")
            _check(site, council, out)
        pages = sum(1 for p in (site / "councils").glob("*.html")
                    if "http-equiv" not in p.read_text(encoding="utf-8")[:400])
        size = _size(site)
    section.checks.append(f"the atlas's pages of {len(councils)} councils sampled "
                          f"({', '.join(councils)}) give the same residents outside home "
                          "footprints, vintage by vintage, as stpgeo timeline for each alone")
    section.rows.append(Row("cold wall time", f"{cold.wall:.0f} s ({pages:,} council pages)",
                            target=f"< {TARGET_S:g} s" if england else "—",
                            met=cold.wall < TARGET_S if england else None))
    for name, runs in (("stpgeo report, one council at a time", reports),
                       ("stpgeo timeline, one council at a time", timelines)):
        each = _per_council(runs)
        total = each * pages
        section.rows.append(Row(f"vs {name}", f"{cold.wall:.0f} s",
                                f"{total:,.0f} s ({pages:,} × {each:.1f} s)",
                                f"{total / cold.wall:.1f}×"))
    section.rows.append(Row("size of the site", f"{size / 1e6:.1f} MB",
                            target=f"< {TARGET_BYTES / 1e6:g} MB" if england else "—",
                            met=size < TARGET_BYTES if england else None))
    section.rows.append(Row("peak memory (max RSS)", f"{cold.peak_gib:.2f} GiB"))
    return section
