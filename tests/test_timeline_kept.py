"""Each vintage's tables kept in the cache (stpgeo.analysis.timeline.kept), on the
hand-made case of tests/timeline_case.py: a run again reads them, equal to those made;
a changed lookup or tolerance is computed afresh."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import stpgeo
from stpgeo.analysis.timeline import kept
from stpgeo.analysis.timeline.result import Timeline
from stpgeo.io.cache import ENV_VAR

from . import timeline_case as case

TABLES = ["timeline", "ward_timeline", "changes", "trend", "moves"]


def _timeline(lookups: dict[str, pd.DataFrame] | None = None, **options: Any) -> Timeline:
    return stpgeo.timeline(england=True, vintages=case.VINTAGES, wards=case.wards(),
                           blocks=case.blocks(), population=case.population(),
                           block_wards=case.block_wards(), lookups=lookups or case.lookups(),
                           **options)


@pytest.fixture
def made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count the vintages whose tables are made (not read from the cache)."""
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "cache"))
    names: list[str] = []
    real = kept.run_vintage

    def counted(work: Any, vmap: Any, *args: Any, **kwargs: Any) -> Any:
        names.append(vmap.name)
        return real(work, vmap, *args, **kwargs)

    monkeypatch.setattr(kept, "run_vintage", counted)
    return names


def test_a_timeline_run_again_reads_each_vintage_equal(made: list[str]) -> None:
    first = _timeline()
    assert made == ["CCG17", "STP17", "ICB22"]
    again = _timeline()
    assert made == ["CCG17", "STP17", "ICB22"]  # nothing made the second time
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(again, name), getattr(first, name))
    for name, result in first.state.results.items():
        read = again.state.results[name]
        for table in ["blocks", "pieces", "ward_council", "verdicts", "councils", "every"]:
            pd.testing.assert_frame_equal(getattr(read, table), getattr(result, table),
                                          check_exact=True)
        pd.testing.assert_series_equal(read.homes, result.homes, check_exact=True)
        pd.testing.assert_series_equal(read.footprint_population,
                                       result.footprint_population, check_exact=True)
        assert read.checks == result.checks
    assert again.state.results["CCG17"].homes[case.C1] == [case.F1]  # a list, as made
    # on paper: C1's 400 residents of b4 live outside its home F1 in 2017, none in 2022
    outside = again.timeline.set_index(["vintage", "council_code"])["population_outside_home"]
    assert outside[("CCG17", case.C1)] == 400
    assert outside[("ICB22", case.C1)] == 0


def test_a_changed_lookup_or_tolerance_is_computed_afresh(made: list[str]) -> None:
    _timeline()
    lookups = case.lookups()
    moved = lookups["143"].copy()
    moved.loc[moved["LSOA11CD"] == case.BLOCKS[3], ["CCG17CD", "CCG17NM"]] = [
        case.F1, "NHS F1 CCG"]  # b4 into F1
    changed = _timeline(lookups={**lookups, "143": moved})
    assert made[3:] == ["CCG17"]  # STP17 and ICB22 are as they were
    # on paper: with b4 in F1, C1 (b1..b4) lies wholly in F1 in CCG17
    outside = changed.timeline.set_index(["vintage", "council_code"])["population_outside_home"]
    assert outside[("CCG17", case.C1)] == 0
    assert outside[("STP17", case.C1)] == 400
    _timeline(tolerance=0.01)
    assert made[4:] == ["CCG17", "STP17", "ICB22"]


def test_without_the_cache_every_vintage_is_made(made: list[str]) -> None:
    _timeline(cache=False)
    _timeline(cache=False)
    assert made == ["CCG17", "STP17", "ICB22"] * 2
