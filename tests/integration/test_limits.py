"""Limits and Telegram's refusals through the real bot and the emulator (security review M3,
M4): a flooding person is slowed without holding up anyone else, 429s on replies are waited
out, and a person who blocked the bot is marked and not written to again.

The dialogue is not needed (`stack_without_rasa`): buttons and the "can't understand" apology
are answered by the bot alone, and every limit here lives in the bot."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from bot.content import Catalogue
from bot.stack import Stack
from bot.storage.models import User
from bot.storage.urls import sync_url
from bot.telegram import callbacks
from tests.support.stack import new_chat, ready

pytestmark = pytest.mark.integration


async def _post(http: aiohttp.ClientSession, url: str, body: Any) -> Any:
    async with http.post(url, json=body) as response:
        response.raise_for_status()
        return await response.json()


def _texts(events: list[dict[str, Any]]) -> list[str]:
    return [str(e.get("text", "")) for e in events]


def _blocked(stack: Stack, user_id: int) -> bool:
    with Session(create_engine(sync_url(stack.env["DATABASE_URL"]))) as session:
        user = session.get(User, user_id)
        return bool(user and user.blocked)


async def test_a_flooding_person_is_told_once_and_everyone_else_is_answered(
    stack_without_rasa: Stack, http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    stack = stack_without_rasa
    flooder = await ready(http, stack, "en")
    base = f"{stack.emulator_url}/control/users/{flooder.user_id}/messages"
    # 150 messages as fast as the emulator takes them.
    await asyncio.gather(*(_post(http, base, {"text": f"spam {n}"}) for n in range(150)))
    others = [await new_chat(http, stack, "ru") for _ in range(5)]
    started = time.monotonic()
    for chat in others:
        await chat.send("/start")
    assert time.monotonic() - started < 15
    got = await flooder.settle(quiet=3.0)
    too_fast = catalogue.text("en", "error.too_fast")
    assert _texts(got).count(too_fast) == 1  # one word, not one per dropped message
    answered = [t for t in _texts(got) if t != too_fast]
    assert 0 < len(answered) < 150  # slowed down, not answered one by one


async def test_dropped_updates_nobody_waits_an_answer_to_bring_no_notice(
    stack_without_rasa: Stack, http: aiohttp.ClientSession
) -> None:
    stack = stack_without_rasa
    person = await ready(http, stack, "en")
    private = {"id": person.user_id, "type": "private", "first_name": "Test"}
    sender = {"id": person.user_id, "is_bot": False, "first_name": "Test", "language_code": "en"}
    # Forty edits at once, more than the person's burst (Telegram may deliver edits even when
    # the bot did not ask for them): the ones dropped are not worth a word.
    edits = [
        {"message_id": n, "from": sender, "chat": private, "date": int(time.time()),
         "edit_date": int(time.time()), "text": f"edited {n}"}
        for n in range(1, 41)
    ]  # fmt: skip
    base = f"{stack.emulator_url}/control/updates"
    for edit in edits:
        queued = await _post(http, base, {"kind": "edited_message", "payload": edit, "force": True})
        assert queued["queued"]
    for _ in range(100):  # the bot has fetched them all
        async with http.get(f"{stack.emulator_url}/control/bot") as response:
            if (await response.json())["pending_update_count"] == 0:
                break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the bot did not fetch the edits")
    assert await person.settle(quiet=2.0) == []


async def test_telegrams_429_on_replies_is_waited_out_and_nothing_is_lost(
    stack_without_rasa: Stack, http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    stack = stack_without_rasa
    chat = await new_chat(http, stack, "kk")
    await _post(http, f"{stack.emulator_url}/control/flood", {"per_second": 1})
    try:
        await chat.send("/start")
        replies = await chat.press(callbacks.choose_language("kk"), count=2)
    finally:
        await _post(http, f"{stack.emulator_url}/control/flood", {"per_second": None})
    assert catalogue.text("kk", "error.generic") not in _texts(replies)
    assert await chat.settle(quiet=1.5) == []


async def test_a_person_who_blocked_the_bot_is_marked_and_gets_no_error_message(
    stack_without_rasa: Stack, http: aiohttp.ClientSession
) -> None:
    stack = stack_without_rasa
    chat = await ready(http, stack, "ru")
    await _post(http, f"{stack.emulator_url}/control/users/{chat.user_id}/block", {"blocked": True})
    # An update that was on its way when the person blocked the bot: the reply gets 403.
    private = {"id": chat.user_id, "type": "private", "first_name": "Test"}
    sender = {"id": chat.user_id, "is_bot": False, "first_name": "Test", "language_code": "ru"}
    message = {"message_id": 77, "from": sender, "chat": private, "date": int(time.time()),
               "text": "/help"}  # fmt: skip
    assert (await _post(http, f"{stack.emulator_url}/control/updates",
                        {"kind": "message", "payload": message}))["queued"]  # fmt: skip
    for _ in range(50):
        if _blocked(stack, chat.user_id):
            break
        await asyncio.sleep(0.1)
    assert _blocked(stack, chat.user_id)
    async with http.get(f"{stack.emulator_url}/control/calls") as response:
        calls = await response.json()
    refused = [c for c in calls if str(c.get("params", {}).get("chat_id")) == str(chat.user_id)
               and c.get("error_code") == 403]  # fmt: skip
    assert len(refused) == 1  # no "something went wrong" sent after the 403
    await _post(
        http, f"{stack.emulator_url}/control/users/{chat.user_id}/block", {"blocked": False}
    )
    change = {
        "chat": private, "from": sender, "date": int(time.time()),
        "old_chat_member": {"status": "kicked", "until_date": 0,
                            "user": {"id": 1, "is_bot": True, "first_name": "K"}},
        "new_chat_member": {"status": "member",
                            "user": {"id": 1, "is_bot": True, "first_name": "K"}},
    }  # fmt: skip
    assert (await _post(http, f"{stack.emulator_url}/control/updates",
                        {"kind": "my_chat_member", "payload": change}))["queued"]  # fmt: skip
    for _ in range(50):
        if not _blocked(stack, chat.user_id):
            break
        await asyncio.sleep(0.1)
    assert not _blocked(stack, chat.user_id)
