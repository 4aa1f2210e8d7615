"""offices, the office and region a user came from, and anonymous daily counts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "offices",
        sa.Column("code", sa.String(40), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("region_id", sa.String(64), nullable=False),
        sa.Column("name_kk", sa.String(200), nullable=False),
        sa.Column("name_ru", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "daily_counts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("office", sa.String(40), nullable=False),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("event", sa.String(80), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.UniqueConstraint("day", "office", "region", "language", "event", name="uq_daily_counts"),
    )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("office", sa.String(40), nullable=False, server_default=""))
        batch.add_column(sa.Column("region", sa.String(64), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("region")
        batch.drop_column("office")
    op.drop_table("daily_counts")
    op.drop_table("offices")
