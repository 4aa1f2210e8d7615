"""directory: listings of mediators and rooms, and anonymous wrong-contact reports

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
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
        "listings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("register", sa.String(200), nullable=False),
        sa.Column("entry", sa.String(64), nullable=False),
        sa.Column("languages", sa.String(16), nullable=False),
        sa.Column("dispute_types", sa.String(200), nullable=False),
        sa.Column("settlement_id", sa.String(64), nullable=False),
        sa.Column("region_id", sa.String(64), nullable=False),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("phone", sa.String(16), nullable=False),
        sa.Column("email", sa.String(200), nullable=False),
        sa.Column("telegram", sa.String(40), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("fee_note", sa.String(300), nullable=False),
        sa.Column("verified_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("register", "entry", name="uq_listings_register_entry"),
    )
    op.create_index("ix_listings_lat_lon", "listings", ["lat", "lon"])
    op.create_index("ix_listings_region", "listings", ["region_id"])
    op.create_table(
        "contact_reports",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "listing_id",
            sa.Integer(),
            sa.ForeignKey("listings.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("reported_on", sa.Date(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("contact_reports")
    op.drop_index("ix_listings_region", table_name="listings")
    op.drop_index("ix_listings_lat_lon", table_name="listings")
    op.drop_table("listings")
