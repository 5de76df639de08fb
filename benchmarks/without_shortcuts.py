"""``stpgeo demo`` without the cache and without the block shortcut: the reference its tables
are checked against (``python -m benchmarks.without_shortcuts DATA OUT``).

Every footprint layer takes the overlay route (:mod:`stpgeo.engine.overlap`), as before
footprints made of whole blocks were summed from the ward × block table, and nothing is
read from or written to a cache.
"""

from __future__ import annotations

import sys
from pathlib import Path

from stpgeo.analysis import pipeline
from stpgeo.analysis.whole_blocks import Route
from stpgeo.demo import run_demo


def without_shortcuts(data: Path, out: Path) -> None:
    """Run the demo into ``out`` with the overlay route for every layer and no cache."""
    pipeline.built_route = lambda *_: None
    pipeline.lookup_route = lambda *_: Route("overlay", "the block shortcut is off")
    run_demo(out, data=data, cache=False)


if __name__ == "__main__":
    without_shortcuts(Path(sys.argv[1]), Path(sys.argv[2]))
