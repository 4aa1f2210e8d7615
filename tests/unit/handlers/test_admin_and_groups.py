"""Admins' commands, and the bot in groups and channels (it talks one to one)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from bot.content import Catalogue
from tests.support.in_process import InProcessBot
from tests.support.playground import callback_data
from tests.support.updates import made_channel_admin, user
from tests.support.views import MENU, plain

GROUP, CHANNEL = -1001234567890, -1009999999999


@pytest.mark.parametrize("command", ["/stats", "/reload"])
async def test_admin_commands_are_unknown_to_everyone_else(
    bot: InProcessBot, catalogue: Catalogue, command: str
) -> None:
    chat = await bot.ready("ru")
    [reply] = await chat.send(command)
    assert reply["text"] == plain(catalogue, "ru", "error.unknown_command")
    assert callback_data(reply) == MENU


async def test_stats_for_an_admin(bot: InProcessBot, catalogue: Catalogue) -> None:
    admin = await bot.admin("en")
    [reply] = await admin.send("/stats")
    assert reply["text"].startswith(plain(catalogue, "en", "admin.stats.title"))


async def test_reload_for_an_admin(bot: InProcessBot, catalogue: Catalogue) -> None:
    admin = await bot.admin("kk")
    [reply] = await admin.send("/reload")
    assert reply["text"] == plain(catalogue, "kk", "admin.reloaded")


async def _sent_to(bot: InProcessBot, chat_id: int) -> list[dict[str, Any]]:
    return [
        call
        for call in await bot.control("calls")
        if call["method"].lower().startswith("send")
        and str(call.get("params", {}).get("chat_id")) == str(chat_id)
    ]


async def _left(bot: InProcessBot, chat_id: int) -> None:
    for _ in range(100):
        if chat_id in await bot.control("left"):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the bot did not leave {chat_id}")


async def test_in_a_group_it_says_once_that_it_talks_one_to_one_and_leaves(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    group = {"id": GROUP, "type": "supergroup", "title": "Neighbours"}
    message = {"message_id": 1, "from": user(700000101, "ru"), "chat": group,
               "date": int(time.time()), "text": "/start"}  # fmt: skip
    await bot.inject("message", message)
    await _left(bot, GROUP)
    await bot.inject("message", {**message, "message_id": 2, "text": "hello?"})
    await asyncio.sleep(0.2)
    [notice] = await _sent_to(bot, GROUP)
    link = f"https://t.me/{bot.application.bot.username}"
    assert notice["params"]["text"] == catalogue.text("ru", "group.private_only", link=link)
    assert "reply_markup" not in notice["params"]  # no menu, no question in the group
    assert bot.rasa.turns == []


async def test_added_to_a_channel_it_leaves_without_a_word(bot: InProcessBot) -> None:
    channel = {"id": CHANNEL, "type": "channel", "title": "News"}
    change = made_channel_admin(channel, user(700000102), bot.application.bot.id)
    await bot.inject("my_chat_member", change)
    await _left(bot, CHANNEL)
    assert await _sent_to(bot, CHANNEL) == []
