"""What every handler shares: the user_data keys, the person's language and pseudonym, and sending
a message, the menu or the language picker.
"""

from __future__ import annotations

import logging

from telegram import (
    InlineKeyboardMarkup,
    Update,
)

from bot.dialogue.client import sender_id
from bot.dialogue.payloads import Reply
from bot.privacy.retention import note_seen
from bot.storage.db import Flag
from bot.telegram import keyboards, language, send
from bot.telegram.services import Context, Services, has_flag, person

log = logging.getLogger(__name__)


# The pseudonym Rasa knows the person by, kept for the session (new after /forget).
PSEUDONYM = "pseudonym"


async def pseudonym(svc: Services, context: Context, telegram_id: int) -> str:
    """The name Rasa knows this person by: salted, and new after /forget."""
    cached = context.user_data.get(PSEUDONYM) if context.user_data is not None else None
    if isinstance(cached, str):
        found = cached
    else:
        salt = await svc.db.salt(telegram_id)
        found = sender_id(svc.settings.sender_secret, telegram_id, salt)
        if context.user_data is not None:
            context.user_data[PSEUDONYM] = found
    # A turn is on its way to Rasa: its conversation must be purged in time (at most one
    # write an hour; the row exists now that the salt does).
    await note_seen(svc.db, svc.settings, context.user_data, telegram_id)
    return found


async def concerned(context: Context, telegram_id: int) -> bool:
    """The dialogue showed the safety answer for danger, violence or control (its
    `safety_concern` slot): the bot's own mediator-search buttons then show that answer too,
    and so does the search when the dialogue is down. Cleared with the conversation and by
    /forget."""
    return await has_flag(context, telegram_id, Flag.SAFETY_CONCERN)


def safety_reply() -> Reply:
    return Reply(key="page:safety", topics=("talk_to_human",), menu=True)


async def say(
    context: Context, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """A new message in the chat."""
    await send.say(context, chat_id, text, markup)


async def user_language(context: Context, update: Update) -> str:
    assert update.effective_user is not None
    found = await person(context, update.effective_user.id)
    lang, _ = language.stored_or_guessed(found, update.effective_user)
    return lang


async def send_picker(context: Context, chat_id: int, lang: str) -> None:
    svc = context.services
    await say(
        context,
        chat_id,
        svc.catalogue.text(lang, "lang.prompt"),
        keyboards.language_picker(svc.catalogue, lang),
    )


async def send_menu(context: Context, chat_id: int, lang: str, key: str = "menu.title") -> None:
    svc = context.services
    await say(
        context, chat_id, svc.catalogue.text(lang, key), keyboards.main_menu(svc.catalogue, lang)
    )
