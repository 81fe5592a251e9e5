"""Reliability of data entry against a real server process: a SIGKILL in the middle of entry
loses no acknowledged entry and leaves a record that verifies; two boards entering the same
ballot at once get one recorded reading and one clear conflict."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from ballotproof.audit.contest import AuditContest
from ballotproof.audit.process import Method
from ballotproof.store import Accounts, Workspace, open_store
from ballotproof.usecases.boards import board_email, create_board
from ballotproof.usecases.verify import verify_store
from ballotproof.usecases.workspace import create_audit, launch, upload_manifest
from tests.web.test_browser_workspace import _free_port
from tests.web.test_workspace import _manifest

NOW = "2026-12-01T00:00:00Z"


def _prepared(db: Path) -> dict[str, tuple[str, str]]:
    """An audit launched with two boards in Fulton; board name -> (code, passphrase)."""
    store = open_store(db)
    accounts, ws = Accounts(store.engine), Workspace(store.engine)
    create_audit(ws, store, name="a", contest=AuditContest("Mayor", {"A": 1150, "B": 750}, 2000),
                 method=Method.BRAVO, risk_limit=0.05, seed="123456789",
                 seed_ceremony="dice", counties={"Fulton": None, "Cobb": None},
                 created_by="admin", now=lambda: NOW)  # fmt: skip
    for county, prefix in (("Fulton", "F"), ("Cobb", "C")):
        upload_manifest(
            ws, "a", county, "m.csv", _manifest(prefix), uploaded_by="m", now=lambda: NOW
        )
    launch(ws, store, "a", now=lambda: NOW)
    boards = {}
    for name in ("B1", "B2"):
        made = create_board(accounts, ws, "a", "Fulton", name, (f"{name} x", f"{name} y"),
                            now=lambda: NOW)  # fmt: skip
        boards[name] = (made.code, made.passphrase)
    store.engine.dispose()
    return boards


def _serve(db: Path, port: int) -> subprocess.Popen[bytes]:
    code = "from ballotproof.cli.app import main; main()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "serve", "--port", str(port), "--db", str(db)],
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1)
            return proc
        except httpx.TransportError:
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)


def _board(port: int, code: str, passphrase: str) -> httpx.Client:
    c = httpx.Client(base_url=f"http://localhost:{port}", timeout=30)
    answer = c.post("/api/login", json={"email": board_email(code), "password": passphrase})
    assert answer.status_code == 200, answer.text
    c.headers["X-CSRF-Token"] = answer.json()["csrf"]
    return c


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[Path, dict[str, tuple[str, str]], int]]:
    db = tmp_path / "ws.sqlite"
    yield db, _prepared(db), _free_port()


def test_a_killed_server_keeps_every_acknowledged_entry(
    setup: tuple[Path, dict[str, tuple[str, str]], int],
) -> None:
    db, boards, port = setup
    proc = _serve(db, port)
    acknowledged: dict[str, str] = {}
    try:
        board = _board(port, *boards["B1"])
        doc = board.get("/api/board").json()
        todo = [b["ballot_id"] for b in doc["ballots"] if not b["already_read"]]
        assert len(todo) > 10

        def enter() -> None:
            for i, ballot in enumerate(todo):
                reading = "A" if i % 2 else "B"
                try:
                    answer = board.post("/api/board/readings", json={
                        "ballot_id": ballot, "interpretation": reading,
                        "confirmed_by": doc["members"]})  # fmt: skip
                except httpx.TransportError:
                    return  # the server is gone: this entry was never acknowledged
                if answer.status_code == 200:
                    acknowledged[ballot] = reading

        writer = threading.Thread(target=enter)
        writer.start()
        while len(acknowledged) < 5:
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        writer.join(30)
        proc.wait(10)
        board.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert 5 <= len(acknowledged) < len(todo), "the kill should land in the middle of entry"

    restarted = _serve(db, port)
    try:
        store = open_store(db, create=False)
        readings = store.load("a").interpretations
        lost = {b: r for b, r in acknowledged.items() if readings.get(b) != r}
        assert not lost, f"acknowledged entries lost: {lost}"
        checks = verify_store(store, "a")
        assert all(c.ok for c in checks), [c for c in checks if not c.ok]
        # And the work goes on where it stopped.
        client = _board(port, *boards["B1"])
        again = client.get("/api/board").json()
        client.close()
        assert sum(b["reading"] is not None for b in again["ballots"]) >= len(acknowledged)
        store.engine.dispose()
    finally:
        restarted.terminate()
        restarted.wait(10)


def test_two_boards_entering_one_ballot_at_once(
    setup: tuple[Path, dict[str, tuple[str, str]], int],
) -> None:
    db, boards, port = setup
    proc = _serve(db, port)
    try:
        clients = {name: _board(port, *boards[name]) for name in ("B1", "B2")}
        listing = clients["B1"].get("/api/board").json()
        ballots = [b["ballot_id"] for b in listing["ballots"] if not b["already_read"]][:8]
        results: dict[tuple[str, str], int] = {}

        def enter(name: str, reading: str) -> None:
            members = [f"{name} x", f"{name} y"]
            for ballot in ballots:
                entry = {"ballot_id": ballot, "interpretation": reading, "confirmed_by": members}
                answer = clients[name].post("/api/board/readings", json=entry)
                results[(name, ballot)] = answer.status_code

        threads = [threading.Thread(target=enter, args=a) for a in (("B1", "A"), ("B2", "B"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        store = open_store(db, create=False)
        history = store.load("a").history
        for ballot in ballots:
            codes = sorted((results[("B1", ballot)], results[("B2", ballot)]))
            assert codes == [200, 409], (ballot, codes)  # one wins, one is told
            versions = [h for h in history if h[0] == ballot]
            assert len(versions) == 1, versions  # nothing overwritten, nothing doubled
        assert all(c.ok for c in verify_store(store, "a"))
        store.engine.dispose()
        for client in clients.values():
            client.close()
    finally:
        proc.terminate()
        proc.wait(10)
