"""What a person decides about their data and news: /subscribe, /unsubscribe, /forget, and the
ways out of news at any moment (the button under a news message, a stop word typed)."""

from __future__ import annotations

from telegram import (
    Update,
)

from bot.dialogue.client import sender_id
from bot.dialogue.forget import forget_conversation
from bot.telegram import keyboards
from bot.telegram.handlers.common import say, user_language
from bot.telegram.services import Context, person_changed
from bot.text.stop_words import NewsStop


async def subscribe_command(update: Update, context: Context) -> None:
    """/subscribe: opt in to occasional news, in the user's language."""
    await _set_news(update, context, True)


async def unsubscribe_command(update: Update, context: Context) -> None:
    """/unsubscribe: no more news."""
    await _set_news(update, context, False)


async def _set_news(update: Update, context: Context, wanted: bool) -> None:
    svc = context.services
    assert update.effective_user is not None and update.effective_chat is not None
    lang = await user_language(context, update)
    await svc.db.set_news(update.effective_user.id, wanted, lang)
    key = "news.subscribed" if wanted else "news.unsubscribed"
    await say(context, update.effective_chat.id, svc.catalogue.text(lang, key))


async def news_stop_pressed(update: Update, context: Context, news_id: str) -> None:
    """The button under a news message: no more news, said at once (pressed again, or by
    someone already out, it says the same and changes nothing)."""
    svc = context.services
    assert update.effective_user is not None and update.effective_chat is not None
    lang = await user_language(context, update)
    await svc.db.stop_news(update.effective_user.id, news_id)
    await say(context, update.effective_chat.id, svc.catalogue.text(lang, "news.unsubscribed"))


async def news_stop_typed(update: Update, context: Context, asked: NewsStop) -> bool:
    """A stop word (bot/text/stop_words.py): a subscriber gets no more news, said at once.
    True when that is all the message asked (an unsubscribe word); a STOP word goes on to the
    dialogue, which leaves the questionnaire as it does for anyone. A non-subscriber's words
    go on to the dialogue exactly as before."""
    svc = context.services
    assert update.effective_user is not None and update.effective_chat is not None
    if not await svc.db.stop_news(update.effective_user.id):
        return False
    lang = await user_language(context, update)
    await say(context, update.effective_chat.id, svc.catalogue.text(lang, "news.unsubscribed"))
    return asked is NewsStop.UNSUBSCRIBE


async def forget_command(update: Update, context: Context) -> None:
    """/forget or the privacy page's button: ask before deleting anything."""
    svc = context.services
    assert update.effective_chat is not None
    lang = await user_language(context, update)
    await say(
        context,
        update.effective_chat.id,
        svc.catalogue.text(lang, "forget.confirm"),
        keyboards.confirm_forget(svc.catalogue, lang),
    )


async def forget_confirmed(update: Update, context: Context) -> None:
    """Delete what the database and Rasa's Redis stores hold about this user, then say so."""
    svc = context.services
    assert update.effective_user is not None and update.effective_chat is not None
    lang = await user_language(context, update)
    # The conversation is under the current pseudonym: delete it before the salt goes with
    # the row, after which no one can compute that pseudonym again. No salt, no conversation.
    salt = await svc.db.existing_salt(update.effective_user.id)
    if salt:
        pseudonym = sender_id(svc.settings.sender_secret, update.effective_user.id, salt)
        await svc.rasa.purge(pseudonym)  # the text leaves the tracker, in memory too
        await forget_conversation(svc.settings, pseudonym)  # and Redis keeps no copy nor lock
    existed = await svc.db.forget_user(update.effective_user.id)
    person_changed(context)
    if context.user_data is not None:
        context.user_data.clear()
    key = "forget.deleted" if existed else "forget.nothing"
    await say(context, update.effective_chat.id, svc.catalogue.text(lang, key))
