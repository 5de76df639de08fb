"""Notebooks are committed without outputs (CI executes them: see pyproject's --nbmake)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))


def test_the_three_notebooks_exist() -> None:
    assert [p.name for p in NOTEBOOKS] == ["01_west_birmingham.ipynb",
                                            "02_england_coterminosity.ipynb",
                                            "03_boundary_vintages.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_has_no_outputs_and_ends_with_checks(path: Path) -> None:
    book = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in book["cells"] if c["cell_type"] == "code"]
    assert all(not c["outputs"] and c["execution_count"] is None for c in code)
    assert "assert" in "".join(code[-1]["source"])
    assert "stpgeo.data_dir()" in "".join("".join(c["source"]) for c in code)
