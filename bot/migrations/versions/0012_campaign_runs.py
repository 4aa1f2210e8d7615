"""campaign runs: which campaign made each delivery (so a news id sent by two campaigns counts
each apart), and the retries of a campaign's failed deliveries (issue 17)

broadcast_deliveries.campaign is the campaign that last tried that person (NULL: a broadcast
sent by hand). Deliveries made before this revision are given to their news id's campaign
when it has exactly one, which keeps what `broadcast --list` showed for them; a news id with
several campaigns stays unattributed (its counts were mixed, and nobody can tell them apart
now). campaigns.retries is how many rounds of retries of its failed deliveries were scheduled,
campaigns.retry_at when the next one is due (NULL: none waiting).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("broadcast_deliveries") as table:
        table.add_column(sa.Column("campaign", sa.Integer, nullable=True))
        table.create_index("ix_broadcast_deliveries_campaign", ["campaign"])
    with op.batch_alter_table("campaigns") as table:
        table.add_column(sa.Column("retries", sa.Integer, nullable=False, server_default="0"))
        table.add_column(sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        """
        UPDATE broadcast_deliveries SET campaign = (
            SELECT MIN(c.id) FROM campaigns c WHERE c.news_id = broadcast_deliveries.broadcast
        )
        WHERE campaign IS NULL AND broadcast IN (
            SELECT news_id FROM campaigns GROUP BY news_id HAVING COUNT(*) = 1
        )
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("campaigns") as table:
        table.drop_column("retry_at")
        table.drop_column("retries")
    with op.batch_alter_table("broadcast_deliveries") as table:
        table.drop_index("ix_broadcast_deliveries_campaign")
        table.drop_column("campaign")
