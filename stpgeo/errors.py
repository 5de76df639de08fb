"""The one exception stpgeo raises for bad input, and helpers for its messages.

Every problem a user can fix (a missing file, a file without a CRS, a lookup
without the right column...) raises :class:`StpgeoError`. Its message says what
was found, in which file, and how to fix it; the command-line interface prints
it without a traceback and exits with status 2.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


class StpgeoError(ValueError):
    """Bad input that the user can fix: the message says what, where and how.

    Parameters
    ----------
    problem
        What is wrong, in one sentence.
    source
        The file (or layer) the problem is in, if any.
    fix
        How to fix it, in one sentence.

    Examples
    --------
    >>> err = StpgeoError("the file has no CRS", source="wards.shp", fix="pass --crs EPSG:27700")
    >>> print(err)
    wards.shp: the file has no CRS
      how to fix: pass --crs EPSG:27700
    """

    def __init__(
        self, problem: str, *, source: str | Path | None = None, fix: str | None = None
    ) -> None:
        self.problem = problem
        self.source = str(source) if source is not None else None
        self.fix = fix
        super().__init__(self._compose())

    def _compose(self) -> str:
        text = f"{self.source}: {self.problem}" if self.source else self.problem
        if self.fix:
            text += f"\n  how to fix: {self.fix}"
        return text


def option_hint(setting: str, value: str, *, role: str | None = None) -> str:
    """How to give a setting on the command line and in Python, for a layer's role.

    A layer read for a role of a command (``"wards"`` in ``stpgeo analyse``) has its
    own options (``--wards-crs``); a layer read alone (``stpgeo inspect``) has plain
    ones (``--crs``).

    Examples
    --------
    >>> option_hint("crs", "EPSG:27700")
    '--crs EPSG:27700 (Python: crs="EPSG:27700")'
    >>> option_hint("layer", "NAME", role="wards")
    '--wards-layer NAME (Python: wards_layer="NAME")'
    """
    option = f"{role}-{setting}" if role else setting
    keyword = f"{role}_{setting}" if role else setting
    return f'--{option.replace("_", "-")} {value} (Python: {keyword}="{value}")'


def preview(items: Iterable[object], limit: int = 10) -> str:
    """Join the first ``limit`` items for a message, saying how many were left out.

    Examples
    --------
    >>> preview(["a", "b", "c"], limit=2)
    'a, b (and 1 more)'
    """
    texts = [str(item) for item in items]
    shown = ", ".join(texts[:limit])
    if len(texts) > limit:
        shown += f" (and {len(texts) - limit} more)"
    return shown
