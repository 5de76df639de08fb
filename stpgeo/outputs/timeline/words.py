"""The words the timeline's sentences share: lists of names, levels, dates.

Examples
--------
>>> names(["Soho", "Aston", "Perry Barr"])
'Aston, Perry Barr and Soho'
>>> names([f"W{i}" for i in range(15)], limit=3)
'W0, W1, W10 and 12 more'
"""

from __future__ import annotations

from collections.abc import Iterable

from stpgeo.io.vintages import FootprintVintage
from stpgeo.ons.codes import SHORT_TITLES


def names(items: Iterable[str], *, limit: int = 12, keep_order: bool = False) -> str:
    """``'A, B and C'``, alphabetically (or as given); long lists end with how many more."""
    given = list(dict.fromkeys(str(i) for i in items if i))
    ordered = given if keep_order else sorted(given)
    if len(ordered) > limit:
        ordered = [*ordered[:limit], f"{len(ordered) - limit} more"]
    if len(ordered) <= 1:
        return "".join(ordered)
    return ", ".join(ordered[:-1]) + " and " + ordered[-1]


def level(vintage: FootprintVintage, n: int = 2) -> str:
    """What its footprints are called: ``'ICB'``, ``'sub-ICB locations'`` (n > 1)."""
    title = SHORT_TITLES[vintage.level]
    return title if n == 1 else title + "s"


def on(vintage: FootprintVintage) -> str:
    """``'On 1 July 2022 (ICB 2022)'``; ``'Under the proposal merger'``."""
    if vintage.proposal is not None:
        return f"Under the proposal {vintage.name}"
    return f"On {vintage.when} ({vintage.title})"


def share(part: float, whole: float) -> str:
    """A share in words: ``'57%'``, ``'under 1%'``, ``'none'``.

    Examples
    --------
    >>> share(57, 100), share(1, 1000), share(0, 10)
    ('57%', 'under 1%', 'none')
    """
    if not whole or not part:
        return "none"
    return f"{part / whole:.0%}" if part / whole >= 0.005 else "under 1%"
