"""users.last_seen, so that a conversation in Rasa is purged a retention period after the
person's last message even with the in-memory tracker store (security review H1); users'
created_at and updated_at only to the month (L7)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_users = sa.table(
    "users",
    sa.column("salt", sa.String()),
    sa.column("last_seen", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("last_seen", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_users_last_seen", ["last_seen"])
    # Whoever has a pseudonym may have a conversation in Rasa from before this column, and
    # when they last wrote is not known: count from now, so it is purged one period from now.
    op.execute(_users.update().where(_users.c.salt != "").values(last_seen=dt.datetime.now(dt.UTC)))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE users SET"
            " created_at = date_trunc('month', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',"
            " updated_at = date_trunc('month', updated_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
        )
    else:
        # SQLAlchemy keeps SQLite datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff' text, in UTC.
        op.execute(
            "UPDATE users SET"
            " created_at = substr(created_at, 1, 7) || '-01 00:00:00.000000',"
            " updated_at = substr(updated_at, 1, 7) || '-01 00:00:00.000000'"
        )


def downgrade() -> None:
    # The days and times that the upgrade coarsened to the month are not restored.
    with op.batch_alter_table("users") as batch:
        batch.drop_index("ix_users_last_seen")
        batch.drop_column("last_seen")
