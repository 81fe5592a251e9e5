"""Audit state in a database through SQLAlchemy: SQLite by default, PostgreSQL in production.

Every change is one transaction and is appended to a hash-chained journal, so an interrupted
command leaves nothing half-done and ``audit verify`` can tell whether anything stored was
edited afterwards.
"""

from ballotproof.store.repository import AuditStore, StoredAudit, open_store

__all__ = ["AuditStore", "StoredAudit", "open_store"]
