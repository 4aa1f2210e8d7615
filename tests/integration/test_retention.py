"""Retention on a schedule through the real stack (security review H1): with Rasa's in-memory
tracker store, a conversation is gone from Rasa a retention period after its last message,
with no new message and no /forget: the bot's own sweep purges it."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from pathlib import Path

import aiohttp
import pytest

from bot.dialogue.client import sender_id
from bot.stack import Stack
from bot.telegram import callbacks
from tests.support.stack import MEMORY_RETENTION_HOURS, new_chat

pytestmark = pytest.mark.integration

SECRET = "my husband Asxat owes alimony since march, my passport is N7654321"
RETENTION_HOURS = MEMORY_RETENTION_HOURS


async def test_a_conversation_leaves_rasa_after_the_period_without_another_message(
    memory_stack: tuple[Stack, Path], http: aiohttp.ClientSession
) -> None:
    stack, tmp = memory_stack
    chat = await new_chat(http, stack, "en")
    await chat.send("/start")
    await chat.press(callbacks.choose_language("en"), count=2)
    await chat.send(SECRET)
    await chat.settle()
    written = time.monotonic()

    def row() -> tuple[str, str | None]:
        with sqlite3.connect(tmp / "kelisim.db") as db:
            [(salt, seen)] = db.execute(
                "SELECT salt, last_seen FROM users WHERE telegram_id = ?", (chat.user_id,)
            )
        return salt, seen

    salt, seen = row()
    assert seen is not None  # the turn was noted
    pseudonym = sender_id("integration-tests", chat.user_id, salt)

    async def events_text() -> str:
        url = f"{stack.rasa_url}/conversations/{pseudonym}/tracker"
        async with http.get(url, params={"token": stack.rasa_api_token}) as response:
            assert response.status == 200
            return json.dumps(await response.json(), ensure_ascii=False)

    assert SECRET in await events_text()
    period = RETENTION_HOURS * 3600
    while SECRET in await events_text():
        assert time.monotonic() - written < period + 30, "still in Rasa after the period"
        await asyncio.sleep(2)
    gone_after = time.monotonic() - written
    # Not before the sweep's earliest (period - 2 beats, less what passed before `written`).
    assert gone_after > period / 2 - 5
    assert row() == (salt, None)  # purged, and marked so
