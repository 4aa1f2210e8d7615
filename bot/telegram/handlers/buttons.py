"""Button presses: one route per kind of button (`callbacks.Kind`) and per op of the mediator
search (`directory_codes.Op`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import cast

from telegram import (
    Message,
    Update,
)
from telegram.constants import ChatType

from bot.telegram import callbacks, directory, send
from bot.telegram.callbacks import Callback, Kind
from bot.telegram.directory_codes import WITH_SEARCH, DirectoryCode, Op, SearchKey
from bot.telegram.handlers.account import forget_command, forget_confirmed, news_stop_pressed
from bot.telegram.handlers.common import (
    concerned,
    safety_reply,
    send_menu,
    send_picker,
    user_language,
)
from bot.telegram.handlers.feedback import end_feedback_wait, feedback_pressed
from bot.telegram.handlers.onboarding import language_chosen, source_chosen
from bot.telegram.handlers.turn import converse, deliver, screen_button, show_page
from bot.telegram.services import Context

log = logging.getLogger(__name__)


async def on_callback(update: Update, context: Context) -> None:
    """Every button press: answer the query first, then act on the parsed code."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    pressed = callbacks.parse(query.data)
    private = update.effective_chat.type == ChatType.PRIVATE
    # A route that says thank you in a toast answers the press itself.
    if not (private and pressed is not None and pressed.kind in _ANSWERS_ITSELF):
        await send.answer(query)
    if not private:
        return  # a button left in a group the bot has left: nothing to say there
    if pressed is None:
        lang = await user_language(context, update)
        await send_menu(context, update.effective_chat.id, lang, key="error.expired_button")
        return
    if pressed.kind is not Kind.FEEDBACK and update.effective_user is not None:
        # Another button: what was missing is no longer being typed.
        await end_feedback_wait(context, update.effective_user.id)
    await _ON_BUTTON[pressed.kind](update, context, pressed)


async def _menu_pressed(update: Update, context: Context, pressed: Callback) -> None:
    """The main menu."""
    assert update.effective_chat is not None
    await send_menu(context, update.effective_chat.id, await user_language(context, update))


async def _picker_pressed(update: Update, context: Context, pressed: Callback) -> None:
    """The language picker."""
    assert update.effective_chat is not None
    await send_picker(context, update.effective_chat.id, await user_language(context, update))


async def _topic_pressed(update: Update, context: Context, pressed: Callback) -> None:
    """A topic: the dialogue answers it as if its intent was typed."""
    await converse(update, context, f"/{pressed.value}", topic=pressed.value)


# Kinds whose route answers the press itself (with a toast); every other press is answered
# before its route runs.
_ANSWERS_ITSELF = frozenset({Kind.FEEDBACK})
# One route per kind of button (bot/telegram/callbacks.py, `Kind`).
_ON_BUTTON: dict[Kind, Callable[[Update, Context, Callback], Awaitable[None]]] = {
    Kind.MENU: _menu_pressed,
    Kind.LANGUAGE_PICKER: _picker_pressed,
    Kind.LANGUAGE: lambda update, context, pressed: language_chosen(update, context, pressed.value),
    Kind.TOPIC: _topic_pressed,
    Kind.PAGE: lambda update, context, pressed: show_page(update, context, pressed.value),
    Kind.FORGET: lambda update, context, pressed: forget_command(update, context),
    Kind.FORGET_CONFIRMED: lambda update, context, pressed: forget_confirmed(update, context),
    Kind.SCREEN: lambda update, context, pressed: screen_button(
        update, context, pressed.value, pressed.option
    ),
    Kind.SOURCE: lambda update, context, pressed: source_chosen(update, context, pressed.value),
    Kind.FEEDBACK: feedback_pressed,
    Kind.DIRECTORY: lambda update, context, pressed: directory_button(
        update, context, cast(DirectoryCode, pressed.directory)
    ),
    Kind.NEWS_STOP: lambda update, context, pressed: news_stop_pressed(
        update, context, pressed.value
    ),
}


@dataclass
class _DirectoryPress:
    """A press of a mediator-search button, with what every route needs."""

    update: Update
    context: Context
    code: DirectoryCode
    chat_id: int
    lang: str
    message: Message | None  # the message pressed on, when it can be edited in place

    @property
    def key(self) -> SearchKey:
        assert self.code.key is not None  # directory_button checks it first (WITH_SEARCH)
        return self.code.key


async def directory_button(update: Update, context: Context, code: DirectoryCode) -> None:
    """A button of the mediator search: where, a page, a filter, or one listing's action."""
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    lang = await user_language(context, update)
    query = update.callback_query
    # PTB reads an inaccessible message (date 0) as a Message too: only an accessible one can
    # be edited in place.
    message = query.message if query is not None and isinstance(query.message, Message) else None
    if message is not None and not message.is_accessible:
        message = None
    if code.op is not Op.INVITE and await concerned(context, chat_id):
        # Told of danger or violence: an older search's buttons lead to help, not to listings.
        await deliver(context, chat_id, lang, [safety_reply()])
        return
    if code.op in WITH_SEARCH and code.key is None:
        await send_menu(context, chat_id, lang, key="error.expired_button")
        return
    await _ON_DIRECTORY[code.op](_DirectoryPress(update, context, code, chat_id, lang, message))


async def _search_in(p: _DirectoryPress) -> None:
    """A place chosen: the dialogue searches there (after its safety questions)."""
    if p.context.services.places.get(p.code.place) is None:
        await send_menu(p.context, p.chat_id, p.lang, key="error.expired_button")
        return
    place = {"place": p.code.place}
    await converse(p.update, p.context, "/find_mediator", "find_mediator", place=place)


async def _regions(p: _DirectoryPress) -> None:
    """The regions, or one region's settlements."""
    if p.code.place:
        await directory.show_settlements(p.context, p.chat_id, p.lang, p.code.place, p.message)
    else:
        await directory.show_regions(p.context, p.chat_id, p.lang, p.message)


async def _invite(p: _DirectoryPress) -> None:
    """The dialogue decides: the safety questions first, then the invitation or help."""
    invite = {"language": p.code.language} if p.code.language else None
    await converse(p.update, p.context, "/invite_other_party", "invite_other_party", invite=invite)


# One route per op of the mediator search (bot/telegram/directory_codes.py, `Op`).
_ON_DIRECTORY: dict[Op, Callable[[_DirectoryPress], Awaitable[None]]] = {
    Op.SEARCH_IN: _search_in,
    Op.REGIONS: _regions,
    Op.ASK_PLACE: lambda p: directory.ask_place(p.context, p.chat_id, p.lang, unknown=False),
    Op.RESULTS: lambda p: directory.show_results(p.context, p.chat_id, p.lang, p.key, p.message),
    Op.CHOOSE_TYPE: lambda p: directory.choose_type(p.context, p.chat_id, p.lang, p.key, p.message),
    Op.CALL: lambda p: directory.call(p.context, p.chat_id, p.lang, p.code.listing_id),
    Op.WRITE: lambda p: directory.write(p.context, p.chat_id, p.lang, p.code.listing_id),
    Op.MAP: lambda p: directory.show_on_map(p.context, p.chat_id, p.lang, p.code.listing_id),
    Op.MORE: lambda p: directory.more(p.context, p.chat_id, p.lang, p.code.listing_id, p.key),
    Op.REPORT: lambda p: directory.confirm_report(p.context, p.chat_id, p.lang, p.code.listing_id),
    Op.REPORT_CONFIRMED: lambda p: directory.report(
        p.context, p.chat_id, p.lang, p.code.listing_id, p.message
    ),
    Op.SUMMARY: lambda p: directory.ask_consent(
        p.context, p.chat_id, p.lang, p.code.listing_id, p.key
    ),
    Op.SUMMARY_CONSENTED: lambda p: directory.handoff(
        p.context, p.chat_id, p.lang, p.code.listing_id, p.key, p.message
    ),
    Op.DISMISS: lambda p: directory.dismiss(p.context, p.chat_id, p.lang, p.message),
    Op.INVITE: _invite,
}
