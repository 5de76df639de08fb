"""The like-for-like work of issue 23, as a planner types it and as a researcher writes it.

The work: the STPs and CCGs of 2017 built from the LSOAs with ONS lookup 143, then the
wards analysed against each, with lookup 143 as the council and block-footprint lookup,
lookup 114 as the block-ward lookup and the residents of mid-2017.

- :func:`commands`: the four ``stpgeo`` commands (``build`` twice, ``analyse`` twice),
  each run as a child process by :mod:`benchmarks.like_for_like`;
- :func:`in_one_process`: the same through the Python API in one process
  (``python -m benchmarks.sequence DATA OUT``), as in a notebook.

Both write ``OUT/STP17CD/`` and ``OUT/CCG17CD/`` (the analyses' result folders).
"""

from __future__ import annotations

import sys
from pathlib import Path

from .inputs import BLOCK_LOOKUP, BLOCK_WARDS, LSOAS, POPULATION, WARDS

#: The footprint layers built and analysed: the lookup column of each.
BY = ("STP17CD", "CCG17CD")


def commands(out: Path) -> list[list[str]]:
    """The ``stpgeo`` command lines (without ``stpgeo``, ``--data`` and ``-q``)."""
    builds = [["build", "--blocks", LSOAS, "--lookup", BLOCK_LOOKUP, "--by", by,
               "--out", str(out / f"{by}.gpkg")] for by in BY]
    analyses = [["analyse", "--wards", WARDS, "--footprints", str(out / f"{by}.gpkg"),
                 "--blocks", LSOAS, "--population", POPULATION, "--councils", BLOCK_LOOKUP,
                 "--block-wards", BLOCK_WARDS, "--block-footprints", BLOCK_LOOKUP,
                 "--out", str(out / by)] for by in BY]
    return builds + analyses


def in_one_process(data: Path, out: Path) -> None:
    """The same work through the Python API, in this process."""
    import stpgeo

    footprints = {by: stpgeo.build_footprints(data / LSOAS, data / BLOCK_LOOKUP, by=by)
                  for by in BY}
    analyses = stpgeo.analyse_many(
        data / WARDS, footprints, blocks=data / LSOAS, population=data / POPULATION,
        councils=data / BLOCK_LOOKUP, block_wards=data / BLOCK_WARDS,
        block_footprints=data / BLOCK_LOOKUP)
    for by, analysis in analyses.items():
        analysis.write(out / by)


if __name__ == "__main__":
    in_one_process(Path(sys.argv[1]), Path(sys.argv[2]))
