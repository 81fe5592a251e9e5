"""Alembic's environment: run on the connection that :func:`ballotproof.store.migrate.migrate`
hands over (``config.attributes["connection"]``); there is no ``alembic.ini``."""

from __future__ import annotations

from alembic import context

from ballotproof.store import schema

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=schema.metadata)
with context.begin_transaction():
    context.run_migrations()
