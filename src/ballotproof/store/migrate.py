"""Bring an audit database to the current schema with Alembic (on every open).

The revisions live in :mod:`ballotproof.store.migrations` (``versions/``, oldest first). A
database already at the newest revision costs one query; Alembic is imported only when there
is something to do. A database made before migrations existed (its tables were created whole
by an earlier version) is recognised by its tables and stamped with the revision it matches,
then upgraded, so no earlier record is lost or rewritten. A test checks that the migrated
schema is exactly :data:`ballotproof.store.schema.metadata`, so the two cannot drift.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

__all__ = ["HEAD", "migrate", "revision_of"]

HEAD = "0005"
_SCRIPTS = Path(__file__).resolve().parent / "migrations"


def revision_of(engine: Engine) -> str | None:
    """The database's revision (``None``: none recorded)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine) -> None:
    """Upgrade ``engine``'s database to :data:`HEAD` (one transaction per revision)."""
    if revision_of(engine) == HEAD:
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        tables = set(inspect(conn).get_table_names())
        if "alembic_version" not in tables and "audit" in tables:
            # Made before migrations: its tables say which revision it is at.
            command.stamp(config, "0002" if "web_user" in tables else "0001")
        command.upgrade(config, "head")
