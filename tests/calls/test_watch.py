"""`ballotproof watch`: the engine fed live from a folder or a URL, against a replay of the
whole feed (the oracle: a live run that saw every row must decide exactly what the replay
decides before its close)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ballotproof.calls.engine import Engine
from ballotproof.calls.outstanding import ModelParams
from ballotproof.calls.rule import CallRule
from ballotproof.cli.app import app
from ballotproof.usecases.replay import load_replay_inputs, setups_for
from ballotproof.usecases.watch import FolderSource, UrlSource, Watcher
from tests.calls.test_any_election import FEED, _election

VOTES = {
    "AA": (290_000, 195_000, 11_000),
    "BB": (80_000, 60_000, 3_000),
    "CC": (100_000, 140_000, 2_000),
    "BB-1": (56_000, 35_000, 2_000),
    "BB-2": (24_000, 25_000, 1_000),
}
HEADER, *_ROWS = FEED.strip().splitlines()
ROWS = sorted(_ROWS, key=lambda row: row.split(",")[1])  # as a live feed grows: in time order


def _data(tmp_path: Path) -> Path:
    return _election(tmp_path / "e2030", ("xavier", "yara", "zed"), VOTES)


def _snapshot(n: int) -> str:
    """The feed as published after its first ``n`` rows."""
    return "\n".join([HEADER, *ROWS[:n]]) + "\n"


def _replayed(tmp_path: Path, data: Path) -> Engine:
    (tmp_path / "whole.csv").write_text(FEED, encoding="utf-8")
    i = load_replay_inputs(feed=tmp_path / "whole.csv", data=data)
    engine = Engine(
        setups_for(
            i.election, states=i.states, prior=i.prior, year=i.year, by_unit=i.baseline_units
        ),
        i.candidates,
        CallRule(0.995),
        ModelParams(),
    )
    engine.run(i.updates)
    return engine


def _same(live: Engine, replay: Engine) -> None:
    assert [(c.state, c.candidate, c.time) for c in live.calls] == [
        (c.state, c.candidate, c.time) for c in replay.calls
    ]
    assert [(m.state, m.time, m.estimate.p_leader) for m in live.moments] == [
        (m.state, m.time, m.estimate.p_leader) for m in replay.moments
    ]


def test_a_folder_of_growing_snapshots_decides_what_the_replay_decides(tmp_path: Path) -> None:
    data = _data(tmp_path)
    folder = tmp_path / "snapshots"
    folder.mkdir()
    watcher = Watcher(FolderSource(folder), data=data)
    taken = []
    for n in (2, 2, 5, 8):  # a poll with no new file, then snapshots that repeat earlier rows
        (folder / f"snap-{n:03d}.csv").write_text(_snapshot(n), encoding="utf-8")
        taken.append(watcher.poll())
    assert taken == [2, 0, 3, 3]
    assert watcher.engine is not None
    _same(watcher.engine, _replayed(tmp_path, data))
    assert watcher.log == []


class _Feed(BaseHTTPRequestHandler):
    """Answers the next recorded snapshot on each GET (and a 503 where the script says so)."""

    script: list[str | None]
    served = 0

    def do_GET(self) -> None:
        cls = type(self)
        body = cls.script[min(cls.served, len(cls.script) - 1)]
        cls.served += 1
        if body is None:
            self.send_response(503)
            self.end_headers()
            return
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def served() -> Iterator[tuple[str, type[_Feed]]]:
    handler = type("Feed", (_Feed,), {"script": [], "served": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/feed.csv", handler
    finally:
        server.shutdown()
        server.server_close()


def test_a_recorded_sequence_served_on_loopback(
    tmp_path: Path, served: tuple[str, type[_Feed]]
) -> None:
    """Served over HTTP: an outage, a damaged snapshot and a late row are logged with the
    reason and change nothing; every good row is taken once; the result is the replay's."""
    url, handler = served
    late = ROWS[0].replace("01:00:00Z", "00:30:00Z").replace("200000,40", "100000,20")
    late = late.replace("120000,76000,4000", "60000,38000,2000")
    handler.script = [
        _snapshot(3),
        None,  # the results server is down for a poll
        _snapshot(3) + "AA,not-a-time,1,1,,,1,0,0\n",
        _snapshot(5),
        _snapshot(5) + late + "\n",  # published late, older than what was taken
        _snapshot(8),
        _snapshot(8),
    ]
    data = _data(tmp_path)
    watcher = Watcher(UrlSource(url), data=data)
    taken = [watcher.poll() for _ in handler.script]
    assert taken == [3, 0, 0, 2, 0, 3, 0]
    assert watcher.engine is not None
    _same(watcher.engine, _replayed(tmp_path, data))
    reasons = [text for _, text in watcher.log]
    assert len(reasons) == 3
    assert reasons[0].startswith("poll failed") and "503" in reasons[0]
    assert reasons[1].startswith("snapshot left out: " + url + " (poll 3):5: field 'time'")
    assert "older than the updates already taken" in reasons[2]


def test_the_command_keeps_a_live_page_and_json(tmp_path: Path) -> None:
    data = _data(tmp_path)
    folder = tmp_path / "snapshots"
    folder.mkdir()
    (folder / "snap-001.csv").write_text(FEED, encoding="utf-8")
    out = tmp_path / "live"
    args = ["watch", str(folder), "--data", str(data), "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--polls", "2", "--interval", "0"])
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "live.json").read_text(encoding="utf-8"))
    assert doc["watch"]["polls"] == 1 and doc["watch"]["log"] == []
    assert doc["states"]["AA"]["call"]["candidate"] == "xavier"
    page = (out / "live.html").read_text(encoding="utf-8")
    assert '<meta http-equiv="refresh" content="1">' in page
    assert "poll 2: nothing new" in result.output


def test_a_first_snapshot_that_cannot_be_read_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "snapshots"
    folder.mkdir()
    (folder / "snap-001.csv").write_text(HEADER + "\nAA,yesterday,1,1,,,1,0,0\n", encoding="utf-8")
    args = ["watch", str(folder), "--data", str(_data(tmp_path)), "--polls", "1"]
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "snap-001.csv:2: field 'time'" in result.output


# --- Scytl/Clarity detail.xml -----------------------------------------------------------------


def _clarity(stamp: str, counts: dict[tuple[str, str], tuple[int, int, int]]) -> str:
    """A state-level Clarity detail.xml for BB (in the layout of clarify's test files):
    ``counts[(county, vote type)]`` = (xavier, yara, a write-in nobody in the results)."""
    choices = []
    for i, (text, party) in enumerate(
        [("Xavier A. XAVIER", "BLU"), ("Yara YARA", "RED"), ("Write-in", "")]
    ):
        types = sorted({t for _, t in counts})
        parts = []
        for t in types:
            places = "".join(
                f'<County name="{c}" votes="{v[i]}" />' for (c, tt), v in counts.items() if tt == t
            )
            parts.append(f'<VoteType name="{t}" votes="0">{places}</VoteType>')
        choices.append(
            f'<Choice key="{i + 1}" text="{text}" party="{party}" totalVotes="0">'
            + "".join(parts)
            + "</Choice>"
        )
    return (
        '<?xml version="1.0"?>\n<ElectionResult><Timestamp>' + stamp + "</Timestamp>"
        "<ElectionName>General</ElectionName><Region>BB</Region>"
        '<Contest key="1" text="President and Vice President" voteFor="1">'
        '<ParticipatingCounties><County name="County B1" precinctsReportingPercent="40.00" />'
        '<County name="County B2" precinctsReportingPercent="10.00" /></ParticipatingCounties>'
        + "".join(choices)
        + '</Contest><Contest key="2" text="Governor" voteFor="1"></Contest></ElectionResult>'
    )


def test_clarity_snapshots_are_county_and_mode_rows(tmp_path: Path) -> None:
    """Two detail.xml snapshots (EST): the rows are what the same counts written as the generic
    feed give, and the engine decides what the replay of that feed decides."""
    from ballotproof.io.clarity import read_clarity
    from ballotproof.io.load import load_election

    data = _data(tmp_path)
    election = load_election(data)
    first = _clarity(
        "11/5/2030 8:30:00 PM EST",
        {("County B1", "Election Day"): (30_000, 19_000, 1_000)},
    )
    second = _clarity(
        "11/5/2030 10:40:00 PM EST",
        {
            ("County B1", "Election Day"): (54_000, 34_000, 2_000),
            ("County B2", "Absentee by Mail"): (18_000, 21_000, 1_000),
        },
    )
    rows = read_clarity(second, source="detail.xml", election=election, state="BB")
    assert [(r.unit, r.mode.value, dict(r.votes), r.total, r.precincts_pct) for r in rows] == [
        ("BB-1", "election-day", {"xavier": 54_000, "yara": 34_000}, 90_000, 40.0),
        ("BB-2", "mail", {"xavier": 18_000, "yara": 21_000}, 40_000, 10.0),
    ]
    assert rows[0].time.isoformat() == "2030-11-06T03:40:00+00:00"
    folder = tmp_path / "clarity"
    folder.mkdir()
    watcher = Watcher(FolderSource(folder), data=data, state="BB")
    (folder / "detail-1.xml").write_text(first, encoding="utf-8")
    assert watcher.poll() == 1
    (folder / "detail-2.xml").write_text(second, encoding="utf-8")
    assert watcher.poll() == 2  # B1's new count, then B2's first
    feed = tmp_path / "as-feed.csv"
    feed.write_text(
        "state,time,total,precincts_pct,unit,mode,votes_xavier,votes_yara\n"
        "BB,2030-11-06T01:30:00Z,50000,40,BB-1,election-day,30000,19000\n"
        "BB,2030-11-06T03:40:00Z,90000,40,BB-1,election-day,54000,34000\n"
        "BB,2030-11-06T03:40:00Z,40000,10,BB-2,mail,18000,21000\n",
        encoding="utf-8",
    )
    i = load_replay_inputs(feed=feed, data=data)
    replay = Engine(
        setups_for(i.election, prior=i.prior, year=i.year, by_unit=i.baseline_units),
        i.candidates,
        CallRule(0.995),
        ModelParams(),
    )
    replay.run(i.updates)
    assert watcher.engine is not None
    _same(watcher.engine, replay)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("County B1", "County Z9"), "county 'County Z9' is not a county of BB"),
        (("Election Day", "Carrier Pigeon"), "field 'VoteType/@name'"),
        (("8:30:00 PM EST", "8:30 PM"), "field 'Timestamp'"),
        (("President and Vice President", "Mayor"), "field 'Contest/@text'"),
    ],
)
def test_a_clarity_snapshot_that_cannot_be_placed_names_the_element(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    from ballotproof.errors import InputError
    from ballotproof.io.clarity import read_clarity
    from ballotproof.io.load import load_election

    text = _clarity(
        "11/5/2030 8:30:00 PM EST", {("County B1", "Election Day"): (30_000, 19_000, 1_000)}
    ).replace(*change)
    with pytest.raises(InputError, match=r"detail\.xml.*" + message.replace("(", r"\(")):
        read_clarity(text, source="detail.xml", election=load_election(_data(tmp_path)), state="BB")
