"""The report (issue 5) on hand-made analyses: HTML numbers, GeoPackage, CSV, PNG, Markdown."""

from __future__ import annotations

import re
from pathlib import Path

import fiona
import geopandas as gpd
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from matplotlib.image import imread

from stpgeo.analysis.pipeline import analyse
from stpgeo.report import write_report

from .test_analysis_blocks import (
    RESIDENTS,
    _block_councils,
    _blocks,
    _footprints,
    _wards,
)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    result = analyse(_wards(), _footprints(), councils=_block_councils(), blocks=_blocks(),
                     population=RESIDENTS)
    folder = tmp_path_factory.mktemp("report") / "report"
    write_report(result, folder, council="Birmingham")
    return folder, result


def _soup(folder: Path) -> BeautifulSoup:
    return BeautifulSoup((folder / "report.html").read_text(encoding="utf-8"), "html.parser")


def _table(soup: BeautifulSoup, name: str) -> list[list[str]]:
    table = soup.find("table", attrs={"data-table": name})
    assert table is not None, name
    return [[td.get("data-value", td.get_text(" ", strip=True)) for td in row.find_all("td")]
            for row in table.find("tbody").find_all("tr")]


def test_report_files(report: tuple[Path, object]) -> None:
    folder, _ = report
    assert {p.name for p in folder.iterdir()} == {"report.html", "map.png", "export",
                                                  "summary.md"}


def test_findings_and_tables_carry_the_analysis_numbers(report: tuple[Path, object]) -> None:
    folder, result = report
    soup = _soup(folder)
    findings = [li.get_text() for li in soup.select("ul.findings li")]
    # WB (2,200 residents) is the one flagged ward: split, 1,200 residents outside home
    assert findings[0].startswith("1 of Birmingham's 2 wards, home to 2,200 residents, lies")
    assert "1,200 of Birmingham's residents live in those wards' parts outside F1" in findings[-1]
    councils = result.councils.set_index("council_code")  # type: ignore[attr-defined]
    for row in _table(soup, "councils"):
        code = row[1]
        assert [int(v) for v in row[3:7]] == councils.loc[code, [
            "n_wards", "n_wards_outside_home", "n_wards_split",
            "population_outside_home"]].astype(int).tolist()
    flagged = _table(soup, "flagged")
    verdicts = result.ward_verdicts.set_index("ward_code")  # type: ignore[attr-defined]
    assert [r[1] for r in flagged] == verdicts.index[verdicts["verdict"] != "within"].tolist()
    for row in flagged:
        assert row[3] == verdicts.loc[row[1], "verdict"]
        assert float(row[6]) == pytest.approx(verdicts.loc[row[1], "best_population_share"])
        assert float(row[7]) == pytest.approx(verdicts.loc[row[1], "best_area_share"])
    footprints = result.footprints.set_index("footprint_code")  # type: ignore[attr-defined]
    for row in _table(soup, "footprints"):
        assert int(row[4]) == footprints.loc[row[1], "population"]
    # the interactive map is embedded, with its scripts inlined (no external script tags)
    frame = soup.find("iframe", class_="map")
    assert frame is not None
    assert "L.map" in frame["srcdoc"]
    assert not soup.find_all("script", src=True)
    assert "Open Government Licence" in soup.find("footer").get_text()
    assert soup.find("section", id="method")
    assert soup.find("section", id="data-quality")


def test_geopackage_layers_fields_and_crs(report: tuple[Path, object]) -> None:
    folder, _ = report
    path = folder / "export" / "stpgeo.gpkg"
    layers = fiona.listlayers(path)
    assert set(layers) == {"footprints_ward_verdicts", "footprints_pieces",
                           "footprints_footprints"}
    with fiona.open(path, layer="footprints_ward_verdicts") as source:
        assert source.crs.to_epsg() == 27700
        assert {"ward_code", "verdict", "council_code", "best_population_share"} <= set(
            source.schema["properties"])
        assert len(source) == 2
    pieces = gpd.read_file(path, layer="footprints_pieces")
    assert pieces.crs.to_epsg() == 27700
    assert {"ward_code", "footprint_code", "kind", "confidence", "population_share"} <= set(
        pieces.columns)
    assert pieces.area.sum() == pytest.approx(8e6)


def test_spreadsheets_open_cleanly_in_excel(report: tuple[Path, object]) -> None:
    folder, result = report
    path = folder / "export" / "footprints_ward_verdicts.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    table = pd.read_csv(path, encoding="utf-8-sig")
    assert table.columns[0] == "ward_code"
    assert table["verdict"].tolist() == result.ward_verdicts["verdict"].tolist()  # type: ignore[attr-defined]


def test_static_png_is_a_real_image(report: tuple[Path, object]) -> None:
    folder, _ = report
    image = imread(folder / "map.png")
    height, width = image.shape[:2]
    assert 1_000 <= width <= 4_000
    assert 1_000 <= height <= 4_000
    assert image.std() > 0.05  # not a blank canvas


def test_markdown_summary(report: tuple[Path, object]) -> None:
    folder, _ = report
    text = (folder / "summary.md").read_text(encoding="utf-8")
    assert text.startswith("# stpgeo summary")
    assert re.search(r"\| E05000002 +\| WB", text)
