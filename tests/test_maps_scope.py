"""What a map shows (stpgeo.outputs.scope) and which analyses it reads (stpgeo.outputs.analyses).

The hand-made case is described in tests/mapcase.py: the expected scopes follow from
its table (C1's wards lie in F1 and F2; C4's piece in F2 is only a sliver).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stpgeo import StpgeoError
from stpgeo.analysis.result import Analysis
from stpgeo.maps import choose_scope, read_analyses
from stpgeo.outputs.analyses import as_analyses

from .mapcase import C1, C2, C3, C4, F1, F2, F3, codes_of, map_case


@pytest.fixture(scope="module")
def case() -> Analysis:
    return map_case()


def test_council_and_its_neighbours(case: Analysis) -> None:
    scope = choose_scope([case], council="Birmingham")
    assert scope.title == "Birmingham and its neighbours"
    assert scope.focus == C1
    assert scope.councils == sorted([C1, C2])  # not C4: its piece in F2 is a sliver
    assert set(scope.wards) == codes_of("A1", "A2", "A3", "B1", "B2")
    assert scope.footprints == [sorted([F1, F2])]


def test_council_by_code_draws_the_footprints_its_wards_touch(case: Analysis) -> None:
    scope = choose_scope([case], council=C3)
    assert scope.councils == sorted([C3, C4])
    assert set(scope.wards) == codes_of("C3", "D1", "D2")
    assert scope.footprints == [sorted([F2, F3])]  # D1's sliver in F2 is drawn, for context


def test_footprint_and_the_councils_touching_it(case: Analysis) -> None:
    scope = choose_scope([case], footprint="the black country")
    assert scope.title == "The Black Country and its councils"
    assert scope.focus is None
    assert scope.councils == sorted([C1, C2])
    assert choose_scope([case], footprint=F3).councils == sorted([C3, C4])


def test_everything(case: Analysis) -> None:
    scope = choose_scope([case])
    assert scope.title == "All 8 wards"
    assert len(scope.wards) == 8
    assert scope.councils == sorted([C1, C2, C3, C4])
    assert scope.footprints == [sorted([F1, F2, F3])]


@pytest.mark.parametrize(("options", "message"), [
    ({"council": "Atlantis"}, "no council 'Atlantis' in the analysis; councils include "),
    ({"footprint": "Atlantis"}, "no footprint 'Atlantis' in the analysis; footprints include "),
    ({"council": "Birmingham", "footprint": F1}, "a council or a footprint, not both"),
])
def test_unknown_names_are_refused_listing_valid_ones(case: Analysis, options: dict[str, str],
                                                      message: str) -> None:
    with pytest.raises(StpgeoError, match=message) as error:
        choose_scope([case], **options)
    if "Atlantis" in message:
        assert ("Birmingham" in str(error.value)) or ("The Black Country" in str(error.value))
        assert "how to fix" in str(error.value)


def test_analysis_folders_and_demo_folders(case: Analysis, tmp_path: Path) -> None:
    case.write(tmp_path / "one")
    coarse = map_case()
    coarse.footprints = coarse.footprints.iloc[:1]  # fewer footprints: mapped first
    coarse.summary = {**coarse.summary, "name": "coarse"}
    (tmp_path / "demo").mkdir()
    case.write(tmp_path / "demo" / "a_fine")
    coarse.write(tmp_path / "demo" / "b_coarse")
    assert [a.name for a in read_analyses(tmp_path / "demo")] == ["coarse", case.name]
    assert len(read_analyses(tmp_path / "one", tmp_path / "demo")) == 3
    assert len(as_analyses({"x": case, "y": case})) == 2
    assert as_analyses(str(tmp_path / "one"))[0].name == case.name
    (tmp_path / "empty").mkdir()
    with pytest.raises(StpgeoError, match="neither an analysis folder nor a folder of"):
        read_analyses(tmp_path / "empty")
    with pytest.raises(StpgeoError, match="not an stpgeo analysis folder"):
        read_analyses(tmp_path / "missing")
    with pytest.raises(StpgeoError, match="nothing to map"):
        as_analyses([case, "folder"])  # type: ignore[list-item]
