"""Scheduled news through the real processes: `python -m bot broadcast --at` stores a campaign,
the running bot (`serve`, REDIS_URL set: its send rate is the shared one in Redis) sends it at
the bot's own TELEGRAM_SENDS_PER_SECOND, `broadcast --cancel` from the command line stops it
after the message being sent, and the deliveries the emulator fails are tried again by the bot
started again, at the time the campaign's row says. The logic in detail, on both databases:
tests/unit/test_broadcast.py and tests/unit/handlers/test_news_schedule.py."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import re
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import create_engine, select, update
from sqlalchemy.orm import Session

from bot import clock
from bot.config import ROOT
from bot.stack import Stack
from bot.storage.models import BroadcastDelivery, Campaign, User, utcnow
from bot.storage.urls import sync_url
from bot.telegram import callbacks
from bot.telegram.campaigns import kazakhstan_time
from tests.support.playground import Chat
from tests.support.stack import REDIS_URL, new_chat, redis_stack

pytestmark = pytest.mark.integration

NEWS = {"kk": "Жаңалық", "ru": "Новость", "en": "News"}
LANGS = ("kk", "ru", "en")


@pytest.fixture(scope="module")
def news_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Emulator and bot, the bot's send rate in Redis under a private prefix."""
    with redis_stack(tmp_path_factory.mktemp("campaigns"), with_rasa=False) as running:
        yield running


async def subscriber(http: aiohttp.ClientSession, stack: Stack, language: str) -> Chat:
    chat = await new_chat(http, stack, language)
    await chat.send("/start")
    await chat.press(callbacks.choose_language(language), count=2)
    await chat.send("/subscribe")
    return chat


def restart_bot(stack: Stack, sends_per_second: int = 30) -> None:
    """The bot stopped and started again (it looks for due news as it starts), at this rate."""
    stack.stop_bot()
    stack.env["TELEGRAM_SENDS_PER_SECOND"] = str(sends_per_second)
    stack.start_bot()


async def command(stack: Stack, *args: str) -> str:
    """`python -m bot broadcast ARGS` as an officer runs it on the bot's machine (the same
    database, Redis and send rate); its output, once it exited 0."""
    env = dict(
        os.environ,
        DATABASE_URL=stack.env["DATABASE_URL"],
        TELEGRAM_BOT_TOKEN="",
        TELEGRAM_API_BASE_URL=f"{stack.emulator_url}/bot",
        KELISIM_VAR_DIR=stack.env["KELISIM_VAR_DIR"],
        REDIS_URL=REDIS_URL,
        RASA_REDIS_PREFIX=stack.redis_prefix,
        TELEGRAM_SENDS_PER_SECOND=stack.env.get("TELEGRAM_SENDS_PER_SECOND", "30"),
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "broadcast", *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 90)
    assert process.returncode == 0, (out, err)
    return out.decode()


async def schedule(stack: Stack, tmp_path: Path, tag: str) -> int:
    """A campaign of news `tag` to every subscriber, due a minute ago; its number."""
    path = tmp_path / f"{tag}.yml"
    lines = [f"{k}: {json.dumps(f'{v} ({tag})', ensure_ascii=False)}" for k, v in NEWS.items()]
    path.write_text("\n".join([f"id: {tag}", *lines, ""]), encoding="utf-8")
    due = clock.now() - dt.timedelta(minutes=1)
    out = await command(stack, str(path), "--at", f"{due:%Y-%m-%d %H:%M}")
    found = re.match(r"campaign (\d+): ", out)
    assert found, out
    return int(found[1])


async def sent_messages(http: aiohttp.ClientSession, stack: Stack, tag: str) -> list[float]:
    """When each message of news `tag` that Telegram accepted was sent."""
    async with http.get(
        f"{stack.emulator_url}/control/calls", params={"method": "sendMessage"}
    ) as r:
        calls: list[dict[str, Any]] = await r.json()
    return [
        float(c["time"]) for c in calls if c["ok"] and f"({tag})" in str(c["params"].get("text"))
    ]


async def received(http: aiohttp.ClientSession, stack: Stack, chat: Chat, tag: str) -> int:
    async with http.get(f"{stack.emulator_url}/control/users/{chat.user_id}/chat") as r:
        events: list[dict[str, Any]] = await r.json()
    return sum(1 for e in events if e["kind"] == "message" and f"({tag})" in (e.get("text") or ""))


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "not reached in time"
        await asyncio.sleep(0.05)


def listed(out: str, number: int) -> str:
    [line] = [line for line in out.splitlines() if line.startswith(f"{number};")]
    return line


def nobody_subscribed(stack: Stack) -> None:
    """The subscribers of the tests before leave the news: each test counts its own."""
    with Session(create_engine(sync_url(stack.env["DATABASE_URL"]))) as session, session.begin():
        session.execute(update(User).values(news=False))


def campaign_row(stack: Stack, number: int) -> Campaign:
    with Session(create_engine(sync_url(stack.env["DATABASE_URL"]))) as session:
        campaign = session.get(Campaign, number)
        assert campaign is not None
        return campaign


async def test_a_campaign_cancelled_from_the_command_line_stops_after_the_message_being_sent(
    news_stack: Stack, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    stack = news_stack
    nobody_subscribed(stack)
    chats = await asyncio.gather(*(subscriber(http, stack, LANGS[n % 3]) for n in range(30)))
    number = await schedule(stack, tmp_path, "cut")
    # The bot, started again at 3 sends a second (for all it sends), finds the campaign due.
    await asyncio.to_thread(restart_bot, stack, 3)

    async def under_way() -> bool:
        return len(await sent_messages(http, stack, "cut")) >= 4

    await eventually(under_way)
    out = await command(stack, "--cancel", str(number))
    # --cancel returns once the bot's sender has stopped: nothing of it is sent any more.
    times = sorted(await sent_messages(http, stack, "cut"))
    assert f"campaign {number} cancelled while being sent: it stopped" in out, out
    assert f"delivered {len(times)}, blocked 0, unsubscribed 0, failed 0, unknown 0" in out, out
    assert 4 <= len(times) < 30
    # At the bot's 3 a second: the bucket's 3 tokens at once, then one every third of a second.
    assert times[-1] - times[0] >= (len(times) - 3) / 3 - 0.05, times

    # Later news goes to everyone; the scheduler, which would take the cancelled campaign first
    # (it was due first), sent none of it meanwhile.
    after = await schedule(stack, tmp_path, "after")
    await asyncio.to_thread(restart_bot, stack)

    async def after_sent() -> bool:
        return len(await sent_messages(http, stack, "after")) == 30

    await eventually(after_sent)
    assert len(await sent_messages(http, stack, "cut")) == len(times)
    got = [await received(http, stack, chat, "cut") for chat in chats]
    assert sorted(got) == [0] * (30 - len(times)) + [1] * len(times)
    out = await command(stack, "--list")
    finished = campaign_row(stack, number).finished_at
    assert finished is not None
    assert listed(out, number).endswith(
        f";delivered {len(times)}, blocked 0, unsubscribed 0, failed 0, unknown 0;cancelled "
        f"{kazakhstan_time(finished)} while being sent: it stopped after {len(times)} "
        "delivered, nobody else gets it"
    ), out
    assert ";delivered 30, blocked 0, unsubscribed 0, failed 0, unknown 0;done " in listed(
        out, after
    )


async def test_failed_deliveries_are_tried_again_by_the_bot_started_again(
    news_stack: Stack, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    stack = news_stack
    nobody_subscribed(stack)
    chats = [await subscriber(http, stack, language) for language in LANGS]
    blocked = await subscriber(http, stack, "ru")  # the last, by Telegram id
    async with http.post(
        f"{stack.emulator_url}/control/users/{blocked.user_id}/block", json={}
    ) as r:
        assert r.status == 200
    # Telegram fails the campaign's first person three times (a 5xx each): all their tries.
    async with http.post(
        f"{stack.emulator_url}/control/faults",
        json={"kind": "500", "methods": ["sendMessage"], "count": 3},
    ) as r:
        assert r.status == 201
    number = await schedule(stack, tmp_path, "again")
    await asyncio.to_thread(restart_bot, stack)

    async def retry_planned() -> bool:
        return campaign_row(stack, number).retry_at is not None

    await eventually(retry_planned)
    first, *others = chats
    assert await received(http, stack, first, "again") == 0
    for chat in others:
        assert await received(http, stack, chat, "again") == 1
    out = await command(stack, "--list")
    retry_at = campaign_row(stack, number).retry_at
    assert retry_at is not None
    assert listed(out, number).endswith(
        ";delivered 2, blocked 1, unsubscribed 0, failed 1, unknown 0;1 failed (not blocked): "
        f"tried again at {kazakhstan_time(retry_at)}, retry 1 of 3"
    ), out

    # A minute later the bot has been restarted: the retry is in the campaign's row.
    with Session(create_engine(sync_url(stack.env["DATABASE_URL"]))) as session, session.begin():
        session.execute(update(Campaign).where(Campaign.id == number).values(retry_at=utcnow()))
    await asyncio.to_thread(restart_bot, stack)

    async def done() -> bool:
        return campaign_row(stack, number).status == "done"

    await eventually(done)
    for chat in chats:
        assert await received(http, stack, chat, "again") == 1  # the failed one too; nobody twice
    assert await received(http, stack, blocked, "again") == 0
    out = await command(stack, "--list")
    assert ";delivered 3, blocked 1, unsubscribed 0, failed 0, unknown 0;done " in listed(
        out, number
    ), out
    with Session(create_engine(sync_url(stack.env["DATABASE_URL"]))) as session:
        journal = session.execute(
            select(BroadcastDelivery.status, BroadcastDelivery.campaign).where(
                BroadcastDelivery.broadcast == "again"
            )
        ).all()
    assert sorted(tuple(row) for row in journal) == [("blocked", number)] + [("sent", number)] * 3
