"""Turn the one DATABASE_URL people configure into the driver URLs we need."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine, make_url

_ASYNC = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+psycopg"}
_SYNC = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg"}


def _with_driver(url: str, table: dict[str, str]) -> URL:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in table:
        raise ValueError(f"unsupported database {backend!r}: use sqlite or postgresql")
    return parsed.set(drivername=table[backend])


def async_url(url: str) -> URL:
    """The asyncio driver for the bot (aiosqlite or psycopg 3)."""
    return _with_driver(url, _ASYNC)


def sync_url(url: str) -> URL:
    """The blocking driver for migrations and command-line tools."""
    return _with_driver(url, _SYNC)


# How long a writer waits for another (the CLI importing while the bot answers) before failing.
SQLITE_BUSY_SECONDS = 15
# How long to wait for PostgreSQL to accept a connection, and, for the bot, for one statement:
# a stuck database must give a person the apology within seconds, not hang their turn.
POSTGRES_CONNECT_SECONDS = 5
POSTGRES_STATEMENT_MS = 15_000


def connect_args(url: URL, *, interactive: bool) -> dict[str, object]:
    """Driver options: timeouts for both databases (the bot is `interactive`, the CLI is not)."""
    if url.get_backend_name() == "sqlite":
        return {"timeout": SQLITE_BUSY_SECONDS}
    args: dict[str, object] = {"connect_timeout": POSTGRES_CONNECT_SECONDS}
    if interactive:
        # These options replace any given in the URL (a search_path, say): keep those too.
        given = url.query.get("options")
        given = " ".join(given) if isinstance(given, tuple) else given
        timeout = f"-c statement_timeout={POSTGRES_STATEMENT_MS}"
        args["options"] = f"{given} {timeout}" if given else timeout
    return args


def tune(engine: Engine) -> Engine:
    """SQLite in WAL mode, so that readers never wait for a writer (the bot for an import).

    With WAL, synchronous=NORMAL syncs at checkpoints rather than at every commit: the file
    cannot be corrupted, and a crash of the process loses nothing; only a power cut can take
    back the last commits. Most turns write (a count), so a sync per commit is felt."""
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _wal(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
            cursor.close()

    return engine


def sync_engine(url: str) -> Engine:
    """A blocking engine for migrations and the command line, with the same settings."""
    parsed = sync_url(url)
    return tune(create_engine(parsed, connect_args=connect_args(parsed, interactive=False)))
