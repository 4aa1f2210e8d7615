"""Faults while people talk (issue 13): the real stack under its supervisor, on a Redis and a
PostgreSQL of the test's own, so they can be killed and started again. While simulated users
talk, the Bot API answers 429 and 502 bursts, and the action server, Redis, PostgreSQL and Rasa
are killed one at a time. Every message gets exactly one answer (the real one, or the apology
and the menu while a part is down), one chat's answers keep their order, and the stack
recovers by itself."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.content import Catalogue
from bot.stack import Stack
from bot.supervisor import Backoff
from bot.telegram import callbacks
from tests.support.playground import Chat
from tests.support.services import PrivatePostgres, PrivateRedis
from tests.support.stack import _stack

pytestmark = pytest.mark.integration

MESSAGES = ["what is mediation", "что такое медиация", "медиация деген не", "hello"]
USERS = 4


@dataclass
class Faulty:
    stack: Stack
    redis: PrivateRedis
    postgres: PrivatePostgres


@pytest.fixture(scope="module")
def faulty(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Faulty]:
    redis_server = PrivateRedis()
    redis_server.start()
    postgres = PrivatePostgres()
    postgres.init()
    stack = _stack(
        tmp_path_factory.mktemp("faults"),
        database_url=postgres.url,
        # The bot's patience for a turn, and so the life of a conversation's lock in Rasa: a
        # Rasa killed mid-turn leaves its lock behind, and it must not outlive the test's wait.
        env={"REDIS_URL": redis_server.url, "RASA_TIMEOUT": "10"},
        # Quick restarts: the test waits for them.
        backoff=Backoff(first=0.5, longest=2.0),
    )
    try:
        stack.start()
        yield Faulty(stack, redis_server, postgres)
    finally:
        stack.stop()
        redis_server.kill()
        postgres.stop()


@dataclass
class Talker:
    """One person talking on and on: each message, then everything the bot says to it."""

    chat: Chat
    answers: list[tuple[str, list[str]]] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)

    async def turn(self, text: str) -> None:
        try:
            first = await self.chat.send(text, count=1)
        except AssertionError:
            self.unanswered.append(text)
            return
        rest = await self.chat.settle(quiet=0.8)
        self.answers.append((text, [str(e.get("text", "")) for e in first + rest]))

    async def talk(self, stop: asyncio.Event, offset: int) -> None:
        for text in itertools.islice(itertools.cycle(MESSAGES), offset, None):
            if stop.is_set():
                return
            await self.turn(text)


async def _supervise(stack: Stack, stop: asyncio.Event) -> None:
    """What `python -m bot stack` does in its main loop: restart what died."""
    while not stop.is_set():
        stack.supervisor.check()
        await asyncio.sleep(0.3)


async def _up(http: aiohttp.ClientSession, url: str, within: float) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with contextlib.suppress(aiohttp.ClientError, asyncio.TimeoutError):
            async with http.get(url, timeout=aiohttp.ClientTimeout(total=2)) as response:
                if response.status == 200:
                    return
        await asyncio.sleep(0.5)
    raise AssertionError(f"{url} did not come back within {within:.0f} s")


def _kill(stack: Stack, name: str) -> int:
    [child] = [c for c in stack.children if c.name == name]
    pid = child.process.pid
    os.kill(pid, signal.SIGKILL)
    return pid


async def _fault(http: aiohttp.ClientSession, stack: Stack, body: dict[str, Any]) -> None:
    async with http.post(f"{stack.emulator_url}/control/faults", json=body) as response:
        assert response.status == 201, await response.text()


@pytest.fixture
async def people(faulty: Faulty, http: aiohttp.ClientSession) -> list[Talker]:
    talkers = []
    for n in range(USERS):
        chat = await Chat.open(http, faulty.stack.emulator_url, "en", name=f"fault{n}")
        await chat.send("/start")
        await chat.press(callbacks.choose_language("en"), count=2)
        await chat.settle(quiet=0.5)
        talkers.append(Talker(chat))
    return talkers


async def test_every_message_gets_one_answer_while_parts_fail_and_come_back(
    faulty: Faulty, people: list[Talker], http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    stack = faulty.stack
    stop = asyncio.Event()
    supervising = asyncio.create_task(_supervise(stack, stop))
    talking = [asyncio.create_task(t.talk(stop, n)) for n, t in enumerate(people)]
    try:
        await asyncio.sleep(3)
        # Telegram's flood control and its front end's bad gateway, on the bot's replies.
        await _fault(http, stack, {"kind": "429", "methods": ["sendMessage"], "count": 6})
        await _fault(http, stack, {"kind": "502", "methods": ["sendMessage"], "count": 6})
        await asyncio.sleep(4)

        killed = _kill(stack, "actions")
        await asyncio.sleep(2)
        await _up(http, f"{stack.actions_url}/health", 60)
        assert next(c for c in stack.children if c.name == "actions").process.pid != killed
        await asyncio.sleep(3)

        faulty.redis.kill()
        await asyncio.sleep(4)
        faulty.redis.start()
        await asyncio.sleep(3)

        faulty.postgres.kill()
        await asyncio.sleep(4)
        faulty.postgres.start()
        await asyncio.sleep(3)

        _kill(stack, "rasa")
        await asyncio.sleep(3)
        await _up(http, f"{stack.rasa_url}/", 180)
        await asyncio.sleep(3)
    finally:
        stop.set()
        await asyncio.gather(*talking)
        supervising.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await supervising

    apologies = {
        catalogue.text("en", "error.rasa_down"),
        catalogue.text("en", "error.generic"),
    }
    for person in people:
        assert person.unanswered == [], person.unanswered
        assert len(person.answers) >= 10  # they kept talking through it all
        for text, replies in person.answers:
            assert replies, text
            # Exactly one answer: nothing sent twice (a retried send that had arrived).
            assert len(replies) == len(set(replies)), (text, replies)
    # While parts were down some answers were apologies, and the real ones came back after.
    every = [r for p in people for _, rs in p.answers for r in rs]
    assert any(r in apologies for r in every)
    await _up(http, f"{stack.health_url}/healthz", 60)
    for person in people:
        await person.turn("what is mediation")
        _, replies = person.answers[-1]
        assert not apologies & set(replies), replies


async def test_one_chats_answers_keep_their_order_through_a_429_burst(
    faulty: Faulty, people: list[Talker], http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    stack = faulty.stack
    chat = people[0].chat
    await _fault(http, stack, {"kind": "429", "methods": ["sendMessage"], "count": 3})
    base = f"{stack.emulator_url}/control/users/{chat.user_id}/messages"
    for text in ("/language", "what is mediation"):
        async with http.post(base, json={"text": text}) as response:
            assert response.status == 200
    replies = [str(e.get("text", "")) for e in await chat.replies(2) + await chat.settle(1.0)]
    picker = catalogue.text("en", "lang.prompt")
    assert replies[0] == picker  # the answer to /language came first
    assert len(replies) >= 2
    assert picker not in replies[1:]
