"""The database schema: Alembic migrations up or down."""

from __future__ import annotations

import argparse

from bot.cli.common import Adder


def cmd_db(args: argparse.Namespace) -> None:
    """Create or migrate the database tables (Alembic)."""
    from bot.config import Settings
    from bot.storage import migrate

    url = Settings.from_env().database_url
    if args.action == "upgrade":
        migrate.upgrade(url, args.revision or "head")
    else:
        migrate.downgrade(url, args.revision or "-1")
    print(f"database {args.action} done")


def register(add: Adder) -> None:
    """Its commands, their arguments and help."""
    db = add("db", cmd_db)
    db.add_argument("action", choices=["upgrade", "downgrade"])
    db.add_argument("revision", nargs="?")
