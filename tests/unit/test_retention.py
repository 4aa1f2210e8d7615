"""Retention on a schedule (security review H1, L7): users.last_seen written at most once an
hour, the sweep that purges conversations past the retention period (Rasa's HTTP API faked
here, Redis real) on SQLite and PostgreSQL, the loop, and users' dates only to the month."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import redis.asyncio as aioredis
import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import create_engine, inspect, select, update

from bot.config import Settings
from bot.dialogue.client import RasaClient, sender_id
from bot.outreach.unanswered import UnansweredStore
from bot.privacy import retention
from bot.privacy.retention import Retention, note_seen
from bot.storage import migrate
from bot.storage.db import Database, Flag
from bot.storage.models import User
from bot.storage.urls import sync_url
from tests.support.settings import SECRET, settings_for

TOKEN = "rasa-api-token"
REDIS_URL = "redis://127.0.0.1:6379/0"


@dataclasses.dataclass
class FakeRasa:
    """Rasa's PUT /conversations/<id>/tracker/events, as /forget and the sweep use it."""

    url: str = ""
    purged: list[str] = dataclasses.field(default_factory=list)
    requests: int = 0
    status: int = 200
    during: Callable[[str], Awaitable[None]] | None = None


@pytest.fixture
async def fake_rasa() -> AsyncIterator[FakeRasa]:
    fake = FakeRasa()

    async def replace_events(request: web.Request) -> web.Response:
        fake.requests += 1
        assert request.query.get("token") == TOKEN
        assert await request.json() == []
        sender = request.match_info["sender"]
        if fake.during is not None:
            await fake.during(sender)
        if fake.status != 200:
            return web.json_response({"message": "boom"}, status=fake.status)
        fake.purged.append(sender)
        return web.json_response({"sender_id": sender, "events": []})

    app = web.Application()
    app.router.add_put("/conversations/{sender}/tracker/events", replace_events)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    fake.url = str(server.make_url("")).rstrip("/")
    yield fake
    await server.close()


@dataclasses.dataclass
class World:
    settings: Settings
    db: Database
    rasa: RasaClient
    sweeps: Retention

    def pseudonym(self, telegram_id: int, salt: str) -> str:
        return sender_id(SECRET, telegram_id, salt)

    async def person(self, telegram_id: int, hours_ago: float | None) -> str:
        """A person with a pseudonym, last seen that long ago (None: never); their pseudonym."""
        salt = await self.db.salt(telegram_id)
        seen = None if hours_ago is None else _now() - dt.timedelta(hours=hours_ago)
        async with self.db.sessions.begin() as session:
            await session.execute(
                update(User).where(User.telegram_id == telegram_id).values(last_seen=seen)
            )
        return self.pseudonym(telegram_id, salt)

    async def last_seen(self, telegram_id: int) -> dt.datetime | None:
        async with self.db.sessions() as session:
            return await session.scalar(
                select(User.last_seen).where(User.telegram_id == telegram_id)
            )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@pytest.fixture
async def world(database_url: str, fake_rasa: FakeRasa) -> AsyncIterator[World]:
    migrate.upgrade(database_url)
    settings = settings_for(database_url, rasa_url=fake_rasa.url, rasa_api_token=TOKEN)
    db = Database(database_url)
    rasa = RasaClient(fake_rasa.url, timeout=2.0, api_token=TOKEN)
    sweeps = Retention(settings, db, rasa, UnansweredStore(db.sessions, 0))
    yield World(settings, db, rasa, sweeps)
    await rasa.close()
    await db.close()


async def test_the_sweep_purges_the_conversations_past_the_period_and_no_others(
    world: World, fake_rasa: FakeRasa
) -> None:
    # 24 h kept, a sweep every hour: whoever was last seen over 23 h ago is purged now, since
    # the next sweep would come too late for them.
    due = {await world.person(1, 30), await world.person(2, 23.5)}
    await world.person(3, 22)
    await world.person(4, 0.5)
    await world.person(5, None)
    for n in (1, 3):  # told of danger: that goes with the conversation, not before
        await world.db.set_flags(n, add=[Flag.SAFETY_CONCERN])
    swept = await world.sweeps.run_once()
    assert (swept.conversations, swept.failed) == (2, 0)
    assert set(fake_rasa.purged) == due
    assert [await world.last_seen(n) for n in (1, 2, 5)] == [None, None, None]
    assert (await world.db.person(1)).flags == frozenset()
    assert (await world.db.person(3)).flags == {Flag.SAFETY_CONCERN}
    assert await world.last_seen(3) is not None
    assert await world.last_seen(4) is not None
    # Once purged, not again; the others in their own time.
    assert (await world.sweeps.run_once()).conversations == 0
    later = await world.sweeps.run_once(now=_now() + dt.timedelta(hours=2))
    assert later.conversations == 1
    assert len(fake_rasa.purged) == 3


async def test_someone_who_writes_during_the_sweep_is_purged_in_their_own_time(
    world: World, fake_rasa: FakeRasa
) -> None:
    await world.person(1, 30)

    async def writes_again(_: str) -> None:
        assert await world.db.seen(1, dt.timedelta(hours=1))

    fake_rasa.during = writes_again
    assert (await world.sweeps.run_once()).conversations == 1
    seen = await world.last_seen(1)
    assert seen is not None  # the new conversation's clock, not "purged"
    assert (await world.sweeps.run_once()).conversations == 0


async def test_when_rasa_fails_nothing_is_marked_and_the_sweep_gives_up_for_now(
    world: World, fake_rasa: FakeRasa
) -> None:
    for n in range(1, 6):
        await world.person(n, 48)
    fake_rasa.status = 500
    swept = await world.sweeps.run_once()
    assert (swept.conversations, swept.failed) == (0, retention.GIVE_UP_AFTER)
    assert fake_rasa.requests == retention.GIVE_UP_AFTER
    assert all([await world.last_seen(n) is not None for n in range(1, 6)])
    fake_rasa.status = 200
    assert (await world.sweeps.run_once()).conversations == 5


async def test_the_sweep_goes_past_a_conversation_that_cannot_be_purged(
    world: World, fake_rasa: FakeRasa
) -> None:
    """One bad conversation does not hold back everyone after it."""
    stuck = await world.person(1, 48)
    for n in range(2, 2 + retention.BATCH + 5):
        await world.person(n, 48)
    original = world.rasa.purge

    async def purge(sender: str) -> bool:
        return False if sender == stuck else await original(sender)

    world.rasa.purge = purge  # type: ignore[method-assign]
    swept = await world.sweeps.run_once()
    assert (swept.conversations, swept.failed) == (retention.BATCH + 5, 1)
    assert await world.last_seen(1) is not None


async def test_without_rasa_s_token_or_redis_nothing_can_be_purged_and_it_says_so_once(
    database_url: str, fake_rasa: FakeRasa, caplog: pytest.LogCaptureFixture
) -> None:
    migrate.upgrade(database_url)
    db = Database(database_url)
    rasa = RasaClient(fake_rasa.url)
    try:
        sweeps = Retention(settings_for(database_url), db, rasa, UnansweredStore(db.sessions, 0))
        await db.salt(1)
        await db.seen(1, dt.timedelta(hours=1))
        with caplog.at_level(logging.WARNING):
            await sweeps.run_once(now=_now() + dt.timedelta(days=2))
            await sweeps.run_once(now=_now() + dt.timedelta(days=3))
    finally:
        await rasa.close()
        await db.close()
    assert caplog.text.count("cannot be purged on schedule") == 1
    assert fake_rasa.requests == 0


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    prefix = f"kelisimunit{uuid.uuid4().hex[:8]}"
    yield prefix
    client = aioredis.Redis.from_url(REDIS_URL)
    async for key in client.scan_iter(f"{prefix}:*"):
        await client.delete(key)
    await client.aclose()


@pytest.mark.slow
@pytest.mark.parametrize("token", [TOKEN, ""], ids=["api-and-redis", "redis-only"])
async def test_with_redis_the_tracker_and_lock_keys_go_too(
    world: World, fake_rasa: FakeRasa, redis_prefix: str, token: str
) -> None:
    world.sweeps.settings = dataclasses.replace(
        world.settings, redis_url=REDIS_URL, redis_prefix=redis_prefix, rasa_api_token=token
    )
    world.rasa.api_token = token
    old = await world.person(1, 30)
    recent = await world.person(2, 1)
    client = aioredis.Redis.from_url(REDIS_URL)
    try:
        for pseudonym in (old, recent):
            await client.set(f"{redis_prefix}:tracker:{pseudonym}", "the conversation")
            await client.set(f"{redis_prefix}:lock:{pseudonym}", "a lock")
        assert (await world.sweeps.run_once()).conversations == 1
        left = {key.decode() async for key in client.scan_iter(f"{redis_prefix}:*")}
    finally:
        await client.aclose()
    assert left == {f"{redis_prefix}:tracker:{recent}", f"{redis_prefix}:lock:{recent}"}
    assert fake_rasa.purged == ([old] if token else [])
    assert await world.last_seen(1) is None


async def test_last_seen_is_written_at_most_once_an_hour(database_url: str) -> None:
    migrate.upgrade(database_url)
    db = Database(database_url)
    hour = dt.timedelta(hours=1)
    try:
        assert not await db.seen(5, hour)  # no row, no conversation: nothing to note
        await db.salt(5)
        assert await db.seen(5, hour)
        assert not await db.seen(5, hour)
        async with db.sessions.begin() as session:
            await session.execute(update(User).values(last_seen=_now() - dt.timedelta(minutes=61)))
        assert await db.seen(5, hour)
    finally:
        await db.close()


class CountingDb:
    def __init__(self, fail: bool = False) -> None:
        self.calls = 0
        self.fail = fail

    async def seen(self, telegram_id: int, every: dt.timedelta) -> bool:
        self.calls += 1
        if self.fail:
            raise RuntimeError("database down")
        return True


async def test_a_turn_costs_no_statement_while_last_seen_is_recent_enough() -> None:
    settings = settings_for("sqlite://")
    db = CountingDb()
    user_data: dict[str, Any] = {}
    for _ in range(5):
        await note_seen(db, settings, user_data, 7)  # type: ignore[arg-type]
    assert db.calls == 1
    await note_seen(db, settings, None, 7)  # type: ignore[arg-type]
    assert db.calls == 2
    # A failure costs the turn nothing, and the next turn tries again.
    failing = CountingDb(fail=True)
    fresh: dict[str, Any] = {}
    await note_seen(failing, settings, fresh, 7)  # type: ignore[arg-type]
    await note_seen(failing, settings, fresh, 7)  # type: ignore[arg-type]
    assert failing.calls == 2


def test_the_period_and_the_beat() -> None:
    assert retention.period(settings_for("sqlite://")) == dt.timedelta(hours=24)
    assert retention.interval(settings_for("sqlite://")) == dt.timedelta(hours=1)
    short = settings_for("sqlite://", conversation_retention_hours=0.02)
    assert retention.interval(short) == dt.timedelta(seconds=18)


async def test_the_loop_sweeps_again_after_a_failure_and_stops_when_cancelled(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    runs = 0

    async def run_once(now: dt.datetime | None = None) -> retention.Sweep:
        nonlocal runs
        runs += 1
        if runs == 1:
            raise RuntimeError("first sweep fails")
        return retention.Sweep()

    world.sweeps.run_once = run_once  # type: ignore[method-assign]
    with caplog.at_level(logging.ERROR):
        task = asyncio.create_task(world.sweeps.run_forever(every=0.01))
        for _ in range(200):
            if runs >= 3:
                break
            await asyncio.sleep(0.01)
        await retention.stop(task)
    assert runs >= 3
    assert task.cancelled()
    assert "retention sweep failed" in caplog.text
    await retention.stop(task)  # stopping twice is harmless
    await retention.stop(None)


# --- users' dates only to the month (L7) -------------------------------------------------------


def _as_utc(value: dt.datetime) -> dt.datetime:
    # SQLite gives the stored UTC time back without its zone.
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


async def test_new_rows_keep_only_the_month(database_url: str) -> None:
    migrate.upgrade(database_url)
    db = Database(database_url)
    try:
        await db.set_language(8, "kk")
        await db.set_news(8, True, "kk")
        async with db.sessions() as session:
            user = await session.get(User, 8)
            assert user is not None
            created, updated = _as_utc(user.created_at), _as_utc(user.updated_at)
    finally:
        await db.close()
    month = _now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    assert created == updated == month


def _read(value: str | dt.datetime | None) -> dt.datetime | None:
    if isinstance(value, str):  # SQLite's text
        value = dt.datetime.fromisoformat(value)
    return None if value is None else _as_utc(value)


def test_the_migration_coarsens_dates_and_counts_existing_conversations_from_now(
    database_url: str,
) -> None:
    migrate.upgrade(database_url, "0006")
    users = sa.table(
        "users",
        sa.column("telegram_id", sa.BigInteger()),
        sa.column("language", sa.String()),
        sa.column("salt", sa.String()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    engine = create_engine(sync_url(database_url))
    created = dt.datetime(2026, 11, 17, 13, 45, 12, 345678, tzinfo=dt.UTC)
    updated = dt.datetime(2026, 12, 3, 23, 59, 59, tzinfo=dt.UTC)
    with engine.begin() as conn:
        conn.execute(
            users.insert(),
            [
                {"telegram_id": 1, "language": "kk", "salt": "ab" * 16,
                 "created_at": created, "updated_at": updated},
                {"telegram_id": 2, "language": "ru", "salt": "",
                 "created_at": updated, "updated_at": updated},
            ],
        )  # fmt: skip
    before = _now()
    migrate.upgrade(database_url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT telegram_id, created_at, updated_at, last_seen FROM users ORDER BY 1")
        ).all()
    dates = {row[0]: [_read(v) for v in row[1:]] for row in rows}
    nov, dec = dt.datetime(2026, 11, 1, tzinfo=dt.UTC), dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    assert dates[1][:2] == [nov, dec]
    assert dates[2][:2] == [dec, dec]
    # A conversation from before the column may exist: it is purged one period from now.
    assert dates[1][2] is not None
    assert dates[1][2] >= before - dt.timedelta(seconds=1)
    assert dates[2][2] is None
    migrate.downgrade(database_url, "0006")
    assert "last_seen" not in {c["name"] for c in inspect(engine).get_columns("users")}
    engine.dispose()
