"""The format of an uploaded file: a county's cast vote records may come in several formats
(Dominion CSV or JSON, NIST JSON); a manifest's format is its kind, so the column is empty.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("ws_upload", sa.Column("format", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ws_upload") as batch:
        batch.drop_column("format")
