"""Small hand-made layers in British National Grid, with answers worked out on paper.

Every square is placed near Birmingham (x 400 km, y 280 km) so that CRS checks see
plausible British coordinates; sizes are round numbers of metres.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import shapely

X0, Y0 = 400_000.0, 280_000.0


def square(x: float, y: float, size: float = 1_000.0) -> shapely.Polygon:
    """A square of ``size`` metres whose lower-left corner is (x, y) km-ish offsets."""
    return shapely.box(X0 + x, Y0 + y, X0 + x + size, Y0 + y + size)


def rect(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    """A rectangle given in metres from the origin."""
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def frame(codes: Sequence[str], geometries: Sequence[shapely.Geometry | None],
          names: Sequence[str] | None = None, crs: int | str | None = 27700,
          **columns: Sequence[object]) -> gpd.GeoDataFrame:
    """A GeoDataFrame with ``code``/``name`` columns (names default to the codes)."""
    return gpd.GeoDataFrame(
        {"code": list(codes), "name": list(names or codes),
         **{k: list(v) for k, v in columns.items()}},
        geometry=list(geometries), crs=crs)
