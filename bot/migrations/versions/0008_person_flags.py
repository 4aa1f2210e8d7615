"""users.flags: what the conversation has shown so far about a person (told of danger, an
office code expected, ...), in the database rather than one bot process's memory, so that any
worker can answer the person's next message (issue 16); cleared with the conversation

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("flags", sa.String(200), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("flags")
