"""The timeline's pictures: the trend chart and one small map per vintage (matplotlib).

- :func:`trend_figure`: per vintage, councils of England not aligned with their home
  footprints, and residents living outside them — England's and each council
  asked's — one line per series (CCGs then sub-ICB locations; STPs then ICBs), on a
  time axis, in steps (a vintage holds until the next); proposals as open markers after
  the last date.
- :func:`small_map`: a council and its neighbours in one vintage: wards by verdict
  (the colours of :mod:`.style`), the vintage's footprints outlined, the council's
  outline heaviest. The wards are simplified once as a coverage
  (:func:`stpgeo.outputs.maps.geometry.simplify_coverage`) for all the vintages, so
  every small map shows the same area the same way.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
import shapely
from matplotlib.figure import Figure

from stpgeo.analysis.timeline.tables import ENGLAND
from stpgeo.outputs import style
from stpgeo.outputs.maps.geometry import dissolve, simplify_coverage
from stpgeo.outputs.static_map import frame_axes

if TYPE_CHECKING:
    from stpgeo.analysis.timeline.result import Timeline

#: Line colour and marker of each series.
SERIES = {"ccg": {"color": "#004488", "marker": "o", "label": "CCGs, then sub-ICB locations"},
          "stp": {"color": "#AA3377", "marker": "s", "label": "STPs, then ICBs"}}
#: Councils drawn on the trend at most (the rest are in trend.csv).
MAX_COUNCILS = 6


def _x(timeline: Timeline) -> dict[str, dt.date]:
    """Each vintage's place on the time axis (proposals after the last date)."""
    dated = [v.date for v in timeline.vintages if v.date is not None]
    last = max(dated) if dated else dt.date.today()
    places: dict[str, dt.date] = {}
    extra = 0
    for vintage in timeline.vintages:
        if vintage.date is not None:
            places[vintage.name] = vintage.date
        else:
            extra += 1
            places[vintage.name] = last + dt.timedelta(days=270 * extra)
    return places


def _lines(ax: object, table: pd.DataFrame, timeline: Timeline, column: str, *,
           scale: float = 1.0, label: str = "", linestyle: str = "-") -> None:
    places = _x(timeline)
    for kind, spec in SERIES.items():
        names = [v.name for v in timeline.vintages if v.kind == kind and v.proposal is None]
        proposals = [v.name for v in timeline.vintages if v.kind == kind and v.proposal]
        rows = table.set_index("vintage")
        dated = [n for n in names if n in rows.index]
        if dated:
            x = [places[n] for n in dated]
            y = [rows.loc[n, column] / scale for n in dated]
            # a vintage holds until the next one: steps, the last held for half a year
            ax.plot([*x, x[-1] + dt.timedelta(days=180)], [*y, y[-1]],  # type: ignore[attr-defined]
                    color=spec["color"], drawstyle="steps-post", linestyle=linestyle)
            ax.plot(x, y, color=spec["color"], marker=spec["marker"],  # type: ignore[attr-defined]
                    linestyle="none", label=f"{label}{spec['label']}")
        for name in (p for p in proposals if p in rows.index):
            ax.plot([places[name]], [rows.loc[name, column] / scale],  # type: ignore[attr-defined]
                    marker=spec["marker"], markerfacecolor="white", color=spec["color"],
                    linestyle="none")
            ax.annotate(name, (places[name], rows.loc[name, column] / scale),  # type: ignore[attr-defined]
                        textcoords="offset points", xytext=(4, 4), fontsize=7)


class ShownFigure(Figure):
    """A Figure that Jupyter shows as a PNG (made without pyplot, it has no backend that
    would)."""

    def _repr_png_(self) -> bytes:
        return png(self)


def trend_figure(timeline: Timeline) -> Figure:
    """The trend as a matplotlib Figure (displays inline in Jupyter)."""
    trend = timeline.trend
    england = trend[trend["scope_code"] == ENGLAND]
    councils = [c for c in timeline.councils if c in set(trend["scope_code"])][:MAX_COUNCILS]
    panels = 3 if councils else 2
    fig = ShownFigure(figsize=(4.2 * panels, 3.6), dpi=110)
    axes = fig.subplots(1, panels)
    _lines(axes[0], england, timeline, "councils_not_aligned")
    axes[0].set_title("Councils of England not aligned\nwith their home footprints", fontsize=9)
    axes[0].set_ylim(bottom=0)
    _lines(axes[1], england, timeline, "population_outside_home", scale=1e3)
    axes[1].set_title("Residents of England outside their\ncouncil's home footprints "
                      "(thousands)", fontsize=9)
    axes[1].set_ylim(bottom=0)
    if councils:
        styles = ["-", "--", ":", "-.", (0, (5, 1)), (0, (1, 2))]
        for council, linestyle in zip(councils, styles, strict=False):
            rows = trend[trend["scope_code"] == council]
            name = rows["scope_name"].iloc[0]
            _lines(axes[2], rows, timeline, "population_outside_home", scale=1e3,
                   label=f"{name}: ", linestyle=linestyle)  # type: ignore[arg-type]
        axes[2].set_title("Residents outside their council's\nhome footprints (thousands)",
                          fontsize=9)
        axes[2].set_ylim(bottom=0)
        axes[2].legend(fontsize=6, loc="best")
    for ax in axes:
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7, loc="best")
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def png(fig: Figure, *, dpi: int | None = None) -> bytes:
    """A figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi or fig.dpi)
    return buffer.getvalue()


def simplified_wards(wards: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """The wards' shapes (indexed by ``ward_code``), simplified once as a coverage for small
    maps (EPSG:27700)."""
    shapes = wards.set_index("ward_code").geometry
    shapes = shapes[shapes.notna() & ~shapes.is_empty]
    xmin, ymin, xmax, ymax = shapes.total_bounds
    tolerance = max(20.0, max(xmax - xmin, ymax - ymin) / 600)
    return simplify_coverage(shapes, tolerance=tolerance)


def small_map(wards: gpd.GeoDataFrame, shapes: gpd.GeoSeries, footprints: gpd.GeoDataFrame, *,
              focus: str | Sequence[str] | None, title: str | None = None) -> Figure:
    """One vintage's small map: wards by verdict, footprints outlined, ``focus`` heaviest
    (a council, or the councils it was formed from, outlined together).

    ``wards`` are the vintage's (``ward_code``, ``council_code``, ``verdict``), ``shapes``
    their simplified geometry (:func:`simplified_wards`), ``footprints`` the vintage's;
    ``title`` is drawn above it (none: the page gives the map its heading, so that
    vintages showing the same thing can share one drawing).
    """
    table = wards.set_index("ward_code").reindex(shapes.index)
    frame = gpd.GeoDataFrame({"verdict": table["verdict"].to_numpy(),
                              "council": table["council_code"].to_numpy()},
                             geometry=shapes.values, crs=shapes.crs)
    fig = Figure(figsize=(3.4, 3.2), dpi=110)
    ax = fig.subplots()
    colours = frame["verdict"].map(lambda v: style.VERDICTS.get(v, {"colour": "#FFFFFF"})
                                   ["colour"])
    frame.plot(ax=ax, color=colours, edgecolor="#777777", linewidth=0.2)
    known = frame[frame["council"].notna() & (frame["council"] != "")]
    outlines = dissolve(known.geometry, known["council"])
    outlines.boundary.plot(ax=ax, color="#000000", linewidth=0.5, zorder=3)
    chosen = [focus] if isinstance(focus, str) else list(focus or [])
    chosen = [c for c in chosen if c in outlines.index]
    if chosen:
        heavy = shapely.union_all(outlines.loc[chosen].geometry.values)
        gpd.GeoSeries([heavy], crs=outlines.crs).boundary.plot(ax=ax, color="#000000",
                                                              linewidth=2.2, zorder=4)
    # the footprints on top: where they cross the council is the point of the map
    shown = footprints[footprints.intersects(shapely.box(*frame.total_bounds))]
    outline = shapely.coverage_simplify(shown.geometry.values, 30.0) if len(shown) else []
    gpd.GeoSeries(outline, crs=footprints.crs).boundary.plot(
        ax=ax, color=style.FOOTPRINTS[0]["color"], linewidth=1.4, zorder=5)
    frame_axes(ax, frame.total_bounds, pad=0.02)
    if title:
        ax.set_title(title, fontsize=9)
    fig.tight_layout(pad=0.2)
    return fig
