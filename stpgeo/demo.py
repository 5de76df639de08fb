"""The seed case end to end on the real data: ``stpgeo demo``.

1. Build the CCGs and STPs of April 2017 from England's LSOAs with ONS lookup 143.
2. Analyse all of England's wards (December 2013) against both, with mid-2017
   population, councils and footprints from lookup 143 and wards from lookup 114.
3. Write one result folder per footprint layer (``stp17/``, ``ccg17/``), the
   footprints themselves, ``map.html`` (an interactive map of Birmingham and its
   neighbours, self-contained: it opens offline) and beside it ``report.html`` with
   ``map.png``, ``export/`` and ``summary.md``; and say what it found for Birmingham.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from stpgeo._types import PathLike
from stpgeo.analysis.options import AnalysisOptions
from stpgeo.analysis.pipeline import analyse_many
from stpgeo.analysis.result import Analysis
from stpgeo.engine.footprints import build_footprints, read_clean_blocks
from stpgeo.io.cache import Cache
from stpgeo.io.cached import read_layer_cached, read_lookup_cached, read_population_cached
from stpgeo.io.catalogue import load_catalogue
from stpgeo.io.write import atomic_folder, write_frame
from stpgeo.outputs.findings import council_findings, national_findings
from stpgeo.outputs.maps import ward_map
from stpgeo.outputs.report import render_report

SEED_COUNCIL = "E08000025"  # Birmingham
MAP_FILE = "map.html"


@dataclass
class DemoResult:
    """The demo's analyses (``stp17``, ``ccg17``) and where they were written."""

    analyses: dict[str, Analysis]
    folder: Path

    def findings(self) -> list[str]:
        """The plain-English summary the demo prints."""
        lines = []
        for name, analysis in self.analyses.items():
            title = "STPs of April 2017" if name == "stp17" else "CCGs of April 2017"
            lines.append(f"Wards against the {title}:")
            lines += [f"  {s}" for s in national_findings(analysis)]
            lines += [f"  {s}" for s in council_findings(analysis, SEED_COUNCIL)]
        return lines


def run_demo(out: PathLike, *, data: PathLike | None = None, cache: bool = True) -> DemoResult:
    """Run the seed case on the real data and write its results into ``out``.

    Parameters
    ----------
    out
        Output folder; replaced atomically (a failure leaves the old one in place).
        It receives ``stp17/``, ``ccg17/``, the built footprints and ``map.html``.
    data
        The data directory (default: see :func:`stpgeo.data_dir`).
    cache
        Reuse the work of earlier runs on the same files (:mod:`stpgeo.io.cache`);
        False computes everything afresh.
    """
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

    footprints = {
        "stp17": build_footprints(blocks, lookup_143, by="STP17CD", population=population,
                                  cache=store),
        "ccg17": build_footprints(blocks, lookup_143, by="CCG17CD", population=population,
                                  cache=store),
    }
    options = AnalysisOptions(councils=lookup_143, blocks=blocks, population=population,
                              block_wards=lookup_114, block_footprints=lookup_143, cache=cache)
    analyses = analyse_many(wards, footprints, options)
    folder = Path(out)
    with atomic_folder(folder) as staging:
        for name, analysis in analyses.items():
            (staging / name).mkdir()
            analysis.write_into(staging / name)
            write_frame(footprints[name].gdf, staging / f"{name}_footprints.gpkg",
                        layer=name)
        interactive = ward_map(analyses, council=SEED_COUNCIL)
        interactive.save(str(staging / MAP_FILE))
        render_report(list(analyses.values()), staging, council=SEED_COUNCIL,
                      interactive=interactive)
    return DemoResult(analyses, folder)
