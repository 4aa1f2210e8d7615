"""/forget through the real stack with Redis (security review H1): the conversation's text is
in no Redis key afterwards, and nothing from before is remembered (a new pseudonym)."""

from __future__ import annotations

import aiohttp
import pytest
import redis

from bot.content import Catalogue
from bot.stack import Stack
from tests.integration.test_conversation import plain
from tests.support.playground import callback_data
from tests.support.stack import REDIS_URL, new_chat

pytestmark = pytest.mark.integration

SECRET = "my passport number is N1234567 and my husband owes alimony"


def keys_holding(stack: Stack, text: str) -> list[bytes]:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        return [
            key for key in client.scan_iter(f"{stack.redis_prefix}:*")
            if text.encode() in (client.get(key) or b"")
        ]  # fmt: skip
    finally:
        client.close()


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
    await chat.press("l:en", count=2)
    before = conversation_keys(stack)
    await chat.send(SECRET)
    await chat.settle()
    # A search remembers the place for the next one.
    await chat.press("w:astana", forge=True)
    mine = conversation_keys(stack) - before
    assert len(mine) == 1 and keys_holding(stack, SECRET)

    [confirm] = await chat.press("forget", forge=True)
    assert confirm["text"] == plain(catalogue, "en", "forget.confirm")
    [done] = await chat.press("forget:yes")
    assert done["text"] == plain(catalogue, "en", "forget.deleted")
    assert keys_holding(stack, SECRET) == []
    assert not (mine & conversation_keys(stack))

    # Nothing from before: "find a mediator" asks where, not Astana again.
    await chat.send("/start")
    await chat.press("l:en", count=2)
    found = await chat.send("find a mediator")
    assert not any(d.startswith("c:") for e in found for d in callback_data(e))
    assert found[0]["text"] == plain(catalogue, "en", "dir.ask_place")
    new = conversation_keys(stack) - before
    assert new and not (new & mine)  # a new pseudonym, a new conversation
