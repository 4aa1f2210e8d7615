"""Groups and channels: the bot leaves them, with a word where it may speak."""

from __future__ import annotations

import logging

from telegram import (
    ChatMember,
    Update,
    User,
)
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.telegram import language, send
from bot.telegram.services import Context

log = logging.getLogger(__name__)


async def in_a_group(update: Update, context: Context) -> None:
    """A message in a group: say once that the bot talks one to one, with a link, and leave."""
    chat = update.effective_chat
    assert chat is not None
    if chat.id in _left_chats(context):
        return  # written before the bot left, queued behind the message it answered
    await _leave_with_a_word(context, chat.id, update.effective_user)


async def membership_changed(update: Update, context: Context) -> None:
    """Blocked or unblocked in a private chat: note it; added to a group or a channel: leave."""
    change = update.my_chat_member
    if change is None:
        return
    if change.chat.type == ChatType.PRIVATE:
        # The person blocked the bot (news stops) or came back (news may go again).
        blocked = change.new_chat_member.status == ChatMember.BANNED
        await context.services.db.set_blocked(change.chat.id, blocked)
        return
    if change.new_chat_member.status not in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR):
        return
    _left_chats(context).pop(change.chat.id, None)  # added again: it says so again
    if change.chat.type == ChatType.CHANNEL:
        await _leave(context, change.chat.id)
    else:
        await _leave_with_a_word(context, change.chat.id, change.from_user)


async def _leave_with_a_word(context: Context, chat_id: int, user: User | None) -> None:
    # The chat's language is not known; the person who wrote or added the bot has one.
    lang = language.guess(user.language_code if user else None)
    link = f"https://t.me/{context.bot.username}"
    catalogue = context.services.catalogue
    notice = catalogue.text(lang, "group.private_only", link=link)
    try:
        await send.say(context, chat_id, notice)
    except TelegramError:
        log.info("could not post the one-to-one notice in a group")
    await _leave(context, chat_id)


async def _leave(context: Context, chat_id: int) -> None:
    try:
        await context.bot.leave_chat(chat_id)
    except TelegramError:
        log.info("could not leave a group or channel")
    left = _left_chats(context)
    left[chat_id] = None
    if len(left) > _MAX_LEFT_CHATS:
        del left[next(iter(left))]


# Groups and channels the bot has left, oldest first. Messages written there before it left
# may still be queued; answering them would only be refused (it is no longer a member).
_LEFT_CHATS = "left_chats"


_MAX_LEFT_CHATS = 10_000


def _left_chats(context: Context) -> dict[int, None]:
    left: dict[int, None] = context.bot_data.setdefault(_LEFT_CHATS, {})
    return left
