"""Which analyses a map shows: Analysis objects, or folders written by stpgeo.

A folder is either one analysis (written by ``stpgeo analyse``: it holds
``ward_verdicts.csv``) or a folder of analyses (written by ``stpgeo demo``: it
holds ``stp17/`` and ``ccg17/``). The analyses of such a folder are ordered
coarsest first (fewest footprints): in the demo the STPs are primary, colouring
the wards, and the CCGs come second. Analyses given explicitly keep their order.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TypeAlias

from stpgeo.analysis.result import Analysis
from stpgeo.errors import StpgeoError

#: One analysis, several, or folders holding them.
AnalysesInput: TypeAlias = (
    "Analysis | Sequence[Analysis] | Mapping[str, Analysis] | str | os.PathLike[str] "
    "| Sequence[str | os.PathLike[str]]")

_MARKER = "ward_verdicts.csv"


def read_analyses(*folders: str | os.PathLike[str]) -> list[Analysis]:
    """Read analysis folders, or folders of analysis folders (coarsest first).

    Raises
    ------
    StpgeoError
        When a folder is neither, or no folder is given.
    """
    if not folders:
        raise StpgeoError("no analysis folder given",
                          fix="give a folder written by stpgeo analyse or stpgeo demo")
    analyses: list[Analysis] = []
    for given in folders:
        folder = Path(given)
        if (folder / _MARKER).is_file() or not folder.is_dir():
            analyses.append(Analysis.read(folder))  # says what is missing
            continue
        inner = sorted(p for p in folder.iterdir() if (p / _MARKER).is_file())
        if not inner:
            raise StpgeoError("neither an analysis folder nor a folder of analyses (no "
                              f"{_MARKER} in it or in its subfolders)", source=folder,
                              fix="give a folder written by stpgeo analyse or stpgeo demo")
        found = [Analysis.read(p) for p in inner]
        analyses += sorted(found, key=lambda a: len(a.footprints))
    return analyses


def as_analyses(given: AnalysesInput) -> list[Analysis]:
    """The analyses to map, primary first, from any of the forms :func:`ward_map` takes."""
    if isinstance(given, Analysis):
        return [given]
    if isinstance(given, str | os.PathLike):
        return read_analyses(given)
    found: list[object] = list(given.values() if isinstance(given, Mapping) else given)
    analyses = [a for a in found if isinstance(a, Analysis)]
    if found and len(analyses) == len(found):
        return analyses
    folders = [f for f in found if isinstance(f, str | os.PathLike)]
    if found and len(folders) == len(found):
        return read_analyses(*folders)
    raise StpgeoError("nothing to map: give analyses or the folders they were written to",
                      fix="pass an Analysis, a list or dict of them, or folder paths")
