"""Acceptance on the real data: `stpgeo fetch --mirror` against the local stand-in for the
publishers (serving ../shared/boundaries) fills an empty data directory with which
`stpgeo demo` runs England and gives the same tables as with ../shared/boundaries.

One test, as it reads and serves England's files (about 1.5 minutes); it reuses the
session's demo on ../shared/boundaries (conftest's ``demo``).
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
import shapely

from stpgeo.cli import main
from stpgeo.io.catalogue import load_catalogue
from stpgeo.io.fetch import DEMO

from .conftest import DemoRun
from .publishers import Publishers

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

TABLES = ["stp17/ward_verdicts.csv", "stp17/councils.csv", "stp17/footprints.csv",
          "stp17/ward_footprints.csv", "ccg17/ward_verdicts.csv", "ccg17/ward_footprints.csv"]


def test_fetch_from_a_mirror_then_demo_gives_englands_tables(
        data: Path, demo: DemoRun, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    catalogue = load_catalogue()
    fetched = tmp_path / "data"
    with Publishers(data, catalogue) as publishers:
        started = time.perf_counter()
        code = main(["fetch", "--data", str(fetched), "--mirror", publishers.url, "-q"])
        took = time.perf_counter() - started
    out = capsys.readouterr().out
    assert code == 0, out
    with capsys.disabled():
        print(f"\nfetched the demo's products from the local publishers in {took:.0f} s")
    paths = {key: next(getattr(catalogue, s)[key]["file"] for s in catalogue.SECTIONS
                       if key in getattr(catalogue, s)) for key in DEMO}
    assert sorted(p.relative_to(fetched).as_posix() for p in fetched.rglob("*")
                  if p.is_file()) == sorted(paths.values())  # nothing else, nothing partial
    # lookups: the same rows and values on the file's columns, whether they came as ONS's
    # CSV through data.gov.uk or from an ArcGIS table (its column order, no BOM, FID)
    for key in ("143", "114"):
        mine = pd.read_csv(fetched / paths[key], dtype=str, encoding="utf-8-sig")
        theirs = pd.read_csv(data / paths[key], dtype=str, encoding="utf-8-sig")
        assert set(theirs.columns) <= set(mine.columns), key
        pd.testing.assert_frame_equal(mine[theirs.columns], theirs, obj=key)
    # the population workbook converted
    assert (fetched / paths["lsoa11_mid2017"]).read_bytes() == \
        (data / paths["lsoa11_mid2017"]).read_bytes()
    # layers: same codes and rows, geometry within a millimetre (1e-8 degrees)
    for key, code_field in (("lsoa_2011", "LSOA11CD"), ("wards_dec2013", "WD13CD")):
        a = pyogrio.read_dataframe(fetched / paths[key]).set_index(code_field).sort_index()
        b = pyogrio.read_dataframe(data / paths[key]).set_index(code_field).sort_index()
        assert a.index.tolist() == b.index.tolist()
        assert shapely.equals_exact(a.geometry.values, b.geometry.values, tolerance=1e-8).all()
        del a, b

    assert main(["demo", "--data", str(fetched), "--out", str(tmp_path / "demo"), "-q"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"Using the data directory {fetched}")
    for table in TABLES:
        mine = pd.read_csv(tmp_path / "demo" / table)
        reference = pd.read_csv(demo.folder / table)
        key = list(mine.columns[:2])
        pd.testing.assert_frame_equal(mine.sort_values(key).reset_index(drop=True),
                                      reference.sort_values(key).reset_index(drop=True),
                                      check_exact=False, rtol=1e-9)
    assert "7 of Birmingham's 40 wards" in printed
