"""Issue "Foundation" on the real files in ../shared/boundaries.

Expectations come from the data's README and from ONS's own lookups, never from
a previous run of stpgeo.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import stpgeo
from stpgeo import StpgeoError, read_layer
from stpgeo.ons.names import normalise_name

pytestmark = pytest.mark.realdata

# From the table in ../shared/boundaries/README.md: file, kind, vintage, code field,
# name field, number of features. The 2020 STP file's codes are exactly the 42 STP
# codes of April 2018 and April 2019 (lookups 065 and 028; five changed by 2020), so
# its vintage from the codes is 2019, the latest list holding all of them. Likewise
# Birmingham's (and Solihull's) wards of May 2018 are all still in the ward list of May
# 2024 (lookup wd24_lad24): the latest list holding all of them is 2024's.
README_LAYERS = [
    ("wards/wards_dec2013_england.geojson", "ward", 2013, "WD13CD", "WD13NM", 7681),
    ("wards/birmingham_wards_2018.geojson", "ward", 2024, "code", "ward_name", 69),
    ("wards/birmingham_solihull_wards_2018.geojson", "ward", 2024, "WardCode", "Ward", 86),
    ("lsoa/lsoa_2011_england.geojson", "lsoa", 2011, "LSOA11CD", "LSOA11NM", 32844),
    ("ccg/ccg_apr2017_openprescribing.geojson", "ccg", 2017, None, "name", 209),
    ("ccg/ccg_apr2018_openprescribing.geojson", "ccg", 2018, None, "name", 195),
    ("ccg/Clinical_Commissioning_Groups_April_2021_EN_BUC.geojson", "ccg", 2021, "CCG21CD",
     "CCG21NM", 106),
    ("stp/Sustainability_and_Transformation_Partnerships_February_2017_Ultra_Generalised_"
     "Clipped_Boundaries_in_England.geojson", "stp", 2017, "stp17cd", "stp17nm", 44),
    ("stp/stp_2020_42_footprints.geojson", "stp", 2019, "ons_code", "name", 42),
    ("constituencies/westminster_constituencies_west_midlands_2013.geojson", "constituency",
     2013, "PCON13CD", "PCON13NM", 28),
]
SHAPEFILE = "wards/birmingham_wards_2018_shapefile/wards.shp"
BIRMINGHAM = "E08000025"


@pytest.mark.parametrize(("file", "kind", "vintage", "code_field", "name_field", "n"),
                         README_LAYERS, ids=[row[0].split("/")[-1][:40] for row in README_LAYERS])
def test_every_layer_is_recognised_with_no_options(
        data: Path, file: str, kind: str, vintage: int, code_field: str | None,
        name_field: str, n: int) -> None:
    layer = read_layer(data / file)
    assert (layer.kind, layer.vintage, layer.code_field, layer.name_field, len(layer)) == (
        kind, vintage, code_field, name_field, n)
    assert layer.gdf.crs.to_epsg() == 27700
    assert shapely.is_valid(layer.polygons.geometry.values).all()


def test_repairs_match_the_readme(data: Path, lsoa: stpgeo.Layer) -> None:
    # README: 1 invalid ward geometry, 90 invalid LSOAs, 6 invalid 2020 STPs
    wards = read_layer(data / README_LAYERS[0][0])
    stp_2020 = read_layer(data / "stp/stp_2020_42_footprints.geojson")
    for layer, invalid in ((wards, 1), (lsoa, 90), (stp_2020, 6)):
        repaired = layer.repairs[layer.repairs["action"] == "repaired with make_valid"]
        assert len(repaired) == invalid
        assert repaired["area_after_m2"].notna().all()


def test_shapefile_without_crs_is_refused_then_lies_in_birmingham(
        data: Path, lookup_143: Path, lsoa: stpgeo.Layer) -> None:
    with pytest.raises(StpgeoError) as info:
        read_layer(data / SHAPEFILE)
    message = str(info.value)
    assert "wards.shp" in message
    assert "no coordinate reference system" in message
    assert "look like British National Grid" in message
    assert "--crs EPSG:27700" in message

    wards = read_layer(data / SHAPEFILE, crs="EPSG:27700")
    assert (wards.kind, wards.vintage, wards.code_field, wards.name_field, len(wards)) == (
        "ward", 2024, "code", "ward_name", 69)
    # Birmingham, independently: the union of its LSOAs according to ONS lookup 143
    lookup = pd.read_csv(lookup_143, usecols=["LSOA11CD", "LAD17CD"])
    birmingham_lsoas = set(lookup.loc[lookup["LAD17CD"] == BIRMINGHAM, "LSOA11CD"])
    blocks = lsoa.gdf[lsoa.gdf["code"].isin(birmingham_lsoas)]
    birmingham = shapely.union_all(blocks.geometry.values, grid_size=1.0)
    inside = shapely.area(shapely.intersection(wards.gdf.geometry.values, birmingham))
    assert (inside / wards.gdf.area.to_numpy()).min() > 0.97
    assert inside.sum() / wards.gdf.area.sum() > 0.995


def test_openprescribing_ccgs_get_every_ccg17_code_from_lookup_270(data: Path) -> None:
    lookup_path = data / "lookups/270_CCG17_names_codes_EN_v3.csv"
    layer = read_layer(data / "ccg/ccg_apr2017_openprescribing.geojson",
                       names_lookup=lookup_path)
    lookup = pd.read_csv(lookup_path)
    with_geometry = layer.polygons
    assert len(with_geometry) == 207
    assert set(with_geometry["code"]) == set(lookup["CCG17CD"])
    # each code's ONS name is the feature's name, up to case, '&' and spacing
    ons_name = dict(zip(lookup["CCG17CD"], lookup["CCG17NM"], strict=True))
    for code, name in zip(with_geometry["code"], with_geometry["name"], strict=True):
        assert normalise_name(ons_name[code]) == normalise_name(name)
    # the two features without geometry are kept and listed, not lost
    assert len(layer) == 209
    missing = layer.repairs[layer.repairs["problem"] == "no geometry"]
    assert sorted(missing["code"]) == ["(no code) NHS BERKSHIRE WEST CCG",
                                       "(no code) NHS BUCKINGHAMSHIRE CCG"]
    assert sorted(layer.unmatched_names) == ["NHS BERKSHIRE WEST CCG", "NHS BUCKINGHAMSHIRE CCG"]


def _lsoa_areas_by(data: Path, lookup_143: Path, column: str) -> pd.Series:
    """Sum of LSOA areas per footprint, computed here with geopandas alone."""
    raw = gpd.read_file(data / "lsoa/lsoa_2011_england.geojson", engine="pyogrio").to_crs(27700)
    raw["area"] = shapely.area(shapely.make_valid(raw.geometry.values))
    lookup = pd.read_csv(lookup_143, usecols=["LSOA11CD", column])
    joined = raw[["LSOA11CD", "area"]].merge(lookup, on="LSOA11CD", validate="one_to_one")
    return joined.groupby(column)["area"].sum()


@pytest.mark.parametrize(("by", "n"), [("STP17CD", 44), ("CCG17CD", 207)])
def test_footprints_built_from_lsoas_are_exact(
        request: pytest.FixtureRequest, data: Path, lookup_143: Path, by: str, n: int) -> None:
    built = request.getfixturevalue("stp17" if by == "STP17CD" else "ccg17").gdf.set_index("code")
    assert len(built) == n
    expected = _lsoa_areas_by(data, lookup_143, by)
    assert set(built.index) == set(expected.index)
    relative = (shapely.area(built.geometry.values) / expected.reindex(built.index) - 1).abs()
    assert relative.max() < 1e-4
    assert shapely.is_valid(built.geometry.values).all()
    lookup = pd.read_csv(lookup_143, usecols=["LSOA11CD", by])
    assert built["n_blocks"].to_dict() == lookup.groupby(by).size().to_dict()


def test_black_country_and_birmingham_match_ons_feb_2017_areas(
        data: Path, stp17: stpgeo.Layer) -> None:
    ons = gpd.read_file(data / README_LAYERS[7][0]).set_index("stp17cd")["st_areashape"]
    built = stp17.gdf.set_index("code").area
    for code in ("E54000016", "E54000017"):
        assert built[code] == pytest.approx(ons[code], rel=0.01)


def test_built_stps_have_no_more_parts_than_dissolve_would(stp17: stpgeo.Layer) -> None:
    # a valid, fully dissolved result: England's 44 STPs need a few hundred parts
    # (islands), not the tens of thousands an undissolved coverage union leaves
    parts = shapely.get_num_geometries(stp17.gdf.geometry.values)
    assert parts.sum() < 1_000
    assert np.all(parts >= 1)


def test_built_population_is_the_lookup_sum(stp17: stpgeo.Layer, lookup_143: Path,
                                            population_file: Path) -> None:
    lookup = pd.read_csv(lookup_143, usecols=["LSOA11CD", "STP17CD"])
    people = pd.read_csv(population_file).rename(columns={"lsoa11_code": "LSOA11CD"})
    expected = lookup.merge(people, on="LSOA11CD").groupby("STP17CD")["total_population"].sum()
    built = stp17.gdf.set_index("code")["population"]
    assert built.to_dict() == expected.to_dict()
