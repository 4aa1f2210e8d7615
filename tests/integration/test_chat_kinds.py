"""Private chats only (security review H2, M2): groups, channels, edits and other update kinds,
through the real bot and the emulator's control API (updates injected as Telegram sends them).

None of this needs the dialogue: the bot and the emulator alone (`stack_without_rasa`), whose
refused calls (a group the emulator does not know, a stale query) stay out of the main stack's
"no rejected calls" check."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import pytest

from bot.content import Catalogue
from bot.stack import Stack
from bot.telegram import callbacks
from tests.support.stack import new_chat, ready
from tests.support.updates import made_channel_admin, user

pytestmark = pytest.mark.integration

GROUP, CHANNEL = -1001234567890, -1009999999999


async def inject(http: aiohttp.ClientSession, stack: Stack, kind: str, payload: Any) -> bool:
    async with http.post(
        f"{stack.emulator_url}/control/updates", json={"kind": kind, "payload": payload}
    ) as response:
        response.raise_for_status()
        return bool((await response.json())["queued"])


async def calls(http: aiohttp.ClientSession, stack: Stack, since: int = 0) -> list[dict[str, Any]]:
    async with http.get(f"{stack.emulator_url}/control/calls?since={since}") as response:
        return list(await response.json())


async def left(http: aiohttp.ClientSession, stack: Stack) -> list[int]:
    async with http.get(f"{stack.emulator_url}/control/left") as response:
        return list(await response.json())


async def until(http: aiohttp.ClientSession, stack: Stack, chat_id: int) -> None:
    for _ in range(100):
        if chat_id in await left(http, stack):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the bot did not leave {chat_id}")


def sent_to(found: list[dict[str, Any]], chat_id: int) -> list[dict[str, Any]]:
    def to_chat(call: dict[str, Any]) -> bool:
        return str(call.get("params", {}).get("chat_id")) == str(chat_id)

    return [c for c in found if c["method"].lower().startswith("send") and to_chat(c)]


async def test_in_a_group_it_says_once_that_it_talks_one_to_one_and_leaves(
    stack_without_rasa: Stack, http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    stack = stack_without_rasa
    before = max((c["id"] for c in await calls(http, stack)), default=0)
    group = {"id": GROUP, "type": "supergroup", "title": "Neighbours"}
    message = {"message_id": 1, "from": user(700000101), "chat": group,
               "date": int(time.time()), "text": "/start"}  # fmt: skip
    assert await inject(http, stack, "message", message)
    await until(http, stack, GROUP)
    found = sent_to(await calls(http, stack, before), GROUP)
    assert [c["method"].lower() for c in found] == ["sendmessage"]
    assert "t.me/" in str(found[0]["params"].get("text"))
    # No menu, no question, no error message in the group.
    assert "reply_markup" not in found[0]["params"]


async def test_added_to_a_channel_it_leaves_without_a_word(
    stack_without_rasa: Stack, http: aiohttp.ClientSession
) -> None:
    stack = stack_without_rasa
    before = max((c["id"] for c in await calls(http, stack)), default=0)
    channel = {"id": CHANNEL, "type": "channel", "title": "News"}
    change = made_channel_admin(channel, user(700000102))
    assert await inject(http, stack, "my_chat_member", change)
    await until(http, stack, CHANNEL)
    # A post in the channel before the bot left: silence, never "something went wrong".
    post = {"message_id": 5, "chat": channel, "date": int(time.time()), "text": "hello"}
    await inject(http, stack, "channel_post", post)
    await asyncio.sleep(1.0)
    assert sent_to(await calls(http, stack, before), CHANNEL) == []


async def test_edits_and_live_location_updates_get_silence_not_an_error(
    stack_without_rasa: Stack, http: aiohttp.ClientSession
) -> None:
    stack = stack_without_rasa
    chat = await ready(http, stack, "ru")
    private = {"id": chat.user_id, "type": "private", "first_name": "Test"}
    base = {"from": user(chat.user_id, "ru"), "chat": private, "date": int(time.time()),
            "edit_date": int(time.time())}  # fmt: skip
    # The bot does not ask for edits (tests/unit/test_app_filters.py: nor would it answer them).
    assert not await inject(http, stack, "edited_message", {**base, "message_id": 2, "text": "x"})
    live = {"latitude": 43.2, "longitude": 76.9, "live_period": 900}
    moved = {**base, "message_id": 3, "location": live}
    assert not await inject(http, stack, "edited_message", moved)
    assert await chat.settle(quiet=2.0) == []


async def test_only_the_update_kinds_it_handles_are_asked_for(
    stack_without_rasa: Stack, http: aiohttp.ClientSession
) -> None:
    stack = stack_without_rasa
    query = {"id": "1", "from": user(700000103), "query": "mediation", "offset": ""}
    assert not await inject(http, stack, "inline_query", query)
    poll = {"id": "2", "question": "?", "options": [], "total_voter_count": 0, "is_closed": False,
            "is_anonymous": True, "type": "regular", "allows_multiple_answers": False}  # fmt: skip
    assert not await inject(http, stack, "poll", poll)


async def test_logging_message_text_never_logs_the_telegram_id(
    http: aiohttp.ClientSession, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """LOG_MESSAGE_TEXT=1 (debugging only) logs the text under the pseudonym (review L6)."""
    from tests.support.stack import _stack

    tmp = tmp_path_factory.mktemp("logtext")
    running = _stack(tmp, with_rasa=False, env={"LOG_MESSAGE_TEXT": "1"})
    running.start()
    try:
        chat = await new_chat(http, running, "en")
        await chat.send("/start")
        await chat.press(callbacks.choose_language("en"), count=2)
        await chat.send("a question to log")
    finally:
        running.stop()
    logged = "\n".join(p.read_text(encoding="utf-8") for p in (tmp / "log").glob("bot*.log"))
    assert "a question to log" in logged
    assert str(chat.user_id) not in logged


async def test_a_button_press_too_old_to_answer_still_does_what_it_says(
    stack_without_rasa: Stack, http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    """Telegram refuses to answer an old query (review M5): the page still comes."""
    stack = stack_without_rasa
    chat = await ready(http, stack, "en")
    private = {"id": chat.user_id, "type": "private", "first_name": "Test"}
    query = {
        "id": "424242",  # a query the emulator never issued: answering it fails
        "from": user(chat.user_id, "en"),
        "message": {"message_id": chat.latest_message_id(), "chat": private, "date": 0},
        "chat_instance": "1",
        "data": callbacks.page("privacy"),
    }
    assert await inject(http, stack, "callback_query", query)
    [page] = await chat.replies(1)
    assert page["text"].startswith(catalogue.page("en", "privacy").title)
    assert "went wrong" not in str(await chat.settle(quiet=1.0))


async def test_an_update_the_bot_cannot_read_does_not_stall_everyone_after_it(
    stack_without_rasa: Stack, http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    stack = stack_without_rasa
    chat = await ready(http, stack, "en")
    private = {"id": chat.user_id, "type": "private", "first_name": "Test"}
    broken = {"message_id": 50, "from": user(chat.user_id, "en"), "chat": private,
              "date": int(time.time()), "poll": {"id": "x"}}  # fmt: skip
    async with http.post(
        f"{stack.emulator_url}/control/updates",
        json={"kind": "message", "payload": broken, "force": True},
    ) as response:
        response.raise_for_status()
    replies = await chat.send("/language")
    assert replies[0]["text"] == catalogue.text("en", "lang.prompt")
