"""Migrations and user preferences, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect

from bot.storage import migrate
from bot.storage.db import Database
from bot.storage.urls import sync_url


def test_migrations_create_and_drop_the_users_table(database_url: str) -> None:
    migrate.upgrade(database_url)
    engine = create_engine(sync_url(database_url))
    assert "users" in inspect(engine).get_table_names()
    migrate.downgrade(database_url, "base")
    assert "users" not in inspect(engine).get_table_names()
    engine.dispose()


async def test_language_is_stored_updated_and_forgotten(database_url: str) -> None:
    migrate.upgrade(database_url)
    db = Database(database_url)
    try:
        assert await db.get_language(42) is None
        await db.set_language(42, "kk")
        assert await db.get_language(42) == "kk"
        await db.set_language(42, "en")
        assert await db.get_language(42) == "en"
        assert await db.get_language(43) is None
        assert await db.forget_user(42) is True
        assert await db.get_language(42) is None
        assert await db.forget_user(42) is False
    finally:
        await db.close()


async def test_a_large_telegram_id_fits(database_url: str) -> None:
    migrate.upgrade(database_url)
    db = Database(database_url)
    try:
        await db.set_language(8_000_000_000, "ru")  # ids passed 2^31 long ago
        assert await db.get_language(8_000_000_000) == "ru"
    finally:
        await db.close()
