"""Alignment through time: every footprint vintage, of both generations of building
blocks, against the councils and wards of its time, and proposed maps.

- :mod:`.run`: :func:`timeline`, the orchestration (inputs read once per generation,
  the wards' work once per generation, each vintage by aggregation);
- :mod:`.maps`: one vintage's block → footprint and block → council maps;
- :mod:`.vintage`: one vintage's pieces, verdicts and council figures;
- :mod:`.proposals`: proposed maps, as one more vintage;
- :mod:`.tables`: the timeline's tables (timeline.csv, trend.csv, ...);
- :mod:`.as_analysis`: one vintage as an ordinary Analysis, for maps;
- :mod:`.result`: the :class:`Timeline` holding them.
"""

from stpgeo.analysis.timeline.result import Timeline
from stpgeo.analysis.timeline.run import timeline

__all__ = ["Timeline", "timeline"]
