"""Audit state in a database through SQLAlchemy: SQLite by default, PostgreSQL in production.

Every change is one transaction and is appended to a hash-chained journal, so an interrupted
command leaves nothing half-done and ``audit verify`` can tell whether anything stored was
edited afterwards. The store persists; it decides nothing (see :mod:`ballotproof.usecases`).
"""

from ballotproof.store.accounts import Accounts
from ballotproof.store.repository import AuditStatus, AuditStore, StoredAudit, open_store
from ballotproof.store.workspace import Workspace

__all__ = ["Accounts", "AuditStatus", "AuditStore", "StoredAudit", "Workspace", "open_store"]
