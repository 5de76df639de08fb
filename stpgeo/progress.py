"""Progress messages for long steps, on stderr through :mod:`logging`.

Library code wraps its steps in :func:`step`: a step still running after a
second is announced, and its end is reported with its duration. Nothing is printed unless a
handler is attached, which the command-line interface does (``--quiet`` turns it
off). In a notebook, ``stpgeo.show_progress()`` turns the messages on: one line under
the cell, updated in place, not stderr (``show_progress(False)`` turns them off).

Examples
--------
>>> with step("counting sheep"):
...     sheep = sum(range(10))
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger("stpgeo")
logger.addHandler(logging.NullHandler())


#: Steps quicker than this are not announced.
ANNOUNCE_AFTER_S = 1.0


@contextmanager
def step(what: str) -> Iterator[None]:
    """Announce a step that takes more than a second, then say how long it took."""
    announced = threading.Event()

    def announce() -> None:
        announced.set()
        logger.info("%s ...", what)

    timer = threading.Timer(ANNOUNCE_AFTER_S, announce)
    timer.daemon = True
    started = time.perf_counter()
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
    if announced.is_set():
        logger.info("%s: done in %.1f s", what, time.perf_counter() - started)


def announce(what: str) -> None:
    """Say at once what is being done (a step of a loop: ``"vintage 3 of 10: CCG 2017"``)."""
    logger.info("%s", what)


@dataclass
class Timer:
    """Steps announced as by :func:`step`, with the seconds each took kept in ``seconds``.

    Examples
    --------
    >>> timer = Timer()
    >>> with timer("counting sheep"):
    ...     sheep = sum(range(10))
    >>> list(timer.seconds)
    ['counting sheep']
    """

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def __call__(self, what: str) -> Iterator[None]:
        started = time.perf_counter()
        with step(what):
            yield
        self.seconds[what] = round(time.perf_counter() - started, 3)


def in_notebook() -> bool:
    """Whether this runs in a Jupyter kernel (IPython's ZMQ shell), not a terminal."""
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    return type(shell).__name__ == "ZMQInteractiveShell"


class NotebookLine(logging.Handler):
    """Progress as one line under the cell, updated in place (an IPython display), rather
    than a box of stderr text per message, which notebooks show as warnings."""

    def __init__(self) -> None:
        super().__init__()
        self.cell: object = None
        self.line: Any = None

    def emit(self, record: logging.LogRecord) -> None:
        from IPython import get_ipython
        from IPython.display import display

        text = {"text/plain": self.format(record)}
        cell = getattr(get_ipython(), "execution_count", None)
        if self.line is None or cell != self.cell:  # a new line under each cell
            self.cell, self.line = cell, display(text, raw=True, display_id=True)
        else:
            self.line.update(text, raw=True)


def show_progress(enabled: bool = True, *, stream: object = None) -> None:
    """Show stpgeo's progress messages, or stop showing them.

    On a terminal (or to ``stream``) each message is a line on stderr; in a Jupyter
    notebook, one line under the cell that each message replaces (:class:`NotebookLine`).
    """
    for old in [h for h in logger.handlers if h.name == "stpgeo progress"]:
        logger.removeHandler(old)
    if enabled:
        handler: logging.Handler
        if stream is None and in_notebook():
            handler = NotebookLine()
        else:
            handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
        handler.setFormatter(logging.Formatter("stpgeo: %(message)s"))
        handler.set_name("stpgeo progress")
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    else:
        logger.setLevel(logging.WARNING)
