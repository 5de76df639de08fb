"""What the legend says: the area shown, the finding at a glance, colours and lines.

Drawn by ``templates/legend.html.j2`` from :mod:`.style`, so the legend shows
exactly the colours and lines the map uses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from stpgeo.analysis.result import Analysis
from stpgeo.outputs import style
from stpgeo.outputs.findings import council_findings, plural
from stpgeo.outputs.maps.content import MapContent
from stpgeo.outputs.scope import Scope


def lead(analyses: Sequence[Analysis], scope: Scope, content: MapContent) -> list[str]:
    """The legend's first lines: what the map shows at a glance."""
    primary = analyses[0]
    if scope.focus is not None:
        return council_findings(primary, scope.focus)[:1]
    verdicts = primary.ward_verdicts.set_index("ward_code").loc[content.ward_codes, "verdict"]
    counts = verdicts.value_counts()
    return [f"{plural(len(verdicts), 'ward')} against the {primary.label} "
            f"footprints: {counts.get('within', 0):,} within their council's home "
            f"footprints, {counts.get('outside_home', 0):,} wholly outside them, "
            f"{counts.get('split', 0):,} split."]


def boundary_lines(analyses: Sequence[Analysis], scope: Scope,
                   content: MapContent) -> list[dict[str, Any]]:
    """The legend's lines, heaviest first: the chosen council, councils, footprints."""
    lines: list[dict[str, Any]] = []
    if scope.focus is not None:
        name = content.metadata["councils"].get(scope.focus, scope.focus)
        lines.append({**style.COUNCIL_FOCUS, "label": f"{name} (outline of its wards)"})
    lines.append({**style.COUNCIL, "label": "council (outline of its wards)"})
    lines += [{**style.footprint_style(i), "label": f"{a.label} footprint"}
              for i, a in enumerate(analyses)]
    return lines


def decile_view_name(index: str) -> str:
    """The name of the way of colouring by an index (``IMD2019`` → ``Neighbourhoods by IMD
    2019 decile``)."""
    match = re.match(r"^([A-Za-z]+)(\d{4})$", index)
    return f"Neighbourhoods by {match[1]} {match[2]} decile" if match else \
        f"Neighbourhoods by {index} decile"


def legend_content(analyses: Sequence[Analysis], scope: Scope,
                   content: MapContent) -> dict[str, Any]:
    """Everything ``legend.html.j2`` shows."""
    present = {v for a in analyses for v in a.ward_verdicts["verdict"]}
    return {
        "title": scope.title,
        "lead": lead(analyses, scope, content),
        "verdicts": [v for k, v in style.VERDICTS.items()
                     if k in ("within", "split", "outside_home") or k in present],
        "uncertain": any(u is not None for u in content.uncertain),
        "shares": [{"colour": c, "label": label}
                   for c, label in zip(style.SHARE_COLOURS, style.SHARE_LABELS, strict=True)],
        "lines": boundary_lines(analyses, scope, content),
        "deciles": ([{"colour": c, "label": label} for c, label in
                     zip(style.DECILE_COLOURS, style.DECILE_LABELS, strict=True)]
                    if content.blocks is not None else []),
        "ccgs": content.ccgs,
        "labels": bool(content.labels),
    }
