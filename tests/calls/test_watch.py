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
