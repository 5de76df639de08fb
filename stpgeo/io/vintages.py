"""Which vintage a layer's codes belong to, judged against ONS's own code lists.

A field called ``WD16CD`` says its vintage; a field called ``code`` does not. The
catalogued ONS lookups in the data directory list every code of each vintage
(``WD16CD`` in lookup 032, ``STP19CD`` in 028...), so a layer's codes can be
checked against them: the vintage whose list holds the most of them (the latest,
on a tie) is the layer's; codes found only in another vintage's list mean the
layer mixes vintages.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from stpgeo.errors import StpgeoError
from stpgeo.io.catalogue import data_dir, load_catalogue
from stpgeo.ons.codes import field_kind, parse_ons_field


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
        if not path.is_file():
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
        lists[vintage] = (frozenset(codes), key)
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
