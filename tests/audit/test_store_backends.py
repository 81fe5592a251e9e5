"""The store on every backend it supports: SQLite (a path or a ``sqlite:///`` URL) and
PostgreSQL (``postgresql+psycopg://``; every machine, CI included, runs one at 127.0.0.1:5432,
user ``postgres``, trust auth). Each PostgreSQL test gets a database of its own, dropped after.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from ballotproof.audit.contest import AuditContest, Decision
from ballotproof.audit.process import AuditSpec, Method
from ballotproof.audit.sampler import Batch
from ballotproof.cli.app import app
from ballotproof.errors import StoreError
from ballotproof.store import AuditStore, open_store

ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BATCHES = tuple(Batch("J", "T1", f"B{i}", 100) for i in range(20))


def _postgres() -> Iterator[str]:
    name = f"bp_{uuid.uuid4().hex[:12]}"
    admin = create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # pragma: no cover - only where PostgreSQL is missing
        admin.dispose()
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is required for these tests: {exc}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite-path", "sqlite-url", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite-path":
        yield str(tmp_path / "audit.db")
    elif request.param == "sqlite-url":
        yield f"sqlite:///{tmp_path / 'audit.db'}"  # an absolute path: sqlite:////tmp/…
    else:
        yield from _postgres()


def _spec() -> AuditSpec:
    return AuditSpec(
        "t", AuditContest("mayor", {"A": 1100, "B": 900}, 2000), 0.1, Method.BRAVO, "2718281828"
    )


def _dispose(store: AuditStore) -> None:
    store.engine.dispose()


def test_a_whole_audit_on_each_backend(url: str) -> None:
    store = open_store(url)
    try:
        store.start(_spec(), BATCHES, manifest_source="m", manifest_sha256="0" * 64, now="t0",
                    round_size=30)  # fmt: skip
        audit = store.load("t")
        # Round 1: an even split escalates.
        rows = {}
        for i, d in enumerate(audit.draws):
            rows.setdefault(d.ballot_id, (d.ballot_id, "A" if i % 2 else "B", ""))
        first = next(iter(rows))
        store.record("t", list(rows.values())[:5], now="t1")
        with pytest.raises(StoreError, match="needs an explicit correction"):
            store.record("t", [(first, "A" if rows[first][1] == "B" else "B", "")], now="t2")
        status, written, repeated = store.record("t", list(rows.values()), now="t3")
        assert (written, repeated) == (len(rows) - 5, 5)
        assert status.results[0] is not None
        assert status.results[0].decision is Decision.NEXT_ROUND
        assert status.current_round == 2 and status.missing[1] > 0
        assert all(c.ok for c in store.verify("t"))
        # The store file or server is reachable by its URL from the command line too.
        result = CliRunner().invoke(app, ["audit", "verify", "--db", url, "--audit", "t"])
        assert result.exit_code == 0, result.output
        # An edit behind the store's back is caught on every backend.
        with store.engine.begin() as conn:
            conn.execute(text("update interpretation set choice = 'A' where version = 1"))
        failed = {c.name for c in store.verify("t") if not c.ok}
        assert "interpretations match the journal" in failed
    finally:
        _dispose(store)


def test_a_failed_write_leaves_nothing_on_each_backend(url: str) -> None:
    store = open_store(url)
    try:
        store.start(_spec(), BATCHES, manifest_source="m", manifest_sha256="0" * 64, now="t0",
                    round_size=30)  # fmt: skip
        before = store.status("t")
        good = [(d.ballot_id, "A", "") for d in store.load("t").draws[:10]]
        with pytest.raises(StoreError, match="was not drawn"):
            store.record("t", [*good, ("((None, 'X', 'Y'), 1)", "A", "")], now="t1")
        after = store.status("t")
        assert after.journal_length == before.journal_length
        assert store.load("t").interpretations == {}
    finally:
        _dispose(store)


def test_a_bad_url_is_one_clear_error() -> None:
    with pytest.raises(StoreError, match="cannot open the audit database"):
        open_store("postgresql+psycopg://postgres@127.0.0.1:5432/no_such_database_here")
    with pytest.raises(StoreError, match="no audit database at"):
        open_store("sqlite:////nonexistent/dir/a.db", create=False)
