"""Running shapely's vectorised functions on all cores.

shapely releases the GIL inside GEOS, so threads share the work of one call. These
keep it safe and balanced:

- :func:`in_threads` cuts aligned arrays into chunks of :data:`CHUNK` items, handed
  out as the threads free up (a run of slow items does not keep one core busy while
  the other waits);
- :func:`each_in_threads` applies a function to each of a few big items (the blocks of
  each footprint), the biggest first;
- :func:`coverage_in_threads` runs a function of a whole coverage whose answer for
  each polygon depends only on the polygons whose bounding boxes meet its own
  (:func:`shapely.coverage_invalid_edges`): the polygons are cut into strips west to
  east, and each strip is run with its neighbours, so each answer is the one the
  whole coverage gives;
- :func:`prepared_in_threads` runs a predicate on prepared polygons with each
  prepared polygon used by one thread only: GEOS builds a prepared polygon's indexes
  lazily, on first use, and two threads building them at once crash. A polygon used
  by many pairs (a union) is copied for each thread instead.

Examples
--------
>>> import shapely
>>> boxes = np.array([shapely.box(0, 0, 2, 2)] * 3)
>>> points = np.array([shapely.Point(1, 1), shapely.Point(3, 3), shapely.Point(1, 1)])
>>> prepared_in_threads(shapely.contains_properly, boxes, np.arange(3), points).tolist()
[True, False, True]
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import shapely

#: Items per chunk handed to a worker thread.
CHUNK = 256
#: Strips per worker thread in :func:`coverage_in_threads` (a few, for balance; each
#: strip also reruns its neighbours along the cut).
STRIPS_PER_WORKER = 2


def _workers(n: int) -> int:
    return min(os.cpu_count() or 1, max(1, math.ceil(n / CHUNK)))


def in_threads(function: Callable[..., np.ndarray], *arrays: np.ndarray) -> np.ndarray:
    """Apply a vectorised shapely function to aligned arrays, in chunks over all cores."""
    n = len(arrays[0])
    chunks = max(1, math.ceil(n / CHUNK))
    if _workers(n) == 1:
        return np.asarray(function(*arrays))
    bounds = np.array_split(np.arange(n), chunks)
    with ThreadPoolExecutor(_workers(n)) as pool:
        parts = list(pool.map(lambda ix: function(*(a[ix] for a in arrays)), bounds))
    return np.concatenate(parts)


def each_in_threads(function: Callable[[Any], Any], items: Sequence[Any],
                    sizes: Sequence[int]) -> list[Any]:
    """``[function(item) for item in items]`` on all cores, the biggest items started first
    (so that one big item started last does not keep one core busy alone).

    Examples
    --------
    >>> each_in_threads(len, ["ab", "abcd", ""], sizes=[2, 4, 0])
    [2, 4, 0]
    """
    if _workers(int(sum(sizes))) == 1 or len(items) < 2:
        return [function(item) for item in items]
    order = np.argsort(-np.asarray(sizes), kind="stable")
    results: list[Any] = [None] * len(items)
    with ThreadPoolExecutor(_workers(int(sum(sizes)))) as pool:
        for at, result in zip(order, pool.map(lambda i: function(items[i]), order),
                              strict=True):
            results[at] = result
    return results


def coverage_in_threads(function: Callable[[np.ndarray], np.ndarray],
                        polygons: np.ndarray) -> np.ndarray:
    """``function(polygons)`` on all cores, for a function of a coverage whose answer for
    each polygon depends only on the polygons whose bounding boxes meet its own.

    The polygons are cut into strips of about equal size west to east; each strip is
    given to ``function`` with the polygons whose boxes meet its polygons' boxes, and
    only the strip's own answers are kept.

    Examples
    --------
    >>> row = np.array([shapely.box(i, 0, i + 1, 1) for i in range(4)])
    >>> row[2] = shapely.box(1.9, 0, 3, 1)  # overlaps the second
    >>> unmatched = lambda p: ~shapely.is_empty(shapely.coverage_invalid_edges(p))
    >>> coverage_in_threads(unmatched, row).tolist()
    [False, True, True, False]
    """
    n = len(polygons)
    workers = _workers(n)
    if workers == 1:
        return np.asarray(function(polygons))
    bounds = shapely.bounds(polygons)
    west_to_east = np.argsort(bounds[:, 0] + bounds[:, 2], kind="stable")
    strips = np.array_split(west_to_east, workers * STRIPS_PER_WORKER)
    tree = shapely.STRtree(polygons)

    def run(strip: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        around = np.union1d(strip, tree.query(polygons[strip])[1])
        return strip, np.asarray(function(polygons[around]))[np.searchsorted(around, strip)]

    with ThreadPoolExecutor(workers) as pool:
        parts = list(pool.map(run, strips))
    result = np.empty(n, dtype=parts[0][1].dtype)
    for strip, answers in parts:
        result[strip] = answers
    return result


def _deal(counts: np.ndarray, workers: int) -> np.ndarray:
    """Give each polygon to a worker, the busiest first to the least loaded."""
    owner = np.zeros(len(counts), dtype=int)
    load = np.zeros(workers)
    for polygon in np.argsort(-counts, kind="stable"):
        if counts[polygon] == 0:
            break
        worker = int(load.argmin())
        owner[polygon] = worker
        load[worker] += counts[polygon]
    return owner


def _copies(geometry: shapely.Geometry, n: int) -> Sequence[shapely.Geometry]:
    """``n`` independent copies of a geometry (each can be prepared by its own thread)."""
    wkb = shapely.to_wkb(geometry)
    return [shapely.from_wkb(wkb) for _ in range(n)]


def prepared_in_threads(predicate: Callable[..., np.ndarray], outer: np.ndarray,
                        outer_at: np.ndarray, inner: np.ndarray) -> np.ndarray:
    """``predicate(outer[outer_at], inner)`` on all cores, ``outer`` prepared.

    Parameters
    ----------
    predicate
        A shapely predicate (``intersects``, ``contains_properly``, ``covers``...).
    outer
        The polygons to prepare; each is used by one thread only, except a single
        polygon shared by every pair, which is copied for each thread.
    outer_at
        For each pair, the position of its outer polygon.
    inner
        The other geometry of each pair.
    """
    n = len(outer_at)
    workers = _workers(n)
    if workers == 1 or len(outer) == 0:
        shapely.prepare(outer)
        return np.asarray(predicate(outer[outer_at], inner), dtype=bool)
    if len(outer) == 1:
        groups = np.array_split(np.arange(n), workers)
        jobs = [(np.full(len(g), i), g) for i, g in enumerate(groups)]
        outers = np.array(_copies(outer[0], workers), dtype=object)
    else:
        owner = _deal(np.bincount(outer_at, minlength=len(outer)), workers)[outer_at]
        jobs = [(outer_at[owner == w], np.flatnonzero(owner == w)) for w in range(workers)]
        outers = outer
    result = np.zeros(n, dtype=bool)

    def run(job: tuple[np.ndarray, np.ndarray]) -> None:
        at, pairs = job
        chosen = outers[at]
        shapely.prepare(chosen)
        result[pairs] = predicate(chosen, inner[pairs])

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(run, jobs))
    return result
