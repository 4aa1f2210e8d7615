"""A subscriber's way out of news in the middle of the questionnaire, through the real stack
(emulator ⇄ bot ⇄ Rasa with the trained model and the form ⇄ actions): a stop word stops the
news and still leaves the questionnaire; an unsubscribe word stops the news only, and the
questions go on."""

from __future__ import annotations

import aiohttp
import pytest

from bot.content import Catalogue
from bot.stack import Stack
from tests.support.playground import Chat
from tests.support.questionnaire import question_of
from tests.support.stack import ready
from tests.support.views import plain

pytestmark = pytest.mark.integration


async def _in_the_questionnaire(http: aiohttp.ClientSession, stack: Stack, language: str) -> Chat:
    chat = await ready(http, stack, language)
    await chat.send("/subscribe")
    _intro, first = await chat.press("t:elig", count=2)
    assert question_of(first) == "category"
    return chat


@pytest.mark.parametrize(("language", "word"), [("kk", "Тоқта!"), ("ru", "стоп"), ("en", "STOP")])
async def test_a_stop_word_stops_the_news_and_the_questions(
    stack: Stack, http: aiohttp.ClientSession, catalogue: Catalogue, language: str, word: str
) -> None:
    chat = await _in_the_questionnaire(http, stack, language)
    unsubscribed, left = await chat.send(word, count=2)
    assert unsubscribed["text"] == plain(catalogue, language, "news.unsubscribed")
    assert left["text"] == plain(catalogue, language, "screen.left")


async def test_an_unsubscribe_word_stops_the_news_and_the_questions_go_on(
    stack: Stack, http: aiohttp.ClientSession, catalogue: Catalogue
) -> None:
    chat = await _in_the_questionnaire(http, stack, "ru")
    [unsubscribed] = await chat.send("отписаться")
    assert unsubscribed["text"] == plain(catalogue, "ru", "news.unsubscribed")
    [following] = await chat.press("s:category:property")
    assert question_of(following) == "safety"
