"""What a person decides about their data and news: /forget, /subscribe, /unsubscribe."""

from __future__ import annotations

from sqlalchemy import select

from bot.content import Catalogue
from bot.storage.models import User
from bot.telegram import callbacks
from tests.support.in_process import InProcessBot
from tests.support.playground import callback_data
from tests.support.views import QUESTIONS, plain


async def _row(bot: InProcessBot, telegram_id: int) -> User | None:
    async with bot.services.db.sessions() as session:
        found: User | None = await session.scalar(
            select(User).where(User.telegram_id == telegram_id)
        )
        return found


async def test_forget_asks_first_then_deletes_everywhere_and_starts_anew(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    chat = await bot.ready("ru")
    await chat.send(QUESTIONS["ru"])
    before = bot.rasa.turns[-1]["sender"]
    [confirm] = await chat.send("/forget")
    assert confirm["text"] == plain(catalogue, "ru", "forget.confirm")
    assert callback_data(confirm) == [callbacks.FORGET_CONFIRMED, callbacks.MENU]
    assert await _row(bot, chat.user_id) is not None  # asking deletes nothing
    [done] = await chat.press(callbacks.FORGET_CONFIRMED)
    assert done["text"] == plain(catalogue, "ru", "forget.deleted")
    assert bot.rasa.purged == [before]  # the conversation's text left Rasa's tracker
    assert await _row(bot, chat.user_id) is None
    # Whatever comes next is a new conversation, under a pseudonym no one can link to the old.
    await chat.send(QUESTIONS["ru"])
    assert bot.rasa.turns[-1]["sender"] != before
    # Asked again with nothing left: said so, and nothing purged.
    [again] = await chat.press(callbacks.FORGET_CONFIRMED, forge=True)
    assert again["text"] == plain(catalogue, "ru", "forget.deleted")


async def test_forget_for_someone_we_never_stored(bot: InProcessBot, catalogue: Catalogue) -> None:
    chat = await bot.chat("en")
    await chat.send("/forget")
    [reply] = await chat.press(callbacks.FORGET_CONFIRMED)
    assert reply["text"] == plain(catalogue, "en", "forget.nothing")
    assert bot.rasa.purged == []


async def test_subscribe_and_unsubscribe(bot: InProcessBot, catalogue: Catalogue) -> None:
    chat = await bot.ready("kk")
    [reply] = await chat.send("/subscribe")
    assert reply["text"] == plain(catalogue, "kk", "news.subscribed")
    row = await _row(bot, chat.user_id)
    assert row is not None
    assert row.news
    assert row.language == "kk"
    [reply] = await chat.send("/unsubscribe")
    assert reply["text"] == plain(catalogue, "kk", "news.unsubscribed")
    row = await _row(bot, chat.user_id)
    assert row is not None
    assert not row.news
