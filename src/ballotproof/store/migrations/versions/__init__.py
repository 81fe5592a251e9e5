"""The revisions, oldest first: 0001 the audit record, 0002 the workspace, 0003 the covering
ballot index, 0004 idempotency keys."""
