"""The database handle the bot shares: one async engine, short sessions."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.storage.models import BroadcastDelivery, User
from bot.storage.urls import async_url, connect_args, tune


class Flag(StrEnum):
    """What a conversation has shown so far, kept with the person (`Person.flags`)."""

    # Told of danger, violence or control: the bot's mediator-search buttons show help instead.
    SAFETY_CONCERN = "concern"
    # "I have a code" was pressed: the next text is an office code.
    AWAITING_CODE = "code"
    # The "send my location" keyboard is up: the search's first answer takes it away.
    PLACE_KEYBOARD = "kbd"


def offered(language: str) -> str:
    """The flag of a language already offered to someone writing in it."""
    return f"offered-{language}"


# After 👎 → "something else", when a typed answer may be kept: the next text is taken as what
# was missing on the subject ("page:<id>" or "verdict:<code>") the flag names.
_AWAITING_FEEDBACK = "said-"


def awaiting_feedback(subject: str) -> str:
    """The flag of a person asked to type what was missing on `subject`."""
    return f"{_AWAITING_FEEDBACK}{subject}"


def feedback_awaited(flags: frozenset[str]) -> str | None:
    """The subject someone was asked to type what was missing on, if any."""
    for flag in flags:
        if flag.startswith(_AWAITING_FEEDBACK):
            return flag.removeprefix(_AWAITING_FEEDBACK)
    return None


@dataclass(frozen=True)
class Person:
    """What a turn needs of a person's row: their language ("" until chosen), the office
    and region they came through ("" when unknown), and the conversation's flags."""

    language: str = ""
    office: str = ""
    region: str = ""
    flags: frozenset[str] = frozenset()


NOBODY = Person()


def _flags(raw: str | None) -> frozenset[str]:
    return frozenset(f for f in (raw or "").split(",") if f)


def _person(row: Any) -> Person:
    """(language, office, region, flags) as read, or no row at all."""
    return Person(row[0] or "", row[1] or "", row[2] or "", _flags(row[3])) if row else NOBODY


log = logging.getLogger(__name__)
# How long a direct read of the SQLite file may wait for a lock before the engine takes over.
_READ_WAIT = 0.05


class Database:
    """Async access to the few rows the bot itself reads and writes."""

    def __init__(self, url: str) -> None:
        parsed = async_url(url)
        sqlite = parsed.get_backend_name() == "sqlite"
        if sqlite and parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        self.engine: AsyncEngine = create_async_engine(
            parsed,
            # A server can drop a pooled connection (a restart, a proxy's idle timeout); a
            # SQLite file cannot, and the ping was a round trip to its thread on every session.
            pool_pre_ping=not sqlite,
            connect_args=connect_args(parsed, interactive=True),
        )
        tune(self.engine.sync_engine)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # SQLite file: the read every turn makes goes straight to the file (see _read_person).
        name = parsed.database if sqlite else None
        self._file = Path(name).resolve() if name and name != ":memory:" else None
        self._reader: sqlite3.Connection | None = None
        self._reader_failed = False

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        """For feature stores that share this engine (the directory)."""
        return self._sessions

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        await self.engine.dispose()

    def _read_person(self, telegram_id: int) -> Person | None:
        """The row read from the SQLite file in the event loop's own thread; None: ask the
        engine. Every turn reads it, and going through aiosqlite's thread cost some 30 times
        the read itself (docs/benchmarks.md). Safe on the loop: with WAL a reader never waits
        for a writer, and in the rare case it must (the file not yet in WAL mode, a recovery)
        the short busy timeout gives up and the engine's path, off the loop, takes over."""
        if self._file is None:
            return None
        try:
            if self._reader is None:
                self._reader = sqlite3.connect(
                    f"{self._file.as_uri()}?mode=ro", uri=True, timeout=_READ_WAIT,
                    isolation_level=None, check_same_thread=False,
                )  # fmt: skip
            row = self._reader.execute(
                "SELECT language, office, region, flags FROM users WHERE telegram_id = ?",
                (telegram_id,),
            ).fetchone()
        except sqlite3.Error as exc:
            if not self._reader_failed:  # once, not on every turn while it lasts
                log.info("direct read failed (%s); reading through the engine", exc)
            self._reader_failed = True
            if self._reader is not None:
                self._reader.close()
            self._reader = None  # opened afresh next time
            return None
        self._reader_failed = False
        return _person(row)

    async def person(self, telegram_id: int) -> Person:
        """Language and origin in one read (NOBODY when there is no row)."""
        found = self._read_person(telegram_id)
        if found is not None:
            return found
        async with self._sessions() as session:
            row = (
                await session.execute(
                    select(User.language, User.office, User.region, User.flags).where(
                        User.telegram_id == telegram_id
                    )
                )
            ).first()
            return _person(row)

    async def get_language(self, telegram_id: int) -> str | None:
        async with self._sessions() as session:
            row = await session.scalar(select(User.language).where(User.telegram_id == telegram_id))
            # "" is a user who came through an office's link and has not chosen yet.
            return row or None

    async def set_language(self, telegram_id: int, language: str) -> None:
        async with self._sessions.begin() as session:
            user = await session.get(User, telegram_id)
            if user is None:
                session.add(User(telegram_id=telegram_id, language=language))
            else:
                user.language = language

    async def salt(self, telegram_id: int) -> str:
        """The person's pseudonym salt, made (with their row) on first need."""
        async with self._sessions.begin() as session:
            user = await session.get(User, telegram_id)
            if user is None:
                user = User(telegram_id=telegram_id, language="")
                session.add(user)
            if not user.salt:
                user.salt = secrets.token_hex(16)
            return user.salt

    async def existing_salt(self, telegram_id: int) -> str:
        """The salt if the person has one ("" otherwise); never makes a row."""
        async with self._sessions() as session:
            salt = await session.scalar(select(User.salt).where(User.telegram_id == telegram_id))
            return salt or ""

    async def set_origin(
        self, telegram_id: int, office: str, region: str, language: str | None
    ) -> None:
        """Remember the office (and its region) a user came through; a preset language only
        for someone who has not chosen one yet."""
        async with self._sessions.begin() as session:
            user = await session.get(User, telegram_id)
            if user is None:
                session.add(
                    User(
                        telegram_id=telegram_id,
                        language=language or "",
                        office=office,
                        region=region,
                    )
                )
                return
            user.office, user.region = office, region
            if language and not user.language:
                user.language = language

    async def set_flags(
        self, telegram_id: int, add: Iterable[str] = (), remove: Iterable[str] = ()
    ) -> None:
        """Add and remove flags of the person's conversation. Never makes a row: a flag is
        not worth keeping a Telegram id for (whoever talked to the dialogue has one). A flag
        goes with the conversation: someone who has not talked to the dialogue yet (an office
        code expected) is noted as seen now, so the retention sweep clears it in time."""
        async with self._sessions.begin() as session:
            user = await session.get(User, telegram_id)
            if user is not None:
                kept = (_flags(user.flags) | set(add)) - set(remove)
                user.flags = ",".join(sorted(kept))
                if kept and user.last_seen is None:
                    user.last_seen = dt.datetime.now(dt.UTC)

    async def set_news(self, telegram_id: int, wanted: bool, language: str) -> None:
        """Opt in to news (or out); a new subscriber is a new user row in their language."""
        async with self._sessions.begin() as session:
            user = await session.get(User, telegram_id)
            if user is None:
                session.add(User(telegram_id=telegram_id, language=language, news=wanted))
            else:
                user.news, user.blocked = wanted, False

    async def stop_news(self, telegram_id: int, news_id: str = "") -> bool:
        """No more news for a subscriber (a stop word, or the button under the news `news_id`,
        whose delivery is then marked as the way they left); True if they were subscribed.
        Never makes a row: someone without one gets no news."""
        async with self._sessions.begin() as session:
            stopped = await session.execute(
                update(User)
                .where(User.telegram_id == telegram_id, User.news.is_(True))
                .values(news=False)
                # rowcount is not to be trusted through the ORM on psycopg: a row back is.
                .returning(User.telegram_id)
            )
            if stopped.first() is None:
                return False
            if news_id:
                await session.execute(
                    update(BroadcastDelivery)
                    .where(
                        BroadcastDelivery.broadcast == news_id,
                        BroadcastDelivery.telegram_id == telegram_id,
                    )
                    .values(unsubscribed=True)
                )
            return True

    async def set_blocked(self, telegram_id: int, blocked: bool) -> None:
        """Telegram said the person blocked the bot (or unblocked it): news stops (or may go)."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(User).where(User.telegram_id == telegram_id).values(blocked=blocked)
            )

    async def seen(self, telegram_id: int, every: dt.timedelta) -> bool:
        """Note that the person is talking to the dialogue, unless that was noted less than
        `every` ago: at most one write an hour for a whole conversation. True if written."""
        now = dt.datetime.now(dt.UTC)
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(User)
                .where(User.telegram_id == telegram_id)
                .where(User.last_seen.is_(None) | (User.last_seen < now - every))
                .values(last_seen=now)
            )
        return bool(getattr(result, "rowcount", 0))

    async def forget_user(self, telegram_id: int) -> bool:
        """Delete everything we hold about one user; True if there was anything."""
        async with self._sessions.begin() as session:
            await session.execute(
                delete(BroadcastDelivery).where(BroadcastDelivery.telegram_id == telegram_id)
            )
            user = await session.get(User, telegram_id)
            if user is None:
                return False
            await session.delete(user)
            return True
