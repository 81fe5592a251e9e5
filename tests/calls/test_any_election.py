"""`ballotproof replay` on an election it was not built for: any candidates, units and modes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ballotproof.cli.app import app

UNITS = """unit,name,type,parent,electors
US,Nation,country,,0
AA,State A,state,US,5
BB,State B,state,US,3
CC,State C,state,US,4
BB-1,County B1,county,BB,0
BB-2,County B2,county,BB,0
"""


def _election(
    folder: Path, ids: tuple[str, str, str], votes: dict[str, tuple[int, int, int]]
) -> Path:
    folder.mkdir()
    (folder / "units.csv").write_text(UNITS, encoding="utf-8")
    rows = ["unit,choice,votes,party"]
    for unit, counts in votes.items():
        for cid, party, v in zip(ids, ("Blue", "Red", "Green"), counts, strict=True):
            rows.append(f"{unit},{cid},{v},{party}")
    (folder / "results.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


FEED = """state,time,total,expected_pct,unit,mode,votes_xavier,votes_yara,votes_zed
AA,2030-11-06T01:00:00Z,200000,40,,,120000,76000,4000
AA,2030-11-06T02:00:00Z,400000,80,,,236000,156000,8000
AA,2030-11-06T02:05:00Z,150000,80,,,60000,86000,4000
AA,2030-11-06T02:16:00Z,150000,80,,,60000,86000,4000
AA,2030-11-06T02:20:00Z,470000,95,,,275000,185000,10000
BB,2030-11-06T01:30:00Z,50000,50,BB-1,election-day,30000,19000,1000
BB,2030-11-06T01:40:00Z,40000,60,BB-2,mail,18000,21000,1000
BB,2030-11-06T03:00:00Z,90000,95,BB-1,election-day,54000,34000,2000
"""

CALLS = """state_po,desk,candidate,called_at_utc
AA,AP,xavier,2030-11-06T02:30:00Z
BB,AP,xavier,2030-11-06T04:00:00Z
"""


def _run(tmp_path: Path, *extra: str) -> dict[str, object]:
    data = _election(
        tmp_path / "e2030",
        ("xavier", "yara", "zed"),
        {
            "AA": (290_000, 195_000, 11_000),
            "BB": (80_000, 60_000, 3_000),
            "CC": (100_000, 140_000, 2_000),
            "BB-1": (56_000, 35_000, 2_000),
            "BB-2": (24_000, 25_000, 1_000),
        },
    )
    (tmp_path / "feed.csv").write_text(FEED, encoding="utf-8")
    (tmp_path / "calls.csv").write_text(CALLS, encoding="utf-8")
    args = ["replay", "--feed", str(tmp_path / "feed.csv"), "--data", str(data)]
    result = CliRunner().invoke(
        app, [*args, "--calls", str(tmp_path / "calls.csv"), *extra, "--json"]
    )
    assert result.exit_code == 0, result.output
    doc: dict[str, object] = json.loads(result.stdout)
    return doc


def test_any_election_is_replayed_with_candidates_by_id(tmp_path: Path) -> None:
    base = _election(
        tmp_path / "e2026",
        ("old_blue", "old_red", "old_green"),
        {"AA": (50, 50, 0), "BB": (50, 50, 0), "CC": (30, 70, 0)},
    )
    doc = _run(tmp_path, "--baseline", str(base))
    text = json.dumps(doc)
    assert "biden" not in text and "trump" not in text
    assert doc["candidates"] == ["xavier", "yara", "zed"]
    inputs = doc["inputs"]
    assert isinstance(inputs, dict)
    assert inputs["baseline"] == str(base) and inputs["calls"].endswith("calls.csv")
    assert inputs["feed_updates"] == 8
    states = doc["states"]
    assert isinstance(states, dict)
    aa = states["AA"]
    assert aa["call"]["candidate"] == "xavier" and aa["ap_call"]["candidate"] == "xavier"
    # The 250,000-vote drop lasted 15 minutes: held and rejected, never the count in use.
    kinds = [e["kind"] for e in aa["log"]]
    assert kinds[:2] == ["backwards", "dropped"] and "revision_accepted" not in kinds
    assert "after 15 min" in aa["log"][1]["detail"]
    # BB's counts come by county and mode: the state's count is their sum.
    assert states["BB"]["updates"] == 3
    assert states["BB"]["call"]["counted"] == 90_000 + 40_000  # BB-1's latest + BB-2's mail
    # CC has no returns: its prior from the baseline (yara's party won it 70-30).
    assert states["CC"]["prior"]["yara"] > 0.99
    assert states["CC"]["call"] is None
    ec = doc["electoral_college"]
    assert isinstance(ec, dict)
    assert set(ec["final"]["p_270"]) == {"xavier", "yara", "zed"}
    assert ec["final"]["p_270"]["zed"] == 0.0
    assert doc["backtest"]["wrong_calls"] == []  # type: ignore[index]


def test_a_feed_candidate_the_results_do_not_know_is_one_line_error(tmp_path: Path) -> None:
    data = _election(tmp_path / "e", ("a", "b", "c"), {"AA": (1, 2, 3)})
    (tmp_path / "feed.csv").write_text(FEED, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["replay", "--feed", str(tmp_path / "feed.csv"), "--data", str(data)]
    )
    assert result.exit_code == 1
    assert "feed.csv" in result.output
    assert "candidate 'xavier' (column votes_xavier) is not a choice" in result.output


def test_a_bad_vote_mode_names_file_line_and_field(tmp_path: Path) -> None:
    data = _election(tmp_path / "e", ("xavier", "yara", "zed"), {"AA": (1, 2, 3)})
    bad = FEED.replace("BB-2,mail", "BB-2,postal")
    (tmp_path / "feed.csv").write_text(bad, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["replay", "--feed", str(tmp_path / "feed.csv"), "--data", str(data)]
    )
    assert result.exit_code == 1
    assert "feed.csv:8: field 'mode': expected one of election-day, early, mail, provisional" in (
        " ".join(result.output.split())
    )


def test_a_feed_by_county_with_a_county_baseline_sees_through_the_mirage(tmp_path: Path) -> None:
    """BB's first county (yara's) has counted everything; the second (xavier's in the
    baseline, as large) has not reported. The count says yara; the unit model says xavier."""
    data = _election(
        tmp_path / "e2030",
        ("xavier", "yara", "zed"),
        {"AA": (5, 4, 0), "BB": (9, 8, 0), "CC": (1, 2, 0), "BB-1": (1, 2, 0), "BB-2": (8, 6, 0)},
    )
    base = _election(
        tmp_path / "e2026",
        ("old_blue", "old_red", "old_green"),
        {
            "AA": (5, 4, 0),
            "BB": (100_000, 100_000, 0),
            "CC": (1, 2, 0),
            "BB-1": (40_000, 60_000, 0),
            "BB-2": (70_000, 30_000, 0),
        },
    )
    feed = (
        "state,time,total,expected_pct,unit,mode,votes_xavier,votes_yara,votes_zed\n"
        "BB,2030-11-06T01:30:00Z,60000,60,BB-1,,24000,36000,0\n"
        "BB,2030-11-06T02:30:00Z,101000,100,BB-1,,40500,60500,0\n"
    )
    (tmp_path / "feed.csv").write_text(feed, encoding="utf-8")
    args = ["replay", "--feed", str(tmp_path / "feed.csv"), "--data", str(data)]
    result = CliRunner().invoke(app, [*args, "--baseline", str(base), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["inputs"]["unit_model_states"] == ["BB"]
    bb = doc["states"]["BB"]
    # yara leads the count by 20,000 (60,500 to 40,500); BB-2's 100,000 votes are to come at
    # about 70-30 for xavier: yara's chance is small, and no call is made for her — not even
    # when the feed ends, as BB-2 never reported.
    assert bb["call"] is None, bb
    assert bb["last_p_leader"] < 0.2
    assert bb["log"][-1]["kind"] == "closed_incomplete"


def test_the_built_in_2020_baseline_gives_counties_by_fips(tmp_path: Path) -> None:
    from ballotproof.io.us2020 import load_us2020
    from ballotproof.usecases.replay import baseline_units

    election = load_us2020()
    base = load_us2020(include_counties=True)
    by_state = baseline_units(election, base, ("biden", "trump"))
    wi = {u.unit: u for u in by_state["WI"]}
    assert len(wi) == 72  # Wisconsin's counties
    dane = wi["55025"]
    assert dane.votes["biden"] > dane.votes["trump"] > 0 and dane.total >= sum(dane.votes.values())


def test_a_replay_of_partial_results_scores_the_states_it_can(tmp_path: Path) -> None:
    """CC awards electors but has no results yet: the replay runs, CC's winner is unknown."""
    data = _election(
        tmp_path / "partial",
        ("xavier", "yara", "zed"),
        {"AA": (290_000, 195_000, 11_000), "BB": (80_000, 60_000, 3_000)},
    )
    (tmp_path / "feed.csv").write_text(FEED, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["replay", "--feed", str(tmp_path / "feed.csv"), "--data", str(data), "--json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    cc = doc["states"]["CC"]
    assert cc["final_winner"] is None and cc["wrong"] is False
    assert doc["states"]["AA"]["final_winner"] == "xavier"
