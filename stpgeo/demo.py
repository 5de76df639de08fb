"""The seed case end to end on the real data: ``stpgeo demo``.

1. Build the CCGs and STPs of April 2017 from England's LSOAs with ONS lookup 143.
2. Analyse all of England's wards (December 2013) against both, with mid-2017
   population, councils and footprints from lookup 143 and wards from lookup 114, the
   residents' deprivation (IMD 2019) and the GP practices of Birmingham, Solihull and
   the Black Country (2017, with coordinates).
3. Write one result folder per footprint layer (``stp17/``, ``ccg17/``), the
   footprints themselves, ``map.html`` (an interactive map of Birmingham and its
   neighbours, self-contained: it opens offline) and beside it ``report.html`` with
   ``map.png``, ``export/`` and ``summary.md``; and say what it found for Birmingham.
4. Follow Birmingham through every footprint vintage the data directory can build,
   2015 to 2026 — those of July 2022 and before on the 2011 LSOAs, those since 2023 on
   the 2021 LSOAs with Census 2021 — with the national trend and today's councils not
   aligned (:func:`stpgeo.timeline`): ``timeline/``.
5. Write the atlas of Birmingham and its neighbours (:func:`stpgeo.atlas`): ``atlas/``,
   a static site (one page per council, with its map by vintage and its story).

Without a data directory (no ``--data``, no ``STPGEO_DATA``, none beside the
project) the same code runs on the sample shipped inside the package: the wards,
LSOAs and lookup rows of Birmingham, Solihull and the Black Country, whose STPs and
CCGs of 2017 lie wholly in those six districts (:func:`demo_data` says which).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pandas as pd

from stpgeo._types import PathLike
from stpgeo.analysis.options import AnalysisOptions
from stpgeo.analysis.pipeline import analyse_many
from stpgeo.analysis.result import Analysis
from stpgeo.analysis.timeline import timeline
from stpgeo.analysis.timeline.result import Timeline
from stpgeo.atlas import atlas
from stpgeo.engine.footprints import build_footprints, ons_fields, read_clean_blocks
from stpgeo.errors import StpgeoError
from stpgeo.io.cache import Cache
from stpgeo.io.cached import read_layer_cached, read_lookup_cached, read_population_cached
from stpgeo.io.catalogue import data_dir, is_sample, load_catalogue
from stpgeo.io.deprivation import read_deprivation
from stpgeo.io.layer import Layer
from stpgeo.io.practices import read_practices
from stpgeo.io.write import atomic_folder, write_frame
from stpgeo.ons.generations import LSOA21
from stpgeo.outputs.affected import affected_findings
from stpgeo.outputs.findings import council_findings, national_findings
from stpgeo.outputs.maps import ward_map
from stpgeo.outputs.report import render_report
from stpgeo.outputs.timeline.national import today_findings
from stpgeo.outputs.timeline.story import council_findings as council_history

T = TypeVar("T")

SEED_COUNCIL = "E08000025"  # Birmingham
MAP_FILE = "map.html"
TIMELINE_FOLDER = "timeline"
ATLAS_FOLDER = "atlas"


@dataclass(frozen=True)
class DemoData:
    """The data directory the demo runs on, and whether it is the bundled sample."""

    folder: Path
    sample: bool

    def describe(self) -> str:
        """One sentence for the user: which data, and how to get England's."""
        if self.sample:
            return ("Using the bundled sample: Birmingham, Solihull and the Black Country "
                    f"({self.folder}).\nFor all of England, run `stpgeo fetch` (about 120 MB "
                    "from ONS and the other publishers), then `stpgeo demo` again.")
        return f"Using the data directory {self.folder}."


def demo_data(data: PathLike | None = None) -> DemoData:
    """The data the demo runs on: ``data``, else the data directory found, else the sample.

    Examples
    --------
    >>> demo_data("sample").sample
    True
    """
    if data is not None:
        folder = data_dir(data)
    else:
        try:
            folder = data_dir()
        except StpgeoError:  # nothing beside the project: the sample shipped with stpgeo
            folder = data_dir("sample")
    return DemoData(folder, is_sample(folder))


@dataclass
class DemoResult:
    """The demo's analyses (``stp17``, ``ccg17``), where they were written, and what the data
    directory lacked (the demo goes on without deprivation or GP practices)."""

    analyses: dict[str, Analysis]
    folder: Path
    timeline: Timeline | None = None
    missing: list[str] = field(default_factory=list)

    def findings(self) -> list[str]:
        """The plain-English summary the demo prints."""
        lines = []
        for name, analysis in self.analyses.items():
            title = "STPs of April 2017" if name == "stp17" else "CCGs of April 2017"
            lines.append(f"Wards against the {title}:")
            lines += [f"  {s}" for s in national_findings(analysis)]
            lines += [f"  {s}" for s in council_findings(analysis, SEED_COUNCIL)]
            lines += [f"  {s}" for s in affected_findings(analysis, SEED_COUNCIL)]
        if self.timeline is not None:
            lines.append(f"Through time ({TIMELINE_FOLDER}/timeline.html):")
            lines += [f"  {s}" for s in council_history(self.timeline, SEED_COUNCIL)]
            today = (today_findings(self.timeline) if any(
                v.generation == LSOA21 for v in self.timeline.vintages) else [])
            if today:
                lines.append("Today's map, England:")
                lines += [f"  {s}" for s in today]
        atlas = self.folder / ATLAS_FOLDER / "index.html"
        lines.append(f"The atlas of Birmingham and its neighbours: open {atlas} (a static "
                     "site: it opens offline, and any web host can serve the folder as it is).")
        return lines


def run_timeline(folder: Path, *, wards: Layer, blocks: Layer, population: pd.Series,
                 block_wards: pd.DataFrame, deprivation: pd.DataFrame | None,
                 lookups: dict[str, pd.DataFrame], data: PathLike | None,
                 cache: bool) -> Timeline:
    """Birmingham through every vintage the data directory can build, and the national
    trend, written into ``folder`` (the inputs of the 2011 LSOAs already read are passed
    on, not re-read; those of the 2021 LSOAs are the catalogue's)."""
    history = timeline(SEED_COUNCIL, wards=wards, blocks=blocks, population=population,
                       block_wards=block_wards, deprivation=deprivation, lookups=lookups,
                       data=data, cache=cache)
    history.write(folder)
    return history


def run_demo(out: PathLike, *, data: PathLike | None = None, cache: bool = True) -> DemoResult:
    """Run the seed case on the real data and write its results into ``out``.

    Parameters
    ----------
    out
        Output folder; replaced atomically (a failure leaves the old one in place).
        It receives ``stp17/``, ``ccg17/``, the built footprints and ``map.html``.
    data
        The data directory (default: see :func:`demo_data`: the one found, else the
        bundled sample).
    cache
        Reuse the work of earlier runs on the same files (:mod:`stpgeo.io.cache`);
        False computes everything afresh.
    """
    data = demo_data(data).folder
    catalogue = load_catalogue()
    store = Cache.open(cache)
    # every file is read once, here; the tables and layers are passed on
    lookup_143 = read_lookup_cached(catalogue.path("lookups", "143", data), cache=store)
    lookup_114 = read_lookup_cached(catalogue.path("lookups", "114", data), cache=store)
    population = read_population_cached(catalogue.path("population", "lsoa11_mid2017", data),
                                        cache=store)
    blocks = read_clean_blocks(catalogue.path("layers", "lsoa_2011", data), cache=store,
                               data=data)
    wards = read_layer_cached(catalogue.path("layers", "wards_dec2013", data), cache=store,
                              data=data)
    missing: list[str] = []
    deprivation = _if_present(("deprivation", "imd2019"), data, read_deprivation, missing)
    practices = _if_present(("practices", "gp_practices_2017_bbc"), data, read_practices,
                            missing)

    footprints = {
        "stp17": build_footprints(blocks, lookup_143, by="STP17CD", population=population,
                                  cache=store),
        "ccg17": build_footprints(blocks, lookup_143, by="CCG17CD", population=population,
                                  cache=store),
    }
    options = AnalysisOptions(councils=lookup_143, blocks=blocks, population=population,
                              block_wards=lookup_114, block_footprints=lookup_143,
                              deprivation=deprivation, practices=practices, cache=cache)
    analyses = analyse_many(wards, footprints, options)
    folder = Path(out)
    with atomic_folder(folder) as staging:
        for name, analysis in analyses.items():
            (staging / name).mkdir()
            analysis.write_into(staging / name, cache=cache)
            write_frame(ons_fields(footprints[name]), staging / f"{name}_footprints.gpkg",
                        layer=name)
        interactive = ward_map(analyses, council=SEED_COUNCIL)
        interactive.save(str(staging / MAP_FILE))
        render_report(list(analyses.values()), staging, council=SEED_COUNCIL,
                      interactive=interactive)
        history = run_timeline(staging / TIMELINE_FOLDER, wards=wards, blocks=blocks,
                               population=population, block_wards=lookup_114,
                               deprivation=deprivation, lookups={"143": lookup_143},
                               data=data, cache=cache)
        atlas(SEED_COUNCIL, out=staging / ATLAS_FOLDER, analyses=list(analyses.values()),
              wards=wards, blocks=blocks, population=population, block_wards=lookup_114,
              deprivation=deprivation, lookups={"143": lookup_143}, data=data, cache=cache)
    return DemoResult(analyses, folder, timeline=history, missing=missing)


def _if_present(product: tuple[str, str], data: PathLike, read: Callable[[Path], T],
                missing: list[str]) -> T | None:
    """A product the demo can do without, read when the data directory has it; otherwise
    a sentence in ``missing`` saying what is left out."""
    section, key = product
    catalogue = load_catalogue()
    try:
        path = catalogue.path(section, key, data)
    except StpgeoError:
        title = getattr(catalogue, section)[key]["title"]
        missing.append(f"{title} is not in the data directory, so the demo runs without it "
                       f"(`stpgeo fetch {key}` or boundaries/README.md says where to get it)")
        return None
    return read(path)
