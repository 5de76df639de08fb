"""``stpgeo timeline`` on the hand-made case laid out as a data directory."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from stpgeo.cli import main

from . import timeline_case as case


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return case.write_data(tmp_path_factory.mktemp("timeline") / "data")


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_it_writes_the_folder_and_tells_the_story(data: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    proposal = tmp_path / "merger.csv"
    proposal.write_text(f"code,proposed_code,proposed_name\n{case.G1},P01,Merged\n"
                        f"{case.G2},P01,Merged\n", encoding="utf-8")
    out = tmp_path / "out"
    code, stdout, err = _run(capsys, "timeline", "--data", str(data), "--council", "Birmingham",
                             "--proposal", str(proposal), "--out", str(out))
    assert code == 0, err
    assert {p.name for p in out.iterdir()} >= {"timeline.csv", "ward_timeline.csv",
                                               "changes.csv", "trend.csv", "timeline.html",
                                               "trend.png", "summary.json", "moves.csv"}
    table = pd.read_csv(out / "timeline.csv")
    assert table["vintage"].tolist() == ["CCG17", "STP17", "SICBL22", "ICB22", "merger"]
    assert table["population_outside_home"].tolist() == [400, 400, 0, 0, 0]
    assert "400 residents of Birmingham in W2 moved from S2" in stdout
    assert "stpgeo: vintage 5 of 5: proposal merger (ICBs, on ICB22)" in err  # progress per vintage
    assert f"timeline written to {out}" in stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--vintages", "CCG17,CCG19"], "unknown footprint vintage: CCG19"),
    (["--vintages", "CCG15"], "CCG15 is built with"),
    (["--council", "Nowhere"], "no council 'Nowhere'"),
    (["--proposal", "{bad}"], "row 2 has an empty cell"),
    (["--tolerance", "0.7"], "0.7 is not in the range"),
], ids=["unknown-vintage", "missing-lookup", "unknown-council", "bad-proposal", "tolerance"])
def test_bad_input_exits_2_and_writes_nothing(data: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str],
                                              args: list[str], message: str) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("code,proposed_code,proposed_name\nE54000055,,Merged\n", encoding="utf-8")
    out = tmp_path / "out"
    args = [a.replace("{bad}", str(bad)) for a in args]
    code, _, err = _run(capsys, "timeline", "--data", str(data), *args, "--out", str(out), "-q")
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.csv"]  # no staging folder left
