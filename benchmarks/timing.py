"""Timing several contenders, interleaved, and keeping their medians.

The contenders of a comparison run in turn within each repeat (A, B, A, B...), so
a noisy neighbour on a shared machine slows both rather than one.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Timed:
    """The times of one contender, and the answer of its last run."""

    name: str
    seconds: list[float] = field(default_factory=list)
    answer: Any = None

    @property
    def median(self) -> float:
        """Median wall time in seconds (NaN when it never ran)."""
        return statistics.median(self.seconds) if self.seconds else float("nan")


def race(contenders: dict[str, Callable[[], Any]], *, repeats: int) -> dict[str, Timed]:
    """Run each contender ``repeats`` times, interleaved; wall times and last answers.

    Examples
    --------
    >>> timed = race({"sum": lambda: sum(range(10))}, repeats=2)
    >>> len(timed["sum"].seconds), timed["sum"].answer
    (2, 45)
    """
    timed = {name: Timed(name) for name in contenders}
    for _ in range(repeats):
        for name, run in contenders.items():
            timed[name].answer = None  # free the previous answer before timing again
            gc.collect()
            started = time.perf_counter()
            answer = run()
            timed[name].seconds.append(time.perf_counter() - started)
            timed[name].answer = answer
    return timed
