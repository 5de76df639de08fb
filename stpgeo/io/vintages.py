"""Vintages: which vintage a layer's codes belong to, and the footprint vintages stpgeo
can build.

A field called ``WD16CD`` says its vintage; a field called ``code`` does not. The
catalogued ONS lookups in the data directory list every code of each vintage
(``WD16CD`` in lookup 032, ``STP19CD`` in 028, ``ICB22CD`` in the July 2022
lookup...), so a layer's codes can be checked against them: the vintage whose list
holds the most of them (the latest, on a tie) is the layer's; codes found only in
another vintage's list mean the layer mixes vintages.

The catalogue also lists the footprint vintages that can be built exactly from the
LSOAs (``[vintages.*]`` in ``boundaries/catalogue.toml``): each one's lookup, its
column of footprint codes, the column of the same vintage's councils, its level, the
date it took effect and its generation of LSOAs (2011 up to July 2022, 2021 since
2023). :func:`footprint_vintages` reads them and :func:`choose_vintages` picks those a
data directory can build. A vintage built with a reconstructed lookup (the April 2026
one) says so in its title, unless the data directory holds the publisher's own lookup
(the catalogue's ``official``), which is then used instead. A reconstructed lookup gives
no code list.

Examples
--------
>>> vintages = {v.name: v for v in footprint_vintages()}
>>> icb22 = vintages["ICB22"]
>>> icb22.title, icb22.when, icb22.column, icb22.councils, icb22.generation.key
('ICB 2022', '1 July 2022', 'ICB22CD', 'LAD22CD', 'lsoa11')
>>> vintages["ICB26"].title, vintages["ICB26"].generation.key
('ICB 2026, reconstructed', 'lsoa21')
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import pandas as pd

from stpgeo.errors import StpgeoError, preview
from stpgeo.io.catalogue import Catalogue, data_dir, load_catalogue
from stpgeo.ons.codes import LEVEL_KINDS, SHORT_TITLES, field_kind, field_level, parse_ons_field
from stpgeo.ons.generations import LSOA11, Generation, generation


@dataclass(frozen=True)
class VintageMatch:
    """How a layer's codes match the code lists of each vintage."""

    kind: str
    counts: dict[int, int]  # vintage -> number of the layer's codes in that vintage's list
    total: int
    lookups: dict[int, str]  # vintage -> lookup the list came from
    mixed: dict[int, int]  # vintage -> codes found only in that vintage's list, not the best

    @property
    def best(self) -> int | None:
        """The vintage holding most of the codes (the latest on a tie), or None."""
        if not self.counts or max(self.counts.values()) == 0:
            return None
        top = max(self.counts.values())
        return max(v for v, n in self.counts.items() if n == top)

    def describe(self) -> str:
        """One sentence: how many codes each vintage's list holds."""
        parts = [f"{self.counts[v]:,} in {v} (lookup {self.lookups[v]})"
                 for v in sorted(self.counts)]
        return f"of {self.total:,} codes: " + ", ".join(parts)


def _chosen(folder: Path, kind: str) -> dict[int, tuple[int, str, str]]:
    """For each vintage of ``kind``, the smallest catalogued lookup listing its codes:
    ``(size, lookup key, column)``."""
    catalogue = load_catalogue()
    chosen: dict[int, tuple[int, str, str]] = {}
    for key, entry in catalogue.lookups.items():
        path = folder / entry["file"]
        if not path.is_file() or entry.get("reconstructed"):
            continue
        for column in entry.get("columns", []):
            parsed = parse_ons_field(column)
            if parsed is None or parsed.part != "CD" or field_kind(column) != kind:
                continue
            size = path.stat().st_size
            if parsed.vintage not in chosen or size < chosen[parsed.vintage][0]:
                chosen[parsed.vintage] = (size, key, column)
    return chosen


@cache
def _code_lists(folder: Path, kind: str) -> dict[int, tuple[frozenset[str], str]]:
    """For each vintage of ``kind``, the codes of the smallest catalogued lookup listing it."""
    catalogue = load_catalogue()
    chosen = _chosen(folder, kind)
    lists: dict[int, tuple[frozenset[str], str]] = {}
    for vintage, (_, key, column) in chosen.items():
        path = folder / catalogue.lookups[key]["file"]
        codes = pd.read_csv(path, usecols=[column], dtype=str)[column].dropna().str.strip()
        lists[vintage] = (frozenset(codes.unique().tolist()), key)
    return lists


def code_list_files(kind: str, data: str | os.PathLike[str] | None = None) -> list[Path]:
    """The lookup files whose columns give ``kind``'s code lists (what a layer's vintage
    notes depend on besides the layer itself)."""
    try:
        folder = data_dir(data)
    except StpgeoError:
        return []
    catalogue = load_catalogue()
    return sorted({folder / catalogue.lookups[key]["file"]
                   for _, key, _ in _chosen(folder, kind).values()})


def catalogued_lookups(data: str | os.PathLike[str] | None = None) -> list[tuple[str, int]]:
    """The catalogued lookups present in the data directory, with their sizes: which of
    them give the code lists (:func:`code_list_files`) depends on nothing else."""
    try:
        folder = data_dir(data)
    except StpgeoError:
        return []
    present = [folder / entry["file"] for entry in load_catalogue().lookups.values()]
    return [(str(path), path.stat().st_size) for path in present if path.is_file()]


def match_vintages(codes: Iterable[str], kind: str,
                   data: str | os.PathLike[str] | None = None) -> VintageMatch | None:
    """Match codes against each vintage's code list; None when no list is available."""
    try:
        folder = data_dir(data)
    except StpgeoError:
        return None
    lists = _code_lists(folder, kind)
    if not lists:
        return None
    wanted = set(codes)
    counts = {v: len(wanted & listed) for v, (listed, _) in lists.items()}
    match = VintageMatch(kind=kind, counts=counts, total=len(wanted),
                         lookups={v: key for v, (_, key) in lists.items()}, mixed={})
    best = match.best
    if best is None:
        return match
    outside_best = wanted - lists[best][0]
    mixed = {v: len(outside_best & listed) for v, (listed, _) in lists.items() if v != best}
    return VintageMatch(kind=kind, counts=counts, total=len(wanted), lookups=match.lookups,
                        mixed={v: n for v, n in mixed.items() if n})


#: The order of the levels of one date (CCGs before STPs, as ONS's lookups list them).
_LEVEL_ORDER = {"ccg": 0, "sicbl": 1, "stp": 2, "icb": 3}


@dataclass(frozen=True)
class FootprintVintage:
    """A footprint geography built exactly from LSOAs with one ONS lookup.

    Attributes
    ----------
    name
        Its short name, e.g. ``"CCG15"``, ``"ICB22"`` (a proposal's: its own).
    level
        What the footprints were called: ``ccg``, ``sicbl`` (sub-ICB location), ``stp``
        or ``icb`` (see :mod:`stpgeo.ons.codes`).
    date
        The date the footprints took effect (None for a proposal).
    lookup
        The catalogue key of its LSOA lookup (``"143"``, ``"lsoa11_sicbl22"``).
    column, councils
        The lookup's columns of footprint codes and of the same vintage's councils.
    proposal
        For a proposed map: where it came from (its file); None for ONS's vintages.
    generation
        The LSOAs it is made of (:mod:`stpgeo.ons.generations`): 2011 up to July 2022.
    reconstructed
        True when its lookup is a reconstruction, not ONS's file (said in its title).
    base
        For a proposal: the vintage it changes (said in its title).
    """

    name: str
    level: str
    date: dt.date | None
    lookup: str
    column: str
    councils: str
    proposal: str | None = None
    generation: Generation = LSOA11
    reconstructed: bool = False
    base: str | None = None

    @property
    def kind(self) -> str:
        """``ccg`` (CCGs, then sub-ICB locations) or ``stp`` (STPs, then ICBs): the series
        the vintage belongs to."""
        return LEVEL_KINDS[self.level]

    @property
    def year(self) -> int | None:
        return self.date.year if self.date is not None else None

    @property
    def title(self) -> str:
        """What the footprints are, for people: ``'ICB 2022'``, ``'sub-ICB location 2022'``."""
        level = SHORT_TITLES[self.level]
        if self.proposal is not None:
            return f"proposal {self.name} ({level}s" + (f", on {self.base})" if self.base
                                                          else ")")
        return f"{level} {self.year}" + (", reconstructed" if self.reconstructed else "")

    @property
    def when(self) -> str:
        """The date in words: ``'1 July 2022'`` (``'as proposed'`` for a proposal)."""
        if self.date is None:
            return "as proposed"
        return f"{self.date.day} {self.date:%B %Y}"


def _vintage(name: str, entry: dict[str, object], catalogue: Catalogue) -> FootprintVintage:
    level, column = str(entry.get("level")), str(entry.get("column"))
    if level not in LEVEL_KINDS or field_level(column) != level \
            or field_kind(column) != LEVEL_KINDS[level]:
        raise StpgeoError(f"the catalogue's vintage {name} has level {level!r} and column "
                          f"{column!r}, which do not agree",
                          source="boundaries/catalogue.toml",
                          fix="give a level among ccg, sicbl, stp, icb and its ONS column")
    date = entry.get("date")
    lookup = str(entry["lookup"])
    return FootprintVintage(name=name, level=level,
                            date=date if isinstance(date, dt.date) else None,
                            lookup=lookup, column=column, councils=str(entry["councils"]),
                            generation=generation(str(entry.get("generation", "lsoa11"))),
                            reconstructed=bool(catalogue.lookups.get(lookup, {}).get(
                                "reconstructed", False)))


def order_key(vintage: FootprintVintage) -> tuple[bool, dt.date, int, int]:
    """Vintages in date order, CCGs before STPs on the same date, proposals last (those
    of the 2011 LSOAs before those of the 2021 LSOAs)."""
    return (vintage.proposal is not None, vintage.date or dt.date.max,
            vintage.generation.year, _LEVEL_ORDER[vintage.level])


def footprint_vintages(catalogue: Catalogue | None = None) -> list[FootprintVintage]:
    """Every footprint vintage the catalogue lists, in date order."""
    catalogue = catalogue or load_catalogue()
    found = [_vintage(name, entry, catalogue) for name, entry in catalogue.vintages.items()]
    return sorted(found, key=order_key)


def _official(vintage: FootprintVintage, catalogue: Catalogue, folder: Path) -> FootprintVintage:
    """A reconstructed vintage built with the publisher's own lookup instead, when the data
    directory holds it (``official`` in the catalogue: its lookup and council column)."""
    official = catalogue.vintages.get(vintage.name, {}).get("official")
    if not isinstance(official, dict) or official.get("lookup") not in catalogue.lookups:
        return vintage
    if not (folder / catalogue.lookups[official["lookup"]]["file"]).is_file():
        return vintage
    return replace(vintage, lookup=str(official["lookup"]),
                   councils=str(official.get("councils", vintage.councils)),
                   reconstructed=False)


def buildable_vintages(data: str | os.PathLike[str] | None = None) -> list[FootprintVintage]:
    """The catalogued vintages whose lookup is in the data directory (the publisher's own,
    where it holds one, rather than a reconstruction)."""
    catalogue = load_catalogue()
    folder = data_dir(data)
    found = [_official(v, catalogue, folder) for v in footprint_vintages(catalogue)]
    return [v for v in found if (folder / catalogue.lookups[v.lookup]["file"]).is_file()]


def choose_vintages(names: str | Sequence[str] | None = None, *,
                    data: str | os.PathLike[str] | None = None) -> list[FootprintVintage]:
    """The vintages asked for (``"CCG17,STP17"``, any case), or every buildable one.

    Raises
    ------
    StpgeoError
        For a name the catalogue does not list, or a vintage whose lookup is missing
        from the data directory (saying which file), or when none can be built.
    """
    catalogue = load_catalogue()
    listed = {v.name.upper(): v for v in footprint_vintages(catalogue)}
    if names is None:
        found = buildable_vintages(data)
        if not found:
            raise StpgeoError(
                f"the data directory {data_dir(data)} holds none of the lookups the "
                "footprint vintages are built with", fix="download the LSOA lookups listed "
                "in boundaries/catalogue.toml ([vintages]), e.g. ONS 143")
        return found
    wanted = [n.strip() for n in (names.split(",") if isinstance(names, str) else names)]
    wanted = [n for n in wanted if n]
    unknown = [n for n in wanted if n.upper() not in listed]
    if unknown or not wanted:
        raise StpgeoError(f"unknown footprint vintage{'s' if len(unknown) > 1 else ''}: "
                          f"{preview(unknown) or '(none given)'}",
                          fix=f"choose among {', '.join(v.name for v in listed.values())}, "
                          "comma-separated (e.g. --vintages CCG17,STP17,ICB22)")
    folder = data_dir(data)
    chosen = sorted({_official(listed[n.upper()], catalogue, folder) for n in wanted},
                    key=order_key)
    for vintage in chosen:
        path = folder / catalogue.lookups[vintage.lookup]["file"]
        if not path.is_file():
            entry = catalogue.lookups[vintage.lookup]
            raise StpgeoError(f"{vintage.name} is built with {entry['title']}, which is missing "
                              f"from the data directory {folder}", source=path,
                              fix=f"download it from {entry.get('url', 'ONS')}, or leave "
                              f"{vintage.name} out of --vintages")
    return chosen
