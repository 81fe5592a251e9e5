"""The tables. The journal is the record; the other tables are its readable projection.

``journal`` rows form a hash chain: ``hash = SHA-256(prev_hash + kind + payload)``, with the
payload as canonical JSON (sorted keys, no spaces). Projections (``audit``, ``batch``,
``round``, ``draw``, ``interpretation``) are written in the same transaction as their journal
entry; ``audit verify`` rebuilds them from the journal and compares. The derived
table ``round_progress`` only makes the store faster; verify needs none of it.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

audit = Table(
    "audit",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("created_at", String(40), nullable=False),
    Column("spec", Text, nullable=False),  # canonical JSON of the AuditSpec
    Column("manifest_source", Text, nullable=False),
    Column("manifest_sha256", String(64), nullable=False),
)

batch = Table(
    "batch",
    metadata,
    Column("audit", String(200), ForeignKey("audit.name"), primary_key=True),
    Column("idx", Integer, primary_key=True),
    Column("jurisdiction", Text),
    Column("container", Text),
    Column("tabulator", Text),
    Column("name", Text, nullable=False),
    Column("ballots", Integer, nullable=False),
)

round_ = Table(
    "round",
    metadata,
    Column("audit", String(200), ForeignKey("audit.name"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("size", Integer, nullable=False),  # cumulative draws at the end of the round
    Column("opened_at", String(40), nullable=False),
    Column("result", Text),  # canonical JSON of the RoundResult once closed
)

round_progress = Table(
    "round_progress",
    metadata,
    Column("audit", String(200), ForeignKey("audit.name"), primary_key=True),
    Column("number", Integer, primary_key=True),
    # Distinct ballots of the round still unread (phantoms excluded). A derived counter kept
    # in the same transaction as each reading, so that a write never counts a whole round;
    # verify recomputes everything without it.
    Column("unread", Integer, nullable=False),
)

draw = Table(
    "draw",
    metadata,
    Column("audit", String(200), ForeignKey("audit.name"), primary_key=True),
    Column("seq", Integer, primary_key=True),  # draw order over the whole audit, from 1
    Column("round", Integer, nullable=False),
    Column("ticket", String(100), nullable=False),
    Column("ballot_id", Text, nullable=False),
    Column("generation", Integer, nullable=False),
    Column("jurisdiction", Text),
    Column("container", Text),
    Column("tabulator", Text),
    Column("batch", Text, nullable=False),
    Column("position", Integer, nullable=False),
)
# Recording looks draws up by ballot and counts a round's unread ballots: both indexed, so a
# write costs the same in an audit of ten thousand draws and of a million. The ballot index
# holds what recording reads of a draw (its round and where the ballot is, position included),
# so that a lookup, or a round read in the order of its ballots, never visits the table: for
# millions of ballots that was most of the time. (Databases made
# before keep the index on (audit, ballot_id) alone, and work as before. A round of millions
# of draws is written with the ballot index rebuilt after it, not kept up draw by draw.)
draw_by_ballot = Index(
    "draw_by_ballot",
    draw.c.audit,
    draw.c.ballot_id,
    draw.c.round,
    draw.c.jurisdiction,
    draw.c.tabulator,
    draw.c.batch,
    draw.c.position,
)
Index("draw_by_round", draw.c.audit, draw.c.round)

interpretation = Table(
    "interpretation",
    metadata,
    Column("audit", String(200), ForeignKey("audit.name"), primary_key=True),
    Column("ballot_id", Text, primary_key=True),
    Column("version", Integer, primary_key=True),  # 1, then 2, 3 … for corrections
    Column("choice", String(200), nullable=False),
    Column("recorded_at", String(40), nullable=False),
    Column("correction", Boolean, nullable=False),
    Column("note", Text, nullable=False),
)

cvr = Table(
    "cvr",
    metadata,
    Column("audit", String(200), ForeignKey("audit.name"), primary_key=True),
    Column("ballot_id", Text, primary_key=True),
    Column("choice", String(200), nullable=False),  # the record's reading, or "blank"
)

cvr_imprint = Table(
    "cvr_imprint",
    metadata,
    Column("audit", String(200), ForeignKey("audit.name"), primary_key=True),
    Column("ballot_id", Text, primary_key=True),
    Column("imprinted_id", Text, nullable=False),  # the number printed on the ballot / CVR id
)

batch_report = Table(
    "batch_report",
    metadata,
    Column("audit", String(200), ForeignKey("audit.name"), primary_key=True),
    Column("batch", Text, primary_key=True),
    Column("tally", Text, nullable=False),  # reported votes, canonical JSON
)

journal = Table(
    "journal",
    metadata,
    Column("audit", String(200), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("payload", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
