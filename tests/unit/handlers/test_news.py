"""The ways out of news at any moment: the button under every news message, and the stop words
(«стоп», «тоқта», "stop", «отписаться»... and /stop), before the text reaches the dialogue,
in the middle of the questionnaire too."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from telegram import Bot

from bot.content import Catalogue
from bot.screening import answers
from bot.storage.models import User
from bot.telegram import broadcast, callbacks
from bot.text.stop_words import NewsStop, news_stop
from tests.support.in_process import InProcessBot, custom
from tests.support.playground import Chat, button_labels, callback_data
from tests.support.views import plain

NEWS = {"kk": "Жаңалық", "ru": "Новость", "en": "News"}


async def _subscribed(bot: InProcessBot, language: str) -> Chat:
    chat = await bot.ready(language)
    await chat.send("/subscribe")
    assert await _news(bot, chat.user_id)
    return chat


async def _news(bot: InProcessBot, telegram_id: int) -> bool:
    async with bot.services.db.sessions() as session:
        wanted = await session.scalar(select(User.news).where(User.telegram_id == telegram_id))
        return bool(wanted)


async def _broadcast(bot: InProcessBot, news_id: str, catalogue: Catalogue) -> broadcast.Progress:
    """`python -m bot broadcast` as the command sends it, to this bot's emulator and database."""
    sender = Bot(
        bot.settings.token,
        base_url=bot.settings.telegram_api_base_url,
        request=broadcast.BroadcastRequest(),
    )
    labels = {lang: catalogue.label(lang, "btn.news_stop") for lang in NEWS}
    messages = {lang: f"{text} ({news_id})" for lang, text in NEWS.items()}
    async with sender:
        return await broadcast.send(
            sender, bot.services.db.sessions, news_id, messages, broadcast.MAX_RATE,
            stop_labels=labels,
        )  # fmt: skip


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
async def test_the_button_under_news_unsubscribes_at_once(
    bot: InProcessBot, catalogue: Catalogue, language: str
) -> None:
    chat = await _subscribed(bot, language)
    progress = await _broadcast(bot, "2027-03-rooms", catalogue)
    assert progress.sent == 1
    [news] = await chat.replies()
    assert news["text"] == f"{NEWS[language]} (2027-03-rooms)"
    assert callback_data(news) == ["n:2027-03-rooms"]
    assert button_labels(news) == [catalogue.label(language, "btn.news_stop")]

    [done] = await chat.press("n:2027-03-rooms")
    assert done["text"] == plain(catalogue, language, "news.unsubscribed")
    assert not await _news(bot, chat.user_id)
    # Pressed again: the same words, nothing else changes.
    [again] = await chat.press("n:2027-03-rooms")
    assert again["text"] == plain(catalogue, language, "news.unsubscribed")
    assert not await _news(bot, chat.user_id)
    # The next news does not reach them.
    assert (await _broadcast(bot, "2027-04-more", catalogue)).sent == 0
    assert bot.rasa.turns == []  # none of it went to the dialogue


async def test_a_forged_unsubscribe_button_gets_a_clear_answer(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    chat = await _subscribed(bot, "ru")
    for forged in ("n:", "n:../etc", "n:" + "x" * 63, "n:-a"):
        [reply] = await chat.press(forged, forge=True)
        assert reply["text"] == plain(catalogue, "ru", "error.expired_button"), forged
    assert await _news(bot, chat.user_id)  # none of them was a way out
    # A well-formed id it was never sent can only stop one's own news: it does.
    [reply] = await chat.press("n:made-up", forge=True)
    assert reply["text"] == plain(catalogue, "ru", "news.unsubscribed")
    assert not await _news(bot, chat.user_id)


def test_a_long_news_id_fits_telegrams_64_bytes() -> None:
    code = callbacks.news_stop("a" * 64)
    assert len(code.encode()) <= callbacks.MAX_BYTES
    assert callbacks.parse(code) == callbacks.Callback(callbacks.Kind.NEWS_STOP, "a" * 62)


# Every stop word in the ways people type it: case, punctuation, Cyrillic and Latin Kazakh.
STOP_WORDS = [
    ("kk", "тоқта"), ("kk", "Тоқта!"), ("kk", "токта"), ("kk", "TOQTA"), ("kk", "tokta."),
    ("kk", "тоқтатыңыз"), ("kk", "стоп"), ("ru", "стоп"), ("ru", "СТОП!!!"), ("ru", "Стоп."),
    ("en", "stop"), ("en", "Stop!"), ("en", "STOP"), ("ru", "stop"),
]  # fmt: skip
UNSUBSCRIBE_WORDS = [
    ("ru", "отписаться"), ("ru", "Отписаться!"), ("ru", "отпишите меня"), ("ru", "отписка"),
    ("en", "unsubscribe"), ("en", "Unsubscribe."), ("en", "stop news"),
    ("kk", "жазылымнан шығу"), ("kk", "жаңалықтарды тоқтату"), ("kk", "жазылымды токтату"),
]  # fmt: skip


@pytest.mark.parametrize(("language", "word"), STOP_WORDS)
async def test_a_stop_word_unsubscribes_and_still_leaves_the_questionnaire(
    bot: InProcessBot, catalogue: Catalogue, language: str, word: str
) -> None:
    """In the questionnaire (Rasa's scripted side: its question, then its answer to "stop"),
    a subscriber who types a stop word gets both: no more news, and out of the questions."""
    chat = await _subscribed(bot, language)
    bot.rasa.on("/check_eligibility", [custom(do="screen_question", question="category")])
    bot.rasa.on(word, [custom("screen.left", menu=True)])
    await chat.press(callbacks.topic("check_eligibility"))
    unsubscribed, left = await chat.send(word, count=2)
    assert unsubscribed["text"] == plain(catalogue, language, "news.unsubscribed")
    assert left["text"] == plain(catalogue, language, "screen.left")
    assert bot.rasa.texts[-1] == word  # the dialogue left the questionnaire as for anyone
    assert not await _news(bot, chat.user_id)
    # Typed again, no longer a subscriber: only the dialogue answers.
    [left] = await chat.send(word)
    assert left["text"] == plain(catalogue, language, "screen.left")


@pytest.mark.parametrize(("language", "word"), UNSUBSCRIBE_WORDS)
async def test_an_unsubscribe_word_only_unsubscribes(
    bot: InProcessBot, catalogue: Catalogue, language: str, word: str
) -> None:
    chat = await _subscribed(bot, language)
    bot.rasa.on("/check_eligibility", [custom(do="screen_question", question="category")])
    await chat.press(callbacks.topic("check_eligibility"))
    turns = len(bot.rasa.turns)
    [unsubscribed] = await chat.send(word)
    assert unsubscribed["text"] == plain(catalogue, language, "news.unsubscribed")
    assert len(bot.rasa.turns) == turns  # the questionnaire goes on where it was
    assert not await _news(bot, chat.user_id)
    assert await chat.settle(0.3) == []


@pytest.mark.parametrize("word", ["stop", "тоқта", "отписаться"])
async def test_a_non_subscriber_s_words_go_to_the_dialogue_as_before(
    bot: InProcessBot, catalogue: Catalogue, word: str
) -> None:
    chat = await bot.ready("ru")
    bot.rasa.on(word, [custom("screen.left", menu=True)])
    [left] = await chat.send(word)
    assert left["text"] == plain(catalogue, "ru", "screen.left")
    assert bot.rasa.texts == [word]
    assert not await _news(bot, chat.user_id)


async def test_slash_stop_does_what_typing_stop_does(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    bot.rasa.on("stop", [custom("screen.left", menu=True)])
    chat = await _subscribed(bot, "kk")
    unsubscribed, left = await chat.send("/stop", count=2)
    assert unsubscribed["text"] == plain(catalogue, "kk", "news.unsubscribed")
    assert left["text"] == plain(catalogue, "kk", "screen.left")
    assert not await _news(bot, chat.user_id)
    other = await bot.ready("en")
    [left] = await other.send("/stop")
    assert left["text"] == plain(catalogue, "en", "screen.left")
    assert bot.rasa.texts == ["stop", "stop"]


def test_every_stop_word_is_also_the_questionnaire_s_stop() -> None:
    """What makes the dialogue leave the questionnaire (bot/screening/answers.py)."""
    for _, word in STOP_WORDS:
        assert news_stop(word) is NewsStop.STOP, word
        assert answers.control(word) == "stop", word


def test_longer_messages_are_not_stop_words() -> None:
    for text in ("stop him selling the house", "стоп, а сколько стоит медиация?", "тоқта деді"):
        assert news_stop(text) is None, text
    assert news_stop("Тоқта!") is NewsStop.STOP
    assert news_stop("отписаться") is NewsStop.UNSUBSCRIBE
