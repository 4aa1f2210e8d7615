"""directory: latitude bands and a covering index, so the nearest search reads a box, not a band

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import math

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Must match bot.directory.models.BANDS_PER_DEGREE at the time of this revision.
BANDS_PER_DEGREE = 4
COVERING = ["lat_band", "lon", "lat", "kind", "online", "languages", "dispute_types"]


def upgrade() -> None:
    with op.batch_alter_table("listings") as batch:
        batch.add_column(sa.Column("lat_band", sa.Integer(), nullable=False, server_default="0"))
    listings = sa.table("listings", sa.column("id", sa.Integer), sa.column("lat", sa.Float),
                        sa.column("lat_band", sa.Integer))  # fmt: skip
    connection = op.get_bind()
    rows = connection.execute(sa.select(listings.c.id, listings.c.lat)).all()
    for listing_id, lat in rows:
        connection.execute(
            listings.update()
            .where(listings.c.id == listing_id)
            .values(lat_band=math.floor(lat * BANDS_PER_DEGREE))
        )
    op.drop_index("ix_listings_lat_lon", table_name="listings")
    # The filter columns ride along so that the search reads the index alone (covering).
    op.create_index("ix_listings_band_lon", "listings", COVERING)


def downgrade() -> None:
    op.drop_index("ix_listings_band_lon", table_name="listings")
    op.create_index("ix_listings_lat_lon", "listings", ["lat", "lon"])
    with op.batch_alter_table("listings") as batch:
        batch.drop_column("lat_band")
