"""The error handler: logged without message text, and a word to the person in private."""

from __future__ import annotations

import logging

from telegram import (
    Update,
)
from telegram.constants import ChatType
from telegram.error import Forbidden

from bot.languages import DEFAULT_LANGUAGE
from bot.telegram import language
from bot.telegram.handlers.common import send_menu, user_language
from bot.telegram.services import Context

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    """Log the failure without message text, and tell the user something went wrong."""
    if isinstance(context.error, Forbidden):
        # The person blocked the bot while it was answering (the sending layer has marked
        # them): nothing failed on our side, and no one is left to tell.
        log.warning("could not answer: %s", context.error.message)
        return
    log.error("error while handling an update", exc_info=context.error)
    chat = update.effective_chat if isinstance(update, Update) else None
    # Only ever in a private chat: never an error message posted into a group or a channel.
    if isinstance(update, Update) and chat is not None and chat.type == ChatType.PRIVATE:
        try:
            lang = (
                await user_language(context, update) if update.effective_user else DEFAULT_LANGUAGE
            )
        except Exception:  # the database itself may be what failed
            lang = language.guess(
                update.effective_user.language_code if update.effective_user else None
            )
        try:
            await send_menu(context, chat.id, lang, key="error.generic")
        except Exception:
            log.exception("could not even send the error message")
