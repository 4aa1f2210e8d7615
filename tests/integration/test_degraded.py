"""Rasa unreachable: the bot still answers, and the menu keeps working where it can."""

from __future__ import annotations

import aiohttp
import pytest

from bot.content import Catalogue
from bot.stack import Stack
from bot.telegram import callbacks, directory_codes
from tests.support.playground import callback_data
from tests.support.stack import new_chat
from tests.support.views import MENU, QUESTIONS, plain, shows_page

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
async def test_rasa_down(
    stack_without_rasa: Stack, http: aiohttp.ClientSession, catalogue: Catalogue, language: str
) -> None:
    chat = await new_chat(http, stack_without_rasa, language)
    [picker] = await chat.send("/start")
    assert picker["text"] == plain(catalogue, language, "lang.prompt")
    await chat.press(callbacks.choose_language(language), count=2)

    [reply] = await chat.send(QUESTIONS[language])
    assert reply["text"] == plain(catalogue, language, "error.rasa_down")
    assert [b for row in reply["reply_markup"]["inline_keyboard"] for b in row]
    [page] = await chat.press(callbacks.topic("what_is_mediation"))
    assert shows_page(page, catalogue, language, "what_is_mediation")
    [page] = await chat.send("/help")
    assert shows_page(page, catalogue, language, "help")
    # The directory is the bot's own: "Find a mediator" still asks where, and searches.
    ask, regions = await chat.press(callbacks.topic("find_mediator"), count=2)
    assert ask["text"] == plain(catalogue, language, "dir.ask_place")
    almaty = directory_codes.search_in("almaty")
    assert almaty in callback_data(regions)
    searching, results = await chat.press(almaty, count=2)
    assert searching["reply_markup"] == {"remove_keyboard": True}
    assert "<b>1. " in results["html"]
    [reply] = await chat.send(QUESTIONS[language])
    assert [
        b["callback_data"] for row in reply["reply_markup"]["inline_keyboard"] for b in row
    ] == MENU
