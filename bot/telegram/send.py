"""Every message the bot sends or edits goes through here: a new message, or the pressed one
edited in place.

`say` and `show` answer an update; `tell` is for what no update asked for (the flood notice,
the admins' reload report). Every message is HTML (content is rendered to Telegram's HTML).
Rate limits and retries are below this, in the request layer every call goes through
(bot/telegram/sending.py). The news broadcast has its own client (bot/telegram/broadcast.py):
it runs from the command line, beside the bot."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, TypeVar

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import CallbackContext

log = logging.getLogger(__name__)

Rows = list[list[InlineKeyboardButton]]
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove
_T = TypeVar("_T")


async def tell(bot: Bot, chat_id: int, text: str, markup: Markup | None = None) -> Message:
    """A new message in the chat, from wherever the bot is."""
    message: Message = await bot.send_message(
        chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
    )
    return message


async def say(
    context: CallbackContext[Any, Any, Any, Any],
    chat_id: int,
    text: str,
    markup: Markup | None = None,
) -> Message:
    """A new message in the chat, answering an update."""
    return await tell(context.bot, chat_id, text, markup)


async def show(
    context: CallbackContext[Any, Any, Any, Any],
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None,
    message: Message | None,
) -> None:
    """Edit the message a button was on (paging, filters), else send a new one."""
    # A second press on a button whose answer the message already shows: Telegram refuses an
    # edit that changes nothing, so the answer comes as a new message straight away.
    unchanged = message is not None and message.reply_markup == markup and message.text_html == text
    if message is not None and not unchanged:
        try:
            await message.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
            return
        except BadRequest as exc:  # too old to edit, or unchanged: a new message then
            log.info("not edited in place: %s", exc)
    await say(context, chat_id, text, markup)


async def answer(query: CallbackQuery, text: str = "") -> None:
    """Answer a button press (a toast when `text` is given): every press is answered once."""
    try:
        await query.answer(text or None)
    except BadRequest:
        # Too old to answer (pressed while the bot was restarting or busy): the spinner stops
        # by itself, and the press still does what it says.
        log.info("a button press too old to answer; acting on it anyway")


def rows_of(items: Sequence[_T], width: int) -> list[list[_T]]:
    """Buttons `width` to a row, in order."""
    return [list(items[i : i + width]) for i in range(0, len(items), width)]
