"""Many audit boards entering ballots at once against a real ``ballotproof serve``.

Run with ``.venv/bin/python benchmarks/bench_workspace.py`` (about 3 minutes): for SQLite and
for PostgreSQL (127.0.0.1:5432, a fresh database, dropped after), it sets up an audit of 20
counties with 10 boards each (200 boards), launches round 1, starts the server on loopback,
and lets every board enter its own share of its county's ballots for ``--seconds`` (default 60)
with ``--think`` seconds (default 1.0: a board reads a ballot, then enters it) between entries,
each board starting at a random moment within the first think time (boards are not in step).
It prints entries per second, p50/p99 latency of an entry, and then checks the record: every
acknowledged entry is stored once with its reading (lost: acknowledged but not stored;
duplicated: stored more than once), and ``verify`` passes.

Goal (workspace issue): p99 < 150 ms at 200 boards, 0 lost, 0 duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx2 as httpx
from sqlalchemy import create_engine, text

from ballotproof.audit.contest import AuditContest
from ballotproof.audit.process import Method
from ballotproof.store import Accounts, Workspace, open_store
from ballotproof.usecases.boards import board_email, create_board
from ballotproof.usecases.verify import verify_store
from ballotproof.usecases.workspace import create_audit, launch, upload_manifest

COUNTIES = [f"County {i:02d}" for i in range(20)]
BOARDS_PER_COUNTY = 10
NOW = "2026-12-01T00:00:00Z"
ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _manifest(county: str) -> bytes:
    rows = "".join(f"C{i // 10},TAB{i % 3},{county[-2:]}-{i},100\n" for i in range(50))
    return ("Container,Tabulator,Batch Name,Number of Ballots\n" + rows).encode()


def prepare(url: str) -> list[tuple[str, str, str, list[str]]]:
    """The audit and the boards: (code, passphrase, county, members) per board."""
    store = open_store(url)
    accounts, ws = Accounts(store.engine), Workspace(store.engine)
    ballots = 5000 * len(COUNTIES) // 100 * 100
    create_audit(ws, store, name="load", contest=AuditContest(
        "Measure", {"Yes": ballots * 53 // 100, "No": ballots * 47 // 100}, ballots),
        method=Method.BRAVO, risk_limit=0.05, seed="20261201", seed_ceremony="benchmark",
        counties=dict.fromkeys(COUNTIES), created_by="bench", now=lambda: NOW)  # fmt: skip
    for county in COUNTIES:
        upload_manifest(ws, "load", county, "m.csv", _manifest(county), uploaded_by="bench",
                        now=lambda: NOW)  # fmt: skip
    status = launch(ws, store, "load", now=lambda: NOW)
    boards = []
    for county in COUNTIES:
        for k in range(BOARDS_PER_COUNTY):
            members = [f"{county} {k} a", f"{county} {k} b"]
            made = create_board(accounts, ws, "load", county, f"B{k}", members, now=lambda: NOW)
            boards.append((made.code, made.passphrase, county, members))
    print(
        f"  round 1: {status.round_sizes[0]:,} draws of {ballots:,} ballots; {len(boards)} boards"
    )
    store.engine.dispose()
    return boards


async def ready(
    base: str,
    board: tuple[str, str, str, list[str]],
    share: tuple[int, int],
    gate: asyncio.Semaphore,
) -> tuple[httpx.AsyncClient, list[str]]:
    """Log a board in and fetch its list (before the clock starts: not measured)."""
    code, passphrase, _county, _members = board
    c = httpx.AsyncClient(base_url=base, timeout=120)
    async with gate:
        login = await c.post(
            "/api/login", json={"email": board_email(code), "password": passphrase}
        )
        c.headers["X-CSRF-Token"] = login.json()["csrf"]
        listing = (await c.get("/api/board")).json()
    mine = [b["ballot_id"] for i, b in enumerate(listing["ballots"])
            if i % share[1] == share[0] and not b["already_read"] and not b["phantom"]]  # fmt: skip
    return c, mine


async def board_loop(
    c: httpx.AsyncClient,
    mine: list[str],
    members: list[str],
    until: float,
    think: float,
    latencies: list[float],
    acked: dict[str, str],
    errors: list[str],
    offset: float,
) -> None:
    # Boards do not start in step: each begins at its own moment within the first think time.
    await asyncio.sleep(offset)
    for i, ballot in enumerate(mine):
        if i:
            await asyncio.sleep(think)
        if time.monotonic() >= until:
            return
        reading = "Yes" if i % 2 else "No"
        entry = {"ballot_id": ballot, "interpretation": reading, "confirmed_by": members}
        t0 = time.perf_counter()
        try:
            answer = await c.post("/api/board/readings", json=entry)
        except httpx.TransportError as exc:
            errors.append(f"transport: {exc!r}")
            continue
        latencies.append(time.perf_counter() - t0)
        if answer.status_code == 200:
            acked[ballot] = reading
        else:
            errors.append(f"{answer.status_code} {answer.text[:120]}")


async def drive(base: str, boards: list[tuple[str, str, str, list[str]]], seconds: float,
                think: float) -> tuple[list[float], dict[str, str], list[str], float]:  # fmt: skip
    gate = asyncio.Semaphore(4)
    clients = await asyncio.gather(*(
        ready(base, b, (i % BOARDS_PER_COUNTY, BOARDS_PER_COUNTY), gate)
        for i, b in enumerate(boards)))  # fmt: skip
    latencies: list[float] = []
    acked: dict[str, str] = {}
    errors: list[str] = []
    rng = random.Random(20261201)
    start = time.monotonic()
    until = start + seconds
    try:
        await asyncio.gather(*(
            board_loop(c, mine, b[3], until, think, latencies, acked, errors, rng.uniform(0, think))
            for (c, mine), b in zip(clients, boards, strict=True)))  # fmt: skip
    finally:
        for c, _ in clients:
            await c.aclose()
    return latencies, acked, errors, time.monotonic() - start


def run(label: str, url: str, seconds: float, think: float, workers: int) -> None:
    print(f"{label} ({workers} server worker{'s' if workers > 1 else ''}, think {think:g} s):")
    boards = prepare(url)
    port = 18000 + uuid.uuid4().int % 2000
    code = "from ballotproof.cli.app import main; main()"
    proc = subprocess.Popen([sys.executable, "-c", code, "serve", "--port", str(port), "--db", url,
                             "--workers", str(workers)],
                            stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(base + "/api/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        latencies, acked, errors, wall = asyncio.run(drive(base, boards, seconds, think))
    finally:
        proc.terminate()
        proc.wait(60)
    store = open_store(url, create=False)
    history = store.load("load").history
    versions: dict[str, list[str]] = {}
    for ballot, _v, reading, *_rest in history:
        versions.setdefault(ballot, []).append(reading)
    lost = sum(1 for b, r in acked.items() if versions.get(b, [None])[-1] != r)
    duplicated = sum(1 for v in versions.values() if len(v) > 1)
    ok = all(c.ok for c in verify_store(store, "load"))
    store.engine.dispose()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    print(f"  {len(acked):,} entries in {wall:.1f} s = {len(acked) / wall:.1f}/s; "
          f"p50 {q[49] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms "
          f"(goal p99 < 150 ms: {'met' if q[98] < 0.150 else 'NOT met'}); "
          f"lost {lost}, duplicated {duplicated}, refused {len(errors)}; "
          f"verify {'ok' if ok else 'FAILED'}")  # fmt: skip
    if errors:
        print(f"  first refusal: {errors[0]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run("SQLite", str(Path(folder) / "load.sqlite"), args.seconds, args.think, args.workers)
    if args.no_postgres:
        return
    name = f"bp_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        run("PostgreSQL", f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", args.seconds,
            args.think, args.workers)  # fmt: skip
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
