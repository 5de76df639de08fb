"""Progress in Jupyter: one line under the cell, updated in place, and no stderr.

The notebooks are run in a real kernel (nbclient, as nbmake runs them) and their outputs
read: a progress message must never be a stderr stream (which Jupyter shows as a pink
box, read as a warning).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).parents[1] / "notebooks"


def _run(book: Any, folder: Path) -> Any:
    NotebookClient(book, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    return book


def _progress_on_stderr(book: Any) -> list[str]:
    return [o.get("text", "") for c in book.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if o.get("output_type") == "stream"
            and o.get("name") == "stderr" and "stpgeo:" in o.get("text", "")]


def _lines(cell: Any) -> list[str]:
    return [o["data"]["text/plain"] for o in cell.outputs if o.output_type == "display_data"]


@pytest.mark.slow
def test_progress_is_one_updated_line_per_cell(tmp_path: Path) -> None:
    code = nbformat.v4.new_code_cell
    book = nbformat.v4.new_notebook(cells=[
        code("import stpgeo\nfrom stpgeo import progress\n"
             "progress.ANNOUNCE_AFTER_S = 0.0  # every step announced\nstpgeo.show_progress()"),
        code("import time\nfor what in ('reading', 'overlapping'):\n"
             "    with progress.step(what):\n        time.sleep(0.05)"),
        code("with progress.step('writing'):\n    time.sleep(0.05)"),
        code("stpgeo.show_progress(False)\nwith progress.step('quiet'):\n    time.sleep(0.05)"),
    ])
    _run(book, tmp_path)
    assert _progress_on_stderr(book) == []
    # Four messages in the second cell (two announced, two done), one line left: the last.
    second, third, fourth = book.cells[1:]
    assert len(_lines(second)) == 1
    assert _lines(second)[0].startswith("stpgeo: overlapping: done in ")
    assert [line.split(":")[1] for line in _lines(third)] == [" writing"]
    assert _lines(fourth) == []


@pytest.mark.realdata
@pytest.mark.slow
def test_notebook_01_shows_no_progress_on_stderr(tmp_path: Path) -> None:
    book = _run(nbformat.read(NOTEBOOKS / "01_west_birmingham.ipynb", as_version=4), NOTEBOOKS)
    assert _progress_on_stderr(book) == []
    assert any(line.startswith("stpgeo: ") for c in book.cells if c.cell_type == "code"
               for line in _lines(c))
