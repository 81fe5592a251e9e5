"""Schema migrations: a new database is made by the migrations and equals the tables the code
declares; a database made before migrations keeps its record and is brought up to date."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from ballotproof.audit.contest import AuditContest
from ballotproof.audit.process import AuditSpec, Method
from ballotproof.audit.sampler import Batch
from ballotproof.store import open_store, schema
from ballotproof.store.migrate import HEAD, revision_of
from tests.audit.test_store_backends import _postgres

AUDIT_TABLES = [
    t for name, t in schema.metadata.tables.items() if not name.startswith(("web_", "ws_"))
]


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.sqlite'}"
    else:
        yield from _postgres()


def test_a_new_database_is_the_declared_schema(url: str) -> None:
    store = open_store(url)
    try:
        assert revision_of(store.engine) == HEAD
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), schema.metadata)
        assert diff == [], diff
    finally:
        store.engine.dispose()


def test_a_database_from_before_migrations_is_upgraded_with_its_record(url: str) -> None:
    # What an earlier version made: the audit tables, created whole, with an audit in them.
    legacy = create_engine(url)
    schema.metadata.create_all(legacy, tables=AUDIT_TABLES)
    assert revision_of(legacy) is None
    legacy.dispose()
    store = open_store(url)
    spec = AuditSpec("t", AuditContest("m", {"A": 700, "B": 300}, 1000), 0.1, Method.BRAVO, "9")
    try:
        store.start(spec, (Batch(None, None, "B1", 1000),), manifest_source="m",
                    manifest_sha256="0" * 64, now="t0", round_size=10)  # fmt: skip
        head = store.status("t").journal_head
    finally:
        store.engine.dispose()
    # Simulate "made before migrations" for a database that already holds an audit.
    legacy = create_engine(url)
    with legacy.begin() as conn:
        conn.exec_driver_sql("DROP TABLE alembic_version")
        for table in ("ws_idempotency", "web_session", "ws_upload", "ws_board", "ws_county",
                      "ws_audit", "web_user"):  # fmt: skip
            conn.exec_driver_sql(f"DROP TABLE {table}")
    legacy.dispose()
    reopened = open_store(url)
    try:
        assert revision_of(reopened.engine) == HEAD
        assert reopened.status("t").journal_head == head  # nothing lost or rewritten
        assert all(c.ok for c in reopened.verify("t"))
        assert inspect(reopened.engine).has_table("ws_audit")
    finally:
        reopened.engine.dispose()
