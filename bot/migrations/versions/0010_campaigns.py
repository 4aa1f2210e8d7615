"""campaigns: news scheduled for the running bot to send (`broadcast FILE --at`), and which
deliveries ended in a press of the news' unsubscribe button (issue 17)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("news_id", sa.String(64), nullable=False),
        sa.Column("messages", sa.Text, nullable=False),
        sa.Column("regions", sa.String(1000), nullable=False),
        sa.Column("offices", sa.String(1000), nullable=False),
        sa.Column("languages", sa.String(20), nullable=False),
        sa.Column("due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_campaigns_news_id", "campaigns", ["news_id"])
    op.create_index("ix_campaigns_due", "campaigns", ["due"])
    with op.batch_alter_table("broadcast_deliveries") as table:
        table.add_column(
            sa.Column("unsubscribed", sa.Boolean, nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("broadcast_deliveries") as table:
        table.drop_column("unsubscribed")
    op.drop_index("ix_campaigns_due", "campaigns")
    op.drop_index("ix_campaigns_news_id", "campaigns")
    op.drop_table("campaigns")
