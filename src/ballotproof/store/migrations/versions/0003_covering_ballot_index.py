"""The ballot index covers what recording reads of a draw.

``draw_by_ballot`` on (audit, ballot_id) becomes (audit, ballot_id, round, jurisdiction,
tabulator, batch, position), so that looking a ballot up never visits the draw table
(:mod:`ballotproof.store.schema`). Rebuilding it reads every draw once.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COVERING = ["audit", "ballot_id", "round", "jurisdiction", "tabulator", "batch", "position"]


def upgrade() -> None:
    op.drop_index("draw_by_ballot", "draw")
    op.create_index("draw_by_ballot", "draw", COVERING)


def downgrade() -> None:
    op.drop_index("draw_by_ballot", "draw")
    op.create_index("draw_by_ballot", "draw", ["audit", "ballot_id"])
