"""Ward maps from the hand-made case (tests/mapcase.py): layers, data, assets, CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import folium
import pytest

from stpgeo.analysis.result import Analysis
from stpgeo.cli import main
from stpgeo.maps import ward_map, write_map
from stpgeo.outputs.maps.assets import LEAFLET_VERSION
from stpgeo.outputs.maps.topology import expand

from .mapcase import C1, F1, F2, codes_of, map_case


@pytest.fixture(scope="module")
def case() -> Analysis:
    return map_case()


@pytest.fixture(scope="module")
def page(case: Analysis) -> str:
    return ward_map(case, council="Birmingham").get_root().render()


def _data(html: str) -> list[dict]:  # type: ignore[type-arg]
    """The GeoJSON FeatureCollections embedded in a page, in order (topologies expanded, as
    the page's script does)."""
    found = re.findall(r'<script type="application/json" id="[^"]+">(.*?)</script>', html, re.S)
    data = [json.loads(text) for text in found]
    return [expand(d) if d.get("type") == "Topology" else d for d in data]


def _metadata(html: str) -> dict:  # type: ignore[type-arg]
    """The metadata handed to the map's script with the wards (names, piece fields)."""
    found = re.search(r"stpgeo\.wards\(stpgeo\.data\([^)]*\),\s*(\{.*?\})\);", html, re.S)
    assert found is not None
    return json.loads(found.group(1))  # type: ignore[no-any-return]


def test_the_page_is_self_contained(page: str) -> None:
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=", page)
    assert f"Leaflet {LEAFLET_VERSION}" in page
    assert "code.jquery.com" not in page
    assert "bootstrap.bundle" not in page
    assert not re.search(r"url\(['\"]?(https?:|//|images/)", page)  # CSS images are inlined
    assert not re.search(r"<(img|iframe)[^>]+src=", page)


def test_folium_links_the_leaflet_that_is_inlined() -> None:
    assert any(f"leaflet@{LEAFLET_VERSION}/" in url for _, url in folium.Map.default_js)


def test_cdn_keeps_folium_links_and_does_not_change_folium(case: Analysis) -> None:
    page = ward_map(case, assets="cdn").get_root().render()
    assert f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist/leaflet.js" in page
    assert "code.jquery.com" in page
    assert "stpgeo.wards(" in page  # stpgeo's own script is inlined in both modes
    assert "jquery" in str(folium.Map.default_js)  # the inline map changed only itself


def test_layers_legend_and_ward_data(page: str) -> None:
    wards, *overlays = _data(page)
    assert {f["properties"]["code"] for f in wards["features"]} == codes_of(
        "A1", "A2", "A3", "B1", "B2")
    a3 = next(f["properties"] for f in wards["features"] if f["properties"]["name"] == "A3")
    assert a3["council"] == C1
    view = a3["analyses"][0]
    assert view["verdict"] == "split"
    assert view["share_outside_home"] == pytest.approx(1 / 3, abs=1e-4)
    fields = _metadata(page)["pieceFields"]  # pieces are sent as values, named once
    pieces = [dict(zip(fields, values, strict=True)) for values in view["pieces"]]
    assert [(p["footprint_code"], p["area_share"]) for p in pieces] == [(F1, 0.6667),
                                                                        (F2, 0.3333)]
    assert pieces[0]["area_m2"] == 1_000_000
    footprints, councils = overlays
    assert sorted(f["properties"]["name"] for f in footprints["features"]) == [
        "Birmingham and Solihull", "The Black Country"]
    assert [f["properties"]["focus"] for f in councils["features"]] == [True, False]
    for name in ("Verdict (STP)", "Share outside home footprint (STP)", "STP footprints",
                 "Councils", "Basemap (needs the internet)", "Birmingham and its neighbours",
                 "Open Government Licence", "L.control.layers"):
        assert name in page


def test_coordinates_are_rounded_for_the_screen(page: str) -> None:
    wards = _data(page)[0]
    coordinates = re.findall(r"-?\d+\.\d+", json.dumps(wards["features"][0]["geometry"]))
    assert coordinates
    assert max(len(c.split(".")[1]) for c in coordinates) <= 6


def test_uncertain_pieces_are_hatched(case: Analysis) -> None:
    marked = map_case()
    pieces = marked.pieces_gdf
    a3_f2 = (pieces["ward_name"] == "A3") & (pieces["footprint_code"] == F2)
    marked.pieces_gdf = pieces.assign(confidence=pieces["confidence"].mask(a3_f2, "uncertain"))
    page = ward_map(marked).get_root().render()
    assert "Uncertain pieces (STP)" in page
    assert "url(#stpgeo-hatch)" in page
    hatched = _data(page)[1]
    assert [f["properties"]["name"] for f in hatched["features"]] == ["A3 in The Black Country"]
    assert "Uncertain pieces" not in ward_map(case).get_root().render()


def test_jupyter_and_analysis_entry_point(case: Analysis) -> None:
    m = case.map(footprint="The Black Country", tiles=None)
    assert isinstance(m, folium.Map)
    html = m._repr_html_()
    assert "<iframe" in html
    assert "The Black Country and its councils" in html
    assert "tile.openstreetmap.org" not in m.get_root().render()


def test_write_map(case: Analysis, tmp_path: Path) -> None:
    path = write_map(ward_map(case), tmp_path / "maps" / "map.html")
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in path.parent.iterdir()] == ["map.html"]


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_map(case: Analysis, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case.write(tmp_path / "stp")
    out = tmp_path / "map.html"
    code, stdout, _ = _run(capsys, "map", str(tmp_path / "stp"), "--out", str(out),
                           "--council", "E08000025", "-q")
    assert code == 0
    assert re.fullmatch(rf"map written to {re.escape(str(out))} \(0\.\d MB\)\n", stdout)
    assert len(_data(out.read_text(encoding="utf-8"))[0]["features"]) == 5

    code, stdout, err = _run(capsys, "map", str(tmp_path / "stp"), "--out", str(out),
                             "--council", "Atlantis")
    assert code == 2
    assert stdout == ""
    assert "no council 'Atlantis'" in err
    assert "Birmingham" in err
    assert "Traceback" not in err
    code, _, err = _run(capsys, "map", str(tmp_path / "stp"), "--out", str(out),
                        "--council", "Birmingham", "--england")
    assert code == 2
    assert "only one of --council, --footprint and --england" in err
    code, _, err = _run(capsys, "map", str(tmp_path / "nowhere"), "--out", str(out))
    assert code == 2
    assert "not an stpgeo analysis folder" in err
    assert "Traceback" not in err
