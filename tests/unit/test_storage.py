"""Migrations and user preferences, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect

from bot.storage import migrate
from bot.storage.db import NOBODY, Database, Flag, Person, offered
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


async def test_a_turn_reads_language_and_origin_in_one_row(database_url: str) -> None:
    migrate.upgrade(database_url)
    db = Database(database_url)
    try:
        assert await db.person(42) == NOBODY
        await db.set_origin(42, "court_7", "shymkent", "kk")  # a preset, not chosen yet
        assert await db.person(42) == Person("kk", "court_7", "shymkent")
        await db.set_language(42, "en")
        assert await db.person(42) == Person("en", "court_7", "shymkent")
        await db.set_language(43, "ru")  # came without an office
        assert await db.person(43) == Person("ru", "", "")
        await db.forget_user(42)
        assert await db.person(42) == NOBODY
    finally:
        await db.close()


async def test_the_direct_read_of_a_sqlite_file_gives_way_to_the_engine(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    migrate.upgrade(url)
    db = Database(url)
    try:
        await db.set_language(42, "kk")
        assert db._read_person(42) == Person("kk")  # read in the loop's thread, no hop
        await db.set_language(42, "ru")
        assert db._read_person(42) == Person("ru")  # sees each commit at once
        assert db._reader is not None
        db._reader.close()  # whatever goes wrong with it, the engine answers instead
        assert db._read_person(42) is None
        assert await db.person(42) == Person("ru")  # and the next read opens it again
        assert db._reader is not None
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


async def test_the_bots_engine_waits_and_times_out_as_it_should(database_url: str) -> None:
    """SQLite in WAL mode with a busy timeout; PostgreSQL with connect and statement timeouts."""
    from sqlalchemy import text

    from bot.storage.urls import sync_engine

    db = Database(database_url)
    try:
        async with db.engine.connect() as connection:
            if db.engine.dialect.name == "sqlite":
                assert (await connection.scalar(text("PRAGMA journal_mode"))) == "wal"
                assert (await connection.scalar(text("PRAGMA busy_timeout"))) == 15000
            else:
                assert (await connection.scalar(text("SHOW statement_timeout"))) == "15s"
    finally:
        await db.close()
    engine = sync_engine(database_url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
            else:  # the command line may run long statements (CLUSTER after an import)
                assert connection.scalar(text("SHOW statement_timeout")) == "0"
    finally:
        engine.dispose()


async def test_the_pseudonym_salt_is_made_once_and_renewed_after_forget(database_url: str) -> None:
    from bot.dialogue.client import sender_id

    migrate.upgrade(database_url)
    db = Database(database_url)
    try:
        first = await db.salt(42)
        assert len(first) == 32
        assert await db.salt(42) == first
        assert await db.get_language(42) is None  # the row carries no language yet
        await db.set_language(42, "kk")
        assert await db.salt(42) == first
        assert await db.forget_user(42)
        renewed = await db.salt(42)
        assert renewed != first
        assert sender_id("k", 42, renewed) != sender_id("k", 42, first) != sender_id("k", 42)
    finally:
        await db.close()


async def test_a_conversations_flags_are_kept_with_the_person_and_forgotten(
    database_url: str,
) -> None:
    migrate.upgrade(database_url)
    db = Database(database_url)
    try:
        await db.set_flags(42, add=[Flag.AWAITING_CODE])  # no row: none is made for a flag
        assert await db.person(42) == NOBODY
        await db.set_language(42, "kk")
        await db.set_flags(42, add=[Flag.AWAITING_CODE])
        assert await db.person(42) == Person("kk", "", "", frozenset({"code"}))
        await db.set_flags(
            42, add=[Flag.SAFETY_CONCERN, offered("en")], remove=[Flag.AWAITING_CODE]
        )
        assert (await db.person(42)).flags == {Flag.SAFETY_CONCERN, "offered-en"}
        assert (await db.person(42)).language == "kk"
        await db.set_flags(42, remove=["not-set"])  # nothing to remove: nothing changes
        assert (await db.person(42)).flags == {Flag.SAFETY_CONCERN, "offered-en"}
        assert await db.forget_user(42) is True
        assert await db.person(42) == NOBODY
    finally:
        await db.close()
