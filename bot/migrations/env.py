"""Alembic environment: online migrations with the URL set by bot.storage.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from bot.directory import models as _directory_models  # noqa: F401 (registers its tables)
from bot.offices import models as _office_models  # noqa: F401 (registers its tables)
from bot.storage.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        # render_as_batch lets ALTER TABLE work on SQLite too.
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
