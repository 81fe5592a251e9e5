"""The audit record: audits, manifests, rounds, draws, readings, committed records, journal.

The schema every database made before migrations has (``metadata.create_all`` of that time).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

AUDIT = sa.ForeignKey("audit.name")


def upgrade() -> None:
    op.create_table(
        "audit",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("spec", sa.Text, nullable=False),
        sa.Column("manifest_source", sa.Text, nullable=False),
        sa.Column("manifest_sha256", sa.String(64), nullable=False),
    )
    op.create_table(
        "batch",
        sa.Column("audit", sa.String(200), sa.ForeignKey("audit.name"), primary_key=True),
        sa.Column("idx", sa.Integer, primary_key=True),
        sa.Column("jurisdiction", sa.Text),
        sa.Column("container", sa.Text),
        sa.Column("tabulator", sa.Text),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("ballots", sa.Integer, nullable=False),
    )
    op.create_table(
        "round",
        sa.Column("audit", sa.String(200), sa.ForeignKey("audit.name"), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("opened_at", sa.String(40), nullable=False),
        sa.Column("result", sa.Text),
    )
    op.create_table(
        "round_progress",
        sa.Column("audit", sa.String(200), sa.ForeignKey("audit.name"), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("unread", sa.Integer, nullable=False),
    )
    op.create_table(
        "draw",
        sa.Column("audit", sa.String(200), sa.ForeignKey("audit.name"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("ticket", sa.String(100), nullable=False),
        sa.Column("ballot_id", sa.Text, nullable=False),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("jurisdiction", sa.Text),
        sa.Column("container", sa.Text),
        sa.Column("tabulator", sa.Text),
        sa.Column("batch", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_index("draw_by_ballot", "draw", ["audit", "ballot_id"])
    op.create_index("draw_by_round", "draw", ["audit", "round"])
    op.create_table(
        "interpretation",
        sa.Column("audit", sa.String(200), sa.ForeignKey("audit.name"), primary_key=True),
        sa.Column("ballot_id", sa.Text, primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("choice", sa.String(200), nullable=False),
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.Column("correction", sa.Boolean, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )
    op.create_table(
        "cvr",
        sa.Column("audit", sa.String(200), sa.ForeignKey("audit.name"), primary_key=True),
        sa.Column("ballot_id", sa.Text, primary_key=True),
        sa.Column("choice", sa.String(200), nullable=False),
    )
    op.create_table(
        "cvr_imprint",
        sa.Column("audit", sa.String(200), sa.ForeignKey("audit.name"), primary_key=True),
        sa.Column("ballot_id", sa.Text, primary_key=True),
        sa.Column("imprinted_id", sa.Text, nullable=False),
    )
    op.create_table(
        "batch_report",
        sa.Column("audit", sa.String(200), sa.ForeignKey("audit.name"), primary_key=True),
        sa.Column("batch", sa.Text, primary_key=True),
        sa.Column("tally", sa.Text, nullable=False),
    )
    op.create_table(
        "journal",
        sa.Column("audit", sa.String(200), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    for table in ("journal", "batch_report", "cvr_imprint", "cvr", "interpretation"):
        op.drop_table(table)
    op.drop_index("draw_by_round", "draw")
    op.drop_index("draw_by_ballot", "draw")
    for table in ("draw", "round_progress", "round", "batch", "audit"):
        op.drop_table(table)
