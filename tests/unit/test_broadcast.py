"""`python -m bot broadcast` delivers at most once per person and broadcast (security review
L4), on SQLite and PostgreSQL, through the real Bot API emulator: a crash between the journal
and the send, a lost answer, a killed process, two runs at once; and Telegram's 429, 5xx,
403 and refused connections (M4, the broadcast's half)."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.client_reqrep import ConnectionKey
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from telegram import Bot, Message
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError, TimedOut

from bot.cli import news as news_cli
from bot.config import ROOT
from bot.emulator.server import create_app
from bot.offices.models import Office
from bot.storage import leases, migrate
from bot.storage.db import Database
from bot.storage.models import BroadcastDelivery, Lease, User, utcnow
from bot.storage.urls import async_url, connect_args, tune
from bot.telegram import broadcast, campaigns
from bot.telegram.broadcast import (
    Audience,
    BroadcastError,
    BroadcastRequest,
    Progress,
    ServerError,
)

TOKEN = "1000001:broadcast-test"
FIRST_ID = 800000001
NEWS = {"kk": "Жаңалық", "ru": "Новость", "en": "News"}
LANGS = ("kk", "ru", "en")
STOP_LABELS = {"kk": "Тоқтату", "ru": "Отписаться", "en": "Unsubscribe"}


@dataclass
class World:
    client: TestClient[Any, Any]
    url: str
    sessions: async_sessionmaker[AsyncSession]
    database_url: str
    subscribers: list[int]

    async def control(self, method: str, path: str, body: Any = None) -> Any:
        response = await self.client.request(method, f"/control/{path}", json=body)
        payload = await response.json()
        assert response.status < 300, payload
        return payload

    async def received(self, user_id: int, tag: str) -> int:
        events = await self.control("GET", f"users/{user_id}/chat")
        return sum(
            1
            for e in events
            if e["direction"] == "out" and e["kind"] == "message" and tag in e["text"]
        )

    async def journal(self, tag: str) -> dict[int, str]:
        async with self.sessions() as session:
            rows = await session.execute(
                select(BroadcastDelivery.telegram_id, BroadcastDelivery.status).where(
                    BroadcastDelivery.broadcast == tag
                )
            )
            return dict(rows.tuples().all())

    def bot(self, read_timeout: float = 30.0) -> Bot:
        return Bot(TOKEN, base_url=f"{self.url}/bot", request=BroadcastRequest(read_timeout))

    async def fault(self, **rule: Any) -> None:
        await self.control("POST", "faults", {"methods": ["sendMessage"], **rule})


def messages(tag: str) -> dict[str, str]:
    return {language: f"{text} ({tag})" for language, text in NEWS.items()}


async def run(world: World, tag: str, bot: Bot | None = None, **options: Any) -> Progress:
    bot = bot or world.bot()
    async with bot:
        return await broadcast.send(
            bot, world.sessions, tag, messages(tag), rate=broadcast.MAX_RATE,
            stop_labels=STOP_LABELS, **options,
        )  # fmt: skip


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    """Eight subscribers who have talked to the bot (and one who has not subscribed)."""
    migrate.upgrade(database_url)
    url = async_url(database_url)
    engine = create_async_engine(url, connect_args=connect_args(url, interactive=False))
    tune(engine.sync_engine)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    server = TestServer(create_app(), host="127.0.0.1")
    client: TestClient[Any, Any] = TestClient(server)
    await client.start_server()
    world = World(
        client, str(server.make_url("")).rstrip("/"), sessions, database_url, subscribers=[]
    )
    try:
        for n in range(9):
            user_id = FIRST_ID + n
            await world.control(
                "POST", "users", {"id": user_id, "first_name": f"S{n}", "language_code": "en"}
            )
            await world.control("POST", f"users/{user_id}/messages", {"text": "/start"})
            async with sessions.begin() as session:
                session.add(User(telegram_id=user_id, language=LANGS[n % 3], news=n < 8))
            if n < 8:
                world.subscribers.append(user_id)
        yield world
    finally:
        await client.close()
        await engine.dispose()


class Crash(BaseException):
    """The process dies here: nothing after it runs, no handler catches it."""


class CrashingBot(Bot):
    """Dies on the n-th message, before it goes out or right after it went out."""

    def __init__(self, world: World, at: int, after_send: bool) -> None:
        super().__init__(TOKEN, base_url=f"{world.url}/bot", request=BroadcastRequest())
        self._left = at
        self._after_send = after_send

    async def send_message(self, *args: Any, **kwargs: Any) -> Message:
        self._left -= 1
        if self._left == 0 and not self._after_send:
            raise Crash
        sent = await super().send_message(*args, **kwargs)
        if self._left == 0:
            raise Crash
        return sent


# --- the file ------------------------------------------------------------------------------


def test_the_broadcast_is_named_by_its_id_not_by_its_text(tmp_path: Path) -> None:
    path = tmp_path / "news.yml"
    path.write_text("id: 2027-03-new-rooms\nkk: Жаңалық\nru: Новость\nen: News\n", "utf-8")
    assert broadcast.load(path) == (
        "2027-03-new-rooms", {"kk": "Жаңалық", "ru": "Новость", "en": "News"}
    )  # fmt: skip
    path.write_text("id: 2027-03-new-rooms\nkk: Жаңалық!\nru: Новость!\nen: News!\n", "utf-8")
    assert broadcast.load(path)[0] == "2027-03-new-rooms"  # a typo fixed: the same broadcast
    path.write_text("id: 2027-03-01\nkk: a\nru: b\nen: c\n", "utf-8")  # YAML reads a date
    assert broadcast.load(path)[0] == "2027-03-01"

    path.write_text("kk: a\nru: b\nen: c\n", "utf-8")
    with pytest.raises(BroadcastError) as missing:
        broadcast.load(path)
    assert "id: missing" in str(missing.value)
    assert "the same id again sends only to whoever does not have it yet" in str(missing.value)
    for bad in ("news of march", "'-x'", "true", "[a]", "x" * 65):
        path.write_text(f"id: {bad}\nkk: a\nru: b\nen: c\n", "utf-8")
        with pytest.raises(BroadcastError, match="is not a name"):
            broadcast.load(path)
    path.write_text("id: a\nkk: a\nru: b\nen: c\nde: d\n", "utf-8")
    with pytest.raises(BroadcastError, match="unknown keys: de"):
        broadcast.load(path)


def test_news_for_some_languages_needs_only_their_messages(tmp_path: Path) -> None:
    path = tmp_path / "news.yml"
    path.write_text("id: kazakh-only\nkk: '**Жаңалық**'\n", "utf-8")
    assert broadcast.load(path, ["kk"]) == ("kazakh-only", {"kk": "<b>Жаңалық</b>"})
    with pytest.raises(BroadcastError) as everyone:
        broadcast.load(path)
    assert "ru: missing (or send to some languages only: --language)" in str(everyone.value)
    with pytest.raises(BroadcastError, match=r"en: missing$"):
        broadcast.load(path, ["kk", "en"])
    # Formatting Telegram would refuse is caught before anyone is sent anything.
    path.write_text("id: kazakh-only\nkk: '**a _b** c_'\n", "utf-8")
    with pytest.raises(BroadcastError, match="kk: Telegram would reject the formatting"):
        broadcast.load(path, ["kk"])
    # A message given for another language is still checked.
    path.write_text("id: kazakh-only\nkk: a\nru: '" + "я" * 5000 + "'\n", "utf-8")
    with pytest.raises(BroadcastError, match="ru: 5000 characters"):
        broadcast.load(path, ["kk"])


def _raised(error: TelegramError, cause: BaseException | None = None) -> TelegramError:
    try:
        raise error from cause
    except TelegramError as caught:
        return caught


def test_only_what_certainly_did_not_arrive_is_tried_again() -> None:
    assert broadcast.outcome(Forbidden("bot was blocked by the user")) == "blocked"
    assert broadcast.outcome(BadRequest("chat not found")) == "failed"
    assert broadcast.outcome(ServerError(500, "Internal Server Error")) == "retry"
    assert broadcast.outcome(ServerError(502, "HTTP 502")) == "retry"
    assert broadcast.outcome(ServerError(504, "Gateway Timeout")) == "unknown"
    key = ConnectionKey("127.0.0.1", 1, False, True, None, None, None)
    refused = aiohttp.ClientConnectorError(key, ConnectionRefusedError(111, "refused"))
    assert broadcast.outcome(_raised(NetworkError("refused"), refused)) == "retry"
    connect = aiohttp.ConnectionTimeoutError("slow or no free connection")
    assert broadcast.outcome(_raised(TimedOut(), connect)) == "retry"
    read = aiohttp.SocketTimeoutError("no answer")
    assert broadcast.outcome(_raised(TimedOut(), read)) == "unknown"
    dropped = aiohttp.ServerDisconnectedError()
    assert broadcast.outcome(_raised(NetworkError("dropped"), dropped)) == "unknown"
    assert broadcast.outcome(NetworkError("no cause")) == "unknown"


# --- delivery ------------------------------------------------------------------------------


async def test_each_subscriber_gets_it_once_and_who_blocked_the_bot_is_marked(
    world: World,
) -> None:
    blocked = world.subscribers[1]
    await world.control("POST", f"users/{blocked}/block", {})
    first = await run(world, "a")
    assert (first.sent, first.blocked, first.failed, first.unknown) == (7, 1, 0, 0)
    second = await run(world, "a")
    assert (second.sent, second.already, second.total) == (0, 8, 8)
    for user_id in world.subscribers:
        assert await world.received(user_id, "(a)") == (0 if user_id == blocked else 1)
    assert await world.received(FIRST_ID + 8, "(a)") == 0  # never subscribed
    journal = await world.journal("a")
    assert sorted(journal.values()) == ["blocked"] + ["sent"] * 7
    async with world.sessions() as session:
        user = await session.get(User, blocked)
        assert user is not None
        assert user.blocked


@pytest.mark.parametrize("after_send", [False, True], ids=["before-send", "after-send"])
async def test_a_crash_between_journal_and_send_never_sends_twice(
    world: World, after_send: bool
) -> None:
    """The run dies on the third message: before it went out (the journal already says
    "sending") or after it went out (before the journal says "sent"). Run again: nobody gets
    it twice; the third person is "unknown" and is sent it only when the officer asks."""
    third = world.subscribers[2]
    with pytest.raises(Crash):
        await run(world, "b", CrashingBot(world, at=3, after_send=after_send))
    assert (await world.journal("b"))[third] == "sending"

    resumed = await run(world, "b")
    assert (resumed.sent, resumed.already, resumed.unknown_before) == (5, 2, 1)
    expected_third = 1 if after_send else 0
    for user_id in world.subscribers:
        assert await world.received(user_id, "(b)") == (
            expected_third if user_id == third else 1
        ), user_id
    again = await run(world, "b")
    assert (again.sent, again.unknown_before) == (0, 1)
    assert await world.received(third, "(b)") == expected_third

    chosen = await run(world, "b", resend_unknown=True)  # a duplicate accepted knowingly
    assert (chosen.sent, chosen.unknown_before) == (1, 0)
    assert await world.received(third, "(b)") == expected_third + 1
    assert set((await world.journal("b")).values()) == {"sent"}


@pytest.mark.parametrize("kind", ["hang", "drop"])
async def test_a_lost_answer_is_unknown_and_never_sent_again(world: World, kind: str) -> None:
    """Telegram sent the message, but its answer never came (too slow, or the connection
    dropped): that person is counted unknown and is not sent it again."""
    await world.fault(kind=kind, after_call=True, delay=2, count=1)
    first = await run(world, "c", world.bot(read_timeout=0.5))
    assert (first.sent, first.unknown) == (7, 1)
    journal = await world.journal("c")
    [lost] = [user_id for user_id, status in journal.items() if status == "sending"]
    again = await run(world, "c")
    assert (again.sent, again.unknown_before, again.total) == (0, 1, 8)
    for user_id in world.subscribers:
        assert await world.received(user_id, "(c)") == 1, (user_id, lost)


@pytest.mark.slow  # sleeps on the real clock
async def test_429_and_5xx_are_waited_out_and_tried_again(world: World) -> None:
    await world.fault(kind="429", retry_after=1, count=2)
    await world.fault(kind="500", count=2)
    await world.fault(kind="502", count=1)
    started = asyncio.get_running_loop().time()
    progress = await run(world, "d", backoff=0.05)
    assert (progress.sent, progress.failed, progress.unknown) == (8, 0, 0)
    assert asyncio.get_running_loop().time() - started >= 2  # Telegram's two "retry after 1"
    for user_id in world.subscribers:
        assert await world.received(user_id, "(d)") == 1
    faults = await world.control("GET", "faults")
    assert [f["fired"] for f in faults] == [2, 2, 1]


@pytest.mark.slow  # sleeps on the real clock
async def test_a_refused_connection_is_tried_again_and_then_left_for_the_next_run(
    world: World,
) -> None:
    with socket.socket() as closed:  # a port where nothing listens
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    request = BroadcastRequest()
    nowhere = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=request)
    try:
        progress = await broadcast.send(
            nowhere, world.sessions, "e", messages("e"), rate=broadcast.MAX_RATE,
            stop_labels=STOP_LABELS, attempts=2, backoff=0.01,
        )  # fmt: skip
    finally:
        await request.shutdown()  # never initialised (Telegram was unreachable), yet used
    assert (progress.sent, progress.failed, progress.unknown) == (0, 8, 0)
    assert set((await world.journal("e")).values()) == {"failed"}
    later = await run(world, "e")
    assert (later.sent, later.failed) == (8, 0)
    for user_id in world.subscribers:
        assert await world.received(user_id, "(e)") == 1


async def test_two_runs_at_once_never_both_send(world: World) -> None:
    """One sender at a time (the lease): the second run is refused, saying who sends."""
    one, two = await asyncio.gather(run(world, "f"), run(world, "f"), return_exceptions=True)
    [refused] = [r for r in (one, two) if isinstance(r, BaseException)]
    [progress] = [r for r in (one, two) if isinstance(r, Progress)]
    assert isinstance(refused, broadcast.BroadcastError)
    assert "another broadcast is being sent" in str(refused)
    assert progress.sent == 8
    for user_id in world.subscribers:
        assert await world.received(user_id, "(f)") == 1
    # Done: the lease is free for the next broadcast.
    assert await leases.holder_of(world.sessions, broadcast.LEASE) is None


async def test_a_lease_left_by_a_dead_sender_is_taken_once_it_runs_out(world: World) -> None:
    assert await leases.take(world.sessions, broadcast.LEASE, "dead-sender", 60)
    with pytest.raises(broadcast.BroadcastError, match="dead-sender"):
        await run(world, "h")
    assert await world.journal("h") == {}
    await _lease_runs_out(world)
    assert (await run(world, "h")).sent == 8


async def _lease_runs_out(world: World) -> None:
    """As if LEASE_SECONDS had passed since the holder last renewed."""
    async with world.sessions.begin() as session:
        await session.execute(update(Lease).values(until=utcnow() - dt.timedelta(seconds=1)))


@pytest.mark.slow
async def test_the_command_stops_cleanly_on_sigterm_and_never_sends_twice_after_kill_9(
    world: World, tmp_path: Path
) -> None:
    """The real command: SIGTERM part-way (it stops between two messages), then `kill -9`
    part-way (it dies wherever it is), then the same command to the end."""
    path = tmp_path / "news.yml"
    text = messages("g")
    path.write_text(
        "id: g\n" + "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in text.items()),
        "utf-8",
    )
    for n in range(24):  # more subscribers, so that both signals land mid-run
        user_id = FIRST_ID + 100 + n
        await world.control(
            "POST", "users", {"id": user_id, "first_name": f"T{n}", "language_code": "ru"}
        )
        await world.control("POST", f"users/{user_id}/messages", {"text": "/start"})
        async with world.sessions.begin() as session:
            session.add(User(telegram_id=user_id, language="ru", news=True))
        world.subscribers.append(user_id)
    env = dict(
        os.environ,
        DATABASE_URL=world.database_url,
        TELEGRAM_BOT_TOKEN="",
        TELEGRAM_API_BASE_URL=f"{world.url}/bot",
        KELISIM_VAR_DIR=str(tmp_path / "var"),
    )
    command = [sys.executable, "-m", "bot", "broadcast", str(path), "--rate", "20"]

    async def start() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            *command, cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip

    async def stop_after(
        process: asyncio.subprocess.Process, sends: int, sig: int
    ) -> tuple[int | None, bytes]:
        try:
            for _ in range(3000):
                calls = await world.control("GET", "calls")
                if sum(1 for c in calls if c["method"] == "sendMessage") >= sends:
                    break
                if process.returncode is not None:
                    break
                await asyncio.sleep(0.01)
            assert process.returncode is None, await process.communicate()
            process.send_signal(sig)
        finally:
            out, _ = await asyncio.wait_for(process.communicate(), 60)
        return process.returncode, out

    code, out = await stop_after(await start(), 6, signal.SIGTERM)
    assert code == 130, out
    assert b"interrupted" in out, out
    journal = await world.journal("g")
    assert 6 <= len(journal) < 32
    assert set(journal.values()) == {"sent"}

    code, _ = await stop_after(await start(), 14, signal.SIGKILL)
    assert code == -signal.SIGKILL
    journal = await world.journal("g")
    assert 14 <= len(journal) < 32
    in_flight = [user_id for user_id, status in journal.items() if status == "sending"]
    assert len(in_flight) <= 1  # the one message the kill may have caught
    # The killed sender still holds the lease until it runs out: a run now is refused.
    refused = await start()
    out, err = await asyncio.wait_for(refused.communicate(), 60)
    assert refused.returncode != 0
    assert b"another broadcast is being sent" in out + err
    await _lease_runs_out(world)

    resumed = await start()
    out, err = await asyncio.wait_for(resumed.communicate(), 60)
    assert resumed.returncode == 0, (out, err)
    assert f"unknown {len(in_flight)}, earlier".encode() in out
    for user_id in world.subscribers:
        got = await world.received(user_id, "(g)")
        assert got == 1 or (got == 0 and user_id in in_flight), (user_id, got)


# --- the audience --------------------------------------------------------------------------


async def _placed(world: World) -> None:
    """Subscribers 0-3 in Almaty, 4-7 in Shymkent; the even ones came through office almaty_1;
    languages kk, ru, en in turn (0 kk, 1 ru, 2 en, 3 kk, ...)."""
    async with world.sessions.begin() as session:
        session.add(
            Office(code="almaty_1", kind="psc", region_id="almaty", name_kk="А", name_ru="А",
                   name_en="A")
        )  # fmt: skip
        for n, user_id in enumerate(world.subscribers):
            await session.execute(
                update(User)
                .where(User.telegram_id == user_id)
                .values(
                    region="almaty" if n < 4 else "shymkent", office="" if n % 2 else "almaty_1"
                )
            )


async def test_the_audience_narrows_by_region_office_and_language(world: World) -> None:
    await _placed(world)
    kk_in_almaty = Audience(regions=frozenset({"almaty"}), languages=frozenset({"kk"}))
    assert await broadcast.waiting(world.sessions, "f", kk_in_almaty) == {"kk": 2, "ru": 0, "en": 0}
    progress = await run(world, "f", audience=kk_in_almaty)
    assert (progress.sent, progress.total) == (2, 2)
    for n, user_id in enumerate(world.subscribers):
        assert await world.received(user_id, "(f)") == (1 if n in (0, 3) else 0), n
    # The rest of Almaty, later: only those who do not have it yet.
    in_almaty = Audience(regions=frozenset({"almaty"}))
    assert await broadcast.waiting(world.sessions, "f", in_almaty) == {"kk": 0, "ru": 1, "en": 1}
    through_office = Audience(offices=frozenset({"almaty_1"}))
    assert await broadcast.waiting(world.sessions, "h", through_office) == {
        "kk": 2,
        "ru": 1,
        "en": 1,
    }
    every_filter = Audience(
        frozenset({"almaty", "shymkent"}), frozenset({"almaty_1"}), frozenset({"ru", "en"})
    )
    assert await broadcast.waiting(world.sessions, "h", every_filter) == {"kk": 0, "ru": 1, "en": 1}
    assert await broadcast.waiting(world.sessions, "h") == {"kk": 3, "ru": 3, "en": 2}
    await broadcast.check_offices(world.sessions, through_office)
    with pytest.raises(BroadcastError, match="no_such"):
        await broadcast.check_offices(world.sessions, Audience(offices=frozenset({"no_such"})))


def test_the_command_reads_regions_in_any_language_and_refuses_what_it_cannot_target() -> None:
    args = argparse.Namespace(
        region=["Алматы,Түркістан облысы", "shymkent"], office=["a_1,b_2"], language=["kk,ru"]
    )
    assert news_cli._audience(args) == Audience(
        frozenset({"almaty", "turkistan-region", "shymkent"}),
        frozenset({"a_1", "b_2"}),
        frozenset({"kk", "ru"}),
    )
    for wrong, says in (
        ({"region": ["Каскелен"]}, "--region almaty-region"),
        ({"region": ["Atlantis"]}, "not a region"),
        ({"language": ["de"]}, "--language 'de'"),
    ):
        options = {"region": None, "office": None, "language": None, **wrong}
        with pytest.raises(SystemExit, match=says):
            news_cli._audience(argparse.Namespace(**options))


async def test_what_came_of_each_news_is_counted_with_the_unsubscribes_through_its_button(
    world: World,
) -> None:
    await world.control("POST", f"users/{world.subscribers[1]}/block", {})
    await run(world, "k")
    db = Database(world.database_url)
    try:
        assert await db.stop_news(world.subscribers[0], "k")  # the button under "k"
        assert not await db.stop_news(world.subscribers[0], "k")  # pressed again: no change
        assert await db.stop_news(world.subscribers[2])  # a stop word: no news' button
        assert await db.stop_news(world.subscribers[3], "other")  # a button of another news
    finally:
        await db.close()
    assert await campaigns.counts(world.sessions, ["k"]) == {
        "k": campaigns.Counts(delivered=7, blocked=1, unsubscribed=1)
    }
    assert await broadcast.waiting(world.sessions, "next") == {"kk": 1, "ru": 2, "en": 1}


# --- the bot's send rate, and the runs of a campaign -----------------------------------------


class CountingBucket:
    """The bot's send rate as a broadcast sees it: every token taken is counted."""

    def __init__(self) -> None:
        self.taken = 0

    async def take(self) -> None:
        self.taken += 1


async def test_every_attempt_takes_a_token_from_the_bots_send_rate(world: World) -> None:
    """Each message, and each attempt of it, is a send the bot counts as its own (its answers
    take from the same bucket): 8 subscribers and one 5xx tried again are 9 tokens."""
    await world.fault(kind="500", count=1)
    bucket = CountingBucket()
    progress = await run(world, "rate", bucket=bucket, backoff=0.01)
    assert (progress.sent, progress.failed) == (8, 0)
    assert bucket.taken == 9


def _wanted_for(answers: int) -> tuple[list[int], Any]:
    """`still_wanted` that says yes `answers` times, then no (the campaign was cancelled)."""
    asked: list[int] = []

    async def still_wanted() -> bool:
        asked.append(1)
        return len(asked) <= answers

    return asked, still_wanted


async def test_a_campaign_s_run_stops_before_the_message_after_it_was_cancelled(
    world: World,
) -> None:
    asked, still_wanted = _wanted_for(3)
    campaign = broadcast.CampaignRun(7, still_wanted)
    progress = await run(world, "cut", campaign=campaign)
    assert (progress.sent, progress.cancelled, progress.interrupted) == (3, True, True)
    assert len(asked) == 4  # asked before each message, the fourth answer was no
    async with world.sessions() as session:
        rows = await session.execute(
            select(BroadcastDelivery.status, BroadcastDelivery.campaign).where(
                BroadcastDelivery.broadcast == "cut"
            )
        )
        assert sorted(rows.tuples().all()) == [("sent", 7)] * 3  # nobody claimed after it
    assert sum([await world.received(u, "(cut)") for u in world.subscribers]) == 3
    assert await leases.holder_of(world.sessions, broadcast.LEASE) is None


async def test_a_retry_sends_to_the_campaign_s_failures_only(world: World) -> None:
    """A retry round of campaign 5 tries whom campaign 5 failed, and nobody else: not those an
    earlier run by hand failed, not those who never had it (they subscribed later)."""
    ours, by_hand, *_ = world.subscribers
    async with world.sessions.begin() as session:
        session.add(BroadcastDelivery(broadcast="r", telegram_id=ours, status="failed", campaign=5))
        session.add(BroadcastDelivery(broadcast="r", telegram_id=by_hand, status="failed"))

    async def yes() -> bool:
        return True

    progress = await run(world, "r", campaign=broadcast.CampaignRun(5, yes, retry=True))
    assert (progress.sent, progress.total) == (1, 1)
    assert await world.received(ours, "(r)") == 1
    assert await world.received(by_hand, "(r)") == 0
    async with world.sessions() as session:
        rows = await session.execute(
            select(
                BroadcastDelivery.telegram_id, BroadcastDelivery.status, BroadcastDelivery.campaign
            ).where(BroadcastDelivery.broadcast == "r")
        )
        assert sorted(rows.tuples().all()) == [(ours, "sent", 5), (by_hand, "failed", None)]


async def test_deliveries_made_before_0012_go_to_their_news_id_s_one_campaign(
    database_url: str,
) -> None:
    """Campaign counts were per news id before revision 0012: a news id with one campaign keeps
    its counts; one with two cannot be told apart, and stays unattributed."""
    migrate.upgrade(database_url, "0011")
    url = async_url(database_url)
    engine = create_async_engine(url, connect_args=connect_args(url, interactive=False))
    due = utcnow()
    try:
        async with engine.begin() as conn:
            for number, news in ((1, "alone"), (2, "twice"), (3, "twice")):
                await conn.execute(
                    text(
                        "INSERT INTO campaigns (id, news_id, messages, regions, offices, "
                        "languages, due, status, created_at) VALUES (:id, :news, '{}', '', '', "
                        "'', :due, 'done', :due)"
                    ),
                    {"id": number, "news": news, "due": due},
                )
            for news, user in (("alone", 1), ("alone", 2), ("twice", 3), ("by-hand", 4)):
                await conn.execute(
                    text(
                        "INSERT INTO broadcast_deliveries (broadcast, telegram_id, status, at, "
                        "unsubscribed) VALUES (:news, :user, 'sent', :at, false)"
                    ),
                    {"news": news, "user": user, "at": due},
                )
        migrate.upgrade(database_url)
        async with engine.connect() as conn:
            rows = await conn.execute(
                text("SELECT broadcast, telegram_id, campaign FROM broadcast_deliveries")
            )
            assert sorted(rows.tuples().all()) == [
                ("alone", 1, 1), ("alone", 2, 1), ("by-hand", 4, None), ("twice", 3, None)
            ]  # fmt: skip
    finally:
        await engine.dispose()


def test_news_with_a_word_the_glossary_avoids_is_not_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """News speaks for Kelisim as its pages do: «приговор» for a mediation result is refused
    (content/glossary.yml), before the database is even opened."""
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'never.db'}")
    news = tmp_path / "news.yml"
    news.write_text("id: bad-term\nru: '**Новость:** приговор медиатора обязателен'\n", "utf-8")
    with pytest.raises(SystemExit) as refused:
        main(["broadcast", str(news), "--language", "ru", "--dry-run"])
    message = str(refused.value.code)
    assert "ru: glossary: «приговор» — use «решение»" in message
    assert message.endswith("nothing was sent")
    assert not (tmp_path / "never.db").exists()
    news.write_text("id: good-term\nru: '**Новость:** решение по итогам медиации'\n", "utf-8")
    main(["broadcast", str(news), "--language", "ru", "--dry-run"])
    assert "would get it now: 0" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("at", "night"),
    [
        ("2031-01-05 03:00", True),
        ("2031-01-05 10:00", False),
        ("2031-01-05 22:00", True),
        ("2031-01-05 07:59", True),
    ],
)
def test_news_scheduled_for_the_night_get_a_note(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    at: str,
    night: bool,
) -> None:
    """Scheduled at night in Kazakhstan: stored as asked, with a note that phones may sound."""
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'k.db'}")
    news = tmp_path / "news.yml"
    news.write_text("id: late\nkk: 'Жаңалық'\n", "utf-8")
    main(["broadcast", str(news), "--language", "kk", "--at", at])
    out = capsys.readouterr().out
    assert out.startswith("campaign 1: late to language kk, at " + at)
    assert ("is night in Kazakhstan" in out) is night
