"""The result of :func:`stpgeo.timeline`: the tables, and each vintage for maps.

A :class:`Timeline` holds ``timeline``, ``ward_timeline``, ``changes``, ``trend``,
``moves``, ``deprivation`` and ``vintage_table`` as DataFrames (the columns of the files
of the same names, see :mod:`stpgeo.analysis.timeline.tables`), the vintages in order,
the councils asked and ``summary`` (summary.json). It writes its folder (:meth:`Timeline.write`:
the five CSV files, summary.json, trend.png and timeline.html), draws the trend
(:meth:`Timeline.plot`), and gives each vintage as an ordinary
:class:`~stpgeo.analysis.result.Analysis` of the area shown (:meth:`Timeline.analysis`),
which :meth:`Timeline.map` draws as stpgeo's interactive map. :meth:`Timeline.read` reads
a folder back: its tables, vintages and summary, but no polygons (no maps).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from stpgeo.analysis.result import Analysis
from stpgeo.analysis.run import WardWork
from stpgeo.analysis.timeline.as_analysis import (
    clean_blocks,
    touched_blocks,
    vintage_analysis,
    vintage_footprints,
)
from stpgeo.analysis.timeline.folder import TABLES, conform, read_tables, vintages_of
from stpgeo.analysis.timeline.maps import VintageMap, neighbours, resolve_councils
from stpgeo.analysis.timeline.succession import Succession
from stpgeo.analysis.timeline.vintage import VintageResult
from stpgeo.errors import StpgeoError
from stpgeo.geometry.crs import MEASURE_CRS
from stpgeo.io.layer import Layer
from stpgeo.io.vintages import FootprintVintage
from stpgeo.ons.generations import Generation

if TYPE_CHECKING:
    import folium
    from matplotlib.figure import Figure


@dataclass
class TimelineState:
    """What a timeline keeps for its maps: the work on each generation's wards, each
    vintage's tables, how councils followed each other (``succession``), each generation's
    blocks (their ward and residents, :func:`~.vintage.ward_blocks`) and deciles of
    deprivation.

    Clean blocks are made once per area shown and kept (``cleaned``), as are the wards
    shown for each set of councils (``shown``).
    """

    works: dict[Generation, WardWork]
    results: dict[str, VintageResult]
    maps: dict[str, VintageMap]
    tolerance: float
    succession: Succession
    blocks: dict[Generation, pd.DataFrame] = field(default_factory=dict)
    deciles: dict[Generation, pd.DataFrame | None] = field(default_factory=dict)
    cleaned: dict[tuple[Generation, frozenset[str]], Layer] = field(default_factory=dict)
    shown: dict[tuple[Generation, tuple[str, ...]], list[str]] = field(default_factory=dict)

    def _results(self, generation: Generation) -> dict[str, VintageResult]:
        return {n: r for n, r in self.results.items()
                if r.map.vintage.generation == generation}

    def area(self, councils: list[str] | None, generation: Generation) -> list[str]:
        """A generation's wards shown for these councils (with their lineages) and their
        neighbours (None: every ward); found once per set of councils."""
        codes = list(self.works[generation].wards.gdf["code"])
        if councils is None:
            return codes
        key = (generation, tuple(sorted(councils)))
        if key not in self.shown:
            members = {m for c in councils for m in self.succession.lineage(c)}
            own = self._results(generation)
            shown = neighbours([r.map for r in own.values()], members)
            found: set[str] = set()
            for result in own.values():
                council = result.ward_council["council_code"]
                found |= set(council.index[council.isin(shown).to_numpy()])
            self.shown[key] = [w for w in codes if w in found]
        return list(self.shown[key])

    def blocks_for(self, wards: list[str], generation: Generation) -> Layer:
        """Clean blocks of every footprint these wards touch, in any vintage of their
        generation (made once)."""
        key = (generation, frozenset(wards))
        if key not in self.cleaned:
            blocks = self.works[generation].inputs.blocks
            assert blocks is not None
            self.cleaned[key] = clean_blocks(blocks,
                                             touched_blocks(self._results(generation), wards))
        return self.cleaned[key]


@dataclass
class Timeline:
    """How councils and wards line up with each footprint vintage (and proposal).

    Attributes
    ----------
    timeline, ward_timeline, changes, trend, moves, deprivation, vintage_table
        The tables of ``timeline.csv``, ``ward_timeline.csv``, ``changes.csv``,
        ``trend.csv``, ``moves.csv``, ``deprivation.csv`` and ``vintages.csv``.
    vintages
        The vintages, in date order (proposals last).
    councils
        The councils asked (codes), in the order given.
    england
        Whether the tables cover every council and ward of England.
    summary
        Inputs (each generation's, each vintage's lookup), scope, parameters, checks,
        warnings and timings (``summary.json``).
    state
        What the maps are drawn from (None for a timeline read from its folder, which
        keeps the tables but no polygons).
    folder
        The folder it was read from (None when made by :func:`stpgeo.timeline`).

    Every table has fixed types, the same when made and when read back
    (:mod:`stpgeo.analysis.timeline.folder`).
    """

    timeline: pd.DataFrame
    ward_timeline: pd.DataFrame
    changes: pd.DataFrame
    trend: pd.DataFrame
    moves: pd.DataFrame
    deprivation: pd.DataFrame
    vintage_table: pd.DataFrame
    vintages: list[FootprintVintage]
    councils: list[str]
    england: bool
    summary: dict[str, Any]
    state: TimelineState | None = field(default=None, repr=False)
    folder: Path | None = None

    def __post_init__(self) -> None:
        for name in TABLES:
            setattr(self, name, conform(getattr(self, name), name))

    @classmethod
    def read(cls, folder: str | os.PathLike[str]) -> Timeline:
        """Read a timeline folder written by :meth:`write` (or ``stpgeo timeline --out``):
        every table, the vintages and summary.json, as written.

        A timeline read back has its tables, story and trend (:meth:`findings`,
        :meth:`plot`, :meth:`write`), but no polygons: its maps (:meth:`map`,
        :meth:`analysis`, :meth:`wards`, :meth:`footprints`) need the timeline made
        again.

        Raises
        ------
        StpgeoError
            When the folder lacks a file or a table lacks a column.

        Examples
        --------
        >>> history = Timeline.read("out/demo/timeline")  # doctest: +SKIP
        >>> history.trend.head()  # doctest: +SKIP
        """
        folder = Path(folder)
        tables = read_tables(folder)
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        scope = summary.get("scope", {})
        return cls(**tables, vintages=vintages_of(tables["vintage_table"], summary),
                   councils=list(scope.get("councils", [])),
                   england=bool(scope.get("england")), summary=summary, folder=folder)

    def kept(self, *, to: str) -> TimelineState:
        """What the maps are drawn from; ``to`` says what they were wanted for.

        Raises
        ------
        StpgeoError
            For a timeline read from its folder.
        """
        if self.state is None:
            raise StpgeoError(f"cannot {to}: this timeline was read from {self.folder}, "
                              "which keeps its tables but not its polygons",
                              fix="make the timeline again with stpgeo.timeline(...) (the "
                              "cache makes a second run quick)")
        return self.state

    def vintage(self, name: str) -> FootprintVintage:
        """A vintage of this timeline by name, any case (``"icb22"``)."""
        for vintage in self.vintages:
            if vintage.name.upper() == name.upper():
                return vintage
        raise StpgeoError(f"no vintage {name!r} in this timeline",
                          fix="choose among " + ", ".join(v.name for v in self.vintages))

    def _councils(self, council: str | None) -> list[str] | None:
        if council is not None:
            state = self.kept(to=f"find {council}'s wards")
            found = resolve_councils([council], list(state.maps.values()))
            return list(dict.fromkeys(state.succession.final(c) for c in found))
        return self.councils or None

    def _area(self, council: str | None, generation: Generation) -> list[str]:
        """The wards shown for a council and its neighbours (see :meth:`analysis`)."""
        wards = self.kept(to="find the wards shown").area(self._councils(council), generation)
        if not wards:
            raise StpgeoError(f"the wards of {council} were not analysed in this timeline",
                              fix="run the timeline with this council (council=...) or with "
                              "england=True")
        return wards

    def analysis(self, vintage: str, *, council: str | None = None) -> Analysis:
        """One vintage as an :class:`Analysis` of a council and its neighbours.

        ``council`` defaults to the first council asked; with none asked, every ward
        analysed (all England: its footprints are then all built, which takes a while).
        """
        chosen = self.vintage(vintage)
        generation = chosen.generation
        state = self.kept(to=f"analyse {chosen.name} again")
        wards = self._area(council, generation)
        return vintage_analysis(state.works[generation], state.results[chosen.name],
                                wards=wards, blocks=state.blocks_for(wards, generation),
                                tolerance=state.tolerance)

    def wards(self, vintage: str, *, council: str | None = None) -> gpd.GeoDataFrame:
        """One vintage's wards of a council and its neighbours (as :meth:`analysis` chooses
        them): ``ward_code``, ``ward_name``, ``council_code``, ``best_footprint_code``,
        ``verdict`` and the geometry, in EPSG:27700."""
        chosen = self.vintage(vintage)
        state = self.kept(to=f"draw the wards of {chosen.name}")
        result = state.results[chosen.name]
        work = state.works[chosen.generation]
        wards = work.wards.gdf.drop_duplicates("code").set_index("code").loc[
            self._area(council, chosen.generation)]
        verdicts = result.verdicts.reindex(wards.index)
        return gpd.GeoDataFrame({
            "ward_code": wards.index, "ward_name": wards["name"].to_numpy(),
            "council_code": result.ward_council["council_code"].reindex(wards.index).to_numpy(),
            "best_footprint_code": verdicts["best_footprint_code"].to_numpy(),
            "verdict": verdicts["verdict"].to_numpy()},
            geometry=wards.geometry.values, crs=MEASURE_CRS)

    def footprints(self, vintage: str, *, council: str | None = None) -> Layer:
        """One vintage's footprints that the wards of :meth:`wards` touch, dissolved from the
        cleaned LSOAs (footprint geometry is built only for the area shown)."""
        chosen = self.vintage(vintage)
        state = self.kept(to=f"draw the footprints of {chosen.name}")
        blocks, footprint_of = self.footprint_blocks(chosen.name, council=council)
        return vintage_footprints(state.results[chosen.name].map, set(footprint_of), blocks,
                                  state.works[chosen.generation].inputs.population)

    def footprint_blocks(self, vintage: str, *, council: str | None = None
                         ) -> tuple[Layer, pd.Series]:
        """What :meth:`footprints` dissolves: the clean blocks of every footprint the
        area's wards touch in any vintage of this one's generation (one layer, made once
        and shared by those vintages), and each block's footprint in this vintage (block
        code → footprint code) for the footprints the area's wards touch in it."""
        chosen = self.vintage(vintage)
        state = self.kept(to=f"draw the footprints of {chosen.name}")
        result = state.results[chosen.name]
        wards = self._area(council, chosen.generation)
        touched = set(result.pieces.loc[result.pieces["ward_code"].isin(set(wards)),
                                        "footprint_code"])
        blocks = state.blocks_for(wards, chosen.generation)
        footprint_of = result.map.footprints
        footprint_of = footprint_of[footprint_of.isin(touched).to_numpy()
                                    & footprint_of.index.isin(set(blocks.gdf["code"]))]
        return blocks, footprint_of

    def map(self, vintage: str, *, council: str | None = None, **options: Any) -> folium.Map:
        """The interactive map of one vintage (stpgeo's ward map), inline in Jupyter.

        Examples
        --------
        >>> history.map("ICB22")  # doctest: +SKIP
        """
        from stpgeo.outputs.maps import ward_map

        self.kept(to=f"draw the map of {vintage}")
        chosen = self._councils(council)
        focus = chosen[0] if chosen else None
        return ward_map(self.analysis(vintage, council=council), council=focus, **options)

    def plot(self) -> Figure:
        """The trend: councils not aligned and residents outside their home footprints."""
        from stpgeo.outputs.timeline.charts import trend_figure

        return trend_figure(self)

    def findings(self) -> list[str]:
        """What changed and when, in plain English (every number from the tables)."""
        from stpgeo.outputs.timeline.story import timeline_findings

        return timeline_findings(self)

    def write(self, folder: str | os.PathLike[str]) -> Path:
        """Write the timeline's folder atomically: the CSV files, summary.json, trend.png
        and timeline.html (see :mod:`stpgeo.outputs.timeline.report`)."""
        from stpgeo.outputs.timeline.report import write_timeline

        return write_timeline(self, folder)

    def _repr_html_(self) -> str:
        from stpgeo.outputs.timeline.report import timeline_html

        return timeline_html(self)

    def __repr__(self) -> str:
        scope = "England" if self.england else ", ".join(self.councils)
        read = f", read from {self.folder}" if self.folder is not None else ""
        return (f"<Timeline {scope}{read}: {len(self.vintages)} vintages "
                f"({', '.join(v.name for v in self.vintages)}), {len(self.changes):,} changes>")
