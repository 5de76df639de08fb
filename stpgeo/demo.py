"""The seed case end to end on the real data: ``stpgeo demo``.

1. Build the CCGs and STPs of April 2017 from England's LSOAs with ONS lookup 143.
2. Analyse all of England's wards (December 2013) against both, with mid-2017
   population, councils and footprints from lookup 143 and wards from lookup 114.
3. Write one result folder per footprint layer (``stp17/``, ``ccg17/``), the
   footprints themselves, ``map.html`` (an interactive map of Birmingham and its
   neighbours, self-contained: it opens offline) and beside it ``report.html`` with
   ``map.png``, ``export/`` and ``summary.md``; and say what it found for Birmingham.

Without a data directory (no ``--data``, no ``STPGEO_DATA``, none beside the
project) the same code runs on the sample shipped inside the package: the wards,
LSOAs and lookup rows of Birmingham, Solihull and the Black Country, whose STPs and
CCGs of 2017 lie wholly in those six districts (:func:`demo_data` says which).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from stpgeo._types import PathLike
from stpgeo.analysis.options import AnalysisOptions
from stpgeo.analysis.pipeline import analyse_many
from stpgeo.analysis.result import Analysis
from stpgeo.engine.footprints import build_footprints, clean_coverage
from stpgeo.errors import StpgeoError
from stpgeo.io.catalogue import data_dir, is_sample, load_catalogue
from stpgeo.io.lookups import read_lookup
from stpgeo.io.population import read_population
from stpgeo.io.read import read_layer
from stpgeo.io.write import atomic_folder, write_frame
from stpgeo.outputs.findings import council_findings, national_findings
from stpgeo.outputs.maps import ward_map
from stpgeo.outputs.report import render_report

SEED_COUNCIL = "E08000025"  # Birmingham
MAP_FILE = "map.html"


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


def run_demo(out: PathLike, *, data: PathLike | None = None) -> DemoResult:
    """Run the seed case on the real data and write its results into ``out``.

    Parameters
    ----------
    out
        Output folder; replaced atomically (a failure leaves the old one in place).
        It receives ``stp17/``, ``ccg17/``, the built footprints and ``map.html``.
    data
        The data directory (default: see :func:`demo_data`: the one found, else the
        bundled sample).
    """
    data = demo_data(data).folder
    catalogue = load_catalogue()
    # every file is read once, here; the tables and layers are passed on
    lookup_143 = read_lookup(catalogue.path("lookups", "143", data))
    lookup_114 = read_lookup(catalogue.path("lookups", "114", data))
    population = read_population(catalogue.path("population", "lsoa11_mid2017", data))
    blocks = clean_coverage(read_layer(catalogue.path("layers", "lsoa_2011", data)))
    wards = read_layer(catalogue.path("layers", "wards_dec2013", data))

    footprints = {
        "stp17": build_footprints(blocks, lookup_143, by="STP17CD", population=population),
        "ccg17": build_footprints(blocks, lookup_143, by="CCG17CD", population=population),
    }
    options = AnalysisOptions(councils=lookup_143, blocks=blocks, population=population,
                              block_wards=lookup_114, block_footprints=lookup_143)
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
