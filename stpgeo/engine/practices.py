"""GP practices: where they are, and whether their CCG is their council's home.

A practice is placed by point-in-polygon in British National Grid (EPSG:27700): in the
block (LSOA) holding its coordinates — and so in that block's ward and council — or,
without blocks, in the ward holding them. Its commissioner (the CCG it is a member of,
an ODS code such as ``05L``) is matched to a footprint of the analysed layer: the CCG
itself, or the STP the CCG belongs to. The commissioner is **home** when that footprint
is one of the home footprints of the practice's council.

A practice without coordinates, or outside every block (ward), is kept: its ward and
council are empty and so is ``commissioner_is_home``.

Examples
--------
>>> import geopandas as gpd, shapely
>>> points = gpd.GeoSeries([shapely.Point(5, 5), None], index=["P1", "P2"], crs=27700)
>>> areas = gpd.GeoDataFrame({"code": ["A"]}, geometry=[shapely.box(0, 0, 10, 10)], crs=27700)
>>> locate_points(points, areas).tolist()
['A', nan]
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from stpgeo.geometry.crs import MEASURE_CRS

#: Columns of the practice table (``practices.csv``).
PRACTICE_TABLE = ["practice_code", "practice_name", "ward_code", "council_code",
                  "commissioner_code", "commissioner_name", "commissioner_is_home",
                  "block_code", "commissioner_footprint_code"]


def practice_points(practices: pd.DataFrame) -> gpd.GeoSeries:
    """Each practice's location in EPSG:27700 (None where it has no coordinates), indexed
    by practice code; ``latitude`` and ``longitude`` are WGS84 degrees."""
    lat = practices["latitude"].to_numpy(dtype=float)
    lon = practices["longitude"].to_numpy(dtype=float)
    given = ~(np.isnan(lat) | np.isnan(lon))
    points = np.full(len(practices), None, dtype=object)
    points[given] = shapely.points(lon[given], lat[given])
    return gpd.GeoSeries(points, index=pd.Index(practices["practice_code"]),
                         crs="EPSG:4326").to_crs(MEASURE_CRS)


def locate_points(points: gpd.GeoSeries, areas: gpd.GeoDataFrame) -> pd.Series:
    """The code of the area holding each point (NaN for a missing point or one in no
    area; a point on a shared border goes to the first area listed).

    Parameters
    ----------
    points
        Points in the areas' CRS.
    areas
        ``code`` and polygons.
    """
    values = np.asarray(points.values, dtype=object)
    usable = np.flatnonzero(~shapely.is_missing(values))
    found = pd.Series(np.nan, index=points.index, dtype=object)
    if not len(usable) or areas.empty:
        return found
    tree = shapely.STRtree(np.asarray(areas.geometry.values, dtype=object))
    point, area = tree.query(values[usable], predicate="intersects")
    first = pd.DataFrame({"point": point, "area": area}).sort_values(["point", "area"])
    first = first.drop_duplicates("point")
    codes = areas["code"].to_numpy()[first["area"].to_numpy()]
    found.iloc[usable[first["point"].to_numpy()]] = codes
    return found


def commissioner_is_home(councils: pd.Series, footprints: pd.Series, homes: pd.Series
                         ) -> pd.array:
    """Whether each practice's commissioner footprint is home to its council (True /
    False); NA when the council, its home footprints or the commissioner's footprint
    are unknown."""
    home = [f in homes[c] if isinstance(f, str) and isinstance(c, str) and c in homes.index
            else None for c, f in zip(councils, footprints, strict=True)]
    return pd.array(home, dtype="boolean")


def practice_table(practices: pd.DataFrame, *, located: pd.Series, places: pd.DataFrame,
                   commissioner_names: pd.Series, commissioner_footprints: pd.Series,
                   homes: pd.Series, in_blocks: bool) -> pd.DataFrame:
    """One row per practice: where it is, its commissioner, and whether that is home.

    Parameters
    ----------
    practices
        ``practice_code``, ``practice_name``, ``commissioner_code`` of each practice.
    located
        Practice code → the block (``in_blocks``) or ward holding it (NaN for none).
    places
        Indexed by block (or ward) code: ``ward`` and ``council``.
    commissioner_names, commissioner_footprints
        Commissioner ODS code → its name, and → its footprint in the analysed layer.
    homes
        Council code → list of its home footprint codes.

    Returns
    -------
    pandas.DataFrame
        :data:`PRACTICE_TABLE`, in the order of ``practices``.
    """
    codes = practices["practice_code"].to_numpy()
    where = located.reindex(codes)
    place = places.reindex(where.to_numpy())
    council = pd.Series(place["council"].to_numpy(), index=codes, dtype=object)
    commissioner = practices["commissioner_code"]
    footprint = pd.Series(commissioner.map(commissioner_footprints).to_numpy(), index=codes,
                          dtype=object)
    table = pd.DataFrame({
        "practice_code": codes,
        "practice_name": practices["practice_name"].to_numpy(),
        "ward_code": place["ward"].to_numpy(),
        "council_code": council.to_numpy(),
        "commissioner_code": commissioner.to_numpy(),
        "commissioner_name": commissioner.map(commissioner_names).to_numpy(),
        "commissioner_is_home": commissioner_is_home(council, footprint, homes),
        "block_code": where.to_numpy() if in_blocks else np.nan,
        "commissioner_footprint_code": footprint.to_numpy(),
    })[PRACTICE_TABLE]
    for column in PRACTICE_TABLE:  # text, None where missing (as blocks.csv reads back)
        if column != "commissioner_is_home":
            values = table[column].astype(object)
            table[column] = values.where(values.notna(), None)
    return table
