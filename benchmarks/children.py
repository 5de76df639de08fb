"""Running a command in a child process: its wall time, peak memory, exit status and errors.

The commands stpgeo's users run (``stpgeo demo``, ``stpgeo analyse``) and the plain
geopandas pipeline they are compared with run in child processes, so that each one's
wall time and peak memory (the child's maximum resident set size, from
:func:`os.wait4`) are what a user would see. The benchmark runs them before it loads
any data itself: Linux counts in a child's peak the memory of the process it was
forked from.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

#: The repository's folder (the children import ``benchmarks`` from it).
ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Child:
    """What a child process did: wall seconds, peak memory (GiB), exit status, stderr."""

    wall: float
    peak_gib: float
    status: int
    errors: str

    def check(self, what: str) -> None:
        """Raise when the child failed, with the end of what it said."""
        if self.status != 0:
            raise RuntimeError(f"{what} failed (exit {self.status}): {self.errors[-800:]}")


def run_child(argv: list[str], *, env: Mapping[str, str] | None = None) -> Child:
    """Run ``argv`` (a Python module or script's arguments after ``python``) in a child."""
    command = [sys.executable, *argv]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors, cwd=ROOT,
                                 env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)  # (reaped here, not by Popen)
        errors.seek(0)
        message = errors.read().decode(errors="replace").strip()
    return Child(wall, usage.ru_maxrss / 2**20, child.returncode, message)


def run_stpgeo(args: list[str], *, data: Path, env: Mapping[str, str] | None = None) -> Child:
    """Run ``stpgeo ARGS --data DATA --quiet`` in a child."""
    return run_child(["-c", "import sys; from stpgeo.cli import main; sys.exit(main())", *args,
                      "--data", str(data), "--quiet"], env=env)
