"""Turn the one DATABASE_URL people configure into the driver URLs we need."""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url

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
