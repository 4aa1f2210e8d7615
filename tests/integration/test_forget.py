"""/forget through the real stack with Redis (security review H1): the conversation's text is
in no Redis key afterwards, and nothing from before is remembered (a new pseudonym)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import redis

from bot.content import Catalogue
from bot.dialogue.client import sender_id
from bot.stack import Stack
from bot.telegram import callbacks, directory_codes
from bot.telegram.directory_codes import Op
from tests.support.playground import directory_buttons
from tests.support.stack import REDIS_URL, new_chat
from tests.support.views import plain

pytestmark = pytest.mark.integration

SECRET = "my passport number is N1234567 and my husband owes alimony"


def keys_holding(stack: Stack, text: str) -> list[bytes]:
    """The stack's Redis keys whose value holds the text, whatever the key's type."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        return [
            key for key in client.scan_iter(f"{stack.redis_prefix}:*")
            if text.encode() in _value(client, key)
        ]  # fmt: skip
    finally:
        client.close()


def _value(client: redis.Redis, key: bytes) -> bytes:
    """Everything a key holds, as bytes (strings, hashes, lists, sets, sorted sets, streams)."""
    kind = client.type(key)
    parts: list[Any]
    if kind == b"string":
        parts = [client.get(key)]
    elif kind == b"hash":
        parts = [x for pair in client.hgetall(key).items() for x in pair]
    elif kind == b"list":
        parts = client.lrange(key, 0, -1)
    elif kind == b"set":
        parts = list(client.smembers(key))
    elif kind == b"zset":
        parts = client.zrange(key, 0, -1)
    elif kind == b"stream":
        entries = client.xrange(key) or []
        parts = [x for _, fields in entries for pair in (fields or {}).items() for x in pair]
    else:
        parts = []
    return b"\n".join(p if isinstance(p, bytes) else str(p).encode() for p in parts if p)


def conversation_keys(stack: Stack) -> set[bytes]:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        return set(client.scan_iter(f"{stack.redis_prefix}:tracker:*"))
    finally:
        client.close()


async def test_forget_deletes_the_conversation_and_starts_a_new_one(
    stack: Stack, http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    chat = await new_chat(http, stack, "en")
    await chat.send("/start")
    await chat.press(callbacks.choose_language("en"), count=2)
    before = conversation_keys(stack)
    await chat.send(SECRET)
    await chat.settle()
    # A search remembers the place for the next one.
    await chat.press(directory_codes.search_in("astana"), forge=True)
    mine = conversation_keys(stack) - before
    assert len(mine) == 1
    assert keys_holding(stack, SECRET)

    [confirm] = await chat.press(callbacks.FORGET, forge=True)
    assert confirm["text"] == plain(catalogue, "en", "forget.confirm")
    [done] = await chat.press(callbacks.FORGET_CONFIRMED)
    assert done["text"] == plain(catalogue, "en", "forget.deleted")
    assert keys_holding(stack, SECRET) == []
    assert not (mine & conversation_keys(stack))

    # Nothing from before: "find a mediator" asks where, not Astana again.
    await chat.send("/start")
    await chat.press(callbacks.choose_language("en"), count=2)
    found = await chat.send("find a mediator")
    assert not any(directory_buttons(e, Op.CALL) for e in found)
    assert found[0]["text"] == plain(catalogue, "en", "dir.ask_place")
    new = conversation_keys(stack) - before
    assert new
    assert not (new & mine)


async def test_forget_purges_the_in_memory_conversation_too(
    memory_stack: tuple[Stack, Path], http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    stack, tmp = memory_stack
    chat = await new_chat(http, stack, "ru")
    await chat.send("/start")
    await chat.press(callbacks.choose_language("ru"), count=2)
    await chat.send(SECRET)
    await chat.settle()
    with sqlite3.connect(tmp / "kelisim.db") as db:
        [(salt,)] = db.execute("SELECT salt FROM users WHERE telegram_id = ?", (chat.user_id,))
    old = sender_id("integration-tests", chat.user_id, salt)

    async def events_text() -> str:
        url = f"{stack.rasa_url}/conversations/{old}/tracker"
        async with http.get(url, params={"token": stack.rasa_api_token}) as response:
            assert response.status == 200
            return json.dumps(await response.json(), ensure_ascii=False)

    assert SECRET in await events_text()
    await chat.press(callbacks.FORGET, forge=True)
    [done] = await chat.press(callbacks.FORGET_CONFIRMED)
    assert done["text"] == plain(catalogue, "ru", "forget.deleted")
    assert SECRET not in await events_text()
    # Rasa's API answers only with the run's token.
    async with http.get(f"{stack.rasa_url}/conversations/{old}/tracker") as response:
        assert response.status == 401


def test_rasa_and_the_action_server_run_without_the_bots_secrets(stack: Stack) -> None:
    """Read from the running processes themselves (security review L5)."""
    from bot.model import BOT_ONLY

    seen = set()
    for child in stack.children:
        environ = Path(f"/proc/{child.process.pid}/environ").read_bytes().split(b"\0")
        names = {item.split(b"=", 1)[0].decode() for item in environ if b"=" in item}
        if child.name in ("rasa", "actions"):
            # Rasa gets REDIS_PASSWORD when REDIS_URL has one (its endpoints file names it).
            allowed = {"REDIS_PASSWORD"} if child.name == "rasa" else set()
            assert not names & (set(BOT_ONLY) - allowed), child.name
            seen.add(child.name)
        if child.name == "bot":
            assert {"DATABASE_URL", "RASA_API_TOKEN"} <= names
    assert seen == {"rasa", "actions"}
