"""``stpgeo.atlas``: every council's alignment, past and present, as a static site.

One page per council (its map by vintage, its story, its figures, its wards outside home
with their residents and deprivation, the GP practices of other commissioners where the
data has them, its neighbours), one per footprint of the latest vintages, and an index
that finds a council by its name, a ward's or an ICB's. It opens from the file system
and from any static web host, and asks for nothing beyond its folder
(:mod:`stpgeo.outputs.atlas.site`).

Examples
--------
>>> atlas(england=True, out="out/atlas")  # doctest: +SKIP
>>> atlas(["Birmingham"], out="out/bham")  # it and its neighbours  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from stpgeo._types import PathLike
from stpgeo.analysis.result import Analysis
from stpgeo.analysis.timeline import Timeline, timeline
from stpgeo.analysis.timeline.proposals import ProposalInput
from stpgeo.io.vintages import FootprintVintage
from stpgeo.io.write import check_destination
from stpgeo.outputs.atlas.site import folder_size, write_atlas

__all__ = ["atlas", "folder_size", "write_atlas"]


def atlas(council: str | Sequence[str] | None = None, *, out: PathLike,
          england: bool = False,
          vintages: str | Sequence[str | FootprintVintage] | None = None,
          proposals: ProposalInput | Sequence[ProposalInput] = (),
          analyses: Sequence[Analysis] = (), history: Timeline | None = None,
          lookups: Mapping[str, pd.DataFrame] | None = None, data: PathLike | None = None,
          cache: bool = True, **inputs: object) -> Path:
    """Write the atlas of England, or of some councils and their neighbours.

    Parameters
    ----------
    council
        Councils (names or codes): the atlas of them and their neighbours; None (or
        ``england``) for every council of England.
    out
        The site's folder (replaced atomically).
    vintages, proposals, lookups, data, cache, inputs
        As :func:`stpgeo.timeline` takes them (``wards=``, ``blocks=``...).
    analyses
        Analyses whose GP practices the council pages list.
    history
        A timeline already made with ``every_council=True`` (not made again).
    """
    check_destination(out, folder=True)
    if history is None:
        history = timeline(None if england else council, england=england or not council,
                           vintages=vintages, proposals=proposals, lookups=lookups, data=data,
                           cache=cache, every_council=True, **inputs)  # type: ignore[arg-type]
    return write_atlas(history, out, analyses=analyses)
