"""Turn the dialogue's payloads into Telegram messages in the user's language."""

from __future__ import annotations

import logging
from typing import Any

from telegram import InlineKeyboardMarkup, Message

from bot.content import Catalogue
from bot.dialogue.payloads import Reply, parse
from bot.telegram import keyboards

log = logging.getLogger(__name__)


def render(
    catalogue: Catalogue, language: str, reply: Reply
) -> tuple[str, InlineKeyboardMarkup | None]:
    """HTML text and keyboard for one Reply; KeyError if the content is missing."""
    if reply.key.startswith("page:"):
        text = catalogue.render_page(language, reply.key.removeprefix("page:"))
    else:
        text = catalogue.text(language, reply.key, **reply.args)
    # A page is long: its related topics and one "Main menu" button keep the screen short.
    compact = reply.key.startswith("page:")
    markup = keyboards.topics_and_menu(catalogue, language, reply.topics, reply.menu, compact)
    if compact:  # "Was this helpful?" on top of the page's buttons
        markup = keyboards.with_feedback(catalogue, language, reply.key, markup)
    return text, markup


def replies_from(messages: list[dict[str, Any]]) -> list[Reply]:
    replies = []
    for message in messages:
        reply = parse(message)
        if reply is None:
            # Text in a Rasa reply would mean words live in the domain: a bug to surface.
            log.error("ignoring a Rasa message without our payload: keys=%s", sorted(message))
            continue
        replies.append(reply)
    return replies


async def send(message: Message, catalogue: Catalogue, language: str, reply: Reply) -> None:
    text, markup = render(catalogue, language, reply)
    await message.reply_html(text, reply_markup=markup, do_quote=False)
