"""outreach: unanswered questions (anonymised, kept for a limited time, off by default),
opt-in news (users.news, users.blocked) and the broadcast journal that makes resuming safe

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unanswered_questions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("text", sa.String(200), nullable=False),
    )
    op.create_index("ix_unanswered_questions_day", "unanswered_questions", ["day"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("news", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(
            sa.Column("blocked", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "broadcast_deliveries",
        sa.Column("broadcast", sa.String(64), primary_key=True),
        sa.Column("telegram_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("broadcast_deliveries")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("blocked")
        batch.drop_column("news")
    op.drop_index("ix_unanswered_questions_day", table_name="unanswered_questions")
    op.drop_table("unanswered_questions")
