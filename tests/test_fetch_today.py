"""``stpgeo fetch`` of the 2021-based products, against the local stand-in for the
publishers (tests/publishers.py): an ArcGIS layer written as the catalogue's GeoPackage,
Nomis's Census 2021 zip and GOV.UK's IoD 2025 File 7 converted to stpgeo's tables; and
ONS's own April 2026 lookup preferred to the reconstruction where it is present."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import stpgeo
from stpgeo.io.catalogue import Catalogue, load_catalogue
from stpgeo.io.fetch import fetch
from stpgeo.io.vintages import choose_vintages

from .publishers import Publishers

CODES = ["E01000001", "E01000002", "E01033000"]


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    real = load_catalogue()  # the hand-made files hold 3 rows, not England's
    return dataclasses.replace(real, **{
        section: {k: {f: v for f, v in e.items() if f not in ("rows", "features")}
                  for k, e in getattr(real, section).items()}
        for section in Catalogue.SECTIONS})


def _place(folder: Path, catalogue: Catalogue, section: str, key: str) -> Path:
    path = folder / getattr(catalogue, section)[key]["file"]
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue) -> Path:
    """Three 2021 LSOAs as the publishers hold them (the layer as ArcGIS serves it)."""
    folder = tmp_path_factory.mktemp("publishers")
    squares = [[[[-1.9 + i / 100, 52.4], [-1.89 + i / 100, 52.4], [-1.89 + i / 100, 52.41],
                 [-1.9 + i / 100, 52.41], [-1.9 + i / 100, 52.4]]] for i in range(3)]
    features = [{"type": "Feature", "properties": {"LSOA21CD": c, "LSOA21NM": f"Birmingham {c}"},
                 "geometry": {"type": "Polygon", "coordinates": g}}
                for c, g in zip(CODES, squares, strict=True)]
    _place(folder, catalogue, "layers", "lsoa_2021").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    pd.DataFrame({"LSOA21CD": CODES, "LSOA21NM": [f"Birmingham {c}" for c in CODES],
                  "total_population": [1500, 1600, 1700]}).to_csv(
        _place(folder, catalogue, "population", "lsoa21_census2021"), index=False)
    columns = catalogue.deprivation["imd2025"]["columns"]
    table = pd.DataFrame({c: ([*CODES] if c == "lsoa21_code" else
                              [1, 5, 10] if c.endswith("_decile") else
                              [10, 20000, 33000] if c.endswith("_rank") else [0.5, 0.2, 0.1])
                          for c in columns})
    table.to_csv(_place(folder, catalogue, "deprivation", "imd2025"), index=False)
    return folder


@pytest.fixture
def server(published: Path, catalogue: Catalogue) -> Iterator[Publishers]:
    with Publishers(published, catalogue, max_records=2) as running:
        yield running


def test_the_2021_lsoas_come_back_as_the_catalogues_geopackage(
        server: Publishers, catalogue: Catalogue, tmp_path: Path) -> None:
    data = tmp_path / "data"
    fetch(["lsoa_2021"], data=data, mirror=server.url, catalogue=catalogue)
    path = data / catalogue.layers["lsoa_2021"]["file"]
    assert path.read_bytes()[:15] == b"SQLite format 3"  # a GeoPackage, as the name says
    layer = stpgeo.read_layer(path)
    assert (layer.kind, layer.vintage, layer.code_field) == ("lsoa", 2021, "LSOA21CD")
    assert sorted(layer.gdf["code"]) == CODES
    pages = [q.get("resultOffset") for _, q, _ in server.requests("resultOffset=")]
    assert pages == ["0", "2"]  # paged at the service's maxRecordCount


def test_census_2021_and_the_iod_2025_are_converted_to_stpgeos_tables(
        server: Publishers, catalogue: Catalogue, published: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    fetch(["lsoa21_census2021", "imd2025"], data=data, mirror=server.url, catalogue=catalogue)
    population = stpgeo.read_population(data / catalogue.population["lsoa21_census2021"]["file"])
    assert population.to_dict() == dict(zip(CODES, [1500, 1600, 1700], strict=True))
    assert population.attrs["code_column"] == "LSOA21CD"  # so, of the 2021 LSOAs
    fetched = data / catalogue.deprivation["imd2025"]["file"]
    assert fetched.read_bytes() == (published / catalogue.deprivation["imd2025"]["file"]
                                    ).read_bytes()
    deciles = stpgeo.read_deprivation(fetched)
    assert deciles.loc["E01033000", "IMD2025"] == 10
    assert "Health2025" in deciles.columns


def test_onss_own_2026_lookup_is_preferred_to_the_reconstruction(tmp_path: Path) -> None:
    data = tmp_path / "data"
    catalogue = load_catalogue()
    reconstructed = _place(data, catalogue, "lookups", "lsoa21_sicbl26")
    reconstructed.write_text("LSOA21CD\n", encoding="utf-8")
    assert [(v.name, v.reconstructed, v.councils) for v in choose_vintages("ICB26", data=data)
            ] == [("ICB26", True, "LAD24CD")]
    _place(data, catalogue, "lookups", "lsoa21_sicbl26_ons").write_text("LSOA21CD\n",
                                                                        encoding="utf-8")
    (vintage,) = choose_vintages("ICB26", data=data)
    assert (vintage.lookup, vintage.councils, vintage.reconstructed, vintage.title) == (
        "lsoa21_sicbl26_ons", "LAD26CD", False, "ICB 2026")
