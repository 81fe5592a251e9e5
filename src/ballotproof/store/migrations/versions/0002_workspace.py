"""The workspace: users and sessions; audits being set up, their counties, boards, uploads.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_user",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("jurisdiction", sa.Text),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "web_session",
        sa.Column("token_sha256", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("web_user.id"), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("expires_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "ws_audit",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("contest", sa.Text, nullable=False),
        sa.Column("method", sa.String(40), nullable=False),
        sa.Column("risk_limit", sa.Text, nullable=False),
        sa.Column("seed", sa.Text, nullable=False),
        sa.Column("seed_ceremony", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(320), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("launched", sa.Boolean, nullable=False),
    )
    op.create_table(
        "ws_county",
        sa.Column("audit", sa.String(200), sa.ForeignKey("ws_audit.name"), primary_key=True),
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("manager_email", sa.String(320)),
    )
    op.create_table(
        "ws_board",
        sa.Column("code", sa.String(40), primary_key=True),
        sa.Column("audit", sa.String(200), sa.ForeignKey("ws_audit.name"), nullable=False),
        sa.Column("county", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("members", sa.Text, nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False),
        sa.Column("signed_off_round", sa.Integer),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "ws_upload",
        sa.Column("audit", sa.String(200), primary_key=True),
        sa.Column("county", sa.String(200), primary_key=True),
        sa.Column("kind", sa.String(40), primary_key=True),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("uploaded_by", sa.String(320), nullable=False),
        sa.Column("uploaded_at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    for table in ("ws_upload", "ws_board", "ws_county", "ws_audit", "web_session", "web_user"):
        op.drop_table(table)
