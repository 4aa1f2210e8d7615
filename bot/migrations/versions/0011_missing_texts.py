"""unanswered_questions.subject: "" for a question the bot did not understand; the page or
verdict ("page:<id>", "verdict:<code>") for what someone typed was missing there, after 👎 →
"something else" (issue 17). Kept anonymised and as briefly as the questions
(KEEP_UNANSWERED_DAYS).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("unanswered_questions") as batch:
        batch.add_column(sa.Column("subject", sa.String(64), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("unanswered_questions") as batch:
        batch.drop_column("subject")
