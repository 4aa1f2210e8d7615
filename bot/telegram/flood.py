"""What a person hears when their updates come faster than the bot answers them."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application

from bot.telegram import language, send
from bot.telegram.services import services

log = logging.getLogger(__name__)
# Chats told "too fast" remembered at most (a flood of new chats cannot grow it for ever).
_TOLD_KEPT = 10_000

# One word per flood, not one per dropped update: that would be a flood of our own.
QUIET_SECONDS = 30.0


class FloodNotice:
    """Tells a private chat, at most once in QUIET_SECONDS, that some of its messages were
    dropped; a dropped button press is still answered, so its spinner stops. Nothing is said
    about a dropped update nobody waits an answer to (an edit, a reaction, a change of
    membership): the bot would not have answered it either (found by tests/integration/
    test_fuzz.py once the stack got fast enough to empty a person's bucket)."""

    def __init__(
        self,
        application: Application,  # type: ignore[type-arg]
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._application = application
        self._clock = clock
        self._told: dict[int, float] = {}

    def _due(self, chat_id: int) -> bool:
        now = self._clock()
        if now - self._told.get(chat_id, -QUIET_SECONDS) < QUIET_SECONDS:
            return False
        self._told[chat_id] = now
        if len(self._told) > _TOLD_KEPT:
            self._told = {k: t for k, t in self._told.items() if now - t < QUIET_SECONDS}
        return True

    async def __call__(self, update: Update, why: str) -> None:
        chat = update.effective_chat
        user = update.effective_user
        log.info("dropped an update (%s)", why)
        if chat is None or user is None or chat.type != ChatType.PRIVATE:
            return
        query = update.callback_query
        if query is None and update.message is None:
            return
        due = self._due(chat.id)
        if query is None and not due:
            return
        svc = services(self._application)
        try:
            lang, _ = language.stored_or_guessed(await svc.db.person(user.id), user)
        except Exception:  # the database may be what is slow
            lang = language.guess(user.language_code)
        bot = self._application.bot
        try:
            if query is not None:
                # A callback answer is plain text of at most 200 characters.
                text = svc.catalogue.label(lang, "error.too_fast")[:200]
                await query.answer(text, show_alert=due)
            else:
                await send.tell(bot, chat.id, svc.catalogue.text(lang, "error.too_fast"))
        except TelegramError:
            log.info("could not tell a chat it was going too fast")
