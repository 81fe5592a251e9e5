"""Alembic migrations of the audit database (:mod:`ballotproof.store.migrate` applies them)."""
