"""A static PNG map (matplotlib) for Word and PDF: verdicts, footprints, the flagged wards'
names, scale, attribution.

The same scope and colours as the interactive map (:mod:`stpgeo.maps`), drawn in
British National Grid so that the scale bar is true.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib_scalebar.scalebar import ScaleBar

from stpgeo.analysis.result import Analysis
from stpgeo.engine.verdicts import flagged_wards
from stpgeo.io.catalogue import load_catalogue
from stpgeo.io.write import atomic_file
from stpgeo.outputs import style
from stpgeo.outputs.scope import Scope

#: Line styles of each analysis's footprint outlines (matplotlib terms).
_OUTLINES: tuple[dict[str, Any], ...] = ({"color": "#AA3377", "linewidth": 1.6, "linestyle": "-"},
             {"color": "#004488", "linewidth": 1.0, "linestyle": "--"},
             {"color": "#228833", "linewidth": 0.8, "linestyle": ":"})


def frame_axes(ax: Any, bounds: Sequence[float], *, pad: float) -> None:
    """Fit a map's axes to ``bounds`` (xmin, ymin, xmax, ymax) with a margin of ``pad``
    times the longer side, at equal scale and without axes."""
    xmin, ymin, xmax, ymax = bounds
    margin = pad * max(xmax - xmin, ymax - ymin)
    ax.set_xlim(xmin - margin, xmax + margin)
    ax.set_ylim(ymin - margin, ymax + margin)
    ax.set_aspect("equal")
    ax.set_axis_off()


def _label_flagged(ax: Any, wards: Any) -> None:
    """Write the names of the flagged wards (outside or split) inside them."""
    for ward in flagged_wards(wards).itertuples():
        if ward.geometry is None or ward.geometry.is_empty:
            continue
        point = ward.geometry.representative_point()
        ax.annotate(ward.ward_name, (point.x, point.y), ha="center", va="center", fontsize=6,
                    fontweight="bold", zorder=7,
                    path_effects=[patheffects.withStroke(linewidth=2, foreground="white")])


def static_map(analyses: Sequence[Analysis], scope: Scope, path: Path, *,
               dpi: int = 200) -> Path:
    """Draw the wards in scope by verdict, with footprint outlines, and save a PNG.

    Parameters
    ----------
    analyses
        The primary analysis colours the wards; each draws its footprint outlines.
    scope
        What to draw (see :func:`stpgeo.maps.choose_scope`).
    path
        The PNG file to write (atomically).
    """
    primary = analyses[0]
    wards = primary.wards_gdf[primary.wards_gdf["ward_code"].isin(scope.wards)]
    fig = Figure(figsize=(10, 8.5), dpi=dpi)  # no pyplot: no global state, no screen
    ax = fig.subplots()
    colours = wards["verdict"].map(lambda v: style.VERDICTS.get(v, {"colour": "#FFFFFF"})
                                   ["colour"])
    wards.plot(ax=ax, color=colours, edgecolor="#666666", linewidth=0.25)
    councils = wards.dissolve("council_code")
    handles: list[Patch | Line2D] = [
        Patch(facecolor=spec["colour"], edgecolor="#666666", label=spec["label"])
        for verdict, spec in style.VERDICTS.items() if verdict in set(wards["verdict"])]
    for i, (analysis, codes) in enumerate(zip(analyses, scope.footprints, strict=True)):
        outline = _OUTLINES[min(i, len(_OUTLINES) - 1)]
        footprints = analysis.footprints_gdf[analysis.footprints_gdf["code"].isin(codes)]
        footprints.boundary.plot(ax=ax, **outline)
        handles.append(Line2D([], [], label=f"{analysis.name.upper()} footprints", **outline))
    # councils on top of the footprints, the chosen one heaviest
    councils.boundary.plot(ax=ax, color="#000000", linewidth=0.9, zorder=5)
    focus = scope.focus if scope.focus in councils.index else None
    if focus is not None:
        councils.loc[[focus]].boundary.plot(ax=ax, color="#000000", linewidth=2.6, zorder=6)
    focus_name = (wards.loc[wards["council_code"] == focus, "council_name"].iloc[0]
                  if focus else "council boundaries")
    handles.append(Line2D([], [], color="#000000", linewidth=2.6 if focus else 0.9,
                          label=focus_name))
    _label_flagged(ax, wards)
    frame_axes(ax, wards.total_bounds, pad=0.03)
    ax.add_artist(ScaleBar(1, units="m", location="lower right", box_alpha=0.7))
    ax.legend(handles=handles, loc="upper left", fontsize=8, framealpha=0.9)
    ax.set_title(scope.title, fontsize=13)
    fig.text(0.01, 0.01, load_catalogue().attribution, fontsize=5.5,
             wrap=True, color="#333333")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    with atomic_file(path) as staging:
        fig.savefig(staging, format="png", dpi=dpi)
    return path
